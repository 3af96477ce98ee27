/**
 * Main-thread side of the generation worker: typed requests, one promise per
 * one-shot, and status callbacks (backend, progress, timings).
 */
import type { BackendAttempt, ModelInfo, SynthRequest, WorkerEvent, WorkerRequest } from './protocol.js';

/** What a Worker offers that the client uses (a fake in tests). */
export interface WorkerLike {
  postMessage(msg: WorkerRequest, transfer?: Transferable[]): void;
  addEventListener(type: 'message', cb: (e: MessageEvent<WorkerEvent>) => void): void;
  addEventListener(type: 'error', cb: (e: ErrorEvent) => void): void;
  terminate(): void;
}

export interface GeneratedOneShot {
  audio: Float32Array;
  sampleRate: number;
  backend: string;
  ms: number;
  batchMs: number;
  batchSize: number;
}

export interface GeneratorStatus {
  /** 'loading' until the first backend is ready; 'failed' when none can run the model. */
  state: 'idle' | 'loading' | 'ready' | 'failed';
  backend: string | null;
  /** Why this backend (first choice, or what failed before it). */
  reason: string;
  attempts: BackendAttempt[];
  model: ModelInfo | null;
  loadMs: number;
  warmUpMs: number;
  /** One-shots waiting in the worker, and in its running batch. */
  queued: number;
  running: number;
  /** Progress of the running batch, 0–1. */
  progress: number;
  /** Per-one-shot generation time (ms): the last and the mean over this session. */
  lastMs: number | null;
  meanMs: number | null;
  generated: number;
  error: string | null;
}

/** Create the module worker (vite bundles it). */
export function createGenerationWorker(): Worker {
  return new Worker(new URL('./generation.worker.ts', import.meta.url), { type: 'module', name: 'generation' });
}

export class GeneratorClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: GeneratedOneShot) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(s: GeneratorStatus) => void>();
  private readyWaiters: { resolve: (m: ModelInfo) => void; reject: (e: Error) => void }[] = [];
  private totalMs = 0;
  readonly status: GeneratorStatus = {
    state: 'idle', backend: null, reason: '', attempts: [], model: null, loadMs: 0, warmUpMs: 0,
    queued: 0, running: 0, progress: 0, lastMs: null, meanMs: null, generated: 0, error: null,
  };

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener('message', (e) => this.onEvent(e.data));
    worker.addEventListener('error', (e) => {
      // A module that fails to load reports an ErrorEvent without a message.
      const message = `generation worker ${this.status.state === 'loading' ? 'failed to start' : 'crashed'}: ${e.message ? `${e.message}${e.filename ? ` (${e.filename.split('/').pop()}:${e.lineno})` : ''}` : 'no details (see the browser console)'}`;
      this.update({ state: 'failed', error: message, backend: null });
      this.failAll(message);
    });
  }

  /** Load the model; resolves once a backend is warmed up. */
  init(modelUrl: string, opts: { backends?: string[]; maxBatch?: number } = {}): Promise<ModelInfo> {
    this.update({ state: 'loading', error: null });
    const p = new Promise<ModelInfo>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    this.send({ type: 'init', modelUrl, ...opts });
    return p;
  }

  /** Generate one one-shot. The id lets the caller cancel it. */
  generate(request: SynthRequest): { id: number; done: Promise<GeneratedOneShot> } {
    const id = this.nextId++;
    const done = new Promise<GeneratedOneShot>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ type: 'generate', jobs: [{ id, request }] });
    return { id, done };
  }

  /** Generate several in one message (the worker batches them). */
  generateMany(requests: readonly SynthRequest[]): { id: number; done: Promise<GeneratedOneShot> }[] {
    const out = requests.map((request) => {
      const id = this.nextId++;
      const done = new Promise<GeneratedOneShot>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      return { id, request, done };
    });
    if (out.length > 0) this.send({ type: 'generate', jobs: out.map(({ id, request }) => ({ id, request })) });
    return out.map(({ id, done }) => ({ id, done }));
  }

  /** Cancel jobs; their promises reject with an AbortError. */
  cancel(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.send({ type: 'cancel', ids: [...ids] });
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      p.reject(new DOMException('cancelled', 'AbortError'));
    }
  }

  /** Diagnostics: make the worker's current backend fail at its next call. */
  failBackend(reason?: string): void {
    this.send({ type: 'fail-backend', reason });
  }

  onStatus(cb: (s: GeneratorStatus) => void): () => void {
    this.listeners.add(cb);
    cb(this.status);
    return () => this.listeners.delete(cb);
  }

  dispose(): void {
    try {
      this.send({ type: 'dispose' });
    } finally {
      this.worker.terminate();
      this.failAll('generator disposed');
    }
  }

  private send(msg: WorkerRequest): void {
    this.worker.postMessage(msg);
  }

  private onEvent(ev: WorkerEvent): void {
    switch (ev.type) {
      case 'backend':
        this.update({ backend: ev.backend, reason: ev.reason, attempts: ev.attempts });
        break;
      case 'ready':
        this.update({ state: 'ready', backend: ev.backend, model: ev.model, loadMs: ev.loadMs, warmUpMs: ev.warmUpMs });
        for (const w of this.readyWaiters) w.resolve(ev.model);
        this.readyWaiters = [];
        break;
      case 'progress':
        this.update({ queued: ev.queued, running: ev.running, progress: ev.progress });
        break;
      case 'result': {
        const p = this.pending.get(ev.id);
        this.totalMs += ev.ms;
        const generated = this.status.generated + 1;
        this.update({ lastMs: ev.ms, meanMs: this.totalMs / generated, generated });
        if (!p) return;
        this.pending.delete(ev.id);
        p.resolve({ audio: ev.audio, sampleRate: ev.sampleRate, backend: ev.backend, ms: ev.ms, batchMs: ev.batchMs, batchSize: ev.batchSize });
        break;
      }
      case 'error': {
        if (ev.id === undefined) {
          // Worker-level trouble it survived; a model that cannot run at all arrives as 'fatal'.
          this.update({ error: ev.message });
          return;
        }
        const p = this.pending.get(ev.id);
        if (!p) return;
        this.pending.delete(ev.id);
        p.reject(new Error(ev.message));
        break;
      }
      case 'fatal':
        this.update({ state: 'failed', error: ev.message, attempts: ev.attempts, backend: null });
        this.failAll(ev.message);
        break;
    }
  }

  private failAll(message: string): void {
    for (const w of this.readyWaiters) w.reject(new Error(message));
    this.readyWaiters = [];
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  private update(patch: Partial<GeneratorStatus>): void {
    Object.assign(this.status, patch);
    for (const l of this.listeners) l(this.status);
  }
}
