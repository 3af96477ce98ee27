/**
 * Pitch labels from what a note sounds like, not from the key it was played on.
 *
 * FluidR3's pianos sound about 15 cents sharp (programs 0 and 1: median +14
 * and +16 cents, a third of their notes beyond +20), some strings and reeds
 * are off by 10–30 cents, and a model trained on "pitch = MIDI key" learns to
 * play those families that far off. Labelling each note with the pitch it
 * sounds at (key + measured cents, folded to the nearest octave) teaches the
 * pitch condition what a note *is*, so asking for A#3 gives an A#3.
 *
 * Only small offsets are trusted: beyond MAX_RELABEL_CENTS the estimate is more
 * likely an inharmonic or unpitched sound (bells, FX) or an estimator slip than
 * a detuned sample, and the note keeps its key.
 */
import { midiToHz } from '../dsp/vocoder.js';
import type { Hz, MidiNote } from '../units.js';

/** Largest |offset| (cents, after folding octaves) taken as the note's detune. */
export const MAX_RELABEL_CENTS = 50;

/** Version of the <shard>.pitch.json files `npm run dataset:pitch` writes; bump when the estimator or the rule changes (training/data.py checks it). */
export const PITCH_LABELS_VERSION = 1;

export interface PitchLabel {
  /** The key the note was rendered on. */
  key: MidiNote;
  /** Measured offset from the key in cents, octave errors folded away; null when no f0 was found. */
  cents: number | null;
  /** The pitch condition to train on (fractional MIDI): key + cents / 100 when trusted, else key. */
  label: number;
}

/** Cents of f0 above the equal-tempered key (A4 = 440 Hz). */
export function centsAboveKey(f0: Hz, key: MidiNote): number {
  return 1200 * Math.log2(f0 / midiToHz(key));
}

/** The training label of one note, from its key and its estimated f0 (null: none found). */
export function pitchLabel(key: MidiNote, f0: Hz | null, maxCents = MAX_RELABEL_CENTS): PitchLabel {
  if (!Number.isFinite(key)) throw new Error(`pitchLabel: key ${key} is not a number`);
  if (f0 === null || !(f0 > 0) || !Number.isFinite(f0)) return { key, cents: null, label: key };
  const raw = centsAboveKey(f0, key);
  const cents = raw - 1200 * Math.round(raw / 1200);
  return { key, cents, label: Math.abs(cents) <= maxCents ? key + cents / 100 : key };
}
