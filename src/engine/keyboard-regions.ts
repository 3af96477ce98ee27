/**
 * Note regions for the pitched keyboard. Pure: no tfjs, no audio.
 *
 * The keyboard is split into regions `rootSpacing` semitones wide around
 * roots on a grid anchored at middle C (60, 60 ± spacing, …). The tonal model
 * generates each region's root; a note plays its region's root resampled by
 * the semitone difference. Ties go to the upper root, so a note half-way
 * between two roots is played by slowing the upper one down (downward
 * resampling cannot alias). Roots stay inside the family's playable range
 * (where the model saw real notes of that family); notes outside it play the
 * nearest root in range, transposed further.
 */
import { GM_FAMILIES } from '../constants.js';
import { FAMILY_RANGE } from '../dataset/labels.js';
import type { MidiNote } from '../units.js';

/** The root grid's anchor: middle C. */
export const REGION_ANCHOR: MidiNote = 60;
/** Default distance between generated roots: a root every half octave (semitones). */
export const DEFAULT_ROOT_SPACING = 6;
export const ROOT_SPACING_LIMITS = { min: 1, max: 12 } as const;
/** Range for a class the family table does not know (a custom model's): C2–C7. */
export const FALLBACK_RANGE: readonly [MidiNote, MidiNote] = [36, 96];

export interface RegionLayout {
  spacing: number;
  /** Lowest and highest region index k (root = REGION_ANCHOR + k · spacing) inside the range. */
  kMin: number;
  kMax: number;
}

/** The playable range of a GM family (MIDI notes), or FALLBACK_RANGE for other class names. */
export function familyRange(family: string): readonly [MidiNote, MidiNote] {
  return (GM_FAMILIES as readonly string[]).includes(family) ? FAMILY_RANGE[family as (typeof GM_FAMILIES)[number]] : FALLBACK_RANGE;
}

/** Check a root spacing; throws one line naming the value. */
export function checkRootSpacing(spacing: unknown): number {
  if (typeof spacing !== 'number' || !Number.isInteger(spacing) || spacing < ROOT_SPACING_LIMITS.min || spacing > ROOT_SPACING_LIMITS.max) {
    throw new Error(`rootSpacing must be an integer ${ROOT_SPACING_LIMITS.min}–${ROOT_SPACING_LIMITS.max} semitones, got ${String(spacing)}`);
  }
  return spacing;
}

/** Regions of `spacing` semitones whose roots lie in [lo, hi]; at least one (the in-range note nearest the anchor) when the range is narrower than the spacing. */
export function regionLayout(spacing: number, range: readonly [MidiNote, MidiNote]): RegionLayout {
  checkRootSpacing(spacing);
  const [lo, hi] = range;
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && hi <= 127 && lo <= hi)) throw new Error(`range must be MIDI notes lo ≤ hi in 0–127, got [${lo}, ${hi}]`);
  let kMin = Math.ceil((lo - REGION_ANCHOR) / spacing);
  let kMax = Math.floor((hi - REGION_ANCHOR) / spacing);
  if (kMin > kMax) {
    // No grid root inside: use the grid root nearest the range.
    const k = Math.round((Math.min(Math.max(REGION_ANCHOR, lo), hi) - REGION_ANCHOR) / spacing);
    kMin = kMax = k;
  }
  return { spacing, kMin, kMax };
}

/** Root note of region k. */
export function regionRoot(layout: RegionLayout, k: number): MidiNote {
  return REGION_ANCHOR + k * layout.spacing;
}

/** The region that plays `note`: the nearest root (ties to the upper one), clamped to the layout. */
export function regionOf(layout: RegionLayout, note: MidiNote): number {
  const s = layout.spacing;
  const k = Math.floor((note - REGION_ANCHOR + s / 2) / s);
  return Math.min(layout.kMax, Math.max(layout.kMin, k));
}

/** Regions that play the notes lo … hi, low to high. */
export function regionsForNotes(layout: RegionLayout, lo: MidiNote, hi: MidiNote): number[] {
  const a = regionOf(layout, Math.max(0, Math.min(127, lo)));
  const b = regionOf(layout, Math.max(0, Math.min(127, hi)));
  const out: number[] = [];
  for (let k = a; k <= b; k++) out.push(k);
  return out;
}
