/**
 * Conditioning vector (docs/model-spec.md §2), pure.
 *
 * cond = concat over config.conditions (in order) of [encoded values…, flag],
 * flag = 1 when the condition is given, 0 when dropped; a dropped condition is
 * all zeros, flag included. The all-zeros vector is the unconditional input the
 * network saw under condition dropout, which is what classifier-free guidance
 * subtracts.
 */
import type { MidiNote } from '../units.js';

/** How one condition is encoded. */
export type ConditionKind = 'categorical' | 'pitch' | 'scalar' | 'descriptors';

/** One entry of config.json `conditions`. */
export interface ConditionSpec {
  /** Name the request uses: 'class', 'family', 'pitch', 'velocity', 'descriptors'. */
  name: string;
  kind: ConditionKind;
  /** Floats this condition occupies in `cond`, mask flag included (categorical: K + 1). */
  size: number;
}

/**
 * The scale a descriptor is standardized in: 'identity' (its raw value) or
 * 'log10' (log10 of max(raw, DESCRIPTOR_LOG_FLOOR)). Spectral flatness spans
 * seven decades; in linear units every tonal drum sits within a hundredth of
 * a dataset SD of every other, so a model conditioned linearly cannot tell a
 * clean tom from a noisy one (docs/prompts.md §3). Mirrors training/model.py.
 */
export type DescriptorTransform = 'identity' | 'log10';
export const DESCRIPTOR_TRANSFORMS: readonly DescriptorTransform[] = ['identity', 'log10'];
/** Smallest raw value the log10 scale tells apart (flatness of a pure tone is ~1e-9). */
export const DESCRIPTOR_LOG_FLOOR = 1e-7;

/**
 * config.json `descriptorStats`: train-split mean and std of the descriptors,
 * in each descriptor's scale (`transform`; absent = all identity, i.e. raw).
 */
export interface DescriptorStats {
  /** [4], order of DESCRIPTORS in src/constants.ts, in the descriptor's scale. */
  mean: readonly number[];
  /** [4], all > 0, in the descriptor's scale. */
  std: readonly number[];
  /** [4] scale per descriptor; absent = all 'identity'. */
  transform?: readonly DescriptorTransform[];
}

/** Raw descriptor i → the scale `stats` standardizes it in. */
export function toDescriptorScale(stats: Pick<DescriptorStats, 'transform'>, i: number, raw: number): number {
  return stats.transform?.[i] === 'log10' ? Math.log10(Math.max(raw, DESCRIPTOR_LOG_FLOOR)) : raw;
}

/** Inverse of toDescriptorScale (for values at or above the floor). */
export function fromDescriptorScale(stats: Pick<DescriptorStats, 'transform'>, i: number, v: number): number {
  return stats.transform?.[i] === 'log10' ? 10 ** v : v;
}

/**
 * The value of one condition:
 * - categorical: class index (0 … K − 1)
 * - pitch: MIDI note
 * - scalar: MIDI velocity (1 … 127)
 * - descriptors: the 4 raw descriptors (brightness, decay, punch, noisiness)
 * `undefined` (or a missing key) drops the condition.
 */
export type ConditionValue = number | readonly number[];

/** Values keyed by condition name. */
export type ConditionLabels = Readonly<Record<string, ConditionValue | undefined>>;

/** Periods (in semitones) of the pitch encoding's sin/cos pairs. */
export const PITCH_PERIODS = [3, 6, 12, 24, 48, 96, 192] as const;
/** Encoded pitch values before the flag: 1 linear + 7 × (sin, cos) + 1 zero pad. */
export const PITCH_VALUES = 16;
/** Number of descriptors. */
export const DESCRIPTOR_VALUES = 4;

/** Number of encoded values (flag excluded) the spec fixes for a kind; null when it depends on K. */
export function valuesForKind(kind: ConditionKind): number | null {
  switch (kind) {
    case 'categorical':
      return null;
    case 'pitch':
      return PITCH_VALUES;
    case 'scalar':
      return 1;
    case 'descriptors':
      return DESCRIPTOR_VALUES;
  }
}

/** Where each condition sits in `cond`. */
export interface ConditionSlot {
  spec: ConditionSpec;
  /** Index of its first value in `cond`. */
  offset: number;
  /** Index of its mask flag in `cond` (= offset + size − 1). */
  flag: number;
}

/** Offsets of every condition, in config order. */
export function conditionLayout(conditions: readonly ConditionSpec[]): ConditionSlot[] {
  let offset = 0;
  return conditions.map((spec) => {
    const slot = { spec, offset, flag: offset + spec.size - 1 };
    offset += spec.size;
    return slot;
  });
}

/** Total length of the cond vector. */
export function condDim(conditions: readonly ConditionSpec[]): number {
  return conditions.reduce((n, c) => n + c.size, 0);
}

/**
 * Pitch encoding (16 values): [(v − 64)/32, sin(2πv/P), cos(2πv/P) for P in PITCH_PERIODS, 0].
 * Pairs are interleaved per period (sin₃, cos₃, sin₆, cos₆, …), reading the spec's
 * list comprehension left to right.
 */
export function encodePitch(v: MidiNote, out: Float32Array = new Float32Array(PITCH_VALUES), offset = 0): Float32Array {
  out[offset] = (v - 64) / 32;
  for (let i = 0; i < PITCH_PERIODS.length; i++) {
    const phase = (2 * Math.PI * v) / PITCH_PERIODS[i]!;
    out[offset + 1 + 2 * i] = Math.sin(phase);
    out[offset + 2 + 2 * i] = Math.cos(phase);
  }
  out[offset + PITCH_VALUES - 1] = 0;
  return out;
}

/**
 * Encode labels into one cond vector [condDim]. Throws a one-line error for a
 * value the spec cannot encode (class index out of range, wrong descriptor count,
 * non-finite numbers); unknown label names are rejected so a typo cannot
 * silently drop a condition.
 */
export function encodeConditions(
  conditions: readonly ConditionSpec[],
  labels: ConditionLabels,
  stats: DescriptorStats,
  out: Float32Array = new Float32Array(condDim(conditions)),
  outOffset = 0,
): Float32Array {
  const known = new Set(conditions.map((c) => c.name));
  for (const key of Object.keys(labels)) {
    if (labels[key] !== undefined && !known.has(key)) {
      throw new Error(`condition "${key}": this model has no such condition (it has ${[...known].join(', ')})`);
    }
  }
  out.fill(0, outOffset, outOffset + condDim(conditions));
  for (const { spec, offset, flag } of conditionLayout(conditions)) {
    const value = labels[spec.name];
    if (value === undefined) continue; // dropped: values and flag stay 0
    const at = outOffset + offset;
    const scalarOf = (what: string): number => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(`condition "${spec.name}": expected ${what}, got ${JSON.stringify(value)}`);
      }
      return value;
    };
    switch (spec.kind) {
      case 'categorical': {
        const k = spec.size - 1;
        const index = scalarOf(`a class index in 0–${k - 1}`);
        if (!Number.isInteger(index) || index < 0 || index >= k) {
          throw new Error(`condition "${spec.name}": class index ${index} is outside 0–${k - 1}`);
        }
        out[at + index] = 1;
        break;
      }
      case 'pitch':
        encodePitch(scalarOf('a MIDI note'), out, at);
        break;
      case 'scalar':
        out[at] = scalarOf('a MIDI velocity') / 127;
        break;
      case 'descriptors': {
        if (!Array.isArray(value) || value.length !== DESCRIPTOR_VALUES || !value.every((x) => Number.isFinite(x))) {
          throw new Error(`condition "${spec.name}": expected ${DESCRIPTOR_VALUES} finite raw descriptors, got ${JSON.stringify(value)}`);
        }
        for (let i = 0; i < DESCRIPTOR_VALUES; i++) out[at + i] = (toDescriptorScale(stats, i, value[i] as number) - stats.mean[i]!) / stats.std[i]!;
        break;
      }
    }
    out[outOffset + flag] = 1;
  }
  return out;
}

/** The unconditional vector: every condition dropped (all zeros). */
export function unconditional(conditions: readonly ConditionSpec[]): Float32Array {
  return new Float32Array(condDim(conditions));
}

/**
 * Copy of `cond` with the named conditions dropped (values and flag zeroed),
 * e.g. dropConditions(c, specs, ['descriptors']) for guidance on class only.
 */
export function dropConditions(cond: Float32Array, conditions: readonly ConditionSpec[], drop: readonly string[]): Float32Array {
  const dim = condDim(conditions);
  if (cond.length % dim !== 0) throw new Error(`cond: length ${cond.length} is not a multiple of condDim ${dim}`);
  const names = new Set(conditions.map((c) => c.name));
  for (const d of drop) if (!names.has(d)) throw new Error(`condition "${d}": this model has no such condition`);
  const result = cond.slice();
  for (const { spec, offset } of conditionLayout(conditions)) {
    if (!drop.includes(spec.name)) continue;
    for (let row = 0; row < cond.length; row += dim) result.fill(0, row + offset, row + offset + spec.size);
  }
  return result;
}

/** Decoded view of one condition in a cond vector, for debugging and tests. */
export function isConditionGiven(cond: Float32Array, conditions: readonly ConditionSpec[], name: string, row = 0): boolean {
  const slot = conditionLayout(conditions).find((s) => s.spec.name === name);
  if (!slot) throw new Error(`condition "${name}": this model has no such condition`);
  return cond[row * condDim(conditions) + slot.flag] === 1;
}
