import { describe, expect, it } from 'vitest';
import { griffinLim, spectralConvergence } from '../../src/dsp/griffinlim.js';
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
