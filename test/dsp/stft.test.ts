import { describe, expect, it } from 'vitest';
import { RealFft } from '../../src/dsp/fft.js';
import { frameCount, hannWindow, istft, magnitude, stft } from '../../src/dsp/stft.js';
import { maxAbsDiff, noise, sine } from './helpers.js';

describe('RealFft', () => {
  it('matches a direct DFT and inverts exactly', () => {
    const n = 64;
    const x = noise(n, 3);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    const fft = new RealFft(n);
    fft.forward(x, re, im);
    for (const k of [0, 1, 5, 17, 32]) {
      let r = 0;
      let i = 0;
      for (let t = 0; t < n; t++) {
        r += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
        i -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
      }
      expect(re[k]).toBeCloseTo(r, 9);
      expect(im[k]).toBeCloseTo(i, 9);
    }
    const back = new Float64Array(n);
    fft.inverse(re, im, back);
    expect(maxAbsDiff(back, x)).toBeLessThan(1e-12);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(100)).toThrow(/power of two/);
  });
});

describe('STFT / ISTFT', () => {
  it('periodic Hann window sums to n/2', () => {
    const w = hannWindow(1024);
    expect(w[0]).toBe(0);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(512, 3);
  });

  for (const [nFft, hop] of [
    [256, 64],
    [512, 128],
    [1024, 256],
    [2048, 512],
    [2048, 1024],
    [512, 100],
  ] as const) {
    it(`reconstructs a random signal to < 1e-5 (nFft ${nFft}, hop ${hop})`, () => {
      const len = 6000 + nFft; // not a multiple of hop
      const x = noise(len, nFft + hop);
      const spec = stft(x, nFft, hop);
      expect(spec.nFrames).toBe(frameCount(len, hop));
      expect(spec.nBins).toBe(nFft / 2 + 1);
      const y = istft(spec, nFft, hop, len);
      expect(y.length).toBe(len);
      expect(maxAbsDiff(y, x)).toBeLessThan(1e-5);
    });
  }

  it('centres frame f on sample f·hop: a click at sample s peaks in frame s/hop', () => {
    const x = new Float32Array(8192);
    x[4096] = 1;
    const spec = stft(x, 1024, 256);
    const mag = magnitude(spec);
    let best = -1;
    let bestE = -1;
    for (let f = 0; f < spec.nFrames; f++) {
      let e = 0;
      for (let k = 0; k < spec.nBins; k++) e += mag[f * spec.nBins + k]! ** 2;
      if (e > bestE) {
        bestE = e;
        best = f;
      }
    }
    expect(best).toBe(4096 / 256);
  });

  it('a sine of amplitude A reads A·n/4 at its bin (sum of the periodic Hann = n/2)', () => {
    const sr = 44100;
    const nFft = 2048;
    const k = 100;
    const x = sine(20000, (k * sr) / nFft, sr, 0.5);
    const spec = stft(x, nFft, 512);
    const mag = magnitude(spec);
    const f = 10;
    expect(mag[f * spec.nBins + k]! / (nFft / 4)).toBeCloseTo(0.5, 3);
  });

  it('handles an explicit frame count and a signal shorter than nFft', () => {
    const x = noise(300, 9);
    const spec = stft(x, 512, 128, 4);
    expect(spec.nFrames).toBe(4);
    const y = istft(spec, 512, 128, 300);
    expect(maxAbsDiff(y, x)).toBeLessThan(1e-5);
  });
});
