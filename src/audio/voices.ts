/**
 * The player's DSP core: pure classes with no Web Audio dependency, so Node
 * tests drive them directly. The AudioWorklet (worklets/player.worklet.ts)
 * only forwards messages and calls render() once per render quantum.
 *
 * Real-time rules for everything reachable from render(): no allocation (all
 * voices and pending events are created up front), no await, no messaging,
 * no closures or iterator protocols in the inner loops.
 */
import type { Decibels, Gain, Hz, Seconds, Velocity } from '../units.js';
import {
  CHOKE_RELEASE_SECONDS,
  LIMITER_CEILING_DB,
  LIMITER_KNEE_DB,
  LIMITER_RELEASE_SECONDS,
  MAX_PENDING_EVENTS,
  MAX_VOICES,
  PAD_COUNT,
  RENDER_QUANTUM,
  STEAL_RELEASE_SECONDS,
  VELOCITY_CURVE_EXPONENT,
  VOICE_SLOTS,
} from './constants.js';

/** Per-pad playback settings. */
export interface PadParams {
  /** Pad level (dB, 0 = unity). */
  gainDb: Decibels;
  /** Transposition (semitones; fractional allowed), by resampling. */
  tune: number;
  /** Balance, −1 (left) … 0 (centre, unity on both sides) … +1 (right). */
  pan: number;
  /** Time for the added exponential decay to reach −60 dB (seconds); null = the sample's natural decay. */
  decay: Seconds | null;
  /** Choke group this pad's voices belong to (1–31; 0 = none). */
  chokeGroup: number;
  /** Bitmask of choke groups a hit on this pad cuts (bit g = group g). */
  chokes: number;
}

export const DEFAULT_PAD_PARAMS: Readonly<PadParams> = { gainDb: 0, tune: 0, pan: 0, decay: null, chokeGroup: 0, chokes: 0 };

/** Range limits applied to incoming pad settings. */
export const PAD_LIMITS = {
  gainDb: { min: -60, max: 12 },
  tune: { min: -24, max: 24 },
  pan: { min: -1, max: 1 },
  decay: { min: 0.01, max: 10 },
} as const;

/** Amplitude below which a decaying voice is considered silent and freed (linear, −100 dB). */
const ENV_FLOOR = 1e-5;

/** Velocity (1–127) → linear gain: (v/127)^k; 0 for velocity ≤ 0, 1 at 127. */
export function velocityToGain(velocity: Velocity, exponent: number = VELOCITY_CURVE_EXPONENT): Gain {
  if (!(velocity > 0)) return 0;
  return Math.pow(Math.min(velocity, 127) / 127, exponent);
}

/** dB → linear gain. */
export function dbToGain(db: Decibels): Gain {
  return Math.pow(10, db / 20);
}

/** Context time (s) → context frame index, rounded to the nearest frame. */
export function timeToFrame(time: Seconds, sampleRate: Hz): number {
  return Math.round(time * sampleRate);
}

/**
 * Where an event at `eventFrame` starts inside the quantum that begins at
 * `quantumStart`: 0 … quantum − 1; 0 for a late event (it plays at once);
 * −1 when it belongs to a later quantum.
 */
export function startOffset(eventFrame: number, quantumStart: number, quantum: number = RENDER_QUANTUM): number {
  const d = eventFrame - quantumStart;
  if (d >= quantum) return -1;
  return d > 0 ? d : 0;
}

/** Per-sample multiplier reaching −60 dB after `decay` seconds; 1 (no added decay) for null. */
export function decayCoefficient(decay: Seconds | null, sampleRate: Hz): number {
  if (decay === null || !(decay > 0)) return 1;
  return Math.pow(10, -3 / (decay * sampleRate));
}

/** Balance law: centre is unity on both sides; turning right fades the left along a quarter sine, and vice versa. */
export function panGains(pan: number): [Gain, Gain] {
  const p = Math.max(-1, Math.min(1, pan));
  return [p > 0 ? Math.cos((p * Math.PI) / 2) : 1, p < 0 ? Math.cos((-p * Math.PI) / 2) : 1];
}

/** Replace NaN/±Inf by 0 in place; returns how many were replaced. */
export function sanitizeSamples(data: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      data[i] = 0;
      bad++;
    }
  }
  return bad;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** One sounding sample. Preallocated; init() rearms it. */
export class Voice {
  active = false;
  data: Float32Array = new Float32Array(0);
  /** Read position in source frames (fractional when resampling). */
  pos = 0;
  /** Source frames advanced per output frame. */
  rate = 1;
  gainL = 0;
  gainR = 0;
  /** Added decay envelope and its per-frame multiplier. */
  env = 1;
  envCoef = 1;
  /** Release ramp: level 1 → 0, decreasing by relStep per frame (0 = not releasing). */
  rel = 1;
  relStep = 0;
  pad = -1;
  group = 0;
  /** Start order, for oldest-voice stealing. */
  seq = 0;

  init(data: Float32Array, rate: number, gainL: Gain, gainR: Gain, envCoef: number, pad: number, group: number, seq: number): void {
    this.active = true;
    this.data = data;
    this.pos = 0;
    this.rate = rate;
    this.gainL = gainL;
    this.gainR = gainR;
    this.env = 1;
    this.envCoef = envCoef;
    this.rel = 1;
    this.relStep = 0;
    this.pad = pad;
    this.group = group;
    this.seq = seq;
  }

  get releasing(): boolean {
    return this.relStep > 0;
  }

  /** Fade to silence over `frames` frames (a faster ramp already running is kept). */
  release(frames: number): void {
    const step = this.rel / Math.max(1, frames);
    if (step > this.relStep) this.relStep = step;
  }

  /** Mix frames [from, to) into L/R. */
  render(L: Float32Array, R: Float32Array, from: number, to: number): void {
    const d = this.data;
    const len = d.length;
    const rate = this.rate;
    const gl = this.gainL;
    const gr = this.gainR;
    const ec = this.envCoef;
    const rs = this.relStep;
    let p = this.pos;
    let env = this.env;
    let rel = this.rel;
    for (let i = from; i < to; i++) {
      const idx = p | 0;
      if (idx >= len) {
        this.active = false;
        break;
      }
      const a = d[idx]!;
      const b = idx + 1 < len ? d[idx + 1]! : 0;
      const s = (a + (b - a) * (p - idx)) * env * rel;
      L[i]! += s * gl;
      R[i]! += s * gr;
      env *= ec;
      if (rs > 0) {
        rel -= rs;
        if (rel <= 0) {
          this.active = false;
          break;
        }
      }
      p += rate;
    }
    this.pos = p;
    this.env = env;
    this.rel = rel;
    if (env < ENV_FLOOR) this.active = false;
  }
}

/** A trigger waiting for its frame. Preallocated. */
class PendingEvent {
  frame = 0;
  pad = 0;
  data: Float32Array = new Float32Array(0);
  sourceRate = 0;
  gain = 0;
}

/**
 * Stereo-linked soft limiter: instant attack, exponential release, a tanh knee
 * between (ceiling − knee) and the ceiling. |output| < ceiling always.
 */
export class SoftLimiter {
  readonly ceiling: Gain;
  readonly knee: Gain;
  private readonly releaseCoef: number;
  private env = 0;

  constructor(sampleRate: Hz, ceilingDb: Decibels = LIMITER_CEILING_DB, kneeDb: Decibels = LIMITER_KNEE_DB, release: Seconds = LIMITER_RELEASE_SECONDS) {
    this.ceiling = dbToGain(ceilingDb);
    this.knee = dbToGain(ceilingDb - kneeDb);
    this.releaseCoef = Math.exp(-1 / (release * sampleRate));
  }

  /** Gain the limiter applies at an envelope level. */
  gainFor(level: number): Gain {
    const k = this.knee;
    if (level <= k) return 1;
    const span = this.ceiling - k;
    return (k + span * Math.tanh((level - k) / span)) / level;
  }

  process(L: Float32Array, R: Float32Array, n: number): void {
    let env = this.env;
    const rc = this.releaseCoef;
    const k = this.knee;
    const c = this.ceiling;
    for (let i = 0; i < n; i++) {
      const l = L[i]!;
      const r = R[i]!;
      const al = l < 0 ? -l : l;
      const ar = r < 0 ? -r : r;
      const a = al > ar ? al : ar;
      env = a > env ? a : env * rc;
      if (env > k) {
        const g = this.gainFor(env);
        // Clamp away the last ulp that rounding in (out / env) · x can add.
        L[i] = clamp(l * g, -c, c);
        R[i] = clamp(r * g, -c, c);
      }
    }
    this.env = env < 1e-12 ? 0 : env;
  }
}

export interface VoiceEngineOptions {
  sampleRate: Hz;
  /** Polyphony limit (voices). */
  maxVoices?: number;
  /** Physical slots (≥ maxVoices). */
  slots?: number;
  /** Pending-event capacity. */
  maxPending?: number;
  /** Pads. */
  pads?: number;
}

/** Counters the main thread can ask for. */
export interface VoiceEngineStats {
  /** Voices sounding now (including fading ones). */
  voices: number;
  /** Triggers dropped (queue full, unknown sample, bad pad). */
  dropped: number;
  /** Voices stolen by the polyphony limit. */
  stolen: number;
  /** Voices cut by a choke group. */
  choked: number;
  /** Non-finite output samples replaced by 0. */
  nonFinite: number;
}

/**
 * Voices, scheduling, chokes and the master bus. Events are started at their
 * exact frame: a quantum is rendered in segments split at event offsets, so
 * a choke or steal also takes effect at the choking hit's frame.
 */
export class VoiceEngine {
  readonly sampleRate: Hz;
  readonly maxVoices: number;
  private readonly voices: Voice[];
  private readonly pending: PendingEvent[];
  private pendingCount = 0;
  private readonly padGain: Float64Array;
  private readonly padL: Float64Array;
  private readonly padR: Float64Array;
  private readonly padTune: Float64Array;
  private readonly padEnvCoef: Float64Array;
  private readonly padGroup: Int32Array;
  private readonly padChokes: Int32Array;
  private readonly params: PadParams[];
  private readonly limiter: SoftLimiter;
  private readonly stealFrames: number;
  private readonly chokeFrames: number;
  private chokeEnabled = true;
  private seq = 0;
  /** Largest |output| since the last takePeak(). */
  private peak = 0;
  readonly stats: VoiceEngineStats = { voices: 0, dropped: 0, stolen: 0, choked: 0, nonFinite: 0 };

  constructor(opts: VoiceEngineOptions) {
    this.sampleRate = opts.sampleRate;
    this.maxVoices = opts.maxVoices ?? MAX_VOICES;
    const slots = Math.max(opts.slots ?? VOICE_SLOTS, this.maxVoices);
    this.voices = Array.from({ length: slots }, () => new Voice());
    this.pending = Array.from({ length: opts.maxPending ?? MAX_PENDING_EVENTS }, () => new PendingEvent());
    const pads = opts.pads ?? PAD_COUNT;
    this.padGain = new Float64Array(pads);
    this.padL = new Float64Array(pads);
    this.padR = new Float64Array(pads);
    this.padTune = new Float64Array(pads);
    this.padEnvCoef = new Float64Array(pads);
    this.padGroup = new Int32Array(pads);
    this.padChokes = new Int32Array(pads);
    this.params = Array.from({ length: pads }, () => ({ ...DEFAULT_PAD_PARAMS }));
    for (let p = 0; p < pads; p++) this.applyPad(p);
    this.limiter = new SoftLimiter(opts.sampleRate);
    this.stealFrames = Math.max(1, Math.round(STEAL_RELEASE_SECONDS * opts.sampleRate));
    this.chokeFrames = Math.max(1, Math.round(CHOKE_RELEASE_SECONDS * opts.sampleRate));
  }

  get padCount(): number {
    return this.params.length;
  }

  padParams(pad: number): Readonly<PadParams> {
    return this.params[pad]!;
  }

  /** Update a pad's settings (validated and clamped); affects later hits. */
  setPad(pad: number, p: Partial<PadParams>): void {
    const cur = this.params[pad];
    if (!cur) return;
    const num = (v: unknown, lo: number, hi: number, dflt: number) => (typeof v === 'number' && Number.isFinite(v) ? clamp(v, lo, hi) : dflt);
    if (p.gainDb !== undefined) cur.gainDb = num(p.gainDb, PAD_LIMITS.gainDb.min, PAD_LIMITS.gainDb.max, cur.gainDb);
    if (p.tune !== undefined) cur.tune = num(p.tune, PAD_LIMITS.tune.min, PAD_LIMITS.tune.max, cur.tune);
    if (p.pan !== undefined) cur.pan = num(p.pan, -1, 1, cur.pan);
    if (p.decay !== undefined) cur.decay = p.decay === null ? null : num(p.decay, PAD_LIMITS.decay.min, PAD_LIMITS.decay.max, PAD_LIMITS.decay.max);
    if (p.chokeGroup !== undefined) cur.chokeGroup = Number.isInteger(p.chokeGroup) ? clamp(p.chokeGroup, 0, 31) : cur.chokeGroup;
    if (p.chokes !== undefined) cur.chokes = Number.isInteger(p.chokes) ? p.chokes & ~1 : cur.chokes;
    this.applyPad(pad);
  }

  /** Switch every choke group on or off. */
  setChokeEnabled(on: boolean): void {
    this.chokeEnabled = on;
  }

  get chokesEnabled(): boolean {
    return this.chokeEnabled;
  }

  private applyPad(pad: number): void {
    const p = this.params[pad]!;
    this.padGain[pad] = dbToGain(p.gainDb);
    const [l, r] = panGains(p.pan);
    this.padL[pad] = l;
    this.padR[pad] = r;
    this.padTune[pad] = Math.pow(2, p.tune / 12);
    this.padEnvCoef[pad] = decayCoefficient(p.decay, this.sampleRate);
    this.padGroup[pad] = p.chokeGroup;
    this.padChokes[pad] = p.chokes;
  }

  /**
   * Queue a hit at context frame `frame` (past frames play at the next quantum's start).
   * @param sourceRate sample rate of `data` (Hz)
   * @returns false when dropped (bad pad, empty sample, zero velocity, queue full)
   */
  schedule(pad: number, data: Float32Array, sourceRate: Hz, velocity: Velocity, frame: number): boolean {
    const gain = velocityToGain(velocity);
    if (pad < 0 || pad >= this.params.length || data.length === 0 || !(sourceRate > 0) || gain === 0 || !Number.isFinite(frame)) {
      this.stats.dropped++;
      return false;
    }
    if (this.pendingCount === this.pending.length) {
      this.stats.dropped++;
      return false;
    }
    // Insert sorted by frame, after events of the same frame (stable), swapping preallocated objects.
    let i = this.pendingCount;
    const slot = this.pending[i]!;
    while (i > 0 && this.pending[i - 1]!.frame > frame) {
      this.pending[i] = this.pending[i - 1]!;
      i--;
    }
    this.pending[i] = slot;
    slot.frame = frame;
    slot.pad = pad;
    slot.data = data;
    slot.sourceRate = sourceRate;
    slot.gain = gain;
    this.pendingCount++;
    return true;
  }

  /** Fade out everything and forget pending hits. */
  stopAll(): void {
    this.pendingCount = 0;
    for (let i = 0; i < this.voices.length; i++) {
      const v = this.voices[i]!;
      if (v.active) v.release(this.chokeFrames);
    }
  }

  /** Largest |output| since the last call. */
  takePeak(): number {
    const p = this.peak;
    this.peak = 0;
    return p;
  }

  /** Drop references to a sample array: pending hits on it are removed (sounding voices finish). */
  forget(data: Float32Array): void {
    let w = 0;
    for (let r = 0; r < this.pendingCount; r++) {
      const e = this.pending[r]!;
      if (e.data === data) {
        this.stats.dropped++;
        continue;
      }
      // keep order; swap objects so none is lost
      const tmp = this.pending[w]!;
      this.pending[w] = e;
      this.pending[r] = tmp;
      w++;
    }
    this.pendingCount = w;
  }

  /**
   * Render one quantum (L.length frames) starting at context frame `quantumStart`
   * into L and R (overwritten).
   */
  render(L: Float32Array, R: Float32Array, quantumStart: number): void {
    const n = L.length;
    L.fill(0);
    R.fill(0);
    let at = 0;
    while (this.pendingCount > 0) {
      const ev = this.pending[0]!;
      const off = startOffset(ev.frame, quantumStart, n);
      if (off < 0) break;
      if (off > at) {
        this.renderVoices(L, R, at, off);
        at = off;
      }
      this.startVoice(ev);
      this.popFront();
    }
    if (at < n) this.renderVoices(L, R, at, n);
    this.master(L, R, n);
  }

  private popFront(): void {
    const first = this.pending[0]!;
    for (let i = 1; i < this.pendingCount; i++) this.pending[i - 1] = this.pending[i]!;
    this.pendingCount--;
    this.pending[this.pendingCount] = first;
    first.data = EMPTY;
  }

  private renderVoices(L: Float32Array, R: Float32Array, from: number, to: number): void {
    for (let i = 0; i < this.voices.length; i++) {
      const v = this.voices[i]!;
      if (v.active) v.render(L, R, from, to);
    }
  }

  private startVoice(ev: PendingEvent): void {
    const pad = ev.pad;
    const voices = this.voices;
    // Choke: cut the groups this pad chokes.
    const mask = this.chokeEnabled ? this.padChokes[pad]! : 0;
    if (mask !== 0) {
      for (let i = 0; i < voices.length; i++) {
        const v = voices[i]!;
        if (v.active && !v.releasing && v.group !== 0 && (mask & (1 << v.group)) !== 0) {
          v.release(this.chokeFrames);
          this.stats.choked++;
        }
      }
    }
    // Polyphony: at the limit, fade out the oldest voice that is not already fading.
    let held = 0;
    let oldest: Voice | null = null;
    let free: Voice | null = null;
    let quietest: Voice | null = null;
    for (let i = 0; i < voices.length; i++) {
      const v = voices[i]!;
      if (!v.active) {
        if (free === null) free = v;
        continue;
      }
      if (v.releasing) {
        if (quietest === null || v.rel < quietest.rel) quietest = v;
        continue;
      }
      held++;
      if (oldest === null || v.seq < oldest.seq) oldest = v;
    }
    if (held >= this.maxVoices && oldest !== null) {
      oldest.release(this.stealFrames);
      this.stats.stolen++;
      if (free === null && quietest === null) quietest = oldest;
    }
    // No free slot: reuse the fading voice closest to silence.
    const v = free ?? quietest ?? oldest;
    if (v === null) {
      this.stats.dropped++;
      return;
    }
    const gain = ev.gain * this.padGain[pad]!;
    const rate = (this.padTune[pad]! * ev.sourceRate) / this.sampleRate;
    v.init(ev.data, rate, gain * this.padL[pad]!, gain * this.padR[pad]!, this.padEnvCoef[pad]!, pad, this.padGroup[pad]!, this.seq++);
  }

  private master(L: Float32Array, R: Float32Array, n: number): void {
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(L[i]!)) {
        L[i] = 0;
        bad++;
      }
      if (!Number.isFinite(R[i]!)) {
        R[i] = 0;
        bad++;
      }
    }
    this.limiter.process(L, R, n);
    let peak = this.peak;
    for (let i = 0; i < n; i++) {
      // The limiter cannot create non-finite values from finite ones; checked again so nothing else can either.
      let l = L[i]!;
      let r = R[i]!;
      if (!Number.isFinite(l)) {
        L[i] = l = 0;
        bad++;
      }
      if (!Number.isFinite(r)) {
        R[i] = r = 0;
        bad++;
      }
      const a = l < 0 ? -l : l;
      const b = r < 0 ? -r : r;
      if (a > peak) peak = a;
      if (b > peak) peak = b;
    }
    this.peak = peak;
    this.stats.nonFinite += bad;
    let count = 0;
    for (let i = 0; i < this.voices.length; i++) if (this.voices[i]!.active) count++;
    this.stats.voices = count;
  }
}

const EMPTY = new Float32Array(0);
