/**
 * The instrument panel end to end in headless Chromium (WebGPU through
 * SwiftShader, the tiny fixture model so generation takes seconds), for what
 * test/presets/panel.test.ts does not cover:
 * - the first click after load, once the pad is ready, sounds (the context
 *   resumes on that gesture) and the pad lights and shows its thumbnail;
 * - turning a knob (mouse drag) regenerates a different sound;
 * - keyboard only: Tab to a pad, Space and Enter play it; Tab to a knob,
 *   arrows turn it;
 * - MIDI learn maps a CC to a knob and the CC turns it;
 * - save a preset, reload the page, load it: every pad's sound is
 *   byte-identical (SHA-256 of each pad's seed sound), timbre and MIDI
 *   mappings come back;
 * - a corrupt preset import shows its message and changes nothing;
 * - the help overlay, the status line (backend, latency) and the sound view;
 * - a browser without WebGPU or Web MIDI is told what the page uses instead;
 * - the narrow (420 px) layout has no horizontal scrolling.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, HAS_CHROMIUM, INSTRUMENT_ENTRIES, startHarness, type Harness, type OpenedPage } from './harness.js';

const QUERY = { model: FIXTURE_MODEL, midi: 'off', variations: 1, steps: 2, keys: 'off' };
const PADS = 16;

// <drum-app>'s read-only test hooks (padSound, timbrePositions, midiMappings) and controlChange are typed by its HTMLElementTagNameMap entry.

describe.skipIf(!HAS_CHROMIUM)('instrument panel end to end in headless Chromium', () => {
  let harness: Harness | null = null;
  let opened: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'panel-e2e-test' });
    opened = await harness.openInstrumentPage({ query: QUERY });
    page = opened.page;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForFunction(() => window.drums?.client.status.state === 'ready', null, { timeout: 280_000 });
  }, 300_000);

  afterAll(async () => {
    await harness?.close();
  });

  const tail = () => opened.tail(20);

  /** Every pad has its current sound ready and nothing is generating. */
  async function settled(timeout = 200_000): Promise<void> {
    await page.waitForFunction(
      (n) => {
        const d = window.drums!;
        const app = document.querySelector('drum-app')!;
        const s = d.client.status;
        if (s.queued > 0 || s.running > 0 || d.engine.pool.totals().pending > 0) return false;
        for (let i = 0; i < n; i++) {
          const p = d.engine.padState(i);
          if (p.ready === 0 || p.regenerating || !app.padSound(i)) return false;
        }
        return true;
      },
      PADS,
      { timeout, polling: 200 },
    );
  }

  /** SHA-256 (hex) of every pad's current seed sound. */
  const hashes = () =>
    page.evaluate(async (n) => {
      const app = document.querySelector('drum-app')!;
      const out: string[] = [];
      for (let i = 0; i < n; i++) {
        const a = app.padSound(i);
        if (!a) {
          out.push('none');
          continue;
        }
        const d = await crypto.subtle.digest('SHA-256', new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice());
        out.push([...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join(''));
      }
      return out;
    }, PADS);

  /** The worklet's output peak over the next few seconds (resets at every query). */
  async function peakSoon(ms = 8000): Promise<number> {
    let peak = 0;
    const t0 = Date.now();
    while (peak < 0.01 && Date.now() - t0 < ms) {
      const s = await page.evaluate(async () => window.drums!.player.query(5000));
      peak = Math.max(peak, s.peak);
      if (peak < 0.01) await page.waitForTimeout(100);
    }
    return peak;
  }

  /** The focused element, through shadow roots: its role, aria-label and tag. */
  const focused = () =>
    page.evaluate(() => {
      let a: Element | null = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      return { role: a?.getAttribute('role') ?? '', label: a?.getAttribute('aria-label') ?? '', tag: a?.tagName.toLowerCase() ?? '' };
    });

  /** Press Tab until the focused element matches, or fail after `max` presses. */
  async function tabTo(match: (f: { role: string; label: string; tag: string }) => boolean, max = 120): Promise<void> {
    const seen: string[] = [];
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const f = await focused();
      if (match(f)) return;
      seen.push(`${f.tag}[${f.role}] ${f.label}`);
    }
    throw new Error(`Tab never reached the element; focus went through:\n${seen.join('\n')}`);
  }

  const knobValue = (label: string) => page.locator(`drum-app [role="slider"][aria-label="${label}"]`).first().getAttribute('aria-valuenow').then(Number);

  it('the first click after load, once the pad is ready, plays it; the pad lights and shows its waveform', async () => {
    // A page of its own, watched only through CDP's Runtime.evaluate (userGesture false): Playwright's own
    // evaluate counts as a user gesture, and an AudioContext made after one starts running by itself.
    const first = await harness!.browser.newPage();
    try {
      const cdp = await first.context().newCDPSession(first);
      const quiet = async <T>(expression: string): Promise<T> => {
        const r = (await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true, userGesture: false })) as {
          result: { value: T };
          exceptionDetails?: { text: string };
        };
        if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
        return r.result.value;
      };
      await first.setViewportSize({ width: 1280, height: 800 });
      await first.goto(`${harness!.origin}/?${new URLSearchParams(Object.entries(QUERY).map(([k, v]) => [k, String(v)]))}`, { waitUntil: 'commit' });
      const ready = `(() => { const d = window.drums; const app = document.querySelector('drum-app');
        return !!d && d.client.status.state === 'ready' && d.engine.padState(0).ready > 0 && !!app.padSound(0); })()`;
      const t0 = Date.now();
      while (!(await quiet<boolean>(ready).catch(() => false))) {
        if (Date.now() - t0 > 280_000) throw new Error('pad 0 never became ready');
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(await quiet<string>('window.drums.player.state'), 'nothing resumes the context before the first gesture').toBe('suspended');
      expect(await quiet<string>(`document.querySelector('drum-app').shadowRoot.querySelector('footer [data-status="audio"]').textContent`)).toMatch(
        /suspended.*— click or press a key to start/s,
      );
      // Watch the pad light up (the flash lasts 90 ms, so count it as it happens).
      await quiet(`(() => {
        const pad = document.querySelector('drum-app').shadowRoot.querySelector('dd-pad[data-index="0"]').shadowRoot.querySelector('.pad');
        window.lit = 0;
        new MutationObserver(() => { if (pad.classList.contains('lit')) window.lit++; }).observe(pad, { attributes: true, attributeFilter: ['class'] });
      })()`);
      await first.locator('dd-pad[data-index="0"] .pad').click();
      let peak = 0;
      for (let i = 0; i < 80 && peak < 0.01; i++) {
        peak = Math.max(peak, await quiet<number>('window.drums.player.query(5000).then((s) => s.peak)'));
        if (peak < 0.01) await first.waitForTimeout(100);
      }
      expect(peak, 'the first click after load sounds').toBeGreaterThan(0.01);
      expect(await quiet<string>('window.drums.player.state')).toBe('running');
      expect(await quiet<number>('window.lit')).toBeGreaterThanOrEqual(1);
      // The thumbnail is the pad's sound, not the empty line.
      expect(await first.locator('dd-pad[data-index="0"] svg.thumb').getAttribute('data-thumb')).toBe('sound');
      const d = await first.locator('dd-pad[data-index="0"] svg.thumb path').getAttribute('d');
      expect(d!.split('M').length - 1).toBe(48);
      // Status: backend with why, latency, running audio.
      expect(await first.locator('drum-app footer [data-status="backend"]').innerText()).toMatch(/WebGPU|WebGL|WASM|CPU/);
      expect(await first.locator('drum-app footer [data-status="audio"]').innerText()).toMatch(/running, 4\d\.\d kHz, latency (\d+(\.\d)? ms|—) base, .* output/);
    } finally {
      await first.close();
    }
  }, 300_000);

  it('the selected pad shows its waveform and spectrogram', async () => {
    await settled();
    const view = await page.evaluate(() => {
      const v = document.querySelector('drum-app')!.shadowRoot!.querySelector('dd-sound-view')!;
      const spec = v.shadowRoot!.querySelector<HTMLCanvasElement>('canvas.spec')!;
      const px = spec.getContext('2d')!.getImageData(0, 0, spec.width, spec.height).data;
      let lit = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i]! > 100) lit++;
      const len = (document.querySelector('drum-app')!).padSound(0)!.length;
      return { w: spec.width, h: spec.height, lit, len, caption: v.shadowRoot!.querySelector('[data-sound-length]')!.textContent };
    });
    expect(view.h).toBe(257);
    expect(view.w).toBe(Math.floor(view.len / 256) + 1);
    expect(view.lit).toBeGreaterThan(0);
    expect(view.caption).toBe(`${Math.round((view.len / 44100) * 1000)} ms`);
  }, 60_000);

  it('turning a knob (mouse drag) regenerates a different sound', async () => {
    const before = await hashes();
    const g0 = await knobValue('Guidance');
    const dial = page.locator('drum-app [role="slider"][aria-label="Guidance"]').first();
    const box = (await dial.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 40, { steps: 4 });
    await page.mouse.up();
    const g1 = await knobValue('Guidance');
    expect(g1).toBeCloseTo(Math.min(8, g0 + 0.2 * 7), 1); // 40 of 200 px = 20 % of 1–8
    expect(await page.evaluate(() => window.drums!.engine.kit.globals.guidance)).toBe(g1);
    await settled();
    const after = await hashes();
    expect(after.filter((h, i) => h !== before[i])).toHaveLength(PADS);
  }, 300_000);

  it('keyboard only: Tab to a pad, Space and Enter play it; Tab to a knob, arrows turn it', async () => {
    await page.locator('drum-app h1').click(); // focus starts at the top of the panel
    await tabTo((f) => f.role === 'button' && f.label.startsWith('Pad 2:'));
    await page.evaluate(async () => window.drums!.player.query()); // reset the peak
    await page.keyboard.press('Space');
    expect(await peakSoon(), tail()).toBeGreaterThan(0.01);
    await page.keyboard.press('Enter');
    expect(await peakSoon(), tail()).toBeGreaterThan(0.01);
    // Playing it selected it: the editor is pad 2's. Its gain knob is further on.
    expect(await page.locator('drum-app aside h2').textContent()).toMatch(/^Pad 2 /);
    await tabTo((f) => f.role === 'slider' && f.label === 'Gain');
    const g0 = await page.evaluate(() => window.drums!.engine.kit.pads[1]!.gainDb);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Shift+ArrowDown');
    expect(await page.evaluate(() => window.drums!.engine.kit.pads[1]!.gainDb)).toBe(g0 + 0.5 + 0.5 - 0.5);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => window.drums!.engine.kit.pads[1]!.gainDb)).toBe(6);
    await page.keyboard.press('Delete');
    expect(await page.evaluate(() => window.drums!.engine.kit.pads[1]!.gainDb)).toBe(0);
    // Arrows on a knob do not reach the pads' key handler or scroll.
    expect((await focused()).label).toBe('Gain');
  }, 120_000);

  it('"?" opens the help overlay listing the pad and knob keys; Escape closes it', async () => {
    await page.locator('drum-app h1').click();
    await page.keyboard.press('?');
    const dialog = page.locator('dd-help [role="dialog"]');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const text = await dialog.innerText();
    expect(text).toContain('1 2 3 4 / Q W E R / A S D F / Z X C V');
    expect(text).toContain('Page Up / Page Down');
    expect(text).toContain('G Y H U J K O L P ; [ \'');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await page.locator('drum-app [data-help-button]').click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.locator('dd-help button', { hasText: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  }, 60_000);

  it('MIDI learn: click learn, move a CC, the knob follows that CC and shows it', async () => {
    const learn = page.locator('drum-app dd-knob[knob-id="steps"] button[data-learn]');
    await learn.click();
    await expect.poll(() => learn.innerText()).toBe('move a CC…');
    expect(await page.evaluate(() => (document.querySelector('drum-app')!).controlChange(2, 21, 64))).toBe(true);
    await expect.poll(() => learn.innerText()).toBe('CC 21 ch 2');
    expect(await page.evaluate(() => (document.querySelector('drum-app')!).controlChange(2, 21, 127))).toBe(true);
    expect(await page.evaluate(() => window.drums!.engine.kit.globals.steps)).toBe(50);
    await page.evaluate(() => (document.querySelector('drum-app')!).controlChange(2, 21, 0));
    expect(await page.evaluate(() => window.drums!.engine.kit.globals.steps)).toBe(1);
    await expect.poll(() => knobValue('Steps')).toBe(1);
    // Another CC, unmapped, is not taken.
    expect(await page.evaluate(() => (document.querySelector('drum-app')!).controlChange(2, 22, 5))).toBe(false);
    await page.evaluate(() => (document.querySelector('drum-app')!).controlChange(2, 21, 5)); // 5/127 of 1–50 → 3 steps: quick
    expect(await page.evaluate(() => window.drums!.engine.kit.globals.steps)).toBe(3);
  }, 60_000);

  it('save a preset, reload the page, load it: every pad sounds byte-identical; timbre and MIDI mappings come back', async () => {
    // A timbre knob off centre (Page Up: +10 % of its range), so the preset differs from the default kit in every pad.
    const bright = page.locator('drum-app [role="slider"][aria-label="Bright"]');
    await bright.focus();
    await page.keyboard.press('PageUp');
    const timbre = await page.evaluate(() => (document.querySelector('drum-app')!).timbrePositions);
    expect(timbre['brightness']).toBeGreaterThan(0);
    await settled();
    const saved = await hashes();
    const mappings = await page.evaluate(() => (document.querySelector('drum-app')!).midiMappings);
    const kit = await page.evaluate(() => window.drums!.engine.kit);
    await page.locator('dd-preset-bar input[aria-label="Preset name"]').fill('E2E bright');
    await page.locator('dd-preset-bar button', { hasText: 'Save as new' }).click();
    const select = page.locator('dd-preset-bar select[data-preset-select]');
    await expect.poll(() => select.locator('option').allInnerTexts(), { timeout: 10_000 }).toContain('E2E bright');

    await page.reload({ waitUntil: 'commit' });
    await page.waitForFunction(() => window.drums?.client.status.state === 'ready', null, { timeout: 280_000 });
    await settled();
    const fresh = await hashes();
    expect(fresh.filter((h, i) => h !== saved[i]), 'the default kit sounds different from the saved one').toHaveLength(PADS);
    await select.selectOption({ label: 'E2E bright' });
    // A user preset loads from IndexedDB, asynchronously: wait for the engine to have it before waiting for its sounds.
    await page.waitForFunction(() => window.drums!.engine.kit.name === 'E2E bright', null, { timeout: 10_000 });
    await settled();
    expect(await hashes(), tail()).toEqual(saved);
    expect(await page.evaluate(() => window.drums!.engine.kit.globals)).toEqual(kit.globals);
    expect(await page.evaluate(() => (document.querySelector('drum-app')!).timbrePositions)).toEqual(timbre);
    expect(await page.evaluate(() => (document.querySelector('drum-app')!).midiMappings)).toEqual(mappings);
    expect(await page.locator('drum-app dd-knob[knob-id="steps"] button[data-learn]').innerText()).toBe('CC 21 ch 2');
  }, 600_000);

  it('a corrupt preset import shows its message and changes nothing', async () => {
    const before = { kit: await page.evaluate(() => window.drums!.engine.kit), sounds: await hashes() };
    const timbre = await page.evaluate(() => (document.querySelector('drum-app')!).timbrePositions);
    await page.locator('dd-preset-bar input[data-preset-import]').setInputFiles({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"version": 2, "name": "half a fi'),
    });
    await expect.poll(() => page.locator('dd-preset-bar [data-preset-error]').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(
      /^broken\.json: the file is truncated/,
    );
    await page.locator('dd-preset-bar input[data-preset-import]').setInputFiles({
      name: 'wrong.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ version: 2, name: 'x', pads: [], globals: { timbre: { brightness: -5 } } })),
    });
    await expect.poll(() => page.locator('dd-preset-bar [data-preset-error]').innerText().catch(() => ''), { timeout: 10_000 }).toMatch(/^wrong\.json: /);
    expect(await page.evaluate(() => window.drums!.engine.kit)).toEqual(before.kit);
    expect(await page.evaluate(() => (document.querySelector('drum-app')!).timbrePositions)).toEqual(timbre);
    expect(await page.evaluate(() => window.drums!.client.status.queued + window.drums!.client.status.running)).toBe(0);
    expect(await hashes()).toEqual(before.sounds);
  }, 60_000);

  it('a browser without WebGPU and Web MIDI is told so, and what the page uses instead', async () => {
    const other = await harness!.browser.newPage();
    try {
      await other.addInitScript(() => {
        // As in a browser that has neither API.
        delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
        delete (Navigator.prototype as unknown as { requestMIDIAccess?: unknown }).requestMIDIAccess;
      });
      await other.goto(`${harness!.origin}/?model=${FIXTURE_MODEL}&backends=wasm&variations=1&steps=2&keys=off`, { waitUntil: 'commit' });
      await other.waitForFunction(() => window.drums?.client.status.state === 'ready', null, { timeout: 280_000 });
      const notes = other.locator('drum-app [data-status="capabilities"]');
      await expect.poll(() => notes.innerText().catch(() => '')).toContain('WebGPU is not available in this browser: sounds are generated with WASM instead');
      expect(await notes.innerText()).toContain('Web MIDI is unavailable (this browser has no Web MIDI): play with the mouse, touch or the computer keyboard');
      expect(await other.locator('drum-app footer [data-status="midi"]').innerText()).toContain('unavailable (this browser has no Web MIDI)');
    } finally {
      await other.close();
    }
  }, 300_000);

  it('the narrow window (420 × 900) lays the panel out without sideways scrolling', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    await page.waitForTimeout(300);
    const m = await page.evaluate(() => {
      const app = document.querySelector('drum-app')!;
      const grid = app.shadowRoot!.querySelector('.grid')!.getBoundingClientRect();
      const aside = app.shadowRoot!.querySelector('aside')!.getBoundingClientRect();
      return { scroll: document.documentElement.scrollWidth, gridRight: grid.right, asideTop: aside.top, gridBottom: grid.bottom };
    });
    expect(m.scroll).toBeLessThanOrEqual(420);
    expect(m.gridRight).toBeLessThanOrEqual(420);
    expect(m.asideTop, 'the pad editor goes below the grid').toBeGreaterThanOrEqual(m.gridBottom);
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);
});
