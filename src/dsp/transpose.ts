/**
 * Whole-octave transposition of a finished one-shot, as a sampler's coarse
 * tune does it: play it 2^k times slower. Pure.
 */
import { OUTPUT_FADE_SECONDS, OUTPUT_PEAK_DB } from '../constants.js';
import type { Hz } from '../units.js';
import { fadeOut, normalizePeak } from './envelope.js';
import { resample } from './resample.js';

/**
 * `x` played `octaves` octaves lower (every frequency × 2^−octaves), cut back
 * to its own length (the slowed tail past it is dropped) with the output fade
 * and −1 dBFS peak every generated one-shot gets.
 * @param x       mono audio at `sampleRate`
 * @param octaves whole octaves down, ≥ 1
 */
export function transposeOctavesDown(x: Float32Array, octaves: number, sampleRate: Hz): Float32Array {
  if (!Number.isInteger(octaves) || octaves < 1 || octaves > 4) throw new Error(`transposeOctavesDown: octaves must be an integer 1–4, got ${octaves}`);
  // Upsampling by 2^k and reading the result at the old rate slows it down by 2^k.
  const slow = resample(x, sampleRate, sampleRate * 2 ** octaves);
  const out = slow.slice(0, x.length);
  fadeOut(out, Math.round(OUTPUT_FADE_SECONDS * sampleRate));
  normalizePeak(out, OUTPUT_PEAK_DB);
  return out;
}

/**
 * `x` played `cents` higher (every frequency × 2^(cents/1200)) by resampling,
 * at its own length: a raised copy is shorter and padded with silence, a
 * lowered one is longer and cut. A fine tune, for the small offsets of a
 * detuned sample or a measured pitch error; no fade or normalisation, so the
 * caller's own length and level rules apply after it.
 * @param x     mono audio at `sampleRate`
 * @param cents pitch change in cents (finite, within ±1200)
 */
export function shiftCents(x: Float32Array, cents: number, sampleRate: Hz): Float32Array {
  if (!Number.isFinite(cents) || Math.abs(cents) > 1200) throw new Error(`shiftCents: cents must be a number within ±1200, got ${cents}`);
  if (cents === 0) return x.slice();
  // resample to sr / k gives 1/k the samples; played at sr every frequency is × k.
  const k = 2 ** (cents / 1200);
  const y = resample(x, sampleRate, sampleRate / k);
  if (y.length === x.length) return y;
  const out = new Float32Array(x.length);
  out.set(y.length > x.length ? y.subarray(0, x.length) : y);
  return out;
}
