/**
 * Preset file format, version 2: everything that makes a sound of the
 * instrument reproducible, as plain JSON (presets/*.json, user presets in
 * IndexedDB, exported .json files).
 *
 * ```jsonc
 * {
 *   "version": 2,                       // PRESET_VERSION; v1 kits migrate (migrate.ts)
 *   "name": "Dark 808-ish",             // 1–80 characters
 *   "description": "Low, long kicks…",  // one line, ≤ 300 characters
 *   "category": "kit",                  // "kit" (the pads are the point) or "tonal" (the keyboard is)
 *   "model": "/models/drums",           // drums model folder URL the pads use
 *   "chokeEnabled": true,               // choke groups on (false: nothing is ever cut)
 *   "pads": [ {                         // exactly 16, pad 0 = bottom-left of the grid
 *     "note": 36,                       // MIDI note that plays it, 0–127
 *     "class": "kick",                  // a drum class (src/constants.ts DRUM_CLASSES)
 *     "seed": 1001,                     // diffusion seed, integer 0–4294967295
 *     "seedLock": false,                // true: "randomise seeds" and the kit seed leave it alone
 *     "variation": null,                // 0–1, or null to follow globals.variation
 *     "gainDb": 0, "tune": 0, "pan": 0, // dB −60…12, semitones −24…24, −1…1
 *     "decay": null,                    // seconds to −60 dB 0.01–10, null = the sound's own
 *     "chokeGroup": 0,                  // group this pad's voices belong to, 0 = none, 1–31
 *     "chokes": [],                     // groups a hit on this pad cuts, e.g. [1] for a closed hat
 *     "prompt": "dark 808 kick"         // optional text the pad was made from
 *   }, … ],
 *   "globals": {
 *     "seed": 0,                        // kit seed 0–9999: 0 = each pad's own seed
 *     "guidance": null, "steps": null,  // null = the model's defaults; 1–8, 1–50
 *     "variation": 0.25,                // 0–1: how much hits differ
 *     "timbre": { "brightness": 180 }   // optional descriptor targets: Hz, s, 0–1, 0–1
 *   },
 *   "keyboard": {                       // the pitched one-shot section
 *     "model": "/models/tonal",
 *     "family": "bass",                 // a GM family (src/constants.ts GM_FAMILIES)
 *     "octave": 0,                      // transposition in octaves, −3…3
 *     "rootSpacing": 3,                 // semitones between generated root notes, 1–12
 *     "seed": 1,                        // integer 0–4294967295
 *     "prompt": "warm round bass"       // optional
 *   },
 *   "midi": [ { "cc": 74, "channel": 1, "knob": "guidance" } ],  // MIDI-learn: CC on a channel → knob id
 *   "patterns": [ {                     // up to 16 patterns of 16 steps
 *     "name": "Basic", "tempo": 120,    // BPM 20–300
 *     "swing": 50,                      // %, 50 = straight … 75 = dotted (odd 16ths delayed)
 *     "steps": [[100,0,…], …]           // [pad][step] velocity 0–127 (0 = rest), 16 × 16
 *   } ]
 * }
 * ```
 *
 * Validation errors are one line naming the field and the value, e.g.
 * `my-kit.json: pads.3.seed: expected an integer 0–4294967295, got "abc"`.
 */
import { z } from 'zod';
import { DRUM_CLASSES, GM_FAMILIES } from '../constants.js';
import { PAD_COUNT } from '../audio/constants.js';
import { PAD_LIMITS } from '../audio/voices.js';
import { GLOBAL_LIMITS } from '../engine/kit.js';

/** The preset format version this app writes and reads (older ones migrate). */
export const PRESET_VERSION = 2;
/** Steps in one pattern (16ths of a 4/4 bar). */
export const PATTERN_STEPS = 16;
/** Patterns one preset holds at most. */
export const MAX_PATTERNS = 16;
/** Largest seed (unsigned 32-bit). */
export const MAX_SEED = 0xffffffff;

/** Limits of the fields that are new in v2 (units in the comments). */
export const PRESET_LIMITS = {
  /** Pattern tempo (BPM). */
  tempo: { min: 20, max: 300 },
  /** Swing (%): position of the odd 16th inside its 8th; 50 = straight, 66.7 = triplet, 75 = dotted. */
  swing: { min: 50, max: 75 },
  /** Keyboard transposition (octaves). */
  octave: { min: -3, max: 3 },
  /** Semitones between the keyboard's generated root notes. */
  rootSpacing: { min: 1, max: 12 },
  /** Choke group ids (0 = none). */
  chokeGroup: { min: 0, max: 31 },
  /** Timbre targets, in the descriptors' units (src/dsp/descriptors.ts). */
  brightness: { min: 20, max: 22050 },
  decay: { min: 0.005, max: 10 },
  punch: { min: 0, max: 1 },
  noisiness: { min: 0, max: 1 },
  /** Characters. */
  name: 80,
  description: 300,
  prompt: 200,
} as const;

/** How a value looks in an error message: strings quoted, absent values named. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return 'an object';
}

type Issue = { input?: unknown };
const expected = (what: string) => (iss: Issue) => `expected ${what}, got ${shown(iss.input)}`;

/** An integer in [min, max]; every failure says so. */
export function intIn(min: number, max: number) {
  const error = expected(`an integer ${min}–${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A finite number in [min, max]. */
export function numIn(min: number, max: number, unit = '') {
  const error = expected(`a number ${min}–${max}${unit}`);
  return z.number({ error }).min(min, { error }).max(max, { error });
}

const bool = () => z.boolean({ error: expected('true or false') });

/** A one-line text of 1–max characters (min 0 when `optional`). */
function line(max: number, min = 1) {
  const what = `one line of ${min}–${max} characters`;
  const error = expected(what);
  return z
    .string({ error })
    .min(min, { error })
    .max(max, { error })
    .refine((s) => !/[\r\n]/.test(s), { error: (iss) => `expected ${what}, got a line break in ${shown(iss.input)}` });
}

function oneOf<T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, { error: (iss) => `expected ${what} (${values.join(', ')}), got ${shown(iss.input)}` });
}

const padSchema = z.object(
  {
    note: intIn(0, 127),
    class: oneOf(DRUM_CLASSES, 'a drum class'),
    seed: intIn(0, MAX_SEED),
    seedLock: bool().default(false),
    variation: numIn(0, 1).nullable().default(null),
    gainDb: numIn(PAD_LIMITS.gainDb.min, PAD_LIMITS.gainDb.max, ' dB').default(0),
    tune: numIn(PAD_LIMITS.tune.min, PAD_LIMITS.tune.max, ' semitones').default(0),
    pan: numIn(PAD_LIMITS.pan.min, PAD_LIMITS.pan.max).default(0),
    decay: numIn(PAD_LIMITS.decay.min, PAD_LIMITS.decay.max, ' s').nullable().default(null),
    chokeGroup: intIn(PRESET_LIMITS.chokeGroup.min, PRESET_LIMITS.chokeGroup.max).default(0),
    chokes: z
      .array(intIn(1, PRESET_LIMITS.chokeGroup.max), { error: expected('a list of choke groups 1–31') })
      .max(PRESET_LIMITS.chokeGroup.max)
      .default([]),
    prompt: line(PRESET_LIMITS.prompt, 0).optional(),
  },
  { error: expected('a pad object') },
);

const timbreSchema = z.object(
  {
    brightness: numIn(PRESET_LIMITS.brightness.min, PRESET_LIMITS.brightness.max, ' Hz').optional(),
    decay: numIn(PRESET_LIMITS.decay.min, PRESET_LIMITS.decay.max, ' s').optional(),
    punch: numIn(PRESET_LIMITS.punch.min, PRESET_LIMITS.punch.max).optional(),
    noisiness: numIn(PRESET_LIMITS.noisiness.min, PRESET_LIMITS.noisiness.max).optional(),
  },
  { error: expected('an object of timbre targets') },
);

const globalsSchema = z.object(
  {
    seed: intIn(GLOBAL_LIMITS.seed.min, GLOBAL_LIMITS.seed.max).default(0),
    guidance: numIn(GLOBAL_LIMITS.guidance.min, GLOBAL_LIMITS.guidance.max).nullable().default(null),
    steps: intIn(GLOBAL_LIMITS.steps.min, GLOBAL_LIMITS.steps.max).nullable().default(null),
    variation: numIn(GLOBAL_LIMITS.variation.min, GLOBAL_LIMITS.variation.max).default(0.25),
    timbre: timbreSchema.default({}),
  },
  { error: expected('an object of global settings') },
);

const keyboardSchema = z.object(
  {
    model: line(200).default('/models/tonal'),
    family: oneOf(GM_FAMILIES, 'a GM family'),
    octave: intIn(PRESET_LIMITS.octave.min, PRESET_LIMITS.octave.max).default(0),
    rootSpacing: intIn(PRESET_LIMITS.rootSpacing.min, PRESET_LIMITS.rootSpacing.max).default(3),
    seed: intIn(0, MAX_SEED).default(1),
    prompt: line(PRESET_LIMITS.prompt, 0).optional(),
  },
  { error: expected('a keyboard object') },
);

const midiMappingSchema = z.object(
  {
    cc: intIn(0, 127),
    channel: intIn(1, 16),
    /** Knob id, e.g. "guidance", "brightness", "pad.3.gainDb". */
    knob: z.string({ error: expected('a knob id') }).regex(/^[A-Za-z][\w.-]{0,63}$/, { error: expected('a knob id like "guidance" or "pad.3.gainDb"') }),
  },
  { error: expected('a MIDI mapping {cc, channel, knob}') },
);

const velocity = intIn(0, 127);
const stepRow = z
  .array(velocity, { error: expected(`a row of ${PATTERN_STEPS} velocities 0–127`) })
  .length(PATTERN_STEPS, { error: (iss) => `expected ${PATTERN_STEPS} steps, got ${shown(iss.input)}` });

const patternSchema = z.object(
  {
    name: line(PRESET_LIMITS.name),
    tempo: numIn(PRESET_LIMITS.tempo.min, PRESET_LIMITS.tempo.max, ' BPM').default(120),
    swing: numIn(PRESET_LIMITS.swing.min, PRESET_LIMITS.swing.max, ' %').default(50),
    steps: z
      .array(stepRow, { error: expected(`${PAD_COUNT} pad rows of ${PATTERN_STEPS} velocities`) })
      .length(PAD_COUNT, { error: (iss) => `expected ${PAD_COUNT} pad rows, got ${shown(iss.input)}` }),
  },
  { error: expected('a pattern object') },
);

export const presetSchema = z.object(
  {
    version: z.literal(PRESET_VERSION, { error: expected(`version ${PRESET_VERSION}`) }),
    name: line(PRESET_LIMITS.name),
    description: line(PRESET_LIMITS.description, 0).default(''),
    category: oneOf(['kit', 'tonal'] as const, 'a category').default('kit'),
    model: line(200).default('/models/drums'),
    chokeEnabled: bool().default(true),
    pads: z
      .array(padSchema, { error: expected(`a list of ${PAD_COUNT} pads`) })
      .length(PAD_COUNT, { error: (iss) => `expected exactly ${PAD_COUNT} pads, got ${shown(iss.input)}` }),
    globals: globalsSchema,
    keyboard: keyboardSchema.default({ family: 'piano', model: '/models/tonal', octave: 0, rootSpacing: 3, seed: 1 }),
    midi: z.array(midiMappingSchema, { error: expected('a list of MIDI mappings') }).max(512).default([]),
    patterns: z
      .array(patternSchema, { error: expected('a list of patterns') })
      .max(MAX_PATTERNS, { error: (iss) => `expected at most ${MAX_PATTERNS} patterns, got ${shown(iss.input)}` })
      .default([]),
  },
  { error: expected('a preset object') },
);

export type PresetPad = z.infer<typeof padSchema>;
export type PresetGlobals = z.infer<typeof globalsSchema>;
export type Timbre = z.infer<typeof timbreSchema>;
export type KeyboardSettings = z.infer<typeof keyboardSchema>;
export type MidiMapping = z.infer<typeof midiMappingSchema>;
export type Pattern = z.infer<typeof patternSchema>;
/** A validated v2 preset (defaults filled in). */
export type Preset = z.infer<typeof presetSchema>;
/** What may be written to a file: defaults may be left out. */
export type PresetInput = z.input<typeof presetSchema>;

/** A user-facing preset error: one line, `where: field: message`. */
export class PresetError extends Error {
  override name = 'PresetError';
}

/**
 * Validate a v2 preset (already JSON-parsed). Pure: returns a new object,
 * never touches `raw`. Throws a PresetError naming the first bad field.
 */
export function parsePresetV2(raw: unknown, where = 'preset'): Preset {
  const r = presetSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new PresetError(`${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const p = r.data;
  // Cross-field rules zod cannot see per field.
  const seen = new Map<string, number>();
  p.midi.forEach((m, i) => {
    const key = `${m.channel}/${m.cc}`;
    const first = seen.get(key);
    if (first !== undefined) throw new PresetError(`${where}: midi.${i}: CC ${m.cc} on channel ${m.channel} is already mapped by midi.${first}`);
    seen.set(key, i);
  });
  return structuredClone(p);
}

/** An empty pattern (all rests) for the given name. */
export function emptyPattern(name: string, tempo = 120, swing = 50): Pattern {
  return { name, tempo, swing, steps: Array.from({ length: PAD_COUNT }, () => new Array<number>(PATTERN_STEPS).fill(0)) };
}
