/**
 * estimateF0 (src/dsp/pitch.ts): the blind f0 estimate the quality eval and
 * the keyboard's tuning measure notes with. Checked on signals whose pitch is
 * known by construction, including the traps a single YIN window falls into.
 */
import { describe, expect, it } from 'vitest';
import { estimateF0 } from '../../src/dsp/pitch.js';
import { noise, rng } from './helpers.js';

const SR = 44100;
const cents = (f: number, ref: number) => 1200 * Math.log2(f / ref);

/** A decaying harmonic tone: amplitudes[h-1] for harmonic h, optional vibrato (cents, Hz) and attack noise. */
function tone(f0: number, amps: number[], opts: { seconds?: number; decay?: number; vibrato?: [number, number]; attackNoise?: number; seed?: number } = {}): Float32Array {
  const { seconds = 1.2, decay = 0.6, vibrato, attackNoise = 0, seed = 3 } = opts;
  const n = Math.round(seconds * SR);
  const x = new Float32Array(n);
  const r = rng(seed);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SR;
    const f = vibrato ? f0 * 2 ** ((vibrato[0] * Math.sin(2 * Math.PI * vibrato[1] * t)) / 1200) : f0;
    ph += (2 * Math.PI * f) / SR;
    let s = 0;
    amps.forEach((a, h) => (s += a * Math.sin((h + 1) * ph)));
    x[i] = s * Math.exp(-t / decay) + attackNoise * (r() * 2 - 1) * Math.exp(-t / 0.02);
  }
  return x;
}

describe('estimateF0', () => {
  for (const f of [41.2, 65.4, 110, 261.6, 880, 2093]) {
    it(`finds a ${f} Hz harmonic tone within ±3 cents`, () => {
      const e = estimateF0(tone(f, [1, 0.5, 0.33, 0.25]), SR);
      expect(e.f0).not.toBeNull();
      expect(Math.abs(cents(e.f0!, f))).toBeLessThan(3);
      expect(e.voicedShare).toBeGreaterThan(0.9);
    });
  }

  it('hears a missing fundamental (harmonics 2–6 only) at the fundamental, not an octave up', () => {
    const e = estimateF0(tone(98, [0, 1, 0.8, 0.6, 0.5, 0.4]), SR);
    expect(Math.abs(cents(e.f0!, 98))).toBeLessThan(5);
  });

  it('is not pulled an octave up by a dominant second harmonic', () => {
    const e = estimateF0(tone(130.8, [0.15, 1, 0.3, 0.2]), SR);
    expect(Math.abs(cents(e.f0!, 130.8))).toBeLessThan(5);
  });

  it('takes the centre of a ±30-cent vibrato and ignores a noisy attack', () => {
    const e = estimateF0(tone(220, [1, 0.4, 0.2], { vibrato: [30, 5.5], attackNoise: 2 }), SR);
    expect(Math.abs(cents(e.f0!, 220))).toBeLessThan(8);
  });

  it('returns null for noise, for silence and for a clip too short to measure', () => {
    expect(estimateF0(noise(SR, 9, 0.5), SR).f0).toBeNull();
    expect(estimateF0(new Float32Array(SR), SR).f0).toBeNull();
    expect(estimateF0(tone(440, [1], { seconds: 0.05 }), SR)).toEqual({ f0: null, voicedShare: 0, frames: 0 });
  });

  it('honours a narrow search range (the keyboard measures a fifth either side of the asked note)', () => {
    const x = tone(196, [1, 0.5, 0.3]);
    expect(Math.abs(cents(estimateF0(x, SR, { fMin: 196 / 1.5, fMax: 196 * 1.5 }).f0!, 196))).toBeLessThan(3);
  });
});
