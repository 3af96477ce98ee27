import { type Spectrogram, istft, stft } from './stft.js';
import { mulberry32 } from './random.js';

export interface GriffinLimOptions {
  /** Iterations (each one ISTFT + STFT). */
  iterations?: number;
  /** Momentum α of the fast Griffin-Lim (Perraudin et al. 2013); 0 gives classic Griffin-Lim. */
  momentum?: number;
  /** Seed for the initial random phase; phase starts at 0 when undefined. */
  seed?: number;
  /** Called after each iteration with the spectral convergence (lower is better). */
  onIteration?: (iteration: number, spectralConvergence: number) => void;
}

export const GRIFFIN_LIM_DEFAULTS = { iterations: 32, momentum: 0.99 } as const;

/**
 * Spectral convergence ‖|X| − S‖ / ‖S‖ between a spectrogram's magnitude and
 * the target magnitudes S (same frame-major layout).
 */
export function spectralConvergence(spec: Spectrogram, target: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < target.length; i++) {
    const r = spec.re[i]!;
    const m = spec.im[i]!;
    // sqrt, not Math.hypot: hypot is ~10× slower in V8 and overflow cannot happen here.
    const d = Math.sqrt(r * r + m * m) - target[i]!;
    num += d * d;
    den += target[i]! * target[i]!;
  }
  return den > 0 ? Math.sqrt(num / den) : 0;
}

/**
 * Fast Griffin-Lim phase recovery: find a signal whose STFT magnitude matches
 * `mag` (frame-major [nFrames * (nFft/2+1)]). The momentum step extrapolates
 * the consistent spectrogram, converging several times faster than plain GL
 * for the same iteration count.
 */
export function griffinLim(
  mag: Float32Array,
  nFrames: number,
  nFft: number,
  hop: number,
  length: number,
  opts: GriffinLimOptions = {},
): Float32Array {
  const iterations = opts.iterations ?? GRIFFIN_LIM_DEFAULTS.iterations;
  const alpha = opts.momentum ?? GRIFFIN_LIM_DEFAULTS.momentum;
  const nBins = nFft / 2 + 1;
  const size = nFrames * nBins;
  if (mag.length !== size) throw new Error(`griffinLim: magnitude has ${mag.length} values, expected ${size}`);
  const cur: Spectrogram = { re: new Float32Array(size), im: new Float32Array(size), nFrames, nBins };
  if (opts.seed === undefined) {
    cur.re.set(mag);
  } else {
    const rnd = mulberry32(opts.seed);
    for (let i = 0; i < size; i++) {
      const p = 2 * Math.PI * rnd();
      cur.re[i] = mag[i]! * Math.cos(p);
      cur.im[i] = mag[i]! * Math.sin(p);
    }
  }
  const prevRe = new Float32Array(size);
  const prevIm = new Float32Array(size);
  let signal = istft(cur, nFft, hop, length);
  for (let it = 0; it < iterations; it++) {
    const proj = stft(signal, nFft, hop, nFrames);
    if (opts.onIteration) opts.onIteration(it, spectralConvergence(proj, mag));
    // Momentum: t = proj + α (proj − prevProj), then impose the target magnitude.
    for (let i = 0; i < size; i++) {
      const pr = proj.re[i]!;
      const pi = proj.im[i]!;
      const tr = pr + alpha * (pr - prevRe[i]!);
      const ti = pi + alpha * (pi - prevIm[i]!);
      prevRe[i] = pr;
      prevIm[i] = pi;
      const n = Math.sqrt(tr * tr + ti * ti);
      if (n > 1e-12) {
        const s = mag[i]! / n;
        cur.re[i] = tr * s;
        cur.im[i] = ti * s;
      } else {
        cur.re[i] = mag[i]!;
        cur.im[i] = 0;
      }
    }
    signal = istft(cur, nFft, hop, length);
  }
  return signal;
}
