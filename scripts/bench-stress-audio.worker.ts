/**
 * bench:stress's audio thread (worker_threads): the worklet's PlayerCore with
 * the shared-memory sample consumer, rendered one quantum at a time against
 * the wall clock as an audio device would pull it.
 *
 * Model of the device: it starts once quantum 0 is rendered (t0), and
 * quantum k is played from t0 + k·Q (Q = 128 / sample rate); the thread may render up to `bufferQuanta` quanta ahead of that (the
 * output buffer). A quantum whose render finishes after its play time is
 * late: a real device would have played silence (an underrun; a run of
 * consecutive late quanta counts as one underrun). Between quanta the thread
 * handles the messages that arrived (as the worklet's port does), drained
 * synchronously with receiveMessageOnPort, and publishes the quanta rendered
 * in a shared Int32Array: the bench's AudioContext.currentTime.
 */
import { execFileSync } from 'node:child_process';
import { openSync, readlinkSync, readSync, writeSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { RENDER_QUANTUM } from '../src/audio/constants.js';
import { warmUpPlayer } from '../src/audio/warm-up.js';
import { PlayerCore } from '../src/audio/player-core.js';
import type { PlayerMessage } from '../src/audio/protocol.js';
import { SharedSampleConsumer } from '../src/audio/transport-consumer.js';
import type { SharedSampleMemory } from '../src/audio/transport.js';

export interface AudioThreadReport {
  type: 'bench-audio';
  quanta: number;
  late: number;
  underruns: number;
  /** When each underrun began (s after the first quantum) and how many quanta it lasted; the first 256. */
  underrunLog: { at: number; quanta: number }[];
  /** Longest run of consecutive late quanta. */
  longestRun: number;
  /** Largest lateness of a quantum (ms after its play time). */
  maxLateMs: number;
  /** Render time per quantum (ms). */
  renderMs: { mean: number; p50: number; p99: number; p999: number; max: number };
  /** Quanta whose render took longer than a quantum of wall time (includes time the OS took the thread away). */
  overBudget: number;
  /**
   * Late quanta by cause. With /proc/thread-self/schedstat (nanoseconds) a
   * late burst goes to the largest of: how late the thread woke (wokeLate:
   * the OS did not run it), time runnable but not running during the burst
   * (preempted), time neither running nor runnable (blocked in the kernel:
   * page faults, locks), and CPU time spent rendering and handling messages
   * (renderCost: the engine's share). Without schedstat: woke late by more
   * than a quantum, else 10 ms stat ticks, else counted against the engine.
   */
  lateCause: { wokeLate: number; preempted: number; blocked: number; renderCost: number };
  /**
   * Late quanta whose burst (with the sleep before it) overlapped hypervisor
   * steal: the machine-wide steal counter of /proc/stat rose meanwhile, i.e.
   * the virtual CPUs were not running at all. null where /proc/stat is unreadable.
   */
  lateDuringSteal: number | null;
  /** Steal ticks (10 ms) over those bursts, and over the whole run. */
  stealTicks: { inLateBursts: number; total: number } | null;
  /** Whether lateCause came from schedstat (ns) or stat ticks. */
  lateCauseClock: 'schedstat' | 'stat-ticks';
  /**
   * The first SLOW_LOG renders that took longer than a quantum: when (s on the
   * play clock), how long (ms), the voices sounding and steals so far, and the
   * thread's minor page faults from the start of that burst to the end of the
   * render (−1 without /proc): tells JIT warm-up, a new code path and first-touch faults apart.
   */
  slowRenders: { at: number; ms: number; voices: number; stolen: number; choked: number; minorFaults: number }[];
  /** Thread CPU time over the run (ms) and wall time (ms). */
  cpuMs: number;
  wallMs: number;
  maxVoices: number;
  heapUsed: number;
  sharedReceived: number;
  sharedReleased: number;
  sharedCorrupt: number;
  /** The audio thread's nice value when --audio-nice was applied, else why not (null: not asked). */
  audioNice: number | null;
  audioNiceNote: string | null;
  /** Wall time of the player's JIT warm-up before quantum 0 (ms), or null when --no-warm-up. */
  warmUpMs: number | null;
}

/** Index of the quanta-rendered counter in the clock array. */
export const CLOCK_QUANTA = 0;

const { memory, clock, port, sampleRate, bufferQuanta, maxSeconds, audioNice, audioRt, warmUp } = workerData as {
  audioNice: number | null;
  /** Run warmUpPlayer before quantum 0, as the worklet does in its constructor. */
  warmUp: boolean;
  /** SCHED_FIFO priority (1–99) for this thread, or null. */
  audioRt: number | null;
  memory: SharedSampleMemory | null;
  clock: SharedArrayBuffer;
  port: MessagePort;
  sampleRate: number;
  bufferQuanta: number;
  maxSeconds: number;
};

/**
 * Browsers run the audio thread at real-time priority; a Node thread has
 * none. On request, give this thread (only) another nice value: Linux applies
 * setpriority to a thread id, found through /proc/thread-self. Lowering the
 * nice value needs root (or CAP_SYS_NICE); the report says when it failed.
 */
function applyNice(): { nice: number | null; note: string | null } {
  if (audioNice === null && audioRt === null) return { nice: null, note: null };
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid)) throw new Error('no thread id in /proc/thread-self');
    if (audioRt !== null) {
      // Chrome on Linux asks for a real-time (SCHED_RR/FIFO) audio thread where
      // RLIMIT_RTPRIO allows; chrt sets it for this thread id alone. The thread
      // sleeps in Atomics.wait between bursts, so it cannot starve the others.
      execFileSync('chrt', ['-f', '-p', String(audioRt), String(tid)], { stdio: 'pipe' });
      const policy = execFileSync('chrt', ['-p', String(tid)], { encoding: 'utf8' }).trim().replace(/\s*\n\s*/g, '; ');
      return { nice: null, note: `audio thread ${tid}: ${policy}` };
    }
    os.setPriority(tid, audioNice!);
    return { nice: os.getPriority(tid), note: `audio thread ${tid} at nice ${os.getPriority(tid)}` };
  } catch (e) {
    const what = audioRt !== null ? `SCHED_FIFO priority ${audioRt}` : `nice ${audioNice}`;
    return { nice: null, note: `could not give the audio thread ${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}
const niceResult = applyNice();

/** A /proc file kept open for allocation-free rereads, or −1 where this system has none. */
function openProc(path: string): number {
  try {
    return openSync(path, 'r');
  } catch {
    return -1;
  }
}

/** This thread's /proc/thread-self/stat, read without allocating: minor page faults and CPU ms. */
const statFd = openProc('/proc/thread-self/stat');
const statBuf = Buffer.alloc(1024);
const TICK_MS = 10; // USER_HZ = 100 on Linux
const threadStat = new Float64Array(2);
function readThreadStat(): boolean {
  if (statFd < 0) return false;
  const n = readSync(statFd, statBuf, 0, statBuf.length, 0);
  let i = n - 1;
  while (i > 0 && statBuf[i] !== 0x29) i--; // the last ')' closes the command name
  // Fields after ')': state is field 3; minflt 10, utime 14, stime 15.
  let field = 2;
  let minflt = 0;
  let utime = 0;
  let stime = 0;
  for (i += 1; i < n; i++) {
    const c = statBuf[i]!;
    if (c === 0x20) {
      field++;
      if (field > 15) break;
      continue;
    }
    if (field === 10) minflt = minflt * 10 + (c - 48);
    else if (field === 14) utime = utime * 10 + (c - 48);
    else if (field === 15) stime = stime * 10 + (c - 48);
  }
  threadStat[0] = minflt;
  threadStat[1] = (utime + stime) * TICK_MS;
  return true;
}
/** This thread's CPU time (ms), −1 where unavailable. */
function threadCpuMs(): number {
  return readThreadStat() ? threadStat[1]! : -1;
}

/** Nanosecond run time and run-queue wait of this thread (/proc/thread-self/schedstat), read without allocating. */
const schedFd = openProc('/proc/thread-self/schedstat');
const sched = new Float64Array(2);
function readSchedstat(): boolean {
  if (schedFd < 0) return false;
  const n = readSync(schedFd, statBuf, 0, statBuf.length, 0);
  let field = 0;
  sched[0] = 0;
  sched[1] = 0;
  for (let i = 0; i < n && field < 2; i++) {
    const c = statBuf[i]!;
    if (c === 0x20) field++;
    else if (c >= 48 && c <= 57) sched[field] = sched[field]! * 10 + (c - 48);
  }
  return true;
}

/** Machine-wide steal ticks (field 8 of the first /proc/stat line), read without allocating; −1 where unavailable. */
const procStatFd = openProc('/proc/stat');
const procBuf = Buffer.alloc(256);
function stealTicks(): number {
  if (procStatFd < 0) return -1;
  const n = readSync(procStatFd, procBuf, 0, procBuf.length, 0);
  // "cpu  user nice system idle iowait irq softirq steal …": the 8th number.
  let field = 0;
  let v = 0;
  let inNum = false;
  for (let i = 3; i < n && procBuf[i] !== 0x0a; i++) {
    const c = procBuf[i]!;
    if (c >= 48 && c <= 57) {
      v = inNum ? v * 10 + (c - 48) : c - 48;
      inNum = true;
    } else if (inNum) {
      field++;
      if (field === 8) return v;
      inNum = false;
    }
  }
  return field === 7 && inNum ? v : -1;
}

// As the worklet's constructor does: optimise every render path before the first quantum (src/audio/warm-up.ts).
const warmUpMs = warmUp ? warmUpPlayer(sampleRate).ms : null;
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
/** Preallocated: start (s) and length (quanta) of the first UNDERRUN_LOG underruns. */
const UNDERRUN_LOG = 256;
const underrunAt = new Float64Array(UNDERRUN_LOG);
const underrunLen = new Int32Array(UNDERRUN_LOG);
let run = 0;
let longestRun = 0;
let maxLateMs = 0;
let overBudget = 0;
let maxVoices = 0;
let stopping = false;
const lateCause = { wokeLate: 0, preempted: 0, blocked: 0, renderCost: 0 };
const steal0 = stealTicks();
let stealPrev = steal0;
let lateDuringSteal = 0;
let stealInLate = 0;
let wokeLateBy = 0;
const SLOW_LOG = 64;
const slowAt = new Float64Array(SLOW_LOG);
const slowMs = new Float64Array(SLOW_LOG);
const slowInt = new Int32Array(SLOW_LOG * 4);
let slowCount = 0;

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

const cpu0 = threadCpuMs();
// A device fills its output buffer before it starts playing: render quantum 0
// first and start the play clock when it is ready. Timed from the render's
// start instead, quantum 0 would be late by construction (its play time would
// be the instant its render began); the 10:57–14:24 runs counted that one.
drain();
{
  const start = performance.now();
  core.render(L, R, 0);
  renderTimes[0] = performance.now() - start;
  if (renderTimes[0]! > Qms) overBudget++;
  quanta = 1;
  Atomics.store(clockWords, CLOCK_QUANTA, quanta);
}
const t0 = performance.now();
// With BENCH_STRESS_MARK=1, a line on stdout where the play clock starts, to split a `node --trace-deopt` log into warm-up and play.
if (process.env['BENCH_STRESS_MARK'] === '1') writeSync(1, '[bench-stress] audio clock starts\n');
while (!stopping) {
  drain();
  const now = performance.now();
  const burstCpu0 = threadCpuMs();
  const burstFaults0 = statFd >= 0 ? threadStat[0]! : -1;
  const haveSched = readSchedstat();
  const runNs0 = sched[0]!;
  const waitNs0 = sched[1]!;
  let burstLate = 0;
  // Render every quantum the buffer has room for.
  while (!stopping && quanta * Qms <= now - t0 + bufferQuanta * Qms) {
    const start = performance.now();
    core.render(L, R, quanta * RENDER_QUANTUM);
    const end = performance.now();
    const dt = end - start;
    if (quanta < renderTimes.length) renderTimes[quanta] = dt;
    if (dt > Qms) {
      overBudget++;
      if (slowCount < SLOW_LOG) {
        const st = core.engine.stats;
        slowAt[slowCount] = (quanta * Qms) / 1000;
        slowMs[slowCount] = dt;
        slowInt[slowCount * 4] = st.voices;
        slowInt[slowCount * 4 + 1] = st.stolen;
        slowInt[slowCount * 4 + 2] = st.choked;
        slowInt[slowCount * 4 + 3] = burstFaults0 >= 0 && readThreadStat() ? threadStat[0]! - burstFaults0 : -1;
        slowCount++;
      }
    }
    const lateBy = end - (t0 + quanta * Qms);
    if (lateBy > 0) {
      late++;
      burstLate++;
      if (run === 0) {
        if (underruns < UNDERRUN_LOG) underrunAt[underruns] = (quanta * Qms) / 1000;
        underruns++;
      }
      run++;
      if (underruns <= UNDERRUN_LOG) underrunLen[underruns - 1] = run;
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
  const stealNow = stealTicks();
  if (burstLate > 0 && stealNow > stealPrev) {
    lateDuringSteal += burstLate;
    stealInLate += stealNow - stealPrev;
  }
  stealPrev = stealNow;
  if (burstLate > 0) {
    const wall = performance.now() - now;
    if (haveSched && readSchedstat()) {
      const runMs = (sched[0]! - runNs0) / 1e6;
      const waitMs = (sched[1]! - waitNs0) / 1e6;
      const blockedMs = Math.max(0, wall - runMs - waitMs);
      const woke = Math.max(0, wokeLateBy);
      const top = Math.max(woke, runMs, waitMs, blockedMs);
      if (top === woke) lateCause.wokeLate += burstLate;
      else if (top === waitMs) lateCause.preempted += burstLate;
      else if (top === blockedMs) lateCause.blocked += burstLate;
      else lateCause.renderCost += burstLate;
    } else {
      const cpu = threadCpuMs() - burstCpu0;
      if (wokeLateBy > Qms) lateCause.wokeLate += burstLate;
      else if (statFd >= 0 && wall >= TICK_MS && cpu >= wall / 2) lateCause.renderCost += burstLate;
      else if (statFd >= 0 && wall >= TICK_MS) lateCause.preempted += burstLate;
      else lateCause.renderCost += burstLate; // too short to tell from 10 ms ticks: counted against the engine
    }
  }
  // Sleep until the next quantum may be rendered (Atomics.wait: sub-millisecond, no event loop needed).
  const next = t0 + (quanta - bufferQuanta) * Qms;
  const wait = next - performance.now();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait);
  wokeLateBy = performance.now() - Math.max(next, now);
}
const wallMs = performance.now() - t0;
const cpuMs = threadCpuMs() - cpu0;

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
  underrunLog: Array.from(underrunAt.subarray(0, Math.min(underruns, UNDERRUN_LOG)), (at, i) => ({ at, quanta: underrunLen[i]! })),
  longestRun,
  maxLateMs,
  renderMs: { mean: n ? sum / n : 0, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: n ? sorted[n - 1]! : 0 },
  overBudget,
  lateCause,
  lateDuringSteal: steal0 < 0 ? null : lateDuringSteal,
  stealTicks: steal0 < 0 ? null : { inLateBursts: stealInLate, total: stealTicks() - steal0 },
  lateCauseClock: schedFd >= 0 ? 'schedstat' : 'stat-ticks',
  slowRenders: Array.from({ length: slowCount }, (_, i) => ({ at: slowAt[i]!, ms: slowMs[i]!, voices: slowInt[i * 4]!, stolen: slowInt[i * 4 + 1]!, choked: slowInt[i * 4 + 2]!, minorFaults: slowInt[i * 4 + 3]! })),
  cpuMs,
  wallMs,
  maxVoices,
  heapUsed: process.memoryUsage().heapUsed,
  sharedReceived: consumer?.received ?? 0,
  sharedReleased: consumer?.released ?? 0,
  sharedCorrupt: consumer?.corrupt ?? 0,
  audioNice: niceResult.nice,
  audioNiceNote: niceResult.note,
  warmUpMs,
} satisfies AudioThreadReport);
// Replies to a final query, sent after the stop, still need answering.
drain();
port.close();
