/**
 * The pitched side of the instrument: turns note-on/off, sustain and pitch
 * bend into player messages, with one-shots from the tonal model.
 *
 * - Regions (keyboard-regions.ts): a generated root every `rootSpacing`
 *   semitones inside the family's range; a note plays its region's root
 *   resampled by the difference (corrected by the root's measured detune).
 * - Each region is a "pad" of the same VariationPool the drum pads use,
 *   keyed by its root note, keeping `variations` ready one-shots.
 * - Only regions that were played, or that cover the visible range (two
 *   octaves around the keyboard's centre by default), are generated; the
 *   pool serves the most recently played first. At most `maxRegions` played
 *   regions outside the view are kept, least recently played dropped first.
 * - A note whose region has nothing yet is dropped and counted (its region
 *   then goes to the front of the queue), never queued up to sound late.
 * - Changing the family, seed or sound settings regenerates in the
 *   background: regions keep playing their old one-shots until the new ones
 *   arrive (the pool's own mechanism).
 */
import { GENERATION_WINDOW, KEY_RELEASE_SECONDS, NOTE_TRANSPOSE_LIMIT } from '../audio/constants.js';
import type { KeyboardParams } from '../audio/voices.js';
import type { Cents, Decibels, Hz, MidiNote, Seconds, Velocity } from '../units.js';
import { GLOBAL_LIMITS } from './kit.js';
import type { GeneratorClient } from './generator-client.js';
import { checkRootSpacing, DEFAULT_ROOT_SPACING, familyRange, regionLayout, regionOf, regionRoot, regionsForNotes, type RegionLayout } from './keyboard-regions.js';
import { measureDetune } from './keyboard-tuning.js';
import { VariationPool, type PadSound, type PoolJob, type SampleId } from './pool.js';
import type { ModelInfo } from './protocol.js';

/** What the keyboard needs from the player (AudioPlayer; a fake in tests). */
export interface KeyboardPlayerPort {
  upload(id: number, data: Float32Array, sampleRate: Hz): void;
  free(ids: readonly number[]): void;
  noteOn(channel: number, note: MidiNote, id: number, velocity: Velocity, semitones: number, time?: Seconds): void;
  noteOff(channel: number, note: MidiNote, time?: Seconds): void;
  sustain(channel: number, down: boolean, time?: Seconds): void;
  bend(channel: number, semitones: number, time?: Seconds): void;
  setKeyboard(params: Partial<KeyboardParams>): void;
}

/**
 * The keyboard's default family. synth-lead: its generated notes were all
 * within ±20 cents of the requested pitch in reports/eval.md (9/9, median 4.6
 * cents) over a wide range (C2–C7), and a lead's bright sustained tone shows
 * off held notes, release and bend at first touch.
 */
export const DEFAULT_KEYBOARD_FAMILY = 'synth-lead';
/** Ready variations per region: fewer than a drum pad's 4, as each tonal one-shot costs twice a drum's (128 frames vs 64). */
export const DEFAULT_KEYBOARD_VARIATIONS = 2;
/** Sample ids of the keyboard start here, far from the drum engine's (which count up from 1), so both share one player. */
export const KEYBOARD_SAMPLE_ID_BASE = 0x40000000;

export interface KeyboardSettings {
  /** GM family (one of the tonal model's classes). */
  family: string;
  /** Semitones between generated roots, 1–12. */
  rootSpacing: number;
  /** Noise seed of every region (one seed keeps the timbre coherent across the keyboard). */
  seed: number;
  /** Variation between repeated notes of a region, 0–1. */
  variation: number;
  /** null = the model's default. */
  guidance: number | null;
  steps: number | null;
  /** Pitch-bend range (semitones each way), 0–12. */
  bendRange: number;
  /** Release after note-off (seconds). */
  release: Seconds;
  gainDb: Decibels;
  /** Centre of the visible keys (MIDI note); the computer keyboard's octave moves it. */
  centre: MidiNote;
  /** Width of the precomputed view around the centre (semitones; 0 = only played regions). */
  view: number;
  /** Played regions outside the view kept ready (regions). */
  maxRegions: number;
  /** Fold each root's measured detune into its notes' transposition. */
  tuneCorrection: boolean;
}

export const DEFAULT_KEYBOARD_SETTINGS: Readonly<KeyboardSettings> = {
  family: DEFAULT_KEYBOARD_FAMILY,
  rootSpacing: DEFAULT_ROOT_SPACING,
  seed: 1,
  variation: 0.15,
  guidance: null,
  steps: null,
  bendRange: 2,
  release: KEY_RELEASE_SECONDS,
  gainDb: 0,
  // The middle of the computer keyboard's first octave (C4–B4): the view spans F#3–F#5.
  centre: 66,
  view: 24,
  maxRegions: 12,
  tuneCorrection: true,
};

/** Validate a settings patch; throws one line naming the first bad field. */
export function checkKeyboardSettings(p: Partial<KeyboardSettings>): Partial<KeyboardSettings> {
  const fail = (field: string, want: string, v: unknown): never => {
    throw new Error(`keyboard ${field} must be ${want}, got ${JSON.stringify(v)}`);
  };
  const int = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  const num = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
  if (p.family !== undefined && (typeof p.family !== 'string' || p.family.length === 0)) fail('family', 'a family name', p.family);
  if (p.rootSpacing !== undefined) checkRootSpacing(p.rootSpacing);
  if (p.seed !== undefined && !int(p.seed, 0, 0xffffffff)) fail('seed', 'an integer 0–4294967295', p.seed);
  if (p.variation !== undefined && !num(p.variation, 0, 1)) fail('variation', 'in 0–1', p.variation);
  if (p.guidance != null && !num(p.guidance, GLOBAL_LIMITS.guidance.min, GLOBAL_LIMITS.guidance.max)) fail('guidance', `${GLOBAL_LIMITS.guidance.min}–${GLOBAL_LIMITS.guidance.max} or null`, p.guidance);
  if (p.steps != null && !int(p.steps, GLOBAL_LIMITS.steps.min, GLOBAL_LIMITS.steps.max)) fail('steps', `an integer ${GLOBAL_LIMITS.steps.min}–${GLOBAL_LIMITS.steps.max} or null`, p.steps);
  if (p.bendRange !== undefined && !num(p.bendRange, 0, 12)) fail('bendRange', '0–12 semitones', p.bendRange);
  if (p.release !== undefined && !num(p.release, 0.005, 5)) fail('release', '0.005–5 s', p.release);
  if (p.gainDb !== undefined && !num(p.gainDb, -60, 12)) fail('gainDb', '−60–12 dB', p.gainDb);
  if (p.centre !== undefined && !int(p.centre, 0, 127)) fail('centre', 'a MIDI note 0–127', p.centre);
  if (p.view !== undefined && !int(p.view, 0, 127)) fail('view', 'an integer 0–127 semitones', p.view);
  if (p.maxRegions !== undefined && !int(p.maxRegions, 0, 128)) fail('maxRegions', 'an integer 0–128', p.maxRegions);
  if (p.tuneCorrection !== undefined && typeof p.tuneCorrection !== 'boolean') fail('tuneCorrection', 'true or false', p.tuneCorrection);
  return p;
}

export interface KeyboardStats {
  /** Notes that sounded. */
  played: number;
  /** Notes dropped because their region had nothing ready yet. */
  notReady: number;
  /** Notes dropped because they lie more than NOTE_TRANSPOSE_LIMIT from any root of the family. */
  outOfRange: number;
}

export interface RegionState {
  root: MidiNote;
  ready: number;
  pending: number;
  wanted: number;
  playable: boolean;
  regenerating: boolean;
  error: string | null;
}

export type KeyboardChange =
  | { type: 'settings' }
  | { type: 'regions' }
  | { type: 'note'; channel: number; note: MidiNote; on: boolean; played: boolean }
  | { type: 'error'; message: string };

export interface KeyboardEngineOptions {
  client: GeneratorClient;
  player: KeyboardPlayerPort;
  settings?: Partial<KeyboardSettings>;
  /** Ready variations per region. */
  variations?: number;
  /** Jobs kept out at the worker at once. */
  window?: number;
  /** Monotonic clock (ms). */
  now?: () => number;
}

interface SampleInfo {
  pitch: MidiNote;
  /** Measured error of the root (cents), 0 when not measured. */
  detune: Cents;
}

export class KeyboardEngine {
  readonly client: GeneratorClient;
  readonly pool: VariationPool;
  readonly stats: KeyboardStats = { played: 0, notReady: 0, outOfRange: 0 };
  private readonly player: KeyboardPlayerPort;
  private readonly window: number;
  private readonly now: () => number;
  private s: KeyboardSettings;
  private model: ModelInfo | null = null;
  private layout: RegionLayout;
  /** Roots mapped in the pool now. */
  private readonly mapped = new Set<MidiNote>();
  /** Played roots, least recently played first. */
  private readonly played: MidiNote[] = [];
  private readonly inFlight = new Map<number, PoolJob>();
  private readonly samples = new Map<SampleId, SampleInfo>();
  /** Sounding keys (channel · 128 + note), for the UI. */
  private readonly held = new Set<number>();
  private readonly listeners = new Set<(c: KeyboardChange) => void>();
  private nextSampleId = KEYBOARD_SAMPLE_ID_BASE;
  private pumpQueued = false;

  constructor(opts: KeyboardEngineOptions) {
    this.client = opts.client;
    this.player = opts.player;
    this.window = opts.window ?? GENERATION_WINDOW;
    this.now = opts.now ?? (() => performance.now());
    this.pool = new VariationPool({ size: opts.variations ?? DEFAULT_KEYBOARD_VARIATIONS });
    this.s = { ...DEFAULT_KEYBOARD_SETTINGS, ...checkKeyboardSettings(opts.settings ?? {}) };
    this.layout = regionLayout(this.s.rootSpacing, familyRange(this.s.family));
  }

  get settings(): Readonly<KeyboardSettings> {
    return this.s;
  }

  get modelInfo(): ModelInfo | null {
    return this.model;
  }

  /** Load the tonal model, then precompute the visible regions. */
  async start(opts: { modelUrl: string; backends?: string[] }): Promise<ModelInfo> {
    const model = await this.client.init(opts.modelUrl, { backends: opts.backends });
    if (model.kind !== 'tonal') throw new Error(`the keyboard needs a tonal model; ${opts.modelUrl} is a ${model.kind} model`);
    if (!model.classes.includes(this.s.family)) throw new Error(`keyboard family "${this.s.family}" is not in the model (one of ${model.classes.join(', ')})`);
    this.model = model;
    this.player.setKeyboard({ release: this.s.release, gainDb: this.s.gainDb });
    this.remap();
    return model;
  }

  /**
   * Play a note. Returns false when it was dropped (no model yet, its region
   * has nothing ready yet, or it is out of reach of every root).
   */
  noteOn(channel: number, note: MidiNote, velocity: Velocity, time?: Seconds): boolean {
    if (!(velocity > 0)) {
      this.noteOff(channel, note, time);
      return false;
    }
    if (!this.model) {
      this.stats.notReady++;
      this.emit({ type: 'note', channel, note, on: true, played: false });
      return false;
    }
    const root = regionRoot(this.layout, regionOf(this.layout, note));
    if (Math.abs(note - root) > NOTE_TRANSPOSE_LIMIT) {
      this.stats.outOfRange++;
      this.emit({ type: 'note', channel, note, on: true, played: false });
      return false;
    }
    this.touch(root);
    const id = this.pool.hit(root, this.now());
    this.freeDropped();
    this.schedulePump();
    if (id === null) {
      this.stats.notReady++;
      this.emit({ type: 'note', channel, note, on: true, played: false });
      return false;
    }
    const info = this.samples.get(id) ?? { pitch: root, detune: 0 };
    const semitones = note - info.pitch - (this.s.tuneCorrection ? info.detune / 100 : 0);
    this.player.noteOn(channel, note, id, velocity, semitones, time);
    this.stats.played++;
    this.held.add(channel * 128 + note);
    this.emit({ type: 'note', channel, note, on: true, played: true });
    return true;
  }

  noteOff(channel: number, note: MidiNote, time?: Seconds): void {
    this.player.noteOff(channel, note, time);
    if (this.held.delete(channel * 128 + note)) this.emit({ type: 'note', channel, note, on: false, played: true });
  }

  /** Sustain pedal (CC64 ≥ 64 = down). */
  sustain(channel: number, down: boolean, time?: Seconds): void {
    this.player.sustain(channel, down, time);
  }

  /** Pitch bend from its 14-bit MIDI value (0–16383, 8192 = centre), scaled to ±bendRange semitones. */
  pitchBend(channel: number, value: number, time?: Seconds): void {
    this.player.bend(channel, bendSemitones(value, this.s.bendRange), time);
  }

  /** Release every sounding note of a channel (CC123 all notes off). */
  allNotesOff(channel: number, time?: Seconds): void {
    for (const key of [...this.held]) if (Math.floor(key / 128) === channel) this.noteOff(channel, key % 128, time);
  }

  /** Sounding notes (MIDI note numbers, any channel), low to high. */
  heldNotes(): MidiNote[] {
    return [...new Set([...this.held].map((k) => k % 128))].sort((a, b) => a - b);
  }

  /** Change settings. Sound changes regenerate in the background; the view moves what is precomputed. */
  setSettings(patch: Partial<KeyboardSettings>): void {
    checkKeyboardSettings(patch);
    if (patch.family !== undefined && this.model && !this.model.classes.includes(patch.family)) {
      throw new Error(`keyboard family "${patch.family}" is not in the model (one of ${this.model.classes.join(', ')})`);
    }
    const before = this.s;
    this.s = { ...before, ...patch };
    if (this.s.release !== before.release || this.s.gainDb !== before.gainDb) this.player.setKeyboard({ release: this.s.release, gainDb: this.s.gainDb });
    if (this.s.family !== before.family || this.s.rootSpacing !== before.rootSpacing) {
      this.layout = regionLayout(this.s.rootSpacing, familyRange(this.s.family));
      // Played roots that are no roots any more are forgotten; the played regions' notes map to the new roots when next played.
      this.played.splice(0, this.played.length, ...this.played.filter((r) => this.isRoot(r)));
    }
    this.remap();
    this.emit({ type: 'settings' });
  }

  /** Move the view (and the computer keyboard) by octaves. */
  shiftOctave(octaves: number): void {
    const centre = Math.min(120, Math.max(12, this.s.centre + 12 * Math.trunc(octaves)));
    if (centre !== this.s.centre) this.setSettings({ centre });
  }

  /** Region roots of the current layout that the view covers, low to high. */
  visibleRoots(): MidiNote[] {
    if (this.s.view <= 0) return [];
    const half = Math.floor(this.s.view / 2);
    return regionsForNotes(this.layout, this.s.centre - half, this.s.centre + half).map((k) => regionRoot(this.layout, k));
  }

  /** The root that plays `note` under the current settings. */
  rootFor(note: MidiNote): MidiNote {
    return regionRoot(this.layout, regionOf(this.layout, note));
  }

  /** State of every mapped region, low to high. */
  regions(): RegionState[] {
    return [...this.mapped].sort((a, b) => a - b).map((root) => ({ root, ...this.pool.state(root) }));
  }

  /** Clear region errors and try again. */
  retry(): void {
    this.pool.retry();
    this.schedulePump();
  }

  onChange(cb: (c: KeyboardChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private isRoot(note: MidiNote): boolean {
    return regionRoot(this.layout, regionOf(this.layout, note)) === note;
  }

  private soundFor(root: MidiNote): PadSound {
    return {
      class: this.s.family,
      pitch: root,
      seed: this.s.seed,
      guidance: this.s.guidance ?? this.model!.defaultGuidance,
      steps: this.s.steps ?? this.model!.defaultSteps,
      variation: this.s.variation,
    };
  }

  /** Mark a root as just played (least recently played dropped past maxRegions, unless visible). */
  private touch(root: MidiNote): void {
    const i = this.played.indexOf(root);
    if (i >= 0) this.played.splice(i, 1);
    this.played.push(root);
    if (!this.mapped.has(root)) this.remap();
    else if (this.played.length > this.s.maxRegions) this.remap();
  }

  /** Bring the pool's mapped regions in line with the view and the played list. */
  private remap(): void {
    if (!this.model) return;
    const visible = this.visibleRoots();
    const keep = new Set(visible);
    // Played regions, most recent first, up to maxRegions beyond the view.
    let extra = 0;
    for (let i = this.played.length - 1; i >= 0; i--) {
      const r = this.played[i]!;
      if (keep.has(r)) continue;
      if (extra >= this.s.maxRegions) {
        this.played.splice(i, 1);
        continue;
      }
      keep.add(r);
      extra++;
    }
    for (const root of [...this.mapped]) {
      if (keep.has(root)) continue;
      this.pool.setPad(root, null);
      this.cancelRegion(root);
      this.mapped.delete(root);
    }
    for (const root of keep) {
      const before = this.pool.sound(root);
      this.pool.setPad(root, this.soundFor(root));
      if (this.pool.sound(root) !== before && before !== null) this.cancelRegion(root);
      this.mapped.add(root);
    }
    this.freeDropped();
    this.emit({ type: 'regions' });
    this.schedulePump();
  }

  /** Stop a region's jobs still out at the worker (its sound changed or it was dropped). */
  private cancelRegion(root: MidiNote): void {
    const stale = [...this.inFlight].filter(([, j]) => j.pad === root).map(([id]) => id);
    for (const id of stale) this.inFlight.delete(id);
    this.client.cancel(stale);
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.model || this.client.status.state === 'failed') return;
    const free = this.window - this.inFlight.size;
    if (free <= 0) return;
    const jobs = this.pool.nextJobs(free, this.now());
    if (jobs.length === 0) return;
    const handles = this.client.generateMany(jobs.map((j) => j.request));
    handles.forEach(({ id, done }, i) => {
      const job = jobs[i]!;
      this.inFlight.set(id, job);
      done.then(
        (r) => {
          if (!this.inFlight.delete(id)) return;
          const sid = this.nextSampleId++;
          if (this.pool.deliver(job, sid)) {
            const pitch = job.request.pitch ?? job.pad;
            const detune = this.s.tuneCorrection ? measureDetune(r.audio, r.sampleRate, pitch) ?? 0 : 0;
            this.samples.set(sid, { pitch, detune });
            this.player.upload(sid, r.audio, r.sampleRate);
          }
          this.freeDropped();
          this.emit({ type: 'regions' });
          this.schedulePump();
        },
        (e: unknown) => {
          if (!this.inFlight.delete(id)) return; // cancelled by us
          const message = e instanceof Error ? e.message : String(e);
          this.pool.fail(job, message);
          this.emit({ type: 'error', message: `keyboard region ${job.pad}: ${message}` });
          this.emit({ type: 'regions' });
          this.schedulePump();
        },
      );
    });
    this.emit({ type: 'regions' });
  }

  private freeDropped(): void {
    const ids = this.pool.drainFreed();
    if (ids.length === 0) return;
    for (const id of ids) this.samples.delete(id);
    this.player.free(ids);
  }

  private emit(c: KeyboardChange): void {
    for (const l of this.listeners) l(c);
  }
}

/** 14-bit pitch-bend value → semitones: 0 → −range, 8192 → 0, 16383 → +range exactly. */
export function bendSemitones(value: number, range: number): number {
  if (!Number.isFinite(value)) return 0;
  const v = Math.min(16383, Math.max(0, Math.round(value)));
  const d = v - 8192;
  return (d / (d >= 0 ? 8191 : 8192)) * range;
}
