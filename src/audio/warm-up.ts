/**
 * JIT warm-up of the player: runs a scratch PlayerCore through every path the
 * real one will take (message and shared-memory samples, sample-accurate
 * starts, Hermite and sinc resampling, bends, the pedal, chokes, voice
 * stealing, release ramps, frees, drops, the limiter), so the JavaScript
 * engine has type feedback for all of it and has optimised the render loop
 * before the first real quantum.
 *
 * Why: without it, the first time a path runs (the first steal, the first
 * note read faster than its source, the first shared-memory sample) the
 * optimised render code deoptimises on missing type feedback and that
 * quantum runs in the interpreter. `npm run bench:stress` saw renders of
 * 10–30 ms (the budget is 2.9 ms) and one burst of late quanta 25–40 s into
 * every run, each with deopts of renderHermite / renderSinc / renderVoices /
 * popFront on the audio thread (node --trace-deopt).
 *
 * Runs once where the player is created, before it renders: the worklet's
 * constructor, the stress bench's audio thread. Deterministic (a fixed LCG),
 * allocation only at setup; the scratch core is dropped afterwards.
 */
import type { Hz } from '../units.js';
import { PAD_COUNT, RENDER_QUANTUM } from './constants.js';
import { PlayerCore } from './player-core.js';
import { createSharedSampleMemory, SharedMemoryTransport } from './transport.js';
import { SharedSampleConsumer } from './transport-consumer.js';

/** Quanta the warm-up renders: enough calls and loop iterations for the optimising compiler on every path (≈ 1.1 s of audio at 44.1 kHz). */
export const WARM_UP_QUANTA = 384;

export interface WarmUpResult {
  /** Quanta rendered by the scratch player. */
  quanta: number;
  /** Wall time of the warm-up (ms). */
  ms: number;
  /** Voices stolen and choked by the scratch player: the stealing and choke paths ran (tests check they are > 0). */
  stolen: number;
  choked: number;
  /** Largest |output| of the scratch render (finite, limited). */
  peak: number;
}

/** A decaying test tone: `seconds` long, f Hz sine plus noise, at `rate` Hz (deterministic). */
function tone(seconds: number, rate: Hz, f: Hz, noise: number, seed: number): Float32Array {
  const n = Math.max(1, Math.round(seconds * rate));
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const k = Math.exp(-5 / n);
  let env = 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = env * (0.6 * Math.sin((2 * Math.PI * f * i) / rate) + noise * (s / 2147483648 - 1));
    env *= k;
  }
  return out;
}

/**
 * Warm the player code up at `sampleRate` (the context's rate). Uses a
 * SharedArrayBuffer pool when the thread has SharedArrayBuffer, and an
 * ordinary ArrayBuffer pool otherwise, so the shared-memory consumer's code runs either way.
 */
export function warmUpPlayer(sampleRate: Hz, quanta: number = WARM_UP_QUANTA): WarmUpResult {
  const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  const core = new PlayerCore({ sampleRate });
  const shared = typeof SharedArrayBuffer !== 'undefined';
  const sourceRate = 44100;
  const memory = createSharedSampleMemory(8, Math.ceil(1.2 * sourceRate), shared);
  core.attachSharedSamples(new SharedSampleConsumer(memory));
  const send = (msg: Parameters<PlayerCore['handle']>[0]) => {
    core.handle(msg);
  };
  const transport = new SharedMemoryTransport(send, memory);

  // Samples: by message (one at the context rate, one at 44.1 kHz, one with a NaN to repair) and by shared memory.
  send({ type: 'sample', id: 1, data: tone(0.25, sampleRate, 90, 0.4, 1), sampleRate });
  send({ type: 'sample', id: 2, data: tone(0.6, sourceRate, 220, 0.1, 2), sampleRate: sourceRate });
  const bad = tone(0.1, sourceRate, 3000, 0.8, 3);
  bad[10] = Number.NaN;
  send({ type: 'sample', id: 3, data: bad, sampleRate: sourceRate });
  transport.upload(10, tone(1.0, sourceRate, 110, 0.05, 4), sourceRate);
  transport.upload(11, tone(0.4, sourceRate, 440, 0.6, 5), sourceRate);
  transport.upload(12, tone(0.3, sourceRate, 1000, 0.9, 6), sourceRate);
  // Short ones, which voices play to the end between sparse hits.
  send({ type: 'sample', id: 4, data: tone(0.04, sourceRate, 150, 0.3, 7), sampleRate: sourceRate });
  transport.upload(13, tone(0.05, sourceRate, 600, 0.3, 8), sourceRate);
  const ids = [1, 2, 3, 10, 11, 12];

  // Pads: transposed both ways (sinc and Hermite), panned, with an added decay, a hat-style choke pair.
  for (let p = 0; p < PAD_COUNT; p++) {
    send({ type: 'pad', pad: p, params: { tune: ((p % 5) - 2) * 3.5, pan: ((p % 3) - 1) * 0.7, gainDb: -(p % 4), decay: p % 4 === 3 ? 0.15 : null } });
  }
  send({ type: 'pad', pad: 1, params: { chokeGroup: 1 } });
  send({ type: 'pad', pad: 0, params: { chokes: 1 << 1 } });
  send({ type: 'keyboard', params: { gainDb: -3, release: 0.05 } });

  const L = new Float32Array(RENDER_QUANTUM);
  const R = new Float32Array(RENDER_QUANTUM);
  const q = RENDER_QUANTUM / sampleRate;
  let seed = 0x9e3779b9;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  let peak = 0;
  const held: number[] = [];
  for (let k = 0; k < quanta; k++) {
    const now = k * q;
    const phase = k % 64;
    if (k < quanta / 2 && (k >> 6) % 2 === 0) {
      // Dense blocks: two to four hits per quantum, at frames inside the next one: past the voice limit, so voices are stolen.
      const hits = 2 + (k % 3);
      for (let h = 0; h < hits; h++) {
        send({ type: 'trigger', pad: (k * 7 + h * 3) % PAD_COUNT, id: ids[(k + h) % ids.length]!, velocity: 1 + ((k * 13 + h * 31) % 127), time: now + q * (1 + rnd()) });
      }
    } else if (k % 4 === 0) {
      // Sparse blocks, as a groove plays: voices live to the end of their sample (read slower and faster than the
      // source) or of a pad's added decay, paths the dense blocks never reach because every voice is stolen first.
      send({ type: 'trigger', pad: (k >> 2) % PAD_COUNT, id: (k >> 2) % 2 === 0 ? 4 : 13, velocity: 30 + (k % 90), time: now + q * rnd() });
      if (k % 32 === 0) send({ type: 'trigger', pad: 3, id: 2, velocity: 100, time: now + q * rnd() });
      if (k % 16 === 8) send({ type: 'note-on', channel: 3, note: 60 + (k % 12), id: 13, velocity: 90, semitones: (k % 12) - 6, time: now + q * rnd() });
    }
    if (phase === 0 || phase === 32) {
      const note = 48 + ((k >> 5) % 25);
      send({ type: 'note-on', channel: 1 + ((k >> 6) % 2), note, id: phase === 0 ? 2 : 10, velocity: 40 + (k % 80), semitones: ((k >> 5) % 25) - 12, time: now + q * rnd() });
      held.push(note);
    }
    if (phase === 8) send({ type: 'sustain', channel: 1, down: true, time: now + q * rnd() });
    if (phase === 16 && held.length) send({ type: 'note-off', channel: 1, note: held.shift()!, time: now + q * rnd() });
    if (phase === 20) send({ type: 'bend', channel: 1, semitones: (rnd() - 0.5) * 4, time: now });
    if (phase === 24) send({ type: 'sustain', channel: 1, down: false, time: now + q * rnd() });
    if (phase === 40 && held.length) send({ type: 'note-off', channel: 2, note: held.shift()!, time: now });
    if (phase === 44) send({ type: 'bend', channel: 2, semitones: 0, time: now });
    if (phase === 48) send({ type: 'choke', enabled: (k >> 6) % 2 === 0 });
    if (phase === 56) send({ type: 'trigger', pad: 99, id: 1, velocity: 100, time: now }); // invalid pad: dropped
    if (phase === 60) send({ type: 'trigger', pad: 2, id: 999, velocity: 100, time: now }); // unknown sample: dropped
    if (k % 128 === 100) {
      // A burst larger than every voice slot: steals, reuse of the quietest fading voice, and drops for want of a voice.
      for (let h = 0; h < 72; h++) send({ type: 'trigger', pad: h % PAD_COUNT, id: ids[h % ids.length]!, velocity: 127, time: now + q });
    }
    if (k % 256 === 0) send({ type: 'keyboard', params: { release: (k >> 8) % 2 === 0 ? 0.6 : 0.05 } });
    if (k === quanta - 24) send({ type: 'stop' });
    core.render(L, R, Math.round(now * sampleRate)); // render() clears L/R first
    for (let i = 0; i < RENDER_QUANTUM; i++) peak = Math.max(peak, Math.abs(L[i]!), Math.abs(R[i]!));
  }
  // Frees through both transports, while and after voices read them.
  transport.free([10, 11, 13]);
  send({ type: 'free', ids: [1, 2, 3, 4, 12] });
  for (let k = 0; k < 8; k++) core.render(L, R, (quanta + k) * RENDER_QUANTUM);
  transport.reclaim();
  const stats = core.handle({ type: 'query', token: 0 });
  const t1 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  const s = stats && stats.type === 'stats' ? stats : null;
  return { quanta: quanta + 8, ms: t1 - t0, stolen: s?.stolen ?? 0, choked: s?.choked ?? 0, peak };
}
