/** transposeOctavesDown: whole octaves down by resampling, same length, output fade and peak. */
import { describe, expect, it } from 'vitest';
import { OUTPUT_PEAK_DB } from '../../src/constants.js';
import { estimateF0 } from '../../src/dsp/pitch.js';
import { transposeOctavesDown } from '../../src/dsp/transpose.js';
import { sine } from './helpers.js';

const SR = 44100;

describe('transposeOctavesDown', () => {
  for (const k of [1, 2]) {
    it(`${k} octave(s) down: f0 × 2^−${k} within 1 cent, same length, −1 dBFS peak, faded end`, () => {
      const x = sine(SR, 523.25, SR, 0.3);
      const y = transposeOctavesDown(x, k, SR);
      expect(y.length).toBe(x.length);
      const f = estimateF0(y, SR).f0!;
      expect(Math.abs(1200 * Math.log2(f / (523.25 / 2 ** k)))).toBeLessThan(1);
      const pk = y.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(20 * Math.log10(pk)).toBeCloseTo(OUTPUT_PEAK_DB, 2);
      expect(Math.abs(y[y.length - 1]!)).toBeLessThan(1e-3);
      expect(y.every(Number.isFinite)).toBe(true);
    });
  }

  it('rejects a shift that is not 1–4 whole octaves', () => {
    const x = new Float32Array(1000);
    expect(() => transposeOctavesDown(x, 0, SR)).toThrow(/octaves must be an integer 1–4, got 0/);
    expect(() => transposeOctavesDown(x, 1.5, SR)).toThrow(/got 1.5/);
  });
});
