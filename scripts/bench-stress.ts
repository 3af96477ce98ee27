/**
 * npm run bench:stress [-- --seconds 600 --model models/drums ...]
 *
 * The instrument under load, in Node, with the real parts: DrumEngine +
 * VariationPool + GeneratorClient on the main thread, the generation worker's
 * GenerationService + OneShotSynth on a worker thread (tfjs wasm, else cpu),
 * and the worklet's PlayerCore on a second worker thread rendered against the
 * wall clock like an audio device (bench-stress-audio.worker.ts), samples
 * travelling through the shared-memory transport.
 *
 * Load: a 16-step sequence of 16th notes at 200 BPM, step i hitting pad i
 * (13.3 hits/s, every pad once per bar), scheduled 100 ms ahead by a
 * setInterval look-ahead scheduler as a web sequencer does; one of the kit's
 * knobs (seed, guidance, steps, variation, in turn) changes every second, so
 * every pad regenerates continuously. With --tonal (default models/tonal),
 * a KeyboardEngine on a second generation worker plays a triad on MIDI
 * channel 1 every bar (held until the next), its knobs changing with the
 * kit's.
 *
 * Counted:
 * - dropped: a hit with no sound at all (pool empty); before and after the
 *   initial fill (every pad has a sound) separately.
 * - old sound: a hit that played the previous sound while the pad's new one
 *   was being generated (expected behaviour, not a drop).
 * - late quanta / underruns / render time per quantum (audio thread).
 * - late triggers: hits the scheduler sent after their own time (main thread
 *   busy), which play at the next quantum instead of on time.
 * - tf.memory().numTensors and heap of the generation worker, heap of the
 *   main and audio threads, process RSS, every 10 s; at the end, once the
 *   worker is idle, the tensor count must equal the count before the first
 *   request.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Command } from 'commander';
import * as esbuild from 'esbuild';
import { MAX_PENDING_EVENTS, RENDER_QUANTUM, SAMPLE_RATE } from '../src/audio/constants.js';
import type { PlayerPort } from '../src/audio/player.js';
import type { PlayerMessage, PlayerReply, PlayerStats } from '../src/audio/protocol.js';
import { createSharedSampleMemory, FreeAfterTriggers, MessagePortTransport, SharedMemoryTransport, type SampleTransport } from '../src/audio/transport.js';
import type { KeyboardParams, PadParams } from '../src/audio/voices.js';
import { mulberry32 } from '../src/dsp/random.js';
import { DrumEngine } from '../src/engine/engine.js';
import { GeneratorClient, type WorkerLike } from '../src/engine/generator-client.js';
import { KeyboardEngine } from '../src/engine/keyboard.js';
import { GLOBAL_LIMITS, parseKit } from '../src/engine/kit.js';
import type { WorkerEvent, WorkerRequest } from '../src/engine/protocol.js';
import type { AudioThreadReport } from './bench-stress-audio.worker.js';
import type { BenchMemoryReply } from './bench-stress-generation.worker.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface MemorySample {
  t: number;
  numTensors: number;
  /** Tonal generation worker (0 without --tonal). */
  tonalTensors: number;
  tonalHeapMB: number;
  workerHeapMB: number;
  mainHeapMB: number;
  audioHeapMB: number;
  rssMB: number;
}

export interface StressResult {
  seconds: number;
  model: string;
  backend: string;
  transport: string;
  bpm: number;
  bufferMs: number;
  hits: number;
  /** Keyboard (null without --tonal). */
  chords: null | {
    model: string;
    notes: number;
    played: number;
    droppedBeforeFill: number;
    droppedAfterFill: number;
    fillSeconds: number | null;
    generated: number;
    tensorsBaseline: number;
    tensorsEnd: number;
  };
  dropped: number;
  droppedBeforeFill: number;
  droppedAfterFill: number;
  oldSound: number;
  replayed: number;
  lateTriggers: number;
  fillSeconds: number | null;
  knobChanges: number;
  generated: number;
  meanGenerateMs: number | null;
  audio: AudioThreadReport;
  worklet: PlayerStats;
  transportStats: SampleTransport['stats'];
  memory: MemorySample[];
  tensorsBaseline: number;
  tensorsEnd: number;
  drained: boolean;
  loadAverage: number[];
  cpus: number;
}

const MB = 1024 * 1024;

// A full collection before each heap reading of the main thread (the audio thread is not paused for one: its reading is as is).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Bundle the two worker entries (worker_threads cannot load .ts); packages stay external, resolved from the repo. */
async function bundleWorkers(): Promise<{ generation: string; audio: string }> {
  const out = path.join(root, '.cache', 'bench-stress');
  mkdirSync(out, { recursive: true });
  const build = async (name: string) => {
    const outfile = path.join(out, `${name}.mjs`);
    await esbuild.build({
      entryPoints: [path.join(root, 'scripts', `${name}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'es2022',
      packages: 'external',
      outfile,
      logLevel: 'error',
    });
    return outfile;
  };
  const [generation, audio] = await Promise.all([build('bench-stress-generation.worker'), build('bench-stress-audio.worker')]);
  return { generation, audio };
}

/** A worker_threads Worker seen as the browser Worker the GeneratorClient expects. */
class NodeWorker implements WorkerLike {
  private token = 0;
  private readonly memoryWaiters = new Map<number, (r: BenchMemoryReply) => void>();
  constructor(readonly worker: Worker) {
    worker.on('message', (d: WorkerEvent | BenchMemoryReply) => {
      if (d.type === 'bench-memory') {
        this.memoryWaiters.get(d.token)?.(d);
        this.memoryWaiters.delete(d.token);
      }
    });
  }
  postMessage(msg: WorkerRequest): void {
    this.worker.postMessage(msg);
  }
  addEventListener(type: 'message' | 'error', cb: (e: never) => void): void {
    if (type === 'message') {
      this.worker.on('message', (d: WorkerEvent | BenchMemoryReply) => {
        if (d.type !== 'bench-memory') (cb as (e: MessageEvent<WorkerEvent>) => void)({ data: d } as MessageEvent<WorkerEvent>);
      });
    } else {
      this.worker.on('error', (e: Error) => (cb as (e: ErrorEvent) => void)({ message: e.message } as ErrorEvent));
    }
  }
  terminate(): void {
    void this.worker.terminate();
  }
  memory(): Promise<BenchMemoryReply> {
    const token = ++this.token;
    return new Promise((resolve) => {
      this.memoryWaiters.set(token, resolve);
      this.worker.postMessage({ type: 'bench-memory', token });
    });
  }
}

/** The engine's player: messages and samples to the audio thread, as AudioPlayer does to the worklet. */
class ThreadPlayer implements PlayerPort {
  readonly transport: SampleTransport;
  /** As AudioPlayer: a free never overtakes a trigger scheduled on its sample. */
  private readonly holds = new FreeAfterTriggers(RENDER_QUANTUM / SAMPLE_RATE);
  private token = 0;
  private readonly waiting = new Map<number, (r: unknown) => void>();
  lastError: string | null = null;
  constructor(
    private readonly port: import('node:worker_threads').MessagePort,
    private readonly currentTime: () => number,
    useShared: boolean,
    memory: ReturnType<typeof createSharedSampleMemory> | null,
  ) {
    const post = (m: PlayerMessage, transfer?: Transferable[]) => port.postMessage(m, (transfer ?? []) as never);
    this.transport = useShared && memory ? new SharedMemoryTransport(post, memory) : new MessagePortTransport(post);
    port.on('message', (r: PlayerReply | AudioThreadReport | { type: 'bench-memory'; token: number; heapUsed: number }) => {
      if (r.type === 'stats' || r.type === 'bench-memory') {
        this.waiting.get(r.token)?.(r);
        this.waiting.delete(r.token);
      } else if (r.type === 'bench-audio') {
        this.waiting.get(-1)?.(r);
      } else if (r.type === 'error') {
        this.lastError = r.message;
      }
    });
  }
  upload(id: number, data: Float32Array, sampleRate: number): void {
    this.transport.upload(id, data, sampleRate);
  }
  free(ids: readonly number[]): void {
    this.transport.free(this.holds.free(ids, this.currentTime()));
  }
  /** Send the held frees that are due (AudioPlayer arms a timer; the bench's scheduler tick calls this). */
  flushHolds(): void {
    const go = this.holds.due(this.currentTime());
    if (go.length > 0) this.transport.free(go);
  }
  trigger(pad: number, id: number, velocity: number, time = this.currentTime()): void {
    this.holds.trigger(id, time, this.currentTime());
    this.port.postMessage({ type: 'trigger', pad, id, velocity, time } satisfies PlayerMessage);
  }
  setPad(pad: number, params: Partial<PadParams>): void {
    this.port.postMessage({ type: 'pad', pad, params } satisfies PlayerMessage);
  }
  setChoke(enabled: boolean): void {
    this.port.postMessage({ type: 'choke', enabled } satisfies PlayerMessage);
  }
  noteOn(channel: number, note: number, id: number, velocity: number, semitones: number, time = this.currentTime()): void {
    this.holds.trigger(id, time, this.currentTime());
    this.port.postMessage({ type: 'note-on', channel, note, id, velocity, semitones, time } satisfies PlayerMessage);
  }
  noteOff(channel: number, note: number, time = this.currentTime()): void {
    this.port.postMessage({ type: 'note-off', channel, note, time } satisfies PlayerMessage);
  }
  sustain(channel: number, down: boolean, time = this.currentTime()): void {
    this.port.postMessage({ type: 'sustain', channel, down, time } satisfies PlayerMessage);
  }
  bend(channel: number, semitones: number, time = this.currentTime()): void {
    this.port.postMessage({ type: 'bend', channel, semitones, time } satisfies PlayerMessage);
  }
  setKeyboard(params: Partial<KeyboardParams>): void {
    this.port.postMessage({ type: 'keyboard', params } satisfies PlayerMessage);
  }
  query(): Promise<PlayerStats> {
    const token = ++this.token;
    return new Promise((resolve) => {
      this.waiting.set(token, resolve as (r: unknown) => void);
      this.port.postMessage({ type: 'query', token } satisfies PlayerMessage);
    });
  }
  heap(): Promise<number> {
    const token = ++this.token;
    return new Promise((resolve) => {
      this.waiting.set(token, (r) => resolve((r as { heapUsed: number }).heapUsed));
      this.port.postMessage({ type: 'bench-memory', token });
    });
  }
  stop(): Promise<AudioThreadReport> {
    return new Promise((resolve) => {
      this.waiting.set(-1, resolve as (r: unknown) => void);
      this.port.postMessage({ type: 'bench-stop' });
    });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StressOptions {
  seconds: number;
  model: string;
  /** Tonal model folder for the keyboard's chords, or null for pads only. */
  tonal: string | null;
  backend: 'wasm' | 'cpu';
  threads: number;
  seed: number;
  bpm: number;
  bufferMs: number;
  variations: number;
  transport: 'shared-memory' | 'message-port';
  /** Nice value for the audio thread alone (null: leave it as the process's). */
  audioNice: number | null;
  /** SCHED_FIFO priority for the audio thread (1–99), or null. */
  audioRt: number | null;
  /** Warm the player's render paths up before quantum 0, as the worklet does (false: --no-warm-up, to compare). */
  warmUp: boolean;
  log: (line: string) => void;
}

export async function runStress(o: StressOptions): Promise<StressResult> {
  const modelDir = path.resolve(root, o.model);
  const { generation, audio } = await bundleWorkers();
  const genWorker = new NodeWorker(new Worker(generation, { workerData: { modelDir, backend: o.backend, threads: o.threads } }));
  const client = new GeneratorClient(genWorker);
  const tonalWorker = o.tonal ? new NodeWorker(new Worker(generation, { workerData: { modelDir: path.resolve(root, o.tonal), backend: o.backend, threads: o.threads } })) : null;
  const tonalClient = tonalWorker ? new GeneratorClient(tonalWorker) : null;

  const memory = o.transport === 'shared-memory' ? createSharedSampleMemory() : null;
  const clock = new SharedArrayBuffer(8);
  const clockWords = new Int32Array(clock);
  const channel = new MessageChannel();
  const bufferQuanta = Math.max(1, Math.round((o.bufferMs / 1000) * SAMPLE_RATE / RENDER_QUANTUM));
  const audioWorker = new Worker(audio, {
    workerData: { memory, clock, port: channel.port2, sampleRate: SAMPLE_RATE, bufferQuanta, maxSeconds: o.seconds + 300, audioNice: o.audioNice, audioRt: o.audioRt, warmUp: o.warmUp },
    transferList: [channel.port2],
  });
  audioWorker.on('error', (e) => o.log(`audio thread error: ${e.message}`));
  const currentTime = () => (Atomics.load(clockWords, 0) * RENDER_QUANTUM) / SAMPLE_RATE;
  const player = new ThreadPlayer(channel.port1, currentTime, o.transport === 'shared-memory', memory);

  const kit = parseKit(JSON.parse(readFileSync(path.join(root, 'presets/default-kit.json'), 'utf8')), 'presets/default-kit.json');
  const engine = new DrumEngine({ kit, client, player, variations: o.variations });
  const t0 = performance.now();
  const info = await engine.start({ modelUrl: modelDir });
  o.log(`model ${o.model}: ${info.kind}, ${info.params.toLocaleString('en')} params, ${(info.length / info.sampleRate).toFixed(2)} s one-shots; generation on ${client.status.reason || client.status.backend}`);
  const keyboard = tonalClient ? new KeyboardEngine({ client: tonalClient, player }) : null;
  if (keyboard && o.tonal) {
    const k = await keyboard.start({ modelUrl: path.resolve(root, o.tonal) });
    o.log(`keyboard model ${o.tonal}: ${k.kind}, ${k.params.toLocaleString('en')} params, family ${keyboard.settings.family}; generation on ${tonalClient!.status.reason || tonalClient!.status.backend}`);
  }
  const baseline = await genWorker.memory();
  const tonalBaseline = tonalWorker ? await tonalWorker.memory() : null;
  o.log(`tensors after load and warm-up: ${baseline.numTensors}${tonalBaseline ? ` (keyboard: ${tonalBaseline.numTensors})` : ''}`);

  const rand = mulberry32(o.seed);
  const memorySamples: MemorySample[] = [];
  // Asked every 10 s; the generation worker answers between network calls, so on a big model a reading can come late.
  const sampleMemory = async () => {
    const [w, audioHeap, tw] = await Promise.all([genWorker.memory(), player.heap(), tonalWorker?.memory() ?? null]);
    const t = Math.max(0, currentTime() - startAt);
    gc();
    const m = process.memoryUsage();
    const s: MemorySample = { t, numTensors: w.numTensors, tonalTensors: tw?.numTensors ?? 0, tonalHeapMB: (tw?.heapUsed ?? 0) / MB, workerHeapMB: w.heapUsed / MB, mainHeapMB: m.heapUsed / MB, audioHeapMB: audioHeap / MB, rssMB: m.rss / MB };
    memorySamples.push(s);
    o.log(`t ${t.toFixed(0).padStart(4)} s  tensors ${s.numTensors}${tw ? ` + keyboard ${s.tonalTensors}` : ''}  heap main ${s.mainHeapMB.toFixed(1)} MB, generation ${s.workerHeapMB.toFixed(1)} MB, audio ${s.audioHeapMB.toFixed(1)} MB  rss ${s.rssMB.toFixed(0)} MB  generated ${client.status.generated}`);
  };
  // Sequencer: 16th notes, step i → pad i mod 16, scheduled 100 ms ahead.
  const stepSeconds = 60 / o.bpm / 4;
  const lookahead = 0.1;
  const startAt = currentTime() + 0.2;
  await sampleMemory();
  let step = 0;
  let hits = 0;
  let droppedBeforeFill = 0;
  let droppedAfterFill = 0;
  let oldSound = 0;
  let replayed = 0;
  let lateTriggers = 0;
  let fillAt: number | null = null;
  const pads = kit.pads.length;
  const allPlayable = () => kit.pads.every((_, p) => engine.padState(p).playable);
  // Chords: a triad per bar on channel 1, held until the next one.
  const CHORDS = [[60, 64, 67], [57, 60, 64], [53, 57, 60], [55, 59, 62]];
  const chordNotes = [...new Set(CHORDS.flat())];
  let held: number[] = [];
  let chordCount = 0;
  let chordPlayed = 0;
  let chordDroppedBefore = 0;
  let chordDroppedAfter = 0;
  let chordFillAt: number | null = null;
  const chordRootsPlayable = () => {
    if (!keyboard) return false;
    const roots = new Set(chordNotes.map((n) => keyboard.rootFor(n)));
    return keyboard.regions().filter((r) => roots.has(r.root)).every((r) => r.playable) && keyboard.regions().some((r) => roots.has(r.root));
  };
  const endAt = startAt + o.seconds;
  const scheduler = setInterval(() => {
    player.flushHolds();
    const now = currentTime();
    if (fillAt === null && allPlayable()) fillAt = now;
    if (keyboard && chordFillAt === null && chordRootsPlayable()) chordFillAt = now;
    while (startAt + step * stepSeconds < Math.min(now + lookahead, endAt)) {
      const t = startAt + step * stepSeconds;
      const pad = step % pads;
      const before = engine.padState(pad);
      const velocity = 60 + Math.floor(rand() * 68);
      if (t < now) lateTriggers++;
      if (keyboard && step % 16 === 0) {
        for (const n of held) keyboard.noteOff(1, n, t);
        held = [];
        for (const n of CHORDS[(step / 16) % CHORDS.length]!) {
          chordCount++;
          if (keyboard.noteOn(1, n, 90, t)) {
            chordPlayed++;
            held.push(n);
          } else if (chordFillAt === null) chordDroppedBefore++;
          else chordDroppedAfter++;
        }
      }
      const played = engine.hit(pad, velocity, t);
      hits++;
      if (!played) {
        if (fillAt === null) droppedBeforeFill++;
        else droppedAfterFill++;
      } else if (before.regenerating) oldSound++;
      else if (before.ready === 0) replayed++;
      step++;
    }
  }, 10);

  // Knobs: one changes every second, in turn.
  const knobs = ['seed', 'guidance', 'steps', 'variation'] as const;
  let knobChanges = 0;
  const knobTimer = setInterval(() => {
    const k = knobs[knobChanges % knobs.length]!;
    const value =
      k === 'seed' ? Math.floor(rand() * (GLOBAL_LIMITS.seed.max + 1))
      : k === 'guidance' ? Math.round((1 + rand() * 5) * 10) / 10
      : k === 'steps' ? 4 + Math.floor(rand() * 13)
      : Math.round(rand() * 100) / 100;
    engine.setGlobals({ [k]: value });
    keyboard?.setSettings({ [k]: value });
    knobChanges++;
  }, 1000);

  let nextSample = 10;
  while (currentTime() < endAt) {
    await sleep(200);
    const t = currentTime() - startAt;
    if (t >= nextSample) {
      await sampleMemory();
      nextSample = Math.max(nextSample + 10, Math.floor((currentTime() - startAt) / 10) * 10 + 10);
    }
  }
  clearInterval(scheduler);
  clearInterval(knobTimer);
  for (const n of held) keyboard?.noteOff(1, n, currentTime());

  // Let the worker finish what is queued, then count tensors at rest.
  const drainStart = performance.now();
  let drained = false;
  while (performance.now() - drainStart < 240_000) {
    await sleep(250);
    const s = client.status;
    const ts = tonalClient?.status;
    const tonalIdle = !keyboard || (ts!.queued === 0 && ts!.running === 0 && keyboard.pool.totals().pending === 0);
    if (s.queued === 0 && s.running === 0 && engine.pool.totals().pending === 0 && tonalIdle) {
      drained = true;
      break;
    }
  }
  await sleep(500);
  const end = await genWorker.memory();
  const tonalEnd = tonalWorker ? await tonalWorker.memory() : null;
  await sampleMemory();
  const worklet = await player.query();
  const audioReport = await player.stop();
  genWorker.worker.postMessage({ type: 'dispose' } satisfies WorkerRequest);
  await sleep(100);
  await genWorker.worker.terminate();
  if (tonalWorker) {
    tonalWorker.worker.postMessage({ type: 'dispose' } satisfies WorkerRequest);
    await sleep(100);
    await tonalWorker.worker.terminate();
  }
  await audioWorker.terminate();
  channel.port1.close();
  void t0;
  return {
    seconds: o.seconds,
    model: o.model,
    backend: client.status.reason || client.status.backend || '?',
    transport: player.transport.kind,
    bpm: o.bpm,
    bufferMs: (bufferQuanta * RENDER_QUANTUM * 1000) / SAMPLE_RATE,
    hits,
    chords: keyboard && o.tonal
      ? {
          model: o.tonal,
          notes: chordCount,
          played: chordPlayed,
          droppedBeforeFill: chordDroppedBefore,
          droppedAfterFill: chordDroppedAfter,
          fillSeconds: chordFillAt === null ? null : chordFillAt - startAt,
          generated: tonalClient!.status.generated,
          tensorsBaseline: tonalBaseline!.numTensors,
          tensorsEnd: tonalEnd!.numTensors,
        }
      : null,
    dropped: droppedBeforeFill + droppedAfterFill,
    droppedBeforeFill,
    droppedAfterFill,
    oldSound,
    replayed,
    lateTriggers,
    fillSeconds: fillAt === null ? null : fillAt - startAt,
    knobChanges,
    generated: client.status.generated,
    meanGenerateMs: client.status.meanMs,
    audio: audioReport,
    worklet,
    transportStats: { ...player.transport.stats },
    memory: memorySamples,
    tensorsBaseline: baseline.numTensors,
    tensorsEnd: end.numTensors,
    drained,
    loadAverage: os.loadavg(),
    cpus: os.cpus().length,
  };
}

function range(values: number[]): { start: number; end: number; max: number } {
  return { start: values[0] ?? 0, end: values.at(-1) ?? 0, max: Math.max(...values) };
}

export function formatTable(r: StressResult): string {
  const a = r.audio;
  const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(2)} %` : '–');
  const mem = (k: keyof MemorySample, digits: number) => {
    const v = range(r.memory.map((s) => s[k]));
    return `${v.start.toFixed(digits)} / ${v.end.toFixed(digits)} / ${v.max.toFixed(digits)}`;
  };
  const rows: [string, string][] = [
    ['duration', `${r.seconds} s, ${r.bpm} BPM 16ths over 16 pads${r.chords ? ', a triad per bar on channel 1' : ' (pads only)'}`],
    ['model / generation', `${r.model} / ${r.backend}`],
    ['sample transport', `${r.transport} (${r.transportStats.shared} via shared slots, ${r.transportStats.poolFull} pool full, ${r.transportStats.tooLong} too long)`],
    ['knob changes', `${r.knobChanges} (seed, guidance, steps 4–16, variation in turn, 1 per s)`],
    ['one-shots generated', `${r.generated} (mean ${r.meanGenerateMs?.toFixed(0) ?? '–'} ms each, batched); ${r.transportStats.uploads} still current on arrival, the rest stale (their pad's sound had changed again) and discarded`],
    ['initial fill (every pad playable)', r.fillSeconds === null ? 'never' : r.fillSeconds <= 0 ? 'before the first step' : `${r.fillSeconds.toFixed(2)} s after the first step`],
    ['hits', `${r.hits}`],
    ['dropped (no sound) before / after the fill', `${r.droppedBeforeFill} / ${r.droppedAfterFill}`],
    ['played the previous sound while regenerating', `${r.oldSound} (${pct(r.oldSound, r.hits)}; expected, not a drop)`],
    ['replayed the last one-shot (no fresh variation ready)', `${r.replayed} (${pct(r.replayed, r.hits)})`],
    ...(r.chords
      ? ([
          ['keyboard model', `${r.chords.model}; ${r.chords.generated} one-shots generated; regions of the chords playable ${r.chords.fillSeconds === null ? 'never' : r.chords.fillSeconds <= 0 ? 'before the first bar' : `${r.chords.fillSeconds.toFixed(2)} s after the first bar`}`],
          ['chord notes played / dropped before / after the fill', `${r.chords.played} of ${r.chords.notes} / ${r.chords.droppedBeforeFill} / ${r.chords.droppedAfterFill}`],
          ['tensors (keyboard worker) at rest before / after', `${r.chords.tensorsBaseline} / ${r.chords.tensorsEnd}`],
        ] as [string, string][])
      : []),
    ['triggers sent after their time (main thread late)', `${r.lateTriggers}`],
    [
      'worklet drops: total (invalid / queue full / unknown sample / freed while pending / no voice)',
      `${r.worklet.dropped} (${r.worklet.droppedInvalid} / ${r.worklet.droppedQueueFull} / ${r.worklet.droppedUnknownSample} / ${r.worklet.droppedFreed} / ${r.worklet.droppedNoVoice})`,
    ],
    [
      'worklet event queue: most pending at once; first overflow',
      `${r.worklet.pendingHigh} of ${MAX_PENDING_EVENTS}; ` +
        (r.worklet.firstOverflow
          ? `at frame ${r.worklet.firstOverflow.quantumStart}, events ${r.worklet.firstOverflow.aheadMin}…${r.worklet.firstOverflow.aheadMax} frames ahead, kinds pad/on/off/sustain/bend ${r.worklet.firstOverflow.kinds.join('/')}`
          : 'none'),
    ],
    [
      'first trigger dropped as freed while pending',
      r.worklet.firstFreedDrop
        ? `kind ${['pad', 'note-on', 'note-off', 'sustain', 'bend'][r.worklet.firstFreedDrop.kind] ?? r.worklet.firstFreedDrop.kind}, ${r.worklet.firstFreedDrop.ahead} frames ahead of the quantum at frame ${r.worklet.firstFreedDrop.quantumStart}`
        : 'none',
    ],
    ['quanta rendered', `${a.quanta} (buffer ${r.bufferMs.toFixed(1)} ms)`],
    ['audio thread priority', a.audioNiceNote ?? "the process's (no --audio-nice)"],
    ['player JIT warm-up before quantum 0 (src/audio/warm-up.ts)', a.warmUpMs === null ? 'skipped (--no-warm-up)' : `${a.warmUpMs.toFixed(0)} ms`],
    ['late quanta (finished after play time)', `${a.late} (${pct(a.late, a.quanta)}), ${a.underruns} underruns, longest ${a.longestRun} quanta, worst ${a.maxLateMs.toFixed(1)} ms`],
    ['underruns by time (s after the first quantum: underruns)', underrunHistogram(a.underrunLog, a.underruns)],
    ['render time per quantum mean / p50 / p99 / p99.9 / max', `${a.renderMs.mean.toFixed(3)} / ${a.renderMs.p50.toFixed(3)} / ${a.renderMs.p99.toFixed(3)} / ${a.renderMs.p999.toFixed(3)} / ${a.renderMs.max.toFixed(2)} ms (budget ${((RENDER_QUANTUM / SAMPLE_RATE) * 1000).toFixed(2)} ms)`],
    [
      `late quanta by cause: woke late / preempted / blocked in the kernel / render cost (${a.lateCauseClock === 'schedstat' ? 'largest share of the burst, from schedstat ns' : 'from 10 ms stat ticks'})`,
      `${a.lateCause.wokeLate} / ${a.lateCause.preempted} / ${a.lateCause.blocked} / ${a.lateCause.renderCost}`,
    ],
    [
      'late quanta during hypervisor steal (the /proc/stat steal counter rose over the burst and the sleep before it; the virtual CPUs were not running)',
      a.lateDuringSteal === null || a.stealTicks === null
        ? 'unknown (no /proc/stat)'
        : `${a.lateDuringSteal} of ${a.late}; steal ${a.stealTicks.inLateBursts * 10} ms in those bursts, ${a.stealTicks.total * 10} ms over the run (both CPUs)`,
    ],
    ['quanta whose render exceeded the budget (wall time)', `${a.overBudget}`],
    ['audio thread CPU', `${(a.cpuMs / 1000).toFixed(1)} s over ${(a.wallMs / 1000).toFixed(0)} s (${pct(a.cpuMs, a.wallMs)} of a core, harness included)`],
    ['max voices', `${a.maxVoices}`],
    ['tensors (generation worker) start / end / max', `${mem('numTensors', 0)}; at rest: ${r.tensorsBaseline} before, ${r.tensorsEnd} after${r.drained ? '' : ' (queue not drained)'}`],
    ['heap main (MB) start / end / max', mem('mainHeapMB', 1)],
    ['heap generation worker (MB) start / end / max', mem('workerHeapMB', 1)],
    ...(r.chords ? ([['heap keyboard generation worker (MB) start / end / max', mem('tonalHeapMB', 1)]] as [string, string][]) : []),
    ['heap audio thread (MB) start / end / max', mem('audioHeapMB', 1)],
    ['process RSS (MB) start / end / max', mem('rssMB', 0)],
    ['machine', `${r.cpus} logical cores, load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' / ')} at the end`],
  ];
  return ['| measure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/** Underrun starts bucketed by minute, e.g. "0–60: 12, 60–120: 3"; says so when only the first ones were logged. */
export function underrunHistogram(log: readonly { at: number; quanta: number }[], total: number): string {
  if (total === 0) return 'none';
  const buckets = new Map<number, number>();
  for (const u of log) buckets.set(Math.floor(u.at / 60), (buckets.get(Math.floor(u.at / 60)) ?? 0) + 1);
  const parts = [...buckets].sort(([a], [b]) => a - b).map(([m, n]) => `${m * 60}–${m * 60 + 60}: ${n}`);
  return parts.join(', ') + (log.length < total ? ` (first ${log.length} of ${total} logged)` : '');
}

async function main(): Promise<void> {
  const cmd = new Command()
    .name('bench:stress')
    .option('--seconds <n>', 'how long to play (s)', '600')
    .option('--model <dir>', 'drums model folder', 'models/drums')
    .option('--tonal <dir>', "tonal model folder for the keyboard's chords ('none': pads only)", 'models/tonal')
    .option('--backend <name>', 'tfjs backend for generation: wasm or cpu', 'wasm')
    .option('--threads <n>', 'wasm threads for generation', '1')
    .option('--seed <n>', 'PRNG seed of velocities and knob values', '1')
    .option('--bpm <n>', 'tempo (16th notes)', '200')
    .option('--buffer-ms <ms>', 'output buffer the audio thread may render ahead (ms)', '11.6')
    .option('--variations <n>', 'ready variations per pad', '4')
    .option('--transport <kind>', 'shared-memory or message-port', 'shared-memory')
    .option('--audio-nice <n>', "nice value for the audio thread alone, e.g. -10 to stand in for a browser's real-time audio thread (needs root to go below the process's)")
    .option('--audio-rt <priority>', "real-time SCHED_FIFO priority 1–99 for the audio thread alone (needs root), as Chrome gives its audio thread where the system allows")
    .option('--no-warm-up', "skip the player's JIT warm-up before quantum 0 (the worklet always does it; for comparison)")
    .option('--json <file>', 'also write the result as JSON')
    .option('--report <file>', 'Markdown report to write (none with --no-report)', 'reports/bench-stress.md')
    .option('--no-report', 'do not write the Markdown report');
  cmd.parse();
  const a = cmd.opts<{ seconds: string; model: string; tonal: string; backend: string; threads: string; seed: string; bpm: string; bufferMs: string; variations: string; transport: string; audioNice?: string; audioRt?: string; warmUp: boolean; json?: string; report: string | false }>();
  const rtPriority = (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 99) throw new Error(`--audio-rt must be an integer priority 1–99, got ${JSON.stringify(v)}`);
    return n;
  };
  const num = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  if (a.backend !== 'wasm' && a.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got ${JSON.stringify(a.backend)}`);
  if (a.transport !== 'shared-memory' && a.transport !== 'message-port') throw new Error(`--transport must be shared-memory or message-port, got ${JSON.stringify(a.transport)}`);
  const opts: StressOptions = {
    seconds: num('seconds', a.seconds, 1),
    model: a.model,
    tonal: a.tonal === 'none' ? null : a.tonal,
    backend: a.backend,
    threads: Math.floor(num('threads', a.threads, 1)),
    seed: Math.floor(num('seed', a.seed, 0)),
    bpm: num('bpm', a.bpm, 1),
    bufferMs: num('buffer-ms', a.bufferMs, 0),
    variations: Math.floor(num('variations', a.variations, 1)),
    transport: a.transport,
    audioNice: a.audioNice === undefined ? null : Math.round(num('audio-nice', a.audioNice, -20)),
    audioRt: a.audioRt === undefined ? null : rtPriority(a.audioRt),
    warmUp: a.warmUp,
    log: (l) => console.log(l),
  };
  const started = new Date();
  const r = await runStress(opts);
  const table = formatTable(r);
  console.log(`\n${table}\n`);
  if (a.json) writeFileSync(a.json, JSON.stringify(r, null, 2));
  if (a.report) {
    const file = path.resolve(root, a.report);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `# Stress benchmark (npm run bench:stress)\n\nRun ${started.toISOString()} with \`npm run bench:stress -- ${process.argv.slice(2).join(' ')}\`: Node ${process.version}.\n\n` +
        `What runs: DrumEngine + VariationPool + GeneratorClient on the main thread; the generation worker's GenerationService + OneShotSynth on a worker thread (tfjs in Node); PlayerCore on a second worker thread rendered against the wall clock like an audio device, samples through the shared-memory transport. A 16-step pattern of 16th notes at ${r.bpm} BPM hits pad i on step i; one knob (seed, guidance, steps 4–16, variation, in turn) changes every second, so every pad keeps regenerating. ${r.chords ? `A KeyboardEngine on a second generation worker (${r.chords.model}) plays a triad per bar on MIDI channel 1, held until the next; the knobs change its settings too.` : 'Pads only (--tonal none).'} The audio thread's priority: ${r.audio.audioNiceNote ?? "the process's"}.\n\n` +
        `Definitions: *dropped* = a hit with no sound at all; *previous sound* = a hit that played the pad's older sound because its new one was still being generated (the designed behaviour); *late quantum* = a quantum whose render finished after the device would have played it (an underrun is a run of them); *render time* is wall time of PlayerCore.render for one quantum, so it includes any time the OS took the thread away.\n\n${table}\n\n` +
        `Memory, asked every 10 s (the generation workers answer between network calls, so with a large model readings come when a batch ends):\n\n| t (s) | tensors | tensors keyboard | heap main (MB) | heap generation (MB) | heap keyboard generation (MB) | heap audio (MB) | RSS (MB) |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n` +
        r.memory.map((s) => `| ${s.t.toFixed(0)} | ${s.numTensors} | ${s.tonalTensors} | ${s.mainHeapMB.toFixed(1)} | ${s.workerHeapMB.toFixed(1)} | ${s.tonalHeapMB.toFixed(1)} | ${s.audioHeapMB.toFixed(1)} | ${s.rssMB.toFixed(0)} |`).join('\n') +
        '\n',
    );
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`bench:stress: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
