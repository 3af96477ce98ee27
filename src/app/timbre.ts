/**
 * The timbre knobs (brightness, decay, punch, noisiness): pure mapping from
 * knob positions to the drums model's descriptor targets, and to and from a
 * preset's `globals.timbre`.
 *
 * A knob is a signed amount in standard deviations (σ) away from each pad's
 * own class baseline, exactly as a prompt's "bright" / "dark" is
 * (src/prompt/request.ts promptToRequest: raw = class mean + z × class unit),
 * so one knob turned up brightens a kick and a hat alike, relative to what a
 * kick and a hat usually are. All knobs at 0 (centre) = no descriptor
 * condition at all: the timbre is left to the model. One knob off centre
 * sends all four descriptors, the others at their class baseline (the model
 * takes all four or none).
 *
 * A preset stores timbre in the descriptors' own units (Hz, s, 0–1, 0–1;
 * src/presets/schema.ts), which are class-free; the bridge is the dataset-wide
 * statistics (config.json `descriptorStats`): value = f(scale⁻¹(mean + z × std)),
 * with f = 2^x for brightness (log2 Hz) and decay (log2 s), and scale⁻¹ = 10^x
 * for a descriptor the model standardizes as log10 (descriptorStats.transform). Each knob's range is
 * ±2σ cut to what the preset format can hold, so save → load gives back the
 * same z exactly (punch and noisiness are 0–1 quantities; their stats put
 * their limits closer than 2σ on one side).
 */
import { DESCRIPTORS, type DescriptorName } from '../constants.js';
import { fromDescriptorScale, toDescriptorScale, type DescriptorStats } from '../model/conditioning.js';
import { promptToRequest, type PromptModelConfig } from '../prompt/request.js';
import type { PromptParse } from '../prompt/types.js';
import { PRESET_LIMITS, type Timbre } from '../presets/schema.js';

/** Widest knob excursion (σ), both sides. */
export const TIMBRE_SIGMA_RANGE = 2;

/** Knob positions (σ); a missing or 0 entry = centre. */
export type TimbrePositions = Partial<Record<DescriptorName, number>>;

/** Descriptors stored as log2 of their unit (brightness: log2 Hz, decay: log2 s). */
const LOG2: Readonly<Record<DescriptorName, boolean>> = { brightness: true, decay: true, punch: false, noisiness: false };

/** What the timbre mapping needs from a model's config.json (a validated ModelConfig fits). */
export type TimbreModel = PromptModelConfig;

/**
 * Read the fields the timbre knobs need from a parsed config.json; throws one
 * line naming the missing field. Per-class baselines are optional (without
 * them targets are relative to the dataset mean, as in promptToRequest).
 */
export function timbreModelFromConfig(raw: unknown, where = 'config.json'): TimbreModel {
  const o = raw as Partial<TimbreModel> | null;
  const vec = (v: unknown) => Array.isArray(v) && v.length === DESCRIPTORS.length && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!o || typeof o !== 'object') throw new Error(`${where}: expected an object`);
  if (o.kind !== 'drums' && o.kind !== 'tonal') throw new Error(`${where}: kind: expected "drums" or "tonal", got ${JSON.stringify(o.kind)}`);
  if (!Array.isArray(o.classes)) throw new Error(`${where}: classes: expected a list`);
  if (!Array.isArray(o.conditions)) throw new Error(`${where}: conditions: expected a list`);
  const ds = o.descriptorStats;
  if (!ds || !vec(ds.mean) || !vec(ds.std) || !ds.std.every((x) => x > 0)) {
    throw new Error(`${where}: descriptorStats: expected {mean: [${DESCRIPTORS.length}], std: [${DESCRIPTORS.length}] > 0}`);
  }
  return o as TimbreModel;
}

/** Whether the model takes descriptor targets at all. */
export function hasDescriptors(model: TimbreModel): boolean {
  return model.conditions.some((c) => c.name === 'descriptors');
}

/** A knob's range (σ): ±TIMBRE_SIGMA_RANGE cut to what a preset can store. */
export function timbreRange(stats: DescriptorStats, d: DescriptorName): { min: number; max: number } {
  const i = DESCRIPTORS.indexOf(d);
  const lim = PRESET_LIMITS[d];
  const scaled = (v: number) => toDescriptorScale(stats, i, LOG2[d] ? Math.log2(v) : v);
  const lo = (scaled(lim.min) - stats.mean[i]!) / stats.std[i]!;
  const hi = (scaled(lim.max) - stats.mean[i]!) / stats.std[i]!;
  // Two decimals inside the limit, so the stored value always validates.
  return {
    min: Math.max(-TIMBRE_SIGMA_RANGE, Math.ceil(lo * 100) / 100),
    max: Math.min(TIMBRE_SIGMA_RANGE, Math.floor(hi * 100) / 100),
  };
}

/** True when every knob is at centre (the timbre is left to the model). */
export function isCentred(pos: TimbrePositions): boolean {
  return DESCRIPTORS.every((d) => !pos[d]);
}

/**
 * The raw descriptor targets for one pad class, or undefined when every knob
 * is centred or the model has no descriptor condition. Same formula as a
 * prompt's targets (promptToRequest), so the knobs and prompts agree.
 */
export function descriptorTargets(model: TimbreModel, cls: string, pos: TimbrePositions): Record<DescriptorName, number> | undefined {
  if (isCentred(pos) || !hasDescriptors(model)) return undefined;
  const targets: Partial<Record<DescriptorName, number>> = {};
  for (const d of DESCRIPTORS) if (pos[d]) targets[d] = pos[d];
  const parse: PromptParse = { text: '', descriptorTargets: targets, tokens: [], unknown: [], warnings: [] };
  const field = model.kind === 'drums' ? { class: cls } : { family: cls };
  const r = promptToRequest(parse, model, { seed: 0, ...field });
  if (!r.ok) throw new Error(`timbre: ${r.error}`);
  return r.request.descriptors as Record<DescriptorName, number> | undefined;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** Knob positions → a preset's `globals.timbre` (centred knobs are left out). */
export function timbreToPreset(stats: DescriptorStats, pos: TimbrePositions): Timbre {
  const out: Timbre = {};
  DESCRIPTORS.forEach((d, i) => {
    const z = pos[d];
    if (!z) return;
    const raw = fromDescriptorScale(stats, i, stats.mean[i]! + z * stats.std[i]!);
    // A log10-scaled descriptor keeps 9 significant digits (a clean drum's flatness is ~1e-5), the others 9 decimals.
    out[d] = LOG2[d] ? round(2 ** raw, 9) : stats.transform?.[i] === 'log10' ? Number(raw.toPrecision(9)) : round(raw, 9);
  });
  return out;
}

/** A preset's `globals.timbre` → knob positions (σ, two decimals: the knobs' step), clamped to each knob's range. */
export function timbreFromPreset(stats: DescriptorStats, timbre: Timbre): TimbrePositions {
  const out: TimbrePositions = {};
  DESCRIPTORS.forEach((d, i) => {
    const v = timbre[d];
    if (v === undefined) return;
    const scaled = toDescriptorScale(stats, i, LOG2[d] ? Math.log2(v) : v);
    const { min, max } = timbreRange(stats, d);
    const z = Math.min(max, Math.max(min, round((scaled - stats.mean[i]!) / stats.std[i]!, 2)));
    if (z !== 0) out[d] = z;
  });
  return out;
}

/** What a knob at z means for a pad of class `cls`, in the descriptor's unit (for the knob's title). */
export function describeTarget(d: DescriptorName, raw: number): string {
  switch (d) {
    case 'brightness': {
      const hz = 2 ** raw;
      return hz >= 1000 ? `${(hz / 1000).toFixed(1)} kHz` : `${Math.round(hz)} Hz`;
    }
    case 'decay': {
      const s = 2 ** raw;
      return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
    }
    case 'punch':
    case 'noisiness':
      return raw.toFixed(2);
  }
}
