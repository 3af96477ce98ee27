/**
 * The real worklet file, bundled, in node-web-audio-api's OfflineAudioContext:
 * messages in over the MessagePort, audio out of the render graph.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { AudioWorkletNode, OfflineAudioContext } from 'node-web-audio-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAYER_PROCESSOR_NAME } from '../../src/audio/constants.js';
import type { PlayerMessage, PlayerReply } from '../../src/audio/protocol.js';
import { cents, harmonicTone, midiHz, peakFrequency, powerSpectrum } from './analysis.js';

// node-web-audio-api 2.x calls Promise.withResolvers (Node ≥ 22); Node 20 lacks it.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

let dir = '';
let worklet = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'player-worklet-'));
  worklet = path.join(dir, 'player.worklet.js');
  await esbuild.build({
    entryPoints: [path.resolve(__dirname, '../../worklets/player.worklet.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    outfile: worklet,
    logLevel: 'error',
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Render `seconds` with the player, after sending `messages` and waiting for the worklet to have them all. */
async function render(sampleRate: number, seconds: number, messages: Outgoing[]) {
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: Math.round(seconds * sampleRate), sampleRate });
  await ctx.audioWorklet.addModule(worklet);
  const node = new AudioWorkletNode(ctx, PLAYER_PROCESSOR_NAME, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [2] });
  node.connect(ctx.destination);
  const replies: PlayerReply[] = [];
  node.port.onmessage = (e: MessageEvent<PlayerReply>) => replies.push(e.data);
  for (const { msg, transfer } of messages) node.port.postMessage(msg, transfer ?? []);
  // Messages on one port arrive in order: once the query is answered, everything before it is in.
  node.port.postMessage({ type: 'query', token: 1 } satisfies PlayerMessage);
  const t0 = Date.now();
  while (!replies.some((r) => r.type === 'stats')) {
    if (Date.now() - t0 > 60_000) throw new Error('the worklet did not answer');
    await new Promise((r) => setTimeout(r, 5));
  }
  const buf = await ctx.startRendering();
  node.port.close?.();
  return { L: buf.getChannelData(0), R: buf.getChannelData(1), replies };
}

type Outgoing = { msg: PlayerMessage; transfer?: Transferable[] };

function sampleMsg(id: number, data: Float32Array, sampleRate = 44100): Outgoing {
  return { msg: { type: 'sample', id, data, sampleRate } as PlayerMessage, transfer: [data.buffer as ArrayBuffer] };
}

describe('player worklet offline render (node-web-audio-api)', () => {
  it('the first non-zero sample of each hit is exactly at round(t·sr)', async () => {
    const sr = 44100;
    const times = [0.0123, 0.05, 0.1 + 17 / sr, 0.1502];
    const msgs: Outgoing[] = [sampleMsg(1, new Float32Array(200).fill(0.5))];
    for (const t of times) msgs.push({ msg: { type: 'trigger', pad: 0, id: 1, velocity: 127, time: t } });
    const { L, R } = await render(sr, 0.2, msgs);
    const onsets: number[] = [];
    for (let i = 0; i < L.length; i++) if (L[i] !== 0 && (i === 0 || L[i - 1] === 0)) onsets.push(i);
    expect(onsets).toEqual(times.map((t) => Math.round(t * sr)));
    expect(L[onsets[0]!]).toBeCloseTo(0.5, 6);
    expect(R[onsets[0]!]).toBeCloseTo(0.5, 6);
  }, 240_000);

  it('at 48 kHz too, with the 44.1 kHz one-shot resampled', async () => {
    const sr = 48000;
    const t = 0.0311;
    const { L } = await render(sr, 0.1, [sampleMsg(7, new Float32Array(441).fill(0.25)), { msg: { type: 'trigger', pad: 3, id: 7, velocity: 127, time: t } }]);
    const first = L.findIndex((v) => v !== 0);
    expect(first).toBe(Math.round(t * sr));
    const played = L.filter((v) => v !== 0).length;
    expect(Math.abs(played - 480)).toBeLessThanOrEqual(1);
  }, 240_000);

  it('a pile-up of loud hits stays finite and under the limiter ceiling; NaN input is silenced', async () => {
    const sr = 44100;
    const loud = new Float32Array(4000).fill(0.9);
    const bad = new Float32Array(4000).fill(NaN);
    const msgs: Outgoing[] = [sampleMsg(1, loud), sampleMsg(2, bad)];
    for (let i = 0; i < 40; i++) msgs.push({ msg: { type: 'pad', pad: i % 16, params: { gainDb: 12 } } });
    for (let i = 0; i < 40; i++) msgs.push({ msg: { type: 'trigger', pad: i % 16, id: 1 + (i % 2), velocity: 127, time: 0.001 * i } });
    const { L, R } = await render(sr, 0.2, msgs);
    let peak = 0;
    for (const ch of [L, R]) for (const v of ch) {
      expect(Number.isFinite(v)).toBe(true);
      peak = Math.max(peak, Math.abs(v));
    }
    expect(peak).toBeGreaterThan(0.9);
    expect(peak).toBeLessThanOrEqual(Math.fround(10 ** (-0.3 / 20)));
  }, 240_000);

  it('an immediate note-on (sent while the context is suspended mid-render, time = now) sounds within one render quantum', async () => {
    const sr = 44100;
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: sr / 5, sampleRate: sr });
    await ctx.audioWorklet.addModule(worklet);
    const node = new AudioWorkletNode(ctx, PLAYER_PROCESSOR_NAME, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [2] });
    node.connect(ctx.destination);
    const data = new Float32Array(400).fill(0.5);
    node.port.postMessage({ type: 'sample', id: 1, data, sampleRate: sr } satisfies PlayerMessage, [data.buffer]);
    const at = (0.05 * sr) / 128; // suspend on a quantum boundary: frame 2,205 → quantum 17 (frame 2,176)
    const suspendFrame = Math.floor(at) * 128;
    let sentAt = -1;
    void ctx.suspend(suspendFrame / sr).then(async () => {
      sentAt = Math.round(ctx.currentTime * sr);
      node.port.postMessage({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: ctx.currentTime } satisfies PlayerMessage);
      // Let the message reach the worklet before rendering goes on (as a real context keeps running, this
      // is the best case of an immediate hit; the bound checked is the quantum it lands in).
      await new Promise((r) => setTimeout(r, 200));
      await ctx.resume();
    });
    const buf = await ctx.startRendering();
    node.port.close?.();
    const L = buf.getChannelData(0);
    const first = L.findIndex((v) => v !== 0);
    expect(sentAt).toBe(suspendFrame);
    expect(first).toBeGreaterThanOrEqual(sentAt);
    expect(first - sentAt).toBeLessThan(128);
  }, 240_000);

  it('through the worklet: velocity follows the square-law curve, a closed hat chokes the open hat, and the 33rd voice steals the oldest', async () => {
    const sr = 44100;
    const long = () => new Float32Array(sr).fill(0.01); // 1 s of DC at −40 dBFS: levels add linearly
    const msgs: Outgoing[] = [sampleMsg(1, long()), sampleMsg(2, long())];
    // Velocity: pad 0 at 127 at 10 ms, then the same pad at 64 at 1.2 s (after the first has ended).
    msgs.push({ msg: { type: 'trigger', pad: 0, id: 1, velocity: 127, time: 0.01 } });
    msgs.push({ msg: { type: 'trigger', pad: 0, id: 1, velocity: 64, time: 1.2 } });
    const { L } = await render(sr, 2.3, msgs);
    const level = (t: number) => L[Math.round(t * sr)]!;
    expect(level(0.5)).toBeCloseTo(0.01, 6);
    expect(level(1.7) / level(0.5)).toBeCloseTo((64 / 127) ** 2, 4);

    // Choke: pad 5 (open hat, group 1) rings until pad 4 (closed hat, chokes group 1) hits at 0.3 s.
    const choke: Outgoing[] = [sampleMsg(1, long()), sampleMsg(2, long())];
    choke.push({ msg: { type: 'pad', pad: 5, params: { chokeGroup: 1 } } });
    choke.push({ msg: { type: 'pad', pad: 4, params: { chokes: 1 << 1 } } });
    choke.push({ msg: { type: 'trigger', pad: 5, id: 1, velocity: 127, time: 0.01 } });
    choke.push({ msg: { type: 'trigger', pad: 4, id: 2, velocity: 127, time: 0.3 } });
    const c = await render(sr, 0.5, choke);
    // Before the closed hat: the open hat alone (0.01). After its 10 ms ramp: the closed hat alone (0.01), not 0.02.
    expect(c.L[Math.round(0.2 * sr)]!).toBeCloseTo(0.01, 6);
    expect(c.L[Math.round(0.4 * sr)]!).toBeCloseTo(0.01, 6);
    expect(c.replies.some((r) => r.type === 'error')).toBe(false);

    // Stealing: 33 hits at once on 1 s samples; the limit is 32, so the sum settles at 32 × 0.01 once
    // the oldest has faded (5 ms), not at 33 × 0.01.
    const steal: Outgoing[] = [sampleMsg(1, long())];
    for (let i = 0; i < 33; i++) steal.push({ msg: { type: 'trigger', pad: i % 16, id: 1, velocity: 127, time: 0.01 + i / sr } });
    const st = await render(sr, 0.2, steal);
    expect(st.L[Math.round(0.1 * sr)]!).toBeCloseTo(0.32, 4);
  }, 240_000);

  it('a pitched note through the worklet: root 57 played at 64 in a 48 kHz context sounds within ±5 cents, and its note-off releases it', async () => {
    const sr = 48000;
    const root = harmonicTone(midiHz(57), 1.5, 44100);
    const { L, R, replies } = await render(sr, 1.2, [
      sampleMsg(3, root, 44100),
      { msg: { type: 'keyboard', params: { release: 0.05 } } },
      { msg: { type: 'note-on', channel: 2, note: 64, id: 3, velocity: 100, semitones: 7, time: 0.01 } },
      { msg: { type: 'note-off', channel: 2, note: 64, time: 0.8 } },
    ]);
    expect(replies.filter((r) => r.type === 'error')).toEqual([]);
    const f0 = peakFrequency(powerSpectrum(L, sr, 4800, 24000, 1 << 17), midiHz(62), midiHz(66));
    expect(Math.abs(cents(midiHz(64), f0))).toBeLessThan(5);
    expect(R).toEqual(L);
    // The release (50 ms = 2,400 frames) starts at 0.8 s: silent from 0.85 s on.
    const off = Math.round(0.8 * sr);
    let before = 0;
    for (let i = off - 2400; i < off; i++) before = Math.max(before, Math.abs(L[i]!));
    expect(before).toBeGreaterThan(0.01);
    expect(L.subarray(off + 2401).every((v) => v === 0)).toBe(true);
  }, 240_000);
});
