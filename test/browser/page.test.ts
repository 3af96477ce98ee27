/**
 * The real page in headless Chromium: vite's dev server, the generation
 * worker with the tiny parity fixture model, the AudioWorklet player. A pad
 * press must reach the speakers (the worklet's output peak) and the status
 * line must name the backend in use.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, HAS_CHROMIUM, INSTRUMENT_ENTRIES, startHarness, type Harness } from './harness.js';

interface PageStatus {
  state: string;
  backend: string | null;
  reason: string;
  attempts: { backend: string; ok: boolean; reason: string }[];
  error: string | null;
  generated: number;
}

describe.skipIf(!HAS_CHROMIUM)('instrument page in headless Chromium', () => {
  let harness: Harness | null = null;
  let page: Page;
  let logs: string[] = [];

  beforeAll(async () => {
    // A cache of its own, so runs reuse it instead of re-optimising after every `vite` with another config.
    harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'browser-test' });
    ({ page, logs } = await harness.openInstrumentPage({ query: { model: FIXTURE_MODEL, midi: 'off', variations: 1, steps: 2, keys: 'off' } }));
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  /** Poll the worklet's output peak until a hit shows (or 20 s pass); the peak resets at every query. */
  async function waitForPeak(): Promise<{ peak: number; detail: string }> {
    let peak = 0;
    let last: unknown = null;
    const t0 = Date.now();
    while (peak < 0.01 && Date.now() - t0 < 20_000) {
      last = await page.evaluate(async () => window.drums!.player.query(5000));
      peak = Math.max(peak, (last as { peak: number }).peak);
      if (peak < 0.01) await page.waitForTimeout(100);
    }
    const pads = await page.evaluate(() => [0, 1].map((i) => window.drums!.engine.padState(i)));
    return { peak, detail: `worklet ${JSON.stringify(last)}; pads ${JSON.stringify(pads)}; audio ${await page.evaluate(() => window.drums!.player.state)}\n${logs.slice(-15).join('\n')}` };
  }

  const status = () => page.evaluate(() => window.drums?.client.status as unknown as PageStatus | undefined);

  it('loads the model in the worker and reports the backend and why', async () => {
    await page.waitForFunction(() => ['ready', 'failed'].includes(window.drums?.client.status.state ?? ''), null, { timeout: 280_000 }).catch(() => {});
    const s = await status();
    expect(s?.state, `status ${JSON.stringify(s)}\n${logs.slice(-20).join('\n')}`).toBe('ready');
    expect(['webgpu', 'webgl', 'wasm', 'cpu']).toContain(s!.backend);
    expect(s!.reason.length).toBeGreaterThan(0);
    expect(s!.attempts.at(-1)).toMatchObject({ backend: s!.backend, ok: true });
    const line = await page.locator('footer [data-status="backend"]').innerText();
    expect(line.toLowerCase()).toContain(s!.backend!); // the footer shows display names (WebGPU, WASM)
    expect(await page.locator('footer [data-status="model"]').innerText()).toMatch(/drums/);
  }, 300_000);

  it('a pad press resumes audio and the worklet plays the generated one-shot', async () => {
    await page.waitForFunction(() => (window.drums?.engine.padState(0).ready ?? 0) > 0, null, { timeout: 150_000 });
    // Pointer press on the kick pad (a user gesture: the context resumes).
    await page.locator('dd-pad[data-index="0"] .pad').click();
    await page.waitForFunction(() => window.drums?.player.state === 'running', null, { timeout: 15_000 });
    const first = await waitForPeak();
    expect(first.peak, first.detail).toBeGreaterThan(0.01);
    expect(first.peak).toBeLessThan(1);
    // Computer keyboard: X plays pad 1.
    await page.waitForFunction(() => (window.drums?.engine.padState(1).ready ?? 0) > 0, null, { timeout: 150_000 });
    await page.evaluate(async () => window.drums!.player.query()); // reset the peak
    await page.keyboard.press('KeyX');
    const second = await waitForPeak();
    expect(second.peak, second.detail).toBeGreaterThan(0.01);
    const stats = await page.evaluate(async () => window.drums!.player.query());
    expect(stats.nonFinite).toBe(0);
    expect(await page.locator('footer [data-status="audio"]').innerText()).toMatch(/running/);
    expect(await page.locator('footer [data-status="timing"]').innerText()).toMatch(/\d+ ms|\d\.\d+ s/);
  }, 300_000);

  it('when the backend fails, the worker moves to the next one and finishes the queued one-shots there', async () => {
    // Let the pads finish filling (one variation each here), so only these three one-shots wait on the new backend's warm-up.
    await page.waitForFunction(() => {
      const d = window.drums!;
      return d.engine.pool.totals().pending === 0 && d.client.status.queued === 0 && d.client.status.running === 0;
    }, null, { timeout: 150_000 }).catch(async (e) => {
      const s = await page.evaluate(() => ({ totals: window.drums!.engine.pool.totals(), status: window.drums!.client.status }));
      throw new Error(`${(e as Error).message}: ${JSON.stringify(s)}`);
    });
    const before = (await status())!.backend;
    const r = await page.evaluate(async () => {
      const c = window.drums!.client;
      c.failBackend('test: simulated device loss');
      const jobs = c.generateMany([
        { class: 'kick', seed: 11, steps: 3 },
        { class: 'snare', seed: 12, steps: 3 },
        { class: 'clap', seed: 13, steps: 3 },
      ]);
      const res = await Promise.all(jobs.map((j) => j.done));
      return { backends: res.map((x) => x.backend), lengths: res.map((x) => x.audio.length), status: c.status };
    });
    expect(r.backends.every((b) => b === r.status.backend)).toBe(true);
    expect(r.status.backend).not.toBe(before);
    expect(r.status.reason).toContain(`${before} failed (test: simulated device loss)`);
    expect(r.lengths).toEqual([3584, 3584, 3584]);
    expect(await page.locator('footer [data-status="backend"]').innerText().then((t) => t.toLowerCase())).toContain(r.status.backend!);
  }, 300_000);
});
