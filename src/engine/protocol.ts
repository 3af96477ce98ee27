/**
 * The typed message protocol between the main thread (generator-client.ts)
 * and the generation worker (generation.worker.ts). Audio travels as a
 * transferred Float32Array.
 */
import type { GenerateRequest } from '../model/requests.js';
import type { ModelKind } from '../model/config.js';
import type { Seed } from '../model/prng.js';
import type { Hz } from '../units.js';

/** A one-shot request: the model's GenerateRequest plus a variation of its noise. */
export interface SynthRequest extends GenerateRequest {
  /**
   * Blend the seed's initial noise with a second draw: noise = cos(θ)·ε(seed) + sin(θ)·ε(variation.seed),
   * θ = amount·π/2. amount 0 is exactly the seed sound; 1 is the second seed's sound.
   */
  variation?: { seed: Seed; amount: number };
}

/** tfjs backends, in the order the worker tries them by default. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/** One backend attempt, for the status line. */
export interface BackendAttempt {
  backend: string;
  ok: boolean;
  /** Why it was not used or was left (empty when ok). */
  reason: string;
}

export interface ModelInfo {
  kind: ModelKind;
  classes: string[];
  sampleRate: Hz;
  /** One-shot length (samples). */
  length: number;
  nMels: number;
  nFrames: number;
  params: number;
  defaultSteps: number;
  defaultGuidance: number;
  /** Per-class default guidance (config sampler.classGuidance) where it differs from defaultGuidance. */
  classGuidance?: Readonly<Record<string, number>>;
}

/** Main → worker. */
export type WorkerRequest =
  | {
      type: 'init';
      /** URL of the model folder (config.json, model.json, shards). */
      modelUrl: string;
      /** Backends to try, in order; BACKEND_ORDER when omitted. */
      backends?: string[];
      /** Most one-shots per network call. */
      maxBatch?: number;
    }
  | { type: 'generate'; jobs: { id: number; request: SynthRequest }[] }
  | { type: 'cancel'; ids: number[] }
  /** Diagnostics and tests: make the current backend fail at its next network call, as a lost device would. */
  | { type: 'fail-backend'; reason?: string }
  | { type: 'dispose' };

/** Worker → main. */
export type WorkerEvent =
  /** A backend was chosen (at start or after a failure). */
  | { type: 'backend'; backend: string; reason: string; attempts: BackendAttempt[] }
  /** Model loaded and warmed up on `backend`; generation can start. */
  | { type: 'ready'; backend: string; model: ModelInfo; loadMs: number; warmUpMs: number }
  /** Queue state: one-shots waiting and in the running batch; progress of the running batch in 0–1. */
  | { type: 'progress'; queued: number; running: number; progress: number }
  | {
      type: 'result';
      id: number;
      audio: Float32Array;
      sampleRate: Hz;
      backend: string;
      /** This one-shot's share of its batch (ms). */
      ms: number;
      /** Wall time of the whole batch (ms). */
      batchMs: number;
      batchSize: number;
    }
  /** A job failed (bad request); `id` absent for worker-level errors. */
  | { type: 'error'; id?: number; message: string }
  /** No backend could run the model: nothing more will be generated. */
  | { type: 'fatal'; message: string; attempts: BackendAttempt[] };
