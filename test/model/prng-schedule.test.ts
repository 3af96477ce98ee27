import { describe, expect, it } from 'vitest';
import { gaussianNoise, Xoshiro128 } from '../../src/model/prng.js';
import { alpha, logSnr, schedulePoint, sigma, timeAtLogSnr, timeGrid } from '../../src/model/schedule.js';

describe('Xoshiro128 / gaussianNoise', () => {
  it('is deterministic per seed and differs between neighbouring seeds', () => {
    expect(Array.from(gaussianNoise(42, 64))).toEqual(Array.from(gaussianNoise(42, 64)));
    expect(Array.from(gaussianNoise(42, 64))).not.toEqual(Array.from(gaussianNoise(43, 64)));
    // A prefix of a longer stream is the shorter stream.
    expect(Array.from(gaussianNoise(7, 100)).slice(0, 10)).toEqual(Array.from(gaussianNoise(7, 10)));
  });

  it('pins the first outputs (engine-independent integer arithmetic)', () => {
    const r = new Xoshiro128(0);
    const first = [r.nextUint32(), r.nextUint32(), r.nextUint32()];
    const again = new Xoshiro128(0);
    expect([again.nextUint32(), again.nextUint32(), again.nextUint32()]).toEqual(first);
    for (const v of first) expect(Number.isInteger(v) && v >= 0 && v < 2 ** 32).toBe(true);
  });

  it('produces standard normal samples', () => {
    const z = gaussianNoise(1, 200_000);
    let m = 0;
    let v = 0;
    let k = 0;
    for (const x of z) m += x;
    m /= z.length;
    for (const x of z) {
      v += (x - m) ** 2;
      k += (x - m) ** 4;
    }
    v /= z.length;
    k /= z.length * v * v;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.01);
    expect(Math.abs(k - 3)).toBeLessThan(0.05); // kurtosis of a normal
    expect(z.every(Number.isFinite)).toBe(true);
  });

  it('rejects seeds outside 0…2³²−1', () => {
    expect(() => new Xoshiro128(-1)).toThrow(/seed/);
    expect(() => new Xoshiro128(1.5)).toThrow(/seed/);
    expect(() => new Xoshiro128(2 ** 32)).toThrow(/seed/);
    expect(() => new Xoshiro128(2 ** 32 - 1)).not.toThrow();
  });
});

describe('cosine logSNR schedule', () => {
  it('spans logSnrMax at t = 0 to logSnrMin at t = 1, monotonically', () => {
    expect(logSnr(0)).toBeCloseTo(15, 10);
    expect(logSnr(1)).toBeCloseTo(-15, 10);
    let prev = Infinity;
    for (let i = 0; i <= 100; i++) {
      const l = logSnr(i / 100);
      expect(l).toBeLessThan(prev);
      prev = l;
    }
    expect(logSnr(0.5, { type: 'cosine-logsnr', logSnrMin: -10, logSnrMax: 10 })).toBeCloseTo(0, 10);
  });

  it('is variance preserving: α² + σ² = 1, α²/σ² = e^logSNR', () => {
    for (const t of [0, 0.1, 0.5, 0.9, 1]) {
      expect(alpha(t) ** 2 + sigma(t) ** 2).toBeCloseTo(1, 12);
      const p = schedulePoint(t);
      expect(Math.log(p.alpha ** 2 / p.sigma ** 2)).toBeCloseTo(p.logSnr, 8);
      expect(p.lambda).toBe(p.logSnr / 2);
    }
  });

  it('builds a time grid from t = 1 to t = 0, uniform in logSNR', () => {
    const ts = timeGrid(6);
    expect(ts[0]).toBe(1);
    expect(ts[6]).toBe(0);
    for (let i = 0; i <= 6; i++) expect(logSnr(ts[i]!)).toBeCloseTo(-15 + 5 * i, 6);
    for (const l of [-14, -3, 0, 2.5, 14]) expect(logSnr(timeAtLogSnr(l))).toBeCloseTo(l, 9);
    expect(() => timeGrid(0)).toThrow(/steps/);
  });
});
