/**
 * The evaluation harness end to end in --quick mode on a tiny synthetic
 * dataset and two tiny random models (test/eval/fixture.ts): checks the
 * pipeline (files, tables, counts, cache), not quality.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import { evalPitches, familyPitches, pitchStats, planRequests, QUICK_SIZES, selectWavs, sweepWeights } from '../../scripts/eval-lib.js';
import { FAMILY_RANGE } from '../../src/dataset/labels.js';
import { writeFixtureDataset, writeFixtureModels } from './fixture.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'eval-test-'));
const data = path.join(tmp, 'data');
const models = path.join(tmp, 'models');
const out = path.join(tmp, 'reports');

describe('eval-lib', () => {
  it('picks three pitches an octave apart inside every family range', () => {
    for (const [fam, [lo, hi]] of Object.entries(FAMILY_RANGE)) {
      const p = familyPitches(fam);
      expect(p[1] - p[0]).toBe(12);
      expect(p[2] - p[1]).toBe(12);
      expect(p[0]).toBeGreaterThanOrEqual(lo);
      expect(p[2]).toBeLessThanOrEqual(hi);
    }
    expect(evalPitches([28, 64])).toEqual([36, 48, 60]);
  });

  it('plans the main set and the sweep, reusing the default weight', () => {
    const w = sweepWeights(3);
    expect(w).toEqual([0, 1, 3, 6]);
    const drums = planRequests('drums', DRUM_CLASSES, 3, QUICK_SIZES, w);
    expect(drums.filter((i) => i.set === 'main')).toHaveLength(10 * QUICK_SIZES.drumsPerClass);
    expect(drums.filter((i) => i.set === 'sweep').map((i) => i.guidance).sort()).toEqual(
      [0, 1, 6].flatMap((g) => new Array(10 * QUICK_SIZES.sweepDrumsPerClass).fill(g)).sort(),
    );
    expect(drums.map((i) => i.index)).toEqual(drums.map((_, i) => i));
    const tonal = planRequests('tonal', GM_FAMILIES, 3, QUICK_SIZES, w);
    expect(tonal.filter((i) => i.set === 'main')).toHaveLength(16 * 3 * QUICK_SIZES.tonalPerPitch);
    expect(tonal.every((i) => i.pitch !== undefined && i.velocity !== undefined)).toBe(true);
  });

  it('pitch statistics count undetected notes as misses', () => {
    const s = pitchStats([0, 10, -30, null]);
    expect(s.n).toBe(4);
    expect(s.detected).toBe(0.75);
    expect(s.within).toBe(0.5);
    expect(s.medianAbs).toBe(10);
    expect(s.withinFolded).toBe(0.5);
    expect(pitchStats([1195, -1210, 2400, 600]).withinFolded).toBe(0.75);
    expect(pitchStats([1195, -1210, 2400, 600]).within).toBe(0);
  });

  it('selects WAVs by round within the byte budget', () => {
    const c = [
      { name: 'a1', bytes: 400, round: 0 }, { name: 'a2', bytes: 400, round: 1 },
      { name: 'b1', bytes: 500, round: 0 }, { name: 'b2', bytes: 300, round: 1 },
    ];
    expect(selectWavs(c, 1250).map((x) => x.name)).toEqual(['a1', 'b1', 'b2']);
  });
});

describe('npm run eval -- --quick on a tiny fixture', () => {
  let run: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    writeFixtureDataset(data);
    writeFixtureModels(models);
    run = spawnSync(
      process.execPath,
      [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), 'scripts/eval.ts', '--quick', '--data', data, '--model-dir', models, '--out', out],
      { cwd: repo, encoding: 'utf8', timeout: 280_000 }, // ~25 s alone; minutes when the suite's browser tests share the 2 cores
    );
  }, 290_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exits 0', () => {
    if (run.status !== 0) console.error(run.stderr);
    expect(run.status).toBe(0);
  });

  it('writes the report with settings, tables and a PASS/FAIL line per target', () => {
    const md = readFileSync(path.join(out, 'eval.md'), 'utf8');
    expect(md).toMatch(/commit `[^`]+`/);
    expect(md).toContain('QUICK mode');
    for (const h of ['## Done-means targets', '## Settings', '## drums', '## tonal', '## Tonal pitch accuracy', 'Guidance sweep:', '## Run time']) {
      expect(md).toContain(h);
    }
    const targets = md.split('\n').filter((l) => /^- \*\*(PASS|FAIL)\*\*/.test(l));
    expect(targets).toHaveLength(11); // 5 per model + tonal pitch
    // A fresh cache: both classifiers were trained by this run.
    expect(md.match(/epochs on \d+ real train\+val rows, trained in \d+ s\)/g)).toHaveLength(2);
    for (const c of DRUM_CLASSES) expect(md).toContain(`| ${c} |`);
    for (const f of GM_FAMILIES) expect(md).toContain(`| ${f} |`);
  });

  it('results.json has every class, the sweep and the pitch numbers', () => {
    const r = JSON.parse(readFileSync(path.join(out, 'eval', 'results.json'), 'utf8'));
    const d = r.kinds.drums;
    const t = r.kinds.tonal;
    expect(d.perClass).toHaveLength(10);
    expect(t.perClass).toHaveLength(16);
    expect(d.overall.nGen).toBe(10 * QUICK_SIZES.drumsPerClass);
    expect(t.overall.nGen).toBe(48 * QUICK_SIZES.tonalPerPitch);
    expect(d.sweep.map((s: { guidance: number }) => s.guidance)).toEqual([0, 1, 2, 4]);
    for (const k of [d, t]) {
      expect(k.classifier.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(k.classifier.testAccuracy).toBeLessThanOrEqual(1);
      expect(k.overall.fd).toBeGreaterThanOrEqual(0);
      expect(k.overall.fdFloor).toBeGreaterThan(0);
      expect(k.overall.isGen).toBeGreaterThanOrEqual(1);
      expect(k.overall.isGen).toBeLessThanOrEqual(k.classes.length + 1e-9);
      expect(k.overall.nearCopy).toBeGreaterThanOrEqual(0);
      expect(k.vocodedTest.n).toBeGreaterThan(0);
    }
    expect(r.pitch.before.n).toBe(48 * QUICK_SIZES.tonalPerPitch);
    expect(r.pitch.realBefore.n).toBe(32);
    expect(r.targets).toHaveLength(11);
    expect(r.meta.speed.drums.items).toBe(10 * QUICK_SIZES.drumsPerClass + 3 * 10 * QUICK_SIZES.sweepDrumsPerClass);
    // The stored (int16) test audio re-analyses to the shard features.
    expect(r.meta.consistency.drums.mean).toBeLessThan(1e-2);
    expect(r.meta.consistency.tonal.mean).toBeLessThan(1e-2);
  });

  it('draws the figures and writes 16-bit WAVs under 2 MB', () => {
    for (const f of ['eval-grid.png', 'eval-guidance.png']) {
      const b = readFileSync(path.join(out, f));
      expect(b.subarray(1, 4).toString()).toBe('PNG');
    }
    const wavs = readdirSync(path.join(out, 'eval')).filter((f) => f.endsWith('.wav'));
    expect(wavs.length).toBeGreaterThanOrEqual(26);
    let total = 0;
    for (const w of wavs) {
      const b = readFileSync(path.join(out, 'eval', w));
      expect(b.readUInt16LE(34)).toBe(16); // bits per sample
      total += statSync(path.join(out, 'eval', w)).size;
    }
    expect(total).toBeLessThan(2_000_000);
  });

  it('caches the classifier under <data>/eval-cache by manifest hash; a rerun loads it', () => {
    const cached = readdirSync(path.join(data, 'eval-cache')).filter((f) => f.endsWith('.pt'));
    expect(cached).toHaveLength(2);
    expect(existsSync(path.join(data, 'eval-cache'))).toBe(true);
    const again = spawnSync('/usr/bin/python3', ['-m', 'training.evaluate', '--data', data, '--quick', '--prepare'], { cwd: repo, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout.match(/classifier from cache/g)).toHaveLength(2);
  });
});
