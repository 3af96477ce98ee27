/** npm run probe:prior refuses bad settings with one line naming the setting, before loading anything. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), 'scripts/probe-harmonic-prior.ts', ...args], { cwd: repo, encoding: 'utf8' });

describe('probe:prior arguments', () => {
  it('names the bad setting, the bad field and the bad number', () => {
    let r = run('--settings', '{"wide": {"floor": 2, "maxHz": 4000, "lobeBins": 2}}');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('probe:prior: --settings.wide.floor: expected a number in (0, 1], got 2');
    r = run('--settings', '{wide');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^probe:prior: --settings: not JSON/);
    r = run('--seeds', '0');
    expect(r.stderr.trim()).toBe('probe:prior: --seeds: expected a positive integer, got 0');
    r = run('--prompts', ' | ');
    expect(r.stderr.trim()).toBe('probe:prior: --prompts: no prompt given');
  }, 30_000);
});
