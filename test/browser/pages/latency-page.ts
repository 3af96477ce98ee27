/**
 * The latency bench page (npm run bench:latency drives it through
 * playwright): note-on → first output sample for this project's player,
 * Tone.js's Sampler (default lookAhead and lookAhead = 0) and smplr's
 * Sampler, all playing the same one-shot, in the same browser.
 *
 * Two measurements per engine:
 * - offline: an OfflineAudioContext suspended at a known frame; the note-on
 *   is issued while it is suspended, rendering resumes, and the rendered
 *   buffer is scanned for the first sample above the threshold. This is the
 *   engine's scheduling latency, exactly, with no clock noise.
 * - realtime: a running AudioContext with a pass-through tap worklet in
 *   front of the destination that reports each onset's context frame. The
 *   note-on happens at a random wall-clock instant (so at a random offset
 *   inside a render quantum); latency is the onset frame minus the context
 *   frame at the note-on (currentTime, i.e. the next quantum to render). The
 *   wall-clock figure maps the onset frame to performance.now() through
 *   getOutputTimestamp(), so it also holds the wait for the next audio
 *   callback; baseLatency and outputLatency come on top for every engine.
 */
import { AudioContext as SacAudioContext, AudioWorkletNode as SacAudioWorkletNode, type IAudioContext } from 'standardized-audio-context';
import * as Tone from 'tone';
import { Sampler as SmplrSampler } from 'smplr';
import playerWorkletUrl from '../../../worklets/player.worklet.ts?worker&url';
import tapWorkletUrl from './latency-tap.worklet.ts?worker&url';
import { AudioPlayer } from '../../../src/audio/player.js';
import { OUTPUT_CHANNELS, PLAYER_PROCESSOR_NAME, RENDER_QUANTUM } from '../../../src/audio/constants.js';
import type { PlayerMessage, PlayerReply } from '../../../src/audio/protocol.js';
import { mulberry32 } from '../../../src/dsp/random.js';
import type { Seconds } from '../../../src/units.js';

export const ENGINES = ['player', 'tone', 'tone-lookahead-0', 'smplr'] as const;
export type EngineName = (typeof ENGINES)[number];
export type Mode = 'offline' | 'realtime';

export interface RunOptions {
  engine: EngineName;
  mode: Mode;
  /** Note-ons to measure. */
  count: number;
  /** Seed of the note-on times. */
  seed: number;
  sampleRate: number;
  /** Onset threshold (linear magnitude). */
  threshold: number;
}

export interface RunResult {
  engine: EngineName;
  mode: Mode;
  sampleRate: number;
  /** Note-on → first sample above the threshold, in frames, one per note-on. */
  frames: number[];
  /** Realtime only: note-on → onset mapped to performance.now() (ms). */
  wallMs: number[];
  /** Note-ons whose onset was not seen. */
  missed: number;
  baseLatency: number | null;
  outputLatency: number | null;
  /** The realtime context's latencyHint in effect (for the report). */
  note: string;
}

declare global {
  interface Window {
    latencyBench?: { ready: boolean; run(o: RunOptions): Promise<RunResult>; error?: string };
  }
}

const CLICK_FRAMES = 441;

/**
 * The one-shot every engine plays: a 10 ms click that is at 0.9 on its very
 * first sample and decays exponentially, so the first sample above the
 * threshold is the first sample played. (A generated one-shot's onset ramps
 * over a few samples after Griffin-Lim, which would add the same offset to
 * every engine and blur the detection.)
 */
function click(): Float32Array<ArrayBuffer> {
  const x = new Float32Array(CLICK_FRAMES);
  for (let i = 0; i < x.length; i++) x[i] = 0.9 * Math.exp(-i / 44);
  return x;
}

/** An engine under test: set up on a context, then note-on at "now". */
interface Engine {
  noteOn(): void;
  dispose(): Promise<void>;
}

type AnyContext = AudioContext | OfflineAudioContext;

function nativeBuffer(ctx: BaseAudioContext, data: Float32Array<ArrayBuffer>): AudioBuffer {
  const b = ctx.createBuffer(1, data.length, ctx.sampleRate);
  b.copyToChannel(data, 0);
  return b;
}

/** This project's player: AudioPlayer + worklets/player.worklet.ts, trigger(time = now). */
async function playerEngine(ctx: IAudioContext): Promise<Engine & { tapWith(tap: SacAudioWorkletNode<IAudioContext>): void }> {
  const player = await AudioPlayer.create(playerWorkletUrl, ctx);
  player.upload(1, click(), ctx.sampleRate);
  await player.query(10_000); // the sample is in the worklet once this answers
  return {
    noteOn: () => player.trigger(0, 1, 127),
    tapWith: (tap) => {
      player.node.disconnect();
      player.node.connect(tap as never);
    },
    dispose: () => player.close(),
  };
}

/** The player worklet on a native context, driven by the messages AudioPlayer sends (upload, query, trigger at time = now). */
async function nativePlayerEngine(ctx: BaseAudioContext): Promise<Engine> {
  await ctx.audioWorklet.addModule(playerWorkletUrl);
  const node = new AudioWorkletNode(ctx, PLAYER_PROCESSOR_NAME, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [OUTPUT_CHANNELS] });
  node.connect(ctx.destination);
  const data = click();
  const answered = new Promise<void>((resolve) => {
    node.port.onmessage = (e: MessageEvent<PlayerReply>) => {
      if (e.data.type === 'stats') resolve();
    };
  });
  const send = (m: PlayerMessage, transfer: Transferable[] = []) => node.port.postMessage(m, transfer);
  send({ type: 'sample', id: 1, data, sampleRate: ctx.sampleRate }, [data.buffer]);
  send({ type: 'query', token: 1 });
  await answered;
  return {
    noteOn: () => send({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: ctx.currentTime }),
    dispose: async () => node.disconnect(),
  };
}

/** Tone.js Sampler on a Tone context around the native one; lookAhead as given (Tone's default 0.1 s when undefined). */
async function toneEngine(raw: AnyContext, lookAhead: Seconds | undefined): Promise<Engine & { output: Tone.Sampler }> {
  // A plain Tone.Context even offline: Tone's OfflineContext forces lookAhead 0, which is not what the default measures.
  const context = new Tone.Context({ context: raw as unknown as AudioContext });
  Tone.setContext(context);
  if (lookAhead !== undefined) Tone.getContext().lookAhead = lookAhead;
  const buffer = new Tone.ToneAudioBuffer(nativeBuffer(raw, click()));
  const sampler = new Tone.Sampler({ urls: { C4: buffer }, context });
  await Tone.loaded();
  return {
    output: sampler,
    noteOn: () => void sampler.triggerAttack('C4', undefined, 1),
    dispose: async () => {
      sampler.dispose();
      context.dispose();
    },
  };
}

/** smplr's Sampler with the click as a pre-decoded buffer (no fetch). */
async function smplrEngine(raw: AnyContext, destination: AudioNode): Promise<Engine> {
  // smplr 1.1.0's flat-buffers path copies detune, decayTime and lpfCutoffHz into the preset's
  // defaults even when they are undefined, which overrides its own defaults and makes detune NaN
  // (AudioParam rejects it): pass its documented defaults explicitly.
  const sampler = SmplrSampler(raw, { buffers: { C4: nativeBuffer(raw, click()) }, destination, detune: 0, decayTime: 0.3, lpfCutoffHz: 20_000 });
  await sampler.ready;
  return {
    noteOn: () => void sampler.start({ note: 'C4', velocity: 127 }),
    dispose: async () => sampler.dispose(),
  };
}

function firstAbove(ch: Float32Array[], from: number, to: number, threshold: number): number {
  for (let i = from; i < to; i++) for (const c of ch) if (Math.abs(c[i]!) > threshold) return i;
  return -1;
}

/** Note-on frames: one per slot of `spacing` seconds (a whole number of quanta), at a random render quantum inside the slot's first half. */
function noteOnFrames(o: RunOptions, spacing: Seconds): number[] {
  const rand = mulberry32(o.seed);
  // suspend() takes effect on quantum boundaries only: keep every note-on on one.
  const slotQuanta = Math.round((spacing * o.sampleRate) / RENDER_QUANTUM);
  const slot = slotQuanta * RENDER_QUANTUM;
  return Array.from({ length: o.count }, (_, k) => k * slot + RENDER_QUANTUM * (2 + Math.floor(rand() * (slotQuanta / 2))));
}

async function runOffline(o: RunOptions): Promise<RunResult> {
  // Slots long enough for Tone's 0.1 s lookahead plus the click, and the silence after it.
  const spacing = 0.4;
  const at = noteOnFrames(o, spacing);
  const length = Math.round((spacing * o.sampleRate) / RENDER_QUANTUM) * RENDER_QUANTUM * (o.count + 1);
  let render: () => Promise<Float32Array[]>;
  let suspendAt: (frame: number, cb: () => void) => void;
  let engine: Engine;
  let nowFrame = () => 0;
  if (o.engine === 'player') {
    // standardized-audio-context's OfflineAudioContext has no suspend(), so offline the
    // player's worklet runs on a native context and gets exactly the message AudioPlayer.trigger posts.
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length, sampleRate: o.sampleRate });
    engine = await nativePlayerEngine(ctx);
    suspendAt = (frame, cb) => void ctx.suspend(frame / o.sampleRate).then(() => { cb(); void ctx.resume(); });
    nowFrame = () => Math.round(ctx.currentTime * o.sampleRate);
    render = async () => {
      const b = await ctx.startRendering();
      return [b.getChannelData(0), b.getChannelData(1)];
    };
  } else {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length, sampleRate: o.sampleRate });
    if (o.engine === 'smplr') engine = await smplrEngine(ctx, ctx.destination);
    else {
      const t = await toneEngine(ctx, o.engine === 'tone-lookahead-0' ? 0 : undefined);
      t.output.toDestination();
      engine = t;
    }
    suspendAt = (frame, cb) => void ctx.suspend(frame / o.sampleRate).then(() => { cb(); void ctx.resume(); });
    nowFrame = () => Math.round(ctx.currentTime * o.sampleRate);
    render = async () => {
      const b = await ctx.startRendering();
      return [b.getChannelData(0), b.getChannelData(1)];
    };
  }
  // The frame the context really stopped at (currentTime while suspended), in case the browser rounds the suspend time.
  const actual: number[] = [];
  for (const f of at) suspendAt(f, () => {
    actual.push(nowFrame());
    engine.noteOn();
  });
  const ch = await render();
  await engine.dispose();
  const frames: number[] = [];
  let missed = 0;
  if (actual.length !== at.length) throw new Error(`${o.engine}: ${actual.length} of ${at.length} suspend points were reached`);
  actual.forEach((f, k) => {
    if (f !== at[k]) throw new Error(`${o.engine}: suspended at frame ${f}, asked for ${at[k]}`);
    const end = at[k + 1] ?? length;
    const onset = firstAbove(ch, f, end, o.threshold);
    if (onset < 0) missed++;
    else frames.push(onset - f);
  });
  // Anything above the threshold before the first note-on would be a detector fault, not a latency.
  if (firstAbove(ch, 0, at[0]!, o.threshold) >= 0) throw new Error(`${o.engine}: output before the first note-on`);
  return { engine: o.engine, mode: 'offline', sampleRate: o.sampleRate, frames, wallMs: [], missed, baseLatency: null, outputLatency: null, note: 'OfflineAudioContext, note-on while suspended at a render-quantum boundary' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runRealtime(o: RunOptions): Promise<RunResult> {
  const rand = mulberry32(o.seed);
  const onsets: number[] = [];
  let engine: Engine;
  let ctxTime: () => number;
  let ctxState: () => string;
  let outputTimestamp: () => AudioTimestamp;
  let latencies: () => { base: number | null; output: number | null };
  let close: () => Promise<void>;
  const tapOptions = { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2], processorOptions: { threshold: o.threshold, quietFrames: 2048 } };
  if (o.engine === 'player') {
    const ctx = new SacAudioContext({ latencyHint: 'interactive', sampleRate: o.sampleRate });
    await ctx.audioWorklet!.addModule(tapWorkletUrl);
    const tap = new SacAudioWorkletNode!(ctx, 'latency-tap', tapOptions);
    tap.port.onmessage = (e: MessageEvent<{ frame: number }>) => onsets.push(e.data.frame);
    tap.connect(ctx.destination);
    const p = await playerEngine(ctx);
    p.tapWith(tap);
    engine = p;
    ctxTime = () => ctx.currentTime;
    ctxState = () => ctx.state;
    await ctx.resume();
    // standardized-audio-context has neither getOutputTimestamp() nor outputLatency; its wrapper keeps the
    // native context in a (TypeScript-private) field, which is the same clock.
    const native = (ctx as unknown as { _nativeAudioContext?: AudioContext })._nativeAudioContext;
    outputTimestamp = () => native?.getOutputTimestamp() ?? {};
    latencies = () => ({ base: ctx.baseLatency, output: native?.outputLatency ?? null });
    close = async () => {
      if (ctx.state !== 'closed') await ctx.close();
    };
  } else {
    const ctx = new AudioContext({ latencyHint: 'interactive', sampleRate: o.sampleRate });
    await ctx.audioWorklet.addModule(tapWorkletUrl);
    const tap = new AudioWorkletNode(ctx, 'latency-tap', tapOptions);
    tap.port.onmessage = (e: MessageEvent<{ frame: number }>) => onsets.push(e.data.frame);
    tap.connect(ctx.destination);
    if (o.engine === 'smplr') engine = await smplrEngine(ctx, tap);
    else {
      const t = await toneEngine(ctx, o.engine === 'tone-lookahead-0' ? 0 : undefined);
      t.output.connect(tap);
      engine = t;
    }
    ctxTime = () => ctx.currentTime;
    ctxState = () => ctx.state;
    await ctx.resume();
    outputTimestamp = () => ctx.getOutputTimestamp();
    latencies = () => ({ base: ctx.baseLatency, output: ctx.outputLatency });
    close = async () => {
      if (ctx.state !== 'closed') await ctx.close();
    };
  }
  if (ctxState() !== 'running') throw new Error(`${o.engine}: the AudioContext is ${ctxState()}, not running (autoplay policy?)`);
  await sleep(300); // let the callback cadence settle
  const frames: number[] = [];
  const wallMs: number[] = [];
  let missed = 0;
  for (let k = 0; k < o.count; k++) {
    // A random wall-clock instant: somewhere inside a render quantum, and inside the device callback's period.
    await sleep(40 + rand() * 60);
    const before = onsets.length;
    const perf0 = performance.now();
    const frame0 = Math.round(ctxTime() * o.sampleRate);
    engine.noteOn();
    const t0 = performance.now();
    while (onsets.length === before && performance.now() - t0 < 1000) await sleep(2);
    if (onsets.length === before) {
      missed++;
      continue;
    }
    const onset = onsets[before]!;
    frames.push(onset - frame0);
    const ts = outputTimestamp();
    if (ts.contextTime !== undefined && ts.performanceTime !== undefined && ts.performanceTime > 0) {
      wallMs.push(ts.performanceTime + (onset / o.sampleRate - ts.contextTime) * 1000 - perf0);
    }
    await sleep(60); // the click's tail and the tap's quiet window (2048 frames) pass
  }
  const lat = latencies();
  await engine.dispose();
  await close();
  return { engine: o.engine, mode: 'realtime', sampleRate: o.sampleRate, frames, wallMs, missed, baseLatency: lat.base, outputLatency: lat.output, note: "AudioContext({ latencyHint: 'interactive' })" };
}

/** A run that hangs (an engine that never starts, a context that never resumes) fails with its name instead. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no result after ${ms / 1000} s`)), ms))]);
}

window.latencyBench = {
  ready: true,
  run: (o) => withTimeout(o.mode === 'offline' ? runOffline(o) : runRealtime(o), 120_000, `${o.engine} (${o.mode})`),
};
