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
  BEND_LIMIT,
  BEND_SMOOTHING_SECONDS,
  KEY_RELEASE_SECONDS,
  MAX_PENDING_EVENTS,
  MIDI_CHANNELS,
  NOTE_TRANSPOSE_LIMIT,
  RESAMPLER_CUTOFF,
  RESAMPLER_HALF_WIDTH,
  RESAMPLER_KAISER_BETA,
  RESAMPLER_MAX_SCALE,
  RESAMPLER_OVERSAMPLING,
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

/** Settings of the pitched (keyboard) voices, shared by every channel. */
export interface KeyboardParams {
  /** Level of pitched notes (dB, 0 = unity). */
  gainDb: Decibels;
  /** Linear release ramp after a note-off or pedal up (seconds). */
  release: Seconds;
}

export const DEFAULT_KEYBOARD_PARAMS: Readonly<KeyboardParams> = { gainDb: 0, release: KEY_RELEASE_SECONDS };

/** Range limits applied to incoming keyboard settings. */
export const KEYBOARD_LIMITS = {
  gainDb: { min: -60, max: 12 },
  release: { min: 0.005, max: 5 },
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

/** Modified Bessel function of the first kind, order 0 (power series; for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/**
 * A Kaiser-windowed sinc lowpass h(x) = sin(2π·fc·x)/(π·x)·w(x/halfWidth),
 * tabulated for x = 0 … halfWidth in steps of 1/oversampling, followed by
 * two zeros so a linear lookup at the very edge reads no further.
 */
export function makeSincTable(
  halfWidth: number = RESAMPLER_HALF_WIDTH,
  cutoff: number = RESAMPLER_CUTOFF,
  beta: number = RESAMPLER_KAISER_BETA,
  oversampling: number = RESAMPLER_OVERSAMPLING,
): Float32Array {
  const n = halfWidth * oversampling;
  const table = new Float32Array(n + 3);
  const norm = besselI0(beta);
  for (let i = 0; i <= n; i++) {
    const x = i / oversampling;
    const u = x / halfWidth;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - u * u))) / norm;
    table[i] = (x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x)) * w;
  }
  return table;
}

/** The resampler kernel, built once per thread (module load), never in render(). */
const SINC = makeSincTable();
/** The same kernel as (value, slope to the next point) pairs: one interpolated lookup reads two adjacent floats. */
const SINC_PAIRS = ((t: Float32Array) => {
  const out = new Float32Array(2 * (t.length - 1));
  for (let i = 0; i + 1 < t.length; i++) {
    out[2 * i] = t[i]!;
    out[2 * i + 1] = t[i + 1]! - t[i]!;
  }
  return out;
})(SINC);

/** One sounding sample. Preallocated; init() rearms it. */
export class Voice {
  active = false;
  data: Float32Array = new Float32Array(0);
  /** Read position in source frames (fractional when resampling). */
  pos = 0;
  /** Source frames advanced per output frame (now); changes by rateStep per frame while a bend glides. */
  rate = 1;
  rateStep = 0;
  /** Rate without pitch bend (pitched voices: root → note transposition × source/context rate). */
  baseRate = 1;
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
  /** Pitched voices: channel index 0–15 and key (channel·128 + note); −1 for pad voices. */
  channel = -1;
  key = -1;
  /** Note-off arrived while the sustain pedal was down: the pedal's release ends this voice. */
  sustained = false;
  /** Start order, for oldest-voice stealing. */
  seq = 0;

  /**
   * Rearm for a new sound. Only integer arguments: the caller sets rate,
   * baseRate, gainL, gainR and envCoef as fields afterwards, because a double
   * passed to a call that is not inlined is boxed (a heap allocation) while a
   * double stored into a number field is written in place.
   */
  init(data: Float32Array, pad: number, group: number, seq: number): void {
    this.active = true;
    this.data = data;
    this.pos = 0;
    this.rate = 1;
    this.rateStep = 0;
    this.baseRate = 1;
    this.gainL = 0;
    this.gainR = 0;
    this.env = 1;
    this.envCoef = 1;
    this.rel = 1;
    this.relStep = 0;
    this.pad = pad;
    this.group = group;
    this.channel = -1;
    this.key = -1;
    this.sustained = false;
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

  /**
   * Mix frames [from, to) into L/R. Reading at or below the source rate uses
   * 4-point 3rd-order Hermite interpolation (nothing can fold over Nyquist
   * when slowing down); reading faster uses the windowed sinc stretched by the
   * rate, so its cutoff moves down with it and nothing aliases.
   */
  render(L: Float32Array, R: Float32Array, from: number, to: number): void {
    const end = this.rate + this.rateStep * (to - from);
    const fastest = this.rate > end ? this.rate : end;
    if (fastest > 1) this.renderSinc(L, R, from, to);
    else this.renderHermite(L, R, from, to);
  }

  private renderHermite(L: Float32Array, R: Float32Array, from: number, to: number): void {
    const d = this.data;
    const len = d.length;
    const rs = this.rateStep;
    const gl = this.gainL;
    const gr = this.gainR;
    const ec = this.envCoef;
    const relStep = this.relStep;
    let rate = this.rate;
    let p = this.pos;
    let env = this.env;
    let rel = this.rel;
    for (let i = from; i < to; i++) {
      const idx = p | 0;
      if (idx >= len) {
        this.active = false;
        break;
      }
      const f = p - idx;
      const xm1 = idx > 0 ? d[idx - 1]! : 0;
      const x0 = d[idx]!;
      const x1 = idx + 1 < len ? d[idx + 1]! : 0;
      const x2 = idx + 2 < len ? d[idx + 2]! : 0;
      // Catmull-Rom (Niemitalo's "4-point, 3rd-order Hermite, x-form").
      const c1 = 0.5 * (x1 - xm1);
      const c2 = xm1 - 2.5 * x0 + 2 * x1 - 0.5 * x2;
      const c3 = 0.5 * (x2 - xm1) + 1.5 * (x0 - x1);
      const s = (((c3 * f + c2) * f + c1) * f + x0) * env * rel;
      L[i]! += s * gl;
      R[i]! += s * gr;
      env *= ec;
      if (relStep > 0) {
        rel -= relStep;
        if (rel <= 0) {
          this.active = false;
          break;
        }
      }
      p += rate;
      rate += rs;
    }
    this.pos = p;
    this.rate = rate;
    this.env = env;
    this.rel = rel;
    if (env < ENV_FLOOR) this.active = false;
  }

  private renderSinc(L: Float32Array, R: Float32Array, from: number, to: number): void {
    // The kernel stretches with the fastest rate of the segment (computed here: a double argument would be boxed).
    // Math.min/max keep it a machine double; a ternary mixing a double with an integer constant got it boxed.
    const scale = Math.min(Math.max(this.rate, this.rate + this.rateStep * (to - from)), RESAMPLER_MAX_SCALE);
    const d = this.data;
    const len = d.length;
    const tab = SINC_PAIRS;
    const inv = 1 / scale;
    const span = RESAMPLER_HALF_WIDTH * scale;
    const tStep = inv * RESAMPLER_OVERSAMPLING;
    const rs = this.rateStep;
    const gl = this.gainL;
    const gr = this.gainR;
    const ec = this.envCoef;
    const relStep = this.relStep;
    let rate = this.rate;
    let p = this.pos;
    let env = this.env;
    let rel = this.rel;
    for (let i = from; i < to; i++) {
      const idx = p | 0;
      if (idx >= len) {
        this.active = false;
        break;
      }
      // ceil(p − span) without Math.ceil, whose −0 would deoptimise this loop.
      const first = p - span;
      let lo = first | 0;
      if (lo < first) lo++;
      if (lo < 0) lo = 0;
      let hi = (p + span) | 0;
      if (hi >= len) hi = len - 1;
      // Kernel argument |p − j|/scale in table points: taps left of p (falling to 0), then right of it (rising).
      const mid = idx < hi ? idx : hi;
      let acc = 0;
      let t = (p - lo) * tStep;
      for (let j = lo; j <= mid; j++) {
        const ti = t | 0;
        const k = ti << 1;
        acc += d[j]! * (tab[k]! + tab[k + 1]! * (t - ti));
        t -= tStep;
      }
      t = (mid + 1 - p) * tStep;
      for (let j = mid + 1; j <= hi; j++) {
        const ti = t | 0;
        const k = ti << 1;
        acc += d[j]! * (tab[k]! + tab[k + 1]! * (t - ti));
        t += tStep;
      }
      const s = acc * inv * env * rel;
      L[i]! += s * gl;
      R[i]! += s * gr;
      env *= ec;
      if (relStep > 0) {
        rel -= relStep;
        if (rel <= 0) {
          this.active = false;
          break;
        }
      }
      p += rate;
      rate += rs;
    }
    this.pos = p;
    this.rate = rate;
    this.env = env;
    this.rel = rel;
    if (env < ENV_FLOOR) this.active = false;
  }
}

/** Kinds of scheduled event. */
const EV_PAD = 0;
const EV_NOTE_ON = 1;
const EV_NOTE_OFF = 2;
const EV_SUSTAIN = 3;
const EV_BEND = 4;

/** An event waiting for its frame. Preallocated. */
class PendingEvent {
  kind = EV_PAD;
  frame = 0;
  pad = 0;
  /** Pitched events: channel index 0–15 and MIDI note. */
  channel = 0;
  note = 0;
  /** Note-on: transposition (semitones); bend: semitones; sustain: 1 down, 0 up. */
  value = 0;
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
  /** Triggers dropped, all reasons; the five counters below split it. */
  dropped: number;
  /** …because an argument was invalid (pad, channel, note, transposition, velocity 0, empty sample, time). */
  droppedInvalid: number;
  /** …because the pending-event queue was full. */
  droppedQueueFull: number;
  /** …because the trigger named a sample id the player does not hold (counted by PlayerCore). */
  droppedUnknownSample: number;
  /** …because their sample was freed while they were still pending. */
  droppedFreed: number;
  /** …because no voice slot could be had. */
  droppedNoVoice: number;
  /** Most events ever pending at once. */
  pendingHigh: number;
  /**
   * The pending queue when it first overflowed (null until then): the last
   * rendered quantum's start frame, how far ahead of it the pending events
   * lay (frames), and how many of each kind (pad, note-on, note-off, sustain, bend).
   */
  firstOverflow: { quantumStart: number; aheadMin: number; aheadMax: number; kinds: number[] } | null;
  /** The first event dropped because its sample was freed (null until then): its kind and how far ahead of the last rendered quantum it lay (frames). */
  firstFreedDrop: { kind: number; ahead: number; quantumStart: number } | null;
  /** Voices stolen by the polyphony limit. */
  stolen: number;
  /** Voices cut by a choke group. */
  choked: number;
  /** Non-finite output samples replaced by 0. */
  nonFinite: number;
  /** Pitched (keyboard) voices sounding now, included in `voices`. */
  pitched: number;
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
  /** Start frame of the last rendered quantum (diagnostics). */
  private lastQuantumStart = 0;
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
  private readonly keyParams: KeyboardParams = { ...DEFAULT_KEYBOARD_PARAMS };
  private keyGain = 1;
  private releaseFrames = 1;
  /** Per channel (index 0–15): sustain pedal down, and pitch bend (semitones) wanted, applied now, and as a rate ratio. */
  private readonly sustainDown = new Uint8Array(MIDI_CHANNELS);
  private readonly bendTarget = new Float64Array(MIDI_CHANNELS);
  private readonly bendNow = new Float64Array(MIDI_CHANNELS);
  private readonly bendRatio = new Float64Array(MIDI_CHANNELS).fill(1);
  private seq = 0;
  /** Largest |output| since the last takePeak(). */
  private peak = 0;
  readonly stats: VoiceEngineStats = {
    voices: 0, dropped: 0, droppedInvalid: 0, droppedQueueFull: 0, droppedUnknownSample: 0, droppedFreed: 0, droppedNoVoice: 0,
    pendingHigh: 0, firstOverflow: null, firstFreedDrop: null,
    stolen: 0, choked: 0, nonFinite: 0, pitched: 0,
  };

  /** Count a dropped trigger under its reason (and in the total). */
  countDrop(reason: 'droppedInvalid' | 'droppedQueueFull' | 'droppedUnknownSample' | 'droppedFreed' | 'droppedNoVoice'): void {
    this.stats.dropped++;
    this.stats[reason]++;
  }

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
    this.applyKeyboard();
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
    // A fractional or NaN pad passes the range test but indexes nothing: NaN gains (found by test/audio/fuzz.test.ts).
    if (!Number.isInteger(pad) || pad < 0 || pad >= this.params.length || data.length === 0 || !(sourceRate > 0) || gain === 0 || !Number.isFinite(frame)) {
      this.countDrop('droppedInvalid');
      return false;
    }
    const slot = this.enqueue(frame);
    if (slot === null) return false;
    slot.kind = EV_PAD;
    slot.pad = pad;
    slot.data = data;
    slot.sourceRate = sourceRate;
    slot.gain = gain;
    return true;
  }

  keyboardParams(): Readonly<KeyboardParams> {
    return this.keyParams;
  }

  /** Update the pitched voices' settings (validated and clamped); the release applies to later note-offs. */
  setKeyboard(p: Partial<KeyboardParams>): void {
    const k = this.keyParams;
    if (typeof p.gainDb === 'number' && Number.isFinite(p.gainDb)) k.gainDb = clamp(p.gainDb, KEYBOARD_LIMITS.gainDb.min, KEYBOARD_LIMITS.gainDb.max);
    if (typeof p.release === 'number' && Number.isFinite(p.release)) k.release = clamp(p.release, KEYBOARD_LIMITS.release.min, KEYBOARD_LIMITS.release.max);
    this.applyKeyboard();
  }

  private applyKeyboard(): void {
    this.keyGain = dbToGain(this.keyParams.gainDb);
    this.releaseFrames = Math.max(1, Math.round(this.keyParams.release * this.sampleRate));
  }

  /**
   * Queue a pitched note: `data` (a root one-shot) transposed by `semitones`,
   * held until noteOff(channel, note) (or its natural end).
   * @param channel MIDI channel 1–16
   * @returns false when dropped (bad channel, note or transposition, empty sample, zero velocity, queue full)
   */
  noteOn(channel: number, note: number, data: Float32Array, sourceRate: Hz, velocity: Velocity, semitones: number, frame: number): boolean {
    const gain = velocityToGain(velocity);
    if (!validChannel(channel) || !validNote(note) || data.length === 0 || !(sourceRate > 0) || gain === 0 || !Number.isFinite(frame) ||
        !(Math.abs(semitones) <= NOTE_TRANSPOSE_LIMIT)) {
      this.countDrop('droppedInvalid');
      return false;
    }
    const slot = this.enqueue(frame);
    if (slot === null) return false;
    slot.kind = EV_NOTE_ON;
    slot.channel = channel - 1;
    slot.note = note;
    slot.value = semitones;
    slot.data = data;
    slot.sourceRate = sourceRate;
    slot.gain = gain;
    return true;
  }

  /** Queue a note-off: the channel's voices of this note release (or wait for the pedal). */
  noteOff(channel: number, note: number, frame: number): boolean {
    return this.queueChannelEvent(EV_NOTE_OFF, channel, note, 0, frame);
  }

  /** Queue a sustain pedal change (CC64): while down, note-offs wait; up releases what waited. */
  sustain(channel: number, down: boolean, frame: number): boolean {
    return this.queueChannelEvent(EV_SUSTAIN, channel, 0, down ? 1 : 0, frame);
  }

  /** Queue a pitch bend (semitones, ±BEND_LIMIT): every voice of the channel glides to it, sounding or not yet started. */
  bend(channel: number, semitones: number, frame: number): boolean {
    if (!Number.isFinite(semitones)) {
      this.countDrop('droppedInvalid');
      return false;
    }
    return this.queueChannelEvent(EV_BEND, channel, 0, clamp(semitones, -BEND_LIMIT, BEND_LIMIT), frame);
  }

  private queueChannelEvent(kind: number, channel: number, note: number, value: number, frame: number): boolean {
    if (!validChannel(channel) || !validNote(note) || !Number.isFinite(frame)) {
      this.countDrop('droppedInvalid');
      return false;
    }
    const slot = this.enqueue(frame);
    if (slot === null) return false;
    slot.kind = kind;
    slot.channel = channel - 1;
    slot.note = note;
    slot.value = value;
    return true;
  }

  /** Take a preallocated event slot, inserted sorted by frame after events of the same frame (stable); null (counted) when the queue is full. */
  private enqueue(frame: number): PendingEvent | null {
    if (this.pendingCount === this.pending.length) {
      this.countDrop('droppedQueueFull');
      // Once, from the message handler (never process()), so the one allocation is allowed.
      if (this.stats.firstOverflow === null) this.stats.firstOverflow = this.describePending();
      return null;
    }
    let i = this.pendingCount;
    const slot = this.pending[i]!;
    while (i > 0 && this.pending[i - 1]!.frame > frame) {
      this.pending[i] = this.pending[i - 1]!;
      i--;
    }
    this.pending[i] = slot;
    slot.frame = frame;
    slot.data = EMPTY;
    this.pendingCount++;
    if (this.pendingCount > this.stats.pendingHigh) this.stats.pendingHigh = this.pendingCount;
    return slot;
  }

  /** What is pending now, relative to the last rendered quantum (diagnostics; allocates). */
  private describePending(): { quantumStart: number; aheadMin: number; aheadMax: number; kinds: number[] } {
    const kinds = [0, 0, 0, 0, 0];
    let aheadMin = Infinity;
    let aheadMax = -Infinity;
    for (let i = 0; i < this.pendingCount; i++) {
      const e = this.pending[i]!;
      kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
      const ahead = e.frame - this.lastQuantumStart;
      if (ahead < aheadMin) aheadMin = ahead;
      if (ahead > aheadMax) aheadMax = ahead;
    }
    return { quantumStart: this.lastQuantumStart, aheadMin, aheadMax, kinds };
  }

  /** Fade out everything and forget pending hits. */
  stopAll(): void {
    this.pendingCount = 0;
    this.sustainDown.fill(0);
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

  /**
   * Whether a sounding voice still reads `data`. The shared-memory sample
   * transport gives a slot back only once this is false. Allocates nothing.
   */
  isPlaying(data: Float32Array): boolean {
    for (let i = 0; i < this.voices.length; i++) {
      const v = this.voices[i]!;
      if (v.active && v.data === data) return true;
    }
    return false;
  }

  /** Drop references to a sample array: pending hits on it are removed (sounding voices finish). */
  forget(data: Float32Array): void {
    let w = 0;
    for (let r = 0; r < this.pendingCount; r++) {
      const e = this.pending[r]!;
      if (e.data === data) {
        this.countDrop('droppedFreed');
        // Once, from the message handler (forget is never called from process()).
        this.stats.firstFreedDrop ??= { kind: e.kind, ahead: e.frame - this.lastQuantumStart, quantumStart: this.lastQuantumStart };
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
    this.lastQuantumStart = quantumStart;
    L.fill(0);
    R.fill(0);
    this.glideBends(n);
    let at = 0;
    while (this.pendingCount > 0) {
      const ev = this.pending[0]!;
      const off = startOffset(ev.frame, quantumStart, n);
      if (off < 0) break;
      if (off > at) {
        this.renderVoices(L, R, at, off);
        at = off;
      }
      this.dispatch(ev);
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

  /**
   * Once per quantum: move each channel's bend one smoothing step toward its
   * target and give every pitched voice a per-frame rate ramp reaching its
   * bent rate at the quantum's end, so a bend never steps (no zipper noise).
   */
  private glideBends(n: number): void {
    const coef = Math.exp(-n / (BEND_SMOOTHING_SECONDS * this.sampleRate));
    for (let c = 0; c < MIDI_CHANNELS; c++) {
      const target = this.bendTarget[c]!;
      const now = this.bendNow[c]!;
      if (now === target) continue;
      let next = target + (now - target) * coef;
      if (Math.abs(next - target) < 1e-6) next = target;
      this.bendNow[c] = next;
      this.bendRatio[c] = Math.pow(2, next / 12);
    }
    for (let i = 0; i < this.voices.length; i++) {
      const v = this.voices[i]!;
      if (!v.active || v.channel < 0) continue;
      const target = v.baseRate * this.bendRatio[v.channel]!;
      v.rateStep = target === v.rate ? 0 : (target - v.rate) / n;
    }
  }

  private dispatch(ev: PendingEvent): void {
    switch (ev.kind) {
      case EV_PAD:
        this.startPadVoice(ev);
        break;
      case EV_NOTE_ON:
        this.startNoteVoice(ev);
        break;
      case EV_NOTE_OFF: {
        const key = ev.channel * 128 + ev.note;
        const hold = this.sustainDown[ev.channel] === 1;
        for (let i = 0; i < this.voices.length; i++) {
          const v = this.voices[i]!;
          if (!v.active || v.key !== key || v.releasing || v.sustained) continue;
          if (hold) v.sustained = true;
          else v.release(this.releaseFrames);
        }
        break;
      }
      case EV_SUSTAIN:
        this.sustainDown[ev.channel] = ev.value > 0 ? 1 : 0;
        if (ev.value === 0) {
          for (let i = 0; i < this.voices.length; i++) {
            const v = this.voices[i]!;
            if (v.active && v.sustained && v.channel === ev.channel) {
              v.sustained = false;
              v.release(this.releaseFrames);
            }
          }
        }
        break;
      case EV_BEND:
        this.bendTarget[ev.channel] = ev.value;
        break;
    }
  }

  private startPadVoice(ev: PendingEvent): void {
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
    const v = this.allocVoice();
    if (v === null) return;
    const gain = ev.gain * this.padGain[pad]!;
    const rate = (this.padTune[pad]! * ev.sourceRate) / this.sampleRate;
    v.init(ev.data, pad, this.padGroup[pad]!, this.seq++);
    v.rate = rate;
    v.baseRate = rate;
    v.gainL = gain * this.padL[pad]!;
    v.gainR = gain * this.padR[pad]!;
    v.envCoef = this.padEnvCoef[pad]!;
  }

  private startNoteVoice(ev: PendingEvent): void {
    const v = this.allocVoice();
    if (v === null) return;
    const gain = ev.gain * this.keyGain;
    const base = (Math.pow(2, ev.value / 12) * ev.sourceRate) / this.sampleRate;
    v.init(ev.data, -1, 0, this.seq++);
    v.rate = base * this.bendRatio[ev.channel]!;
    v.baseRate = base;
    v.gainL = gain;
    v.gainR = gain;
    v.channel = ev.channel;
    v.key = ev.channel * 128 + ev.note;
  }

  /**
   * A voice slot for a new hit or note, pads and notes alike: at the
   * polyphony limit the oldest held voice fades out (stolen); with no free
   * slot the fading voice closest to silence is reused. Null (counted) only
   * when nothing can be had.
   */
  private allocVoice(): Voice | null {
    const voices = this.voices;
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
    const v = free ?? quietest ?? oldest;
    if (v === null) this.countDrop('droppedNoVoice');
    return v;
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
    let pitched = 0;
    for (let i = 0; i < this.voices.length; i++) {
      const v = this.voices[i]!;
      if (!v.active) continue;
      count++;
      if (v.channel >= 0) pitched++;
    }
    this.stats.voices = count;
    this.stats.pitched = pitched;
  }
}

const EMPTY = new Float32Array(0);

function validChannel(channel: number): boolean {
  return Number.isInteger(channel) && channel >= 1 && channel <= MIDI_CHANNELS;
}

function validNote(note: number): boolean {
  return Number.isInteger(note) && note >= 0 && note <= 127;
}
