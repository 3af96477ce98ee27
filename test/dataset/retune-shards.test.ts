/**
 * npm run dataset:retune on the eval's fixture dataset: moved rows get new
 * features and their shift, untouched rows stay bit for bit, and bad input
 * stops with a one-line error before anything is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/dataset/npy.js';
import { PITCH_LABELS_VERSION } from '../../src/dataset/pitch-label.js';
import { writeFixtureDataset } from '../eval/fixture.js';

const repo = path.resolve(__dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'retune-'));
const data = path.join(tmp, 'data');
writeFixtureDataset(data, { train: 1, val: 1, test: 1 });
const rows = (split: string) => (JSON.parse(readFileSync(path.join(data, 'shards', `tonal_${split}.json`), 'utf8')) as { items: unknown[] }).items.length;
const labels = (split: string, cents: Array<number | null>, version = PITCH_LABELS_VERSION) =>
  writeFileSync(path.join(data, 'shards', `tonal_${split}.pitch.json`), JSON.stringify({ version, items: cents.map((c) => ({ cents: c })) }));
const run = (out: string, splits = 'val') =>
  spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), 'scripts/retune-shards.ts', '--data', data, '--out', out, '--splits', splits], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
  });
const feats = (file: string) => decodeNpy(new Uint8Array(readFileSync(file)), file);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dataset:retune', () => {
  it('moves the notes with a trusted offset and keeps the others bit for bit', () => {
    const n = rows('val');
    // Row 0: 30 cents sharp (moved); row 1: no f0; row 2: 80 cents (not a detune); the rest in tune.
    labels('val', Array.from({ length: n }, (_, r) => (r === 0 ? 30 : r === 1 ? null : r === 2 ? 80 : 0)));
    const out = path.join(tmp, 'ok');
    const r = run(out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`tonal_val: ${n} notes, 1 moved to their key \\(median \\|shift\\| 30.0 cents\\)`));
    const before = feats(path.join(data, 'shards', 'tonal_val.npy'));
    const after = feats(path.join(out, 'tonal_val.npy'));
    expect(after.shape).toEqual(before.shape);
    const F = before.shape[1]! * before.shape[2]!;
    const row = (x: typeof before, i: number) => Array.from(x.data.subarray(i * F, (i + 1) * F));
    expect(row(after, 0)).not.toEqual(row(before, 0));
    for (let i = 1; i < n; i++) expect(row(after, i)).toEqual(row(before, i));
    const items = (JSON.parse(readFileSync(path.join(out, 'tonal_val.json'), 'utf8')) as { items: Array<{ retuneCents: number; pitch: number }> }).items;
    expect(items.map((it) => it.retuneCents).slice(0, 3)).toEqual([-30, 0, 0]);
    expect(items[0]!.pitch).toBe((JSON.parse(readFileSync(path.join(data, 'shards', 'tonal_val.json'), 'utf8')) as { items: Array<{ pitch: number }> }).items[0]!.pitch);
  }, 130_000);

  it('names the labels file when it is missing, stale or does not match the shard, and writes nothing', () => {
    const out = path.join(tmp, 'bad');
    rmSync(path.join(data, 'shards', 'tonal_test.pitch.json'), { force: true });
    let r = run(out, 'val,test');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`dataset:retune: ${path.join(data, 'shards', 'tonal_test.pitch.json')} is missing (run npm run dataset:pitch first)`);
    expect(existsSync(out)).toBe(false);

    labels('test', [0], PITCH_LABELS_VERSION + 1);
    r = run(out, 'test');
    expect(r.stderr.trim()).toMatch(/tonal_test\.pitch\.json: version \d+, expected \d+ \(run npm run dataset:pitch again\)$/);

    labels('test', [0, 0, 0]);
    r = run(out, 'test');
    expect(r.stderr.trim()).toMatch(new RegExp(`tonal_test\\.pitch\\.json: 3 items for ${rows('test')} shard rows`));
    expect(existsSync(out)).toBe(false);
  }, 130_000);
});
