/**
 * The shipped models load and generate in headless Chromium on WebGPU
 * (SwiftShader) and on WASM, through the same loader and generator the
 * instrument uses. Two solver steps keep SwiftShader's run short; numerics
 * are covered by the Node parity test.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../..');

describe.skipIf(!existsSync(CHROMIUM))('shipped models in headless Chromium', () => {
  let server: ViteDevServer | null = null;
  let browser: Browser | null = null;
  let port = 0;

  beforeAll(async () => {
    server = await createServer({
      root: ROOT,
      configFile: path.join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      clearScreen: false,
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
      optimizeDeps: { entries: ['test/browser/pages/models.html'] },
      cacheDir: path.join(ROOT, 'node_modules/.vite-models-test'),
    });
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('vite did not report a port');
    port = address.port;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  });

  it.each([
    ['wasm', 'drums'],
    ['wasm', 'tonal'],
    ['webgpu', 'drums'],
  ])('%s backend: %s model loads, generates finite audio and frees its tensors', async (backend, model) => {
    const page = await browser!.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`http://localhost:${port}/test/browser/pages/models.html?backend=${backend}&model=${model}`, { waitUntil: 'commit', timeout: 120_000 });
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
      await page.close();
    }
  }, 360_000);
});
