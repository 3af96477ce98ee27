/**
 * npm run dataset:retune — the tonal shards with every note tuned to its key
 * (src/dataset/retune.ts says why):
 *
 *   data/audio/tonal_{split}.npy + data/shards/tonal_{split}.json + .pitch.json (npm run dataset:pitch)
 * → data/shards-retuned/tonal_{split}.npy   features of the retuned audio, same rows and order
 *   data/shards-retuned/tonal_{split}.json  the same items, descriptors re-measured on the retuned
 *                                           audio, and "retuneCents" (the shift applied, 0: none)
 *
 * Train on it with `python -m training.train --kind tonal --data data/shards-retuned`
 * (the representation still comes from data/manifest.json, one folder up).
 * A row that is not moved keeps its original feature row bit for bit. Every file
 * is written to a temporary name and renamed, so a half-written shard never exists.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { PITCH_LABELS_VERSION } from '../src/dataset/pitch-label.js';
import { retuneToKey } from '../src/dataset/retune.js';
import { decodeNpy, encodeNpy } from '../src/dataset/npy.js';
import { describe, descriptorVector } from '../src/dsp/descriptors.js';
import { audioToFeature } from '../src/dsp/features.js';
import { readManifest, shardWaves } from './audio-shard.js';
import { writeAtomic } from './write-atomic.js';

const o = new Command('dataset:retune')
  .option('--data <dir>', 'the folder `npm run dataset` wrote', 'data')
  .option('--out <dir>', 'where the retuned shards go', 'data/shards-retuned')
  .option('--splits <list>', 'comma-separated splits', 'train,val,test')
  .parse()
  .opts<{ data: string; out: string; splits: string }>();

function fail(msg: string): never {
  console.error(`dataset:retune: ${msg}`);
  process.exit(1);
}

const splits = o.splits.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of splits) if (!['train', 'val', 'test'].includes(s)) fail(`--splits: unknown split "${s}" (train, val, test)`);
const manifestPath = path.join(o.data, 'manifest.json');
if (!existsSync(manifestPath)) fail(`${manifestPath} is missing (run npm run dataset first)`);
const { items: manifest, representations } = readManifest(o.data);
const cfg = representations.tonal;
if (!cfg || !(cfg.sampleRate > 0)) fail(`${manifestPath}: representations.tonal is missing`);
const F = cfg.nMels * cfg.nFrames;
type Labels = { version?: number; items?: Array<{ cents: number | null }> };
const src = (shard: string, ext: string) => path.join(o.data, 'shards', `${shard}${ext}`);
// Every input of every split is checked before anything is computed or written.
const inputs = splits.map((split) => {
  const shard = `tonal_${split}`;
  for (const p of [src(shard, '.json'), src(shard, '.npy'), src(shard, '.pitch.json'), path.join(o.data, 'audio', `${shard}.npy`)]) {
    if (!existsSync(p)) fail(`${p} is missing (run npm run dataset${p.endsWith('.pitch.json') ? ':pitch' : ''} first)`);
  }
  const items = (JSON.parse(readFileSync(src(shard, '.json'), 'utf8')) as { items: Array<Record<string, unknown> & { id: string }> }).items;
  const labels = JSON.parse(readFileSync(src(shard, '.pitch.json'), 'utf8')) as Labels;
  if (labels.version !== PITCH_LABELS_VERSION) fail(`${src(shard, '.pitch.json')}: version ${labels.version}, expected ${PITCH_LABELS_VERSION} (run npm run dataset:pitch again)`);
  if (!Array.isArray(labels.items) || labels.items.length !== items.length) {
    fail(`${src(shard, '.pitch.json')}: ${labels.items?.length ?? 'no'} items for ${items.length} shard rows (run npm run dataset:pitch again)`);
  }
  const feats = decodeNpy(new Uint8Array(readFileSync(src(shard, '.npy'))), src(shard, '.npy'));
  if (feats.shape[0] !== items.length || feats.shape[1]! * feats.shape[2]! !== F) fail(`${src(shard, '.npy')}: shape [${feats.shape}] does not match ${items.length} rows of ${cfg.nMels}×${cfg.nFrames}`);
  return { shard, items, cents: labels.items.map((l) => l.cents), feats };
});
mkdirSync(o.out, { recursive: true });
const t0 = performance.now();
for (const { shard, items, cents, feats } of inputs) {
  const out = Float32Array.from(feats.data);
  const wave = shardWaves(o.data, manifest, shard);
  const shifts: number[] = [];
  const rows = items.map((it, r) => {
    const x = wave(r);
    if (!x) fail(`${path.join(o.data, 'audio', `${shard}.npy`)}: no audio for row ${r} (${it.id}); rebuild the dataset`);
    const { audio, shift } = retuneToKey(x, cfg.sampleRate, cents[r]!);
    if (shift === 0) return { ...it, retuneCents: 0 };
    shifts.push(Math.abs(shift));
    out.set(audioToFeature(audio, cfg), r * F);
    return { ...it, descriptors: descriptorVector(describe(audio, cfg.sampleRate, true)), retuneCents: Math.round(shift * 100) / 100 };
  });
  writeAtomic(path.join(o.out, `${shard}.npy`), encodeNpy(out, feats.shape));
  writeAtomic(path.join(o.out, `${shard}.json`), JSON.stringify({ items: rows }));
  shifts.sort((a, b) => a - b);
  const med = shifts.length ? shifts[shifts.length >> 1]! : 0;
  console.log(`${shard}: ${items.length} notes, ${shifts.length} moved to their key (median |shift| ${med.toFixed(1)} cents) → ${path.join(o.out, shard)}.{npy,json}`);
}
console.log(`dataset:retune: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
