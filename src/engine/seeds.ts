/**
 * Seed arithmetic for pads and variations. Pure 32-bit integer hashing, so a
 * pad's k-th variation is the same one-shot on every machine and backend.
 */
import type { Seed } from '../model/prng.js';

/** Largest seed (seeds are unsigned 32-bit integers). */
export const MAX_SEED = 0xffffffff;

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers with good avalanche. */
export function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Seed of the k-th (k ≥ 1) variation's second noise draw for a pad seed. */
export function variationSeed(seed: Seed, k: number): Seed {
  return mix32((seed ^ mix32(k + 0x5bd1e995)) >>> 0);
}

/**
 * Effective seed of a pad under the kit's global seed: global 0 leaves the pad
 * seed as it is; other values move every pad to unrelated seeds together.
 */
export function padSeed(globalSeed: number, seed: Seed): Seed {
  return globalSeed === 0 ? seed >>> 0 : (seed ^ mix32(globalSeed)) >>> 0;
}

/** A random seed (for the dice), 0 … 999 999 so it is easy to read and type. */
export function randomSeed(random: () => number = Math.random): Seed {
  return Math.floor(random() * 1_000_000);
}
