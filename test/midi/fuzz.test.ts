/**
 * MIDI fuzzing: 10,000 random messages (random bytes, truncated messages,
 * running status, sysex starts without an end, real-time bytes interleaved
 * anywhere, undefined status bytes) through the byte parser, then the app's
 * routing (channel filter → GM note → pad → DrumEngine.hit, as src/app/main.ts
 * does), the variation pool, and the worklet core (PlayerCore → VoiceEngine)
 * rendering quanta in between. Pitched notes on channel 1 go to the worklet's
 * note-on / note-off / sustain / bend messages directly (the app has no
 * keyboard routing of its own yet).
 *
 * Checked: nothing throws; every event the parser emits is well-formed;
 * real-time bytes never change the other events; and after a note-off for
 * every note and the pedal up on every channel (sent as bytes through the same
 * parser, straight after the junk) no voice is left once rendered past the
 * release.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_RELEASE_SECONDS, RENDER_QUANTUM } from '../../src/audio/constants.js';
import type { PlayerPort } from '../../src/audio/player.js';
import { PlayerCore } from '../../src/audio/player-core.js';
import type { PadParams } from '../../src/audio/voices.js';
import { mulberry32 } from '../../src/dsp/random.js';
import { DrumEngine } from '../../src/engine/engine.js';
import { GeneratorClient, type WorkerLike } from '../../src/engine/generator-client.js';
import { parseKit } from '../../src/engine/kit.js';
import type { ModelInfo, WorkerEvent, WorkerRequest } from '../../src/engine/protocol.js';
import { acceptsChannel, GM_DRUM_CHANNEL, padForNote } from '../../src/midi/gm.js';
import { MidiParser, type MidiEvent } from '../../src/midi/parser.js';

const SR = 44100;
const KIT = parseKit(JSON.parse(readFileSync(path.resolve(__dirname, '../../presets/default-kit.json'), 'utf8')));
const MODEL: ModelInfo = {
  kind: 'drums', classes: ['kick', 'snare', 'clap', 'rim', 'closed-hat', 'open-hat', 'tom', 'crash', 'ride', 'perc'],
  sampleRate: SR, length: 4000, nMels: 16, nFrames: 8, params: 1000, defaultSteps: 10, defaultGuidance: 3,
};
/** Longest drum one-shot the fake worker makes (samples). */
const DRUM_LENGTH = 4000;

/** A generation worker that answers every job at once with seeded noise bursts. */
class InstantWorker implements WorkerLike {
  private listener: ((e: MessageEvent<WorkerEvent>) => void) | null = null;
  postMessage(msg: WorkerRequest): void {
    if (msg.type === 'init') {
      queueMicrotask(() => {
        this.emit({ type: 'backend', backend: 'cpu', reason: 'first choice', attempts: [{ backend: 'cpu', ok: true, reason: '' }] });
        this.emit({ type: 'ready', backend: 'cpu', model: MODEL, loadMs: 1, warmUpMs: 1 });
      });
    }
    if (msg.type === 'generate') {
      for (const j of msg.jobs) {
        const rand = mulberry32(j.request.seed);
        const audio = Float32Array.from({ length: DRUM_LENGTH }, (_, i) => (rand() * 2 - 1) * Math.exp(-i / 800));
        queueMicrotask(() => this.emit({ type: 'result', id: j.id, audio, sampleRate: SR, backend: 'cpu', ms: 1, batchMs: 1, batchSize: 1 }));
      }
    }
  }
  addEventListener(type: string, cb: (e: never) => void): void {
    if (type === 'message') this.listener = cb as (e: MessageEvent<WorkerEvent>) => void;
  }
  terminate(): void {}
  private emit(ev: WorkerEvent): void {
    this.listener?.({ data: ev } as MessageEvent<WorkerEvent>);
  }
}

/** The engine's player, talking to a PlayerCore the way AudioPlayer talks to the worklet (messages). */
class CorePlayer implements PlayerPort {
  constructor(readonly core: PlayerCore, private readonly now: () => number) {}
  upload(id: number, data: Float32Array, sampleRate: number): void {
    this.core.handle({ type: 'sample', id, data, sampleRate });
  }
  free(ids: readonly number[]): void {
    this.core.handle({ type: 'free', ids: [...ids] });
  }
  trigger(pad: number, id: number, velocity: number, time = this.now()): void {
    this.core.handle({ type: 'trigger', pad, id, velocity, time });
  }
  setPad(pad: number, params: Partial<PadParams>): void {
    this.core.handle({ type: 'pad', pad, params });
  }
  setChoke(enabled: boolean): void {
    this.core.handle({ type: 'choke', enabled });
  }
}

/** One random message's bytes, of a random kind. */
function randomMessage(rand: () => number): number[] {
  const byte = () => Math.floor(rand() * 256);
  const data = () => Math.floor(rand() * 128);
  const ch = () => (rand() < 0.5 ? GM_DRUM_CHANNEL - 1 : rand() < 0.5 ? 0 : Math.floor(rand() * 16));
  const k = rand();
  if (k < 0.3) return [0x90 | ch(), 35 + Math.floor(rand() * 30), rand() < 0.15 ? 0 : 1 + Math.floor(rand() * 127)]; // note-on (vel 0 = off)
  if (k < 0.45) return [0x80 | ch(), data(), data()]; // note-off
  if (k < 0.55) return [data(), data()]; // running status: data only
  if (k < 0.62) return [0xb0 | ch(), rand() < 0.5 ? 64 : rand() < 0.5 ? 123 : data(), data()]; // cc (pedal, all notes off, others)
  if (k < 0.66) return [0xe0 | ch(), data(), data()]; // pitch bend
  if (k < 0.7) return [0xc0 | ch(), data()]; // program
  if (k < 0.74) return [0x90 | ch()].concat(rand() < 0.5 ? [data()] : []); // truncated
  if (k < 0.77) return [0xf0, ...Array.from({ length: Math.floor(rand() * 6) }, data)]; // sysex without end
  if (k < 0.79) return [0xf0, data(), data(), 0xf7];
  if (k < 0.82) return [[0xf4, 0xf5, 0xf9, 0xfd][Math.floor(rand() * 4)]!]; // undefined status bytes
  if (k < 0.85) return [0xf1, data()].concat(rand() < 0.5 ? [0xf2, data(), data()] : [0xf3]); // system common (partly truncated)
  return Array.from({ length: 1 + Math.floor(rand() * 5) }, byte); // random bytes
}

/** Insert real-time bytes (clock, start, stop, active sensing…) at random positions. */
function withRealtime(bytes: number[], rand: () => number): number[] {
  const out: number[] = [];
  for (const b of bytes) {
    while (rand() < 0.2) out.push([0xf8, 0xfa, 0xfb, 0xfc, 0xfe, 0xff][Math.floor(rand() * 6)]!);
    out.push(b);
  }
  return out;
}

function wellFormed(e: MidiEvent): boolean {
  const d7 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 127;
  if (e.type === 'realtime') return e.status >= 0xf8 && e.status <= 0xff;
  if (!(Number.isInteger(e.channel) && e.channel >= 1 && e.channel <= 16)) return false;
  switch (e.type) {
    case 'noteon':
      return d7(e.note) && e.velocity >= 1 && e.velocity <= 127;
    case 'noteoff':
      return d7(e.note) && d7(e.velocity);
    case 'cc':
      return d7(e.controller) && d7(e.value);
    case 'program':
      return d7(e.program);
    case 'pitchbend':
      return Number.isInteger(e.value) && e.value >= 0 && e.value < 16384;
    case 'aftertouch':
      return (e.note === null || d7(e.note)) && d7(e.pressure);
  }
}

describe('MIDI fuzz: parser', () => {
  it('10,000 random messages: every event well-formed; real-time bytes change nothing else', () => {
    for (const seed of [1, 2, 3]) {
      const rand = mulberry32(seed);
      const stream: number[] = [];
      for (let i = 0; i < 10_000; i++) stream.push(...randomMessage(rand));
      const plain = new MidiParser().push(stream);
      const noisy = withRealtime(stream, rand);
      const events = new MidiParser().push(noisy);
      expect(events.every(wellFormed)).toBe(true);
      const inserted = noisy.length - stream.length;
      const realtimeInStream = stream.filter((b) => b >= 0xf8).length;
      expect(events.filter((e) => e.type === 'realtime')).toHaveLength(inserted + realtimeInStream);
      expect(events.filter((e) => e.type !== 'realtime')).toEqual(plain.filter((e) => e.type !== 'realtime'));
      // The stream did exercise the parser: notes, running status and controllers came out.
      expect(plain.filter((e) => e.type === 'noteon').length).toBeGreaterThan(2000);
      expect(plain.filter((e) => e.type === 'cc').length).toBeGreaterThan(300);
    }
  });

  it('chunk boundaries do not matter: byte by byte equals all at once', () => {
    const rand = mulberry32(9);
    const stream: number[] = [];
    for (let i = 0; i < 10_000; i++) stream.push(...randomMessage(rand));
    const whole = new MidiParser().push(stream);
    const p = new MidiParser();
    const split: MidiEvent[] = [];
    for (let i = 0; i < stream.length; ) {
      const n = 1 + Math.floor(rand() * 4);
      split.push(...p.push(stream.slice(i, i + n)));
      i += n;
    }
    expect(split).toEqual(whole);
  });
});

describe('MIDI fuzz: parser → routing → engine → worklet core', () => {
  for (const seed of [21, 22]) {
    it(`seed ${seed}: no throw, no stuck voice after every note is released`, async () => {
      const rand = mulberry32(seed);
      const core = new PlayerCore({ sampleRate: SR });
      let frame = 0;
      const now = () => frame / SR;
      const player = new CorePlayer(core, now);
      const engine = new DrumEngine({ kit: KIT, client: new GeneratorClient(new InstantWorker()), player, variations: 2 });
      await engine.start();
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
      expect(engine.pool.totals().ready).toBeGreaterThanOrEqual(16);
      // Pitched roots on channel 1: one long root per octave (longer than the test: only note-offs end them).
      for (let o = 0; o < 3; o++) core.handle({ type: 'sample', id: 1_000_000 + o, data: new Float32Array(30 * SR).fill(0.05), sampleRate: SR });
      const L = new Float32Array(RENDER_QUANTUM);
      const R = new Float32Array(RENDER_QUANTUM);
      const render = (n: number) => {
        for (let q = 0; q < n; q++) {
          core.render(L, R, frame);
          frame += RENDER_QUANTUM;
        }
      };
      const pitched = 1;
      let hits = 0;
      let notes = 0;
      let maxVoices = 0;
      const route = (ev: MidiEvent) => {
        // Drums: the app's routing (src/app/main.ts).
        if (ev.type === 'noteon' && acceptsChannel(GM_DRUM_CHANNEL, ev.channel)) {
          const pad = padForNote(ev.note, engine.kit.pads);
          if (pad >= 0 && engine.hit(pad, ev.velocity)) hits++;
        }
        if (ev.type === 'realtime' || ev.channel !== pitched) return;
        const time = now();
        if (ev.type === 'noteon') {
          const root = 48 + 12 * Math.min(2, Math.max(0, Math.floor((ev.note - 36) / 12)));
          core.handle({ type: 'note-on', channel: pitched, note: ev.note, id: 1_000_000 + (root - 48) / 12, velocity: ev.velocity, semitones: ev.note - root, time });
          notes++;
        } else if (ev.type === 'noteoff') core.handle({ type: 'note-off', channel: pitched, note: ev.note, time });
        else if (ev.type === 'cc' && ev.controller === 64) core.handle({ type: 'sustain', channel: pitched, down: ev.value >= 64, time });
        else if (ev.type === 'pitchbend') core.handle({ type: 'bend', channel: pitched, semitones: ((ev.value - 8192) / 8192) * 2, time });
      };
      const parser = new MidiParser();
      for (let i = 0; i < 10_000; i++) {
        for (const ev of parser.push(withRealtime(randomMessage(rand), rand), now())) route(ev);
        if (rand() < 0.3) {
          render(1 + Math.floor(rand() * 3));
          maxVoices = Math.max(maxVoices, core.engine.stats.voices);
        }
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 0)); // let refills land
      }
      expect(hits).toBeGreaterThan(500);
      expect(notes).toBeGreaterThan(300);
      expect(maxVoices).toBeGreaterThan(4);
      // Straight after the junk (the parser may sit in a sysex or half a message): pedal up and a note-off for every note on every channel.
      const off: number[] = [];
      for (let c = 0; c < 16; c++) {
        off.push(0xb0 | c, 64, 0);
        for (let n = 0; n < 128; n++) off.push(0x80 | c, n, 0);
      }
      for (const ev of parser.push(off, now())) route(ev);
      render(Math.ceil(((KEY_RELEASE_SECONDS + (4 * DRUM_LENGTH) / SR + 0.05) * SR) / RENDER_QUANTUM));
      expect(core.engine.stats.voices).toBe(0);
      expect(core.engine.stats.nonFinite).toBe(0);
    });
  }
});
