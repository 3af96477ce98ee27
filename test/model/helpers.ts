/**
 * Test helpers: tiny configs, random weights, and a writer for model folders
 * in the exact export format of docs/model-spec.md §5 (what the trainer writes).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import type { ModelConfig, ModelKind } from '../../src/model/config.js';
import { Xoshiro128 } from '../../src/model/prng.js';
import { expectedWeights } from '../../src/model/unet.js';

/** A small but complete config: every block exists, T divisible by 4, groups divide all widths. */
export function tinyConfig(kind: ModelKind = 'drums', over: Partial<ModelConfig['architecture']> = {}): ModelConfig {
  const nMels = over.nMels ?? 8;
  const nFrames = over.nFrames ?? 16;
  const conditions =
    kind === 'drums'
      ? [
          { name: 'class', kind: 'categorical' as const, size: DRUM_CLASSES.length + 1 },
          { name: 'descriptors', kind: 'descriptors' as const, size: 5 },
        ]
      : [
          { name: 'family', kind: 'categorical' as const, size: GM_FAMILIES.length + 1 },
          { name: 'pitch', kind: 'pitch' as const, size: 17 },
          { name: 'velocity', kind: 'scalar' as const, size: 2 },
          { name: 'descriptors', kind: 'descriptors' as const, size: 5 },
        ];
  return {
    version: 1,
    kind,
    representation: { sampleRate: 44100, nFft: 2048, hop: 512, nMels, fMin: 20, fMax: 22050, nFrames, floorDb: -90, ceilDb: 10 },
    architecture: {
      channels: [8, 16, 16],
      embedDim: 16,
      groups: 4,
      heads: 2,
      condDim: kind === 'drums' ? 16 : 41,
      nMels,
      nFrames,
      dataMean: -0.4,
      dataStd: 0.3,
      ...over,
    },
    conditions,
    classes: kind === 'drums' ? [...DRUM_CLASSES] : [...GM_FAMILIES],
    descriptorStats: { mean: [10, -2, 0.5, 0.2], std: [1.5, 1, 0.2, 0.1] },
    schedule: { type: 'cosine-logsnr', logSnrMin: -15, logSnrMax: 15 },
    sampler: { name: 'dpmpp-2m', steps: 4, guidance: 2 },
    training: { steps: 1 },
  };
}

/**
 * Random weights with fan-in scaling, so activations stay O(1) through the
 * network (a parity test on exploding or vanishing activations proves little).
 */
export function randomWeights(cfg: ModelConfig, seed = 1): Map<string, Float32Array> {
  const rng = new Xoshiro128(seed);
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of expectedWeights(cfg.architecture)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    const isNorm = /norm\w*\.weight$|norm\.weight$/.test(name) && shape.length === 1;
    if (isNorm) for (let i = 0; i < n; i++) a[i] = 1 + 0.2 * rng.nextGaussian();
    else if (shape.length === 1) for (let i = 0; i < n; i++) a[i] = 0.1 * rng.nextGaussian();
    else {
      const fanIn = shape.length === 3 ? shape[0]! * shape[1]! : shape[0]!;
      const s = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) a[i] = s * rng.nextGaussian();
    }
    out.set(name, a);
  }
  return out;
}

/** IEEE float32 → float16 bits, round to nearest even (what numpy's astype(float16) does). */
export function toFloat16Bits(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export interface WriteOptions {
  /** Store as tfjs float16 quantization (shipped models) instead of float32 (parity fixture). */
  float16?: boolean;
  /** Split the group's bytes into shards of at most this size. */
  shardBytes?: number;
}

/** Write config.json, model.json and shard(s) to `dir`; returns the shard file names. */
export function writeModelDir(dir: string, cfg: ModelConfig, weights: Map<string, Float32Array>, opts: WriteOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const entries: object[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, shape] of expectedWeights(cfg.architecture)) {
    const w = weights.get(name)!;
    if (opts.float16) {
      const h = new Uint16Array(w.length);
      for (let i = 0; i < w.length; i++) h[i] = toFloat16Bits(w[i]!);
      chunks.push(new Uint8Array(h.buffer));
      entries.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
    } else {
      chunks.push(new Uint8Array(w.slice().buffer));
      entries.push({ name, shape, dtype: 'float32' });
    }
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  const shardBytes = opts.shardBytes ?? 4 * 1024 * 1024;
  const nShards = Math.max(1, Math.ceil(total / shardBytes));
  const paths: string[] = [];
  for (let i = 0; i < nShards; i++) {
    const p = `group1-shard${i + 1}of${nShards}.bin`;
    writeFileSync(path.join(dir, p), all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)));
    paths.push(p);
  }
  const manifest = { format: 'oneshot-diffusion-unet1d', version: 1, weightsManifest: [{ paths, weights: entries }] };
  writeFileSync(path.join(dir, 'model.json'), JSON.stringify(manifest));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
  return paths;
}

/** Max |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
