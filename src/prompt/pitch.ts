/**
 * Pitch helpers for prompts: note names, frequencies, registers. Pure.
 * Scientific pitch notation, C4 = MIDI 60 (as the generate CLI's --pitch).
 */
import type { GmFamily } from '../constants.js';
import { FAMILY_RANGE } from '../dataset/labels.js';
import type { MidiNote } from '../units.js';

const NOTE_INDEX: Record<string, number> = { c: 0, d: 2, e: 4, f: 5, g: 7, a: 9, b: 11 };
const SHARP_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** "C2", "a#3", "Bb1", "C-1" → MIDI (may lie outside 0–127); null when not a note with octave. */
export function noteWithOctave(word: string): number | null {
  const m = /^([a-g])([#b]?)(-?\d{1,2})$/i.exec(word);
  if (!m) return null;
  return (Number(m[3]) + 1) * 12 + pitchClassOf(m[1]!, m[2]!);
}

/** "F#", "bb", "c" → pitch class 0–11; null otherwise. */
export function pitchClass(word: string): number | null {
  const m = /^([a-g])([#b]?)$/i.exec(word);
  return m ? (pitchClassOf(m[1]!, m[2]!) + 12) % 12 : null;
}

function pitchClassOf(letter: string, accidental: string): number {
  return NOTE_INDEX[letter.toLowerCase()]! + (accidental === '#' ? 1 : accidental === 'b' ? -1 : 0);
}

/** Note name with sharps, e.g. 36 → "C2", 58 → "A#3". */
export function noteName(midi: MidiNote): string {
  return `${SHARP_NAMES[((midi % 12) + 12) % 12]}${Math.floor(midi / 12) - 1}`;
}

/** Nearest MIDI note of a frequency (A4 = 440 Hz). */
export function hzToMidi(hz: number): number {
  return Math.round(69 + 12 * Math.log2(hz / 440));
}

/** Range used for registers when the family is unknown. */
export const DEFAULT_RANGE: readonly [MidiNote, MidiNote] = [36, 84];

/** The MIDI range a family was rendered over in the dataset (src/dataset/labels.ts). */
export function familyRange(family: GmFamily | undefined): readonly [MidiNote, MidiNote] {
  return family ? FAMILY_RANGE[family] : DEFAULT_RANGE;
}

/**
 * Pitch for a register amount (−1 low, 0 mid, +1 high; clamped to ±1.5) in a
 * family's range: centre + amount × 0.6 × half-range, snapped to the nearest C
 * inside the range (ties go down) when there is one.
 */
export function registerPitch(family: GmFamily | undefined, amount: number): MidiNote {
  const [lo, hi] = familyRange(family);
  const a = Math.max(-1.5, Math.min(1.5, amount));
  const raw = (lo + hi) / 2 + a * 0.6 * ((hi - lo) / 2);
  const below = Math.floor(raw / 12) * 12;
  const candidates = [below, below + 12].filter((c) => c >= lo && c <= hi);
  if (candidates.length === 0) return Math.round(raw);
  return candidates.reduce((best, c) => (Math.abs(c - raw) < Math.abs(best - raw) ? c : best));
}

/** The note of pitch class `pc` nearest to `target` (ties go down). */
export function nearestOfClass(pc: number, target: MidiNote): MidiNote {
  const base = target - ((((target - pc) % 12) + 12) % 12);
  return target - base <= base + 12 - target ? base : base + 12;
}
