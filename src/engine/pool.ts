/**
 * Precompute policy: which one-shots to generate next, and which one a hit
 * plays. Pure and synchronous (no tfjs, no audio), so it is tested in Node.
 *
 * - Every mapped pad keeps `size` ready variations (default 4) of its sound
 *   (drum class, seed, guidance, steps, variation amount).
 * - A hit plays the next ready variation and consumes it; the pad is refilled
 *   in the background. When the pad has run dry, the last one played is
 *   played again (a hit is never silent once a pad has sounded).
 * - Variation amount 0: every hit plays the pad's seed sound; one one-shot is
 *   kept and never consumed.
 * - Variation k of a pad blends the seed's noise with a second draw
 *   (variationSeed(seed, k)) by the amount; k = 0 is the seed sound itself.
 * - Changing a pad's sound regenerates in the background: the pad keeps
 *   playing its current one-shots until the first one of the new sound is
 *   ready, then those are dropped.
 * - Refill order: first every pad that has nothing of its current sound yet,
 *   then the rest; within each, the most recently played pad first.
 */
import type { Seed } from '../model/prng.js';
import { DEFAULT_VARIATIONS } from '../audio/constants.js';
import type { DescriptorName } from '../constants.js';
import { variationSeed } from './seeds.js';
import type { SynthRequest } from './protocol.js';

/** Identifies a one-shot held by the player (assigned by the engine). */
export type SampleId = number;

/** What a pad sounds like. */
export interface PadSound {
  /** Drum class (drums model) or GM family (tonal model). */
  class: string;
  /** Tonal models: MIDI note. */
  pitch?: number;
  seed: Seed;
  /** Classifier-free guidance weight. */
  guidance: number;
  /** Solver steps. */
  steps: number;
  /** 0 = every hit is the seed sound, 1 = every hit an unrelated draw. */
  variation: number;
  descriptors?: Readonly<Record<DescriptorName, number>>;
}

/** One one-shot to generate. */
export interface PoolJob {
  pad: number;
  /** The pad's sound generation this job belongs to (stale when the pad changed since). */
  generation: number;
  /** Variation index k (0 = the seed sound). */
  index: number;
  request: SynthRequest;
}

export interface PadPoolState {
  /** Ready one-shots of the current sound. */
  ready: number;
  /** Jobs of the current sound out for generation. */
  pending: number;
  /** One-shots the pad wants ready. */
  wanted: number;
  /** True while the pad still plays an older sound (its new one is being generated). */
  regenerating: boolean;
  /** Whether a hit would sound now. */
  playable: boolean;
  error: string | null;
}

interface PadSlot {
  sound: PadSound | null;
  generation: number;
  nextIndex: number;
  ready: SampleId[];
  /** One-shots of the previous sound, played round-robin until the new sound's first is ready. */
  old: SampleId[];
  oldCursor: number;
  /** Last one-shot played (replayed when the pad runs dry). */
  current: SampleId | null;
  /** The sound generation `current` belongs to. */
  currentGeneration: number;
  pending: number;
  lastPlayed: number;
  error: string | null;
}

function sameSound(a: PadSound | null, b: PadSound | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.class !== b.class || a.pitch !== b.pitch || a.seed !== b.seed || a.guidance !== b.guidance || a.steps !== b.steps || a.variation !== b.variation) return false;
  const da = a.descriptors;
  const db = b.descriptors;
  if (!da || !db) return da === db;
  return Object.keys(da).every((k) => da[k as DescriptorName] === db[k as DescriptorName]);
}

/** The generation request for variation k of a sound. */
export function requestFor(sound: PadSound, k: number): SynthRequest {
  const req: SynthRequest = { seed: sound.seed, guidance: sound.guidance, steps: sound.steps };
  if (sound.pitch !== undefined) {
    req.family = sound.class;
    req.pitch = sound.pitch;
  } else {
    req.class = sound.class;
  }
  if (sound.descriptors) req.descriptors = sound.descriptors;
  if (k > 0 && sound.variation > 0) req.variation = { seed: variationSeed(sound.seed, k), amount: sound.variation };
  return req;
}

export class VariationPool {
  readonly size: number;
  private readonly pads: PadSlot[] = [];
  private freed: SampleId[] = [];

  constructor(opts: { size?: number } = {}) {
    this.size = opts.size ?? DEFAULT_VARIATIONS;
    if (!Number.isInteger(this.size) || this.size < 1) throw new Error(`pool size must be a positive integer, got ${opts.size}`);
  }

  private slot(pad: number): PadSlot {
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`pad must be a non-negative integer, got ${pad}`);
    while (this.pads.length <= pad) {
      this.pads.push({ sound: null, generation: 0, nextIndex: 0, ready: [], old: [], oldCursor: 0, current: null, currentGeneration: 0, pending: 0, lastPlayed: -Infinity, error: null });
    }
    return this.pads[pad]!;
  }

  /** How many one-shots a pad wants ready. */
  wanted(pad: number): number {
    const s = this.slot(pad).sound;
    if (!s) return 0;
    return s.variation > 0 ? this.size : 1;
  }

  /** Map a pad to a sound (null unmaps it). Unchanged sounds are a no-op. */
  setPad(pad: number, sound: PadSound | null): void {
    const p = this.slot(pad);
    if (sameSound(p.sound, sound)) return;
    if (sound && !(sound.variation >= 0 && sound.variation <= 1)) throw new Error(`variation must be in 0–1, got ${sound.variation}`);
    p.generation++;
    p.nextIndex = 0;
    p.pending = 0; // jobs still out belong to the old generation and are dropped on delivery
    p.error = null;
    if (sound === null) {
      this.release(p.ready, p.old, p.current === null ? [] : [p.current]);
      p.ready = [];
      p.old = [];
      p.current = null;
    } else if (p.ready.length > 0) {
      // The ready one-shots become the old sound; an older old sound (never replaced) goes.
      this.release(p.old.filter((id) => id !== p.current));
      p.old = p.ready;
      p.ready = [];
      p.oldCursor = 0;
    }
    p.sound = sound ? { ...sound } : null;
  }

  sound(pad: number): PadSound | null {
    return this.slot(pad).sound;
  }

  /**
   * A hit on a pad at time `now` (any monotonic clock; orders refills).
   * Returns the one-shot to play, or null when the pad has nothing yet.
   */
  hit(pad: number, now: number): SampleId | null {
    const p = this.slot(pad);
    if (!p.sound) return null;
    p.lastPlayed = now;
    let id: SampleId | null;
    if (p.ready.length > 0) {
      // Variation 0 keeps its one seed sound; otherwise the hit consumes the variation.
      id = p.sound.variation === 0 ? p.ready[0]! : p.ready.shift()!;
      p.currentGeneration = p.generation;
    } else if (p.old.length > 0) {
      id = p.old[p.oldCursor++ % p.old.length]!;
      p.currentGeneration = p.generation - 1;
    } else {
      id = p.current;
    }
    const prev = p.current;
    if (prev !== null && prev !== id && !p.ready.includes(prev) && !p.old.includes(prev)) this.release([prev]);
    p.current = id;
    return id;
  }

  /**
   * Up to `max` jobs to start now, in priority order; they count as pending
   * until deliver() or fail().
   */
  nextJobs(max: number, now = 0): PoolJob[] {
    void now;
    const jobs: PoolJob[] = [];
    const order = this.pads
      .map((p, pad) => ({ p, pad }))
      .filter(({ p }) => p.sound !== null && p.error === null)
      .sort((a, b) => b.p.lastPlayed - a.p.lastPlayed || a.pad - b.pad);
    const take = (pad: number, p: PadSlot) => {
      const sound = p.sound!;
      const k = p.nextIndex++;
      p.pending++;
      jobs.push({ pad, generation: p.generation, index: k, request: requestFor(sound, k) });
    };
    // 1: pads with nothing of their current sound yet get their first one-shot.
    for (const { p, pad } of order) {
      if (jobs.length >= max) return jobs;
      if (p.ready.length === 0 && p.pending === 0) take(pad, p);
    }
    // 2: top up, most recently played pad first.
    for (const { p, pad } of order) {
      const want = this.wanted(pad);
      while (jobs.length < max && p.ready.length + p.pending < want) take(pad, p);
      if (jobs.length >= max) break;
    }
    return jobs;
  }

  /**
   * A job's one-shot arrived as `id`. Returns false when the job is stale (the
   * pad changed since): the caller should not keep the audio.
   */
  deliver(job: PoolJob, id: SampleId): boolean {
    const p = this.slot(job.pad);
    if (job.generation !== p.generation || !p.sound) return false;
    p.pending = Math.max(0, p.pending - 1);
    p.ready.push(id);
    p.error = null;
    if (p.old.length > 0) {
      // The new sound is here: the old one goes.
      this.release(p.old);
      if (p.current !== null && p.old.includes(p.current)) p.current = null;
      p.old = [];
    } else if (p.current !== null && p.ready.length === 1 && p.sound.variation === 0 && p.current !== id) {
      // A seed sound replaced the replay fallback.
      this.release([p.current]);
      p.current = null;
    }
    return true;
  }

  /** A job failed; the pad stops refilling until its sound changes or retry() is called. */
  fail(job: PoolJob, reason: string): void {
    const p = this.slot(job.pad);
    if (job.generation !== p.generation) return;
    p.pending = Math.max(0, p.pending - 1);
    p.error = reason;
  }

  /** Clear every pad's error so it refills again. */
  retry(): void {
    for (const p of this.pads) p.error = null;
  }

  /** One-shots the player may forget (each reported once). */
  drainFreed(): SampleId[] {
    const f = this.freed;
    this.freed = [];
    return f;
  }

  state(pad: number): PadPoolState {
    const p = this.slot(pad);
    return {
      ready: p.ready.length,
      pending: p.pending,
      wanted: this.wanted(pad),
      regenerating: p.old.length > 0 || (p.ready.length === 0 && p.current !== null && p.currentGeneration !== p.generation),
      playable: p.ready.length > 0 || p.old.length > 0 || p.current !== null,
      error: p.error,
    };
  }

  /** Sums over all pads. */
  totals(): { ready: number; pending: number; wanted: number } {
    let ready = 0;
    let pending = 0;
    let wanted = 0;
    this.pads.forEach((p, pad) => {
      ready += p.ready.length;
      pending += p.pending;
      wanted += this.wanted(pad);
    });
    return { ready, pending, wanted };
  }

  private release(...lists: SampleId[][]): void {
    const seen = new Set(this.freed);
    for (const l of lists) {
      for (const id of l) {
        if (!seen.has(id)) {
          seen.add(id);
          this.freed.push(id);
        }
      }
    }
  }
}
