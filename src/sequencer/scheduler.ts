/**
 * The 16-step pattern scheduler: pure functions from tempo, swing and a
 * pattern to hits at exact audio-clock times, and a look-ahead sequencer
 * that hands out each hit exactly once as the clock advances (the "tale of
 * two clocks" scheme: a coarse timer asks every ~25 ms for the hits of the
 * next ~100 ms, and the player starts each one sample-accurately).
 *
 * Timing model: step k (k = 0, 1, 2, … counted from the start, looping over
 * the pattern's 16 steps) falls on start + k · s, s = 60 / tempo / 4 (a 16th
 * note); odd steps are delayed by swing: (swing / 100 − 0.5) · 2 · s, so
 * 50 % is straight, 66.7 % a triplet shuffle and 75 % a dotted 16th.
 */
import type { Seconds, Velocity } from '../units.js';
import { PATTERN_STEPS, type Pattern } from '../presets/schema.js';

/** Tempo and swing. */
export interface Groove {
  /** Beats (quarter notes) per minute. */
  tempo: number;
  /** Swing in %, 50 (straight) … 75. */
  swing: number;
}

/** One scheduled hit. */
export interface Hit {
  pad: number;
  velocity: Velocity;
  /** Audio-context time (seconds). */
  time: Seconds;
  /** Absolute step index since the start (step within the pattern = step % 16). */
  step: number;
}

/** A 16th note at `tempo` (seconds). */
export function sixteenth(tempo: number): Seconds {
  return 60 / tempo / 4;
}

/** How late swing plays an odd 16th (seconds). */
export function swingDelay(groove: Groove): Seconds {
  return ((groove.swing - 50) / 50) * sixteenth(groove.tempo);
}

/** A bar of 4/4 (seconds). */
export function barSeconds(tempo: number): Seconds {
  return (4 * 60) / tempo;
}

function checkGroove(g: Groove): void {
  if (!(Number.isFinite(g.tempo) && g.tempo > 0)) throw new Error(`tempo: expected a positive number of BPM, got ${g.tempo}`);
  if (!(g.swing >= 50 && g.swing <= 75)) throw new Error(`swing: expected 50–75 %, got ${g.swing}`);
}

/** Time of absolute step k when step 0 falls on `start` (fixed tempo and swing). */
export function stepTime(k: number, start: Seconds, groove: Groove): Seconds {
  const s = sixteenth(groove.tempo);
  return start + k * s + (k % 2 === 1 ? swingDelay(groove) : 0);
}

/** The hits of step k of a (looping) pattern at `time`, pads in order. */
function hitsOfStep(pattern: Pattern, k: number, time: Seconds, out: Hit[]): void {
  const col = k % PATTERN_STEPS;
  for (let pad = 0; pad < pattern.steps.length; pad++) {
    const v = pattern.steps[pad]![col]!;
    if (v > 0) out.push({ pad, velocity: v, time, step: k });
  }
}

/**
 * Every hit of a looping pattern, played from `start` at a fixed groove, whose
 * time lies in [t0, t1). Consecutive windows [a, b), [b, c) together give
 * every hit exactly once: each step's time is computed the same way for every
 * window, and a window owns the steps whose time it contains.
 */
export function patternHits(pattern: Pattern, groove: Groove, start: Seconds, t0: Seconds, t1: Seconds): Hit[] {
  checkGroove(groove);
  const out: Hit[] = [];
  if (!(t1 > t0)) return out;
  const s = sixteenth(groove.tempo);
  // Swing delays by less than a step, so step times increase with k; start one step early for the swung one.
  let k = Math.max(0, Math.floor((t0 - start) / s) - 1);
  for (;;) {
    const t = stepTime(k, start, groove);
    if (t >= t1) break;
    if (t >= t0) hitsOfStep(pattern, k, t, out);
    k++;
  }
  return out;
}

/** Look-ahead window and refresh period of the live sequencer (seconds). */
export const LOOKAHEAD: Seconds = 0.1;
export const SCHEDULE_INTERVAL: Seconds = 0.025;

/**
 * The live sequencer: pure state, driven by `advance(now)` from a timer.
 * Each call returns the hits due in [horizon, now + lookahead) and moves the
 * horizon there, so no hit is lost or doubled however irregular the calls.
 * Tempo, swing and pattern edits take effect from the first step not yet
 * handed out; steps already handed out stay where they were scheduled.
 */
export class StepSequencer {
  readonly lookahead: Seconds;
  private pattern: Pattern;
  private groove: Groove;
  private running = false;
  /** Next absolute step to hand out. */
  private nextStep = 0;
  /** Segment anchor: unswung step position `anchorStep` falls on `anchorTime` (re-anchored on tempo change). */
  private anchorStep = 0;
  private anchorTime: Seconds = 0;
  /** Everything before it has been handed out. */
  private horizon: Seconds = 0;

  constructor(pattern: Pattern, opts: { lookahead?: Seconds } = {}) {
    this.pattern = pattern;
    this.groove = { tempo: pattern.tempo, swing: pattern.swing };
    checkGroove(this.groove);
    this.lookahead = opts.lookahead ?? LOOKAHEAD;
  }

  get playing(): boolean {
    return this.running;
  }

  get currentGroove(): Groove {
    return { ...this.groove };
  }

  /** Start with step 0 at `time` (audio-context seconds). */
  start(time: Seconds): void {
    this.running = true;
    this.nextStep = 0;
    this.anchorStep = 0;
    this.anchorTime = time;
    this.horizon = -Infinity;
  }

  stop(): void {
    this.running = false;
  }

  /** Replace the pattern (its tempo and swing too) from the next unscheduled step on. */
  setPattern(pattern: Pattern): void {
    this.pattern = pattern;
    this.setGroove({ tempo: pattern.tempo, swing: pattern.swing });
  }

  /** Change tempo and/or swing from the next unscheduled step on, without a jump in the grid. */
  setGroove(patch: Partial<Groove>): void {
    const next = { ...this.groove, ...patch };
    checkGroove(next);
    if (this.running && next.tempo !== this.groove.tempo && Number.isFinite(this.horizon)) {
      // Re-anchor at the horizon: the unswung grid position there stays put, later steps follow the new tempo.
      const pos = this.anchorStep + (this.horizon - this.anchorTime) / sixteenth(this.groove.tempo);
      this.anchorStep = pos;
      this.anchorTime = this.horizon;
    }
    this.groove = next;
  }

  /** Time of absolute step k under the current segment (never before the segment's start). */
  private timeOf(k: number): Seconds {
    const t = this.anchorTime + (k - this.anchorStep) * sixteenth(this.groove.tempo) + (k % 2 === 1 ? swingDelay(this.groove) : 0);
    return t < this.anchorTime ? this.anchorTime : t;
  }

  /** Hits due before now + lookahead that were not handed out yet, in time order. */
  advance(now: Seconds): Hit[] {
    const out: Hit[] = [];
    if (!this.running) return out;
    const until = now + this.lookahead;
    if (until <= this.horizon) return out;
    for (;;) {
      const t = this.timeOf(this.nextStep);
      if (t >= until) break;
      hitsOfStep(this.pattern, this.nextStep, t, out);
      this.nextStep++;
    }
    this.horizon = until;
    return out;
  }

  /** The step (0–15) sounding at `now`, for the playhead; −1 when stopped or not started yet. */
  stepAt(now: Seconds): number {
    if (!this.running || now < this.anchorTime) return -1;
    const k = Math.floor(this.anchorStep + (now - this.anchorTime) / sixteenth(this.groove.tempo));
    return ((k % PATTERN_STEPS) + PATTERN_STEPS) % PATTERN_STEPS;
  }
}

/** What the timer adapter needs from its surroundings (window timers and the audio clock in the page; fakes in tests). */
export interface ClockHost {
  /** Audio-context time (seconds). */
  now(): Seconds;
  trigger(hit: Hit): void;
  setInterval(cb: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/**
 * Drive a sequencer from a coarse timer: every `interval` seconds, hand the
 * due hits to `host.trigger`. Returns the stop function.
 */
export function runSequencer(seq: StepSequencer, host: ClockHost, interval: Seconds = SCHEDULE_INTERVAL): () => void {
  const tick = () => {
    for (const h of seq.advance(host.now())) host.trigger(h);
  };
  tick();
  const handle = host.setInterval(tick, interval * 1000);
  return () => host.clearInterval(handle);
}
