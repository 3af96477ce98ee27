/**
 * The instrument's main-thread engine: a kit, the variation pool, the
 * generation client and the player, wired together. It decides nothing about
 * DSP or the network; it moves one-shots from the worker to the worklet in
 * the order the pool asks for, and turns hits into triggers.
 */
import { GENERATION_WINDOW } from '../audio/constants.js';
import type { PlayerPort } from '../audio/player.js';
import type { DescriptorName } from '../constants.js';
import type { Seconds, Velocity } from '../units.js';
import type { GeneratorClient } from './generator-client.js';
import { padParams, padSound, type Kit, type KitPad } from './kit.js';
import { VariationPool, type PadPoolState, type PoolJob } from './pool.js';
import type { ModelInfo } from './protocol.js';

export interface EngineOptions {
  kit: Kit;
  client: GeneratorClient;
  player: PlayerPort;
  /** Ready variations per pad. */
  variations?: number;
  /** Jobs kept out at the worker at once. */
  window?: number;
  /** Monotonic clock (ms). */
  now?: () => number;
}

export type EngineChange =
  | { type: 'kit' }
  | { type: 'pads' }
  | { type: 'hit'; pad: number; velocity: Velocity; played: boolean }
  /** A one-shot of a pad's current sound arrived (variation `index`; 0 = the seed sound). Emitted before the player takes the audio. */
  | { type: 'sample'; pad: number; index: number; audio: Float32Array; sampleRate: number }
  | { type: 'error'; message: string };

export class DrumEngine {
  kit: Kit;
  readonly pool: VariationPool;
  readonly client: GeneratorClient;
  private readonly player: PlayerPort;
  private readonly window: number;
  private readonly now: () => number;
  private readonly inFlight = new Map<number, PoolJob>();
  private readonly listeners = new Set<(c: EngineChange) => void>();
  private nextSampleId = 1;
  private model: ModelInfo | null = null;
  private pumpQueued = false;
  /** Descriptor targets per pad class (the timbre knobs); null or undefined = left to the model. */
  private descriptorsFor: ((pad: number, cls: string) => Readonly<Record<DescriptorName, number>> | undefined) | null = null;
  /** The model folder in use (set by start()). */
  modelUrl: string | null = null;

  constructor(opts: EngineOptions) {
    this.kit = structuredClone(opts.kit);
    this.client = opts.client;
    this.player = opts.player;
    this.window = opts.window ?? GENERATION_WINDOW;
    this.now = opts.now ?? (() => performance.now());
    this.pool = new VariationPool({ size: opts.variations });
  }

  get modelInfo(): ModelInfo | null {
    return this.model;
  }

  /** Load the model (URL from the kit unless given), map every pad and start generating. */
  async start(opts: { modelUrl?: string; backends?: string[] } = {}): Promise<ModelInfo> {
    this.modelUrl = opts.modelUrl ?? this.kit.model;
    this.model = await this.client.init(this.modelUrl, { backends: opts.backends });
    if (this.model.kind !== 'drums') throw new Error(`the pads need a drums model; ${opts.modelUrl ?? this.kit.model} is a ${this.model.kind} model`);
    this.player.setChoke(this.kit.chokeHats);
    for (let i = 0; i < this.kit.pads.length; i++) this.applyPad(i);
    this.schedulePump();
    return this.model;
  }

  /** Play a pad. Returns false when it has no sound yet. */
  hit(pad: number, velocity: Velocity, time?: Seconds): boolean {
    if (!(velocity > 0)) return false;
    const id = this.pool.hit(pad, this.now());
    const played = id !== null;
    if (played) this.player.trigger(pad, id, velocity, time);
    this.freeDropped();
    this.emit({ type: 'hit', pad, velocity, played });
    this.schedulePump();
    return played;
  }

  padState(pad: number): PadPoolState {
    return this.pool.state(pad);
  }

  /** Change global settings; pads regenerate in the background. */
  setGlobals(patch: Partial<Kit['globals']>): void {
    this.kit.globals = { ...this.kit.globals, ...patch };
    for (let i = 0; i < this.kit.pads.length; i++) this.applyPad(i);
    this.emit({ type: 'kit' });
    this.schedulePump();
  }

  /** Change one pad (class, seed, mix). Sound changes regenerate; mix changes apply at the next hit. */
  setPad(pad: number, patch: Partial<KitPad>): void {
    const cur = this.kit.pads[pad];
    if (!cur) return;
    this.kit.pads[pad] = { ...cur, ...patch };
    this.applyPad(pad);
    this.emit({ type: 'kit' });
    this.schedulePump();
  }

  setChokeHats(on: boolean): void {
    this.kit.chokeHats = on;
    this.player.setChoke(on);
    this.emit({ type: 'kit' });
  }

  /** Replace the kit (same model); every pad regenerates as needed. */
  loadKit(kit: Kit): void {
    this.kit = structuredClone(kit);
    this.player.setChoke(kit.chokeHats);
    for (let i = 0; i < kit.pads.length; i++) this.applyPad(i);
    this.emit({ type: 'kit' });
    this.schedulePump();
  }

  /** Set how each pad's class maps to descriptor targets (null: none); pads whose targets change regenerate. */
  setDescriptors(fn: ((pad: number, cls: string) => Readonly<Record<DescriptorName, number>> | undefined) | null): void {
    this.descriptorsFor = fn;
    for (let i = 0; i < this.kit.pads.length; i++) this.applyPad(i);
    this.emit({ type: 'kit' });
    this.schedulePump();
  }

  /** Clear pad errors and try again. */
  retry(): void {
    this.pool.retry();
    this.schedulePump();
  }

  onChange(cb: (c: EngineChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private applyPad(pad: number): void {
    this.player.setPad(pad, padParams(this.kit, pad));
    if (!this.model) return;
    const before = this.pool.sound(pad);
    const m = this.model;
    const sound = padSound(this.kit, pad, { guidance: m.defaultGuidance, steps: m.defaultSteps, ...(m.classGuidance ? { classGuidance: m.classGuidance } : {}) });
    const descriptors = this.descriptorsFor?.(pad, sound.class);
    if (descriptors) sound.descriptors = descriptors;
    this.pool.setPad(pad, sound);
    if (this.pool.sound(pad) !== before) {
      // The pad's sound changed: its jobs still out are stale; stop them.
      const stale = [...this.inFlight].filter(([, j]) => j.pad === pad).map(([id]) => id);
      for (const id of stale) this.inFlight.delete(id);
      this.client.cancel(stale);
    }
    this.freeDropped();
  }

  /** Coalesce: results that arrive together, or several knob changes, make one request to the worker. */
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.model || this.client.status.state === 'failed') return;
    const free = this.window - this.inFlight.size;
    if (free <= 0) return;
    const jobs = this.pool.nextJobs(free, this.now());
    if (jobs.length === 0) return;
    const handles = this.client.generateMany(jobs.map((j) => j.request));
    handles.forEach(({ id, done }, i) => {
      const job = jobs[i]!;
      this.inFlight.set(id, job);
      done.then(
        (r) => {
          if (!this.inFlight.delete(id)) return;
          const sid = this.nextSampleId++;
          if (this.pool.deliver(job, sid)) {
            this.emit({ type: 'sample', pad: job.pad, index: job.index, audio: r.audio, sampleRate: r.sampleRate });
            this.player.upload(sid, r.audio, r.sampleRate);
          }
          this.freeDropped();
          this.emit({ type: 'pads' });
          this.schedulePump();
        },
        (e: unknown) => {
          if (!this.inFlight.delete(id)) return; // cancelled by us
          const message = e instanceof Error ? e.message : String(e);
          this.pool.fail(job, message);
          this.emit({ type: 'error', message: `pad ${job.pad + 1}: ${message}` });
          this.emit({ type: 'pads' });
          this.schedulePump();
        },
      );
    });
    this.emit({ type: 'pads' });
  }

  private freeDropped(): void {
    const ids = this.pool.drainFreed();
    if (ids.length > 0) this.player.free(ids);
  }

  private emit(c: EngineChange): void {
    for (const l of this.listeners) l(c);
  }
}
