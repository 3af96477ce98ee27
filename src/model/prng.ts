/**
 * Seeded pseudo-random numbers for the sampler's initial noise.
 *
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32: small, fast, and
 * bit-identical on every JS engine because it only uses 32-bit integer ops
 * (Math.imul, >>>). Math.random cannot be seeded, and a seed must reproduce
 * the same one-shot in the browser, the worker and the Node CLI.
 */

/** A 32-bit unsigned seed (integers 0 … 2³² − 1). */
export type Seed = number;

const TWO_POW_32 = 4294967296;

/** splitmix32: spreads a 32-bit seed over the 128-bit state, so nearby seeds give unrelated streams. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128** generator. */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second value of the last Box-Muller pair, or NaN when none is pending. */
  private spare = Number.NaN;

  constructor(seed: Seed) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
      throw new Error(`seed: expected an integer in 0–4294967295, got ${seed}`);
    }
    const sm = { s: seed | 0 };
    this.a = splitmix32(sm);
    this.b = splitmix32(sm);
    this.c = splitmix32(sm);
    this.d = splitmix32(sm);
    // The all-zero state is a fixed point; splitmix32 cannot produce four zeros, but be explicit.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in the open interval (0, 1): never 0, so log() in Box-Muller stays finite. */
  nextFloat(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** Standard normal N(0, 1) by Box-Muller; values come in pairs, the second is cached. */
  nextGaussian(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextFloat()));
    const phi = 2 * Math.PI * this.nextFloat();
    this.spare = r * Math.sin(phi);
    return r * Math.cos(phi);
  }

  /** Fill `out` with N(0, 1) samples (float32-rounded) and return it. */
  fillGaussian(out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.nextGaussian();
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Standard-normal noise for one item, a pure function of (seed, length), so an
 * item gets the same noise whether it is generated alone or in a batch.
 */
export function gaussianNoise(seed: Seed, length: number): Float32Array {
  return new Xoshiro128(seed).fillGaussian(new Float32Array(length));
}
