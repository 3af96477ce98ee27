import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRequests, main, parseArgs } from '../../src/cli/generate.js';
import { randomWeights, tinyConfig, writeModelDir } from '../model/helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'cli-prompt-'));
const drumsDir = path.join(root, 'drums-model');
beforeAll(() => {
  const d = tinyConfig('drums');
  writeModelDir(drumsDir, d, randomWeights(d, 2), { float16: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generate --prompt', () => {
  it('infers the model and class from the prompt alone', () => {
    const o = parseArgs(['--prompt', 'punchy dark 808 kick with a long tail', '--out', 'x'])!;
    expect(o.model).toBe('drums');
    const reqs = buildRequests({ ...o, count: 2 }, tinyConfig('drums'));
    expect(reqs.map((r) => [r.class, r.seed])).toEqual([['kick', 0], ['kick', 1]]);
    // Dark and punchy: brightness below and punch above the dataset mean the tiny config carries
    // (its clip is too short for "long tail" to show: decay is capped at the clip's length).
    const stats = tinyConfig('drums').descriptorStats;
    expect(reqs[0]!.descriptors!.brightness).toBeLessThan(stats.mean[0]!);
    expect(reqs[0]!.descriptors!.punch).toBeGreaterThan(stats.mean[2]!);
  });
  it('takes the pitch and family of a tonal prompt', () => {
    const o = parseArgs(['--prompt', 'warm bass in C2', '--out', 'x'])!;
    expect(o.model).toBe('tonal');
    const [r] = buildRequests(o, tinyConfig('tonal'));
    expect(r).toMatchObject({ family: 'bass', pitch: 36 });
  });
  it('lets --class fill in what the prompt leaves out, and reports unknown words', () => {
    const o = parseArgs(['--model', 'drums', '--class', 'snare', '--prompt', 'very bright zorblax', '--out', 'x'])!;
    const warnings: string[] = [];
    const [r] = buildRequests(o, tinyConfig('drums'), (w) => warnings.push(w));
    expect(r!.class).toBe('snare');
    expect(warnings.join('\n')).toMatch(/zorblax/);
  });
  it.each([
    [['--prompt', '   ', '--out', 'x'], /--prompt: .*empty/i],
    [['--prompt', 'very bright', '--out', 'x'], /--model: not given/],
    [['--prompt', 'x'.repeat(400), '--out', 'x'], /--prompt: .*300/],
  ])('rejects %j with one line', (args, re) => {
    expect(() => parseArgs(args)).toThrow(re);
  });
  it('a drum prompt on the tonal model fails before writing anything', async () => {
    const out = path.join(root, 'out');
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['--model', 'tonal', '--model-dir', drumsDir, '--prompt', 'tight snare', '--out', out]);
    } finally {
      e.mockRestore();
    }
    expect(code).toBe(1);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
