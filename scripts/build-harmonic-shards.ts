/**
 * npm run dataset:harmonic — the tonal shards in the harmonic-plus-noise
 * representation (src/dsp/harmonic.ts, layout in src/dsp/config.ts), from the
 * audio `npm run dataset` kept:
 *
 *   data/audio/tonal_{split}.npy  int16 [N, 65024] (scale 1/32768)
 *   data/shards/tonal_{split}.json  items, each with its requested `pitch`
 * →
 *   data/harmonic/shards/tonal_{split}.npy  float32 [N, 128, 128]
 *   data/harmonic/shards/tonal_{split}.json  (a copy)
 *   data/harmonic/manifest.json  data/manifest.json with representations.tonal
 *                                replaced by the harmonic config
 *
 * training/data.py reads the representation from <data>/../manifest.json, so
 * `python -m training.train --kind tonal --data data/harmonic/shards` trains on
 * it unchanged. Every file is written to a temporary name and renamed, so a
 * half-written shard never exists under its real name.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { HARMONIC_TONAL_REPRESENTATION, signalLength, validateRepresentation } from '../src/dsp/config.js';
import { analyzeHarmonic } from '../src/dsp/harmonic.js';
import { decodeNpy, encodeNpy } from '../src/dataset/npy.js';
import { writeAtomic } from './write-atomic.js';

const program = new Command()
  .name('dataset:harmonic')
  .option('--data <dir>', 'the folder `npm run dataset` wrote', 'data')
  .option('--out <dir>', 'output folder (git-ignored)', 'data/harmonic')
  .option('--splits <list>', 'comma-separated splits', 'train,val,test')
  .parse();
const o = program.opts<{ data: string; out: string; splits: string }>();
const cfg = validateRepresentation(HARMONIC_TONAL_REPRESENTATION, 'HARMONIC_TONAL_REPRESENTATION');
const splits = o.splits.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of splits) {
  if (!['train', 'val', 'test'].includes(s)) {
    console.error(`dataset:harmonic: --splits: unknown split "${s}" (train, val, test)`);
    process.exit(2);
  }
}

const shardsOut = join(o.out, 'shards');
mkdirSync(shardsOut, { recursive: true });
const len = signalLength(cfg);
const per = cfg.nMels * cfg.nFrames;
const t0 = Date.now();
let total = 0;
for (const split of splits) {
  const audioPath = join(o.data, 'audio', `tonal_${split}.npy`);
  const jsonPath = join(o.data, 'shards', `tonal_${split}.json`);
  for (const p of [audioPath, jsonPath]) {
    if (!existsSync(p)) {
      console.error(`dataset:harmonic: ${p} is missing (run npm run dataset first)`);
      process.exit(1);
    }
  }
  const { data, shape } = decodeNpy(readFileSync(audioPath), audioPath);
  if (!(data instanceof Int16Array) || shape.length !== 2 || shape[1] !== len) {
    console.error(`dataset:harmonic: ${audioPath}: expected int16 [N, ${len}], got ${data instanceof Int16Array ? 'int16' : 'float32'} [${shape.join(', ')}]`);
    process.exit(1);
  }
  const items = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { items: Array<{ id?: string; pitch?: unknown }> }).items;
  const n = shape[0]!;
  if (items.length !== n) {
    console.error(`dataset:harmonic: ${jsonPath} has ${items.length} items, ${audioPath} has ${n} rows`);
    process.exit(1);
  }
  const out = new Float32Array(n * per);
  const x = new Float32Array(len);
  const ts = Date.now();
  for (let i = 0; i < n; i++) {
    const pitch = items[i]!.pitch;
    if (typeof pitch !== 'number' || !Number.isInteger(pitch)) {
      console.error(`dataset:harmonic: ${jsonPath}: item ${i} (${items[i]!.id ?? '?'}) has pitch ${JSON.stringify(pitch)}, expected a MIDI note`);
      process.exit(1);
    }
    const row = data.subarray(i * len, (i + 1) * len);
    for (let t = 0; t < len; t++) x[t] = row[t]! / 32768;
    out.set(analyzeHarmonic(x, pitch, cfg), i * per);
    if ((i + 1) % 250 === 0 || i + 1 === n) {
      const s = (Date.now() - ts) / 1000;
      console.log(`tonal_${split}: ${i + 1}/${n} (${s.toFixed(0)} s, ${((s / (i + 1)) * 1000).toFixed(1)} ms/item)`);
    }
  }
  writeAtomic(join(shardsOut, `tonal_${split}.npy`), encodeNpy(out, [n, cfg.nMels, cfg.nFrames]));
  const jsonTmp = join(shardsOut, `tonal_${split}.json.tmp-${process.pid}`);
  copyFileSync(jsonPath, jsonTmp);
  renameSync(jsonTmp, join(shardsOut, `tonal_${split}.json`));
  total += n;
}

const manifestPath = join(o.data, 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`dataset:harmonic: ${manifestPath} is missing (run npm run dataset first)`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown> & { representations?: Record<string, unknown> };
manifest.representations = { ...(manifest.representations ?? {}), tonal: cfg };
writeAtomic(join(o.out, 'manifest.json'), JSON.stringify(manifest));
console.log(`dataset:harmonic: ${total} items in ${((Date.now() - t0) / 1000).toFixed(0)} s → ${o.out}`);
