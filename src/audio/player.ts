/**
 * Main-thread side of the player worklet, on standardized-audio-context:
 * creates the context, loads the worklet module, and sends triggers and pad
 * settings over the node's MessagePort. Samples go through shared memory
 * when the page is cross-origin isolated, else by transfer over the same
 * port (transport.ts); `transport` says which.
 */
import { AudioContext, AudioWorkletNode, type IAudioContext, type IAudioWorkletNode } from 'standardized-audio-context';
import type { Hz, Seconds, Velocity } from '../units.js';
import { OUTPUT_CHANNELS, PLAYER_PROCESSOR_NAME, RENDER_QUANTUM } from './constants.js';
import type { PlayerMessage, PlayerReply, PlayerStats } from './protocol.js';
import { createSharedSampleMemory, FreeAfterTriggers, MessagePortTransport, SharedMemoryTransport, sharedMemoryAvailable, type SampleTransport, type SharedSampleMemory, type TransportKind } from './transport.js';
import type { KeyboardParams, PadParams } from './voices.js';

/** What the engine needs from a player (a fake in tests). */
export interface PlayerPort {
  upload(id: number, data: Float32Array, sampleRate: Hz): void;
  free(ids: readonly number[]): void;
  trigger(pad: number, id: number, velocity: Velocity, time?: Seconds): void;
  setPad(pad: number, params: Partial<PadParams>): void;
  setChoke(enabled: boolean): void;
}

export type ContextState = 'suspended' | 'running' | 'closed' | 'interrupted';

export interface AudioPlayerOptions {
  /**
   * Sample path: 'shared-memory' needs a cross-origin isolated page (and
   * throws without one), 'message-port' always works; default: shared memory
   * when isolated, else the port.
   */
  transport?: TransportKind;
}

export class AudioPlayer implements PlayerPort {
  /** How samples reach the worklet. */
  readonly sampleTransport: SampleTransport;
  /** Frees wait for the triggers already scheduled on their samples. */
  private readonly holds: FreeAfterTriggers;
  private holdTimer: ReturnType<typeof setTimeout> | null = null;
  private token = 0;
  private readonly waiting = new Map<number, (s: PlayerStats) => void>();
  private readonly stateListeners = new Set<(s: ContextState) => void>();
  lastError: string | null = null;

  private constructor(
    readonly context: IAudioContext,
    readonly node: IAudioWorkletNode<IAudioContext>,
    sampleMemory: SharedSampleMemory | null,
  ) {
    const post = (msg: PlayerMessage, transfer?: Transferable[]) => this.post(msg, transfer);
    this.sampleTransport = sampleMemory ? new SharedMemoryTransport(post, sampleMemory) : new MessagePortTransport(post);
    this.holds = new FreeAfterTriggers(RENDER_QUANTUM / context.sampleRate);
    node.port.onmessage = (e: MessageEvent<PlayerReply>) => {
      const r = e.data;
      if (r.type === 'stats') {
        this.waiting.get(r.token)?.(r);
        this.waiting.delete(r.token);
      } else if (r.type === 'error') {
        this.lastError = r.message;
      }
    };
    node.onprocessorerror = () => {
      this.lastError = 'the player worklet crashed';
    };
    context.onstatechange = () => {
      for (const l of this.stateListeners) l(this.state);
    };
  }

  /**
   * Create a context (suspended until a user gesture, as browsers require),
   * load the worklet from `workletUrl` and connect the player to the output.
   */
  static async create(
    workletUrl: string,
    context: IAudioContext = new AudioContext({ latencyHint: 'interactive' }),
    opts: AudioPlayerOptions = {},
  ): Promise<AudioPlayer> {
    if (!context.audioWorklet || AudioWorkletNode === undefined) throw new Error('this browser has no AudioWorklet');
    const isolated = sharedMemoryAvailable();
    if (opts.transport === 'shared-memory' && !isolated) {
      throw new Error('transport shared-memory needs a cross-origin isolated page (COOP same-origin + COEP require-corp); crossOriginIsolated is false');
    }
    const sampleMemory = isolated && opts.transport !== 'message-port' ? createSharedSampleMemory() : null;
    await context.audioWorklet.addModule(workletUrl);
    const node = new AudioWorkletNode(context, PLAYER_PROCESSOR_NAME, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [OUTPUT_CHANNELS],
      ...(sampleMemory ? { processorOptions: { sampleMemory } } : {}),
    });
    node.connect(context.destination);
    return new AudioPlayer(context, node, sampleMemory);
  }

  /** Which path samples take ('shared-memory' or 'message-port'), for the status line. */
  get transport(): TransportKind {
    return this.sampleTransport.kind;
  }

  get state(): ContextState {
    return this.context.state as ContextState;
  }

  get sampleRate(): Hz {
    return this.context.sampleRate;
  }

  onStateChange(cb: (s: ContextState) => void): () => void {
    this.stateListeners.add(cb);
    cb(this.state);
    return () => this.stateListeners.delete(cb);
  }

  /** Resume after a user gesture (no-op when running). */
  async resume(): Promise<void> {
    if (this.context.state !== 'running') await this.context.resume();
  }

  upload(id: number, data: Float32Array, sampleRate: Hz): void {
    this.sampleTransport.upload(id, data, sampleRate);
  }

  free(ids: readonly number[]): void {
    this.sampleTransport.free(this.holds.free(ids, this.context.currentTime));
    this.armHolds();
  }

  /** Send held frees once their triggers have started (the context clock may be suspended: re-arm until then). */
  private armHolds(): void {
    if (this.holdTimer !== null) return;
    const next = this.holds.nextDue;
    if (next === null) return;
    const ms = Math.max(5, (next - this.context.currentTime) * 1000 + 5);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      const go = this.holds.due(this.context.currentTime);
      if (go.length > 0) this.sampleTransport.free(go);
      this.armHolds();
    }, ms);
  }

  /** Play sample `id` on `pad`; `time` in context seconds, default now (the next quantum). */
  trigger(pad: number, id: number, velocity: Velocity, time: Seconds = this.context.currentTime): void {
    this.holds.trigger(id, time, this.context.currentTime);
    this.post({ type: 'trigger', pad, id, velocity, time });
  }

  setPad(pad: number, params: Partial<PadParams>): void {
    this.post({ type: 'pad', pad, params });
  }

  setChoke(enabled: boolean): void {
    this.post({ type: 'choke', enabled });
  }

  /** Pitched note on MIDI channel 1–16: sample `id` transposed by `semitones`; `time` in context seconds, default now. */
  noteOn(channel: number, note: number, id: number, velocity: Velocity, semitones: number, time: Seconds = this.context.currentTime): void {
    this.holds.trigger(id, time, this.context.currentTime); // a free of this sample waits for the note to start, as for a pad trigger
    this.post({ type: 'note-on', channel, note, id, velocity, semitones, time });
  }

  noteOff(channel: number, note: number, time: Seconds = this.context.currentTime): void {
    this.post({ type: 'note-off', channel, note, time });
  }

  sustain(channel: number, down: boolean, time: Seconds = this.context.currentTime): void {
    this.post({ type: 'sustain', channel, down, time });
  }

  /** Pitch bend in semitones (0 = centre). */
  bend(channel: number, semitones: number, time: Seconds = this.context.currentTime): void {
    this.post({ type: 'bend', channel, semitones, time });
  }

  setKeyboard(params: Partial<KeyboardParams>): void {
    this.post({ type: 'keyboard', params });
  }

  stop(): void {
    this.post({ type: 'stop' });
  }

  /** Ask the worklet for its counters and output peak since the last query. */
  query(timeoutMs = 1000): Promise<PlayerStats> {
    const token = ++this.token;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new Error('the player worklet did not answer'));
      }, timeoutMs);
      this.waiting.set(token, (s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.post({ type: 'query', token });
    });
  }

  async close(): Promise<void> {
    if (this.holdTimer !== null) clearTimeout(this.holdTimer);
    this.node.disconnect();
    if (this.context.state !== 'closed') await this.context.close();
  }

  private post(msg: PlayerMessage, transfer: Transferable[] = []): void {
    this.node.port.postMessage(msg, transfer);
  }
}
