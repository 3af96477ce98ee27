import { describe, expect, it } from 'vitest';
import {
  dbToGain,
  fadeOut,
  gainToDb,
  loudness,
  normalizeLoudness,
  normalizePeak,
  onsetIndex,
  peak,
  removeDc,
  trimLeadingSilence,
} from '../../src/dsp/envelope.js';
import { resample } from '../../src/dsp/resample.js';
import { magnitude, stft } from '../../src/dsp/stft.js';
import { noise, rms, sine, synthDrum } from './helpers.js';

describe('envelope', () => {
  it('dB ↔ gain', () => {
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
    expect(gainToDb(0.1)).toBeCloseTo(-20, 10);
    expect(gainToDb(0)).toBe(-Infinity);
  });

  it('trimLeadingSilence puts the onset at the pre-roll and fades the pre-roll in', () => {
    const sr = 44100;
    const a = synthDrum(20000, sr, { offset: 3000 });
    const b = synthDrum(20000, sr, { offset: 7777 });
    const ta = trimLeadingSilence(a, -40, 32);
    const tb = trimLeadingSilence(b, -40, 32);
    expect(onsetIndex(ta)).toBe(32);
    expect(onsetIndex(tb)).toBe(32);
    expect(ta.length).toBe(20000 - (onsetIndex(a) - 32));
    // Aligned: from the onset on, both are the same drum.
    for (let i = 32; i < 2000; i++) expect(ta[i]).toBeCloseTo(tb[i]!, 6);
    expect(ta[0]).toBe(0);
    expect(trimLeadingSilence(new Float32Array(100)).length).toBe(0);
  });

  it('trimLeadingSilence keeps what it can when the onset is within the pre-roll', () => {
    const x = synthDrum(1000, 44100, { offset: 10 });
    const t = trimLeadingSilence(x, -40, 32);
    expect(t.length).toBe(1000);
  });

  it('fadeOut ends at exactly 0 and leaves the head alone', () => {
    const x = new Float32Array(1000).fill(0.5);
    fadeOut(x, 200);
    expect(x[999]).toBe(0);
    expect(x[799]).toBe(0.5);
    expect(x[800]!).toBeLessThan(0.5);
    for (let i = 801; i < 1000; i++) expect(x[i]!).toBeLessThanOrEqual(x[i - 1]!);
    // Longer than the signal: fades the whole thing.
    const y = new Float32Array(10).fill(1);
    fadeOut(y, 50);
    expect(y[9]).toBe(0);
  });

  it('normalizePeak hits −1 dBFS and leaves silence alone', () => {
    const x = noise(5000, 3, 0.2);
    normalizePeak(x, -1);
    expect(gainToDb(peak(x))).toBeCloseTo(-1, 5);
    const z = new Float32Array(10);
    expect(normalizePeak(z, -1)).toBe(1);
    expect(peak(z)).toBe(0);
  });

  it('removeDc removes the mean', () => {
    const x = sine(4410, 100, 44100, 0.5);
    for (let i = 0; i < x.length; i++) x[i]! += 0.3;
    removeDc(x);
    expect(Math.abs(x.reduce((a, b) => a + b, 0) / x.length)).toBeLessThan(1e-6);
    expect(removeDc(new Float32Array(0)).length).toBe(0);
  });

  it('loudness reads the loudest 50 ms; normalizeLoudness reaches the target', () => {
    const x = new Float32Array(44100);
    x.set(sine(2205, 1000, 44100, 0.5), 10000);
    expect(loudness(x, 44100)).toBeCloseTo(gainToDb(0.5 / Math.SQRT2), 1);
    normalizeLoudness(x, 44100, -20);
    expect(loudness(x, 44100)).toBeCloseTo(-20, 5);
    expect(loudness(new Float32Array(100), 44100)).toBe(-Infinity);
  });
});

/** Peak frequency of x (Hz) via a 4096-point STFT frame in the middle, parabolic-interpolated. */
function peakHz(x: Float32Array, sr: number): number {
  const nFft = 4096;
  const spec = stft(x, nFft, nFft, undefined);
  const mag = magnitude(spec);
  const f = Math.floor(spec.nFrames / 2);
  const o = f * spec.nBins;
  let k = 1;
  for (let j = 1; j < spec.nBins - 1; j++) if (mag[o + j]! > mag[o + k]!) k = j;
  const a = Math.log(mag[o + k - 1]!);
  const b = Math.log(mag[o + k]!);
  const c = Math.log(mag[o + k + 1]!);
  const d = (0.5 * (a - c)) / (a - 2 * b + c);
  return ((k + d) * sr) / nFft;
}

describe('resample', () => {
  it('preserves a sine’s frequency (up and down, common rate pairs)', () => {
    for (const [from, to, f] of [
      [48000, 44100, 1000],
      [22050, 44100, 3000],
      [96000, 44100, 440],
      [44100, 32000, 5000],
    ] as const) {
      const x = sine(from / 2, f, from, 0.5);
      const y = resample(x, from, to);
      expect(y.length).toBe(Math.round(x.length * (to / from)));
      expect(Math.abs(peakHz(y, to) - f)).toBeLessThan(1);
      // Amplitude preserved in the passband (away from the edges).
      expect(rms(y, 2000, y.length - 2000)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    }
  });

  it('does not alias when downsampling: energy above the new Nyquist is attenuated', () => {
    // 48 kHz → 16 kHz: a 13 kHz tone (above the new 8 kHz Nyquist) would alias to 3 kHz.
    const from = 48000;
    const to = 16000;
    const x = sine(from / 2, 13000, from, 0.5);
    const y = resample(x, from, to);
    const rmsOut = rms(y, 500, y.length - 500);
    expect(gainToDb(rmsOut / (0.5 / Math.SQRT2))).toBeLessThan(-60);
    // Just above the new Nyquist (1.1×, 8.8 kHz → would alias to 7.2 kHz): still well down.
    const near = resample(sine(from / 2, 8800, from, 0.5), from, to);
    expect(gainToDb(rms(near, 500, near.length - 500) / (0.5 / Math.SQRT2))).toBeLessThan(-40);
    // An in-band tone next to it passes.
    const z = resample(sine(from / 2, 6000, from, 0.5), from, to);
    expect(gainToDb(rms(z, 500, z.length - 500) / (0.5 / Math.SQRT2))).toBeGreaterThan(-1);
  });

  it('same rate copies; bad rates throw', () => {
    const x = noise(100, 1);
    const y = resample(x, 44100, 44100);
    expect(y).not.toBe(x);
    expect(Array.from(y)).toEqual(Array.from(x));
    expect(() => resample(x, 0, 44100)).toThrow(/bad rates/);
  });
});
