import { describe, expect, it } from 'vitest';
import { retuneToKey } from '../../src/dataset/retune.js';
import { centsAboveKey, MAX_RELABEL_CENTS } from '../../src/dataset/pitch-label.js';
import { estimateF0 } from '../../src/dsp/pitch.js';
import { shiftCents } from '../../src/dsp/transpose.js';

const SR = 44100;
const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/** A decaying harmonic tone (4 partials), like a plucked note. */
function note(f0: number, seconds = 1): Float32Array {
  const x = new Float32Array(Math.round(seconds * SR));
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    let v = 0;
    for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    x[i] = 0.4 * v * Math.exp(-2 * t);
  }
  return x;
}

describe('shiftCents: a fine tune by resampling, at the input length', () => {
  it('moves f0 by the asked cents, up and down', () => {
    for (const c of [15, -30, 100]) {
      const y = shiftCents(note(hz(57)), c, SR);
      expect(y.length).toBe(SR);
      const f0 = estimateF0(y, SR).f0!;
      expect(Math.abs(centsAboveKey(f0, 57) - c)).toBeLessThan(2);
    }
  });

  it('pads a raised note with silence and cuts a lowered one', () => {
    const x = note(hz(60), 0.5);
    const up = shiftCents(x, 1200, SR);
    expect(up.length).toBe(x.length);
    expect(Math.max(...up.subarray(x.length / 2 + 10).map(Math.abs))).toBe(0);
    const down = shiftCents(x, -700, SR);
    expect(down.length).toBe(x.length);
    expect(down.every(Number.isFinite)).toBe(true);
  });

  it('rejects a shift that is not a fine tune', () => {
    expect(() => shiftCents(note(440), Number.NaN, SR)).toThrow(/cents must be a number within ±1200, got NaN/);
    expect(() => shiftCents(note(440), 1300, SR)).toThrow(/got 1300/);
  });
});

describe('retuneToKey: training notes that sound at their key', () => {
  it('moves a sharp note onto its key (FluidR3 piano: ~15 cents sharp)', () => {
    const x = note(hz(58.15));
    const measured = centsAboveKey(estimateF0(x, SR).f0!, 58);
    const { audio, shift } = retuneToKey(x, SR, measured);
    expect(shift).toBeCloseTo(-measured, 9);
    expect(Math.abs(centsAboveKey(estimateF0(audio, SR).f0!, 58))).toBeLessThan(2);
  });

  it('leaves alone a note with no f0, no offset, or an offset too large to be a detune', () => {
    const x = note(hz(60));
    for (const c of [null, 0, MAX_RELABEL_CENTS + 1, -80]) {
      const r = retuneToKey(x, SR, c);
      expect(r.shift).toBe(0);
      expect(r.audio).toBe(x);
    }
    expect(retuneToKey(x, SR, -MAX_RELABEL_CENTS).shift).toBe(MAX_RELABEL_CENTS);
  });

  it('rejects a measured offset that is not a number', () => {
    expect(() => retuneToKey(note(440), SR, Number.POSITIVE_INFINITY)).toThrow(/cents must be a finite number or null, got Infinity/);
  });
});
