/**
 * One place for what every headless-Chromium test (and the latency bench)
 * needs: vite's dev server on a free port, Debian's Chromium through
 * playwright-core with WebGPU on SwiftShader, a page with its console
 * collected, and teardown.
 *
 *   const h = await startHarness({ entries: ['index.html', 'src/engine/generation.worker.ts'], cacheName: 'my-test' });
 *   const { page, logs } = await h.openInstrumentPage({ query: { model: FIXTURE_MODEL, midi: 'off' } });
 *   ...
 *   await h.close();
 *
 * Each caller names its own vite cacheDir: a cache optimised for another set
 * of entries would be re-optimised mid-test, and vite then reloads the page.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** False where Debian's chromium is not installed: browser tests skip. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The tiny parity fixture model: loads and generates in seconds, even on SwiftShader. */
export const FIXTURE_MODEL = '/test/fixtures/parity';
/** The instrument page's module graph, worker included, so vite optimises its dependencies up front. */
export const INSTRUMENT_ENTRIES = ['index.html', 'src/engine/generation.worker.ts'] as const;

/** Chromium's flags: no sandbox (containers), no network chatter, WebGPU through SwiftShader. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
] as const;

export interface HarnessOptions {
  /** Files vite scans for dependencies before serving (HTML pages, workers). */
  entries: readonly string[];
  /** Name of this caller's vite cache under node_modules/ (one per test file). */
  cacheName: string;
  /** Extra Chromium flags after CHROMIUM_ARGS. */
  extraArgs?: readonly string[];
}

export interface OpenedPage {
  page: Page;
  /** Console lines and page errors, oldest first. */
  logs: string[];
  /** The last `n` log lines, for assertion messages. */
  tail(n?: number): string;
  close(): Promise<void>;
}

export type Query = string | Record<string, string | number | boolean>;

export interface Harness {
  browser: Browser;
  server: ViteDevServer;
  port: number;
  /** http://localhost:PORT: localhost is a secure context (WebGPU, AudioWorklet, Web MIDI need one). */
  origin: string;
  /** Open `urlPath` (e.g. '/test/browser/pages/models.html?backend=wasm') in a new page. */
  open(urlPath: string, opts?: { query?: Query; timeoutMs?: number }): Promise<OpenedPage>;
  /** Open the instrument (index.html) with URL parameters (see src/app/main.ts). */
  openInstrumentPage(opts?: { query?: Query; timeoutMs?: number }): Promise<OpenedPage>;
  close(): Promise<void>;
}

function queryString(q: Query | undefined): string {
  if (q === undefined) return '';
  const s = typeof q === 'string' ? q.replace(/^\?/, '') : new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString();
  return s ? `?${s}` : '';
}

/** Start vite and Chromium. Throws with the path when Chromium is missing. */
export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  if (!HAS_CHROMIUM) throw new Error(`chromium not found at ${CHROMIUM} (set CHROMIUM_PATH or install Debian's chromium)`);
  const server = await createServer({
    root: ROOT,
    configFile: path.join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    optimizeDeps: { entries: [...opts.entries] },
    cacheDir: path.join(ROOT, 'node_modules', `.vite-${opts.cacheName}`),
  });
  let browser: Browser | null = null;
  try {
    await server.listen();
    const address = server.httpServer?.address();
    if (!address || typeof address === 'string') throw new Error('vite did not report a port');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])] });
    const port = address.port;
    const origin = `http://localhost:${port}`;
    const b = browser;
    const pages = new Set<Page>();
    const open: Harness['open'] = async (urlPath, o = {}) => {
      const page = await b.newPage();
      pages.add(page);
      const logs: string[] = [];
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      page.on('worker', (w) => w.on('close', () => logs.push(`worker closed: ${w.url()}`)));
      await page.goto(`${origin}${urlPath}${queryString(o.query)}`, { waitUntil: 'commit', timeout: o.timeoutMs ?? 120_000 });
      return {
        page,
        logs,
        tail: (n = 15) => logs.slice(-n).join('\n'),
        close: async () => {
          pages.delete(page);
          await page.close().catch(() => {});
        },
      };
    };
    return {
      browser: b,
      server,
      port,
      origin,
      open,
      openInstrumentPage: (o = {}) => open('/', o),
      close: async () => {
        for (const p of pages) await p.close().catch(() => {});
        await b.close().catch(() => {});
        await server.close().catch(() => {});
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await server.close().catch(() => {});
    throw e;
  }
}

/**
 * The instrument page on a harness of its own (vite + Chromium), for a test
 * that needs just one page; `close()` tears the page, browser and server down.
 */
export async function openInstrumentPage(opts: { query?: Query; cacheName?: string; timeoutMs?: number } = {}): Promise<OpenedPage & { harness: Harness }> {
  // The instrument's entries and its own cache name: shared with page.test.ts would be fine too,
  // but two test files running at once must not rewrite one cache under each other.
  const harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: opts.cacheName ?? 'instrument-page' });
  try {
    const opened = await harness.openInstrumentPage({ query: opts.query, timeoutMs: opts.timeoutMs });
    return { ...opened, harness, close: () => harness.close() };
  } catch (e) {
    await harness.close();
    throw e;
  }
}
