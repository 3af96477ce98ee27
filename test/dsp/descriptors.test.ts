import { describe as group, expect, it } from 'vitest';
import { decayTime, describe, descriptorVector, punch, spectralShape, yinF0 } from '../../src/dsp/descriptors.js';
import { noise, sine } from './helpers.js';

const SR = 44100;

function sweep(n: number, f0: number, f1: number): Float32Array {
  const x = new Float32Array(n);
  let ph = 0;
  for (let i = 0; i < n; i++) {
    const f = f0 * (f1 / f0) ** (i / n);
    ph += (2 * Math.PI * f) / SR;
    x[i] = 0.5 * Math.sin(ph);
  }
  return x;
}

function decaying(tau: number, n = SR): Float32Array {
  const x = noise(n, 5, 0.8);
  for (let i = 0; i < n; i++) x[i]! *= Math.exp(-i / SR / tau);
  return x;
}

group('descriptors rank synthetic signals', () => {
  it("a rising sweep's centroid rises (first half vs second half)", () => {
    const x = sweep(SR, 200, 8000);
    const a = spectralShape(x.subarray(0, SR / 2), SR).centroid;
    const b = spectralShape(x.subarray(SR / 2), SR).centroid;
    expect(b).toBeGreaterThan(2 * a);
    // The centroid of a sine sits at its frequency.
    expect(spectralShape(sine(SR / 2, 1000, SR, 0.5), SR).centroid).toBeGreaterThan(950);
    expect(spectralShape(sine(SR / 2, 1000, SR, 0.5), SR).centroid).toBeLessThan(1050);
  });

  it('white noise is flatter than a sine', () => {
    const n = spectralShape(noise(SR / 2, 2, 0.5), SR).flatness;
    const s = spectralShape(sine(SR / 2, 440, SR, 0.5), SR).flatness;
    expect(n).toBeGreaterThan(0.3);
    expect(s).toBeLessThan(0.01);
    expect(n).toBeGreaterThan(10 * s);
  });

  it('fast decay → shorter decay time', () => {
    const fast = decayTime(decaying(0.02), SR);
    const slow = decayTime(decaying(0.15), SR);
    expect(fast).toBeLessThan(slow);
    // −40 dB at an exponential decay of time constant τ takes τ·ln(100) ≈ 4.6 τ.
    expect(fast).toBeGreaterThan(0.05);
    expect(fast).toBeLessThan(0.15);
    expect(slow).toBeGreaterThan(0.5);
    expect(slow).toBeLessThan(0.9);
  });

  it('a sharp attack is punchier than a slow swell', () => {
    const n = SR;
    const sharp = decaying(0.05, n);
    const swell = noise(n, 6, 0.5);
    for (let i = 0; i < n; i++) swell[i]! *= Math.min(1, i / (0.4 * SR)) * Math.exp(-i / SR / 0.5);
    const ps = punch(sharp, SR);
    const pw = punch(swell, SR);
    expect(ps).toBeGreaterThan(0.5);
    expect(pw).toBeLessThan(0.1);
  });

  for (const f of [55, 110, 440, 1000]) {
    it(`yinF0 is within ±10 cents on a ${f} Hz sine`, () => {
      const est = yinF0(sine(SR / 2, f, SR, 0.7, 0.3), SR);
      expect(est).not.toBeNull();
      const cents = 1200 * Math.log2(est! / f);
      expect(Math.abs(cents)).toBeLessThan(10);
    });
  }

  it('yinF0 reports null for noise and for a clip too short to measure', () => {
    expect(yinF0(noise(SR / 2, 8, 0.5), SR)).toBeNull();
    expect(yinF0(sine(2000, 440, SR), SR)).toBeNull();
  });

  it('describe() and descriptorVector() are finite on silence and on a drum', () => {
    const silent = describe(new Float32Array(SR / 2), SR);
    expect(silent.brightness).toBe(0);
    expect(silent.decay).toBe(0);
    expect(silent.punch).toBe(0);
    expect(silent.f0).toBeNull();
    for (const v of descriptorVector(silent)) expect(Number.isFinite(v)).toBe(true);
    const d = describe(decaying(0.05), SR, false);
    expect(d.f0).toBeNull();
    expect(d.loudness).toBeLessThan(0);
    const v = descriptorVector(d);
    expect(v[0]).toBeCloseTo(Math.log2(d.brightness), 10);
    expect(v[1]).toBeCloseTo(Math.log2(d.decay), 10);
  });
});
