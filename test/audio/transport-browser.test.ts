/**
 * The sample transport in the real page (headless Chromium, vite dev server
 * with COOP/COEP): the page is cross-origin isolated, AudioPlayer picks shared
 * memory, the SharedArrayBuffer reaches the worklet through processorOptions,
 * and a pad press plays a one-shot that travelled through a shared slot.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, HAS_CHROMIUM, INSTRUMENT_ENTRIES, startHarness, type Harness } from '../browser/harness.js';

describe.skipIf(!HAS_CHROMIUM)('sample transport in headless Chromium', () => {
  let harness: Harness | null = null;
  let page: Page;
  let logs: string[] = [];

  beforeAll(async () => {
    harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'transport-browser' });
    ({ page, logs } = await harness.openInstrumentPage({ query: { model: FIXTURE_MODEL, midi: 'off', variations: 1, steps: 2 } }));
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('isolated page → shared memory; a pad plays a sample from a shared slot', async () => {
    await page.waitForFunction(() => window.drums !== undefined, null, { timeout: 120_000 });
    const info = await page.evaluate(() => ({ isolated: crossOriginIsolated, transport: window.drums!.player.transport }));
    expect(info, logs.slice(-20).join('\n')).toEqual({ isolated: true, transport: 'shared-memory' });
    await page.waitForFunction(() => (window.drums?.engine.padState(0).ready ?? 0) > 0, null, { timeout: 200_000 });
    await page.locator('dd-pad[data-index="0"] .pad').click();
    await page.waitForFunction(() => window.drums?.player.state === 'running', null, { timeout: 15_000 });
    let peak = 0;
    let last: unknown = null;
    const t0 = Date.now();
    while (peak < 0.01 && Date.now() - t0 < 20_000) {
      last = await page.evaluate(async () => window.drums!.player.query(5000));
      peak = Math.max(peak, (last as { peak: number }).peak);
      if (peak < 0.01) await page.waitForTimeout(100);
    }
    const stats = await page.evaluate(() => ({ ...window.drums!.player.sampleTransport.stats }));
    expect(peak, `worklet ${JSON.stringify(last)}; transport ${JSON.stringify(stats)}\n${logs.slice(-20).join('\n')}`).toBeGreaterThan(0.01);
    // Every one-shot so far went through a shared slot, and the worklet holds them.
    expect(stats.shared).toBeGreaterThan(0);
    expect(stats.shared).toBe(stats.uploads);
    expect((last as { samples: number; dropped: number }).samples).toBeGreaterThan(0);
    expect((last as { dropped: number }).dropped).toBe(0);
  }, 300_000);
});
