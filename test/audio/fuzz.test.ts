/**
 * Fuzzing the worklet core (PlayerCore → VoiceEngine) with seeded random
 * message streams, rendering quanta in between, as the worklet would:
 *
 * - pads: triggers, pad settings, chokes, frees and stops with valid and
 *   invalid values, samples arriving both by message and through shared
 *   memory. Nothing throws, the output stays finite and under the limiter's
 *   ceiling, and once the last hit has played out no voice is left and every
 *   freed shared slot has come back.
 * - pitched notes: random orders of note-on / note-off per note, with the
 *   sustain pedal and pitch bend mixed in, on samples far longer than the
 *   test (so only a note-off can end a voice). After a note-off for every
 *   note and the pedal up, the voice count returns to 0 once rendered past
 *   the release.
 */
import { describe, expect, it } from 'vitest';
import { CHOKE_RELEASE_SECONDS, LIMITER_CEILING_DB, RENDER_QUANTUM } from '../../src/audio/constants.js';
import { PlayerCore } from '../../src/audio/player-core.js';
import { SharedSampleConsumer } from '../../src/audio/transport-consumer.js';
import { createSharedSampleMemory, SharedMemoryTransport } from '../../src/audio/transport.js';
import { dbToGain } from '../../src/audio/voices.js';
import { mulberry32 } from '../../src/dsp/random.js';

const SR = 44100;
const CEILING = dbToGain(LIMITER_CEILING_DB);

/** Renders quanta and checks every output sample. */
class Renderer {
  frame = 0;
  maxAbs = 0;
  nonFinite = 0;
  private readonly L = new Float32Array(RENDER_QUANTUM);
  private readonly R = new Float32Array(RENDER_QUANTUM);
  constructor(private readonly core: PlayerCore) {}
  quanta(n: number): void {
    for (let q = 0; q < n; q++) {
      this.core.render(this.L, this.R, this.frame);
      this.frame += RENDER_QUANTUM;
      for (let i = 0; i < RENDER_QUANTUM; i++) {
        const a = this.L[i]!;
        const b = this.R[i]!;
        if (!Number.isFinite(a) || !Number.isFinite(b)) this.nonFinite++;
        this.maxAbs = Math.max(this.maxAbs, Math.abs(a), Math.abs(b));
      }
    }
  }
  get time(): number {
    return this.frame / SR;
  }
  seconds(s: number): void {
    this.quanta(Math.ceil((s * SR) / RENDER_QUANTUM));
  }
}

function noise(rand: () => number, n: number, level = 0.8): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * level);
}

/** A value from a list of edge cases half of the time, else from `normal`. */
function pick<T>(rand: () => number, normal: () => T, edges: readonly T[]): T {
  return rand() < 0.5 || edges.length === 0 ? normal() : edges[Math.floor(rand() * edges.length)]!;
}

describe('PlayerCore fuzz: pads', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: 10,000 random messages, no throw, finite bounded output, nothing left sounding`, () => {
      const rand = mulberry32(seed);
      const core = new PlayerCore({ sampleRate: SR });
      const mem = createSharedSampleMemory(16, SR, true);
      const consumer = new SharedSampleConsumer(mem);
      core.attachSharedSamples(consumer);
      const r = new Renderer(core);
      const ids: number[] = [];
      let nextId = 1;
      let longest = 0;
      // One transport over the pool; what it sends by message (a full pool, a free) goes straight to the core.
      const shared = new SharedMemoryTransport((m) => void core.handle(m), mem);
      const upload = () => {
        const n = 1 + Math.floor(rand() * SR * 0.5);
        longest = Math.max(longest, n);
        const id = nextId++;
        const data = noise(rand, n);
        if (rand() < 0.5) core.handle({ type: 'sample', id, data, sampleRate: SR });
        else shared.upload(id, data, SR);
        ids.push(id);
      };
      for (let i = 0; i < 8; i++) upload();
      let latest = 0;
      for (let step = 0; step < 10_000; step++) {
        const k = rand();
        if (k < 0.45) {
          const t = pick(rand, () => r.time + rand() * 0.2 - 0.05, [NaN, Infinity, -Infinity, -1, 1e12]);
          if (Number.isFinite(t) && t < 1e6) latest = Math.max(latest, t);
          core.handle({
            type: 'trigger',
            pad: pick(rand, () => Math.floor(rand() * 16), [-1, 16, 99, 1.5, NaN]),
            id: pick(rand, () => ids[Math.floor(rand() * ids.length)] ?? 0, [0, -5, 1e9]),
            velocity: pick(rand, () => 1 + Math.floor(rand() * 127), [0, -1, 200, NaN]),
            time: t,
          });
        } else if (k < 0.6) {
          core.handle({
            type: 'pad',
            pad: Math.floor(rand() * 18) - 1,
            params: {
              gainDb: pick(rand, () => rand() * 20 - 20, [NaN, 1e9, -1e9]),
              tune: pick(rand, () => rand() * 48 - 24, [NaN, 1e9, -Infinity]),
              pan: pick(rand, () => rand() * 2 - 1, [NaN, 5]),
              decay: pick<number | null>(rand, () => 0.01 + rand() * 2, [null, 0, -1, NaN]),
              chokeGroup: pick(rand, () => Math.floor(rand() * 3), [-4, 99, 0.5]),
              chokes: pick(rand, () => Math.floor(rand() * 8), [-1, 0xffffffff]),
            },
          });
        } else if (k < 0.65) {
          core.handle({ type: 'choke', enabled: rand() < 0.5 });
        } else if (k < 0.72 && ids.length > 2) {
          const [id] = ids.splice(Math.floor(rand() * ids.length), 1);
          shared.free([id!, 1e9]);
        } else if (k < 0.8) {
          upload();
        } else if (k < 0.801) {
          core.handle({ type: 'stop' });
        } else {
          r.quanta(1 + Math.floor(rand() * 3));
        }
      }
      expect(core.handle({ type: 'query', token: 1 })).toMatchObject({ type: 'stats', nonFinite: 0 });
      // Play out: every scheduled hit starts by `latest`; each sample lasts at most longest × 4 (tune −24) frames.
      r.seconds(Math.max(0, latest - r.time) + (longest * 4) / SR + CHOKE_RELEASE_SECONDS + 0.01);
      expect(core.engine.stats.voices).toBe(0);
      // Free everything: every shared slot comes back.
      shared.free(ids);
      r.quanta(1);
      shared.reclaim();
      expect(consumer.live).toBe(0);
      expect(consumer.waiting).toBe(0);
      expect(shared.stats.slotsInUse).toBe(0);
      expect(r.nonFinite).toBe(0);
      expect(r.maxAbs).toBeLessThanOrEqual(CEILING);
      expect(r.maxAbs).toBeGreaterThan(0.1); // it did play
    });
  }
});

describe('PlayerCore fuzz: pitched notes', () => {
  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: random note-on/off orders with pedal and bend; all released → 0 voices`, () => {
      const rand = mulberry32(seed);
      const core = new PlayerCore({ sampleRate: SR });
      const r = new Renderer(core);
      // 20 s roots: longer than the test, so only note-offs end voices.
      const roots = [1, 2, 3];
      for (const id of roots) core.handle({ type: 'sample', id, data: noise(rand, 20 * SR, 0.3), sampleRate: SR });
      const release = 0.05 + rand() * 0.3;
      core.handle({ type: 'keyboard', params: { release } });
      const on = new Set<string>();
      const channels = [1, 2, 16];
      let maxVoices = 0;
      for (let step = 0; step < 10_000; step++) {
        const ch = channels[Math.floor(rand() * channels.length)]!;
        const note = 36 + Math.floor(rand() * 24);
        const time = pick(rand, () => r.time + rand() * 0.05, [0, NaN, -1]);
        const k = rand();
        if (k < 0.4) {
          core.handle({
            type: 'note-on', channel: ch, note, id: roots[Math.floor(rand() * roots.length)]!,
            velocity: pick(rand, () => 1 + Math.floor(rand() * 127), [0, 300]),
            semitones: pick(rand, () => rand() * 24 - 12, [NaN, 99, -99]), time,
          });
          on.add(`${ch}:${note}`);
        } else if (k < 0.75) {
          core.handle({ type: 'note-off', channel: ch, note, time });
        } else if (k < 0.85) {
          core.handle({ type: 'sustain', channel: ch, down: rand() < 0.5, time });
        } else if (k < 0.9) {
          core.handle({ type: 'bend', channel: ch, semitones: pick(rand, () => rand() * 4 - 2, [NaN, 1e9]), time });
        } else if (k < 0.905) {
          core.handle({ type: 'note-on', channel: pick(rand, () => 0, [17, -1, 2.5]), note: pick(rand, () => 128, [-1, 60.5]), id: 1, velocity: 100, semitones: 0, time });
        } else {
          r.quanta(1 + Math.floor(rand() * 4));
          maxVoices = Math.max(maxVoices, core.engine.stats.voices);
        }
      }
      expect(maxVoices).toBeGreaterThan(4); // notes did sound and overlap
      // Everything off, pedals up, after the last scheduled event.
      r.seconds(0.06);
      for (const ch of channels) core.handle({ type: 'sustain', channel: ch, down: false, time: r.time });
      for (const key of on) {
        const [ch, note] = key.split(':').map(Number);
        core.handle({ type: 'note-off', channel: ch!, note: note!, time: r.time });
      }
      r.seconds(release + 0.02);
      expect(core.engine.stats.voices).toBe(0);
      expect(r.nonFinite).toBe(0);
      expect(r.maxAbs).toBeLessThanOrEqual(CEILING);
    });
  }
});
