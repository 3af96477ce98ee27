import { describe, expect, it } from 'vitest';
import { signalLength, TONAL_REPRESENTATION } from '../../src/dsp/config.js';
import { yinF0 } from '../../src/dsp/descriptors.js';
import { audioToFeature } from '../../src/dsp/features.js';
import { griffinLim, harmonicPulseTrain, spectralConvergence } from '../../src/dsp/griffinlim.js';
import { featureToAudio } from '../../src/dsp/vocoder.js';
import { magnitude, stft } from '../../src/dsp/stft.js';
import { synthDrum } from './helpers.js';

const SR = 22050;
const N_FFT = 512;
const HOP = 128;
const LEN = 8192;
const x = synthDrum(LEN, SR, { freq: 220, offset: 300 });
const target = stft(x, N_FFT, HOP);
const mag = magnitude(target);

function run(momentum: number, iterations: number, seed?: number): { sc: number[]; out: Float32Array } {
  const sc: number[] = [];
  const out = griffinLim(mag, target.nFrames, N_FFT, HOP, LEN, {
    momentum,
    iterations,
    ...(seed === undefined ? {} : { seed }),
    onIteration: (i, s) => {
      expect(i).toBe(sc.length);
      sc.push(s);
    },
  });
  return { sc, out };
}

describe('Griffin-Lim', () => {
  it('spectral convergence of the true phase is 0', () => {
    expect(spectralConvergence(target, mag)).toBeLessThan(1e-6);
  });

  const classic = run(0, 40, 1);
  const fast = run(0.99, 40, 1);

  it('classic GL: spectral convergence never increases and improves over iterations', () => {
    expect(classic.sc.length).toBe(40);
    for (let i = 1; i < classic.sc.length; i++) expect(classic.sc[i]!).toBeLessThanOrEqual(classic.sc[i - 1]! * (1 + 1e-4));
    expect(classic.sc.at(-1)!).toBeLessThan(0.7 * classic.sc[0]!);
  });

  it('fast GL (momentum 0.99) converges faster than momentum 0', () => {
    expect(fast.sc.at(-1)!).toBeLessThan(0.6 * fast.sc[0]!);
    expect(fast.sc.at(-1)!).toBeLessThan(classic.sc.at(-1)!);
    // Fast GL after 20 iterations beats classic GL after 40.
    expect(fast.sc[19]!).toBeLessThan(classic.sc.at(-1)!);
  });

  it('the output signal has the target magnitude to within its final spectral convergence', () => {
    const re = stft(fast.out, N_FFT, HOP);
    const sc = spectralConvergence(re, mag);
    expect(sc).toBeLessThan(fast.sc[0]!);
    expect(sc).toBeLessThan(0.3);
    for (const v of fast.out) expect(Number.isFinite(v)).toBe(true);
  });

  it('is deterministic for a seed and starts from zero phase without one', () => {
    const a = run(0.99, 3, 42).out;
    const b = run(0.99, 3, 42).out;
    expect(Array.from(a)).toEqual(Array.from(b));
    const z = run(0.99, 3).out;
    expect(z.length).toBe(LEN);
    expect(Array.from(z)).not.toEqual(Array.from(a));
  });

  it('rejects a magnitude of the wrong size', () => {
    expect(() => griffinLim(new Float32Array(10), target.nFrames, N_FFT, HOP, LEN)).toThrow(/expected/);
  });
});

describe('pitched Griffin-Lim (phase seeded at the requested f0)', () => {
  it('harmonicPulseTrain repeats every sampleRate / f0 samples and rejects an f0 outside (0, Nyquist)', () => {
    const sr = 44100;
    const f0 = 441; // period exactly 100 samples
    const p = harmonicPulseTrain(f0, sr, 1000);
    for (let n = 0; n < 900; n++) expect(p[n + 100]!).toBeCloseTo(p[n]!, 3);
    expect(p[0]!).toBeCloseTo(Math.floor((sr / 2 - 1) / f0), 3); // all cosines peak at n = 0
    expect(Math.abs(p[50]!)).toBeLessThan(2);
    expect(() => harmonicPulseTrain(0, sr, 10)).toThrow(/f0 must be in \(0, 22050\) Hz, got 0/);
    expect(() => harmonicPulseTrain(30000, sr, 10)).toThrow(/got 30000/);
  });

  it('a C2 tone vocoded from its 128-band mel keeps a measurable pitch', () => {
    const cfg = TONAL_REPRESENTATION;
    const len = signalLength(cfg);
    const note = 36;
    const f0 = 440 * 2 ** ((note - 69) / 12);
    // A slightly stiff-string tone: decaying harmonics, 1/h amplitudes.
    const x = new Float32Array(len);
    for (let h = 1; h * f0 < 16000; h++) {
      const f = h * f0 * Math.sqrt(1 + 0.0002 * h * h);
      for (let n = 0; n < len; n++) x[n] = x[n]! + (Math.exp(-n / (cfg.sampleRate * (1.2 / Math.sqrt(h)))) * Math.sin((2 * Math.PI * f * n) / cfg.sampleRate + h)) / h;
    }
    const cents = (a: Float32Array): number | null => {
      const f = yinF0(a, cfg.sampleRate);
      return f === null ? null : 1200 * Math.log2(f / f0);
    };
    const original = cents(x)!;
    const pitched = cents(featureToAudio(audioToFeature(x, cfg), cfg, { pitch: note }));
    expect(pitched).not.toBeNull();
    expect(Math.abs(pitched! - original)).toBeLessThan(10);
    expect(() => featureToAudio(audioToFeature(x, cfg), cfg, { pitch: 200 })).toThrow(/pitch 200 is outside/);
  });
});
