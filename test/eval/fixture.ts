/**
 * A tiny stand-in for data/ and models/ for the evaluation harness test:
 * synthetic one-shots (filtered noise bursts per drum class, harmonic tones per
 * GM family at the harness's evaluation pitches) in a small representation
 * (32 mel bands, nFft 512), analysed with the real audioToFeature into shards
 * with the real layout (shards/, audio/, manifest.json), and two tiny U-Nets
 * with seeded random weights in the export format (model.json + .bin + config.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import { encodeNpy } from '../../src/dataset/npy.js';
import type { RepresentationConfig } from '../../src/dsp/config.js';
import { signalLength } from '../../src/dsp/config.js';
import { normalizePeak } from '../../src/dsp/envelope.js';
import { audioToFeature } from '../../src/dsp/features.js';
import type { ArchitectureConfig } from '../../src/model/config.js';
import { expectedWeights } from '../../src/model/unet.js';
import { familyPitches } from '../../scripts/eval-lib.js';

const BASE = { sampleRate: 44100, nFft: 512, hop: 256, nMels: 32, fMin: 20, fMax: 22050, floorDb: -90, ceilDb: 10 };
export const FIXTURE_REP: Record<'drums' | 'tonal', RepresentationConfig> = {
  drums: { ...BASE, nFrames: 16 },
  tonal: { ...BASE, nFrames: 32 },
};

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

function drum(cls: number, n: number, r: () => number): Float32Array {
  const x = new Float32Array(n);
  const decay = 0.02 + 0.03 * cls + 0.01 * r();
  const f = 60 + 90 * cls;
  let lp = 0;
  const a = Math.min(0.95, 0.05 + cls / 11);
  for (let i = 0; i < n; i++) {
    const t = i / 44100;
    lp = a * lp + (1 - a) * gauss(r);
    x[i] = Math.exp(-t / decay) * (0.6 * Math.sin(2 * Math.PI * f * t) + (cls / 10) * lp);
  }
  normalizePeak(x, -1);
  return x;
}

function tone(fam: number, midi: number, n: number, r: () => number): Float32Array {
  const x = new Float32Array(n);
  const f0 = 440 * 2 ** ((midi - 69) / 12);
  const harm = 1 + (fam % 6);
  for (let i = 0; i < n; i++) {
    const t = i / 44100;
    let v = 0;
    for (let h = 1; h <= harm; h++) if (f0 * h < 20000) v += Math.sin(2 * Math.PI * f0 * h * t + r() * 0.001) / h;
    x[i] = v * Math.exp(-t / (0.05 + 0.02 * (fam % 4))) * Math.min(1, t / 0.002);
  }
  normalizePeak(x, -1);
  return x;
}

/** Writes <dir>/manifest.json, shards/*.npy|json and audio/*.npy. */
export function writeFixtureDataset(dir: string, counts = { train: 3, val: 1, test: 2 }): void {
  mkdirSync(path.join(dir, 'shards'), { recursive: true });
  mkdirSync(path.join(dir, 'audio'), { recursive: true });
  const manifest: Array<Record<string, unknown>> = [];
  const r = prng(7);
  for (const kind of ['drums', 'tonal'] as const) {
    const rep = FIXTURE_REP[kind];
    const n = signalLength(rep);
    for (const split of ['train', 'val', 'test'] as const) {
      const feats: Float32Array[] = [];
      const waves: Float32Array[] = [];
      const items: Array<Record<string, unknown>> = [];
      const names = kind === 'drums' ? DRUM_CLASSES : GM_FAMILIES;
      names.forEach((name, ci) => {
        for (let k = 0; k < counts[split]; k++) {
          const pitches = kind === 'tonal' ? familyPitches(name) : null;
          const pitch = pitches ? pitches[k % 3]! + (split === 'test' ? 0 : 1) : undefined;
          const x = kind === 'drums' ? drum(ci, n, r) : tone(ci, pitch!, n, r);
          const row = feats.length;
          const id = `${kind}/${split}/${name}/${k}`;
          feats.push(audioToFeature(x, rep));
          waves.push(x);
          const desc = [10 + ci / 5, -2 + r(), r(), r() * 0.1];
          items.push(kind === 'drums'
            ? { id, class: ci, descriptors: desc }
            : { id, family: ci, program: ci * 8, pitch, velocity: k % 2 ? 64 : 112, descriptors: desc });
          manifest.push({
            id, kind, source: 'synthetic', group: `${split}-${name}`, instrument: name, split,
            ...(kind === 'drums' ? { class: name } : { family: name, program: ci * 8, pitch, velocity: k % 2 ? 64 : 112 }),
            descriptors: { brightness: 1000, decay: 0.2, punch: 0.5, noisiness: 0.1, f0: null, loudness: -10 },
            augmentation: null, shard: `${kind}_${split}`, row,
          });
        }
      });
      const D = rep.nMels * rep.nFrames;
      const f = new Float32Array(feats.length * D);
      feats.forEach((a, i) => f.set(a, i * D));
      const w = new Int16Array(waves.length * n);
      waves.forEach((a, i) => a.forEach((v, j) => (w[i * n + j] = Math.max(-32768, Math.min(32767, Math.round(v * 32767))))));
      writeFileSync(path.join(dir, 'shards', `${kind}_${split}.npy`), encodeNpy(f, [feats.length, rep.nMels, rep.nFrames]));
      writeFileSync(path.join(dir, 'shards', `${kind}_${split}.json`), JSON.stringify({ items }));
      writeFileSync(path.join(dir, 'audio', `${kind}_${split}.npy`), encodeNpy(w, [waves.length, n]));
    }
  }
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ version: 1, created: '2026-01-01T00:00:00Z', sources: ['synthetic'], representations: FIXTURE_REP, items: manifest }),
  );
}

/** Writes <dir>/drums and <dir>/tonal: tiny random U-Nets (float32 weights) with valid configs. */
export function writeFixtureModels(dir: string): void {
  for (const kind of ['drums', 'tonal'] as const) {
    const rep = FIXTURE_REP[kind];
    const conditions = kind === 'drums'
      ? [{ name: 'class', kind: 'categorical', size: 11 }, { name: 'descriptors', kind: 'descriptors', size: 5 }]
      : [
          { name: 'family', kind: 'categorical', size: 17 }, { name: 'pitch', kind: 'pitch', size: 17 },
          { name: 'velocity', kind: 'scalar', size: 2 }, { name: 'descriptors', kind: 'descriptors', size: 5 },
        ];
    const arch: ArchitectureConfig = {
      channels: [8, 16, 16], embedDim: 16, groups: 4, heads: 2,
      condDim: conditions.reduce((s, c) => s + c.size, 0), nMels: rep.nMels, nFrames: rep.nFrames, dataMean: -0.5, dataStd: 0.4,
    };
    const r = prng(kind === 'drums' ? 11 : 12);
    const specs: Array<{ name: string; shape: number[]; dtype: 'float32' }> = [];
    const chunks: Float32Array[] = [];
    for (const [name, shape] of expectedWeights(arch)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const a = new Float32Array(size);
      const isNormWeight = shape.length === 1 && name.endsWith('.weight');
      const fanIn = shape.length === 3 ? shape[0]! * shape[1]! : shape.length === 2 ? shape[0]! : 1;
      for (let i = 0; i < size; i++) a[i] = isNormWeight ? 1 : shape.length === 1 ? 0 : (gauss(r) * 0.5) / Math.sqrt(fanIn);
      specs.push({ name, shape, dtype: 'float32' });
      chunks.push(a);
    }
    const total = chunks.reduce((s, c) => s + c.length, 0);
    const blob = new Float32Array(total);
    let o = 0;
    for (const c of chunks) {
      blob.set(c, o);
      o += c.length;
    }
    const out = path.join(dir, kind);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'group1-shard1of1.bin'), new Uint8Array(blob.buffer));
    writeFileSync(path.join(out, 'model.json'), JSON.stringify({
      format: 'oneshot-diffusion-unet1d', version: 1,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
    }));
    writeFileSync(path.join(out, 'config.json'), JSON.stringify({
      version: 1, kind, representation: rep, architecture: arch, conditions,
      classes: kind === 'drums' ? [...DRUM_CLASSES] : [...GM_FAMILIES],
      descriptorStats: { mean: [10.5, -1.5, 0.6, 0.05], std: [2.3, 1, 0.26, 0.07] },
      schedule: { type: 'cosine-logsnr', logSnrMin: -15, logSnrMax: 15 },
      sampler: { name: 'dpmpp-2m', steps: 3, guidance: 2 },
      training: { steps: 0, valLoss: null, note: 'random weights: evaluation harness fixture', date: '2026-01-01T00:00:00Z' },
    }));
  }
}
