import { describe, expect, it } from 'vitest';
import { MAX_RELABEL_CENTS, centsAboveKey, pitchLabel } from '../../src/dataset/pitch-label.js';

const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

describe('pitchLabel: train the pitch condition on what a note sounds like', () => {
  it('labels a sharp note with the pitch it sounds at', () => {
    // A#3 (58) played 15 cents sharp, as FluidR3's grand piano does.
    const l = pitchLabel(58, hz(58.15));
    expect(l.cents).toBeCloseTo(15, 6);
    expect(l.label).toBeCloseTo(58.15, 6);
    expect(l.key).toBe(58);
  });

  it('folds octave errors of the estimator away', () => {
    const l = pitchLabel(48, hz(60 - 0.1)); // an octave up and 10 cents flat
    expect(l.cents).toBeCloseTo(-10, 6);
    expect(l.label).toBeCloseTo(47.9, 6);
  });

  it('keeps the key when the offset is too large to be a detune (a bell, an FX, an estimator slip)', () => {
    const l = pitchLabel(60, hz(60.8));
    expect(l.cents).toBeCloseTo(80, 6);
    expect(l.label).toBe(60);
    expect(pitchLabel(60, hz(60 + MAX_RELABEL_CENTS / 100 - 0.001)).label).toBeCloseTo(60.499, 6);
  });

  it('keeps the key when no f0 was found or it is not a frequency', () => {
    for (const f of [null, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(pitchLabel(64, f)).toEqual({ key: 64, cents: null, label: 64 });
    }
  });

  it('rejects a key that is not a number', () => {
    expect(() => pitchLabel(Number.NaN, 440)).toThrow('pitchLabel: key NaN is not a number');
  });

  it('measures cents above equal temperament at A4 = 440 Hz', () => {
    expect(centsAboveKey(440, 69)).toBe(0);
    expect(centsAboveKey(880, 69)).toBeCloseTo(1200, 9);
    expect(centsAboveKey(hz(57), 57)).toBeCloseTo(0, 9);
  });
});
