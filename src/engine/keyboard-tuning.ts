/**
 * Tuning of generated roots. The tonal model's notes land near the requested
 * pitch but not on it (reports/eval.md: median 5.3 cents off, some tens); a
 * keyboard built from them would play out of tune with itself. Measuring each
 * root's f0 once when it arrives and folding the error into the note's
 * transposition puts every note on pitch. Pure (runs on the main thread).
 */
import { estimateF0 } from '../dsp/pitch.js';
import type { Cents, Hz, MidiNote } from '../units.js';

/** Only errors this small are corrected: bigger ones are a wrong note or octave, or no pitch at all, and are left alone (cents). */
export const MAX_DETUNE_CORRECTION: Cents = 50;

export function midiToHz(note: number): Hz {
  return 440 * Math.pow(2, (note - 69) / 12);
}

/**
 * How far a generated root is from the pitch it was asked for (cents, + =
 * sharp), or null when it has no clear pitch or is more than
 * MAX_DETUNE_CORRECTION away.
 */
export function measureDetune(audio: Float32Array, sampleRate: Hz, pitch: MidiNote): Cents | null {
  const f = midiToHz(pitch);
  // Search a fifth either side only: cheaper than YIN's default 25 Hz–4.2 kHz, and it cannot lock onto another octave.
  const f0 = estimateF0(audio, sampleRate, { fMin: f / 1.5, fMax: Math.min(f * 1.5, sampleRate / 4) }).f0;
  if (f0 === null) return null;
  const c = 1200 * Math.log2(f0 / f);
  return Math.abs(c) <= MAX_DETUNE_CORRECTION ? c : null;
}
