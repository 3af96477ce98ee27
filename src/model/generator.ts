/**
 * One-shot generator: load → warmUp → generate → dispose.
 *
 * Requests are validated up front (a bad class fails before any compute),
 * batched (several one-shots per network call, conditional and guidance
 * passes in the same call), sampled in standardized feature space, mapped
 * back with x·dataStd + dataMean, and turned into audio by the DSP vocoder.
 */
import * as tf from '@tensorflow/tfjs';
import { transposeOctavesDown } from '../dsp/transpose.js';
import type { RepresentationConfig } from '../dsp/config.js';
import type { MidiNote } from '../units.js';
import { condDim, encodeConditions } from './conditioning.js';
import { CLASS_CONDITION, type ModelConfig } from './config.js';
import { loadModel, type ModelReader } from './loader.js';
import { planBatches, resolveRequest, type GenerateRequest, type ResolvedRequest } from './requests.js';
import { sample } from './sampler.js';
import { unetDenoiser, type UNet1D } from './unet.js';
import { modelVocoder, type Vocoder } from './vocoding.js';

export { planBatches, resolveRequest, type GenerateRequest, type ResolvedRequest } from './requests.js';

export type { Vocoder } from './vocoding.js';

/** Whole octaves a request at `pitch` is sampled above it so it reaches `lowest` (0 without either). */
export function octavesUp(pitch: MidiNote | undefined, lowest: MidiNote | undefined): number {
  if (pitch === undefined || lowest === undefined || pitch >= lowest) return 0;
  return Math.ceil((lowest - pitch) / 12);
}

/**
 * Requests whose pitch is below `lowest` (config.sampler.lowestPitch) with
 * the pitch raised by the fewest whole octaves that reach it, and per request
 * the octaves its audio must be played down by (0: untouched). Shared by
 * Generator.generate and the engine's OneShotSynth.
 */
export function raiseLowNotes<R extends ResolvedRequest>(resolved: readonly R[], lowest: MidiNote | undefined): { resolved: R[]; octaves: number[] } {
  const octaves: number[] = [];
  const raised = resolved.map((r): R => {
    const k = octavesUp(requestPitch(r), lowest);
    octaves.push(k);
    return k === 0 ? r : { ...r, labels: { ...r.labels, pitch: requestPitch(r)! + 12 * k } };
  });
  return { resolved: raised, octaves };
}

/** A one-shot sampled `octaves` up, played back down (the audio itself when 0). */
export function playDown(audio: Float32Array, octaves: number, sampleRate: number): Float32Array {
  return octaves === 0 ? audio : transposeOctavesDown(audio, octaves, sampleRate);
}

/** The request's pitch label, if it has one. */
export function requestPitch(r: ResolvedRequest): MidiNote | undefined {
  const p = r.labels['pitch'];
  return typeof p === 'number' ? p : undefined;
}

/** The request's class or family name (config.classes), if its label is set. */
export function requestClass(config: Pick<ModelConfig, 'kind' | 'classes'>, r: ResolvedRequest): string | undefined {
  const c = r.labels[CLASS_CONDITION[config.kind]];
  return typeof c === 'number' ? config.classes[c] : undefined;
}

export interface GeneratorOptions {
  /** Most one-shots per network call (each guided one costs two rows). Default 16. */
  maxBatch?: number;
  /** Replaces the DSP vocoder (tests, or a vocoder running elsewhere). */
  vocoder?: Vocoder;
}

export interface GenerateOptions {
  /** Progress in work units: one per solver step per batch, plus one per vocoded one-shot. */
  onProgress?: (done: number, total: number) => void;
  /** Abort between steps. */
  signal?: AbortSignal;
}

export class Generator {
  readonly config: ModelConfig;
  private net: UNet1D | null;
  private readonly maxBatch: number;
  private readonly vocoder: Vocoder;
  /** tf.memory().numTensors before loading; dispose() returns to it. */
  readonly baselineTensors: number;

  private constructor(config: ModelConfig, net: UNet1D, baseline: number, opts: GeneratorOptions) {
    this.config = config;
    this.net = net;
    this.baselineTensors = baseline;
    this.maxBatch = opts.maxBatch ?? 16;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error(`maxBatch must be a positive integer, got ${opts.maxBatch}`);
    this.vocoder = opts.vocoder ?? modelVocoder(config);
  }

  /** Load and validate a model folder onto the current tfjs backend. */
  static async load(reader: ModelReader, opts: GeneratorOptions = {}): Promise<Generator> {
    const baseline = tf.memory().numTensors;
    const { config, net } = await loadModel(reader);
    try {
      return new Generator(config, net, baseline, opts);
    } catch (e) {
      net.dispose();
      throw e;
    }
  }

  /** True until dispose(). */
  get isLoaded(): boolean {
    return this.net !== null;
  }

  /** Floats per feature (nMels · nFrames). */
  get featureSize(): number {
    return this.config.architecture.nMels * this.config.architecture.nFrames;
  }

  /**
   * Run the network once at the largest batch so kernels are compiled and
   * buffers allocated before the first user-visible generation.
   */
  async warmUp(batch = 1): Promise<void> {
    const D = this.featureSize;
    const denoise = unetDenoiser(this.requireNet());
    await denoise(new Float32Array(batch * D), new Float32Array(batch).fill(0.5), new Float32Array(batch * this.config.architecture.condDim));
  }

  /**
   * Features of the requested one-shots: Float32Array [nMels · nFrames] each,
   * mel-major, in the representation's [-1, 1] range.
   */
  async generateFeatures(requests: readonly GenerateRequest[], opts: GenerateOptions = {}): Promise<Float32Array[]> {
    return this.sampleFeatures(this.resolveAll(requests), opts, 0);
  }

  /**
   * Audio of the requested one-shots at config.representation.sampleRate (44.1 kHz), mono, −1 dBFS peak.
   * A pitched request below config.sampler.lowestPitch is sampled k octaves up
   * (the fewest that reach it) and played k octaves down by resampling: an
   * exact 2^−k ratio fixed before generation, so the note lands where the
   * model put the higher one, not on a measured correction.
   */
  async generate(requests: readonly GenerateRequest[], opts: GenerateOptions = {}): Promise<Float32Array[]> {
    const { resolved, octaves } = raiseLowNotes(this.resolveAll(requests), this.config.sampler.lowestPitch);
    const total = this.samplingUnits(resolved) + resolved.length;
    const features = await this.sampleFeatures(resolved, opts, resolved.length);
    let done = total - resolved.length;
    const cfg = this.config.representation;
    return features.map((f, i) => {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('generate: aborted');
      const audio = this.vocoder(f, cfg, requestPitch(resolved[i]!), requestClass(this.config, resolved[i]!));
      opts.onProgress?.(++done, total);
      return playDown(audio, octaves[i]!, cfg.sampleRate);
    });
  }

  /** Free the weights; numTensors returns to what it was before load(). Idempotent. */
  dispose(): void {
    this.net?.dispose();
    this.net = null;
  }

  private resolveAll(requests: readonly GenerateRequest[]): ResolvedRequest[] {
    this.requireNet();
    return requests.map((r, i) => resolveRequest(this.config, r, requests.length > 1 ? `request ${i}` : 'request'));
  }

  private samplingUnits(resolved: readonly ResolvedRequest[]): number {
    return planBatches(resolved, this.maxBatch).reduce((n, b) => n + resolved[b[0]!]!.steps, 0);
  }

  /** Sample every request, batch by batch; progress counts `extraUnits` more to come after. */
  private async sampleFeatures(resolved: readonly ResolvedRequest[], opts: GenerateOptions, extraUnits: number): Promise<Float32Array[]> {
    const net = this.requireNet();
    const { conditions, architecture: arch, descriptorStats } = this.config;
    const dim = condDim(conditions);
    const D = this.featureSize;
    const total = this.samplingUnits(resolved) + extraUnits;
    let done = 0;
    const denoise = unetDenoiser(net);
    const out = new Array<Float32Array>(resolved.length);
    for (const batch of planBatches(resolved, this.maxBatch)) {
      const first = resolved[batch[0]!]!;
      const cond = new Float32Array(batch.length * dim);
      batch.forEach((ri, b) => encodeConditions(conditions, resolved[ri]!.labels, descriptorStats, cond, b * dim));
      const x0 = await sample(denoise, {
        sampler: first.sampler,
        steps: first.steps,
        itemSize: D,
        seeds: batch.map((ri) => resolved[ri]!.seed),
        cond,
        guidance: batch.map((ri) => resolved[ri]!.guidance),
        schedule: this.config.schedule,
        signal: opts.signal,
        onProgress: () => opts.onProgress?.(++done, total),
      });
      batch.forEach((ri, b) => {
        const f = x0.slice(b * D, (b + 1) * D);
        // Back to feature space; clamp to the representation's range, as the analysis does.
        for (let j = 0; j < D; j++) f[j] = Math.min(1, Math.max(-1, f[j]! * arch.dataStd + arch.dataMean));
        out[ri] = f;
      });
    }
    return out;
  }

  private requireNet(): UNet1D {
    if (!this.net) throw new Error('Generator: used after dispose()');
    return this.net;
  }
}
