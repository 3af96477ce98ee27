/**
 * The preset, export and sequencer panel on the real page in headless
 * Chromium (tiny fixture model): loading a factory preset changes the
 * engine's kit, a bad import shows its one-line error and saves nothing, a
 * saved preset is listed, the kit zip and the pad WAV download with the
 * right names and formats, the sequencer plays, and a rendered loop has
 * exactly bars × 4 × 60 / tempo × 44100 frames.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/dsp/wav.js';
import { FIXTURE_MODEL, HAS_CHROMIUM, INSTRUMENT_ENTRIES, startHarness, type Harness } from '../browser/harness.js';

describe.skipIf(!HAS_CHROMIUM)('preset panel in headless Chromium', () => {
  let harness: Harness | null = null;
  let page: Page;
  let tail: () => string = () => '';

  beforeAll(async () => {
    harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'presets-panel-test' });
    const opened = await harness.openInstrumentPage({ query: { model: FIXTURE_MODEL, midi: 'off', variations: 1, steps: 2, keys: 'off' } });
    page = opened.page;
    tail = () => opened.tail(20);
    await page.waitForFunction(() => window.drums?.client.status.state === 'ready', null, { timeout: 280_000 });
  }, 300_000);

  afterAll(async () => {
    await harness?.close();
  });

  const select = () => page.locator('dd-preset-bar select[data-preset-select]');
  const download = async (click: () => Promise<void>) => {
    const next = page.waitForEvent('download', { timeout: 240_000 });
    await click();
    const d = await next;
    return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync((await d.path())!)) };
  };

  it('lists the factory presets and loads one into the engine', async () => {
    const names = await select().locator('option').allInnerTexts();
    expect(names).toEqual(expect.arrayContaining(['Default kit', 'Dark 808-ish', 'Tight acoustic', 'Bright electronic', 'Punchy', 'Deep bass']));
    await select().selectOption({ label: 'Dark 808-ish' });
    const kit = await page.evaluate(() => ({ name: window.drums!.engine.kit.name, seed: window.drums!.engine.kit.pads[0]!.seed }));
    const file = JSON.parse(readFileSync('presets/dark-808-ish.json', 'utf8')) as { pads: { seed: number }[] };
    expect(kit).toEqual({ name: 'Dark 808-ish', seed: file.pads[0]!.seed });
  }, 60_000);

  it('a bad import names the file and field and adds nothing; a save is listed', async () => {
    const before = await select().locator('option').count();
    await page.locator('dd-preset-bar input[data-preset-import]').setInputFiles({
      name: 'my-kit.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ version: 2, name: 'x', globals: {}, pads: [] })),
    });
    await expect.poll(() => page.locator('dd-preset-bar [data-preset-error]').innerText().catch(() => ''), { timeout: 10_000 }).toBe(
      'my-kit.json: pads: expected exactly 16 pads, got an array of 0',
    );
    expect(await select().locator('option').count()).toBe(before);
    await page.locator('dd-preset-bar input[aria-label="Preset name"]').fill('My dark');
    await page.locator('dd-preset-bar button', { hasText: 'Save as new' }).click();
    await expect.poll(() => select().locator('option').allInnerTexts(), { timeout: 10_000 }).toContain('My dark');
  }, 60_000);

  it('exports the kit as a zip and the pad as a 24-bit WAV', async () => {
    const zip = await download(() => page.locator('dd-export-panel button[data-export="kit"]').click());
    expect(zip.name).toBe('my-dark.zip');
    const files = Object.keys(unzipSync(zip.bytes));
    expect(files).toHaveLength(18);
    expect(files).toEqual(expect.arrayContaining(['kit.txt', 'my-dark.json']));
    expect(files.filter((f) => /^\d\d-[a-z-]+-seed\d+\.wav$/.test(f))).toHaveLength(16);
    const wav = await download(() => page.locator('dd-export-panel button[data-export="pad"]').click());
    expect(wav.name).toMatch(/^01-kick-seed\d+\.wav$/);
    const d = decodeWav(wav.bytes);
    expect(d.format).toBe('pcm24');
    expect(d.sampleRate).toBe(44100);
    expect(await page.locator('dd-export-panel .chip').innerText()).toContain(wav.name);
  }, 300_000);

  it('the sequencer plays the pattern and renders a loop of exactly the right length', async () => {
    await page.evaluate(async () => window.drums!.player.query()); // reset the peak
    await page.locator('dd-sequencer button[data-seq="play"]').click();
    await page.waitForTimeout(1500);
    const stats = await page.evaluate(async () => window.drums!.player.query());
    await page.locator('dd-sequencer button[data-seq="play"]').click();
    expect(stats.peak, tail()).toBeGreaterThan(0.01);
    expect(stats.nonFinite).toBe(0);
    const loop = await download(() => page.locator('dd-sequencer button[data-seq="render"]').click());
    // Dark 808-ish's first pattern: 140 BPM, 4 bars by default.
    expect(loop.name).toBe('my-dark-half-time-trap-140bpm-4bars.wav');
    const d = decodeWav(loop.bytes);
    expect(d.channels).toHaveLength(2);
    expect(d.channels[0]!.length).toBe(Math.round(((4 * 4 * 60) / 140) * 44100));
    expect(d.channels[0]!.some((v) => Math.abs(v) > 0.01)).toBe(true);
  }, 300_000);
});
