/**
 * The one adapter between the engine and src/model/: load → warmUp →
 * generate(requests) → dispose, returning 44.1 kHz Float32Array audio per
 * request, built on the model package's loader, request validation, batch
 * planning, conditioning, sampler and vocoder.
 *
 * It mirrors Generator.generate (src/model/generator.ts) and adds one thing
 * the Generator does not expose: the variation blend of initial noise
 * (SynthRequest.variation), passed to the sampler as `initialNoise`. Requests
 * without a variation produce exactly what Generator.generate does (tested).
 */
import { signalLength } from '../dsp/config.js';
import { encodeConditions, condDim } from '../model/conditioning.js';
import type { ModelConfig } from '../model/config.js';
import { playDown, raiseLowNotes, requestClass, requestPitch, type Vocoder } from '../model/generator.js';
import { modelVocoder } from '../model/vocoding.js';
import { planBatches, resolveRequest, type ResolvedRequest } from '../model/requests.js';
import { loadModel, paramCount, type ModelReader } from '../model/loader.js';
import { gaussianNoise } from '../model/prng.js';
import { sample } from '../model/sampler.js';
import { unetDenoiser, type UNet1D } from '../model/unet.js';
import type { ModelInfo, SynthRequest } from './protocol.js';

export interface SynthOptions {
  /** Most one-shots per network call (guided ones cost two rows). Default 8. */
  maxBatch?: number;
  vocoder?: Vocoder;
}

export interface SynthGenerateOptions {
  /** Fraction of the call done, 0–1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

interface Resolved extends ResolvedRequest {
  variation?: { seed: number; amount: number };
}

export class OneShotSynth {
  readonly config: ModelConfig;
  private net: UNet1D | null;
  private readonly maxBatch: number;
  private readonly vocoder: Vocoder;

  private constructor(config: ModelConfig, net: UNet1D, opts: SynthOptions) {
    this.config = config;
    this.net = net;
    this.maxBatch = opts.maxBatch ?? 8;
    this.vocoder = opts.vocoder ?? modelVocoder(config);
  }

  /** Load and validate a model folder onto the current tfjs backend. */
  static async load(reader: ModelReader, opts: SynthOptions = {}): Promise<OneShotSynth> {
    const { config, net } = await loadModel(reader);
    return new OneShotSynth(config, net, opts);
  }

  get info(): ModelInfo {
    const c = this.config;
    return {
      kind: c.kind,
      classes: [...c.classes],
      sampleRate: c.representation.sampleRate,
      length: signalLength(c.representation),
      nMels: c.architecture.nMels,
      nFrames: c.architecture.nFrames,
      params: paramCount(c),
      defaultSteps: c.sampler.steps,
      defaultGuidance: c.sampler.guidance,
      ...(c.sampler.classGuidance ? { classGuidance: { ...c.sampler.classGuidance } } : {}),
    };
  }

  /** Check a request without computing anything; throws one line. */
  validate(req: SynthRequest, where = 'request'): Resolved {
    const r: Resolved = resolveRequest(this.config, req, where);
    if (req.variation !== undefined) {
      const { seed, amount } = req.variation;
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`${where}: variation.seed must be an integer 0–4294967295, got ${seed}`);
      if (!(amount >= 0 && amount <= 1)) throw new Error(`${where}: variation.amount must be in 0–1, got ${amount}`);
      if (amount > 0) r.variation = { seed, amount };
    }
    return r;
  }

  /** One network call at `batch` rows, so kernels compile before the first real request. */
  async warmUp(batch = 1): Promise<void> {
    const a = this.config.architecture;
    const D = a.nMels * a.nFrames;
    await unetDenoiser(this.requireNet())(new Float32Array(batch * D), new Float32Array(batch).fill(0.5), new Float32Array(batch * a.condDim));
  }

  /** Audio (Float32Array at config.representation.sampleRate) for each request, in order. */
  async generate(requests: readonly SynthRequest[], opts: SynthGenerateOptions = {}): Promise<Float32Array[]> {
    const net = this.requireNet();
    // Notes below the model's lowestPitch are sampled octaves up and played down, as Generator.generate does.
    const { resolved, octaves } = raiseLowNotes(
      requests.map((r, i) => this.validate(r, requests.length > 1 ? `request ${i}` : 'request')),
      this.config.sampler.lowestPitch,
    );
    const { conditions, architecture: arch, descriptorStats, representation } = this.config;
    const dim = condDim(conditions);
    const D = arch.nMels * arch.nFrames;
    const batches = planBatches(resolved, this.maxBatch);
    const units = batches.reduce((n, b) => n + resolved[b[0]!]!.steps, 0) + resolved.length;
    let done = 0;
    const tick = () => opts.onProgress?.(++done / units);
    const denoise = unetDenoiser(net);
    const out = new Array<Float32Array>(resolved.length);
    for (const batch of batches) {
      const first = resolved[batch[0]!]!;
      const cond = new Float32Array(batch.length * dim);
      batch.forEach((ri, b) => encodeConditions(conditions, resolved[ri]!.labels, descriptorStats, cond, b * dim));
      const noise = new Float32Array(batch.length * D);
      batch.forEach((ri, b) => noise.set(initialNoise(resolved[ri]!, D), b * D));
      const x0 = await sample(denoise, {
        sampler: first.sampler,
        steps: first.steps,
        itemSize: D,
        seeds: batch.map((ri) => resolved[ri]!.seed),
        cond,
        guidance: batch.map((ri) => resolved[ri]!.guidance),
        schedule: this.config.schedule,
        signal: opts.signal,
        initialNoise: noise,
        onProgress: tick,
      });
      batch.forEach((ri, b) => {
        const f = x0.slice(b * D, (b + 1) * D);
        for (let j = 0; j < D; j++) f[j] = Math.min(1, Math.max(-1, f[j]! * arch.dataStd + arch.dataMean));
        out[ri] = f;
      });
    }
    return out.map((f, i) => {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('generate: aborted');
      const audio = this.vocoder(f, representation, requestPitch(resolved[i]!), requestClass(this.config, resolved[i]!));
      tick();
      return playDown(audio, octaves[i]!, representation.sampleRate);
    });
  }

  /** Free the weights. Idempotent. */
  dispose(): void {
    this.net?.dispose();
    this.net = null;
  }

  private requireNet(): UNet1D {
    if (!this.net) throw new Error('OneShotSynth: used after dispose()');
    return this.net;
  }
}

/** The request's initial noise: the seed's, or its blend with the variation draw (θ = amount·π/2). */
export function initialNoise(r: { seed: number; variation?: { seed: number; amount: number } }, D: number): Float32Array {
  const base = gaussianNoise(r.seed, D);
  const v = r.variation;
  if (!v || v.amount <= 0) return base;
  const theta = (v.amount * Math.PI) / 2;
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const other = gaussianNoise(v.seed, D);
  for (let i = 0; i < D; i++) base[i] = c * base[i]! + s * other[i]!;
  return base;
}
