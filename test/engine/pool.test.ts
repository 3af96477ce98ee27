import { describe, expect, it } from 'vitest';
import { requestFor, VariationPool, type PadSound, type PoolJob } from '../../src/engine/pool.js';
import { padSeed, variationSeed } from '../../src/engine/seeds.js';

const sound = (over: Partial<PadSound> = {}): PadSound => ({ class: 'kick', seed: 42, guidance: 3, steps: 10, variation: 0.3, ...over });

/** Deliver every job with fresh ids; returns the ids. */
let nextId = 1;
function deliverAll(pool: VariationPool, jobs: PoolJob[]): number[] {
  return jobs.map((j) => {
    const id = nextId++;
    pool.deliver(j, id);
    return id;
  });
}

describe('variation pool', () => {
  it('keeps N ready variations per mapped pad (default 4), first the seed sound', () => {
    const pool = new VariationPool();
    expect(pool.size).toBe(4);
    pool.setPad(0, sound());
    const jobs = pool.nextJobs(100);
    expect(jobs.map((j) => j.index)).toEqual([0, 1, 2, 3]);
    expect(jobs[0]!.request).toEqual({ class: 'kick', seed: 42, guidance: 3, steps: 10 });
    expect(jobs[1]!.request.variation).toEqual({ seed: variationSeed(42, 1), amount: 0.3 });
    expect(pool.nextJobs(100)).toEqual([]); // all pending
    deliverAll(pool, jobs);
    expect(pool.state(0)).toMatchObject({ ready: 4, pending: 0, wanted: 4, playable: true });
    expect(pool.nextJobs(100)).toEqual([]);
  });

  it('a hit plays the next variation, consumes it and asks for a refill', () => {
    const pool = new VariationPool();
    pool.setPad(0, sound());
    const ids = deliverAll(pool, pool.nextJobs(100));
    expect(pool.hit(0, 1)).toBe(ids[0]);
    expect(pool.hit(0, 2)).toBe(ids[1]);
    expect(pool.drainFreed()).toEqual([ids[0]]); // the previous one is no longer needed
    const refill = pool.nextJobs(100);
    expect(refill.map((j) => j.index)).toEqual([4, 5]); // fresh variations, never repeats
    expect(pool.state(0)).toMatchObject({ ready: 2, pending: 2 });
  });

  it('when a pad runs dry it replays the last one-shot instead of going silent', () => {
    const pool = new VariationPool({ size: 2 });
    pool.setPad(0, sound());
    const ids = deliverAll(pool, pool.nextJobs(100));
    pool.hit(0, 1);
    expect(pool.hit(0, 2)).toBe(ids[1]);
    expect(pool.hit(0, 3)).toBe(ids[1]);
    expect(pool.hit(0, 4)).toBe(ids[1]);
    expect(pool.drainFreed()).toEqual([ids[0]]);
  });

  it('variation 0: every hit is the seed sound, one one-shot, never consumed', () => {
    const pool = new VariationPool();
    pool.setPad(3, sound({ variation: 0 }));
    const jobs = pool.nextJobs(100);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.request.variation).toBeUndefined();
    const [id] = deliverAll(pool, jobs);
    for (let t = 0; t < 10; t++) expect(pool.hit(3, t)).toBe(id);
    expect(pool.nextJobs(100)).toEqual([]);
    expect(pool.drainFreed()).toEqual([]);
  });

  it('variation k is deterministic and k = 0 is identical at every amount', () => {
    expect(requestFor(sound({ variation: 0.1 }), 0)).toEqual(requestFor(sound({ variation: 0.9 }), 0));
    expect(requestFor(sound(), 3)).toEqual(requestFor(sound(), 3));
    expect(requestFor(sound(), 3).variation!.seed).not.toBe(requestFor(sound(), 4).variation!.seed);
    expect(requestFor(sound({ variation: 0 }), 3).variation).toBeUndefined();
  });

  it('turning a knob regenerates in the background; the pad keeps its sound until the new one is ready', () => {
    const pool = new VariationPool({ size: 2 });
    pool.setPad(0, sound());
    const old = deliverAll(pool, pool.nextJobs(100));
    const stale = pool.nextJobs(100); // nothing: full
    expect(stale).toEqual([]);
    pool.setPad(0, sound({ guidance: 5 }));
    expect(pool.state(0)).toMatchObject({ ready: 0, regenerating: true, playable: true });
    // Still the old sound, round-robin, not consumed.
    expect([pool.hit(0, 1), pool.hit(0, 2), pool.hit(0, 3)]).toEqual([old[0], old[1], old[0]]);
    expect(pool.drainFreed()).toEqual([]);
    const fresh = pool.nextJobs(100);
    expect(fresh.map((j) => j.request.guidance)).toEqual([5, 5]);
    const [first] = deliverAll(pool, fresh.slice(0, 1));
    // The first new one-shot replaces the old sound at once.
    expect(pool.drainFreed().sort()).toEqual([...old].sort());
    expect(pool.hit(0, 4)).toBe(first);
  });

  it('results for a sound that has changed since are rejected', () => {
    const pool = new VariationPool({ size: 1 });
    pool.setPad(0, sound());
    const [job] = pool.nextJobs(100);
    pool.setPad(0, sound({ seed: 7 }));
    expect(pool.deliver(job!, 99)).toBe(false);
    expect(pool.state(0).ready).toBe(0);
    const [job2] = pool.nextJobs(100);
    expect(job2!.request.seed).toBe(7);
    expect(pool.deliver(job2!, 100)).toBe(true);
  });

  it('setting the same sound again changes nothing', () => {
    const pool = new VariationPool({ size: 1 });
    pool.setPad(0, sound());
    const [job] = pool.nextJobs(100);
    pool.setPad(0, sound());
    expect(pool.deliver(job!, 1)).toBe(true);
  });

  it('refills first pads with nothing yet, then the most recently played first', () => {
    const pool = new VariationPool({ size: 2 });
    for (let p = 0; p < 4; p++) pool.setPad(p, sound({ seed: p }));
    // First round: one first one-shot per pad, in pad order (none played yet).
    const first = pool.nextJobs(4);
    expect(first.map((j) => [j.pad, j.index])).toEqual([[0, 0], [1, 0], [2, 0], [3, 0]]);
    deliverAll(pool, first);
    pool.hit(1, 10);
    pool.hit(3, 20);
    pool.hit(2, 15);
    const next = pool.nextJobs(100);
    // Pads 1, 2, 3 are empty again (consumed) → each gets its first, most recent first; then top-ups in the same order; pad 0 last.
    expect(next.map((j) => j.pad)).toEqual([3, 2, 1, 3, 2, 1, 0]);
  });

  it('a failed job stops the pad from refilling until retry()', () => {
    const pool = new VariationPool({ size: 1 });
    pool.setPad(0, sound());
    const [job] = pool.nextJobs(10);
    pool.fail(job!, 'boom');
    expect(pool.state(0).error).toBe('boom');
    expect(pool.nextJobs(10)).toEqual([]);
    pool.retry();
    expect(pool.nextJobs(10)).toHaveLength(1);
  });

  it('unmapping a pad frees everything it held', () => {
    const pool = new VariationPool({ size: 3 });
    pool.setPad(0, sound());
    const ids = deliverAll(pool, pool.nextJobs(100));
    pool.hit(0, 1);
    pool.setPad(0, null);
    expect(pool.drainFreed().sort()).toEqual([...ids].sort());
    expect(pool.hit(0, 2)).toBeNull();
    expect(pool.totals()).toEqual({ ready: 0, pending: 0, wanted: 0 });
  });

  it('never frees a one-shot twice or leaks one across many changes', () => {
    const pool = new VariationPool({ size: 3 });
    const live = new Set<number>();
    const freed = new Set<number>();
    let rng = 1;
    const rand = () => ((rng = (Math.imul(rng, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let step = 0; step < 2000; step++) {
      const pad = Math.floor(rand() * 3);
      const r = rand();
      if (r < 0.1) pool.setPad(pad, sound({ seed: Math.floor(rand() * 5), variation: rand() < 0.3 ? 0 : 0.5 }));
      else if (r < 0.5) pool.hit(pad, step);
      else {
        for (const j of pool.nextJobs(2)) {
          const id = nextId++;
          if (pool.deliver(j, id)) live.add(id);
        }
      }
      for (const id of pool.drainFreed()) {
        expect(freed.has(id)).toBe(false);
        expect(live.has(id)).toBe(true);
        freed.add(id);
        live.delete(id);
      }
    }
    for (let p = 0; p < 3; p++) pool.setPad(p, null);
    for (const id of pool.drainFreed()) live.delete(id);
    expect(live.size).toBe(0);
  });
});

describe('seeds', () => {
  it('global seed 0 keeps pad seeds; others move all pads deterministically', () => {
    expect(padSeed(0, 1234)).toBe(1234);
    expect(padSeed(7, 1234)).toBe(padSeed(7, 1234));
    expect(padSeed(7, 1234)).not.toBe(1234);
    expect(padSeed(7, 1234)).not.toBe(padSeed(8, 1234));
    for (const s of [padSeed(9999, 0xffffffff), variationSeed(0xffffffff, 1e6)]) {
      expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
    }
  });
});
