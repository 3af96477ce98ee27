import type { RepresentationConfig } from '../dsp/config.js';
import { onsetIndex } from '../dsp/envelope.js';
import { resample } from '../dsp/resample.js';
import { finish } from './preprocess.js';
import { mulberry32 } from '../dsp/random.js';

/** Seeded PRNG so a rebuild makes the same augmentations. */
export const rng = mulberry32;

/** One augmentation, recorded in the manifest so every training item can be rebuilt. */
export interface Augmentation {
  /** Pitch shift by resampling (semitones; also changes length, like a sampler's tune knob). */
  semitones: number;
  /** Spectral tilt: + brighter, − darker (one-pole shelf mix, −0.6…0.6). */
  tilt: number;
  /** Extra exponential decay time constant after the onset (s), or 0 for none. */
  decayTau: number;
}

/** Draw an augmentation from a seeded PRNG: small shifts that keep the class recognisable. */
export function drawAugmentation(rand: () => number): Augmentation {
  return {
    semitones: Math.round((rand() * 4 - 2) * 10) / 10,
    tilt: Math.round((rand() * 1.2 - 0.6) * 100) / 100,
    decayTau: rand() < 0.4 ? Math.round((0.05 + rand() * 0.4) * 1000) / 1000 : 0,
  };
}

/** Apply an augmentation to a preprocessed one-shot; the result is re-finished (length, fade, −1 dBFS). */
export function applyAugmentation(x: Float32Array, aug: Augmentation, cfg: RepresentationConfig): Float32Array {
  const sr = cfg.sampleRate;
  // Playing back faster raises the pitch: resample from sr·2^(s/12) to sr.
  let y = aug.semitones !== 0 ? resample(x, sr * 2 ** (aug.semitones / 12), sr, 16) : x.slice();
  if (aug.tilt !== 0) {
    // One-pole low-pass at ~1.5 kHz splits low/high; the tilt re-weights the high part.
    const a = Math.exp((-2 * Math.PI * 1500) / sr);
    let lp = 0;
    for (let i = 0; i < y.length; i++) {
      lp = (1 - a) * y[i]! + a * lp;
      const hp = y[i]! - lp;
      y[i] = lp * (1 - aug.tilt * 0.5) + hp * (1 + aug.tilt);
    }
  }
  if (aug.decayTau > 0) {
    const on = Math.max(0, onsetIndex(y, -40));
    for (let i = on; i < y.length; i++) y[i]! *= Math.exp(-(i - on) / (aug.decayTau * sr));
  }
  return finish(y, cfg);
}
