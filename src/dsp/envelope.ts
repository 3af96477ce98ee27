import type { Decibels, Gain, Hz, Samples, Seconds } from '../units.js';

/** dBFS → linear gain. */
export function dbToGain(db: Decibels): Gain {
  return 10 ** (db / 20);
}

/** Linear gain → dB (−Infinity for 0). */
export function gainToDb(g: Gain): Decibels {
  return 20 * Math.log10(g);
}

/** Peak absolute sample value. */
export function peak(x: Float32Array): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > p) p = a;
  }
  return p;
}

/** Remove the mean (DC offset) in place; returns x. */
export function removeDc(x: Float32Array): Float32Array {
  if (x.length === 0) return x;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  const m = s / x.length;
  for (let i = 0; i < x.length; i++) x[i]! -= m;
  return x;
}

/** Scale in place so the peak is `targetDb` dBFS. Silence stays silence. Returns the gain applied. */
export function normalizePeak(x: Float32Array, targetDb: Decibels = -1): Gain {
  const p = peak(x);
  if (p < 1e-9) return 1;
  const g = dbToGain(targetDb) / p;
  for (let i = 0; i < x.length; i++) x[i]! *= g;
  return g;
}

/**
 * Loudness of a one-shot in dB: RMS over its loudest 50 ms window (one-shots
 * are transient, so a whole-file average would mostly measure the tail).
 */
export function loudness(x: Float32Array, sampleRate: Hz, window: Seconds = 0.05): Decibels {
  const w = Math.max(1, Math.round(window * sampleRate));
  if (x.length === 0) return -Infinity;
  let acc = 0;
  for (let i = 0; i < Math.min(w, x.length); i++) acc += x[i]! * x[i]!;
  let best = acc;
  for (let i = w; i < x.length; i++) {
    acc += x[i]! * x[i]! - x[i - w]! * x[i - w]!;
    if (acc > best) best = acc;
  }
  const rms = Math.sqrt(Math.max(best, 0) / Math.min(w, x.length));
  return rms > 0 ? gainToDb(rms) : -Infinity;
}

/** Scale in place to a target loudness (see loudness()); returns the gain applied. */
export function normalizeLoudness(x: Float32Array, sampleRate: Hz, targetDb: Decibels = -14): Gain {
  const l = loudness(x, sampleRate);
  if (!Number.isFinite(l)) return 1;
  const g = dbToGain(targetDb - l);
  for (let i = 0; i < x.length; i++) x[i]! *= g;
  return g;
}

/** Raised-cosine fade-out over the last `length` samples, in place. */
export function fadeOut(x: Float32Array, length: Samples): Float32Array {
  const n = Math.min(length, x.length);
  const start = x.length - n;
  for (let i = 0; i < n; i++) x[start + i]! *= 0.5 + 0.5 * Math.cos((Math.PI * (i + 1)) / n);
  return x;
}

/**
 * Onset sample: the first sample whose short-window envelope rises above
 * `thresholdDb` relative to the signal's peak. Returns −1 for silence.
 */
export function onsetIndex(x: Float32Array, thresholdDb: Decibels = -40): Samples {
  const p = peak(x);
  if (p < 1e-6) return -1;
  const thr = p * dbToGain(thresholdDb);
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]!) >= thr) return i;
  return -1;
}

/**
 * Onset-aligned trim of leading silence: cut everything before the onset
 * minus `preRoll` samples (keeping a little pre-roll preserves the attack's
 * rise), and fade the pre-roll in so the cut never clicks. Returns a new array.
 */
export function trimLeadingSilence(x: Float32Array, thresholdDb: Decibels = -40, preRoll: Samples = 32): Float32Array {
  const on = onsetIndex(x, thresholdDb);
  if (on < 0) return new Float32Array(0);
  const start = Math.max(0, on - preRoll);
  const out = x.slice(start);
  const ramp = on - start;
  for (let i = 0; i < ramp; i++) out[i]! *= i / ramp;
  return out;
}
