/**
 * promptToRequest: a PromptParse → a GenerateRequest for one model. Pure.
 *
 * The descriptor condition takes RAW descriptors (log2 Hz, log2 s, punch,
 * flatness; src/model/requests.ts); encodeConditions standardizes them with
 * config.descriptorStats, in each descriptor's scale (its `transform`: a
 * model may standardize flatness as log10). A prompt target of z σ becomes
 *   raw = scale⁻¹(baseline + z × unit)
 * where baseline/unit are the class's own mean/std (in that scale) when
 * per-class baselines are available, else the dataset-wide descriptorStats
 * mean/std. Values are clamped to what the descriptor can measure. See
 * docs/prompts.md §3.
 */
import { DESCRIPTORS, type DescriptorName, type GmFamily } from '../constants.js';
import { fromDescriptorScale, toDescriptorScale, type DescriptorStats } from '../model/conditioning.js';
import type { ModelConfig, ModelKind } from '../model/config.js';
import type { Seed } from '../model/prng.js';
import type { GenerateRequest } from '../model/requests.js';
import type { RepresentationConfig } from '../dsp/config.js';
import type { Velocity } from '../units.js';
import { DRUM_REGISTER_BRIGHTNESS } from './parse.js';
import { noteName, registerPitch } from './pitch.js';
import type { DescriptorTargets, PromptParse } from './types.js';

/** Velocity of a tonal request when neither the prompt nor the base sets one (= the generate CLI's default). */
export const DEFAULT_PROMPT_VELOCITY: Velocity = 100;
/** Loudness σ → velocity: VELOCITY_AT_0σ + σ × VELOCITY_PER_SIGMA, so ±1σ lands on the dataset's two velocities 64 and 112. */
export const VELOCITY_AT_0_SIGMA = 88;
export const VELOCITY_PER_SIGMA = 24;
/** A class std below this fraction of the dataset std is raised to it, so a σ step still moves the descriptor. */
export const MIN_CLASS_STD_FRACTION = 0.25;

/** Mean (and optionally std) of the raw descriptors of one class, in DESCRIPTORS order. */
export interface DescriptorBaseline {
  mean: readonly number[];
  std?: readonly number[];
}
/** Per-class baselines, keyed by class / family name. */
export type ClassDescriptorBaselines = Readonly<Record<string, DescriptorBaseline>>;

/**
 * What promptToRequest reads from a model config. A validated ModelConfig
 * fits; per-class baselines are taken from `classDescriptorStats` or
 * `training.classDescriptorStats` when present (shape: ClassDescriptorBaselines).
 */
export interface PromptModelConfig {
  kind: ModelKind;
  classes: readonly string[];
  conditions: ModelConfig['conditions'];
  descriptorStats: DescriptorStats;
  representation?: Pick<RepresentationConfig, 'sampleRate' | 'hop' | 'nFrames'>;
  training?: Readonly<Record<string, unknown>>;
  classDescriptorStats?: unknown;
}

/** Request fields the prompt does not set: seed (required), guidance, steps, sampler; class/family/pitch/velocity/descriptors as fallbacks. */
export type PromptBase = Partial<Omit<GenerateRequest, 'seed'>> & { seed: Seed };

export interface PromptRequestOptions {
  /** Per-class baselines; override any found in the config. */
  baselines?: ClassDescriptorBaselines;
}

export type PromptRequestResult =
  | {
      ok: true;
      request: GenerateRequest;
      /** Things the caller should show: dropped words, clamped values, the baseline used. */
      warnings: string[];
      /** Where the descriptor baseline came from; 'none' when the request has no descriptors from the prompt. */
      baseline: 'class' | 'dataset' | 'none';
      /** The standardized values the model will see ((raw − mean) / std), when the prompt set descriptors. */
      z?: Record<DescriptorName, number>;
    }
  | { ok: false; error: string };

/** Velocity for a loudness target (σ), clamped to 1–127. */
export function loudnessToVelocity(sigma: number): Velocity {
  return Math.max(1, Math.min(127, Math.round(VELOCITY_AT_0_SIGMA + sigma * VELOCITY_PER_SIGMA)));
}

const vec4 = (v: unknown, positive: boolean): v is number[] =>
  Array.isArray(v) && v.length === DESCRIPTORS.length && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));

/** Validated per-class baselines from options or config, or undefined; malformed entries are reported in `warnings`. */
export function findBaselines(config: PromptModelConfig, options: PromptRequestOptions, warnings: string[]): ClassDescriptorBaselines | undefined {
  const raw: unknown = options.baselines ?? config.classDescriptorStats ?? config.training?.['classDescriptorStats'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    warnings.push('per-class descriptor baselines are not an object; using the dataset mean');
    return undefined;
  }
  const out: Record<string, DescriptorBaseline> = {};
  for (const [name, b] of Object.entries(raw as Record<string, unknown>)) {
    const o = b as { mean?: unknown; std?: unknown } | null;
    if (!o || !vec4(o.mean, false) || (o.std !== undefined && !vec4(o.std, true))) {
      warnings.push(`per-class descriptor baseline for "${name}" is malformed (need mean[4], optional std[4] > 0); ignored`);
      continue;
    }
    out[name] = o.std === undefined ? { mean: o.mean } : { mean: o.mean, std: o.std as number[] };
  }
  return out;
}

/**
 * Per-class baselines from labelled items (e.g. a shard's `items` with
 * `class`/`family` indices and raw `descriptors`), for storing in a config as
 * `training.classDescriptorStats`, in the scale of `scale.transform` (the
 * model's descriptorStats). Classes without items are left out.
 */
export function computeClassBaselines(
  items: readonly { class?: number | string; family?: number | string; descriptors: readonly number[] }[],
  classes: readonly string[],
  scale: Pick<DescriptorStats, 'transform'> = {},
): Record<string, { mean: number[]; std: number[]; count: number }> {
  const groups = new Map<string, number[][]>();
  for (const it of items) {
    const label = it.class ?? it.family;
    const name = typeof label === 'number' ? classes[label] : label;
    if (name === undefined || !classes.includes(name)) continue;
    const g = groups.get(name) ?? [];
    g.push(it.descriptors.map((v, i) => toDescriptorScale(scale, i, v)));
    groups.set(name, g);
  }
  const out: Record<string, { mean: number[]; std: number[]; count: number }> = {};
  for (const name of classes) {
    const g = groups.get(name);
    if (!g) continue;
    const mean = DESCRIPTORS.map((_, i) => g.reduce((s, d) => s + d[i]!, 0) / g.length);
    const std = DESCRIPTORS.map((_, i) => Math.sqrt(g.reduce((s, d) => s + (d[i]! - mean[i]!) ** 2, 0) / g.length));
    out[name] = { mean, std, count: g.length };
  }
  return out;
}

/** What each raw descriptor can be: [min, max] (descriptorVector floors: 20 Hz, 5 ms; decay ≤ clip length). */
function rawLimits(config: PromptModelConfig): [number, number][] {
  const r = config.representation;
  const nyquist = r ? r.sampleRate / 2 : 22050;
  const clip = r ? ((r.nFrames - 1) * r.hop) / r.sampleRate : Infinity;
  return [
    [Math.log2(20), Math.log2(nyquist)],
    [Math.log2(0.005), Math.log2(clip)],
    [0, 1],
    [0, 1],
  ];
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Map a parse to a GenerateRequest for `config`. Never throws: a prompt that
 * cannot drive this model gives { ok: false, error } (one line).
 * Precedence: the prompt's values win; `base` fills what the prompt leaves out.
 */
export function promptToRequest(
  parse: PromptParse,
  config: PromptModelConfig,
  base: PromptBase,
  options: PromptRequestOptions = {},
): PromptRequestResult {
  const warnings: string[] = [];
  const drums = config.kind === 'drums';
  const field = drums ? 'class' : 'family';
  const has = (name: string) => config.conditions.some((c) => c.name === name);

  // --- kind and class
  if (parse.kind !== undefined && parse.kind !== config.kind) {
    const what = parse.class ?? parse.family;
    const described = what ? `${parse.kind === 'drums' ? 'a drum sound' : 'a tonal instrument'} ("${what}")` : `a ${parse.kind} sound`;
    return { ok: false, error: `the prompt describes ${described} but this is a ${config.kind} model; use the ${parse.kind} model` };
  }
  const name = (drums ? parse.class : parse.family) ?? (drums ? base.class : base.family);
  if (name === undefined) {
    return { ok: false, error: `the prompt names no ${drums ? 'drum class' : 'instrument family'}; add one, e.g. "${config.classes[0] ?? 'kick'}" (one of ${config.classes.join(', ')})` };
  }
  if (!config.classes.includes(name)) {
    return { ok: false, error: `this ${config.kind} model has no ${field} "${name}" (it has ${config.classes.join(', ')})` };
  }

  const request: GenerateRequest = { seed: base.seed };
  if (drums) request.class = name;
  else request.family = name;
  if (base.guidance !== undefined) request.guidance = base.guidance;
  if (base.steps !== undefined) request.steps = base.steps;
  if (base.sampler !== undefined) request.sampler = base.sampler;

  const targets: DescriptorTargets = { ...parse.descriptorTargets };

  // --- pitch and velocity
  if (has('pitch')) {
    const family = name as GmFamily;
    request.pitch = parse.pitch ?? (parse.register !== undefined ? registerPitch(family, parse.register) : undefined) ?? base.pitch ?? registerPitch(family, 0);
  } else {
    if (parse.pitch !== undefined) warnings.push(`pitch ${noteName(parse.pitch)} ignored: this ${config.kind} model has no pitch`);
  }
  if (drums && parse.register !== undefined && parse.kind === undefined && targets.brightness === undefined) {
    // The parse did not know it was a drum: a register becomes a brightness hint, as in parsePrompt.
    targets.brightness = Math.round(parse.register * DRUM_REGISTER_BRIGHTNESS * 1000) / 1000;
  }
  const loud = targets.loudness;
  if (has('velocity')) {
    request.velocity = parse.velocity ?? (loud !== undefined ? loudnessToVelocity(loud) : base.velocity ?? DEFAULT_PROMPT_VELOCITY);
  } else {
    if (parse.velocity !== undefined) warnings.push(`velocity ${parse.velocity} ignored: this ${config.kind} model has no velocity`);
    if (loud !== undefined) {
      warnings.push(`loudness ${loud > 0 ? '+' : ''}${loud}σ has no effect on this ${config.kind} model (one-shots are peak-normalised); play it at a lower or higher velocity instead`);
    }
  }

  // --- descriptors
  const asked = DESCRIPTORS.filter((d) => targets[d] !== undefined);
  if (asked.length === 0) {
    if (base.descriptors !== undefined) request.descriptors = base.descriptors;
    return { ok: true, request, warnings, baseline: 'none' };
  }
  if (!has('descriptors')) {
    warnings.push(`${asked.join(', ')} ignored: this model has no descriptor condition`);
    return { ok: true, request, warnings, baseline: 'none' };
  }
  const stats = config.descriptorStats;
  const classBase = findBaselines(config, options, warnings)?.[name];
  if (!classBase) {
    warnings.push(`descriptor targets are relative to the mean of all ${config.kind === 'drums' ? 'drum classes' : 'families'} (no per-class baseline for "${name}" in the model config)`);
  }
  // Targets are set in the scale the model standardizes each descriptor in (descriptorStats.transform;
  // the exported class baselines are in that scale too), then mapped back to raw for the request.
  const limits = rawLimits(config).map(([lo, hi], i) => [toDescriptorScale(stats, i, lo), toDescriptorScale(stats, i, hi)] as const);
  const raw = {} as Record<DescriptorName, number>;
  const z = {} as Record<DescriptorName, number>;
  DESCRIPTORS.forEach((d, i) => {
    const mean = classBase ? classBase.mean[i]! : stats.mean[i]!;
    const classStd = classBase?.std?.[i];
    const floor = MIN_CLASS_STD_FRACTION * stats.std[i]!;
    const unit = classStd === undefined ? stats.std[i]! : Math.max(classStd, floor);
    if (classStd !== undefined && classStd < floor && targets[d] !== undefined) {
      // The model sees descriptors standardised over every class: a class whose own spread is a sliver of that
      // gives it almost nothing to tell its targets apart by (measured: "noisy" vs "clean" tom, docs/prompts.md §3).
      warnings.push(`${d}: "${name}" sounds hardly vary in ${d} in the training data (σ ${classStd.toPrecision(2)} against ${stats.std[i]!.toPrecision(2)} over all ${drums ? 'drum classes' : 'families'}), so the model may barely follow this target`);
    }
    const wanted = mean + (targets[d] ?? 0) * unit;
    const [lo, hi] = limits[i]!;
    const value = Math.max(lo, Math.min(hi, wanted));
    if (value !== wanted && targets[d] !== undefined) {
      const why = d === 'decay' && value === hi ? `${round4(2 ** value)} s, the clip length` : `the ${value === hi ? 'largest' : 'smallest'} value the descriptor takes`;
      warnings.push(`${d} target clamped to ${round4(fromDescriptorScale(stats, i, value))} (${why})`);
    }
    raw[d] = fromDescriptorScale(stats, i, value);
    z[d] = round4((value - stats.mean[i]!) / stats.std[i]!);
  });
  request.descriptors = raw;
  return { ok: true, request, warnings, baseline: classBase ? 'class' : 'dataset', z };
}
