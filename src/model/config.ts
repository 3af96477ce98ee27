/**
 * models/<name>/config.json (docs/model-spec.md §5): type and validation.
 *
 * Validation is strict and fails with one line naming the file and the field,
 * because a config that is half right produces plausible-sounding garbage
 * rather than an error, and the trainer is written in another language.
 */
import { validateRepresentation, type RepresentationConfig } from '../dsp/config.js';
import { DESCRIPTORS } from '../constants.js';
import { condDim, DESCRIPTOR_TRANSFORMS, valuesForKind, type ConditionKind, type ConditionSpec, type DescriptorStats, type DescriptorTransform } from './conditioning.js';
import type { ScheduleConfig } from './schedule.js';
import { SAMPLERS, type SamplerName } from './sampler.js';
import { validateHarmonicPrior, type HarmonicPriorOptions } from '../dsp/harmonic-prior.js';

/** Hyper-parameters of the 1-D U-Net (spec §4) plus the data normalisation (spec §3). */
export interface ArchitectureConfig {
  /** [C0, C1, C2] channels per resolution. */
  channels: [number, number, number];
  /** Width E of the global embedding. */
  embedDim: number;
  /** GroupNorm groups G. */
  groups: number;
  /** Attention heads H. */
  heads: number;
  /** Length of the cond vector. */
  condDim: number;
  /** Input/output channels (mel bands). */
  nMels: number;
  /** Frames T (divisible by 4). */
  nFrames: number;
  /** x0 = (feature − dataMean) / dataStd. */
  dataMean: number;
  dataStd: number;
  /** Parameter count reported by the trainer (informational, checked against the weights). */
  params?: number;
}

export type ModelKind = 'drums' | 'tonal';

export interface ModelConfig {
  version: number;
  kind: ModelKind;
  representation: RepresentationConfig;
  architecture: ArchitectureConfig;
  conditions: ConditionSpec[];
  /** Drum class names or GM family names, in the categorical condition's order. */
  classes: string[];
  descriptorStats: DescriptorStats;
  schedule: ScheduleConfig;
  /**
   * Defaults for generation. classGuidance: the guidance weight of a class
   * when the request sets none, overriding `guidance` for the classes it
   * names (classes differ in how much guidance they need; see defaultGuidance).
   * lowestPitch (models with a pitch condition): the lowest MIDI note the model
   * renders itself; a lower request is sampled whole octaves up and
   * transposed down by exact resampling (see Generator.generate; measured in
   * reports/eval.md, below it the tonal model plays an octave sharp or noise).
   */
  sampler: { name: SamplerName; steps: number; guidance: number; classGuidance?: Readonly<Record<string, number>>; lowestPitch?: number };
  /**
   * Vocoder settings the model was measured with (optional). harmonicPrior
   * (log-mel models with a pitch condition): invert the mel image favouring
   * the harmonics of the asked note (dsp/harmonic-prior.ts) for
   * every class but `exceptClasses`, the classes the data shows unpitched.
   */
  vocoder?: { harmonicPrior?: HarmonicPriorOptions & { exceptClasses: string[] } };
  /** Provenance; free-form apart from being an object. */
  training: Record<string, unknown>;
}

/** Name of the categorical condition that holds `classes`, per model kind. */
export const CLASS_CONDITION: Record<ModelKind, string> = { drums: 'class', tonal: 'family' };

const KINDS: readonly ConditionKind[] = ['categorical', 'pitch', 'scalar', 'descriptors'];

type Obj = Record<string, unknown>;

/** Largest per-class default guidance (the request limit in requests.ts). */
const MAX_CLASS_GUIDANCE = 20;

/** The guidance a request for `className` gets when it sets none: the class's entry in sampler.classGuidance, else sampler.guidance. */
export function defaultGuidance(config: Pick<ModelConfig, 'sampler'>, className: string): number {
  return config.sampler.classGuidance?.[className] ?? config.sampler.guidance;
}

/**
 * Validate a parsed config.json. `file` is used in messages, e.g.
 * `models/drums/config.json: architecture.groups: 32 does not divide channels[0] = 48`.
 */
export function validateModelConfig(raw: unknown, file = 'config.json'): ModelConfig {
  const fail = (field: string, msg: string): never => {
    throw new Error(`${file}: ${field}: ${msg}`);
  };
  const obj = (v: unknown, field: string): Obj => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, `expected an object, got ${JSON.stringify(v)}`);
    return v as Obj;
  };
  const num = (o: Obj, key: string, field: string, check: (v: number) => boolean, what: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) fail(field, `expected ${what}, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  const str = (o: Obj, key: string, field: string): string => {
    const v = o[key];
    if (typeof v !== 'string' || v.length === 0) fail(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v as string;
  };

  const root = obj(raw, '(root)');
  const version = num(root, 'version', 'version', posInt, 'a positive integer');
  const kind = root['kind'];
  if (kind !== 'drums' && kind !== 'tonal') fail('kind', `expected "drums" or "tonal", got ${JSON.stringify(kind)}`);

  let representation: RepresentationConfig;
  try {
    representation = validateRepresentation(root['representation'], 'representation');
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }

  // --- architecture
  const a = obj(root['architecture'], 'architecture');
  const ch = a['channels'];
  if (!Array.isArray(ch) || ch.length !== 3 || !ch.every((c) => typeof c === 'number' && posInt(c))) {
    fail('architecture.channels', `expected 3 positive integers [C0, C1, C2], got ${JSON.stringify(ch)}`);
  }
  const channels = ch as [number, number, number];
  const architecture: ArchitectureConfig = {
    channels,
    embedDim: num(a, 'embedDim', 'architecture.embedDim', posInt, 'a positive integer'),
    groups: num(a, 'groups', 'architecture.groups', posInt, 'a positive integer'),
    heads: num(a, 'heads', 'architecture.heads', posInt, 'a positive integer'),
    condDim: num(a, 'condDim', 'architecture.condDim', posInt, 'a positive integer'),
    nMels: num(a, 'nMels', 'architecture.nMels', posInt, 'a positive integer'),
    nFrames: num(a, 'nFrames', 'architecture.nFrames', (v) => posInt(v) && v % 4 === 0, 'a positive integer divisible by 4'),
    dataMean: num(a, 'dataMean', 'architecture.dataMean', () => true, 'a finite number'),
    dataStd: num(a, 'dataStd', 'architecture.dataStd', (v) => v > 0, 'a number > 0'),
  };
  if (a['params'] !== undefined) architecture.params = num(a, 'params', 'architecture.params', posInt, 'a positive integer');
  const [c0, c1, c2] = channels;
  // Every GroupNorm input width, including the concatenations of the up path.
  const normed: [string, number][] = [
    ['channels[0]', c0], ['channels[1]', c1], ['channels[2]', c2],
    ['channels[2] + channels[2]', c2 + c2], ['channels[2] + channels[1]', c2 + c1], ['channels[1] + channels[0]', c1 + c0],
  ];
  for (const [what, c] of normed) {
    if (c % architecture.groups !== 0) fail('architecture.groups', `${architecture.groups} does not divide ${what} = ${c}`);
  }
  if (c2 % architecture.heads !== 0) fail('architecture.heads', `${architecture.heads} does not divide channels[2] = ${c2}`);
  if (architecture.nMels !== representation.nMels) {
    fail('architecture.nMels', `${architecture.nMels} differs from representation.nMels ${representation.nMels}`);
  }
  if (architecture.nFrames !== representation.nFrames) {
    fail('architecture.nFrames', `${architecture.nFrames} differs from representation.nFrames ${representation.nFrames}`);
  }

  // --- conditions
  const cs = root['conditions'];
  if (!Array.isArray(cs) || cs.length === 0) fail('conditions', `expected a non-empty array, got ${JSON.stringify(cs)}`);
  const conditions: ConditionSpec[] = (cs as unknown[]).map((c, i) => {
    const f = `conditions[${i}]`;
    const o = obj(c, f);
    const name = str(o, 'name', `${f}.name`);
    const k = o['kind'];
    if (!KINDS.includes(k as ConditionKind)) fail(`${f}.kind`, `expected one of ${KINDS.join(', ')}, got ${JSON.stringify(k)}`);
    const size = num(o, 'size', `${f}.size`, (v) => Number.isInteger(v) && v >= 2, 'an integer ≥ 2 (values + mask flag)');
    const values = valuesForKind(k as ConditionKind);
    if (values !== null && size !== values + 1) fail(`${f}.size`, `a ${String(k)} condition has ${values} values + 1 flag = ${values + 1}, got ${size}`);
    return { name, kind: k as ConditionKind, size };
  });
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    if (names.has(c.name)) fail(`conditions[${i}].name`, `duplicate condition "${c.name}"`);
    names.add(c.name);
  });
  if (condDim(conditions) !== architecture.condDim) {
    fail('architecture.condDim', `${architecture.condDim} differs from the conditions' total size ${condDim(conditions)}`);
  }

  // --- classes: the kind's categorical condition must exist and match
  const cls = root['classes'];
  if (!Array.isArray(cls) || cls.length === 0 || !cls.every((c) => typeof c === 'string' && c.length > 0)) {
    fail('classes', `expected a non-empty array of names, got ${JSON.stringify(cls)}`);
  }
  const classes = cls as string[];
  if (new Set(classes).size !== classes.length) fail('classes', 'contains duplicate names');
  const classIdx = conditions.findIndex((c) => c.name === CLASS_CONDITION[kind as ModelKind]);
  const classCond = conditions[classIdx];
  if (!classCond || classCond.kind !== 'categorical') {
    fail('conditions', `a ${String(kind)} model needs a categorical condition named "${CLASS_CONDITION[kind as ModelKind]}"`);
  }
  if (classCond!.size - 1 !== classes.length) {
    fail(`conditions[${classIdx}].size`, `${classCond!.size} = K + 1 does not match ${classes.length} classes`);
  }
  if (kind === 'drums' && conditions.some((c) => c.kind === 'pitch')) fail('conditions', 'a drums model has no pitch condition');
  if (kind === 'tonal' && !conditions.some((c) => c.name === 'pitch' && c.kind === 'pitch')) {
    fail('conditions', 'a tonal model needs a pitch condition named "pitch"');
  }
  // The harmonic synthesizer renders at the requested note, so only a pitched model can use it.
  if (representation.kind === 'harmonic' && kind !== 'tonal') fail('representation.kind', `"harmonic" needs a tonal model (a requested pitch), got a ${String(kind)} model`);

  // --- descriptor stats
  const ds = obj(root['descriptorStats'], 'descriptorStats');
  const vec = (key: 'mean' | 'std', check: (v: number) => boolean, what: string): number[] => {
    const v = ds[key];
    if (!Array.isArray(v) || v.length !== DESCRIPTORS.length || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && check(x))) {
      fail(`descriptorStats.${key}`, `expected ${DESCRIPTORS.length} ${what}, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  };
  const descriptorStats: DescriptorStats = { mean: vec('mean', () => true, 'finite numbers'), std: vec('std', (x) => x > 0, 'numbers > 0') };
  if (ds['transform'] !== undefined) {
    const t = ds['transform'];
    if (!Array.isArray(t) || t.length !== DESCRIPTORS.length || !t.every((x) => (DESCRIPTOR_TRANSFORMS as readonly unknown[]).includes(x))) {
      fail('descriptorStats.transform', `expected ${DESCRIPTORS.length} of ${DESCRIPTOR_TRANSFORMS.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(t)}`);
    }
    descriptorStats.transform = t as DescriptorTransform[];
  }

  // --- schedule
  const sc = obj(root['schedule'], 'schedule');
  if (sc['type'] !== 'cosine-logsnr') fail('schedule.type', `expected "cosine-logsnr", got ${JSON.stringify(sc['type'])}`);
  const logSnrMin = num(sc, 'logSnrMin', 'schedule.logSnrMin', () => true, 'a finite number');
  const logSnrMax = num(sc, 'logSnrMax', 'schedule.logSnrMax', (v) => v > logSnrMin, `a number above logSnrMin ${logSnrMin}`);

  // --- sampler defaults
  const sa = obj(root['sampler'], 'sampler');
  if (!SAMPLERS.includes(sa['name'] as SamplerName)) fail('sampler.name', `expected one of ${SAMPLERS.join(', ')}, got ${JSON.stringify(sa['name'])}`);
  const sampler: ModelConfig['sampler'] = {
    name: sa['name'] as SamplerName,
    steps: num(sa, 'steps', 'sampler.steps', (v) => posInt(v) && v <= 1000, 'an integer in 1–1000'),
    guidance: num(sa, 'guidance', 'sampler.guidance', (v) => v >= 0, 'a number ≥ 0'),
  };
  if (sa['classGuidance'] !== undefined) {
    const cg = obj(sa['classGuidance'], 'sampler.classGuidance');
    const out: Record<string, number> = {};
    for (const name of Object.keys(cg)) {
      if (!classes.includes(name)) fail(`sampler.classGuidance.${name}`, `unknown class "${name}" (one of ${classes.join(', ')})`);
      out[name] = num(cg, name, `sampler.classGuidance.${name}`, (v) => v >= 0 && v <= MAX_CLASS_GUIDANCE, `a number in 0–${MAX_CLASS_GUIDANCE}`);
    }
    sampler.classGuidance = out;
  }
  if (sa['lowestPitch'] !== undefined) {
    if (!conditions.some((c) => c.kind === 'pitch')) fail('sampler.lowestPitch', 'set on a model without a pitch condition');
    sampler.lowestPitch = num(sa, 'lowestPitch', 'sampler.lowestPitch', (v) => Number.isInteger(v) && v >= 0 && v <= 115, 'a MIDI note 0–115');
  }

  // --- vocoder settings
  let vocoder: ModelConfig['vocoder'];
  if (root['vocoder'] !== undefined) {
    const vo = obj(root['vocoder'], 'vocoder');
    for (const key of Object.keys(vo)) if (key !== 'harmonicPrior') fail(`vocoder.${key}`, 'unknown setting (known: harmonicPrior)');
    vocoder = {};
    if (vo['harmonicPrior'] !== undefined) {
      const f = 'vocoder.harmonicPrior';
      const hp = obj(vo['harmonicPrior'], f);
      if (!conditions.some((c) => c.kind === 'pitch')) fail(f, 'set on a model without a pitch condition (the prior is built on the asked note)');
      if (representation.kind === 'harmonic') fail(f, 'the harmonic representation has no mel image to invert');
      const prior = { floor: hp['floor'] as number, maxHz: hp['maxHz'] as number, lobeBins: hp['lobeBins'] as number };
      try {
        validateHarmonicPrior(prior, f);
      } catch (e) {
        throw new Error(`${file}: ${(e as Error).message}`);
      }
      const ex = hp['exceptClasses'] ?? [];
      if (!Array.isArray(ex)) fail(`${f}.exceptClasses`, `expected an array of class names, got ${JSON.stringify(ex)}`);
      (ex as unknown[]).forEach((name, i) => {
        if (typeof name !== 'string' || !classes.includes(name)) fail(`${f}.exceptClasses[${i}]`, `unknown class ${JSON.stringify(name)} (one of ${classes.join(', ')})`);
      });
      vocoder.harmonicPrior = { ...prior, exceptClasses: [...(ex as string[])] };
    }
  }

  const training = root['training'] === undefined ? {} : obj(root['training'], 'training');

  return {
    version,
    kind: kind as ModelKind,
    representation,
    architecture,
    conditions,
    classes,
    descriptorStats,
    schedule: { type: 'cosine-logsnr', logSnrMin, logSnrMax },
    sampler,
    ...(vocoder ? { vocoder } : {}),
    training,
  };
}
