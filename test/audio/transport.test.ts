/**
 * The shared-memory sample transport: the SPSC index queue (single-threaded
 * edge cases here, two threads in transport-threads.test.ts), the slot pool
 * (allocation, reuse only after release, fallback to the MessagePort), the
 * worklet-side consumer, and PlayerCore playing samples that arrived through
 * shared memory exactly as it plays transferred ones.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDER_QUANTUM, SAMPLE_SLOT_LENGTH, SAMPLE_SLOTS } from '../../src/audio/constants.js';
import { PlayerCore } from '../../src/audio/player-core.js';
import type { PlayerMessage } from '../../src/audio/protocol.js';
import { nextPowerOfTwo, SpscQueue, spscByteLength } from '../../src/audio/spsc.js';
import { SharedSampleConsumer } from '../../src/audio/transport-consumer.js';
import {
  chooseTransport,
  createSharedSampleMemory,
  FreeAfterTriggers,
  MessagePortTransport,
  SharedMemoryTransport,
  sharedLayout,
  sharedViews,
  SLOT_HEADER_WORDS,
  SLOT_SEQ,
  SLOT_STATE,
  SlotState,
} from '../../src/audio/transport.js';
import { signalLength } from '../../src/dsp/config.js';

describe('SpscQueue', () => {
  it('rejects a capacity that is not a power of two, and a buffer too small', () => {
    expect(() => SpscQueue.create(6)).toThrow(/power of two.*got 6/);
    expect(() => SpscQueue.create(1)).toThrow(/got 1/);
    expect(() => new SpscQueue(new ArrayBuffer(spscByteLength(8) - 4), 0, 8)).toThrow(/needs \d+ bytes/);
    expect(() => new SpscQueue(new ArrayBuffer(1024), 2, 8)).toThrow(/multiple of 4/);
  });

  it('empty pops −1, full refuses, FIFO order in between', () => {
    const q = SpscQueue.create(4, false);
    expect(q.pop()).toBe(-1);
    expect(q.size).toBe(0);
    for (let i = 0; i < 4; i++) expect(q.push(10 + i)).toBe(true);
    expect(q.push(99)).toBe(false);
    expect(q.size).toBe(4);
    expect([q.pop(), q.pop()]).toEqual([10, 11]);
    expect(q.push(14)).toBe(true);
    expect(q.push(15)).toBe(true);
    expect(q.push(16)).toBe(false);
    expect([q.pop(), q.pop(), q.pop(), q.pop(), q.pop()]).toEqual([12, 13, 14, 15, -1]);
  });

  it('keeps order and count across the int32 wrap of its counters', () => {
    const q = SpscQueue.create(8, false);
    q.resetCounters(0x7fffffff - 5); // the counters pass 2^31 − 1 → −2^31 a few pushes in
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 100; round++) {
      const n = 1 + (round % 8);
      for (let i = 0; i < n; i++) expect(q.push(next++)).toBe(true);
      expect(q.size).toBe(n);
      if (n === 8) expect(q.push(12345)).toBe(false);
      for (let i = 0; i < n; i++) expect(q.pop()).toBe(expected++);
      expect(q.pop()).toBe(-1);
    }
    expect(expected).toBe(next);
  });

  it('two queues side by side in one buffer do not overlap', () => {
    const cap = 4;
    const buf = new ArrayBuffer(2 * spscByteLength(cap));
    const a = new SpscQueue(buf, 0, cap);
    const b = new SpscQueue(buf, spscByteLength(cap), cap);
    for (let i = 0; i < cap; i++) {
      a.push(i);
      b.push(100 + i);
    }
    for (let i = 0; i < cap; i++) {
      expect(a.pop()).toBe(i);
      expect(b.pop()).toBe(100 + i);
    }
  });

  it('nextPowerOfTwo', () => {
    expect([1, 2, 3, 4, 5, 192, 256, 257].map(nextPowerOfTwo)).toEqual([2, 2, 4, 4, 8, 256, 256, 512]);
  });
});

/** A fake engine: voices "play" the arrays in `playing`. */
function fakeVoices() {
  const playing = new Set<Float32Array>();
  const forgotten: Float32Array[] = [];
  return { playing, forgotten, forget: (d: Float32Array) => void forgotten.push(d), isPlaying: (d: Float32Array) => playing.has(d) };
}

function ramp(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i % 100) / 100) * scale);
}

describe('shared-memory slot pool', () => {
  it('every shipped model fits a slot; the constants describe the pool', () => {
    const dir = path.resolve(__dirname, '../../models');
    const lengths = readdirSync(dir).map((m) => signalLength(JSON.parse(readFileSync(path.join(dir, m, 'config.json'), 'utf8')).representation));
    expect(lengths.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(SAMPLE_SLOT_LENGTH);
    const L = sharedLayout(SAMPLE_SLOTS, SAMPLE_SLOT_LENGTH);
    expect(L.queueCapacity).toBeGreaterThanOrEqual(SAMPLE_SLOTS);
    expect(L.data % 8).toBe(0);
    expect(L.byteLength).toBe(L.data + SAMPLE_SLOTS * SAMPLE_SLOT_LENGTH * 4);
  });

  it('rejects bad layouts and a buffer of the wrong size, naming the field', () => {
    expect(() => sharedLayout(0, 10)).toThrow(/slots must be a positive integer, got 0/);
    expect(() => sharedLayout(4, 1.5)).toThrow(/slotLength must be a positive integer \(samples\), got 1.5/);
    expect(() => sharedViews({ buffer: new ArrayBuffer(100), slots: 4, slotLength: 16 })).toThrow(/buffer has 100 bytes, 4 slots of 16 samples need/);
  });

  it('a sample goes ready → live → freeing → released → free, and its data arrives intact', () => {
    const mem = createSharedSampleMemory(4, 64, false);
    const posted: PlayerMessage[] = [];
    const t = new SharedMemoryTransport((m) => posted.push(m), mem);
    const c = new SharedSampleConsumer(mem);
    const v = fakeVoices();
    const h = sharedViews(mem).headers;
    const src = ramp(50);
    t.upload(7, src.slice(), 44100);
    expect(posted).toEqual([]);
    expect(Atomics.load(h, SLOT_STATE)).toBe(SlotState.Ready);
    expect(t.stats).toMatchObject({ uploads: 1, shared: 1, slotsInUse: 1 });
    c.poll(v);
    expect(Atomics.load(h, SLOT_STATE)).toBe(SlotState.Live);
    expect(c.live).toBe(1);
    const s = c.sample(7)!;
    expect(s.sampleRate).toBe(44100);
    expect(Array.from(s.data)).toEqual(Array.from(src));
    expect(c.sample(8)).toBeNull();
    // Freed while a voice plays it: the slot waits.
    v.playing.add(s.data);
    t.free([7]);
    expect(posted).toEqual([{ type: 'free', ids: [7] }]);
    expect(c.free(7, v)).toBe(true);
    expect(v.forgotten).toEqual([s.data]);
    expect(c.free(7, v)).toBe(false);
    expect(Atomics.load(h, SLOT_STATE)).toBe(SlotState.Freeing);
    c.poll(v);
    expect(t.reclaim()).toBe(0);
    expect(t.stats.slotsInUse).toBe(1);
    // The voice ends: the next poll gives the slot back.
    v.playing.delete(s.data);
    c.poll(v);
    expect(Atomics.load(h, SLOT_STATE)).toBe(SlotState.Released);
    expect(t.reclaim()).toBe(1);
    expect(Atomics.load(h, SLOT_STATE)).toBe(SlotState.Free);
    expect(t.stats.slotsInUse).toBe(0);
  });

  it('slots are reused only after release; a full pool falls back to the MessagePort; too long goes by message', () => {
    const slots = 3;
    const mem = createSharedSampleMemory(slots, 32, false);
    const posted: PlayerMessage[] = [];
    const t = new SharedMemoryTransport((m) => posted.push(m), mem);
    const c = new SharedSampleConsumer(mem);
    const v = fakeVoices();
    const h = sharedViews(mem).headers;
    for (let id = 1; id <= slots; id++) t.upload(id, ramp(32, id), 44100);
    c.poll(v);
    const seqBefore = Array.from({ length: slots }, (_, s) => h[s * SLOT_HEADER_WORDS + SLOT_SEQ]);
    const views = [1, 2, 3].map((id) => c.sample(id)!.data);
    // Pool full: the 4th goes over the port, nothing in shared memory changes.
    t.upload(4, ramp(32, 4), 44100);
    expect(t.stats.poolFull).toBe(1);
    expect(posted.map((m) => m.type)).toEqual(['sample']);
    expect(posted[0]).toMatchObject({ type: 'sample', id: 4 });
    views.forEach((d, i) => expect(d[99 % 32]).toBeCloseTo(((99 % 32) / 100) * (i + 1), 6));
    // Too long for a slot: by message, whatever the pool's state.
    t.upload(5, new Float32Array(33), 44100);
    expect(t.stats.tooLong).toBe(1);
    expect(posted.at(-1)).toMatchObject({ type: 'sample', id: 5 });
    // Free id 2 while playing; the slot is not reused until its voice ends.
    v.playing.add(views[1]!);
    c.free(2, v);
    c.poll(v);
    t.upload(6, ramp(32, 6), 44100);
    expect(t.stats.poolFull).toBe(2);
    v.playing.clear();
    c.poll(v);
    t.upload(7, ramp(32, 7), 44100);
    expect(t.stats.shared).toBe(4);
    c.poll(v);
    // Slot 1 (id 2's) was reused: its sequence number moved on, the other slots' did not.
    const seqAfter = Array.from({ length: slots }, (_, s) => h[s * SLOT_HEADER_WORDS + SLOT_SEQ]);
    expect(seqAfter).toEqual([seqBefore[0], seqBefore[1]! + 1, seqBefore[2]]);
    expect(c.sequence(7)).toBe(seqBefore[1]! + 1);
    expect(c.sample(7)!.data[10]).toBeCloseTo(0.1 * 7, 6);
    // Ids 1 and 3 are untouched by the reuse.
    expect(c.sample(1)!.data[10]).toBeCloseTo(0.1, 6);
    expect(c.sample(3)!.data[10]).toBeCloseTo(0.3, 6);
  });

  it('a free that arrives before the worklet polled still finds the slot', () => {
    const mem = createSharedSampleMemory(2, 16, false);
    const t = new SharedMemoryTransport(() => {}, mem);
    const c = new SharedSampleConsumer(mem);
    const v = fakeVoices();
    t.upload(1, ramp(16), 44100);
    expect(c.free(1, v)).toBe(true);
    c.poll(v);
    expect(t.reclaim()).toBe(1);
  });

  it('non-finite values are replaced while copying, and counted', () => {
    const mem = createSharedSampleMemory(1, 8, false);
    const t = new SharedMemoryTransport(() => {}, mem);
    const c = new SharedSampleConsumer(mem);
    t.upload(1, Float32Array.from([0.5, NaN, Infinity, -Infinity, 0.25]), 44100);
    expect(t.stats.repaired).toBe(3);
    expect(Array.from(c.sample(1)!.data)).toEqual([0.5, 0, 0, 0, 0.25]);
  });

  it('refuses a bad id or sample rate with a one-line error', () => {
    const t = new SharedMemoryTransport(() => {}, createSharedSampleMemory(1, 8, false));
    expect(() => t.upload(-1, new Float32Array(4), 44100)).toThrow(/id must be an integer 0–2147483647, got -1/);
    expect(() => t.upload(1.5, new Float32Array(4), 44100)).toThrow(/got 1.5/);
    expect(() => t.upload(1, new Float32Array(4), 0)).toThrow(/sampleRate must be positive, got 0/);
  });

  it('a slot released twice, or in the wrong state, is caught', () => {
    const mem = createSharedSampleMemory(2, 8, false);
    const t = new SharedMemoryTransport(() => {}, mem);
    sharedViews(mem).released.push(1); // slot 1 was never handed out
    expect(() => t.reclaim()).toThrow(/released slot 1 in state 0/);
  });

  it('chooseTransport: shared memory only when isolated; asking for it without isolation says why', () => {
    expect(chooseTransport(() => {}, { isolated: false }).kind).toBe('message-port');
    expect(chooseTransport(() => {}, { isolated: true, memory: createSharedSampleMemory(2, 8) }).kind).toBe('shared-memory');
    expect(chooseTransport(() => {}, { isolated: true, prefer: 'message-port' }).kind).toBe('message-port');
    expect(() => chooseTransport(() => {}, { isolated: false, prefer: 'shared-memory' })).toThrow(/crossOriginIsolated is false/);
  });

  it('MessagePortTransport transfers the buffer', () => {
    const sent: { msg: PlayerMessage; transfer?: Transferable[] }[] = [];
    const t = new MessagePortTransport((msg, transfer) => sent.push({ msg, transfer }));
    const d = new Float32Array(4);
    t.upload(3, d, 48000);
    t.free([]);
    t.free([3]);
    expect(sent.map((s) => s.msg.type)).toEqual(['sample', 'free']);
    expect(sent[0]!.transfer).toEqual([d.buffer]);
  });
});

describe('PlayerCore with shared-memory samples', () => {
  /** Render `quanta` quanta; returns the left channel. */
  function run(core: PlayerCore, quanta: number, from = 0): Float32Array {
    const out = new Float32Array(quanta * RENDER_QUANTUM);
    const L = new Float32Array(RENDER_QUANTUM);
    const R = new Float32Array(RENDER_QUANTUM);
    for (let q = 0; q < quanta; q++) {
      core.render(L, R, from + q * RENDER_QUANTUM);
      out.set(L, q * RENDER_QUANTUM);
    }
    return out;
  }

  it('renders the same audio as a transferred sample, and gives the slot back once the voice ends', () => {
    const sr = 44100;
    const data = ramp(1000, 0.5);
    // Reference: the MessagePort path.
    const ref = new PlayerCore({ sampleRate: sr });
    ref.handle({ type: 'sample', id: 1, data: data.slice(), sampleRate: sr });
    ref.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: 0.001 });
    const want = run(ref, 12);
    // Shared memory.
    const mem = createSharedSampleMemory(4, 2048, true);
    const t = new SharedMemoryTransport(() => {}, mem);
    const core = new PlayerCore({ sampleRate: sr });
    const consumer = new SharedSampleConsumer(mem);
    core.attachSharedSamples(consumer);
    t.upload(1, data.slice(), sr);
    core.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: 0.001 });
    expect(core.handle({ type: 'query', token: 1 })).toMatchObject({ samples: 1 });
    const got = run(core, 4);
    // Freed mid-note: the voice keeps playing from the slot, which is not yet released.
    core.handle({ type: 'free', ids: [1] });
    const rest = run(core, 8, 4 * RENDER_QUANTUM);
    const all = new Float32Array(want.length);
    all.set(got);
    all.set(rest, got.length);
    expect(Array.from(all)).toEqual(Array.from(want));
    expect(want.some((x) => x !== 0)).toBe(true);
    expect(consumer.released).toBe(1); // the voice ended inside the 12 quanta (1000 samples)
    expect(t.reclaim()).toBe(1);
    expect(core.engine.stats.dropped).toBe(0);
    // A trigger for a freed id is a drop, not a crash.
    core.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: 0 });
    expect(core.engine.stats.dropped).toBe(1);
    expect(core.engine.stats.droppedUnknownSample).toBe(1);
  });
});

describe('FreeAfterTriggers', () => {
  it('holds a free until the last trigger scheduled on that sample has started', () => {
    const h = new FreeAfterTriggers(0.003);
    h.trigger(1, 0.5, 0);
    h.trigger(1, 0.3, 0); // an earlier one does not shorten the hold
    h.trigger(2, 0.1, 0);
    expect(h.free([1, 2, 3], 0.2)).toEqual([2, 3]); // 2's trigger has started, 3 was never triggered
    expect(h.holding).toBe(1);
    expect(h.nextDue).toBeCloseTo(0.503, 9);
    expect(h.due(0.5)).toEqual([]);
    expect(h.due(0.504)).toEqual([1]);
    expect(h.nextDue).toBeNull();
    // A late trigger (its time already past when sent) waits for a quantum after its arrival, then one more.
    h.trigger(4, 0.1, 1);
    expect(h.free([4], 1.004)).toEqual([]);
    expect(h.due(1.006)).toEqual([4]);
    // A non-finite time plays at once in the worklet: the same as a late trigger.
    h.trigger(5, NaN, 2);
    expect(h.free([5], 2)).toEqual([]);
    expect(h.due(2.007)).toEqual([5]);
    // Triggered again while its free is held: the hold moves out to the new hit.
    h.trigger(6, 3.01, 3);
    expect(h.free([6], 3)).toEqual([]);
    h.trigger(6, 3.1, 3.005);
    expect(h.due(3.02)).toEqual([]);
    expect(h.nextDue).toBeCloseTo(3.103, 9);
    expect(h.due(3.104)).toEqual([6]);
  });

  it('with the worklet core: a hit scheduled ahead survives its sample being freed before it starts', () => {
    const sr = 44100;
    const send = (core: PlayerCore, hold: boolean) => {
      const h = new FreeAfterTriggers(RENDER_QUANTUM / sr);
      let frame = 0;
      const L = new Float32Array(RENDER_QUANTUM);
      const R = new Float32Array(RENDER_QUANTUM);
      let heard = false;
      core.handle({ type: 'sample', id: 1, data: new Float32Array(500).fill(0.5), sampleRate: sr });
      core.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: 0.05 });
      h.trigger(1, 0.05, 0);
      const free = (ids: number[]) => void core.handle({ type: 'free', ids });
      free(hold ? h.free([1], 0) : [1]);
      for (; frame < sr * 0.1; frame += RENDER_QUANTUM) {
        core.render(L, R, frame);
        if (L.some((x) => x !== 0)) heard = true;
        free(h.due(frame / sr));
      }
      return { heard, dropped: core.engine.stats.dropped, samples: (core.handle({ type: 'query', token: 1 }) as { samples: number }).samples };
    };
    expect(send(new PlayerCore({ sampleRate: sr }), false)).toMatchObject({ heard: false, dropped: 1 });
    expect(send(new PlayerCore({ sampleRate: sr }), true)).toEqual({ heard: true, dropped: 0, samples: 0 });
  });
});

describe('FreeAfterTriggers with a late trigger', () => {
  it('a trigger sent after its time, freed before the next quantum, still plays', () => {
    const sr = 44100;
    const q = RENDER_QUANTUM / sr;
    const L = new Float32Array(RENDER_QUANTUM);
    const R = new Float32Array(RENDER_QUANTUM);
    for (const hold of [false, true]) {
      const core = new PlayerCore({ sampleRate: sr });
      const h = new FreeAfterTriggers(q);
      core.handle({ type: 'sample', id: 1, data: new Float32Array(500).fill(0.5), sampleRate: sr });
      // Ten quanta rendered; the main thread sends a trigger for 1 quantum ago, then the pool frees the sample.
      let frame = 0;
      for (; frame < 10 * RENDER_QUANTUM; frame += RENDER_QUANTUM) core.render(L, R, frame);
      const now = frame / sr;
      core.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: now - q });
      h.trigger(1, now - q, now);
      core.handle({ type: 'free', ids: hold ? h.free([1], now) : [1] });
      let heard = false;
      for (let i = 0; i < 10; i++, frame += RENDER_QUANTUM) {
        core.render(L, R, frame);
        if (L.some((x) => x !== 0)) heard = true;
        const go = h.due(frame / sr);
        if (go.length > 0) core.handle({ type: 'free', ids: go });
      }
      expect({ hold, heard }).toEqual({ hold, heard: hold });
    }
  });
});
