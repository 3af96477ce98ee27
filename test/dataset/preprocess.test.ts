import { describe, expect, it } from 'vitest';
import { applyAugmentation, drawAugmentation, rng } from '../../src/dataset/augment.js';
import { SILENCE_PEAK, contentKey, finish, fnv1a, preprocessOneShot } from '../../src/dataset/preprocess.js';
import { DRUM_REPRESENTATION, signalLength } from '../../src/dsp/config.js';
import { decayTime, spectralShape } from '../../src/dsp/descriptors.js';
import { gainToDb, onsetIndex, peak } from '../../src/dsp/envelope.js';
import { synthDrum } from '../dsp/helpers.js';

const cfg = DRUM_REPRESENTATION;
const N = signalLength(cfg);

describe('preprocessOneShot', () => {
  it('mono, resampled, onset-aligned, fixed length, faded, −1 dBFS', () => {
    const l = synthDrum(30000, 22050, { offset: 2000, seed: 1 });
    const r = synthDrum(30000, 22050, { offset: 2000, seed: 2 });
    const out = preprocessOneShot([l, r], 22050, cfg)!;
    expect(out.length).toBe(N);
    expect(gainToDb(peak(out))).toBeCloseTo(-1, 4);
    expect(out[N - 1]).toBe(0);
    const on = onsetIndex(out, -40);
    expect(on).toBeGreaterThanOrEqual(28);
    expect(on).toBeLessThanOrEqual(34);
  });

  it('returns null for silence and for near-silence below the threshold; DC alone is silence', () => {
    expect(preprocessOneShot([new Float32Array(5000)], 44100, cfg)).toBeNull();
    const quiet = synthDrum(5000, 44100);
    for (let i = 0; i < quiet.length; i++) quiet[i]! *= SILENCE_PEAK / 2;
    expect(preprocessOneShot([quiet], 44100, cfg)).toBeNull();
    expect(preprocessOneShot([new Float32Array(5000).fill(0.5)], 44100, cfg)).toBeNull();
  });

  it('does not modify its input', () => {
    const x = synthDrum(5000, 44100, { offset: 100 });
    const copy = x.slice();
    preprocessOneShot([x], 44100, cfg);
    expect(Array.from(x)).toEqual(Array.from(copy));
  });
});

describe('augmentation', () => {
  const x = preprocessOneShot([synthDrum(N, 44100, { freq: 200, seed: 4 })], 44100, cfg)!;
  // Band-limited (no energy near Nyquist, which any resampler's anti-alias filter trims):
  // a decaying 300 Hz + 3 kHz pair, so a pitch shift moves the centroid cleanly.
  const tonal = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const t = i / 44100;
    tonal[i] = (0.5 * Math.sin(2 * Math.PI * 300 * t) + 0.3 * Math.sin(2 * Math.PI * 3000 * t)) * Math.exp(-t / 0.2);
  }

  it('draws are deterministic per seed and within the documented ranges', () => {
    const a = Array.from({ length: 50 }, ((r) => () => drawAugmentation(r))(rng(fnv1a('h2:Kit/x.wav'))));
    const b = Array.from({ length: 50 }, ((r) => () => drawAugmentation(r))(rng(fnv1a('h2:Kit/x.wav'))));
    expect(a).toEqual(b);
    for (const g of a) {
      expect(Math.abs(g.semitones)).toBeLessThanOrEqual(2);
      expect(Math.abs(g.tilt)).toBeLessThanOrEqual(0.6);
      expect(g.decayTau === 0 || (g.decayTau >= 0.05 && g.decayTau <= 0.45)).toBe(true);
    }
    expect(a.some((g) => g.decayTau === 0)).toBe(true);
    expect(a.some((g) => g.decayTau > 0)).toBe(true);
  });

  it('outputs are finished (length, −1 dBFS) and move descriptors the right way', () => {
    const base = spectralShape(x, 44100).centroid;
    const up = applyAugmentation(tonal, { semitones: 2, tilt: 0, decayTau: 0 }, cfg);
    const down = applyAugmentation(tonal, { semitones: -2, tilt: 0, decayTau: 0 }, cfg);
    const short = applyAugmentation(x, { semitones: 0, tilt: 0, decayTau: 0.05 }, cfg);
    const bright = applyAugmentation(x, { semitones: 0, tilt: 0.6, decayTau: 0 }, cfg);
    const dark = applyAugmentation(x, { semitones: 0, tilt: -0.6, decayTau: 0 }, cfg);
    for (const y of [up, down, short, bright, dark]) {
      expect(y.length).toBe(N);
      expect(gainToDb(peak(y))).toBeCloseTo(-1, 4);
    }
    const tc = spectralShape(tonal, 44100).centroid;
    expect(spectralShape(up, 44100).centroid / tc).toBeCloseTo(2 ** (2 / 12), 1);
    expect(spectralShape(down, 44100).centroid / tc).toBeCloseTo(2 ** (-2 / 12), 1);
    expect(decayTime(short, 44100)).toBeLessThan(decayTime(x, 44100));
    expect(spectralShape(bright, 44100).centroid).toBeGreaterThan(base);
    expect(spectralShape(dark, 44100).centroid).toBeLessThan(base);
    // Identity augmentation is the identity (already finished), except that the
    // 20 ms end fade is applied a second time.
    const same = applyAugmentation(x, { semitones: 0, tilt: 0, decayTau: 0 }, cfg);
    const fade = Math.round(0.02 * 44100);
    expect(Math.max(...same.subarray(0, N - fade).map((v, i) => Math.abs(v - x[i]!)))).toBeLessThan(1e-6);
  });

  it('finish() pads short input', () => {
    const y = finish(Float32Array.from([0.1, -0.2]), cfg);
    expect(y.length).toBe(N);
    expect(y[1]).toBeCloseTo(-Math.pow(10, -1 / 20), 5);
  });
});

describe('content keys', () => {
  it('equal at 16 bits ⇒ equal key; a one-LSB change ⇒ different key', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => Math.round(Math.sin(i) * 16384) / 32768);
    const b = a.map((v) => v + 0.2 / 32768); // rounds to the same 16-bit values
    expect(contentKey(a)).toBe(contentKey(b));
    const c = a.slice();
    c[50]! += 1 / 32768;
    expect(contentKey(c)).not.toBe(contentKey(a));
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});
