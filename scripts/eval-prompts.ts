/**
 * npm run eval:prompts -- [--data data] [--model-dir models] [--out reports] [--quick]
 *   [--seeds 16] [--pair-classes kick,snare,...] [--class-n 8] [--pitch-n 8] [--workers 2]
 *   [--threads 1] [--epochs 14] [--python /usr/bin/python3] [--keep-tmp]
 *
 * Does the sound follow the words (issue 7)? Measured on generated audio from
 * the shipped pipeline: parsePrompt → promptToRequest → Generator.generate
 * (model defaults: sampler, then the DSP vocoder), in the quality eval's worker
 * processes (scripts/eval-worker.ts):
 *  1. descriptor pairs ("bright kick" vs "dark kick", same seed): the measured
 *     descriptor (src/dsp/descriptors.ts, as the dataset labels it) must move
 *     the asked way;
 *  2. class/family from the prompt alone ("kick", "808", "rhodes", "pad", …):
 *     classified by the quality eval's evaluation classifier (training/evaluate.py,
 *     cached in <data>/eval-cache) on the re-analysed audio;
 *  3. pitch from the prompt ("bass in C2", "low pad"): estimateF0 before/after correction;
 *  4. the prompt module's warnings, for targets the model cannot be asked for.
 * Writes <out>/eval-prompts.md (+ .json, every number) and prints the Done-means lines.
 * --quick: 2 seeds, 1 per class prompt, 2-epoch classifier: checks the pipeline, not quality.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { DESCRIPTORS, type DrumClass } from '../src/constants.js';
import { encodeNpy } from '../src/dataset/npy.js';
import { describe, descriptorVector } from '../src/dsp/descriptors.js';
import type { ModelConfig } from '../src/model/config.js';
import { toDescriptorScale } from '../src/model/conditioning.js';
import { loadConfig } from '../src/model/loader.js';
import { nodeReader } from '../src/model/reader-node.js';
import { resolveRequest, type GenerateRequest } from '../src/model/requests.js';
import { findBaselines, parsePrompt, promptToRequest } from '../src/prompt/index.js';
import {
  assignLpt, type ClassPromptRow, DESCRIPTOR_PAIRS, type DescriptorPair, evaluatePromptTargets, type GenItem, itemCost, type Kind, KINDS,
  makeBatches, PAIR_APPLIES_MAX_CLASS_SIGMA, type PairCell, pairCell, type PitchMeasure, type PitchPromptRow, pitchStats,
  PITCH_PROMPTS, type PromptEvalResult, type PromptReportMeta, renderPromptReport, seedOf,
  gitCommit, readF32,
  evalChildren,
  runChild,
} from './eval-lib.js';
import type { WorkerJob, WorkerResult } from './eval-worker.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The word each drum class goes by in the pair prompts. */
const DRUM_WORD: Record<DrumClass, string> = {
  kick: 'kick', snare: 'snare', clap: 'clap', rim: 'rimshot', 'closed-hat': 'closed hi-hat', 'open-hat': 'open hi-hat',
  tom: 'tom', crash: 'crash', ride: 'ride', perc: 'percussion',
};

/**
 * Class from the prompt alone: every drum class and GM family at least once,
 * with common instrument words (a weak word like "808" or "pluck" included).
 */
const CLASS_PROMPTS: readonly string[] = [
  'kick', '808', 'snare', 'clap', 'rimshot', 'closed hi-hat', 'open hi-hat', 'tom', 'crash', 'ride', 'cowbell', 'shaker',
  'piano', 'rhodes', 'marimba', 'organ', 'guitar', 'pluck', 'bass', 'strings', 'choir', 'trumpet', 'sax', 'flute',
  'synth lead', 'pad', 'riser', 'sitar', 'steel drum', 'sound effect',
];


/** Drum classes of the descriptor pairs in a --quick run; the full run takes every class of the model (the issue: every class where a pair applies). */
const QUICK_PAIR_CLASSES: readonly DrumClass[] = ['kick', 'closed-hat'];

interface Opts {
  data: string; modelDir: string; out: string; quick?: boolean; seeds?: string; pairClasses?: string; classN?: string;
  pitchN?: string; workers: string; threads: string; epochs?: string; python: string; keepTmp?: boolean;
}

const log = (s: string) => process.stderr.write(`eval:prompts: ${s}\n`);



/**
 * Loads the cached evaluation classifier through training/evaluate.py
 * (classifier_for: trains and caches it first when the cache lacks it) and
 * writes the predicted class of every row of gen_<kind>.npy, and its real-test accuracy.
 */
const CLASSIFY_PY = `
import json, sys
import numpy as np
from training.evaluate import classifier_for, run_classifier, load_split
data, gen, kinds, epochs, out = sys.argv[1], sys.argv[2], sys.argv[3].split(','), int(sys.argv[4]), sys.argv[5]
res = {}
for kind in kinds:
    model, meta = classifier_for(data, kind, epochs, data + '/eval-cache', 1, log=lambda s: print('[classify] ' + s, flush=True))
    xt, _, yt = load_split(data, kind, 'test')
    _, pt = run_classifier(model, xt)
    _, pg = run_classifier(model, np.load(gen + '/gen_' + kind + '.npy'))
    yp = pt.argmax(1)
    recall = [[float((yp[yt == c] == c).mean()), int((yt == c).sum())] if (yt == c).any() else None for c in range(pt.shape[1])]
    res[kind] = {'pred': [int(v) for v in pg.argmax(1)], 'testAccuracy': float((yp == yt).mean()), 'testRows': int(len(yt)), 'recall': recall, 'cached': bool(meta.get('cached'))}
with open(out, 'w') as f:
    json.dump(res, f)
`;

/** What one planned one-shot is for. */
type Role =
  | { what: 'pair'; pair: DescriptorPair; className: string; side: 'up' | 'down'; seedIndex: number }
  | { what: 'class'; prompt: string; asked: string }
  | { what: 'pitch'; prompt: string; family: string; note: number };

interface Planned { item: GenItem; role: Role; prompt: string }

async function main(): Promise<void> {
  // The code state the run starts from; read before the run writes its own tracked outputs (WAVs, figures).
  const startCommit = gitCommit(repo);
  const t0 = performance.now();
  const o = new Command('eval:prompts')
    .option('--data <dir>', 'dataset root (manifest.json, shards/; the classifier cache in eval-cache/)', 'data')
    .option('--model-dir <dir>', 'folder holding the drums/ and tonal/ model folders', 'models')
    .option('--out <dir>', 'reports folder', 'reports')
    .option('--quick', '2 seeds, 1 per class prompt, 2-epoch classifier: checks the pipeline, not quality')
    .option('--seeds <n>', 'seeds per descriptor pair and class (default 16, quick 2)')
    .option('--pair-classes <list>', `drum classes of the descriptor pairs (default: every class of the drums model; quick ${QUICK_PAIR_CLASSES.join(',')}; "all")`)
    .option('--class-n <n>', 'one-shots per class prompt (default 8, quick 1)')
    .option('--pitch-n <n>', 'one-shots per pitch prompt (default 8, quick 1)')
    .option('--workers <n>', 'generation worker processes', String(Math.max(1, Math.min(2, os.cpus().length))))
    .option('--threads <n>', 'wasm threads per worker', '1')
    .option('--epochs <n>', 'evaluation classifier epochs (the cache key; default 14, quick 2)')
    .option('--python <exe>', 'Python with PyTorch', '/usr/bin/python3')
    .option('--keep-tmp', 'keep the temporary folder')
    .parse()
    .opts<Opts>();
  const int = (v: string | undefined, d: number, name: string, min = 1): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected an integer ≥ ${min}, got ${v}`);
    return n;
  };
  const seeds = int(o.seeds, o.quick ? 2 : 16, '--seeds', 2);
  const classN = int(o.classN, o.quick ? 1 : 8, '--class-n');
  const pitchN = int(o.pitchN, o.quick ? 1 : 8, '--pitch-n');
  const workers = int(o.workers, 2, '--workers');
  const threads = int(o.threads, 1, '--threads');
  const epochs = int(o.epochs, o.quick ? 2 : 14, '--epochs');
  const dataDir = path.resolve(o.data);
  const outDir = path.resolve(o.out);

  const configs = new Map<Kind, ModelConfig>();
  const modelDirs: Partial<Record<Kind, string>> = {};
  for (const kind of KINDS) {
    const dir = path.resolve(o.modelDir, kind);
    if (!existsSync(path.join(dir, 'config.json'))) throw new Error(`--model-dir: no ${kind} model (${path.join(dir, 'config.json')} is missing)`);
    const cfg = await loadConfig(nodeReader(dir));
    if (cfg.kind !== kind) throw new Error(`${dir}: config.json says kind "${cfg.kind}", expected "${kind}"`);
    configs.set(kind, cfg);
    modelDirs[kind] = dir;
  }
  if (!existsSync(path.join(dataDir, 'manifest.json'))) throw new Error(`--data: ${path.join(dataDir, 'manifest.json')} is missing (the classifier's cache key)`);
  const drumsCfg = configs.get('drums')!;
  const pairClasses = (o.pairClasses === undefined ? (o.quick ? [...QUICK_PAIR_CLASSES] : [...drumsCfg.classes]) : o.pairClasses === 'all' ? [...drumsCfg.classes] : o.pairClasses.split(',').map((s) => s.trim()).filter(Boolean)) as DrumClass[];
  for (const c of pairClasses) if (!drumsCfg.classes.includes(c) || !(c in DRUM_WORD)) throw new Error(`--pair-classes: unknown drum class "${c}" (one of ${drumsCfg.classes.join(', ')})`);

  // --- plan: every prompt through the prompt module, as the app does
  const warnings = new Map<string, string[]>();
  const items: Record<Kind, Planned[]> = { drums: [], tonal: [] };
  const request = (prompt: string, seed: number): { kind: Kind; req: GenerateRequest } => {
    const parse = parsePrompt(prompt);
    const kind = parse.kind;
    if (!kind) throw new Error(`prompt "${prompt}": names no instrument`);
    const cfg = configs.get(kind)!;
    const r = promptToRequest(parse, cfg, { seed });
    if (!r.ok) throw new Error(`prompt "${prompt}": ${r.error}`);
    resolveRequest(cfg, r.request);
    if (!warnings.has(prompt)) warnings.set(prompt, [...parse.warnings, ...r.warnings, ...(parse.unknown.length ? [`unknown word(s) ignored: ${parse.unknown.join(', ')}`] : [])]);
    return { kind, req: r.request };
  };
  const push = (prompt: string, seed: number, role: Role): Planned => {
    const { kind, req } = request(prompt, seed);
    const cfg = configs.get(kind)!;
    const list = items[kind];
    const item: GenItem = {
      kind, index: list.length, className: req.class ?? req.family!, classIndex: cfg.classes.indexOf(req.class ?? req.family!),
      ...(req.pitch !== undefined ? { pitch: req.pitch } : {}), ...(req.velocity !== undefined ? { velocity: req.velocity } : {}),
      seed, guidance: req.guidance ?? cfg.sampler.guidance, set: 'main', wav: true, request: req,
    };
    const p = { item, role, prompt };
    list.push(p);
    return p;
  };

  // Descriptor pairs, where they apply (PAIR_APPLIES_MAX_CLASS_SIGMA).
  const baselines = findBaselines(drumsCfg, {}, []);
  const excluded: PromptEvalResult['excluded'] = [];
  const pairTargets = new Map<string, { up: number | null; down: number | null }>();
  for (const pair of DESCRIPTOR_PAIRS) {
    const di = DESCRIPTORS.indexOf(pair.descriptor);
    for (const cls of pairClasses) {
      const up = `${pair.up} ${DRUM_WORD[cls]}`;
      const down = `${pair.down} ${DRUM_WORD[cls]}`;
      const tu = request(up, 0).req.descriptors?.[pair.descriptor] ?? null;
      const td = request(down, 0).req.descriptors?.[pair.descriptor] ?? null;
      const b = baselines?.[cls];
      if (tu === null || td === null) {
        excluded.push({ pair: pair.name, className: cls, why: 'the model has no descriptor condition, the prompts send no target' });
        continue;
      }
      if (!(tu > td)) {
        excluded.push({ pair: pair.name, className: cls, why: `the two prompts ask for the same ${pair.descriptor} after the prompt module's clamping (${tu.toPrecision(3)}; see its warnings)` });
        continue;
      }
      if (b?.std) {
        // Class baselines are in the model's descriptor scale (descriptorStats.transform), the targets raw.
        const sc = (v: number) => toDescriptorScale(drumsCfg.descriptorStats, di, v);
        const far = Math.max(Math.abs(sc(tu) - b.mean[di]!), Math.abs(sc(td) - b.mean[di]!)) / b.std[di]!;
        if (far > PAIR_APPLIES_MAX_CLASS_SIGMA) {
          excluded.push({ pair: pair.name, className: cls, why: `a target lies ${far.toFixed(1)} of the class's own training SDs from its mean (${pair.descriptor} ${b.mean[di]!.toPrecision(2)} ± ${b.std[di]!.toPrecision(2)}; the prompt module's σ step is at least ${0.25} of the dataset SD), i.e. outside what this class does in the data` });
          continue;
        }
      }
      pairTargets.set(`${pair.name}/${cls}`, { up: tu, down: td });
      for (let s = 0; s < seeds; s++) {
        push(up, seedOf(s), { what: 'pair', pair, className: cls, side: 'up', seedIndex: s });
        push(down, seedOf(s), { what: 'pair', pair, className: cls, side: 'down', seedIndex: s });
      }
    }
  }
  for (const prompt of CLASS_PROMPTS) {
    for (let s = 0; s < classN; s++) {
      const p = push(prompt, seedOf(100 + s), { what: 'class', prompt, asked: '' });
      (p.role as { asked: string }).asked = p.item.className;
    }
  }
  for (const prompt of PITCH_PROMPTS) {
    for (let s = 0; s < pitchN; s++) {
      const p = push(prompt, seedOf(200 + s), { what: 'pitch', prompt, family: '', note: 0 });
      if (p.item.pitch === undefined) throw new Error(`pitch prompt "${prompt}" gave no pitch`);
      Object.assign(p.role, { family: p.item.className, note: p.item.pitch });
    }
  }

  // --- generate (the quality eval's worker processes)
  const all = [...items.drums, ...items.tonal].map((p) => p.item);
  const batches = makeBatches(all, 16, (it) => {
    const c = configs.get(it.kind)!;
    return itemCost(c.representation.nFrames, it.guidance, c.sampler.steps);
  });
  const assignment = assignLpt(batches.map((b) => b.cost), workers);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'eval-prompts-'));
  const jobs: WorkerJob[] = assignment.map((tasks, w) => ({
    prefix: path.join(tmp, `w${w}`), modelDirs, threads, vocode: [],
    batches: tasks.sort((a, b) => a - b).map((i) => ({ kind: batches[i]!.kind, items: batches[i]!.items })),
  }));
  log(`${items.drums.length} drum + ${items.tonal.length} tonal one-shots in ${batches.length} batches over ${workers} worker(s) × ${threads} wasm thread(s); temporary files in ${tmp}`);
  const workerScript = path.join(repo, 'scripts/eval-worker.ts');
  await Promise.all(jobs.filter((j) => j.batches.length).map((job, w) => {
    writeFileSync(`${job.prefix}.job.json`, JSON.stringify(job));
    return runChild(process.execPath, [...process.execArgv, workerScript, `${job.prefix}.job.json`], `[worker ${w}]`, repo);
  }));
  const tGen = (performance.now() - t0) / 1000;

  // --- collect: features for the classifier, audio for the descriptors, pitch
  const speed: PromptReportMeta['speed'] = {};
  const pitchOf = new Map<string, PitchMeasure>();
  const feats: Record<Kind, Float32Array> = {
    drums: new Float32Array(items.drums.length * drumsCfg.representation.nMels * drumsCfg.representation.nFrames),
    tonal: new Float32Array(items.tonal.length * configs.get('tonal')!.representation.nMels * configs.get('tonal')!.representation.nFrames),
  };
  const dims = (k: Kind) => configs.get(k)!.representation.nMels * configs.get(k)!.representation.nFrames;
  const audioFile = new Map<string, string>();
  let backend = 'unknown';
  for (const job of jobs) {
    if (!job.batches.length) continue;
    const res = JSON.parse(readFileSync(`${job.prefix}.json`, 'utf8')) as WorkerResult;
    backend = res.backend;
    const g = readF32(`${job.prefix}.gen.f32`);
    let at = 0;
    for (const row of res.rows) {
      const D = dims(row.kind);
      feats[row.kind].set(g.subarray(at, at + D), row.index * D);
      at += D;
      if (row.pitch) pitchOf.set(`${row.kind}/${row.index}`, row.pitch);
    }
    if (at !== g.length) throw new Error(`${job.prefix}: ${g.length} feature floats for rows totalling ${at}`);
    for (const wv of res.wavs) audioFile.set(`${wv.kind}/${wv.index}`, wv.file);
    for (const k of KINDS) {
      const sp = res.speed[k];
      if (!sp) continue;
      const acc = (speed[k] ??= { items: 0, netS: 0, vocoderS: 0, analysisS: 0 });
      acc.items += sp.items;
      acc.netS += sp.netS;
      acc.vocoderS += sp.vocoderS;
      acc.analysisS += sp.analysisS;
    }
  }
  for (const k of KINDS) {
    const r = configs.get(k)!.representation;
    writeFileSync(path.join(tmp, `gen_${k}.npy`), encodeNpy(feats[k], [items[k].length, r.nMels, r.nFrames]));
  }
  const classesJson = path.join(tmp, 'classes.json');
  const kindsWithItems = KINDS.filter((k) => items[k].length > 0);
  await runChild(o.python, ['-c', CLASSIFY_PY, dataDir, tmp, kindsWithItems.join(','), String(epochs), classesJson], '[python]', repo);
  const cls = JSON.parse(readFileSync(classesJson, 'utf8')) as Partial<Record<Kind, { pred: number[]; testAccuracy: number; testRows: number; recall: Array<[number, number] | null>; cached: boolean }>>;
  const predName = (k: Kind, i: number): string => configs.get(k)!.classes[cls[k]!.pred[i]!] ?? '?';

  // Descriptor pairs: measured descriptor vector of each one-shot's audio.
  const sr = drumsCfg.representation.sampleRate;
  const measured = new Map<string, { up: number[]; down: number[] }>();
  let pairN = 0;
  let pairHit = 0;
  for (const p of items.drums) {
    if (p.role.what !== 'pair') continue;
    const f = audioFile.get(`drums/${p.item.index}`);
    if (!f) throw new Error(`drums one-shot ${p.item.index} ("${p.prompt}") has no audio`);
    const v = descriptorVector(describe(readF32(f), sr, false))[DESCRIPTORS.indexOf(p.role.pair.descriptor)]!;
    const key = `${p.role.pair.name}/${p.role.className}`;
    const m = measured.get(key) ?? { up: new Array<number>(seeds), down: new Array<number>(seeds) };
    m[p.role.side][p.role.seedIndex] = v;
    measured.set(key, m);
    pairN++;
    if (predName('drums', p.item.index) === p.item.className) pairHit++;
  }
  const pairs: PairCell[] = [];
  for (const pair of DESCRIPTOR_PAIRS) {
    for (const c of pairClasses) {
      const m = measured.get(`${pair.name}/${c}`);
      if (m) pairs.push(pairCell(pair, c, m.up, m.down, pairTargets.get(`${pair.name}/${c}`)!));
    }
  }

  const classes: ClassPromptRow[] = [];
  for (const k of KINDS) {
    for (const prompt of CLASS_PROMPTS) {
      const rows = items[k].filter((p) => p.role.what === 'class' && p.prompt === prompt);
      if (!rows.length) continue;
      const counts = new Map<string, number>();
      for (const p of rows) counts.set(predName(k, p.item.index), (counts.get(predName(k, p.item.index)) ?? 0) + 1);
      const asked = rows[0]!.item.className;
      const recall = cls[k]!.recall[configs.get(k)!.classes.indexOf(asked)] ?? null;
      classes.push({
        prompt, kind: k, asked, n: rows.length, share: (counts.get(asked) ?? 0) / rows.length, predicted: [...counts].sort((a, b) => b[1] - a[1]),
        realRecall: recall ? { share: recall[0], n: recall[1] } : null,
      });
    }
  }
  classes.sort((a, b) => CLASS_PROMPTS.indexOf(a.prompt) - CLASS_PROMPTS.indexOf(b.prompt));

  const pitch: PitchPromptRow[] = PITCH_PROMPTS.map((prompt) => {
    const rows = items.tonal.filter((p) => p.role.what === 'pitch' && p.prompt === prompt);
    const ms = rows.map((p) => pitchOf.get(`tonal/${p.item.index}`) ?? null);
    return {
      prompt, family: rows[0]!.item.className, note: rows[0]!.item.pitch!, n: rows.length,
      before: pitchStats(ms.map((m) => m?.cents ?? null)), after: pitchStats(ms.map((m) => m?.centsCorrected ?? null)),
    };
  });

  const result: PromptEvalResult = {
    pairs, excluded, classes, pitch,
    classifierAccuracy: Object.fromEntries(kindsWithItems.map((k) => [k, { accuracy: cls[k]!.testAccuracy, n: cls[k]!.testRows }])),
    pairClassShare: pairN ? pairHit / pairN : null,
    warnings: [...warnings].map(([prompt, w]) => ({ prompt, warnings: w })),
  };
  const targets = evaluatePromptTargets(result);
  const totalS = (performance.now() - t0) / 1000;
  const meta: PromptReportMeta = {
    commit: startCommit,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: ['npm run eval:prompts', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    mode: o.quick ? 'QUICK mode: pipeline check only, numbers are not meaningful' : 'full run',
    models: Object.fromEntries(KINDS.map((k) => {
      const c = configs.get(k)!;
      return [k, { dir: path.relative(repo, modelDirs[k]!), steps: c.sampler.steps, guidance: c.sampler.guidance, sampler: c.sampler.name, trainingSteps: c.training['steps'] }];
    })),
    sizes: { seeds, pairClasses, classN, pitchN },
    backend, workers,
    oneShots: { drums: items.drums.length, tonal: items.tonal.length },
    speed, totalS,
    notes: [
      `Generation took ${(tGen / 60).toFixed(1)} min of the ${(totalS / 60).toFixed(1)}.`,
      `Evaluation classifier: ${kindsWithItems.map((k) => `${k} ${cls[k]!.cached ? 'loaded from the cache' : 'trained now (not in the cache)'}`).join(', ')} (${epochs} epochs).`,
      'Descriptor pairs are measured on the drums model only: the issue asks for drum classes, and the tonal model\'s descriptor condition would need its own per-family table.',
    ],
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'eval-prompts.md'), renderPromptReport(meta, result, targets));
  writeFileSync(path.join(outDir, 'eval-prompts.json'), `${JSON.stringify({ meta, targets, result }, null, 1)}\n`);
  if (!o.keepTmp) rmSync(tmp, { recursive: true, force: true });
  log(`wrote ${path.relative(process.cwd(), path.join(outDir, 'eval-prompts.md'))} in ${totalS.toFixed(0)} s`);
  for (const t of targets) process.stdout.write(`${t.pass ? 'PASS' : 'FAIL'} ${t.name}: ${t.detail}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`eval:prompts: error: ${(e as Error).message}\n`);
    for (const c of evalChildren) c.kill();
    process.exit(1);
  },
);
