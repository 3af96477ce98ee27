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
