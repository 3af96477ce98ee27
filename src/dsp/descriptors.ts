import type { Decibels, Hz, Seconds } from '../units.js';
import { loudness, onsetIndex } from './envelope.js';
import { magnitude, stft } from './stft.js';

/**
 * Perceptual descriptors of a one-shot, the timbre knobs' ground truth.
 * The model is conditioned on (log2 brightness, log2 decay, punch, noisiness).
 */
export interface Descriptors {
  /** Energy-weighted spectral centroid (Hz). Higher = brighter. */
  brightness: Hz;
  /** Time from the envelope peak until it falls 40 dB below it, capped at the clip end (s). */
  decay: Seconds;
  /** Share of the energy in the first 50 ms after the onset, in [0, 1]. Higher = punchier. */
  punch: number;
  /** Energy-weighted spectral flatness (geometric / arithmetic mean power), in [0, 1]. Higher = noisier. */
  noisiness: number;
  /** Fundamental frequency from YIN where the sound is periodic, else null (Hz). */
  f0: Hz | null;
  /** RMS of the loudest 50 ms (dBFS). */
  loudness: Decibels;
}

const N_FFT = 2048;
const HOP = 512;

/** Spectral centroid and flatness, energy-weighted over frames. */
export function spectralShape(x: Float32Array, sampleRate: Hz): { centroid: Hz; flatness: number } {
  const spec = stft(x, N_FFT, HOP);
  const mag = magnitude(spec);
  const nb = spec.nBins;
  let wSum = 0;
  let cSum = 0;
  let fSum = 0;
  for (let f = 0; f < spec.nFrames; f++) {
    let e = 0;
    let ce = 0;
    let logSum = 0;
    for (let k = 1; k < nb; k++) {
      const p = mag[f * nb + k]! ** 2;
      e += p;
      ce += p * ((k * sampleRate) / N_FFT);
      logSum += Math.log(p + 1e-12);
    }
    if (e <= 1e-10) continue;
    const centroid = ce / e;
    const flat = Math.exp(logSum / (nb - 1)) / (e / (nb - 1));
    wSum += e;
    cSum += e * centroid;
    fSum += e * flat;
  }
  if (wSum === 0) return { centroid: 0, flatness: 0 };
  return { centroid: cSum / wSum, flatness: Math.min(1, fSum / wSum) };
}

/** RMS envelope in windows of `win` samples (non-overlapping). */
function rmsEnvelope(x: Float32Array, win: number): Float32Array {
  const n = Math.ceil(x.length / win);
  const env = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    const end = Math.min(x.length, (j + 1) * win);
    for (let i = j * win; i < end; i++) s += x[i]! * x[i]!;
    env[j] = Math.sqrt(s / Math.max(1, end - j * win));
  }
  return env;
}

/** Decay time: envelope peak → 40 dB below it (5 ms resolution), capped at the clip's end. */
export function decayTime(x: Float32Array, sampleRate: Hz, dropDb: Decibels = 40): Seconds {
  const win = Math.max(1, Math.round(0.005 * sampleRate));
  const env = rmsEnvelope(x, win);
  let pk = 0;
  let pi = 0;
  for (let j = 0; j < env.length; j++) if (env[j]! > pk) { pk = env[j]!; pi = j; }
  if (pk <= 0) return 0;
  const thr = pk * 10 ** (-dropDb / 20);
  // The last window above the threshold, so a re-trigger or a flam still counts as sound.
  let last = pi;
  for (let j = env.length - 1; j > pi; j--) if (env[j]! >= thr) { last = j; break; }
  return ((last - pi + 1) * win) / sampleRate;
}

/** Punch: energy share of the first 50 ms after the onset. */
export function punch(x: Float32Array, sampleRate: Hz): number {
  const on = onsetIndex(x, -40);
  if (on < 0) return 0;
  const end = Math.min(x.length, on + Math.round(0.05 * sampleRate));
  let early = 0;
  let total = 0;
  for (let i = on; i < x.length; i++) {
    const e = x[i]! * x[i]!;
    total += e;
    if (i < end) early += e;
  }
  return total > 0 ? early / total : 0;
}

/**
 * YIN f0 estimate (de Cheveigné & Kawahara 2002) over a steady window that
 * starts 50 ms after the onset (skipping the attack transient). Returns null
 * when the best normalised difference exceeds `threshold` (not periodic).
 */
export function yinF0(x: Float32Array, sampleRate: Hz, fMin: Hz = 25, fMax: Hz = 4200, threshold = 0.2): Hz | null {
  const on = Math.max(0, onsetIndex(x, -30));
  const start = on + Math.round(0.05 * sampleRate);
  const tauMax = Math.floor(sampleRate / fMin);
  const tauMin = Math.max(2, Math.floor(sampleRate / fMax));
  const w = Math.min(4096, x.length - start - tauMax - 1);
  if (w < 1024) return null;
  const d = new Float64Array(tauMax + 1);
  for (let tau = 1; tau <= tauMax; tau++) {
    let s = 0;
    for (let i = 0; i < w; i++) {
      const diff = x[start + i]! - x[start + i + tau]!;
      s += diff * diff;
    }
    d[tau] = s;
  }
  // Cumulative mean normalised difference.
  const cm = new Float64Array(tauMax + 1);
  cm[0] = 1;
  let run = 0;
  for (let tau = 1; tau <= tauMax; tau++) {
    run += d[tau]!;
    cm[tau] = run > 0 ? (d[tau]! * tau) / run : 1;
  }
  let best = -1;
  for (let tau = tauMin; tau < tauMax; tau++) {
    if (cm[tau]! < threshold) {
      while (tau + 1 < tauMax && cm[tau + 1]! < cm[tau]!) tau++;
      best = tau;
      break;
    }
  }
  if (best < 0) return null;
  // Parabolic interpolation around the dip for sub-sample lag.
  const a = cm[best - 1]!;
  const b = cm[best]!;
  const c = cm[best + 1] ?? b;
  const den = a - 2 * b + c;
  const shift = den !== 0 ? (0.5 * (a - c)) / den : 0;
  return sampleRate / (best + Math.max(-1, Math.min(1, shift)));
}

/** All descriptors of a one-shot. */
export function describe(x: Float32Array, sampleRate: Hz, withF0 = true): Descriptors {
  const { centroid, flatness } = spectralShape(x, sampleRate);
  return {
    brightness: centroid,
    decay: decayTime(x, sampleRate),
    punch: punch(x, sampleRate),
    noisiness: flatness,
    f0: withF0 ? yinF0(x, sampleRate) : null,
    loudness: loudness(x, sampleRate),
  };
}

/**
 * The descriptor vector the model is conditioned on, in DESCRIPTORS order:
 * [log2 brightness (Hz), log2 decay (s), punch, noisiness]. Logs make the
 * knobs perceptually even (an octave brighter is one unit).
 */
export function descriptorVector(d: Descriptors): [number, number, number, number] {
  return [Math.log2(Math.max(d.brightness, 20)), Math.log2(Math.max(d.decay, 0.005)), d.punch, d.noisiness];
}
