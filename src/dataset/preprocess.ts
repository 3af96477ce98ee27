import { type RepresentationConfig, signalLength } from '../dsp/config.js';
import { fadeOut, normalizePeak, peak, removeDc, trimLeadingSilence } from '../dsp/envelope.js';
import { resample } from '../dsp/resample.js';
import { toMono } from '../dsp/wav.js';
import type { Hz } from '../units.js';

/** Peak below which a file counts as silent (≈ −80 dBFS). */
export const SILENCE_PEAK = 1e-4;
/** Fade at the end of every fixed-length one-shot (s). */
export const DATASET_FADE_SECONDS = 0.02;

/**
 * The original design's preprocessing: mono, 44.1 kHz, DC removed, leading
 * silence trimmed at the onset (so every one-shot starts on its attack,
 * onsets aligned), fixed length with a fade, peak-normalised to −1 dBFS.
 * Returns null for silence (the caller reports it).
 */
export function preprocessOneShot(channels: Float32Array[], rate: Hz, cfg: RepresentationConfig): Float32Array | null {
  let x = toMono(channels);
  if (rate !== cfg.sampleRate) x = resample(x, rate, cfg.sampleRate);
  else x = x.slice();
  removeDc(x);
  if (peak(x) < SILENCE_PEAK) return null;
  const trimmed = trimLeadingSilence(x, -40, 32);
  if (trimmed.length === 0) return null;
  return finish(trimmed, cfg);
}

/** Fit to the representation's length, fade, normalise: the shared tail of preprocessing and augmentation. */
export function finish(x: Float32Array, cfg: RepresentationConfig): Float32Array {
  const n = signalLength(cfg);
  const out = new Float32Array(n);
  out.set(x.subarray(0, Math.min(n, x.length)));
  fadeOut(out, Math.round(DATASET_FADE_SECONDS * cfg.sampleRate));
  normalizePeak(out, -1);
  return out;
}

/** Stable 32-bit FNV-1a hash of a string (for seeds and content keys). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Content key of a one-shot as 16-bit audio: equal keys = bit-identical sounds at 16 bits. */
export function contentKey(x: Float32Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x1234567;
  for (let i = 0; i < x.length; i++) {
    const s = Math.max(-32768, Math.min(32767, Math.round(x[i]! * 32768))) & 0xffff;
    h1 = Math.imul(h1 ^ s, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s, 0x5bd1e995) >>> 0;
  }
  return `${h1.toString(16)}${h2.toString(16)}`;
}
