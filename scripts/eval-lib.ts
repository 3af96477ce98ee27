/**
 * Pure helpers of the evaluation harness (scripts/eval.ts): what to generate,
 * how to split it over worker processes, pitch measurement and correction,
 * WAV selection under a size budget, and the Markdown report.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { FAMILY_RANGE } from '../src/dataset/labels.js';
import { centsAboveKey } from '../src/dataset/pitch-label.js';
import { estimateF0 } from '../src/dsp/pitch.js';
import { fitLength } from '../src/dsp/features.js';
import type { RepresentationConfig } from '../src/dsp/config.js';
import { shiftCents } from '../src/dsp/transpose.js';
import type { GmFamily } from '../src/constants.js';
import type { GenerateRequest } from '../src/model/requests.js';

export type Kind = 'drums' | 'tonal';
export const KINDS: readonly Kind[] = ['drums', 'tonal'];

/** One one-shot to generate. `index` is its row in gen_<kind>.npy. */
export interface GenItem {
  kind: Kind;
  index: number;
  /** Drum class or GM family name, and its index in the model's classes. */
  className: string;
  classIndex: number;
  pitch?: number;
  velocity?: number;
  seed: number;
  guidance: number;
  /** 'main': default settings; 'sweep': the guidance sweep's extra weights. */
  set: 'main' | 'sweep';
  /** Keep the audio: a candidate for reports/eval/. */
  wav?: boolean;
  /**
   * The exact request to generate (scripts/eval-prompts.ts: a prompt's
   * promptToRequest result); when absent the worker builds it from the fields above.
   */
  request?: GenerateRequest;
}

export interface PlanSizes {
  /** Drums: one-shots per class at default settings. */
  drumsPerClass: number;
  /** Tonal: one-shots per (family, pitch) at default settings. */
  tonalPerPitch: number;
  /** Drums: one-shots per class and sweep weight. */
  sweepDrumsPerClass: number;
  /** Tonal: one-shots per family (at its middle pitch) and sweep weight. */
  sweepTonalPerPitch: number;
  /** Real test rows per class sent through the vocoder (diagnostic). */
  vocodedPerClass: number;
  /** WAV candidates per class (seeds 0..n−1 of the main set). */
  wavsPerClass: number;
}

export const FULL_SIZES: PlanSizes = {
  drumsPerClass: 32,
  tonalPerPitch: 3,
  sweepDrumsPerClass: 6,
  sweepTonalPerPitch: 2,
  vocodedPerClass: 3,
  wavsPerClass: 2,
};

export const QUICK_SIZES: PlanSizes = {
  drumsPerClass: 2,
  tonalPerPitch: 1,
  sweepDrumsPerClass: 1,
  sweepTonalPerPitch: 1,
  vocodedPerClass: 1,
  wavsPerClass: 1,
};

/** Seeds are spread out so neighbouring requests do not share noise patterns by construction. */
export const seedOf = (i: number): number => 1000 + 7919 * i;

/** Pitch from the prompt (eval:prompts, probe:prior): explicit notes and registers over several families. */
export const PITCH_PROMPTS: readonly string[] = [
  'bass in C2', 'A#3 piano', 'low pad', 'high flute', 'organ C4', 'guitar in E3', 'strings in G3', 'synth lead in A4',
];

/** Velocities alternate between the dataset's two render velocities. */
export const VELOCITIES = [112, 64] as const;

/**
 * Three pitches an octave apart inside a family's range: the C nearest the
 * range's centre and the Cs below and above, shifted by octaves as needed to
 * stay inside [lo, hi]. Ranges narrower than two octaves get the centre ±12
 * clamped (never happens with FAMILY_RANGE).
 */
export function evalPitches(range: readonly [number, number]): [number, number, number] {
  const [lo, hi] = range;
  const centre = (lo + hi) / 2;
  let c = Math.round(centre / 12) * 12;
  while (c - 12 < lo && c + 12 + 12 <= hi) c += 12;
  while (c + 12 > hi && c - 12 - 12 >= lo) c -= 12;
  if (c - 12 < lo || c + 12 > hi) c = Math.round(centre);
  return [c - 12, c, c + 12];
}

export function familyPitches(family: string): [number, number, number] {
  const range = FAMILY_RANGE[family as GmFamily];
  if (!range) throw new Error(`no FAMILY_RANGE for "${family}"`);
  return evalPitches(range);
}

/**
 * The generation plan of one model: the main set at default settings, then
 * the guidance sweep (weights other than the default; the default point
 * reuses the main set's first seeds, identical requests). `classGuidance`:
 * the model's per-class defaults (config sampler.classGuidance), which the
 * main set uses for the classes it names.
 */
export function planRequests(kind: Kind, classes: readonly string[], defaultGuidance: number, sizes: PlanSizes, sweepWeights: readonly number[],
  classGuidance?: Readonly<Record<string, number>>): GenItem[] {
  const items: GenItem[] = [];
  const push = (it: Omit<GenItem, 'index' | 'kind'>) => items.push({ kind, index: items.length, ...it });
  const perCell = kind === 'drums' ? sizes.drumsPerClass : sizes.tonalPerPitch;
  const sweepPer = Math.min(perCell, kind === 'drums' ? sizes.sweepDrumsPerClass : sizes.sweepTonalPerPitch);
  const cells = (c: string): Array<number | undefined> => (kind === 'drums' ? [undefined] : familyPitches(c));
  classes.forEach((c, ci) => {
    for (const pitch of cells(c)) {
      for (let s = 0; s < perCell; s++) {
        const wav = s < sizes.wavsPerClass && (kind === 'drums' || pitch === familyPitches(c)[1]);
        push({
          className: c, classIndex: ci, seed: seedOf(s), guidance: classGuidance?.[c] ?? defaultGuidance, set: 'main',
          ...(pitch !== undefined ? { pitch, velocity: VELOCITIES[s % 2]! } : {}),
          ...(wav ? { wav: true } : {}),
        });
      }
    }
  });
  // The sweep uses the middle pitch of each tonal family only (cost).
  const sweepCells = (c: string): Array<number | undefined> => (kind === 'drums' ? [undefined] : [familyPitches(c)[1]]);
  for (const w of sweepWeights) {
    if (w === defaultGuidance) continue;
    classes.forEach((c, ci) => {
      for (const pitch of sweepCells(c)) {
        for (let s = 0; s < sweepPer; s++) {
          push({
            className: c, classIndex: ci, seed: seedOf(s), guidance: w, set: 'sweep',
            ...(pitch !== undefined ? { pitch, velocity: VELOCITIES[s % 2]! } : {}),
          });
        }
      }
    });
  }
  return items;
}

/** The sweep's weights: 0, 1, the default and twice the default (deduplicated, ascending). */
export function sweepWeights(defaultGuidance: number): number[] {
  return [...new Set([0, 1, defaultGuidance, 2 * defaultGuidance])].sort((a, b) => a - b);
}

/** A batch for one Generator.generate call: same kind and guidance, at most maxBatch items. */
export interface Batch {
  kind: Kind;
  items: GenItem[];
  /** Relative cost estimate (for balancing workers). */
  cost: number;
}

/**
 * Relative cost of one one-shot: the network (rows × steps × frames; guided =
 * two rows) plus the vocoder (frames). Weights measured on the 2-core box
 * (64 frames: 0.023 s per network row and step in a batch of 16, 0.85 s of
 * vocoder), so a cost of 64 × 1.3 ≈ 83 is about one second there.
 */
export function itemCost(nFrames: number, guidance: number, steps: number): number {
  const rows = guidance === 1 ? 1 : 2;
  return nFrames * (0.022 * rows * steps + 0.85);
}

export function makeBatches(items: readonly GenItem[], maxBatch: number, costOf: (it: GenItem) => number): Batch[] {
  const groups = new Map<string, GenItem[]>();
  for (const it of items) {
    const key = `${it.kind}/${it.guidance}`;
    const g = groups.get(key);
    if (g) g.push(it);
    else groups.set(key, [it]);
  }
  const out: Batch[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.length; i += maxBatch) {
      const b = g.slice(i, i + maxBatch);
      out.push({ kind: b[0]!.kind, items: b, cost: b.reduce((s, it) => s + costOf(it), 0) });
    }
  }
  return out;
}

/** Longest-processing-time-first assignment of weighted tasks to `n` workers; returns task indices per worker. */
export function assignLpt(costs: readonly number[], n: number): number[][] {
  const order = costs.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0]);
  const load = new Array<number>(n).fill(0);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [c, i] of order) {
    let w = 0;
    for (let j = 1; j < n; j++) if (load[j]! < load[w]!) w = j;
    out[w]!.push(i);
    load[w]! += c;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Pitch

/** Cents of f0 above the MIDI note (negative: flat). */
export const centsOff = centsAboveKey;

/** Largest measured error the post-generation correction will fix (one octave). */
export const MAX_CORRECTION_CENTS = 1200;

/**
 * Post-generation pitch correction: resample the one-shot by the measured
 * error so its f0 moves onto the requested note (shorter when raised, padded
 * with silence when lowered, length kept). Returns the input when the error
 * is unknown or beyond MAX_CORRECTION_CENTS.
 */
export function pitchCorrect(audio: Float32Array, sampleRate: number, cents: number | null, cfg: RepresentationConfig): Float32Array {
  if (cents === null || !Number.isFinite(cents) || Math.abs(cents) > MAX_CORRECTION_CENTS) return audio;
  return fitLength(shiftCents(audio, -cents, sampleRate), cfg);
}

export interface PitchMeasure {
  f0: number | null;
  cents: number | null;
  f0Corrected: number | null;
  centsCorrected: number | null;
}

/** estimateF0 (blind to the asked note) before and after the correction (tolerance ±20 cents is applied by pitchStats). */
export function measurePitch(audio: Float32Array, midi: number, cfg: RepresentationConfig): PitchMeasure {
  const sr = cfg.sampleRate;
  const f0 = estimateF0(audio, sr).f0;
  const cents = f0 === null ? null : centsOff(f0, midi);
  const corrected = pitchCorrect(audio, sr, cents, cfg);
  const f0c = corrected === audio ? f0 : estimateF0(corrected, sr).f0;
  return { f0, cents, f0Corrected: f0c, centsCorrected: f0c === null ? null : centsOff(f0c, midi) };
}

export interface PitchStats {
  n: number;
  /** Share with an f0 at all (YIN found periodicity). */
  detected: number;
  /** Share within ±tol cents of the requested note; undetected notes count as misses. */
  within: number;
  /** Median |cents| over detected notes (null when none). */
  medianAbs: number | null;
  /** Share within ±tol cents of the requested pitch class (octave errors forgiven). */
  withinFolded: number;
}

export function pitchStats(cents: ReadonlyArray<number | null>, tol = 20): PitchStats {
  const n = cents.length;
  const det = cents.filter((c): c is number => c !== null && Number.isFinite(c));
  const abs = det.map(Math.abs).sort((a, b) => a - b);
  const median = abs.length === 0 ? null : abs.length % 2 ? abs[(abs.length - 1) / 2]! : (abs[abs.length / 2 - 1]! + abs[abs.length / 2]!) / 2;
  const folded = det.map((c) => Math.abs(c - 1200 * Math.round(c / 1200)));
  return {
    n,
    detected: n ? det.length / n : 0,
    within: n ? abs.filter((a) => a <= tol).length / n : 0,
    medianAbs: median,
    withinFolded: n ? folded.filter((a) => a <= tol).length / n : 0,
  };
}

// ---------------------------------------------------------------------------
// WAVs

export interface WavCandidate {
  name: string;
  /** Bytes the file will take. */
  bytes: number;
  /** Lower rounds are taken first (round r = seed index r). */
  round: number;
}

/** Candidates by round, then in the given order, while the total stays within the budget. */
export function selectWavs<T extends WavCandidate>(cands: readonly T[], budget: number): T[] {
  const order = cands.map((c, i) => [c, i] as const).sort((a, b) => a[0].round - b[0].round || a[1] - b[1]);
  const out: T[] = [];
  let total = 0;
  for (const [c] of order) {
    if (total + c.bytes > budget) continue;
    out.push(c);
    total += c.bytes;
  }
  return out;
}

/** Index after the last sample above `db` below the peak, plus a 10 ms tail (at most the length). */
export function trimmedLength(x: Float32Array, sampleRate: number, db = -60): number {
  let pk = 0;
  for (const v of x) pk = Math.max(pk, Math.abs(v));
  if (pk === 0) return Math.min(x.length, Math.round(0.05 * sampleRate));
  const thr = pk * 10 ** (db / 20);
  let last = 0;
  for (let i = x.length - 1; i >= 0; i--) if (Math.abs(x[i]!) >= thr) { last = i; break; }
  return Math.min(x.length, last + 1 + Math.round(0.01 * sampleRate));
}

// ---------------------------------------------------------------------------
// Report

export interface ClassRow {
  name: string;
  nGen: number;
  nTest: number;
  testRecall: number | null;
  share: number | null;
  shareRaw: number | null;
  fd: number | null;
  fdFloor: number | null;
  diversityGen: number | null;
  diversityReal: number | null;
  nearCopy: number | null;
  nearCopyMel: number | null;
  nnGenMedian: number | null;
  nnTestMedian: number | null;
}

export interface SweepRow {
  guidance: number;
  n: number;
  accuracy: number;
  accuracyRaw: number;
  fd: number;
  fdFloor: number;
  is: number;
}

export interface KindResult {
  kind: Kind;
  classes: string[];
  guidanceDefault: number;
  classifier: { testAccuracy: number; testRows: number; cached: boolean; epochs: number; trainRows: number; trainSeconds: number };
  overall: {
    nGen: number; nTest: number; share: number; shareRaw: number; fd: number; fdFloor: number; fdFloorStd: number;
    isGen: number; isTest: number; isTrainMatched: number; nearCopy: number; nearCopyThreshold: number;
    nnGenMedian: number; nnTestMedian: number; nearCopyMel: number; nearCopyMelThreshold: number;
    nnGenMelMedian: number; nnTestMelMedian: number; diversityGen: number; diversityReal: number;
  };
  perClass: ClassRow[];
  sweep: SweepRow[];
  vocodedTest: { n: number; accuracy: number; accuracyClean: number } | null;
  floorDraws: number;
}

export interface PitchReport {
  /** Per family: stats before and after correction. */
  families: Array<{ family: string; pitches: number[]; before: PitchStats; after: PitchStats }>;
  /** By position in each family's three pitches (low, middle, high). */
  positions: Array<{ label: string; before: PitchStats; after: PitchStats }>;
  before: PitchStats;
  after: PitchStats;
  realBefore: PitchStats;
  realAfter: PitchStats;
  /** Real test notes restricted to the evaluated pitches (±1 semitone). */
  realNearEval: PitchStats;
  /**
   * Families whose real training notes sound at their key: share of real
   * train notes within ±20 cents of their label, octave errors forgiven, per
   * family; a family at or above PITCHED_FAMILY_SHARE is pitched. The target
   * is judged on the pitched families' notes (a percussive or sound-effects
   * program that plays the same sound on every key has no pitch to hit).
   */
  trainShare: Record<string, number>;
  pitchedFamilies: string[];
  pitchedBefore: PitchStats;
  pitchedAfter: PitchStats;
}

/** A family counts as pitched when this share of its real train notes is within ±20 cents of the key (octaves forgiven). */
export const PITCHED_FAMILY_SHARE = 0.5;

/** Families whose train share reaches PITCHED_FAMILY_SHARE, in the given order. */
export function pitchedFamilies(families: readonly string[], trainShare: Readonly<Record<string, number>>): string[] {
  return families.filter((f) => (trainShare[f] ?? 0) >= PITCHED_FAMILY_SHARE);
}

export interface Target {
  name: string;
  pass: boolean;
  detail: string;
}

const pct = (v: number | null | undefined, d = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(d)} %`);
const num = (v: number | null | undefined, d = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
/** Three significant digits (FD values span orders of magnitude). */
const sig = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v === 0 ? '0' : Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(3));
const ratio = (a: number | null | undefined, b: number | null | undefined, d = 2): string =>
  a === null || a === undefined || b === null || b === undefined || !(b > 0) ? '—' : (a / b).toFixed(d);

/** The Done-means targets of issue 4, evaluated on the results. */
export function evaluateTargets(results: Partial<Record<Kind, KindResult>>, pitch: PitchReport | null): Target[] {
  const out: Target[] = [];
  for (const kind of KINDS) {
    const r = results[kind];
    if (!r) continue;
    // The issue's bar is per class: 90 % of the classifier's recall on real test items *of that class*
    // (not of its overall accuracy). Classes with no real test item have no bar.
    const barOf = (c: ClassRow) => (c.testRecall === null ? null : 0.9 * c.testRecall);
    const judged = r.perClass.filter((c) => c.share !== null && barOf(c) !== null);
    const bad = judged.filter((c) => c.share! < barOf(c)!);
    out.push({
      name: `${kind}: per-class share ≥ 90 % of the classifier's real-test recall of that class`,
      pass: bad.length === 0 && judged.length > 0,
      detail: bad.length
        ? `below: ${bad.map((c) => `${c.name} ${pct(c.share)} (bar ${pct(barOf(c))}, ${c.nTest} test items)`).join(', ')}`
        : `all ${judged.length} classes pass (bars from ${judged.length} per-class recalls)`,
    });
    const o = r.overall;
    out.push({
      name: `${kind}: FD ≤ 2× train↔test floor`,
      pass: o.fd <= 2 * o.fdFloor,
      detail: `FD ${sig(o.fd)} vs floor ${sig(o.fdFloor)} (×${ratio(o.fd, o.fdFloor)}); per class ${r.perClass.filter((c) => c.fd !== null && c.fdFloor !== null && c.fd <= 2 * c.fdFloor).length}/${r.perClass.filter((c) => c.fd !== null && c.fdFloor !== null).length} within 2×`,
    });
    out.push({
      name: `${kind}: near-copies ≤ 2 % (log-mel distance of the sampler output to the training features)`,
      pass: o.nearCopyMel <= 0.02,
      detail: `${pct(o.nearCopyMel, 1)} of generated closer to a training row than the 5th percentile of real test; in classifier-embedding space ${pct(o.nearCopy, 1)} (a class-discriminative space that packs typical members of a class together, see the table)`,
    });
    const divRows = r.perClass.filter((c) => c.diversityGen !== null && c.diversityReal !== null && c.diversityReal > 0);
    const divBad = divRows.filter((c) => c.diversityGen! < 0.7 * c.diversityReal!);
    out.push({
      name: `${kind}: diversity ≥ 70 % of real, per class`,
      pass: divBad.length === 0 && divRows.length > 0,
      detail: divBad.length ? `below: ${divBad.map((c) => `${c.name} ${ratio(c.diversityGen, c.diversityReal)}`).join(', ')}` : `all ${divRows.length} classes with ≥ 2 real test items pass`,
    });
    const sw = r.sweep;
    const at = (w: number) => sw.find((s) => s.guidance === w)?.accuracy;
    const a0 = at(0);
    const a1 = at(1);
    const ad = at(r.guidanceDefault);
    const rising = a0 !== undefined && ad !== undefined && a0 < ad && (a1 === undefined || (a0 <= a1 && a1 <= ad));
    out.push({
      name: `${kind}: class accuracy rises from guidance 0 to the default (${r.guidanceDefault})`,
      pass: rising,
      detail: sw.map((s) => `w ${s.guidance}: ${pct(s.accuracy)}`).join(', ') || 'no sweep',
    });
  }
  if (pitch) {
    out.push({
      name: 'tonal: ≥ 90 % of notes within ±20 cents before correction (pitched families)',
      pass: pitch.pitchedBefore.n > 0 && pitch.pitchedBefore.within >= 0.9,
      detail: `${pct(pitch.pitchedBefore.within, 1)} of ${pitch.pitchedBefore.n} notes in the ${pitch.pitchedFamilies.length} pitched families (after correction ${pct(pitch.pitchedAfter.within, 1)}); all ${pitch.before.n} notes: ${pct(pitch.before.within, 1)} (after correction ${pct(pitch.after.within, 1)}); unpitched in the data: ${unpitched(pitch)}; the same estimator on real test notes: ${pct(pitch.realBefore.within, 1)}`,
    });
  }
  return out;
}

function unpitched(p: PitchReport): string {
  const out = p.families.map((f) => f.family).filter((f) => !p.pitchedFamilies.includes(f));
  return out.length ? out.map((f) => `${f} (${pct(p.trainShare[f])} of train notes at their key)`).join(', ') : 'none';
}

export interface ReportMeta {
  commit: string;
  date: string;
  command: string;
  mode: string;
  dataDir: string;
  models: Partial<Record<Kind, { dir: string; steps: number; guidance: number; classGuidance?: Readonly<Record<string, number>>; sampler: string; trainingSteps: unknown; valLoss: unknown; date: unknown }>>;
  sizes: PlanSizes;
  backend: string;
  workers: number;
  timings: Array<[string, number]>;
  speed: Partial<Record<Kind, { items: number; netS: number; vocoderS: number; analysisS: number }>>;
  totalS: number;
  /** Max and mean |Δ| between audioToFeature(stored int16 test audio) and the shard features. */
  consistency: Partial<Record<Kind, { max: number; mean: number }>>;
  wavs: string[];
  notes: string[];
}

export function renderReport(meta: ReportMeta, results: Partial<Record<Kind, KindResult>>, pitch: PitchReport | null, targets: Target[]): string {
  const L: string[] = [];
  L.push('# Evaluation: generated one-shots vs the real test split', '');
  L.push(`Made by \`${meta.command}\` on ${meta.date}, commit \`${meta.commit}\`, in ${(meta.totalS / 60).toFixed(1)} min (${meta.mode}).`);
  L.push('');
  L.push('## Done-means targets', '');
  for (const t of targets) L.push(`- **${t.pass ? 'PASS' : 'FAIL'}** — ${t.name}: ${t.detail}`);
  L.push('');
  L.push('## Settings', '');
  L.push(`- Data: \`${meta.dataDir}\` (the TEST split is the reference; the classifier is trained on train+val only).`);
  for (const kind of KINDS) {
    const m = meta.models[kind];
    if (!m) continue;
    L.push(`- ${kind} model: \`${m.dir}\`, trained ${String(m.trainingSteps)} steps (val loss ${typeof m.valLoss === 'number' ? m.valLoss.toFixed(4) : String(m.valLoss)}, exported ${String(m.date)}); generation at its defaults: ${m.sampler}, ${m.steps} steps, guidance ${m.guidance}${m.classGuidance && Object.keys(m.classGuidance).length ? ` (per class: ${Object.entries(m.classGuidance).map(([c, w]) => `${c} ${w}`).join(', ')}; the sweep's default row holds these)` : ''}.`);
  }
  const s = meta.sizes;
  L.push(`- Generated per drum class: ${s.drumsPerClass}; per tonal family: ${s.tonalPerPitch} × 3 pitches an octave apart (the C nearest the middle of FAMILY_RANGE and the Cs either side), velocities alternating 112/64, descriptors left to the model.`);
  L.push(`- Guidance sweep: ${s.sweepDrumsPerClass} per drum class / ${s.sweepTonalPerPitch} per tonal family (its middle pitch) at each weight; the default weight reuses the main set's rows with the same seeds.`);
  L.push(`- Every generated one-shot goes through the shipped pipeline (Generator.generate: DPM-Solver++ sampling, then the DSP vocoder to audio) and its audio is re-analysed with audioToFeature before classification; "model features" columns classify the sampler's output before the vocoder, as a diagnostic.`);
  L.push(`- Backend: ${meta.backend}, ${meta.workers} worker process(es).`);
  for (const n of meta.notes) L.push(`- ${n}`);
  L.push('');

  for (const kind of KINDS) {
    const r = results[kind];
    if (!r) continue;
    const c = r.classifier;
    const o = r.overall;
    L.push(`## ${kind}`, '');
    L.push(`Evaluation classifier (1-D CNN on log-mel, ${c.epochs} epochs on ${c.trainRows} real train+val rows, ${c.cached ? 'loaded from the cache' : `trained in ${num(c.trainSeconds, 0)} s`}): **${pct(c.testAccuracy, 1)}** accuracy on ${c.testRows} real test items.`);
    if (r.vocodedTest) {
      L.push(`Real test items sent through the vocoder and re-analysed (${r.vocodedTest.n} items): ${pct(r.vocodedTest.accuracy, 1)} (the same items unvocoded: ${pct(r.vocodedTest.accuracyClean, 1)}) — the vocoder's share of any accuracy loss.`);
    }
    L.push('');
    L.push('| class | n gen | n test | classifier recall (real test) | generated → requested class | same, model features | FD | floor | FD / floor | diversity gen | diversity real | gen / real | near-copies (log-mel) | near-copies (embedding) | NN dist gen (median) | NN dist test (median) |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of r.perClass) {
      L.push(`| ${row.name} | ${row.nGen} | ${row.nTest} | ${pct(row.testRecall)} | ${pct(row.share)} | ${pct(row.shareRaw)} | ${sig(row.fd)} | ${sig(row.fdFloor)} | ${ratio(row.fd, row.fdFloor)} | ${sig(row.diversityGen)} | ${sig(row.diversityReal)} | ${ratio(row.diversityGen, row.diversityReal)} | ${pct(row.nearCopyMel)} | ${pct(row.nearCopy)} | ${sig(row.nnGenMedian)} | ${sig(row.nnTestMedian)} |`);
    }
    L.push(`| **all** | ${o.nGen} | ${o.nTest} | ${pct(c.testAccuracy)} | ${pct(o.share)} | ${pct(o.shareRaw)} | ${sig(o.fd)} | ${sig(o.fdFloor)} ± ${sig(o.fdFloorStd)} | ${ratio(o.fd, o.fdFloor)} | ${sig(o.diversityGen)} | ${sig(o.diversityReal)} | ${ratio(o.diversityGen, o.diversityReal)} | ${pct(o.nearCopyMel, 1)} | ${pct(o.nearCopy, 1)} | ${sig(o.nnGenMedian)} | ${sig(o.nnTestMedian)} |`);
    L.push('');
    L.push(`- Inception-style score: generated ${num(o.isGen)}, real test ${num(o.isTest)}, real train with the generated set's class${kind === 'tonal' ? ' and pitch' : ''} composition ${num(o.isTrainMatched)} (max ${r.classes.length}).`);
    L.push(`- Near-copies: generated samples closer to their nearest training row (any class, augmented copies included) than the 5th percentile of real test. Log-mel space (the sampler's output before the vocoder vs the training features, L2): threshold ${num(o.nearCopyMelThreshold, 1)}, median NN distance generated ${num(o.nnGenMelMedian, 1)} vs real test ${num(o.nnTestMelMedian, 1)}. Embedding space (re-analysed audio): threshold ${sig(o.nearCopyThreshold)}; the "NN dist" columns are in this space.`);
    L.push(`- FD floor: ${r.floorDraws} random real-train subsets with the generated set's size and class composition, each vs real test, averaged. Classes with < 2 test items have no FD.`);
    L.push('');
    if (r.sweep.length) {
      L.push('Guidance sweep:', '');
      L.push('| guidance | n | generated → requested class | same, model features | FD | floor | FD / floor | IS |');
      L.push('|---|---|---|---|---|---|---|---|');
      for (const w of r.sweep) {
        L.push(`| ${w.guidance}${w.guidance === r.guidanceDefault ? ' (default)' : ''} | ${w.n} | ${pct(w.accuracy)} | ${pct(w.accuracyRaw)} | ${sig(w.fd)} | ${sig(w.fdFloor)} | ${ratio(w.fd, w.fdFloor)} | ${num(w.is)} |`);
      }
      L.push('');
    }
  }

  if (pitch) {
    L.push('## Tonal pitch accuracy', '');
    L.push('estimateF0 (src/dsp/pitch.ts: frame-wise YIN over the sustain, energy-weighted median; blind to the asked note) of each note vs the requested MIDI pitch; undetected (aperiodic) notes count as misses. Correction: resample by the measured error (src/dsp/resample.ts) when it is within ±1 octave, then measure again.', '');
    L.push(`Pitched families (the target's scope): a family whose real train notes are within ±20 cents of their key (octave errors forgiven) in ≥ ${pct(PITCHED_FAMILY_SHARE)} of cases. Measured share per family: ${pitch.families.map((f) => `${f.family} ${pct(pitch.trainShare[f.family])}`).join(', ')}.`, '');
    L.push('| | notes | f0 detected | within ±20 cents | median abs cents | within ±20 cents, octave errors forgiven | within ±20 cents after correction | median abs cents after |');
    L.push('|---|---|---|---|---|---|---|---|');
    const line = (name: string, b: PitchStats, a: PitchStats | null) =>
      `| ${name} | ${b.n} | ${pct(b.detected)} | ${pct(b.within, 1)} | ${num(b.medianAbs, 1)} | ${pct(b.withinFolded, 1)} | ${a ? pct(a.within, 1) : '—'} | ${a ? num(a.medianAbs, 1) : '—'} |`;
    L.push(line(`**generated, pitched families** (${pitch.pitchedFamilies.length} of ${pitch.families.length})`, pitch.pitchedBefore, pitch.pitchedAfter));
    L.push(line('generated, all families', pitch.before, pitch.after));
    L.push(line(`real test (ceiling), ≤ 12 notes per family over all its pitches`, pitch.realBefore, pitch.realAfter));
    L.push(line('real test, pitches within ±1 of the evaluated ones', pitch.realNearEval, null));
    for (const p of pitch.positions) L.push(line(p.label, p.before, p.after));
    for (const f of pitch.families) L.push(line(`${f.family} (${f.pitches.join(', ')})`, f.before, f.after));
    L.push('');
  }

  L.push('## Run time and generation speed', '');
  L.push('Steps marked "in parallel" overlap with the generation.', '');
  L.push('| step | seconds |', '|---|---|');
  for (const [k, v] of meta.timings) L.push(`| ${k} | ${v.toFixed(1)} |`);
  L.push(`| **total** | ${meta.totalS.toFixed(1)} |`);
  L.push('');
  for (const kind of KINDS) {
    const sp = meta.speed[kind];
    if (!sp || sp.items === 0) continue;
    L.push(`- ${kind}: ${sp.items} one-shots; per one-shot ${(sp.netS / sp.items).toFixed(2)} s sampling (batched up to 16) + ${(sp.vocoderS / sp.items).toFixed(2)} s vocoder + ${(sp.analysisS / sp.items).toFixed(3)} s re-analysis${kind === 'tonal' ? ' and pitch measurement' : ''}, per worker (single-threaded wasm).`);
  }
  for (const kind of KINDS) {
    const d = meta.consistency[kind];
    if (d !== undefined) L.push(`- Check: audioToFeature of the stored (int16) ${kind} test audio reproduces the shard features: mean |Δ| ${d.mean.toExponential(1)}, max ${d.max.toExponential(1)} (16-bit quantisation shows near the −90 dB floor).`);
  }
  L.push('');
  L.push('## Files', '');
  L.push('- reports/eval-grid.png — log-mel of generated (left) and real test (right) one-shots per class.');
  L.push('- reports/eval-guidance.png — accuracy and FD / floor across the guidance sweep.');
  L.push(`- reports/eval/ — ${meta.wavs.length} WAVs (16-bit; drums at 44.1 kHz, tonal at 22.05 kHz to stay under 2 MB, trailing silence trimmed): ${meta.wavs.join(', ')}.`);
  L.push('- reports/eval/results.json — every number above.');
  L.push('');
  L.push('## How to read this', '');
  L.push('- Embeddings are the evaluation classifier\'s 64-d penultimate layer. FD between small sets is biased upwards; the floor is computed at the same sample size and composition so the ratio is what matters.');
  L.push('- The classifier has never heard vocoder output; the "vocoded real test" line shows how much accuracy the vocoder alone costs, and the "model features" columns how the sampler\'s output scores before the vocoder.');
  L.push('- Drums test classes are small (the split is by kit); per-class FD and diversity for classes with few test items are noisy.');
  L.push('');
  return L.join('\n');
}

// ---------------------------------------------------------------------------
// Prompt evaluation (scripts/eval-prompts.ts, issue 7): does the sound follow the words?

/** One descriptor pair: two prompts that differ in one word, and which way the descriptor should move. */
export interface DescriptorPair {
  /** "bright/dark". */
  name: string;
  /** Index into DESCRIPTORS of src/constants.ts (the model's descriptor condition). */
  descriptor: 'brightness' | 'decay' | 'punch' | 'noisiness';
  /** The word that should raise the descriptor, and the one that should lower it. */
  up: string;
  down: string;
  /** How the effect is reported: log2 ratio for brightness/decay (the condition's own log2 units), difference otherwise. */
  effect: 'log2 ratio' | 'difference';
}

export const DESCRIPTOR_PAIRS: readonly DescriptorPair[] = [
  { name: 'bright/dark', descriptor: 'brightness', up: 'bright', down: 'dark', effect: 'log2 ratio' },
  { name: 'long/short', descriptor: 'decay', up: 'long', down: 'short', effect: 'log2 ratio' },
  { name: 'punchy/soft', descriptor: 'punch', up: 'punchy', down: 'soft', effect: 'difference' },
  { name: 'noisy/clean', descriptor: 'noisiness', up: 'noisy', down: 'clean', effect: 'difference' },
];

/**
 * A pair applies to a class when both prompts' raw targets lie within this
 * many of the class's own training std of its mean: beyond it the prompt asks
 * for something the class never does in the data (e.g. "noisy kick": kicks
 * have flatness 0.0002 ± 0.0012), which measures extrapolation, not whether
 * the word is followed.
 */
export const PAIR_APPLIES_MAX_CLASS_SIGMA = 3;

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
};

/** Cohen's d of two groups: (mean a − mean b) / pooled SD (sample variances averaged); null when undefined. */
export function cohensD(a: readonly number[], b: readonly number[]): number | null {
  if (a.length < 2 || b.length < 2) return null;
  const sd = Math.sqrt((variance(a) + variance(b)) / 2);
  return sd > 0 ? (mean(a) - mean(b)) / sd : null;
}

export interface PairCell {
  pair: string;
  descriptor: DescriptorPair['descriptor'];
  className: string;
  /** Same-seed pairs measured. */
  n: number;
  /** Share of seeds where the "up" prompt's descriptor is strictly above the "down" prompt's. */
  right: number;
  /** Median per-seed effect: log2(up / down) or up − down, in the descriptor vector's units. */
  medianEffect: number | null;
  d: number | null;
  /** Raw targets the two prompts sent (descriptor vector units), and the measured medians. */
  targetUp: number | null;
  targetDown: number | null;
  measuredUp: number | null;
  measuredDown: number | null;
}

/**
 * Statistics of one (pair, class) cell from the measured descriptor-vector
 * values (log2 Hz, log2 s, punch, flatness) of the same seeds under the two
 * prompts. Since brightness/decay are already log2, their "log2 ratio" is a
 * difference of the vector values.
 */
export function pairCell(pair: DescriptorPair, className: string, up: readonly number[], down: readonly number[],
  targets: { up: number | null; down: number | null }): PairCell {
  if (up.length !== down.length) throw new Error(`pairCell ${pair.name}/${className}: ${up.length} "up" vs ${down.length} "down" values`);
  const diffs = up.map((u, i) => u - down[i]!);
  return {
    pair: pair.name, descriptor: pair.descriptor, className, n: up.length,
    right: up.length ? diffs.filter((x) => x > 0).length / up.length : 0,
    medianEffect: median(diffs),
    d: cohensD(up, down),
    targetUp: targets.up, targetDown: targets.down,
    measuredUp: median(up), measuredDown: median(down),
  };
}

export interface ClassPromptRow {
  prompt: string;
  kind: Kind;
  /** Class / family the prompt asks for (from the parse). */
  asked: string;
  n: number;
  /** Share the evaluation classifier assigns to `asked`. */
  share: number;
  /** Predicted classes with counts, most frequent first. */
  predicted: Array<[string, number]>;
  /** The classifier's recall on the real test items of `asked` (its ceiling for this class), when the test split has any. */
  realRecall?: { share: number; n: number } | null;
}

export interface PitchPromptRow {
  prompt: string;
  family: string;
  /** Requested MIDI note (from the prompt: explicit note or register). */
  note: number;
  n: number;
  before: PitchStats;
  after: PitchStats;
}

export interface PromptWarnings {
  prompt: string;
  warnings: string[];
}

export interface PromptEvalResult {
  pairs: PairCell[];
  /** (pair, class) combinations left out and why. */
  excluded: Array<{ pair: string; className: string; why: string }>;
  classes: ClassPromptRow[];
  /** The evaluation classifier's accuracy on the real test split, per kind. */
  classifierAccuracy: Partial<Record<Kind, { accuracy: number; n: number }>>;
  /** Share of the descriptor-pair one-shots classified as their class (the words should not change the class). */
  pairClassShare: number | null;
  pitch: PitchPromptRow[];
  warnings: PromptWarnings[];
}

/**
 * What the classifier itself manages on real sounds, next to the class target:
 * its test accuracy per kind and how many prompts reach 0.9 × its recall on
 * real test items of their class (the quality eval's per-class bar).
 */
function ceilingNote(r: PromptEvalResult): string {
  const acc = KINDS.flatMap((k) => (r.classifierAccuracy[k] ? [`${k} ${pct(r.classifierAccuracy[k]!.accuracy, 1)}`] : []));
  const withBar = r.classes.filter((c) => c.realRecall);
  if (!acc.length || !withBar.length) return '';
  const atBar = withBar.filter((c) => c.share >= 0.9 * c.realRecall!.share);
  return `. The classifier itself recognises real test items at ${acc.join(', ')}; ${atBar.length} of ${withBar.length} prompts reach 0.9 × its recall on real items of their class`;
}

/** The Done-means targets of issue 7. */
export function evaluatePromptTargets(r: PromptEvalResult): Target[] {
  const out: Target[] = [];
  for (const p of DESCRIPTOR_PAIRS) {
    const cells = r.pairs.filter((c) => c.pair === p.name);
    const n = cells.reduce((s, c) => s + c.n, 0);
    const right = cells.reduce((s, c) => s + c.right * c.n, 0);
    const bad = cells.filter((c) => c.right < 0.9);
    out.push({
      name: `${p.name}: ${p.descriptor} moves the asked way in ≥ 90 % of same-seed pairs, every applicable class`,
      pass: cells.length > 0 && bad.length === 0,
      detail: cells.length === 0
        ? 'no applicable class measured'
        : `${pct(n ? right / n : null, 1)} of ${n} pairs over ${cells.map((c) => c.className).join(', ')}${bad.length ? `; below 90 %: ${bad.map((c) => `${c.className} ${pct(c.right)}`).join(', ')}` : ''}`,
    });
  }
  const n = r.classes.reduce((s, c) => s + c.n, 0);
  const hit = r.classes.reduce((s, c) => s + c.share * c.n, 0);
  const low = r.classes.filter((c) => c.share < 0.95);
  const perKind = KINDS.map((k) => {
    const rows = r.classes.filter((c) => c.kind === k);
    const m = rows.reduce((s, c) => s + c.n, 0);
    return m ? `${k} ${pct(rows.reduce((s, c) => s + c.share * c.n, 0) / m, 1)} of ${m}` : null;
  }).filter(Boolean).join(', ');
  out.push({
    name: 'class / family from the prompt alone: ≥ 95 % of generated one-shots classified as asked',
    pass: n > 0 && hit / n >= 0.95,
    detail: `${pct(n ? hit / n : null, 1)} of ${n} (${perKind})${low.length ? `; prompts below 95 %: ${low.map((c) => `"${c.prompt}" ${pct(c.share)}`).join(', ')}` : ''}${ceilingNote(r)}`,
  });
  const cents = r.pitch.flatMap((p) => p.before.n ? [p] : []);
  const tot = cents.reduce((s, p) => s + p.n, 0);
  const wb = cents.reduce((s, p) => s + p.before.within * p.n, 0);
  const wa = cents.reduce((s, p) => s + p.after.within * p.n, 0);
  out.push({
    name: 'pitch from the prompt: ≥ 90 % of notes within ±20 cents of the asked note (estimateF0), before correction',
    pass: tot > 0 && wb / tot >= 0.9,
    detail: `${pct(tot ? wb / tot : null, 1)} of ${tot} before correction, ${pct(tot ? wa / tot : null, 1)} after`,
  });
  return out;
}

export interface PromptReportMeta {
  commit: string;
  date: string;
  command: string;
  mode: string;
  models: Partial<Record<Kind, { dir: string; steps: number; guidance: number; sampler: string; trainingSteps: unknown }>>;
  sizes: { seeds: number; pairClasses: string[]; classN: number; pitchN: number };
  backend: string;
  workers: number;
  oneShots: Partial<Record<Kind, number>>;
  speed: Partial<Record<Kind, { items: number; netS: number; vocoderS: number; analysisS: number }>>;
  totalS: number;
  notes: string[];
}

const fmtEffect = (c: PairCell, pairs: readonly DescriptorPair[]): string => {
  const p = pairs.find((x) => x.name === c.pair);
  if (c.medianEffect === null) return '—';
  return p?.effect === 'log2 ratio' ? `${c.medianEffect >= 0 ? '+' : ''}${c.medianEffect.toFixed(2)} (×${(2 ** c.medianEffect).toFixed(2)})` : `${c.medianEffect >= 0 ? '+' : ''}${c.medianEffect.toPrecision(2)}`;
};

/** Measured separation of the medians over the asked separation; null when either is unknown or nothing was asked. */
export function reached(c: PairCell): number | null {
  if (c.targetUp === null || c.targetDown === null || c.measuredUp === null || c.measuredDown === null) return null;
  const asked = c.targetUp - c.targetDown;
  return asked > 0 ? (c.measuredUp - c.measuredDown) / asked : null;
}

/** A descriptor-vector value in its natural unit: Hz for brightness, s for decay. */
function natural(descriptor: DescriptorPair['descriptor'], v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (descriptor === 'brightness') return `${Math.round(2 ** v)} Hz`;
  if (descriptor === 'decay') return `${(2 ** v).toFixed(2)} s`;
  return v.toPrecision(2);
}

export function renderPromptReport(meta: PromptReportMeta, r: PromptEvalResult, targets: Target[]): string {
  const L: string[] = [];
  L.push('# Prompt evaluation: does the sound follow the words?', '');
  L.push(`Made by \`${meta.command}\` on ${meta.date}, commit \`${meta.commit}\`, in ${(meta.totalS / 60).toFixed(1)} min (${meta.mode}).`, '');
  L.push('## Done-means targets', '');
  for (const t of targets) L.push(`- **${t.pass ? 'PASS' : 'FAIL'}** — ${t.name}: ${t.detail}`);
  L.push('');
  L.push('## Settings', '');
  for (const kind of KINDS) {
    const m = meta.models[kind];
    if (m) L.push(`- ${kind} model: \`${m.dir}\` (trained ${String(m.trainingSteps)} steps), generated at its defaults: ${m.sampler}, ${m.steps} steps, guidance ${m.guidance}.`);
  }
  const s = meta.sizes;
  L.push(`- Every one-shot: parsePrompt → promptToRequest (per-class descriptor baselines from the model config) → Generator.generate (the shipped pipeline: sampler, then the DSP vocoder) → measured on its audio.`);
  L.push(`- Descriptor pairs: ${s.seeds} seeds (the same seeds for both prompts of a pair) × ${DESCRIPTOR_PAIRS.length} pairs × drum classes ${s.pairClasses.join(', ')} (where the pair applies, below). Measured with src/dsp/descriptors.ts describe() + descriptorVector(), the definitions the dataset labels and the model's descriptor condition use: log2 spectral centroid, log2 decay time (−40 dB), punch (energy share of the first 50 ms), spectral flatness.`);
  L.push(`- Class from the prompt: ${s.classN} seeds per prompt; classified by the quality eval's evaluation classifier (training/evaluate.py, loaded from <data>/eval-cache) on the re-analysed audio (audioToFeature).`);
  L.push(`- Pitch from the prompt: ${s.pitchN} seeds per prompt; estimateF0 (scripts/eval-lib.ts measurePitch, as the quality eval) before and after the resampling correction; undetected f0 counts as a miss.`);
  L.push(`- One-shots: ${KINDS.filter((k) => meta.oneShots[k]).map((k) => `${k} ${meta.oneShots[k]}`).join(', ')}; backend ${meta.backend}, ${meta.workers} worker process(es).`);
  for (const n of meta.notes) L.push(`- ${n}`);
  L.push('');

  L.push('## Descriptor pairs (same seed, the two prompts differ in one word)', '');
  L.push('"right way": share of seeds where the first word\'s prompt measures higher than the second\'s. Effect: median over seeds of log2(first / second) for brightness and decay (×: the ratio), of the difference for punch and flatness. Cohen\'s d: difference of the means over the pooled SD of the two groups. Targets are the raw descriptor values each prompt asked for; measured: the medians.', '');
  L.push('"reached": the measured separation of the medians as a share of the asked one (in descriptor-vector units); well below 100 % means the model cannot (yet) give what the words ask for.', '');
  L.push('| pair | class | n | right way | median effect | Cohen\'s d | asked (first / second) | measured median (first / second) | reached |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const c of r.pairs) {
    L.push(`| ${c.pair} | ${c.className} | ${c.n} | ${pct(c.right)} | ${fmtEffect(c, DESCRIPTOR_PAIRS)} | ${num(c.d)} | ${natural(c.descriptor, c.targetUp)} / ${natural(c.descriptor, c.targetDown)} | ${natural(c.descriptor, c.measuredUp)} / ${natural(c.descriptor, c.measuredDown)} | ${pct(reached(c))} |`);
  }
  L.push('');
  if (r.excluded.length) {
    L.push('Not measured (the pair does not apply):', '');
    for (const e of r.excluded) L.push(`- ${e.pair} on ${e.className}: ${e.why}`);
    L.push('');
  }
  if (r.pairClassShare !== null) L.push(`The descriptor words should not change the class: ${pct(r.pairClassShare, 1)} of the pair one-shots are classified as their class.`, '');

  L.push('## Class and family from the prompt alone', '');
  for (const k of KINDS) {
    const a = r.classifierAccuracy[k];
    if (a) L.push(`- ${k} evaluation classifier: ${pct(a.accuracy, 1)} on ${a.n} real test items (its ceiling).`);
  }
  L.push('');
  L.push('"real recall": the share of real test items of the asked class that the classifier labels as that class (its ceiling for that class; the quality eval\'s per-class bar is 0.9 × it).', '');
  L.push('| prompt | kind | asked | n | classified as asked | real recall (n) | predictions |');
  L.push('|---|---|---|---|---|---|---|');
  for (const c of r.classes) {
    const rr = c.realRecall ? `${pct(c.realRecall.share)} (${c.realRecall.n})` : '—';
    L.push(`| ${c.prompt} | ${c.kind} | ${c.asked} | ${c.n} | ${pct(c.share)} | ${rr} | ${c.predicted.map(([p, n]) => `${p} ×${n}`).join(', ')} |`);
  }
  L.push('');

  L.push('## Pitch from the prompt', '');
  L.push('| prompt | family | note | n | f0 detected | within ±20 cents | median abs cents | within ±20 cents after correction | median abs cents after |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const p of r.pitch) {
    L.push(`| ${p.prompt} | ${p.family} | ${p.note} | ${p.n} | ${pct(p.before.detected)} | ${pct(p.before.within)} | ${num(p.before.medianAbs, 1)} | ${pct(p.after.within)} | ${num(p.after.medianAbs, 1)} |`);
  }
  L.push('');

  L.push('## Warnings from the prompt module (targets the model cannot be asked for as written)', '');
  const withW = r.warnings.filter((w) => w.warnings.length);
  if (withW.length === 0) L.push('None.');
  for (const w of withW) L.push(`- "${w.prompt}": ${w.warnings.join('; ')}`);
  L.push('');
  L.push('## Speed', '');
  for (const kind of KINDS) {
    const sp = meta.speed[kind];
    if (sp && sp.items) L.push(`- ${kind}: ${sp.items} one-shots; per one-shot ${(sp.netS / sp.items).toFixed(2)} s sampling + ${(sp.vocoderS / sp.items).toFixed(2)} s vocoder + ${(sp.analysisS / sp.items).toFixed(3)} s re-analysis, per worker.`);
  }
  L.push('');
  return L.join('\n');
}

/** The short commit of `repo`'s HEAD, marked when tracked files have uncommitted changes; 'unknown' outside git. */
export function gitCommit(repo: string): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, encoding: 'utf8' }).trim();
    return dirty ? `${hash} (+ uncommitted changes)` : hash;
  } catch {
    return 'unknown';
  }
}

/** A raw little-endian float32 file (copied out of Node's buffer, which may be pooled). */
export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Child processes the eval scripts started and have not seen exit (killed on SIGINT/SIGTERM). */
export const evalChildren = new Set<ChildProcess>();

/** Run a child process in `cwd`, relaying its output lines with a prefix; rejects on failure. */
export function runChild(cmd: string, args: string[], prefix: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    evalChildren.add(child);
    child.on('exit', () => evalChildren.delete(child));
    const relay = (buf: Buffer) => {
      for (const line of buf.toString().split('\n')) if (line.trim()) process.stderr.write(`${prefix} ${line}\n`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${prefix} ${path.basename(cmd)} ${args.slice(-3).join(' ')} exited with ${code}`))));
  });
}
