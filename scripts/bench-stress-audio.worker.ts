/**
 * bench:stress's audio thread (worker_threads): the worklet's PlayerCore with
 * the shared-memory sample consumer, rendered one quantum at a time against
 * the wall clock as an audio device would pull it.
 *
 * Model of the device: quantum k is played from t0 + k·Q (Q = 128 / sample
 * rate); the thread may render up to `bufferQuanta` quanta ahead of that (the
 * output buffer). A quantum whose render finishes after its play time is
 * late: a real device would have played silence (an underrun; a run of
 * consecutive late quanta counts as one underrun). Between quanta the thread
 * handles the messages that arrived (as the worklet's port does), drained
 * synchronously with receiveMessageOnPort, and publishes the quanta rendered
 * in a shared Int32Array: the bench's AudioContext.currentTime.
 */
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { RENDER_QUANTUM } from '../src/audio/constants.js';
import { PlayerCore } from '../src/audio/player-core.js';
import type { PlayerMessage } from '../src/audio/protocol.js';
import { SharedSampleConsumer } from '../src/audio/transport-consumer.js';
import type { SharedSampleMemory } from '../src/audio/transport.js';

export interface AudioThreadReport {
  type: 'bench-audio';
  quanta: number;
  late: number;
  underruns: number;
  /** Longest run of consecutive late quanta. */
  longestRun: number;
  /** Largest lateness of a quantum (ms after its play time). */
  maxLateMs: number;
  /** Render time per quantum (ms). */
  renderMs: { mean: number; p50: number; p99: number; p999: number; max: number };
  /** Quanta whose render alone took longer than a quantum (what the engine, not the scheduler, controls). */
  overBudget: number;
  maxVoices: number;
  heapUsed: number;
  sharedReceived: number;
  sharedReleased: number;
  sharedCorrupt: number;
}

/** Index of the quanta-rendered counter in the clock array. */
export const CLOCK_QUANTA = 0;

const { memory, clock, port, sampleRate, bufferQuanta, maxSeconds } = workerData as {
  memory: SharedSampleMemory | null;
  clock: SharedArrayBuffer;
  port: MessagePort;
  sampleRate: number;
  bufferQuanta: number;
  maxSeconds: number;
};

const core = new PlayerCore({ sampleRate });
const consumer = memory ? new SharedSampleConsumer(memory) : null;
if (consumer) core.attachSharedSamples(consumer);
const clockWords = new Int32Array(clock);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const L = new Float32Array(RENDER_QUANTUM);
const R = new Float32Array(RENDER_QUANTUM);
const Qms = (RENDER_QUANTUM / sampleRate) * 1000;
const renderTimes = new Float64Array(Math.ceil(((maxSeconds + 5) * 1000) / Qms));

let quanta = 0;
let late = 0;
let underruns = 0;
let run = 0;
let longestRun = 0;
let maxLateMs = 0;
let overBudget = 0;
let maxVoices = 0;
let stopping = false;

function drain(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message as PlayerMessage | { type: 'bench-stop' } | { type: 'bench-memory'; token: number };
    if (msg.type === 'bench-stop') {
      stopping = true;
      continue;
    }
    if (msg.type === 'bench-memory') {
      port.postMessage({ type: 'bench-memory', token: msg.token, heapUsed: process.memoryUsage().heapUsed, voices: core.engine.stats.voices });
      continue;
    }
    let reply;
    try {
      reply = core.handle(msg);
    } catch (err) {
      reply = { type: 'error' as const, message: err instanceof Error ? err.message : String(err) };
    }
    if (reply) port.postMessage(reply);
  }
}

const t0 = performance.now();
while (!stopping) {
  drain();
  const now = performance.now();
  // Render every quantum the buffer has room for.
  while (!stopping && quanta * Qms <= now - t0 + bufferQuanta * Qms) {
    const start = performance.now();
    core.render(L, R, quanta * RENDER_QUANTUM);
    const end = performance.now();
    const dt = end - start;
    if (quanta < renderTimes.length) renderTimes[quanta] = dt;
    if (dt > Qms) overBudget++;
    const lateBy = end - (t0 + quanta * Qms);
    if (lateBy > 0) {
      late++;
      if (run === 0) underruns++;
      run++;
      if (run > longestRun) longestRun = run;
      if (lateBy > maxLateMs) maxLateMs = lateBy;
    } else {
      run = 0;
    }
    const v = core.engine.stats.voices;
    if (v > maxVoices) maxVoices = v;
    quanta++;
    Atomics.store(clockWords, CLOCK_QUANTA, quanta);
    drain();
  }
  // Sleep until the next quantum may be rendered (Atomics.wait: sub-millisecond, no event loop needed).
  const next = t0 + (quanta - bufferQuanta) * Qms;
  const wait = next - performance.now();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
}

const n = Math.min(quanta, renderTimes.length);
const sorted = Float64Array.from(renderTimes.subarray(0, n)).sort();
const at = (p: number) => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(p * n))]!);
let sum = 0;
for (let i = 0; i < n; i++) sum += sorted[i]!;
port.postMessage({
  type: 'bench-audio',
  quanta,
  late,
  underruns,
  longestRun,
  maxLateMs,
  renderMs: { mean: n ? sum / n : 0, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: n ? sorted[n - 1]! : 0 },
  overBudget,
  maxVoices,
  heapUsed: process.memoryUsage().heapUsed,
  sharedReceived: consumer?.received ?? 0,
  sharedReleased: consumer?.released ?? 0,
  sharedCorrupt: consumer?.corrupt ?? 0,
} satisfies AudioThreadReport);
// Replies to a final query, sent after the stop, still need answering.
drain();
port.close();
