/**
 * Generation requests: validation against a model's config and batch
 * planning. Pure (no tfjs), so the CLI can reject bad arguments before
 * loading anything.
 */
import { DESCRIPTORS, type DescriptorName } from '../constants.js';
import type { MidiNote, Velocity } from '../units.js';
import type { ConditionLabels } from './conditioning.js';
import { CLASS_CONDITION, defaultGuidance, type ModelConfig } from './config.js';
import type { Seed } from './prng.js';
import { SAMPLERS, type SamplerName } from './sampler.js';

/** What to generate. */
export interface GenerateRequest {
  /** Drum class (drums model), one of config.classes, e.g. 'kick'. */
  class?: string;
  /** GM family (tonal model), one of config.classes, e.g. 'bass'. */
  family?: string;
  /** MIDI note (tonal model; required there). */
  pitch?: MidiNote;
  /** MIDI velocity 1–127 (tonal model); omitted = left to the model. */
  velocity?: Velocity;
  /** Target raw descriptors (all four or none); omitted = left to the model. */
  descriptors?: Readonly<Record<DescriptorName, number>>;
  /** Noise seed, integer 0–4294967295: same seed, same request, same backend → same one-shot. */
  seed: Seed;
  /** Classifier-free guidance weight; the class's default when omitted (config.ts defaultGuidance; 1 = no guidance). */
  guidance?: number;
  /** Solver steps; config.sampler.steps when omitted. */
  steps?: number;
  /** Solver; config.sampler.name when omitted. */
  sampler?: SamplerName;
}

/** A request checked against a model and reduced to what the sampler needs. */
export interface ResolvedRequest {
  labels: ConditionLabels;
  seed: Seed;
  guidance: number;
  steps: number;
  sampler: SamplerName;
}

const MAX_STEPS = 1000;
const MAX_GUIDANCE = 20;

/**
 * Check one request against a model's config. Pure; throws one line, prefixed
 * with the request's index when there are several.
 */
export function resolveRequest(config: ModelConfig, req: GenerateRequest, where = 'request'): ResolvedRequest {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  const labels: Record<string, number | number[] | undefined> = {};
  const className = config.kind === 'drums' ? req.class : req.family;
  const otherName = config.kind === 'drums' ? req.family : req.class;
  const field = config.kind === 'drums' ? 'class' : 'family';
  if (otherName !== undefined) fail(`a ${config.kind} model takes "${field}", not "${config.kind === 'drums' ? 'family' : 'class'}"`);
  if (className === undefined) fail(`"${field}" is required (one of ${config.classes.join(', ')})`);
  const index = config.classes.indexOf(className!);
  if (index < 0) fail(`unknown ${field} "${className}" (one of ${config.classes.join(', ')})`);
  labels[CLASS_CONDITION[config.kind]] = index;

  const has = (name: string) => config.conditions.some((c) => c.name === name);
  if (req.pitch !== undefined) {
    if (!has('pitch')) fail(`this ${config.kind} model has no pitch`);
    if (!Number.isInteger(req.pitch) || req.pitch < 0 || req.pitch > 127) fail(`pitch must be a MIDI note 0–127, got ${req.pitch}`);
    labels['pitch'] = req.pitch;
  } else if (has('pitch')) {
    fail('"pitch" is required for a tonal model');
  }
  if (req.velocity !== undefined) {
    if (!has('velocity')) fail(`this ${config.kind} model has no velocity`);
    if (!Number.isInteger(req.velocity) || req.velocity < 1 || req.velocity > 127) fail(`velocity must be 1–127, got ${req.velocity}`);
    labels['velocity'] = req.velocity;
  }
  if (req.descriptors !== undefined) {
    if (!has('descriptors')) fail('this model has no descriptor condition');
    const d = req.descriptors;
    const values = DESCRIPTORS.map((name) => d[name]);
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`descriptors.${DESCRIPTORS[i]} must be a finite number, got ${v}`);
    });
    labels['descriptors'] = values as number[];
  }
  if (!Number.isInteger(req.seed) || req.seed < 0 || req.seed > 0xffffffff) fail(`seed must be an integer 0–4294967295, got ${req.seed}`);
  const guidance = req.guidance ?? defaultGuidance(config, className!);
  if (!Number.isFinite(guidance) || guidance < 0 || guidance > MAX_GUIDANCE) fail(`guidance must be 0–${MAX_GUIDANCE}, got ${guidance}`);
  const steps = req.steps ?? config.sampler.steps;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) fail(`steps must be an integer 1–${MAX_STEPS}, got ${steps}`);
  const sampler = req.sampler ?? config.sampler.name;
  if (!SAMPLERS.includes(sampler)) fail(`sampler must be one of ${SAMPLERS.join(', ')}, got ${sampler}`);
  return { labels, seed: req.seed, guidance, steps, sampler };
}

/** Split resolved requests into batches of equal (steps, sampler), at most maxBatch each, keeping indices. */
export function planBatches(resolved: readonly ResolvedRequest[], maxBatch: number): number[][] {
  const groups = new Map<string, number[]>();
  resolved.forEach((r, i) => {
    const key = `${r.sampler}/${r.steps}`;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const batches: number[][] = [];
  for (const g of groups.values()) for (let i = 0; i < g.length; i += maxBatch) batches.push(g.slice(i, i + maxBatch));
  return batches;
}
