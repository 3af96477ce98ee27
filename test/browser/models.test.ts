/**
 * The shipped models load and generate in headless Chromium on WebGPU
 * (SwiftShader) and on WASM, through the same loader and generator the
 * instrument uses. Two solver steps keep SwiftShader's run short; numerics
 * are covered by the Node parity test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, startHarness, type Harness } from './harness.js';

describe.skipIf(!HAS_CHROMIUM)('shipped models in headless Chromium', () => {
  let harness: Harness | null = null;

  beforeAll(async () => {
    harness = await startHarness({ entries: ['test/browser/pages/models.html'], cacheName: 'models-test' });
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  it.each([
    ['wasm', 'drums'],
    ['wasm', 'tonal'],
    ['webgpu', 'drums'],
  ])('%s backend: %s model loads, generates finite audio and frees its tensors', async (backend, model) => {
    const { page, logs, close } = await harness!.open('/test/browser/pages/models.html', { query: { backend, model } });
    try {
      await page.waitForFunction(() => window.modelResult !== undefined, null, { timeout: 300_000 });
      const r = await page.evaluate(() => window.modelResult!);
      expect(r.ok, `${r.error}\n${logs.slice(-15).join('\n')}`).toBe(true);
      expect(r.backend).toBe(backend);
      expect(r.finite).toBe(true);
      expect(r.length).toBeGreaterThan(30000);
      // Peak-normalised to −1 dBFS by the vocoder.
      expect(r.peak).toBeCloseTo(10 ** (-1 / 20), 2);
      expect(r.tensorsAfterDispose).toBe(r.tensorsBefore);
      console.log(`${backend}/${model}: ${r.params} params, load ${r.loadMs!.toFixed(0)} ms, generate (2 steps) ${r.genMs!.toFixed(0)} ms`);
    } finally {
      await close();
    }
  }, 360_000);
});
