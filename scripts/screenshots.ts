/**
 * npm run screenshots: pictures of the panel for the README, taken in
 * headless Chromium (vite dev server + WebGPU through SwiftShader, the same
 * harness as the browser tests) once every pad has its sound:
 *   docs/panel-wide.png    a normal 1280 × 800 window, light colour scheme
 *   docs/panel-narrow.png  a narrow 420 × 900 window (phone-sized), light
 *   docs/panel-dark.png    1280 × 800 in the dark scheme (the default when the system has no preference)
 * Each must stay under 400 KB (the script fails otherwise).
 *
 *   npm run screenshots -- --backends wasm               # the shipped drums model (how docs/ was made: < 1 min;
 *                                                        #   WebGPU on SwiftShader took > 13 min for the kit)
 *   npm run screenshots                                  # the page's own backend order (WebGPU first)
 *   npm run screenshots -- --model /test/fixtures/parity  # the tiny fixture (fast, noise sounds)
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { INSTRUMENT_ENTRIES, ROOT, startHarness } from '../test/browser/harness.js';

const MAX_BYTES = 400 * 1024;
const SHOTS = [
  { file: 'docs/panel-wide.png', width: 1280, height: 800, scheme: 'light' },
  { file: 'docs/panel-narrow.png', width: 420, height: 900, scheme: 'light' },
  { file: 'docs/panel-dark.png', width: 1280, height: 800, scheme: 'dark' },
] as const;

const program = new Command()
  .name('screenshots')
  .description('Screenshots of the instrument panel for the README (docs/panel-*.png)')
  .option('--model <url>', 'drums model folder the page loads', '/models/drums')
  .option('--steps <n>', 'solver steps (fewer = faster on SwiftShader)', '6')
  .option('--backends <list>', 'tfjs backends the page tries, e.g. wasm (default: its own order, WebGPU first)')
  .option('--timeout <s>', 'seconds to wait for every pad to have its sound', '900')
  .parse();
const opts = program.opts<{ model: string; steps: string; timeout: string; backends?: string }>();

async function main(): Promise<void> {
  const harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'screenshots' });
  try {
    const query: Record<string, string | number> = { model: opts.model, midi: 'off', variations: 1, steps: opts.steps, keys: 'off' };
    if (opts.backends) query['backends'] = opts.backends;
    const opened = await harness.openInstrumentPage({ query });
    const { page } = opened;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: SHOTS[0].width, height: SHOTS[0].height });
    const timeout = Number(opts.timeout) * 1000;
    await page.waitForFunction(() => window.drums?.client.status.state === 'ready', null, { timeout });
    process.stdout.write(`model ready on ${await page.evaluate(() => window.drums!.client.status.backend)}; generating the kit…\n`);
    await page.waitForFunction(
      () => {
        const d = window.drums!;
        const app = document.querySelector('drum-app') as HTMLElement & { padSound(i: number): Float32Array | null };
        return d.engine.kit.pads.every((_, i) => d.engine.padState(i).ready > 0 && app.padSound(i) !== null) && d.client.status.queued === 0;
      },
      null,
      { timeout, polling: 500 },
    );
    // Select the snare so the editor and the sound view show a pad; park the mouse off the panel.
    await page.locator('dd-pad[data-index="1"] .pad').click();
    await page.mouse.move(1, 1);
    await page.waitForTimeout(800);
    for (const s of SHOTS) {
      await page.emulateMedia({ colorScheme: s.scheme });
      await page.setViewportSize({ width: s.width, height: s.height });
      await page.waitForTimeout(400);
      const out = path.join(ROOT, s.file);
      await page.screenshot({ path: out, fullPage: false });
      const bytes = statSync(out).size;
      process.stdout.write(`${s.file}: ${s.width} × ${s.height}, ${(bytes / 1024).toFixed(0)} KB\n`);
      if (bytes > MAX_BYTES) throw new Error(`${s.file} is ${(bytes / 1024).toFixed(0)} KB, over the ${MAX_BYTES / 1024} KB limit`);
    }
  } finally {
    await harness.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
