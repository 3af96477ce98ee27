/**
 * The generation worker's logic, free of worker globals so Node tests can
 * drive it: backend selection with fallback, the job queue, batching,
 * timings, and recovery from a failed backend without losing queued work.
 *
 * Backends are tried in order (WebGPU → WebGL → WASM → CPU by default). A
 * backend counts as ready only when tf.setBackend() returned true, the model
 * loaded on it and one warm-up call ran. When a network call fails (a lost
 * WebGPU device, a shader that does not compile, non-finite output), the
 * batch goes back to the head of the queue, the next backend is brought up,
 * and the queue continues there. A backend that reports its own loss
 * (GPUDevice.lost, through `watch`) has its running batch requeued at once,
 * without waiting for a call that may never settle on the lost device.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelReader } from '../model/loader.js';
import type { BackendAttempt, SynthRequest, WorkerEvent } from './protocol.js';
import type { OneShotSynth } from './synth.js';

export interface GenerationServiceOptions {
  /** Backend names, in order of preference. */
  backends: readonly string[];
  /** Load the model onto the active backend. */
  load: () => Promise<OneShotSynth>;
  post: (ev: WorkerEvent, transfer?: Transferable[]) => void;
  /** Make a backend current; resolves with '' on success or the reason it cannot be used. */
  activate?: (backend: string) => Promise<string>;
  /** Called once a backend is in use, to watch for its loss (e.g. GPUDevice.lost). */
  watch?: (backend: string, onLost: (reason: string) => void) => void;
  /** Most one-shots per network call. */
  maxBatch?: number;
  /** Milliseconds clock. */
  now?: () => number;
  /** Minimum interval between progress events (ms). */
  progressIntervalMs?: number;
}

interface Job {
  id: number;
  request: SynthRequest;
}

/** Default activation: tf.setBackend, checking its boolean, then tf.ready(). */
export async function activateBackend(name: string): Promise<string> {
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') returned false`;
    await tf.ready();
    if (tf.getBackend() !== name) return `tfjs is on '${tf.getBackend()}' after setBackend('${name}')`;
    return '';
  } catch (e) {
    return oneLine(e);
  }
}

export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

export class GenerationService {
  private readonly opts: Required<Omit<GenerationServiceOptions, 'watch'>> & Pick<GenerationServiceOptions, 'watch'>;
  private queue: Job[] = [];
  private running: Job[] = [];
  private readonly cancelled = new Set<number>();
  private synth: OneShotSynth | null = null;
  private backendIndex = -1;
  private busy = false;
  private disposed = false;
  private injectedFailure: string | null = null;
  private lost: string | null = null;
  /** Set while a batch runs: rejects its wait when the backend reports its loss. */
  private abandonBatch: ((reason: string) => void) | null = null;
  private lastProgress = 0;
  readonly attempts: BackendAttempt[] = [];

  constructor(opts: GenerationServiceOptions) {
    this.opts = {
      activate: activateBackend,
      maxBatch: 8,
      now: () => performance.now(),
      progressIntervalMs: 100,
      ...opts,
    };
  }

  get backend(): string | null {
    return this.synth ? this.opts.backends[this.backendIndex] ?? null : null;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Bring up the first backend that works. Resolves true when ready. */
  async init(): Promise<boolean> {
    const ok = await this.bringUp(0, '');
    if (ok) void this.pump();
    return ok;
  }

  enqueue(jobs: readonly Job[]): void {
    if (this.disposed) return;
    for (const j of jobs) this.cancelled.delete(j.id);
    this.queue.push(...jobs);
    this.postProgress(0, true);
    void this.pump();
  }

  /** Drop queued jobs; running ones finish but their results are not posted. */
  cancel(ids: readonly number[]): void {
    const set = new Set(ids);
    this.queue = this.queue.filter((j) => !set.has(j.id));
    for (const j of this.running) if (set.has(j.id)) this.cancelled.add(j.id);
    this.postProgress(0, true);
  }

  /** Make the current backend's next network call fail (diagnostics, tests). */
  failBackend(reason = 'simulated backend failure'): void {
    this.injectedFailure = reason;
  }

  /**
   * The backend reported its own loss (e.g. GPUDevice.lost): leave it at the next chance.
   * A batch running on it is abandoned at once and goes back to the head of the queue:
   * on a lost device a read-back may never settle, and the queue must not wait on it.
   */
  backendLost(backend: string, reason: string): void {
    if (backend !== this.backend) return;
    this.lost = reason;
    this.abandonBatch?.(reason);
    if (!this.busy) void this.pump();
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.synth?.dispose();
    this.synth = null;
  }

  /** Try backends from index `from`; `why` explains why we are moving (empty at start). */
  private async bringUp(from: number, why: string): Promise<boolean> {
    const { backends, activate, load } = this.opts;
    const failedHere: BackendAttempt[] = [];
    for (let i = from; i < backends.length; i++) {
      const name = backends[i]!;
      const t0 = this.opts.now();
      let reason = await activate(name).catch((e: unknown) => oneLine(e) || 'activation failed');
      let synth: OneShotSynth | null = null;
      let loadMs = 0;
      let warmUpMs = 0;
      if (!reason) {
        try {
          synth = await load();
          loadMs = this.opts.now() - t0;
          const t1 = this.opts.now();
          await synth.warmUp(Math.min(2, this.opts.maxBatch));
          warmUpMs = this.opts.now() - t1;
        } catch (e) {
          reason = `model failed on ${name}: ${oneLine(e)}`;
          try {
            synth?.dispose();
          } catch {
            /* the backend is broken; its tensors go with it */
          }
          synth = null;
        }
      }
      if (!synth) {
        const a = { backend: name, ok: false, reason };
        this.attempts.push(a);
        failedHere.push(a);
        continue;
      }
      this.attempts.push({ backend: name, ok: true, reason: '' });
      this.synth = synth;
      this.backendIndex = i;
      this.lost = null;
      const skipped = failedHere.map((a) => `${a.backend} unavailable (${a.reason})`);
      const because = [why, ...skipped].filter(Boolean).join('; ') || 'first choice';
      this.opts.post({ type: 'backend', backend: name, reason: because, attempts: [...this.attempts] });
      this.opts.post({ type: 'ready', backend: name, model: synth.info, loadMs, warmUpMs });
      this.opts.watch?.(name, (r) => this.backendLost(name, r));
      return true;
    }
    this.synth = null;
    this.backendIndex = backends.length;
    const msg = `no backend can run the model: ${this.attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`).join('; ')}`;
    this.opts.post({ type: 'fatal', message: msg, attempts: [...this.attempts] });
    return false;
  }

  /** Leave the current backend for the next one; the caller has already requeued its work. */
  private async fallBack(reason: string): Promise<boolean> {
    const from = this.backend ?? '?';
    for (let i = this.attempts.length - 1; i >= 0; i--) {
      const a = this.attempts[i]!;
      if (a.ok && a.backend === from) {
        a.ok = false;
        a.reason = reason;
        break;
      }
    }
    try {
      this.synth?.dispose();
    } catch {
      /* a lost device may refuse even this */
    }
    this.synth = null;
    return this.bringUp(this.backendIndex + 1, `${from} failed (${reason})`);
  }

  private takeBatch(): Job[] {
    const first = this.queue.shift()!;
    const batch = [first];
    const steps = first.request.steps;
    for (let i = 0; i < this.queue.length && batch.length < this.opts.maxBatch; ) {
      if (this.queue[i]!.request.steps === steps) batch.push(...this.queue.splice(i, 1));
      else i++;
    }
    return batch;
  }

  private async pump(): Promise<void> {
    if (this.busy || this.disposed) return;
    this.busy = true;
    // Let requests posted together arrive before the first batch is cut.
    await new Promise((r) => setTimeout(r, 0));
    try {
      while (this.synth && !this.disposed) {
        if (this.lost !== null) {
          const why = this.lost;
          if (!(await this.fallBack(why))) break;
          continue;
        }
        if (this.queue.length === 0) break;
        const synth = this.synth;
        const valid: Job[] = [];
        for (const job of this.takeBatch()) {
          try {
            synth.validate(job.request);
            valid.push(job);
          } catch (e) {
            this.opts.post({ type: 'error', id: job.id, message: oneLine(e) });
          }
        }
        if (valid.length === 0) continue;
        this.running = valid;
        this.postProgress(0, true);
        const t0 = this.opts.now();
        let audio: Float32Array[];
        try {
          if (this.injectedFailure !== null) {
            const r = this.injectedFailure;
            this.injectedFailure = null;
            throw new Error(r);
          }
          const running = synth.generate(
            valid.map((j) => j.request),
            { onProgress: (f) => this.postProgress(f, false) },
          );
          const abandoned = new Promise<never>((_, reject) => {
            this.abandonBatch = (reason) => reject(new Error(reason));
          });
          // Whichever loses the race settles unobserved; neither may surface as an unhandled rejection.
          running.catch(() => {});
          abandoned.catch(() => {});
          audio = await Promise.race([running, abandoned]);
          if (this.lost !== null) throw new Error(this.lost);
        } catch (e) {
          this.abandonBatch = null;
          const reason = oneLine(e);
          this.running = [];
          const keep = valid.filter((j) => !this.cancelled.has(j.id));
          if (this.backendIndex + 1 < this.opts.backends.length) {
            this.queue.unshift(...keep);
            if (!(await this.fallBack(reason))) break;
          } else {
            // Nowhere left to go: these jobs fail, the rest of the queue carries on here.
            for (const j of keep) this.opts.post({ type: 'error', id: j.id, message: `generation failed on ${this.backend}: ${reason}` });
          }
          continue;
        }
        this.abandonBatch = null;
        const batchMs = this.opts.now() - t0;
        const backend = this.backend ?? '?';
        const sampleRate = synth.config.representation.sampleRate;
        valid.forEach((j, i) => {
          if (this.cancelled.delete(j.id)) return;
          const a = audio[i]!;
          this.opts.post(
            { type: 'result', id: j.id, audio: a, sampleRate, backend, ms: batchMs / valid.length, batchMs, batchSize: valid.length },
            [a.buffer as ArrayBuffer],
          );
        });
        this.running = [];
      }
    } finally {
      this.busy = false;
      this.abandonBatch = null;
      this.running = [];
      // Only once every backend has failed is there nowhere to run queued jobs (before init they just wait).
      if (this.synth === null && this.backendIndex >= this.opts.backends.length && this.queue.length > 0) {
        for (const j of this.queue) this.opts.post({ type: 'error', id: j.id, message: 'no backend left to run the model' });
        this.queue = [];
      }
      this.postProgress(0, true);
    }
  }

  private postProgress(progress: number, force: boolean): void {
    const t = this.opts.now();
    if (!force && t - this.lastProgress < this.opts.progressIntervalMs) return;
    this.lastProgress = t;
    this.opts.post({ type: 'progress', queued: this.queue.length, running: this.running.length, progress });
  }
}

/** A reader that fetches each file once, so a backend switch reloads the model without the network. */
export function cachingReader(inner: ModelReader): ModelReader {
  const text = new Map<string, Promise<string>>();
  const bin = new Map<string, Promise<ArrayBuffer>>();
  const memo = <T>(m: Map<string, Promise<T>>, file: string, get: () => Promise<T>): Promise<T> => {
    let p = m.get(file);
    if (!p) {
      p = get();
      p.catch(() => m.delete(file));
      m.set(file, p);
    }
    return p;
  };
  return {
    describe: (f) => inner.describe(f),
    readText: (f) => memo(text, f, () => inner.readText(f)),
    // decodeWeights does not keep the buffer, but hand out a copy so no caller can detach the cached one.
    readBinary: async (f) => (await memo(bin, f, () => inner.readBinary(f))).slice(0),
  };
}
