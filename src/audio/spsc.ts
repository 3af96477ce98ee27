/**
 * A lock-free single-producer single-consumer queue of non-negative int32
 * values (slot indices) in shared memory, for the sample transport between
 * the main thread and the player AudioWorklet.
 *
 * Layout (Int32Array over a SharedArrayBuffer, or a plain ArrayBuffer in
 * single-threaded tests):
 *   [HEAD]       next index the consumer reads   (written by the consumer only)
 *   [TAIL]       next index the producer writes  (written by the producer only)
 *   [RING ...]   capacity entries, capacity a power of two
 * HEAD and TAIL sit 64 bytes apart so the two threads do not share a cache line.
 *
 * Head and tail are free-running int32 counters that wrap at 2^31; the fill
 * level is (tail − head) | 0 and the ring index is counter & (capacity − 1),
 * both exact across the wrap because capacity divides 2^32. Each side writes
 * its own counter with Atomics.store after touching the ring: Atomics are
 * sequentially consistent in JS, so an entry is visible before the counter
 * that publishes it, and an entry is not overwritten before the consumer's
 * head has moved past it.
 *
 * push/pop allocate nothing and never block: push says false when full, pop
 * returns −1 when empty.
 */

/** Int32 index of the consumer's counter. */
export const SPSC_HEAD = 0;
/** Int32 index of the producer's counter (16 × 4 bytes = one cache line after HEAD). */
export const SPSC_TAIL = 16;
/** Int32 index where the ring starts (one cache line after TAIL). */
export const SPSC_RING = 32;

/** Bytes an SPSC queue of `capacity` entries needs. */
export function spscByteLength(capacity: number): number {
  checkCapacity(capacity);
  return (SPSC_RING + capacity) * Int32Array.BYTES_PER_ELEMENT;
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1 << 30 || (capacity & (capacity - 1)) !== 0) {
    throw new Error(`SPSC queue capacity must be a power of two from 2 to 2^30, got ${capacity}`);
  }
}

/** The smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

export class SpscQueue {
  readonly capacity: number;
  private readonly mask: number;
  private readonly words: Int32Array;

  /**
   * A view of a queue at `byteOffset` in `buffer`. Both threads construct one
   * over the same memory; a fresh buffer (all zero) is an empty queue.
   */
  constructor(buffer: ArrayBufferLike, byteOffset: number, capacity: number) {
    checkCapacity(capacity);
    if (byteOffset % 4 !== 0) throw new Error(`SPSC queue byteOffset must be a multiple of 4, got ${byteOffset}`);
    if (byteOffset + spscByteLength(capacity) > buffer.byteLength) {
      throw new Error(`SPSC queue of ${capacity} entries at byte ${byteOffset} needs ${spscByteLength(capacity)} bytes; the buffer has ${buffer.byteLength - byteOffset} from there`);
    }
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.words = new Int32Array(buffer, byteOffset, SPSC_RING + capacity);
  }

  /** A queue in its own buffer (SharedArrayBuffer when `shared`). */
  static create(capacity: number, shared = true): SpscQueue {
    const bytes = spscByteLength(capacity);
    return new SpscQueue(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes), 0, capacity);
  }

  get buffer(): ArrayBufferLike {
    return this.words.buffer;
  }

  get byteOffset(): number {
    return this.words.byteOffset;
  }

  /** Producer: append `value` (a non-negative int32). False when the queue is full. */
  push(value: number): boolean {
    const w = this.words;
    const tail = Atomics.load(w, SPSC_TAIL);
    const head = Atomics.load(w, SPSC_HEAD);
    if (((tail - head) | 0) >= this.capacity) return false;
    w[SPSC_RING + (tail & this.mask)] = value;
    Atomics.store(w, SPSC_TAIL, (tail + 1) | 0);
    return true;
  }

  /** Consumer: take the oldest value, or −1 when the queue is empty. */
  pop(): number {
    const w = this.words;
    const head = Atomics.load(w, SPSC_HEAD);
    const tail = Atomics.load(w, SPSC_TAIL);
    if (head === tail) return -1;
    const v = w[SPSC_RING + (head & this.mask)]!;
    Atomics.store(w, SPSC_HEAD, (head + 1) | 0);
    return v;
  }

  /** Entries waiting (a snapshot; exact only from the producer's or consumer's own thread when the other is idle). */
  get size(): number {
    return (Atomics.load(this.words, SPSC_TAIL) - Atomics.load(this.words, SPSC_HEAD)) | 0;
  }

  /** Tests: start both counters at `counter` (an empty queue), e.g. just below the int32 wrap. Not thread-safe. */
  resetCounters(counter: number): void {
    Atomics.store(this.words, SPSC_HEAD, counter | 0);
    Atomics.store(this.words, SPSC_TAIL, counter | 0);
  }
}
