/**
 * Training notes tuned to their key.
 *
 * A model conditioned on "pitch = MIDI key" learns each family's tuning from
 * its data, and FluidR3 is not in tune everywhere: its grand pianos sound
 * about 15 cents sharp and some strings and reeds are 10–30 cents off (see
 * pitch-label.ts). Relabelling those notes with the pitch they sound at
 * (`--pitch-labels measured`) left the model to interpolate fractional keys
 * and measured worse on notes asked for by name. Moving the audio instead
 * (resample each note by its measured offset, so it sounds at its key) keeps
 * the condition an exact key and gives the model one tuning for every
 * instrument: the one a player asks for.
 *
 * The same trust rule as the labels: an offset is only corrected up to
 * MAX_RELABEL_CENTS (beyond it the estimate is more likely an inharmonic
 * sound or an estimator slip), and a note with no f0 keeps its audio.
 */
import type { Hz } from '../units.js';
import { shiftCents } from '../dsp/transpose.js';
import { MAX_RELABEL_CENTS } from './pitch-label.js';

export interface Retuned {
  /** The note at its key (a copy; the input when nothing was moved). */
  audio: Float32Array;
  /** Cents the note was moved by (−measured offset), 0 when it was left alone. */
  shift: number;
}

/**
 * @param x        one note, mono at `sampleRate`
 * @param cents    its measured offset above its key (octaves folded), null when no f0 was found
 * @param maxCents largest |offset| taken as the note's detune
 */
export function retuneToKey(x: Float32Array, sampleRate: Hz, cents: number | null, maxCents = MAX_RELABEL_CENTS): Retuned {
  if (cents !== null && !Number.isFinite(cents)) throw new Error(`retuneToKey: cents must be a finite number or null, got ${cents}`);
  if (cents === null || cents === 0 || Math.abs(cents) > maxCents) return { audio: x, shift: 0 };
  return { audio: shiftCents(x, -cents, sampleRate), shift: -cents };
}
