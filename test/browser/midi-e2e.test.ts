/**
 * End to end in headless Chromium, MIDI in → sound out: the real page (vite
 * dev server) with both tiny fixture models (drums for the pads, tonal for
 * the keyboard, each in its own generation worker), a fake Web MIDI input
 * injected before the page's scripts run and driven through webmidi, and
 * the player worklet's output peak as the ear. A note-on on channel 10 must
 * sound through a pad and one on channel 1 through the keyboard.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, HAS_CHROMIUM, INSTRUMENT_ENTRIES, startHarness, type Harness } from './harness.js';

const DRUMS = FIXTURE_MODEL;
const TONAL = '/test/fixtures/tonal-tiny';

declare global {
  interface Window {
    /** Installed by the init script: deliver raw MIDI bytes from the fake input. */
    __sendMidi?: (bytes: number[]) => void;
  }
}

/**
 * Runs in the page before any of its scripts: a MIDIAccess with one input
 * port, as much of the Web MIDI API as webmidi uses (requestMIDIAccess,
 * inputs/outputs Maps, onstatechange, MIDIInput.open/close, onmidimessage and
 * addEventListener('midimessage')).
 */
function installFakeMidi(): void {
  const listeners = new Set<(e: unknown) => void>();
  const input = {
    id: 'fake-input-1', name: 'Fake Keys', manufacturer: 'test', version: '1', type: 'input',
    state: 'connected', connection: 'open',
    onmidimessage: null as ((e: unknown) => void) | null,
    onstatechange: null as ((e: unknown) => void) | null,
    open() { return Promise.resolve(this); },
    close() { return Promise.resolve(this); },
    addEventListener(type: string, cb: (e: unknown) => void) { if (type === 'midimessage') listeners.add(cb); },
    removeEventListener(_type: string, cb: (e: unknown) => void) { listeners.delete(cb); },
    dispatchEvent() { return true; },
  };
  const access = {
    inputs: new Map([[input.id, input]]), outputs: new Map(), sysexEnabled: false,
    onstatechange: null, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(Navigator.prototype, 'requestMIDIAccess', { configurable: true, value: () => Promise.resolve(access) });
  window.__sendMidi = (bytes: number[]) => {
    const ev = { data: new Uint8Array(bytes), timeStamp: performance.now(), type: 'midimessage', target: input, currentTarget: input };
    input.onmidimessage?.(ev);
    for (const l of listeners) l(ev);
  };
}

describe.skipIf(!HAS_CHROMIUM)('MIDI end to end in headless Chromium (fake Web MIDI input)', () => {
  let harness: Harness | null = null;
  let page: Page;
  const logs: string[] = [];

  beforeAll(async () => {
    harness = await startHarness({ entries: INSTRUMENT_ENTRIES, cacheName: 'midi-e2e' });
    // Not harness.open(): the fake MIDI must be installed before the page's first script runs.
    page = await harness.browser.newPage();
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.addInitScript(installFakeMidi);
    const q = `model=${DRUMS}&tonal=${TONAL}&variations=1&keyvariations=1&steps=2&view=12`;
    await page.goto(`${harness.origin}/?${q}`, { waitUntil: 'commit', timeout: 120_000 });
  }, 240_000);

  afterAll(async () => {
    await page?.close().catch(() => {});
    await harness?.close();
  });

  const detail = async () => {
    const s = await page.evaluate(() => {
      const d = window.drums;
      return d && {
        midi: d.midi?.current, pads: d.engine.padState(0), keys: d.keyboard?.regions(), keyStats: d.keyboard?.stats,
        keyClient: d.keyClient?.status.state, keyError: d.keyClient?.status.error, audio: d.player.state,
      };
    });
    return `${JSON.stringify(s)}\n${logs.slice(-15).join('\n')}`;
  };

  /** Forget the output peak so far (each query reports the peak since the previous one). */
  const resetPeak = () => page.evaluate(async () => void (await window.drums!.player.query(5000)));

  /** Largest worklet output peak from the last reset over the next `ms`, or until it exceeds `stopAbove`. */
  async function peakOver(ms: number, stopAbove = Infinity): Promise<number> {
    let peak = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < ms && peak <= stopAbove) {
      const s = await page.evaluate(async () => window.drums!.player.query(5000));
      peak = Math.max(peak, s.peak);
      await page.waitForTimeout(25);
    }
    return peak;
  }

  it('webmidi accepts the fake input, both models load, and the audio starts on a gesture', async () => {
    await page.waitForFunction(() => window.drums?.midi?.current.state === 'enabled', null, { timeout: 120_000 }).catch(() => {});
    expect(await page.evaluate(() => window.drums?.midi?.current), await detail()).toEqual({ state: 'enabled', devices: ['Fake Keys'] });
    await page.waitForFunction(() => (window.drums?.engine.padState(0).ready ?? 0) > 0, null, { timeout: 200_000 });
    await page.waitForFunction(() => window.drums?.keyboard?.regions().some((r) => r.root === 60 && r.ready > 0) ?? false, null, { timeout: 200_000 })
      .catch(async (e) => { throw new Error(`${(e as Error).message}\n${await detail()}`); });
    expect(await page.evaluate(() => window.drums!.keyClient!.status.model?.kind)).toBe('tonal');
    await page.locator('h1').click(); // a user gesture: the context resumes
    await page.waitForFunction(() => window.drums?.player.state === 'running', null, { timeout: 15_000 });
    expect(await page.locator('dd-keys [data-keys="regions"]').innerText()).toMatch(/\d+\/\d+ ready/);
  }, 300_000);

  it('note-on on channel 10 sounds through a pad; the keyboard stays silent', async () => {
    await resetPeak();
    expect(await peakOver(300)).toBeLessThan(1e-4); // silence first
    await page.evaluate(() => window.__sendMidi!([0x99, 36, 127])); // channel 10, note 36: the kick pad
    const peak = await peakOver(3000, 0.01);
    expect(peak, await detail()).toBeGreaterThan(0.01);
    const k = await page.evaluate(() => window.drums!.keyboard!.stats);
    expect(k.played + k.notReady).toBe(0);
    expect(await page.locator('drum-app').evaluate((el) => el.shadowRoot!.querySelector('[data-status="midi"]')!.textContent)).toContain('Fake Keys: note 36');
  }, 60_000);

  it('note-on on channel 1 sounds through the keyboard; note-off ends it', async () => {
    await page.waitForTimeout(300); // the kick (81 ms) has ended
    await resetPeak();
    expect(await peakOver(300)).toBeLessThan(1e-4);
    await page.evaluate(() => window.__sendMidi!([0x90, 61, 100])); // channel 1, C#4: root 60 one semitone up
    const peak = await peakOver(3000, 0.01);
    expect(peak, await detail()).toBeGreaterThan(0.01);
    const after = await page.evaluate(() => ({ stats: { ...window.drums!.keyboard!.stats }, held: window.drums!.keyboard!.heldNotes() }));
    expect(after.stats.played).toBe(1);
    expect(after.held).toEqual([61]);
    expect(await page.locator('dd-keys [data-keys="playing"]').innerText()).toContain('C#4');
    await page.evaluate(() => window.__sendMidi!([0x90, 61, 0])); // velocity 0 = note-off
    await page.waitForFunction(() => window.drums!.keyboard!.heldNotes().length === 0, null, { timeout: 5000 });
    const stats = await page.evaluate(async () => window.drums!.player.query());
    expect(stats.nonFinite).toBe(0);
    expect(stats.dropped).toBe(0);
  }, 60_000);

  it('the computer keyboard plays the same keyboard (G = C of the octave)', async () => {
    await page.waitForTimeout(300);
    await resetPeak();
    expect(await peakOver(300)).toBeLessThan(1e-4);
    await page.keyboard.down('KeyG');
    const peak = await peakOver(3000, 0.01);
    expect(peak, await detail()).toBeGreaterThan(0.01);
    expect(await page.evaluate(() => window.drums!.keyboard!.heldNotes())).toEqual([60]);
    await page.keyboard.up('KeyG');
    await page.waitForFunction(() => window.drums!.keyboard!.heldNotes().length === 0, null, { timeout: 5000 });
  }, 60_000);
});
