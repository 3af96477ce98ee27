/**
 * Fundamental-frequency estimate of a one-shot for pitch measurement:
 * frame-wise YIN over the sustain, aggregated by an energy-weighted median.
 * Pure (no tfjs, no audio graph).
 *
 * Why not one YIN window (descriptors.ts yinF0): a single 93 ms window right
 * after the attack misses notes whose period is still settling (piano
 * hammers, plucked bass), and one noisy window decides the whole note. YIN's
 * own errors are octave slips in single frames (a sub-harmonic dip when the
 * first one misses the threshold, or the period of a dominant 2nd harmonic);
 * the median over ~20 frames outvotes them, as pYIN's tracking does, without
 * any knowledge of the pitch that was asked for (the estimate must stay blind
 * to it, since it judges the generator).
 */
import type { Hz } from '../units.js';
import { onsetIndex } from './envelope.js';
import { RealFft } from './fft.js';

export interface F0Options {
  /** Lowest f0 searched (Hz); sets the longest lag. */
  fMin: Hz;
  /** Highest f0 searched (Hz). */
  fMax: Hz;
  /** Integration window per frame (samples). */
  window: number;
  /** Hop between frames (samples). */
  hop: number;
  /** First analysed frame starts this long after the onset (seconds): skips the attack transient. */
  skip: number;
  /** Frames analysed at most. */
  maxFrames: number;
  /** Frames quieter than the loudest by more than this are not analysed (dB). */
  floorDb: number;
  /** YIN absolute threshold on the cumulative-mean-normalised difference. */
  threshold: number;
  /** A frame whose best dip stays above this is unvoiced. */
  voicedMax: number;
  /** Share of analysed frames that must be voiced for the note to have a pitch. */
  minVoicedShare: number;
}

export const F0_DEFAULTS: Readonly<F0Options> = {
  fMin: 25,
  fMax: 4200,
  window: 2048,
  hop: 1024,
  skip: 0.04,
  maxFrames: 24,
  floorDb: 35,
  threshold: 0.15,
  voicedMax: 0.35,
  minVoicedShare: 0.3,
};

export interface F0Estimate {
  /** Energy-weighted median over voiced frames (Hz), or null when too few frames are voiced. */
  f0: Hz | null;
  /** Voiced frames / analysed frames. */
  voicedShare: number;
  /** Frames analysed. */
  frames: number;
}

/** Per-size scratch (an FFT plan and its buffers), reused across calls. */
const scratch = new Map<number, { fft: RealFft; a: Float64Array; b: Float64Array; ar: Float64Array; ai: Float64Array; br: Float64Array; bi: Float64Array; r: Float64Array }>();
function scratchFor(size: number) {
  let s = scratch.get(size);
  if (!s) {
    const h = size / 2 + 1;
    s = { fft: new RealFft(size), a: new Float64Array(size), b: new Float64Array(size), ar: new Float64Array(h), ai: new Float64Array(h), br: new Float64Array(h), bi: new Float64Array(h), r: new Float64Array(size) };
    scratch.set(size, s);
  }
  return s;
}

/**
 * YIN's cumulative-mean-normalised difference of the frame x[start … start +
 * window + tauMax), lags 0 … tauMax. The difference d(τ) = e₀ + e_τ − 2 r(τ)
 * uses one FFT cross-correlation instead of the O(window · tauMax) sum.
 */
function cmnd(x: Float32Array, start: number, window: number, tauMax: number, out: Float64Array): void {
  const n = window + tauMax;
  let size = 1;
  while (size < n + window) size <<= 1;
  const s = scratchFor(size);
  s.a.fill(0);
  s.b.fill(0);
  for (let i = 0; i < window; i++) s.a[i] = x[start + i]!;
  for (let i = 0; i < n; i++) s.b[i] = x[start + i]!;
  s.fft.forward(s.a, s.ar, s.ai);
  s.fft.forward(s.b, s.br, s.bi);
  // r(τ) = Σ a[i] b[i + τ]: the inverse of conj(A) · B.
  const h = size / 2;
  for (let k = 0; k <= h; k++) {
    const re = s.ar[k]! * s.br[k]! + s.ai[k]! * s.bi[k]!;
    const im = s.ar[k]! * s.bi[k]! - s.ai[k]! * s.br[k]!;
    s.ar[k] = re;
    s.ai[k] = im;
  }
  s.fft.inverse(s.ar, s.ai, s.r);
  let e0 = 0;
  for (let i = 0; i < window; i++) e0 += x[start + i]! ** 2;
  let eTau = e0;
  out[0] = 1;
  let run = 0;
  for (let tau = 1; tau <= tauMax; tau++) {
    // Slide the energy of b[τ … τ + window).
    eTau += x[start + tau + window - 1]! ** 2 - x[start + tau - 1]! ** 2;
    const d = Math.max(0, e0 + eTau - 2 * s.r[tau]!);
    run += d;
    out[tau] = run > 0 ? (d * tau) / run : 1;
  }
}

/** Best lag of one frame's normalised difference: first dip under the threshold, else the global minimum; with its depth. */
function bestLag(cm: Float64Array, tauMin: number, tauMax: number, threshold: number): { tau: number; depth: number } {
  for (let tau = tauMin; tau < tauMax; tau++) {
    if (cm[tau]! < threshold) {
      while (tau + 1 < tauMax && cm[tau + 1]! < cm[tau]!) tau++;
      return { tau, depth: cm[tau]! };
    }
  }
  let best = tauMin;
  for (let tau = tauMin + 1; tau < tauMax; tau++) if (cm[tau]! < cm[best]!) best = tau;
  return { tau: best, depth: cm[best]! };
}

/** Fundamental frequency of a one-shot; see the module comment. */
export function estimateF0(x: Float32Array, sampleRate: Hz, options: Partial<F0Options> = {}): F0Estimate {
  const o = { ...F0_DEFAULTS, ...options };
  const tauMax = Math.ceil(sampleRate / o.fMin);
  const tauMin = Math.max(2, Math.floor(sampleRate / o.fMax));
  const on = Math.max(0, onsetIndex(x, -30));
  const first = on + Math.round(o.skip * sampleRate);
  const span = o.window + tauMax + 1;
  const starts: number[] = [];
  const energy: number[] = [];
  for (let s = first; s + span <= x.length && starts.length < o.maxFrames; s += o.hop) {
    let e = 0;
    for (let i = 0; i < o.window; i++) e += x[s + i]! ** 2;
    starts.push(s);
    energy.push(e);
  }
  if (starts.length === 0) return { f0: null, voicedShare: 0, frames: 0 };
  const peak = Math.max(...energy);
  const floor = peak * 10 ** (-o.floorDb / 10);
  const cm = new Float64Array(tauMax + 1);
  const voiced: Array<{ logF: number; w: number }> = [];
  let analysed = 0;
  for (let f = 0; f < starts.length; f++) {
    if (!(energy[f]! > floor) || peak <= 0) continue;
    analysed++;
    cmnd(x, starts[f]!, o.window, tauMax, cm);
    const { tau, depth } = bestLag(cm, tauMin, tauMax, o.threshold);
    if (depth > o.voicedMax) continue;
    // Parabolic interpolation around the dip for a sub-sample lag.
    const a = cm[tau - 1] ?? cm[tau]!;
    const b = cm[tau]!;
    const c = cm[tau + 1] ?? b;
    const den = a - 2 * b + c;
    const shift = den !== 0 ? Math.max(-1, Math.min(1, (0.5 * (a - c)) / den)) : 0;
    voiced.push({ logF: Math.log2(sampleRate / (tau + shift)), w: Math.sqrt(energy[f]!) * (1 - depth) });
  }
  const voicedShare = analysed > 0 ? voiced.length / analysed : 0;
  if (voiced.length === 0 || voicedShare < o.minVoicedShare) return { f0: null, voicedShare, frames: analysed };
  voiced.sort((p, q) => p.logF - q.logF);
  const total = voiced.reduce((s, v) => s + v.w, 0);
  let acc = 0;
  let med = voiced[voiced.length - 1]!.logF;
  for (const v of voiced) {
    acc += v.w;
    if (acc >= total / 2) { med = v.logF; break; }
  }
  return { f0: 2 ** med, voicedShare, frames: analysed };
}
