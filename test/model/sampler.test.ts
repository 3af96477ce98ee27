import { describe, expect, it } from 'vitest';
import { gaussianNoise } from '../../src/model/prng.js';
import { sample, type Denoiser, type SamplerName } from '../../src/model/sampler.js';
import { alpha, sigma } from '../../src/model/schedule.js';

/**
 * Exact v for data x0 ~ N(μ, s²) independently per dimension:
 *   E[x0 | x_t] = μ + α s² / (α² s² + σ²) · (x_t − α μ),  ε̂ = (x_t − α x̂0) / σ,  v = α ε̂ − σ x̂0.
 * μ may depend on the condition: μ_d = mu[d] + shift[d] · cond[0].
 */
function gaussianDenoiser(mu: number[], s: number[], shift: number[] = mu.map(() => 0), calls: number[] = []): Denoiser {
  const D = mu.length;
  return async (x, t, cond) => {
    const B = t.length;
    calls.push(B);
    const condDim = cond.length / B;
    const v = new Float32Array(x.length);
    for (let b = 0; b < B; b++) {
      const a = alpha(t[b]!);
      const sg = sigma(t[b]!);
      for (let d = 0; d < D; d++) {
        const m = mu[d]! + shift[d]! * cond[b * condDim]!;
        const xt = x[b * D + d]!;
        const x0 = m + ((a * s[d]! ** 2) / (a * a * s[d]! ** 2 + sg * sg)) * (xt - a * m);
        const eps = (xt - a * x0) / sg;
        v[b * D + d] = a * eps - sg * x0;
      }
    }
    return v;
  };
}

const MU = [-2, 0, 1.5, 3];
const S = [0.1, 0.5, 1, 2];

function stats(x: Float32Array, D: number, d: number): { mean: number; std: number } {
  const n = x.length / D;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i * D + d]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i * D + d]! - m) ** 2;
  return { mean: m, std: Math.sqrt(v / (n - 1)) };
}

describe('sampler on an analytic Gaussian denoiser', () => {
  const N = 2000;
  const seeds = Array.from({ length: N }, (_, i) => i);
  // Solver error (max over samples of |x − (μ + s·z)| / s) measured on this problem:
  // DDIM ~0.13 at 100 steps (first order), DPM-Solver++(2M) ~0.02 at 50 steps.
  for (const [sampler, steps, tol] of [['ddim', 100, 0.15], ['dpmpp-2m', 50, 0.03]] as [SamplerName, number, number][]) {
    it(`${sampler} (${steps} steps) reaches the data mean and variance and the exact ODE map`, async () => {
      const x0 = await sample(gaussianDenoiser(MU, S), { sampler, steps, itemSize: 4, seeds, cond: new Float32Array(N), guidance: 1 });
      for (let d = 0; d < 4; d++) {
        const { mean, std } = stats(x0, 4, d);
        // 4 standard errors (mean: s/√N, std: s/√(2N)) plus the solver's typical (not max) error
        expect(Math.abs(mean - MU[d]!) / S[d]!).toBeLessThan(4 / Math.sqrt(N) + tol / 3);
        expect(Math.abs(std / S[d]! - 1)).toBeLessThan(4 / Math.sqrt(2 * N) + tol / 3);
      }
      // For Gaussian data the probability-flow ODE maps noise z to μ + s·z: check every sample.
      let worst = 0;
      for (let i = 0; i < 200; i++) {
        const z = gaussianNoise(seeds[i]!, 4);
        for (let d = 0; d < 4; d++) worst = Math.max(worst, Math.abs(x0[i * 4 + d]! - (MU[d]! + S[d]! * z[d]!)) / S[d]!);
      }
      expect(worst).toBeLessThan(tol);
    });
  }

  it('DPM-Solver++(2M) is more accurate than DDIM at the same step count', async () => {
    const err = async (sampler: SamplerName) => {
      const x0 = await sample(gaussianDenoiser(MU, S), { sampler, steps: 10, itemSize: 4, seeds: [0, 1, 2, 3], cond: new Float32Array(4), guidance: 1 });
      let e = 0;
      for (let i = 0; i < 4; i++) {
        const z = gaussianNoise(i, 4);
        for (let d = 0; d < 4; d++) e = Math.max(e, Math.abs(x0[i * 4 + d]! - (MU[d]! + S[d]! * z[d]!)));
      }
      return e;
    };
    expect(await err('dpmpp-2m')).toBeLessThan(await err('ddim'));
  });
});

describe('classifier-free guidance', () => {
  const shift = [1, -1, 2, 0.5];
  const condOf = (values: number[]) => Float32Array.from(values.flatMap((v) => [v, 1])); // condDim 2

  it('w = 1 is the plain conditional output and skips the unconditional pass', async () => {
    const calls: number[] = [];
    const den = gaussianDenoiser(MU, S, shift, calls);
    const x0 = await sample(den, { sampler: 'dpmpp-2m', steps: 8, itemSize: 4, seeds: [5, 6, 7], cond: condOf([1, 1, 1]), guidance: 1 });
    expect(calls).toEqual(new Array(8).fill(3)); // one call per step, 3 rows, no uncond rows
    // ...and equals sampling the conditional distribution N(μ + shift, s²) directly.
    const direct = await sample(gaussianDenoiser(MU.map((m, d) => m + shift[d]!), S), {
      sampler: 'dpmpp-2m', steps: 8, itemSize: 4, seeds: [5, 6, 7], cond: new Float32Array(3), guidance: 1,
    });
    expect(Array.from(x0)).toEqual(Array.from(direct));
  });

  it('w ≠ 1 batches cond and uncond rows in ONE call and extrapolates v_u + w(v_c − v_u)', async () => {
    const calls: number[] = [];
    const w = [1, 3, 0, 2.5];
    const x0 = await sample(gaussianDenoiser(MU, S, shift, calls), {
      sampler: 'dpmpp-2m', steps: 12, itemSize: 4, seeds: [1, 2, 3, 4], cond: condOf([1, 1, 1, 1]), guidance: w,
    });
    expect(calls).toEqual(new Array(12).fill(4 + 3)); // 4 conditional + 3 guided reference rows
    // v is affine in μ, so guidance w samples N(μ_u + w(μ_c − μ_u), s²) = N(μ + w·shift, s²).
    for (let b = 0; b < 4; b++) {
      const z = gaussianNoise(b + 1, 4);
      // (12 steps: within the solver's error, a few % of s)
      for (let d = 0; d < 4; d++) expect(Math.abs(x0[b * 4 + d]! - (MU[d]! + w[b]! * shift[d]! + S[d]! * z[d]!)) / S[d]!).toBeLessThan(0.15);
    }
  });

  it('an item gets the same result alone or in a batch (noise depends only on its seed)', async () => {
    const den = gaussianDenoiser(MU, S, shift);
    const batch = await sample(den, { sampler: 'ddim', steps: 6, itemSize: 4, seeds: [10, 11, 12], cond: condOf([1, 0, 1]), guidance: [2, 1, 4] });
    const alone = await sample(den, { sampler: 'ddim', steps: 6, itemSize: 4, seeds: [11], cond: condOf([0]), guidance: 1 });
    expect(Array.from(batch.subarray(4, 8))).toEqual(Array.from(alone));
  });
});

describe('sampler guards and knobs', () => {
  const den = gaussianDenoiser(MU, S);
  const base = { sampler: 'dpmpp-2m' as const, steps: 10, itemSize: 4, seeds: [1, 2], cond: new Float32Array(2), guidance: 1 };

  it('throws a clear error when the network output becomes non-finite', async () => {
    let n = 0;
    const broken: Denoiser = async (x, t, c) => {
      const v = await den(x, t, c);
      if (++n === 3) v[5] = Number.NaN;
      return v;
    };
    await expect(sample(broken, base)).rejects.toThrow(/non-finite value \(NaN\) in the network output at step 3\/10 .*item 1;/);
    const uncondInf: Denoiser = async (x, t, c) => {
      const v = await den(x, t, c);
      if (t.length === 3) v[2 * 4] = Infinity; // row 2 = the unconditional row of item 1
      return v;
    };
    await expect(sample(uncondInf, { ...base, guidance: [1, 2] })).rejects.toThrow(/\(Infinity\) in the network output at step 1\/10 .*the unconditional pass of item 1;/);
  });

  it('throws when the state overflows', async () => {
    const huge: Denoiser = async (x) => new Float32Array(x.length).fill(3e38);
    await expect(sample(huge, { ...base, sampler: 'ddim' })).rejects.toThrow(/non-finite value .* sampler state after step/);
  });

  it('reports progress once per step and honours the step count', async () => {
    const calls: number[] = [];
    const seen: [number, number][] = [];
    await sample(gaussianDenoiser(MU, S, undefined, calls), { ...base, steps: 7, onProgress: (i, n) => seen.push([i, n]) });
    expect(calls.length).toBe(7);
    expect(seen).toEqual(Array.from({ length: 7 }, (_, i) => [i + 1, 7]));
  });

  it('is deterministic for a seed', async () => {
    const a = await sample(den, base);
    const b = await sample(den, base);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('stops between steps when aborted', async () => {
    const ctl = new AbortController();
    await expect(sample(den, { ...base, onProgress: (i) => i === 2 && ctl.abort(new Error('stop!')), signal: ctl.signal })).rejects.toThrow('stop!');
  });

  it('validates its options', async () => {
    await expect(sample(den, { ...base, steps: 0 })).rejects.toThrow(/steps/);
    await expect(sample(den, { ...base, seeds: [] })).rejects.toThrow(/empty/);
    await expect(sample(den, { ...base, cond: new Float32Array(3) })).rejects.toThrow(/cond length/);
    await expect(sample(den, { ...base, guidance: [1] })).rejects.toThrow(/guidance weights/);
    await expect(sample(den, { ...base, sampler: 'euler' as never })).rejects.toThrow(/unknown sampler/);
    const short: Denoiser = async () => new Float32Array(3);
    await expect(sample(short, base)).rejects.toThrow(/returned 3 values/);
  });
});
