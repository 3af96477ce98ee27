/**
 * Kits: which drum class and seed each pad plays, its mix settings, and the
 * global sound settings. A kit is plain JSON (presets/*.json), validated here.
 */
import { z } from 'zod';
import { DRUM_CLASSES } from '../constants.js';
import { HAT_CHOKE_GROUP, PAD_COUNT } from '../audio/constants.js';
import type { PadParams } from '../audio/voices.js';
import { PAD_LIMITS } from '../audio/voices.js';
import type { PadSound } from './pool.js';
import { padSeed } from './seeds.js';

/** Global knob ranges (with units in the comments). */
export const GLOBAL_LIMITS = {
  /** Kit seed: 0 keeps each pad's own seed (integer). */
  seed: { min: 0, max: 9999 },
  /** Classifier-free guidance weight (× conditional direction). */
  guidance: { min: 1, max: 8 },
  /** Solver steps (network evaluations). */
  steps: { min: 1, max: 50 },
  /** Variation between hits (fraction 0–1, shown as %). */
  variation: { min: 0, max: 1 },
} as const;

const padSchema = z.object({
  note: z.number().int().min(0).max(127),
  class: z.string().min(1),
  seed: z.number().int().min(0).max(0xffffffff),
  gainDb: z.number().min(PAD_LIMITS.gainDb.min).max(PAD_LIMITS.gainDb.max).default(0),
  tune: z.number().min(PAD_LIMITS.tune.min).max(PAD_LIMITS.tune.max).default(0),
  pan: z.number().min(-1).max(1).default(0),
  /** Seconds to −60 dB, or null for the sample's own decay. */
  decay: z.number().min(PAD_LIMITS.decay.min).max(PAD_LIMITS.decay.max).nullable().default(null),
  /** Choke group this pad belongs to (0 = none, 1–31); absent = from the class (open hats: HAT_CHOKE_GROUP). Set by v2 presets. */
  chokeGroup: z.number().int().min(0).max(31).optional(),
  /** Choke groups a hit on this pad cuts; absent = from the class (closed hats cut the open hats). Set by v2 presets. */
  chokes: z.array(z.number().int().min(1).max(31)).optional(),
  /** True: the kit seed leaves this pad's seed as it is (and the dice skip it). Set by v2 presets. */
  seedLock: z.boolean().optional(),
  /** This pad's variation amount (0–1); absent = globals.variation. Set by v2 presets. */
  variation: z.number().min(0).max(1).optional(),
});

const kitSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  /** Model folder URL, e.g. "/models/drums". */
  model: z.string().min(1),
  /** Closed and pedal hats choke the open hat. */
  chokeHats: z.boolean().default(true),
  globals: z.object({
    seed: z.number().int().min(GLOBAL_LIMITS.seed.min).max(GLOBAL_LIMITS.seed.max).default(0),
    /** null = the model's default. */
    guidance: z.number().min(GLOBAL_LIMITS.guidance.min).max(GLOBAL_LIMITS.guidance.max).nullable().default(null),
    steps: z.number().int().min(GLOBAL_LIMITS.steps.min).max(GLOBAL_LIMITS.steps.max).nullable().default(null),
    variation: z.number().min(0).max(1).default(0.25),
  }),
  pads: z.array(padSchema).length(PAD_COUNT),
});

export type KitPad = z.infer<typeof padSchema>;
export type Kit = z.infer<typeof kitSchema>;

/** Validate a kit; throws one line naming the first bad field. */
export function parseKit(raw: unknown, where = 'kit'): Kit {
  const r = kitSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  for (const [i, p] of r.data.pads.entries()) {
    if (!(DRUM_CLASSES as readonly string[]).includes(p.class)) {
      throw new Error(`${where}: pads.${i}.class: unknown drum class "${p.class}" (one of ${DRUM_CLASSES.join(', ')})`);
    }
  }
  return r.data;
}

/** The model's generation defaults a pad falls back on. */
export interface SoundDefaults {
  guidance: number;
  steps: number;
  /** Per-class guidance overriding `guidance` (ModelInfo.classGuidance). */
  classGuidance?: Readonly<Record<string, number>>;
}

/** Guidance of a pad of `className` when the kit sets none: the class's default, else the model's. */
export function padGuidanceDefault(defaults: SoundDefaults, className: string): number {
  return defaults.classGuidance?.[className] ?? defaults.guidance;
}

/** What the model needs to know about a pad: its sound under the kit's globals. */
export function padSound(kit: Kit, pad: number, defaults: SoundDefaults): PadSound {
  const p = kit.pads[pad]!;
  return {
    class: p.class,
    seed: p.seedLock ? p.seed >>> 0 : padSeed(kit.globals.seed, p.seed),
    guidance: kit.globals.guidance ?? padGuidanceDefault(defaults, p.class),
    steps: kit.globals.steps ?? defaults.steps,
    variation: p.variation ?? kit.globals.variation,
  };
}

/** The worklet's settings for a pad, choke groups included: open hats form a group the closed hats cut. */
export function padParams(kit: Kit, pad: number): PadParams {
  const p = kit.pads[pad]!;
  return {
    gainDb: p.gainDb,
    tune: p.tune,
    pan: p.pan,
    decay: p.decay,
    chokeGroup: p.chokeGroup ?? (p.class === 'open-hat' ? HAT_CHOKE_GROUP : 0),
    chokes: p.chokes ? p.chokes.reduce((m, g) => m | (1 << g), 0) : p.class === 'closed-hat' ? 1 << HAT_CHOKE_GROUP : 0,
  };
}
