/**
 * The worklet's side of the shared-memory sample transport (transport.ts):
 * it takes filled slots off the "ready" queue, lets triggers find them by
 * sample id, and gives a freed slot back on the "released" queue only once no
 * voice reads it any more.
 *
 * poll() runs at the start of process(), once per quantum, and allocates
 * nothing: every table is preallocated here. The Float32Array view of a
 * sample (a small object) is made lazily by sample(), which only the message
 * handler calls (a trigger), never process().
 *
 * All methods run on the worklet thread: the message handler and process()
 * never run at once, so this side needs no atomics beyond the queues'.
 */
import type { Hz } from '../units.js';
import { SLOT_HEADER_WORDS, SLOT_ID, SLOT_LENGTH, SLOT_SEQ, SLOT_STATE, SlotState, sharedViews, type SharedSampleMemory, type SharedViews } from './transport.js';

/** What the consumer needs from the voice engine (VoiceEngine implements it). */
export interface SampleReaders {
  /** Drop pending hits on `data` (sounding voices finish). */
  forget(data: Float32Array): void;
  /** Whether a sounding voice still reads `data`. */
  isPlaying(data: Float32Array): boolean;
}

/** A sample a trigger can play. */
export interface SharedSample {
  data: Float32Array;
  sampleRate: Hz;
}

export class SharedSampleConsumer {
  private readonly v: SharedViews;
  /** Sample id per slot, −1 when the slot is not live here. */
  private readonly ids: Int32Array;
  private readonly lengths: Int32Array;
  private readonly seqs: Int32Array;
  /** Lazily made views (null until a trigger needs one). */
  private readonly samples: (SharedSample | null)[];
  /** Slots freed by the main thread whose voices may still sound. */
  private readonly freeing: Int32Array;
  private freeingCount = 0;
  private liveCount = 0;
  /** Slots taken off the ready queue, and given back, since creation. */
  received = 0;
  released = 0;
  /** Ready-queue entries that named a slot out of range or not in the Ready state (ignored). */
  corrupt = 0;

  constructor(memory: SharedSampleMemory) {
    this.v = sharedViews(memory);
    const n = this.v.slots;
    this.ids = new Int32Array(n).fill(-1);
    this.lengths = new Int32Array(n);
    this.seqs = new Int32Array(n);
    this.samples = new Array<SharedSample | null>(n).fill(null);
    this.freeing = new Int32Array(n);
  }

  /** Samples the worklet holds now. */
  get live(): number {
    return this.liveCount;
  }

  /** Freed slots still waiting for their voices. */
  get waiting(): number {
    return this.freeingCount;
  }

  /**
   * Once per quantum, before rendering: register newly published slots and
   * give back freed slots no voice reads. Allocates nothing.
   */
  poll(voices: SampleReaders): void {
    this.drainReady();
    let i = 0;
    while (i < this.freeingCount) {
      const slot = this.freeing[i]!;
      const s = this.samples[slot] ?? null;
      if (s !== null && voices.isPlaying(s.data)) {
        i++;
        continue;
      }
      this.samples[slot] = null;
      this.freeing[i] = this.freeing[--this.freeingCount]!;
      Atomics.store(this.v.headers, slot * SLOT_HEADER_WORDS + SLOT_STATE, SlotState.Released);
      this.v.released.push(slot); // cannot fail: the queue holds every slot
      this.released++;
    }
  }

  /** The sample with this id, or null. Message handler only (may allocate the view once). */
  sample(id: number): SharedSample | null {
    this.drainReady();
    const slot = this.find(id);
    if (slot < 0) return null;
    let s = this.samples[slot] ?? null;
    if (s === null) {
      s = {
        data: new Float32Array(this.v.buffer, this.v.dataOffset + slot * this.v.slotLength * 4, this.lengths[slot]!),
        sampleRate: this.v.rates[slot]!,
      };
      this.samples[slot] = s;
    }
    return s;
  }

  /**
   * The main thread freed sample `id`: pending hits on it are dropped, and
   * the slot goes back at the first poll after its voices have finished.
   * Returns false when no live slot holds that id.
   */
  free(id: number, voices: SampleReaders): boolean {
    this.drainReady();
    const slot = this.find(id);
    if (slot < 0) return false;
    const s = this.samples[slot];
    if (s) voices.forget(s.data);
    this.ids[slot] = -1;
    this.liveCount--;
    Atomics.store(this.v.headers, slot * SLOT_HEADER_WORDS + SLOT_STATE, SlotState.Freeing);
    this.freeing[this.freeingCount++] = slot;
    return true;
  }

  /** The slot's fill count when it was registered (tests: a reused slot has a new one). */
  sequence(id: number): number {
    const slot = this.find(id);
    return slot < 0 ? -1 : this.seqs[slot]!;
  }

  private find(id: number): number {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
    return -1;
  }

  private drainReady(): void {
    const h = this.v.headers;
    for (let slot = this.v.ready.pop(); slot >= 0; slot = this.v.ready.pop()) {
      const base = slot * SLOT_HEADER_WORDS;
      if (slot >= this.v.slots || Atomics.load(h, base + SLOT_STATE) !== SlotState.Ready) {
        this.corrupt++;
        continue;
      }
      this.ids[slot] = h[base + SLOT_ID]!;
      this.lengths[slot] = h[base + SLOT_LENGTH]!;
      this.seqs[slot] = h[base + SLOT_SEQ]!;
      this.samples[slot] = null;
      Atomics.store(h, base + SLOT_STATE, SlotState.Live);
      this.liveCount++;
      this.received++;
    }
  }
}
