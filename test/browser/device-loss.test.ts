/**
 * A real WebGPU device loss in headless Chromium (SwiftShader): the page's
 * generation worker runs on WebGPU, the test destroys the tfjs WebGPU
 * backend's GPUDevice while a batch is running, and the worker must move to
 * WASM, deliver every one-shot that was asked for, and the pads must still
 * play.
 *
 * No hook in the product: tfjs keeps its engine on the worker's global
 * (`_tfengine`), so playwright evaluates `device.destroy()` inside the worker.
 * GPUDevice.lost then resolves, which generation.worker.ts watches.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, HAS_CHROMIUM, INSTRUMENT_ENTRIES, startHarness, type Harness } from './harness.js';

describe.skipIf(!HAS_CHROMIUM)('WebGPU device loss mid-generation', () => {
  let harness: Harness | null = null;
  let page: Page;
  let tail: (n?: number) => string = () => '';

  beforeAll(async () => {
    harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'device-loss-test' });
    // WebGPU first and WASM as the only fallback (no WebGL: SwiftShader's GL would be a second GPU path).
    ({ page, tail } = await harness.openInstrumentPage({ query: { model: FIXTURE_MODEL, midi: 'off', variations: 1, steps: 2, backends: 'webgpu,wasm', keys: 'off' } }));
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  const state = () =>
    page.evaluate(() => {
      const d = window.drums!;
      return { status: d.client.status, totals: d.engine.pool.totals(), pads: Array.from({ length: 16 }, (_, i) => d.engine.padState(i)) };
    });

  /** The generation worker (named 'generation' by createGenerationWorker). */
  async function generationWorker(): Promise<Worker> {
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      for (const w of page.workers()) {
        if (await w.evaluate(() => (globalThis as { name?: string }).name === 'generation').catch(() => false)) return w;
      }
      await page.waitForTimeout(200);
    }
    throw new Error(`no generation worker among ${page.workers().length} workers`);
  }

  it('generation continues on WASM, nothing queued is lost, and a pad still plays', async () => {
    await page.waitForFunction(() => ['ready', 'failed'].includes(window.drums?.client.status.state ?? ''), null, { timeout: 280_000 }).catch(() => {});
    let s = await state();
    expect(s.status.state, `${JSON.stringify(s.status)}\n${tail(20)}`).toBe('ready');
    expect(s.status.backend, `WebGPU must come up on SwiftShader for this test: ${JSON.stringify(s.status.attempts)}`).toBe('webgpu');

    // Let the first fill finish, so what is queued next is known.
    await page.waitForFunction(() => {
      const d = window.drums!;
      return d.engine.pool.totals().pending === 0 && d.client.status.queued === 0 && d.client.status.running === 0;
    }, null, { timeout: 200_000 });
    const worker = await generationWorker();
    const device = await worker.evaluate(() => {
      const engine = (globalThis as { _tfengine?: { backendName?: string; backend?: { device?: { label?: string } } } })._tfengine;
      return { backend: engine?.backendName ?? null, hasDevice: engine?.backend?.device !== undefined };
    });
    expect(device).toEqual({ backend: 'webgpu', hasDevice: true });

    // Every pad regenerates at more steps (16 one-shots through the pool), plus 6 one-shots asked of the client directly.
    const direct = await page.evaluate(() => {
      const d = window.drums!;
      d.engine.setGlobals({ steps: 12 });
      const classes = ['kick', 'snare', 'clap', 'rim', 'closed-hat', 'tom'];
      const jobs = d.client.generateMany(classes.map((c, i) => ({ class: c, seed: 100 + i, steps: 12 })));
      const w = window as unknown as { directResults?: Promise<{ backend: string; length: number; peak: number }[]> };
      w.directResults = Promise.all(
        jobs.map((j) => j.done.then((r) => ({ backend: r.backend, length: r.audio.length, peak: r.audio.reduce((m, v) => Math.max(m, Math.abs(v)), 0) }))),
      );
      return { ids: jobs.map((j) => j.id), wanted: d.engine.pool.totals().wanted };
    });
    expect(direct.ids).toHaveLength(6);

    // Destroy the device while a batch is running on it.
    await page.waitForFunction(() => window.drums!.client.status.running > 0, null, { timeout: 60_000, polling: 10 });
    const generatedBefore = (await state()).status.generated;
    const destroyed = await worker.evaluate(() => {
      const engine = (globalThis as { _tfengine?: { backendName?: string; backend?: { device?: { destroy(): void } } } })._tfengine;
      if (engine?.backendName !== 'webgpu' || !engine.backend?.device) return `tfjs is on ${engine?.backendName}`;
      engine.backend.device.destroy();
      return 'destroyed';
    });
    expect(destroyed).toBe('destroyed');

    const direct2 = await page.evaluate(async () => {
      const w = window as unknown as { directResults?: Promise<{ backend: string; length: number; peak: number }[]> };
      return w.directResults!;
    });
    expect(direct2).toHaveLength(6);
    for (const r of direct2) {
      expect(r.length).toBe(3584);
      expect(r.peak).toBeGreaterThan(0.5);
    }

    // The pool gets every pad's new sound.
    await page.waitForFunction(() => {
      const d = window.drums!;
      const t = d.engine.pool.totals();
      return t.pending === 0 && t.ready >= t.wanted && d.client.status.queued === 0 && d.client.status.running === 0;
    }, null, { timeout: 280_000 }).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(await state())}\n${tail(20)}`);
    });
    s = await state();
    expect(s.status.state).toBe('ready');
    expect(s.status.backend).toBe('wasm');
    expect(s.status.reason).toMatch(/^webgpu failed \(.+\)/);
    expect(s.status.attempts.map((a) => [a.backend, a.ok])).toEqual([['webgpu', false], ['wasm', true]]);
    expect(s.status.error, tail(20)).toBeNull();
    for (const [i, p] of s.pads.entries()) {
      expect(p.error, `pad ${i}`).toBeNull();
      expect(p.ready, `pad ${i}`).toBeGreaterThanOrEqual(1);
      expect(p.regenerating, `pad ${i}`).toBe(false);
    }
    // Nothing lost: the 16 pad one-shots and the 6 direct ones all arrived after the loss or before it, none twice as an error.
    expect(s.status.generated - generatedBefore).toBeGreaterThan(0);
    expect(s.totals.ready).toBe(direct.wanted);
    // The fallback backend made at least the direct one-shots that had not finished on WebGPU.
    expect(direct2.some((r) => r.backend === 'wasm')).toBe(true);
    expect(await page.locator('footer [data-status="backend"]').innerText().then((t) => t.toLowerCase())).toContain('wasm');
    console.log(`after the loss: ${s.status.reason}; direct one-shots on ${direct2.map((r) => r.backend).join(', ')}`);

    // A pad still plays: press the kick pad (a gesture resumes the context) and read the worklet's peak.
    await page.locator('dd-pad[data-index="0"] .pad').click();
    await page.waitForFunction(() => window.drums?.player.state === 'running', null, { timeout: 15_000 });
    let peak = 0;
    const t0 = Date.now();
    while (peak < 0.01 && Date.now() - t0 < 20_000) {
      peak = Math.max(peak, (await page.evaluate(async () => window.drums!.player.query(5000))).peak);
      if (peak < 0.01) await page.waitForTimeout(100);
    }
    expect(peak, tail(20)).toBeGreaterThan(0.01);
    expect(peak).toBeLessThan(1);
  }, 600_000);
});
