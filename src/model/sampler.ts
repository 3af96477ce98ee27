/**
 * Diffusion samplers (docs/model-spec.md §3), pure TypeScript over an abstract
 * batched v-prediction network, so they can be tested against analytic
 * denoisers and reused on any backend.
 *
 * Layout: a batch is B items of D floats each, item-major ([B, D]); the sampler
 * never looks inside an item, so D is whatever the denoiser wants (the model
 * uses the feature layout [nMels, nFrames]).
 *
 * Parameterisation: v = α·ε − σ·x0, so x0̂ = α·x − σ·v̂ and ε̂ = σ·x + α·v̂ (α² + σ² = 1).
 * Solver arithmetic runs in float64; only the network sees float32.
 */
import { gaussianNoise, type Seed } from './prng.js';
import { DEFAULT_SCHEDULE, schedulePoint, timeGrid, type ScheduleConfig, type SchedulePoint } from './schedule.js';

/**
 * A batched v-prediction network.
 * @param x    [B, D] noisy items
 * @param t    [B] diffusion time of each item, in [0, 1]
 * @param cond [B, condDim] conditioning vectors
 * @returns    [B, D] predicted v
 */
export type Denoiser = (x: Float32Array, t: Float32Array, cond: Float32Array) => Promise<Float32Array>;

/** Available solvers. */
export const SAMPLERS = ['dpmpp-2m', 'ddim'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Progress report: `step` of `steps` network evaluations done. */
export type ProgressCallback = (step: number, steps: number) => void;

export interface SampleOptions {
  /** Solver: deterministic DDIM (η = 0) or DPM-Solver++(2M). */
  sampler: SamplerName;
  /** Number of solver steps (= network evaluations, each one batched call). */
  steps: number;
  /** Floats per item (D). */
  itemSize: number;
  /** Per-item seeds [B]; they define the batch size and the initial noise. */
  seeds: readonly Seed[];
  /** [B, condDim] conditional inputs. */
  cond: Float32Array;
  /** [B, condDim] inputs of the guidance's reference pass; all zeros (unconditional) when omitted. */
  uncond?: Float32Array;
  /**
   * Classifier-free guidance weight w, one for all items or one per item:
   * v = v_uncond + w·(v_cond − v_uncond). Items with w = 1 skip the uncond pass.
   */
  guidance: number | readonly number[];
  /** Noise schedule; the spec's default when omitted. */
  schedule?: ScheduleConfig;
  /** Called after every step. */
  onProgress?: ProgressCallback;
  /** Checked between steps; an aborted signal rejects with its reason. */
  signal?: AbortSignal;
  /** [B, D] initial noise instead of the seeded noise (tests). */
  initialNoise?: Float32Array;
}

/**
 * DPM-Solver++(2M) drops to first order on the last step when there are few
 * steps, as diffusers does (`lower_order_final`): the second-order correction
 * is least reliable at the end, where h is large relative to the history.
 */
const LOWER_ORDER_FINAL_BELOW_STEPS = 15;

/**
 * Draw B samples x0 [B, D] by integrating the probability-flow ODE from t = 1 to t = 0.
 * Throws if any network output or state becomes non-finite.
 */
export async function sample(denoise: Denoiser, opts: SampleOptions): Promise<Float32Array> {
  const B = opts.seeds.length;
  const D = opts.itemSize;
  const steps = opts.steps;
  if (B < 1) throw new Error('sampler: the batch is empty (no seeds)');
  if (!Number.isInteger(D) || D < 1) throw new Error(`sampler: itemSize must be a positive integer, got ${D}`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`sampler: steps must be an integer ≥ 1, got ${steps}`);
  if (!SAMPLERS.includes(opts.sampler)) throw new Error(`sampler: unknown sampler "${opts.sampler}" (use ${SAMPLERS.join(' or ')})`);
  if (opts.cond.length % B !== 0) throw new Error(`sampler: cond length ${opts.cond.length} is not a multiple of the batch size ${B}`);
  const condDim = opts.cond.length / B;
  const uncond = opts.uncond ?? new Float32Array(B * condDim);
  if (uncond.length !== B * condDim) throw new Error(`sampler: uncond length ${uncond.length}, expected ${B * condDim}`);
  const w = typeof opts.guidance === 'number' ? new Array<number>(B).fill(opts.guidance) : [...opts.guidance];
  if (w.length !== B) throw new Error(`sampler: ${w.length} guidance weights for ${B} items`);
  for (const g of w) if (!Number.isFinite(g)) throw new Error(`sampler: guidance must be finite, got ${g}`);

  const schedule = opts.schedule ?? DEFAULT_SCHEDULE;
  const points = Array.from(timeGrid(steps, schedule), (t) => schedulePoint(t, schedule));

  // x starts as seeded N(0, I): at t = 1, α ≈ 5.5e-4, so x_1 is noise to within 1e-3.
  const x = new Float64Array(B * D);
  if (opts.initialNoise) {
    if (opts.initialNoise.length !== B * D) throw new Error(`sampler: initialNoise length ${opts.initialNoise.length}, expected ${B * D}`);
    x.set(opts.initialNoise);
  } else {
    for (let b = 0; b < B; b++) x.set(gaussianNoise(opts.seeds[b]!, D), b * D);
  }

  const guided = new GuidedDenoiser(denoise, B, D, condDim, opts.cond, uncond, w);
  const x0 = new Float64Array(B * D);
  let prevX0: Float64Array | null = null;
  let prevH = 0;

  for (let i = 0; i < steps; i++) {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('sampler: aborted');
    const s = points[i]!;
    const n = points[i + 1]!;
    const v = await guided.evaluate(x, s, i, steps);
    for (let j = 0; j < x.length; j++) x0[j] = s.alpha * x[j]! - s.sigma * v[j]!;

    if (opts.sampler === 'ddim') {
      // η = 0: move along the predicted (x0̂, ε̂) pair to the next noise level.
      for (let j = 0; j < x.length; j++) {
        const eps = s.sigma * x[j]! + s.alpha * v[j]!;
        x[j] = n.alpha * x0[j]! + n.sigma * eps;
      }
    } else {
      // DPM-Solver++(2M), data prediction, in λ = logSNR / 2 (Lu et al. 2022, Alg. 2):
      //   x_n = (σ_n/σ_s)·x_s − α_n·(e^(−h) − 1)·D,  h = λ_n − λ_s,
      //   D = x0̂_s (first order) or (1 + 1/2r)·x0̂_s − (1/2r)·x0̂_prev with r = h_prev / h.
      const h = n.lambda - s.lambda;
      const ratio = n.sigma / s.sigma;
      const c = -n.alpha * Math.expm1(-h);
      const firstOrder = prevX0 === null || (i === steps - 1 && steps < LOWER_ORDER_FINAL_BELOW_STEPS);
      if (firstOrder) {
        for (let j = 0; j < x.length; j++) x[j] = ratio * x[j]! + c * x0[j]!;
      } else {
        const r = prevH / h;
        const k0 = 1 + 1 / (2 * r);
        const k1 = 1 / (2 * r);
        const p = prevX0!;
        for (let j = 0; j < x.length; j++) x[j] = ratio * x[j]! + c * (k0 * x0[j]! - k1 * p[j]!);
      }
      prevX0 = prevX0 ?? new Float64Array(B * D);
      prevX0.set(x0);
      prevH = h;
    }
    assertFinite(x, D, `the sampler state after step ${i + 1}/${steps} (t = ${n.t.toFixed(3)})`);
    opts.onProgress?.(i + 1, steps);
  }
  const result = Float32Array.from(x);
  assertFinite(result, D, 'the float32 result');
  return result;
}

/**
 * Classifier-free guidance around one batched network call per step: the B
 * conditional rows first, then one unconditional row for each item whose
 * w ≠ 1 (w = 1 is exactly the conditional output, so its reference pass is skipped).
 */
class GuidedDenoiser {
  private readonly guidedItems: number[];
  private readonly xIn: Float32Array;
  private readonly tIn: Float32Array;
  private readonly condIn: Float32Array;
  private readonly v: Float64Array;

  constructor(
    private readonly denoise: Denoiser,
    private readonly B: number,
    private readonly D: number,
    condDim: number,
    cond: Float32Array,
    uncond: Float32Array,
    private readonly w: readonly number[],
  ) {
    this.guidedItems = w.flatMap((g, b) => (g === 1 ? [] : [b]));
    const rows = B + this.guidedItems.length;
    this.xIn = new Float32Array(rows * D);
    this.tIn = new Float32Array(rows);
    this.condIn = new Float32Array(rows * condDim);
    this.condIn.set(cond);
    this.guidedItems.forEach((b, k) => this.condIn.set(uncond.subarray(b * condDim, (b + 1) * condDim), (B + k) * condDim));
    this.v = new Float64Array(B * D);
  }

  /** Guided v̂ [B, D] at the schedule point s for the state x [B, D]. */
  async evaluate(x: Float64Array, s: SchedulePoint, step: number, steps: number): Promise<Float64Array> {
    const { B, D, xIn, guidedItems } = this;
    xIn.set(x);
    guidedItems.forEach((b, k) => xIn.copyWithin((B + k) * D, b * D, (b + 1) * D));
    this.tIn.fill(s.t);
    const out = await this.denoise(xIn, this.tIn, this.condIn);
    if (out.length !== xIn.length) {
      throw new Error(`sampler: the network returned ${out.length} values for ${this.tIn.length} × ${D} inputs`);
    }
    assertFinite(out, D, `the network output at step ${step + 1}/${steps} (t = ${s.t.toFixed(3)})`, (row) =>
      row < B ? `item ${row}` : `the unconditional pass of item ${guidedItems[row - B]}`,
    );
    const v = this.v;
    for (let j = 0; j < B * D; j++) v[j] = out[j]!;
    guidedItems.forEach((b, k) => {
      const g = this.w[b]!;
      const c = b * D;
      const u = (B + k) * D;
      for (let j = 0; j < D; j++) v[c + j] = out[u + j]! + g * (out[c + j]! - out[u + j]!);
    });
    return v;
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Throw a one-line error naming the first non-finite value's item. Float64
 * state counts as non-finite beyond the float32 range, since it becomes ±Inf
 * the moment it is handed to the network.
 */
function assertFinite(
  a: Float32Array | Float64Array,
  itemSize: number,
  what: string,
  itemName: (row: number) => string = (row) => `item ${row}`,
): void {
  for (let j = 0; j < a.length; j++) {
    if (!(Math.abs(a[j]!) <= FLOAT32_MAX)) {
      throw new Error(`sampler: non-finite value (${a[j]}) in ${what}, ${itemName(Math.floor(j / itemSize))}; the model or its weights are broken`);
    }
  }
}
