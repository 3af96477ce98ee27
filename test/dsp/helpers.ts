import { mulberry32 as rng } from '../../src/dsp/random.js';
export { rng };
/** Small deterministic signal generators shared by the DSP tests. */

export function noise(n: number, seed = 1, amp = 1): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * (r() * 2 - 1);
  return x;
}

export function sine(n: number, freq: number, sr: number, amp = 1, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / sr + phase);
  return x;
}

/** A synthetic drum: decaying noise burst + decaying pitched body, starting at `offset`. */
export function synthDrum(n: number, sr: number, opts: { freq?: number; offset?: number; seed?: number } = {}): Float32Array {
  const { freq = 180, offset = 0, seed = 7 } = opts;
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = offset; i < n; i++) {
    const t = (i - offset) / sr;
    x[i] = 0.6 * Math.sin(2 * Math.PI * freq * t) * Math.exp(-t / 0.15) + 0.4 * (r() * 2 - 1) * Math.exp(-t / 0.04);
  }
  return x;
}

/** RMS of x[from, to). */
export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
