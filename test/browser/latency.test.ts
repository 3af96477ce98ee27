/**
 * The latency bench's page in headless Chromium, offline (exact), a few
 * note-ons per engine: this player's trigger at time = now sounds on the
 * note-on frame itself, Tone.js's default lookAhead adds its 0.1 s. Plus the
 * bench's statistics and table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantile, summarize, tableFor } from '../../scripts/bench-latency.js';
import type { EngineName, RunResult } from './pages/latency-page.js';
import { HAS_CHROMIUM, startHarness, type Harness, type OpenedPage } from './harness.js';

describe('bench:latency statistics', () => {
  it('nearest-rank quantiles, and an error for an empty list', () => {
    const xs = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
    expect(quantile(xs, 0.5)).toBe(5);
    expect(quantile(xs, 0.95)).toBe(10);
    expect(quantile([3], 0.95)).toBe(3);
    expect(summarize([0, 0, 128, 0])).toEqual({ median: 0, p95: 128, max: 128 });
    expect(() => quantile([], 0.5)).toThrow(/empty/);
  });

  it('the table gives ms and frames and each engine’s ratio to the player', () => {
    const r = (engine: EngineName, frames: number[]): RunResult => ({ engine, mode: 'offline', sampleRate: 44100, frames, wallMs: [], missed: 0, baseLatency: null, outputLatency: null, note: '' });
    const t = tableFor('offline', [r('player', [441, 441, 441]), r('tone', [4410, 4410, 4411]), r('smplr', [])]);
    expect(t).toContain('| 10.00 (441) | 10.00 (441) | 10.00 (441) | 1 |');
    expect(t).toContain('| 100.00 (4410) | 100.02 (4411) | 100.02 (4411) | 10.0× |');
    expect(t).toMatch(/smplr Sampler \| 0 \(0\) \| – /);
  });
});

describe.skipIf(!HAS_CHROMIUM)('latency page in headless Chromium (offline)', () => {
  let harness: Harness | null = null;
  let opened: OpenedPage;

  beforeAll(async () => {
    harness = await startHarness({ entries: ['test/browser/pages/latency.html'], cacheName: 'bench-latency' });
    opened = await harness.open('/test/browser/pages/latency.html');
    await opened.page.waitForFunction(() => window.latencyBench?.ready === true, null, { timeout: 180_000 });
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  const run = (engine: EngineName) =>
    opened.page.evaluate((o) => window.latencyBench!.run(o), { engine, mode: 'offline' as const, count: 4, seed: 7, sampleRate: 44100, threshold: 1e-3 });

  it('this player: a trigger at time = now sounds on the note-on frame', async () => {
    const r = await run('player');
    expect(r.missed, opened.tail()).toBe(0);
    expect(r.frames).toEqual([0, 0, 0, 0]);
  }, 120_000);

  it('Tone.js Sampler: default lookAhead puts the onset 0.1 s (4410 frames) late, lookAhead = 0 does not', async () => {
    const def = await run('tone');
    expect(def.frames).toHaveLength(4);
    for (const f of def.frames) expect(f - 4410).toBeGreaterThanOrEqual(0);
    for (const f of def.frames) expect(f - 4410).toBeLessThanOrEqual(1);
    const zero = await run('tone-lookahead-0');
    expect(zero.frames).toHaveLength(4);
    for (const f of zero.frames) expect(f).toBeLessThanOrEqual(1);
  }, 120_000);

  it('smplr Sampler plays the pre-decoded buffer on the note-on frame', async () => {
    const r = await run('smplr');
    expect(r.frames).toEqual([0, 0, 0, 0]);
  }, 120_000);
});
