import { RealFft } from './fft.js';

/**
 * Short-time Fourier transform with a periodic Hann window and centred
 * frames (the signal is reflect-padded by nFft/2 on both sides, as librosa
 * and torch.stft(center=True) do), so frame f is centred on sample f·hop.
 */
export interface Spectrogram {
  /** Real parts, frame-major: re[f * nBins + k]. */
  re: Float32Array;
  /** Imaginary parts, same layout. */
  im: Float32Array;
  nFrames: number;
  /** nFft / 2 + 1. */
  nBins: number;
}

const windowCache = new Map<number, Float32Array>();

/** Periodic Hann window of length n (the STFT-friendly variant: sums to n/2). */
export function hannWindow(n: number): Float32Array {
  let w = windowCache.get(n);
  if (!w) {
    w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    windowCache.set(n, w);
  }
  return w;
}

const fftCache = new Map<number, RealFft>();
/** One RealFft per size, shared (transforms run synchronously, so sharing is safe). */
export function fftOf(n: number): RealFft {
  let f = fftCache.get(n);
  if (!f) {
    f = new RealFft(n);
    fftCache.set(n, f);
  }
  return f;
}

/** Number of centred frames for a signal of `length` samples. */
export function frameCount(length: number, hop: number): number {
  return Math.floor(length / hop) + 1;
}

function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * STFT of `signal`.
 * @param nFrames optional frame count; defaults to floor(len/hop) + 1.
 */
export function stft(signal: Float32Array, nFft: number, hop: number, nFrames?: number): Spectrogram {
  const frames = nFrames ?? frameCount(signal.length, hop);
  const nBins = nFft / 2 + 1;
  const win = hannWindow(nFft);
  const fft = fftOf(nFft);
  const re = new Float32Array(frames * nBins);
  const im = new Float32Array(frames * nBins);
  const buf = new Float64Array(nFft);
  const rr = new Float64Array(nBins);
  const ii = new Float64Array(nBins);
  const pad = nFft >> 1;
  const n = signal.length;
  for (let f = 0; f < frames; f++) {
    const start = f * hop - pad;
    for (let i = 0; i < nFft; i++) {
      const idx = start + i;
      let v: number;
      if (idx >= 0 && idx < n) v = signal[idx]!;
      else if (n > 0 && idx < 0 && -idx < n) v = signal[reflectIndex(idx, n)]!;
      else if (n > 0 && idx >= n && idx < 2 * n - 1) v = signal[reflectIndex(idx, n)]!;
      else v = 0;
      buf[i] = v * win[i]!;
    }
    fft.forward(buf, rr, ii);
    const o = f * nBins;
    for (let k = 0; k < nBins; k++) {
      re[o + k] = rr[k]!;
      im[o + k] = ii[k]!;
    }
  }
  return { re, im, nFrames: frames, nBins };
}

/**
 * Inverse STFT by weighted overlap-add (least-squares inverse for the Hann
 * window), returning `length` samples. Exact inverse of stft() wherever the
 * window sum is non-zero, which for hop ≤ nFft/2 is everywhere.
 */
export function istft(spec: Spectrogram, nFft: number, hop: number, length: number): Float32Array {
  const { re, im, nFrames, nBins } = spec;
  const win = hannWindow(nFft);
  const fft = fftOf(nFft);
  const pad = nFft >> 1;
  const total = (nFrames - 1) * hop + nFft;
  const acc = new Float64Array(total);
  const norm = new Float64Array(total);
  const frame = new Float64Array(nFft);
  for (let f = 0; f < nFrames; f++) {
    const o = f * nBins;
    fft.inverse(re.subarray(o, o + nBins), im.subarray(o, o + nBins), frame);
    const start = f * hop;
    for (let i = 0; i < nFft; i++) {
      const w = win[i]!;
      acc[start + i]! += frame[i]! * w;
      norm[start + i]! += w * w;
    }
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const j = i + pad;
    if (j < total) {
      const d = norm[j]!;
      out[i] = d > 1e-10 ? acc[j]! / d : 0;
    }
  }
  return out;
}

/** Magnitudes |X| of a spectrogram, same layout. */
export function magnitude(spec: Spectrogram): Float32Array {
  const out = new Float32Array(spec.re.length);
  for (let i = 0; i < out.length; i++) {
    const r = spec.re[i]!;
    const m = spec.im[i]!;
    out[i] = Math.sqrt(r * r + m * m); // not Math.hypot: ~10× slower in V8, and no overflow risk here
  }
  return out;
}
