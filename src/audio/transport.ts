/**
 * How one-shots travel from the main thread to the player AudioWorklet, behind
 * one interface (SampleTransport: upload / free):
 *
 * - 'shared-memory' (the page is cross-origin isolated, so SharedArrayBuffer
 *   exists): a pool of fixed-size sample slots in one SharedArrayBuffer, each
 *   with a header (state, length, sequence number, sample id; sample rate),
 *   and two lock-free SPSC index queues: main → worklet "ready" (a filled
 *   slot) and worklet → main "released" (a slot no voice reads any more). The
 *   worklet polls "ready" at the start of process() without allocating
 *   (transport-consumer.ts). A sample too long for a slot, or one arriving
 *   while every slot is taken, goes over the MessagePort instead and is
 *   counted: it still plays.
 * - 'message-port' (no isolation): the Float32Array is transferred in a
 *   {type:'sample'} message, as before.
 *
 * A slot is written only by the main thread while it owns it (free, never
 * published or given back through "released"), and read only by the worklet
 * between "ready" and "released": the queues hand ownership over, so no lock
 * is needed and a slot is never reused while a voice may still read it.
 */
import type { Hz } from '../units.js';
import { SAMPLE_SLOT_LENGTH, SAMPLE_SLOTS } from './constants.js';
import type { PlayerMessage } from './protocol.js';
import { nextPowerOfTwo, SpscQueue, spscByteLength } from './spsc.js';

/** Which path samples take; the UI shows it. */
export type TransportKind = 'shared-memory' | 'message-port';

/** Int32 words per slot header. */
export const SLOT_HEADER_WORDS = 4;
/** Header word: slot state (SlotState). */
export const SLOT_STATE = 0;
/** Header word: samples written (≤ slot length). */
export const SLOT_LENGTH = 1;
/** Header word: how many times the slot has been filled (wraps at 2^31); tells one use from the next. */
export const SLOT_SEQ = 2;
/** Header word: the sample id the main thread chose. */
export const SLOT_ID = 3;

/** Who owns a slot, as recorded in its header. */
export const SlotState = {
  /** The main thread's, unused. */
  Free: 0,
  /** The main thread is copying into it. */
  Writing: 1,
  /** Published on the ready queue; the worklet's from now on. */
  Ready: 2,
  /** Registered by the worklet; triggers may play it. */
  Live: 3,
  /** Freed by the main thread; the worklet waits for its voices to finish. */
  Freeing: 4,
  /** On the released queue; the main thread's again once it drains it. */
  Released: 5,
} as const;

/** What the worklet needs to attach to the same memory (structured-cloneable; goes in processorOptions). */
export interface SharedSampleMemory {
  buffer: SharedArrayBuffer | ArrayBuffer;
  slots: number;
  /** Samples per slot. */
  slotLength: number;
}

/** Byte offsets of each region in a shared sample pool. */
export interface SharedLayout {
  queueCapacity: number;
  ready: number;
  released: number;
  headers: number;
  rates: number;
  data: number;
  byteLength: number;
}

/** Where the regions of a pool with `slots` slots of `slotLength` samples lie. */
export function sharedLayout(slots: number, slotLength: number): SharedLayout {
  if (!Number.isInteger(slots) || slots < 1) throw new Error(`sample transport: slots must be a positive integer, got ${slots}`);
  if (!Number.isInteger(slotLength) || slotLength < 1) throw new Error(`sample transport: slotLength must be a positive integer (samples), got ${slotLength}`);
  // Every slot is in at most one queue at a time, so a queue of ≥ slots entries never fills.
  const queueCapacity = nextPowerOfTwo(slots);
  const q = spscByteLength(queueCapacity);
  const ready = 0;
  const released = ready + q;
  const headers = released + q;
  const rates = headers + align8(slots * SLOT_HEADER_WORDS * 4);
  const data = rates + slots * 8;
  return { queueCapacity, ready, released, headers, rates, data, byteLength: data + slots * slotLength * 4 };
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** A new, empty pool (SharedArrayBuffer unless `shared` is false, for single-threaded tests). */
export function createSharedSampleMemory(slots: number = SAMPLE_SLOTS, slotLength: number = SAMPLE_SLOT_LENGTH, shared = true): SharedSampleMemory {
  const { byteLength } = sharedLayout(slots, slotLength);
  return { buffer: shared ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength), slots, slotLength };
}

/** The views both sides build over a pool. */
export interface SharedViews {
  readonly ready: SpscQueue;
  readonly released: SpscQueue;
  readonly headers: Int32Array;
  readonly rates: Float64Array;
  readonly slots: number;
  readonly slotLength: number;
  readonly buffer: ArrayBufferLike;
  readonly dataOffset: number;
}

export function sharedViews(mem: SharedSampleMemory): SharedViews {
  const { slots, slotLength, buffer } = mem;
  const L = sharedLayout(slots, slotLength);
  if (!buffer || buffer.byteLength !== L.byteLength) {
    throw new Error(`sample transport: buffer has ${buffer?.byteLength ?? 0} bytes, ${slots} slots of ${slotLength} samples need ${L.byteLength}`);
  }
  return {
    ready: new SpscQueue(buffer, L.ready, L.queueCapacity),
    released: new SpscQueue(buffer, L.released, L.queueCapacity),
    headers: new Int32Array(buffer, L.headers, slots * SLOT_HEADER_WORDS),
    rates: new Float64Array(buffer, L.rates, slots),
    slots,
    slotLength,
    buffer,
    dataOffset: L.data,
  };
}

/** Counters of a transport, for the status line and the benches. */
export interface TransportStats {
  /** Samples sent. */
  uploads: number;
  /** Of those, through a shared slot. */
  shared: number;
  /** Of those, over the MessagePort because they were longer than a slot. */
  tooLong: number;
  /** Of those, over the MessagePort because every slot was taken. */
  poolFull: number;
  /** Slots the main thread does not hold (published, live, or waiting for voices to end). */
  slotsInUse: number;
  /** Non-finite sample values replaced by 0 while copying into a slot. */
  repaired: number;
}

/** The main thread's side of the sample path. */
export interface SampleTransport {
  readonly kind: TransportKind;
  /** Hand sample `id` to the worklet. The caller must not use `data` afterwards (it may be transferred). */
  upload(id: number, data: Float32Array, sampleRate: Hz): void;
  /** The worklet may forget these ids once nothing plays them. */
  free(ids: readonly number[]): void;
  readonly stats: TransportStats;
}

export type PostToPlayer = (msg: PlayerMessage, transfer?: Transferable[]) => void;

/** Samples as transferred Float32Arrays in {type:'sample'} messages. */
export class MessagePortTransport implements SampleTransport {
  readonly kind = 'message-port' as const;
  readonly stats: TransportStats = { uploads: 0, shared: 0, tooLong: 0, poolFull: 0, slotsInUse: 0, repaired: 0 };

  constructor(private readonly post: PostToPlayer) {}

  upload(id: number, data: Float32Array, sampleRate: Hz): void {
    this.stats.uploads++;
    this.post({ type: 'sample', id, data, sampleRate }, [data.buffer as ArrayBuffer]);
  }

  free(ids: readonly number[]): void {
    if (ids.length > 0) this.post({ type: 'free', ids: [...ids] });
  }
}

/**
 * Samples copied into shared slots. Free slots are a stack local to the main
 * thread; slots come back only through the worklet's "released" queue.
 */
export class SharedMemoryTransport implements SampleTransport {
  readonly kind = 'shared-memory' as const;
  readonly memory: SharedSampleMemory;
  readonly stats: TransportStats = { uploads: 0, shared: 0, tooLong: 0, poolFull: 0, slotsInUse: 0, repaired: 0 };
  private readonly v: SharedViews;
  private readonly freeSlots: Int32Array;
  private freeCount: number;
  private readonly fallback: MessagePortTransport;

  constructor(post: PostToPlayer, memory: SharedSampleMemory = createSharedSampleMemory()) {
    this.memory = memory;
    this.v = sharedViews(memory);
    this.freeSlots = new Int32Array(memory.slots);
    // Lowest slot first, so a test sees slots 0, 1, 2 … taken in order.
    for (let i = 0; i < memory.slots; i++) this.freeSlots[i] = memory.slots - 1 - i;
    this.freeCount = memory.slots;
    this.fallback = new MessagePortTransport(post);
  }

  /** Slots the main thread can fill now (after taking back released ones). */
  get freeSlotCount(): number {
    this.reclaim();
    return this.freeCount;
  }

  upload(id: number, data: Float32Array, sampleRate: Hz): void {
    this.stats.uploads++;
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new Error(`sample transport: id must be an integer 0–2147483647, got ${id}`);
    if (!(sampleRate > 0)) throw new Error(`sample transport: sampleRate must be positive, got ${sampleRate}`);
    if (data.length > this.v.slotLength) {
      this.stats.tooLong++;
      this.viaMessage(id, data, sampleRate);
      return;
    }
    this.reclaim();
    if (this.freeCount === 0) {
      this.stats.poolFull++;
      this.viaMessage(id, data, sampleRate);
      return;
    }
    const slot = this.freeSlots[--this.freeCount]!;
    const h = this.v.headers;
    const base = slot * SLOT_HEADER_WORDS;
    const state = Atomics.load(h, base + SLOT_STATE);
    if (state !== SlotState.Free) throw new Error(`sample transport: slot ${slot} is in state ${state}, expected free (a slot was reused before its release)`);
    Atomics.store(h, base + SLOT_STATE, SlotState.Writing);
    const dst = new Float32Array(this.v.buffer, this.v.dataOffset + slot * this.v.slotLength * 4, data.length);
    dst.set(data);
    // The worklet does not scan samples (that would cost its quantum): repair non-finite values here.
    for (let i = 0; i < dst.length; i++) {
      if (!Number.isFinite(dst[i]!)) {
        dst[i] = 0;
        this.stats.repaired++;
      }
    }
    h[base + SLOT_LENGTH] = data.length;
    h[base + SLOT_ID] = id;
    h[base + SLOT_SEQ] = (h[base + SLOT_SEQ]! + 1) | 0;
    this.v.rates[slot] = sampleRate;
    Atomics.store(h, base + SLOT_STATE, SlotState.Ready);
    // Cannot fail: the ready queue holds every slot at once.
    if (!this.v.ready.push(slot)) throw new Error('sample transport: ready queue full (cannot happen: it holds every slot)');
    this.stats.shared++;
    this.stats.slotsInUse = this.v.slots - this.freeCount;
  }

  /** Frees go over the port (they are rare and need no real-time path); the slot comes back via "released". */
  free(ids: readonly number[]): void {
    this.fallback.free(ids);
    this.reclaim();
  }

  /** Take back every slot the worklet released. */
  reclaim(): number {
    let n = 0;
    for (let slot = this.v.released.pop(); slot >= 0; slot = this.v.released.pop()) {
      const base = slot * SLOT_HEADER_WORDS;
      const state = Atomics.load(this.v.headers, base + SLOT_STATE);
      if (slot >= this.v.slots || state !== SlotState.Released) throw new Error(`sample transport: the worklet released slot ${slot} in state ${state}`);
      Atomics.store(this.v.headers, base + SLOT_STATE, SlotState.Free);
      this.freeSlots[this.freeCount++] = slot;
      n++;
    }
    this.stats.slotsInUse = this.v.slots - this.freeCount;
    return n;
  }

  private viaMessage(id: number, data: Float32Array, sampleRate: Hz): void {
    this.fallback.upload(id, data, sampleRate);
  }
}

/** Whether shared memory can carry samples here: cross-origin isolated with SharedArrayBuffer and Atomics. */
export function sharedMemoryAvailable(scope: { crossOriginIsolated?: boolean } = globalThis as { crossOriginIsolated?: boolean }): boolean {
  return scope.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

/**
 * The transport for this page: shared memory when isolated (unless `prefer`
 * says 'message-port'), else the MessagePort. `prefer: 'shared-memory'`
 * without isolation throws, naming why.
 */
export function chooseTransport(post: PostToPlayer, opts: { prefer?: TransportKind; isolated?: boolean; memory?: SharedSampleMemory } = {}): SampleTransport {
  const isolated = opts.isolated ?? sharedMemoryAvailable();
  if (opts.prefer === 'shared-memory' && !isolated) {
    throw new Error('transport: shared-memory needs a cross-origin isolated page (COOP same-origin + COEP require-corp); crossOriginIsolated is false');
  }
  if (opts.prefer === 'message-port' || !isolated) return new MessagePortTransport(post);
  return new SharedMemoryTransport(post, opts.memory);
}

/**
 * Keeps a free from overtaking a trigger already scheduled on the same sample.
 * The worklet drops a freed sample's pending hits (its sample table forgets
 * it), so a hit scheduled ahead — a sequencer's look-ahead, a timestamped MIDI
 * note, even "now" = the next quantum — would be lost when the pool frees that
 * sample in between (the pad's new sound arrived; bench:stress counted such
 * drops). The player records each trigger's time and holds a free back until
 * the last trigger on that id has started.
 */
export class FreeAfterTriggers {
  /** Latest scheduled trigger time per sample id (context seconds). */
  private readonly scheduled = new Map<number, number>();
  /** Freed ids waiting for their triggers, with the time they may go. */
  private readonly held = new Map<number, number>();

  /** @param margin time after a trigger's own time before its sample may go (seconds): one quantum covers rounding to frames. */
  constructor(private readonly margin: number) {}

  /**
   * A trigger of sample `id` at context time `time` was sent at context time
   * `now`. It has surely started once a quantum after both its time and its
   * arrival has been rendered: a late trigger (time < now) and a free handled
   * in the same gap between two quanta would otherwise drop the hit.
   */
  trigger(id: number, time: number, now: number): void {
    const at = Number.isFinite(time) ? Math.max(time, now + this.margin) : now + this.margin;
    // Freed already but still held: a hit sent in that window (a pad replaying its last sound while
    // the new one lands) must push the hold out, or the free would overtake it (bench:stress
    // counted one such "freed while pending" drop per 10 minutes).
    const held = this.held.get(id);
    if (held !== undefined) {
      if (at + this.margin > held) this.held.set(id, at + this.margin);
      return;
    }
    const t = this.scheduled.get(id);
    if (t === undefined || at > t) this.scheduled.set(id, at);
  }

  /** The pool freed `ids` at context time `now`: returns those that may go now; the rest come out of due(). */
  free(ids: readonly number[], now: number): number[] {
    const go: number[] = [];
    for (const id of ids) {
      const t = this.scheduled.get(id);
      this.scheduled.delete(id);
      if (t !== undefined && t + this.margin > now) this.held.set(id, t + this.margin);
      else go.push(id);
    }
    return go;
  }

  /** Held ids whose triggers have started by `now`. */
  due(now: number): number[] {
    const go: number[] = [];
    for (const [id, t] of this.held) {
      if (t <= now) {
        go.push(id);
        this.held.delete(id);
      }
    }
    return go;
  }

  /** Earliest time a held id may go, or null when none is held. */
  get nextDue(): number | null {
    let m: number | null = null;
    for (const t of this.held.values()) if (m === null || t < m) m = t;
    return m;
  }

  get holding(): number {
    return this.held.size;
  }
}
