/**
 * `npm run eval:prompts -- --quick` end to end on the quality eval's tiny
 * synthetic dataset and tiny random models (test/eval/fixture.ts): checks the
 * pipeline (report, table shapes, every target line), not quality. Plus the
 * pure statistics of the descriptor pairs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cohensD, DESCRIPTOR_PAIRS, evaluatePromptTargets, median, pairCell, pitchStats, type PromptEvalResult, reached,
} from '../../scripts/eval-lib.js';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import { writeFixtureDataset, writeFixtureModels } from './fixture.js';

const repo = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'eval-prompts-test-'));
const data = path.join(tmp, 'data');
const models = path.join(tmp, 'models');
const out = path.join(tmp, 'reports');
const tsx = path.join(repo, 'node_modules/tsx/dist/cli.mjs');

const run = (args: string[], timeout = 5_000) =>
  spawnSync(process.execPath, [tsx, 'scripts/eval-prompts.ts', ...args], { cwd: repo, encoding: 'utf8', timeout });

describe('prompt-eval statistics', () => {
  const bright = DESCRIPTOR_PAIRS.find((p) => p.descriptor === 'brightness')!;

  it('counts same-seed pairs moving the asked way, strictly', () => {
    const c = pairCell(bright, 'kick', [10, 11, 9, 12], [9, 11, 10, 10], { up: 11, down: 9 });
    expect(c.n).toBe(4);
    expect(c.right).toBe(0.5); // a tie is not a move
    expect(c.medianEffect).toBe(0.5); // diffs 1, 0, −1, 2
    expect(c.measuredUp).toBe(10.5);
    expect(c.measuredDown).toBe(10);
  });

  it("Cohen's d uses the pooled sample SD and is null when undefined", () => {
    expect(cohensD([1, 3], [0, 2])).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(cohensD([1, 1], [1, 1])).toBeNull();
    expect(cohensD([1], [0, 2])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNull();
  });

  it('reports how much of the asked separation the medians reach', () => {
    expect(reached(pairCell(bright, 'kick', [3, 3], [1, 1], { up: 2, down: 0 }))).toBe(1);
    expect(reached(pairCell(bright, 'kick', [1.5, 1.5], [1, 1], { up: 2, down: 0 }))).toBe(0.25);
    expect(reached(pairCell(bright, 'kick', [1, 1], [2, 2], { up: 2, down: 0 }))).toBe(-0.5);
    expect(reached(pairCell(bright, 'kick', [1, 1], [2, 2], { up: null, down: 0 }))).toBeNull();
  });

  it('rejects unpaired values', () => {
    expect(() => pairCell(bright, 'kick', [1, 2], [1], { up: null, down: null })).toThrow(/2 "up" vs 1 "down"/);
  });

  it('turns results into one target line per pair, class and pitch, failing below the bars', () => {
    const r: PromptEvalResult = {
      pairs: DESCRIPTOR_PAIRS.map((p, i) => pairCell(p, 'snare', [2, 2, 2, 2, 2, 2, 2, 2, 2, 2], i === 0 ? [1, 1, 1, 1, 1, 1, 1, 1, 1, 3] : [1, 1, 1, 1, 1, 1, 1, 1, 3, 3], { up: 1, down: 0 })),
      excluded: [],
      classes: [
        { prompt: 'kick', kind: 'drums', asked: 'kick', n: 19, share: 1, predicted: [['kick', 19]] },
        { prompt: 'pad', kind: 'tonal', asked: 'synth-pad', n: 1, share: 0, predicted: [['organ', 1]] },
      ],
      classifierAccuracy: {},
      pairClassShare: null,
      pitch: [{ prompt: 'bass in C2', family: 'bass', note: 36, n: 4, before: pitchStats([0, 5, 30, null]), after: pitchStats([0, 5, 10, null]) }],
      warnings: [],
    };
    const t = evaluatePromptTargets(r);
    expect(t).toHaveLength(DESCRIPTOR_PAIRS.length + 2);
    expect(t.map((x) => x.pass)).toEqual([true, false, false, false, true, false]); // 90 % passes, 80 % fails; class 95 % passes; pitch 50 %
    expect(t[1]!.detail).toContain('snare 80 %');
    expect(t[5]!.detail).toContain('50.0 % of 4 before correction, 75.0 % after');
  });
});

describe('npm run eval:prompts -- --quick on a tiny fixture', () => {
  let res: ReturnType<typeof spawnSync>;
  let report = '';
  beforeAll(() => {
    writeFixtureDataset(data);
    writeFixtureModels(models);
    res = run(['--quick', '--data', data, '--model-dir', models, '--out', out], 240_000);
    if (existsSync(path.join(out, 'eval-prompts.md'))) report = readFileSync(path.join(out, 'eval-prompts.md'), 'utf8');
  }, 250_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exits 0 and prints every target line', () => {
    expect(res.stderr, String(res.stderr)).not.toMatch(/error:/);
    expect(res.status).toBe(0);
    const lines = String(res.stdout).trim().split('\n');
    expect(lines).toHaveLength(DESCRIPTOR_PAIRS.length + 2);
    for (const p of DESCRIPTOR_PAIRS) expect(lines.some((l) => new RegExp(`^(PASS|FAIL) ${p.name}: ${p.descriptor} moves`).test(l))).toBe(true);
    expect(lines.some((l) => /^(PASS|FAIL) class \/ family from the prompt alone/.test(l))).toBe(true);
    expect(lines.some((l) => /^(PASS|FAIL) pitch from the prompt/.test(l))).toBe(true);
  });

  it('writes the report with its header, targets and tables of the planned shape', () => {
    expect(report).toMatch(/^# Prompt evaluation/);
    expect(report).toMatch(/commit `[0-9a-f]{7,}/);
    expect(report).toMatch(/on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect(report).toContain('QUICK mode');
    const json = JSON.parse(readFileSync(path.join(out, 'eval-prompts.json'), 'utf8')) as { targets: unknown[]; result: PromptEvalResult };
    expect(json.targets).toHaveLength(DESCRIPTOR_PAIRS.length + 2);
    expect(json.result.pairs.every((c) => c.n === 2)).toBe(true);
    expect(report.match(/^- \*\*(PASS|FAIL)\*\* — /gm)).toHaveLength(DESCRIPTOR_PAIRS.length + 2);
    // Pairs: 4 pairs × the quick classes (kick, closed-hat), 2 same-seed pairs each; the fixture's clip (0.09 s) is
    // shorter than either decay target, so long/short clamp to the same value and are excluded, with the reason.
    const pairRows = report.match(/^\| (bright\/dark|long\/short|punchy\/soft|noisy\/clean) \| \S+ \| 2 \| \d+ % \|/gm) ?? [];
    expect(pairRows).toHaveLength((DESCRIPTOR_PAIRS.length - 1) * 2);
    for (const c of ['kick', 'closed-hat']) {
      expect(pairRows.filter((r) => r.includes(`| ${c} |`))).toHaveLength(DESCRIPTOR_PAIRS.length - 1);
      expect(report).toContain(`- long/short on ${c}: the two prompts ask for the same decay after the prompt module's clamping`);
    }
    // Class prompts: one row each, every drum class and GM family asked at least once.
    const classRows = (report.match(/^\| [^|]+ \| (drums|tonal) \| [^|]+ \| 1 \| \d+ % \|.*$/gm) ?? []).map((r) => r.split('|')[3]!.trim());
    expect(classRows.length).toBeGreaterThanOrEqual(26);
    for (const c of [...DRUM_CLASSES, ...GM_FAMILIES]) expect(classRows).toContain(c);
    // Next to each prompt, the classifier's own recall on real test items of that class (the fixture's test split has some).
    expect(report).toMatch(/^\| kick \| drums \| kick \| 1 \| \d+ % \| \d+ % \(\d+\) \|/m);
    // Pitch prompts: the note the prompt asks for ("bass in C2" = MIDI 36).
    expect(report).toMatch(/^\| bass in C2 \| bass \| 36 \| 1 \|/m);
    expect(report).toMatch(/^\| A#3 piano \| piano \| 58 \| 1 \|/m);
    expect(report).toMatch(/^\| low pad \| synth-pad \| \d+ \| 1 \|/m);
    // Warnings of the prompt module are carried over (the fixture configs have no per-class baselines).
    expect(report).toMatch(/^- "bright kick": descriptor targets are relative to the mean of all drum classes/m);
  });

  it('trains the tiny classifier into the cache of its data folder', () => {
    const cached = readdirSync(path.join(data, 'eval-cache'));
    expect(cached.some((f) => /^classifier-drums-v\d+-e2-/.test(f))).toBe(true);
    expect(cached.some((f) => /^classifier-tonal-v\d+-e2-/.test(f))).toBe(true);
  });

  it('names the bad option in a one-line error', () => {
    const bad = run(['--quick', '--data', data, '--model-dir', models, '--out', out, '--pair-classes', 'kick,cowbel'], 60_000);
    expect(bad.status).toBe(1);
    expect(String(bad.stderr).trim()).toMatch(/^eval:prompts: error: --pair-classes: unknown drum class "cowbel"/);
    const seeds = run(['--seeds', '1', '--data', data, '--model-dir', models, '--out', out], 60_000);
    expect(seeds.status).toBe(1);
    expect(String(seeds.stderr)).toContain('--seeds: expected an integer ≥ 2, got 1');
    const noModel = run(['--quick', '--data', data, '--model-dir', tmp, '--out', out], 60_000);
    expect(String(noModel.stderr)).toMatch(/--model-dir: no drums model/);
  });
});
