/**
 * npm run dataset:pitch — measured pitch labels for the tonal shards
 * (src/dataset/pitch-label.ts says why):
 *
 *   data/audio/tonal_{split}.npy + data/shards/tonal_{split}.json
 * → data/shards/tonal_{split}.pitch.json
 *     {"version": 1, "estimator": "estimateF0", "maxCents": 50,
 *      "items": [{"key": 58, "cents": 14.2, "label": 58.142}, ...]}   (one per shard item, same order)
 *
 * `python -m training.train --kind tonal --pitch-labels measured` trains the
 * pitch condition on `label` instead of the key. Each file is written to a
 * temporary name and renamed, so a half-written file never exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { MAX_RELABEL_CENTS, PITCH_LABELS_VERSION, pitchLabel, type PitchLabel } from '../src/dataset/pitch-label.js';
import { estimateF0 } from '../src/dsp/pitch.js';
import { readManifest, shardWaves } from './audio-shard.js';
import { writeAtomic } from './write-atomic.js';

const o = new Command('dataset:pitch')
  .option('--data <dir>', 'the folder `npm run dataset` wrote', 'data')
  .option('--splits <list>', 'comma-separated splits', 'train,val,test')
  .parse()
  .opts<{ data: string; splits: string }>();

function fail(msg: string): never {
  console.error(`dataset:pitch: ${msg}`);
  process.exit(1);
}

const splits = o.splits.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of splits) if (!['train', 'val', 'test'].includes(s)) fail(`--splits: unknown split "${s}" (train, val, test)`);
if (!existsSync(path.join(o.data, 'manifest.json'))) fail(`${path.join(o.data, 'manifest.json')} is missing (run npm run dataset first)`);
const { items: manifest, representations } = readManifest(o.data);
const sampleRate = representations.tonal?.sampleRate;
if (!(typeof sampleRate === 'number' && sampleRate > 0)) fail(`${path.join(o.data, 'manifest.json')}: representations.tonal.sampleRate is missing`);
const t0 = performance.now();
for (const split of splits) {
  const shard = `tonal_${split}`;
  const jsonPath = path.join(o.data, 'shards', `${shard}.json`);
  const audioPath = path.join(o.data, 'audio', `${shard}.npy`);
  for (const p of [jsonPath, audioPath]) if (!existsSync(p)) fail(`${p} is missing (run npm run dataset first)`);
  const items = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { items: Array<{ id: string; pitch?: number }> }).items;
  const wave = shardWaves(o.data, manifest, shard);
  const out: PitchLabel[] = [];
  let relabelled = 0;
  let offKey = 0;
  items.forEach((it, r) => {
    if (typeof it.pitch !== 'number') fail(`${jsonPath}: item ${r} (${it.id}) has no numeric "pitch"`);
    const x = wave(r);
    if (!x) fail(`${audioPath}: no audio for ${shard} row ${r} (${it.id}); rebuild the dataset`);
    const l = pitchLabel(it.pitch, estimateF0(x, sampleRate).f0);
    if (l.label !== l.key) relabelled++;
    if (l.cents !== null && Math.abs(l.cents) > 20 && Math.abs(l.cents) <= MAX_RELABEL_CENTS) offKey++;
    out.push({ key: l.key, cents: l.cents === null ? null : Math.round(l.cents * 100) / 100, label: Math.round(l.label * 10000) / 10000 });
  });
  const file = path.join(o.data, 'shards', `${shard}.pitch.json`);
  writeAtomic(file, JSON.stringify({ version: PITCH_LABELS_VERSION, estimator: 'estimateF0', maxCents: MAX_RELABEL_CENTS, items: out }));
  console.log(`${shard}: ${items.length} notes, ${relabelled} relabelled from the measured f0 (${offKey} were 20–${MAX_RELABEL_CENTS} cents off their key) → ${file}`);
}
console.log(`dataset:pitch: done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
