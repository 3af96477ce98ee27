/**
 * npm run eval -- [--data data] [--model-dir models] [--out reports] [--quick]
 *   [--kinds drums,tonal] [--workers 2] [--drums-n 24] [--tonal-n 4] [--sweep-drums-n 8]
 *   [--sweep-tonal-n 1] [--vocoded-n 4] [--epochs 14] [--python /usr/bin/python3] [--keep-tmp]
 *
 * Evaluates the shipped models against the dataset's TEST split (issue 4):
 *  1. plans N one-shots per drum class and per tonal family × 3 pitches an
 *     octave apart at default settings, plus a guidance sweep (0, 1, default, 2× default);
 *  2. generates them with the shipped TypeScript pipeline (Generator.generate:
 *     sampler + DSP vocoder) in parallel worker processes (scripts/eval-worker.ts,
 *     single-threaded wasm each), re-analyses the audio with audioToFeature,
 *     measures tonal pitch with estimateF0 (src/dsp/pitch.ts) before and after resampling correction;
 *  3. meanwhile trains (or loads from <data>/eval-cache/) the evaluation
 *     classifier and measures the real test notes' pitch (the ceiling);
 *  4. runs training/evaluate.py for accuracy, FD vs floor, IS, novelty,
 *     diversity and the sweep, and the figures;
 *  5. writes <out>/eval.md, <out>/eval-grid.png, <out>/eval-guidance.png,
 *     <out>/eval/*.wav (< 2 MB) and <out>/eval/results.json.
 * --quick: a few samples per class and a 2-epoch classifier (pipeline check, not quality).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { noteName } from '../src/cli/generate.js';
import { decodeNpy, encodeNpy } from '../src/dataset/npy.js';
import { melView } from '../src/dsp/config.js';
import { audioToFeature } from '../src/dsp/features.js';
import { resample } from '../src/dsp/resample.js';
import { encodeWav } from '../src/dsp/wav.js';
import type { ModelConfig } from '../src/model/config.js';
import { loadConfig } from '../src/model/loader.js';
import { nodeReader } from '../src/model/reader-node.js';
import {
  assignLpt, evaluateTargets, FULL_SIZES, familyPitches, type GenItem, itemCost, type Kind, KINDS, type KindResult, makeBatches,
  measurePitch, type PitchReport, pitchedFamilies, pitchStats, type PlanSizes, planRequests, QUICK_SIZES, renderReport, type ReportMeta,
  selectWavs, sweepWeights, trimmedLength,
  gitCommit, readF32,
  evalChildren,
  runChild,
} from './eval-lib.js';
import type { WorkerJob, WorkerResult } from './eval-worker.js';
import { readManifest, shardWaves } from './audio-shard.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WAV_BUDGET = 1_900_000;
/** Real test notes per family measured for the pitch ceiling. */
const REAL_PITCH_PER_FAMILY = 12;
/** Real train notes per family measured to tell pitched families from unpitched ones. */
const TRAIN_PITCH_PER_FAMILY = 24;

/** Up to `per` rows of each family, spread evenly over the family's rows (which run low to high pitch per program). */
function spreadRows(items: ReadonlyArray<Record<string, number>>, per: number): number[] {
  const byFam = new Map<number, number[]>();
  items.forEach((it, r) => byFam.set(it['family']!, [...(byFam.get(it['family']!) ?? []), r]));
  const rows: number[] = [];
  for (const list of byFam.values()) {
    const step = Math.max(1, list.length / per);
    for (let i = 0; i < list.length; i += step) rows.push(list[Math.floor(i)]!);
  }
  return rows.sort((a, b) => a - b);
}

interface Opts {
  data: string; modelDir: string; out: string; kinds: string; quick?: boolean; workers: string;
  drumsN?: string; tonalN?: string; sweepDrumsN?: string; sweepTonalN?: string; vocodedN?: string;
  epochs?: string; python: string; keepTmp?: boolean;
}

const log = (s: string) => process.stderr.write(`eval: ${s}\n`);

function npyShape(file: string): number[] {
  const fd = readFileSync(file).subarray(0, 256);
  const header = String.fromCharCode(...fd.subarray(10, 10 + (fd[8]! | (fd[9]! << 8))));
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!m) throw new Error(`${file}: malformed .npy header`);
  return m[1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
}

/** Real-note pitch measurements of the tonal test split, and the per-family train share that scopes the target. */
interface RealPitch {
  before: Array<number | null>;
  after: Array<number | null>;
  nearEval: Array<number | null>;
  trainShare: Record<string, number>;
}

async function main(): Promise<void> {
  // The code state the run starts from; read before the run writes its own tracked outputs (WAVs, figures).
  const startCommit = gitCommit(repo);
  const t0 = performance.now();
  const cmd = new Command('eval')
    .option('--data <dir>', 'dataset root (manifest.json, shards/, audio/)', 'data')
    .option('--model-dir <dir>', 'folder holding the drums/ and tonal/ model folders', 'models')
    .option('--out <dir>', 'reports folder', 'reports')
    .option('--kinds <list>', 'models to evaluate', 'drums,tonal')
    .option('--quick', 'a few samples per class, 2-epoch classifier: checks the pipeline, not quality')
    .option('--workers <n>', 'generation worker processes', String(Math.max(1, Math.min(2, os.cpus().length))))
    .option('--drums-n <n>', 'one-shots per drum class at default settings')
    .option('--tonal-n <n>', 'one-shots per tonal family and pitch at default settings')
    .option('--sweep-drums-n <n>', 'one-shots per drum class per sweep weight')
    .option('--sweep-tonal-n <n>', 'one-shots per tonal family and pitch per sweep weight')
    .option('--vocoded-n <n>', 'real test items per class sent through the vocoder')
    .option('--epochs <n>', 'evaluation classifier epochs (default 14, quick 2)')
    .option('--python <exe>', 'Python with PyTorch', '/usr/bin/python3')
    .option('--keep-tmp', 'keep the temporary folder')
    .parse();
  const o = cmd.opts<Opts>();
  const dataDir = path.resolve(o.data);
  /** The harmonic test shard `npm run dataset:harmonic` writes (same rows as the mel one). */
  const harmonicTestShard = (kind: Kind): string => path.join(dataDir, 'harmonic', 'shards', `${kind}_test.npy`);
  const outDir = path.resolve(o.out);
  const kinds = o.kinds.split(',').map((k) => k.trim()).filter(Boolean) as Kind[];
  for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`--kinds: unknown kind "${k}"`);
  const base = o.quick ? QUICK_SIZES : FULL_SIZES;
  const int = (v: string | undefined, d: number, name: string): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got ${v}`);
    return n;
  };
  const sizes: PlanSizes = {
    ...base,
    drumsPerClass: Math.max(2, int(o.drumsN, base.drumsPerClass, '--drums-n')),
    tonalPerPitch: Math.max(1, int(o.tonalN, base.tonalPerPitch, '--tonal-n')),
    sweepDrumsPerClass: int(o.sweepDrumsN, base.sweepDrumsPerClass, '--sweep-drums-n'),
    sweepTonalPerPitch: int(o.sweepTonalN, base.sweepTonalPerPitch, '--sweep-tonal-n'),
    vocodedPerClass: int(o.vocodedN, base.vocodedPerClass, '--vocoded-n'),
  };
  const workers = Math.max(1, int(o.workers, 2, '--workers'));

  // --- models and data
  const configs = new Map<Kind, ModelConfig>();
  const modelDirs: Partial<Record<Kind, string>> = {};
  for (const kind of kinds) {
    const dir = path.resolve(o.modelDir, kind);
    if (!existsSync(path.join(dir, 'config.json'))) throw new Error(`no ${kind} model: ${path.join(dir, 'config.json')} is missing (train and export one, or pass --model-dir)`);
    const cfg = await loadConfig(nodeReader(dir));
    if (cfg.kind !== kind) throw new Error(`${dir}: config.json says kind "${cfg.kind}", expected "${kind}"`);
    for (const split of ['train', 'val', 'test']) {
      const f = path.join(dataDir, 'shards', `${kind}_${split}.npy`);
      if (!existsSync(f)) throw new Error(`dataset: ${f} is missing (npm run dataset, or pass --data)`);
      const shape = npyShape(f);
      // The mel shards are what the evaluation classifiers and near-copies read, for a harmonic model too.
      const mel = melView(cfg.representation);
      if (shape[1] !== mel.nMels || shape[2] !== mel.nFrames) {
        throw new Error(`${f}: features ${shape.slice(1).join('×')} do not match the ${kind} model's ${mel.nMels}×${mel.nFrames}`);
      }
    }
    if (cfg.representation.kind === 'harmonic') {
      // Real test rows go through the harmonic synthesizer from the harmonic shards (npm run dataset:harmonic).
      const f = harmonicTestShard(kind);
      if (!existsSync(f)) throw new Error(`dataset: ${f} is missing (npm run dataset:harmonic)`);
      const shape = npyShape(f);
      if (shape[1] !== cfg.representation.nMels || shape[2] !== cfg.representation.nFrames) {
        throw new Error(`${f}: features ${shape.slice(1).join('×')} do not match the ${kind} model's harmonic ${cfg.representation.nMels}×${cfg.representation.nFrames}`);
      }
    }
    configs.set(kind, cfg);
    modelDirs[kind] = dir;
  }
  if (!existsSync(path.join(dataDir, 'manifest.json'))) throw new Error(`dataset: ${path.join(dataDir, 'manifest.json')} is missing`);

  // --- plan
  const items = new Map<Kind, GenItem[]>();
  for (const kind of kinds) {
    const cfg = configs.get(kind)!;
    items.set(kind, planRequests(kind, cfg.classes, cfg.sampler.guidance, sizes, sweepWeights(cfg.sampler.guidance), cfg.sampler.classGuidance));
  }
  const allItems = [...items.values()].flat();
  const batches = makeBatches(allItems, 16, (it) => {
    const cfg = configs.get(it.kind)!;
    return itemCost(cfg.representation.nFrames, it.guidance, cfg.sampler.steps);
  });
  const manifest = readManifest(dataDir).items;
  // Real test rows to vocode: the first vocodedPerClass of each class.
  const vocTasks: Array<{ kind: Kind; rows: number[]; cost: number }> = [];
  for (const kind of kinds) {
    const cfg = configs.get(kind)!;
    const test = (JSON.parse(readFileSync(path.join(dataDir, 'shards', `${kind}_test.json`), 'utf8')) as { items: Array<Record<string, number>> }).items;
    const seen = new Map<number, number>();
    const rows: number[] = [];
    test.forEach((it, r) => {
      const c = kind === 'drums' ? it['class']! : it['family']!;
      const n = seen.get(c) ?? 0;
      if (n < sizes.vocodedPerClass) rows.push(r);
      seen.set(c, n + 1);
    });
    // Split in chunks so both workers share them.
    for (let i = 0; i < rows.length; i += 8) vocTasks.push({ kind, rows: rows.slice(i, i + 8), cost: rows.slice(i, i + 8).length * cfg.representation.nFrames * 0.85 });
  }
  const costs = [...batches.map((b) => b.cost), ...vocTasks.map((v) => v.cost)];
  const assignment = assignLpt(costs, workers);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'eval-'));
  const jobs: WorkerJob[] = assignment.map((tasks, w) => {
    const own = tasks.filter((i) => i < batches.length).sort((a, b) => a - b).map((i) => batches[i]!);
    const voc = tasks.filter((i) => i >= batches.length).map((i) => vocTasks[i - batches.length]!);
    return {
      prefix: path.join(tmp, `w${w}`),
      modelDirs,
      batches: own.map((b) => ({ kind: b.kind, items: b.items })),
      vocode: voc.map((v) => ({
        kind: v.kind,
        shard: configs.get(v.kind)!.representation.kind === 'harmonic' ? harmonicTestShard(v.kind) : path.join(dataDir, 'shards', `${v.kind}_test.npy`),
        rows: v.rows,
      })),
    };
  });
  for (const kind of kinds) {
    const its = items.get(kind)!;
    log(`${kind}: ${its.filter((i) => i.set === 'main').length} one-shots at default settings + ${its.filter((i) => i.set === 'sweep').length} for the guidance sweep`);
  }
  log(`${allItems.length} one-shots in ${batches.length} batches over ${workers} worker(s); temporary files in ${tmp}`);

  const timings: Array<[string, number]> = [];
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings.push([name, (performance.now() - t) / 1000]);
    }
  };
  const pyArgs = ['-m', 'training.evaluate', '--data', dataDir, '--kinds', kinds.join(','), ...(o.quick ? ['--quick'] : []), ...(o.epochs ? ['--epochs', o.epochs] : [])];

  // --- generation workers ∥ classifier ∥ real-test pitch
  const workerScript = path.join(repo, 'scripts/eval-worker.ts');
  const gen = time('generation (worker processes, in parallel)', () =>
    Promise.all(jobs.map((job, w) => {
      writeFileSync(`${job.prefix}.job.json`, JSON.stringify(job));
      return runChild(process.execPath, [...process.execArgv, workerScript, `${job.prefix}.job.json`], `[worker ${w}]`, repo);
    })),
  );
  // Which classifiers this run trains (new files in the cache) rather than loads.
  const cacheDir = path.join(dataDir, 'eval-cache');
  const cached = (): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.pt')) : []);
  const cachedBefore = new Set(cached());
  const prep = time('evaluation classifier (train or load; in parallel)', () => runChild(o.python, [...pyArgs, '--prepare'], '[python]', repo));
  // Both are awaited below; keep a rejection of one from going unhandled while the other runs.
  gen.catch(() => {});
  prep.catch(() => {});

  // Real test notes' pitch (the ceiling) and a feature consistency check, in this process meanwhile.
  const consistency: ReportMeta['consistency'] = {};
  let realPitch: RealPitch | null = null;
  await time('real test pitch + consistency check (in parallel)', async () => {
    await new Promise((r) => setTimeout(r, 50));
    for (const kind of kinds) {
      const cfg = melView(configs.get(kind)!.representation); // the shard features are log-mel for every model
      const shard = `${kind}_test`;
      const audioFile = path.join(dataDir, 'audio', `${shard}.npy`);
      if (!existsSync(audioFile)) {
        log(`no ${audioFile}: skipping the real-audio checks for ${kind}`);
        continue;
      }
      const feats = decodeNpy(new Uint8Array(readFileSync(path.join(dataDir, 'shards', `${shard}.npy`))), shard);
      const testItems = (JSON.parse(readFileSync(path.join(dataDir, 'shards', `${shard}.json`), 'utf8')) as { items: Array<Record<string, number>> }).items;
      const D = cfg.nMels * cfg.nFrames;
      const testWave = shardWaves(dataDir, manifest, shard);
      const wave = (r: number): Float32Array => {
        const x = testWave(r);
        if (!x) throw new Error(`${shard}: row ${r} has no stored audio`);
        return x;
      };
      let maxDiff = 0;
      let sum = 0;
      const check = [0, Math.floor(testItems.length / 3), Math.floor((2 * testItems.length) / 3)];
      for (const r of check) {
        const f = audioToFeature(wave(r), cfg);
        for (let j = 0; j < D; j++) {
          const d = Math.abs(f[j]! - feats.data[r * D + j]!);
          maxDiff = Math.max(maxDiff, d);
          sum += d;
        }
      }
      consistency[kind] = { max: maxDiff, mean: sum / (check.length * D) };
      if (kind === 'tonal') {
        const evalP = new Map<number, number[]>();
        configs.get('tonal')!.classes.forEach((f, i) => evalP.set(i, familyPitches(f)));
        // At most REAL_PITCH_PER_FAMILY notes per family, spread over its pitches (time budget).
        const rows = spreadRows(testItems, REAL_PITCH_PER_FAMILY);
        const before: Array<number | null> = [];
        const after: Array<number | null> = [];
        const nearEval: Array<number | null> = [];
        for (const r of rows) {
          const it = testItems[r]!;
          const m = measurePitch(wave(r), it['pitch']!, cfg);
          before.push(m.cents);
          after.push(m.centsCorrected);
          if (evalP.get(it['family']!)?.some((p) => Math.abs(p - it['pitch']!) <= 1)) nearEval.push(m.cents);
        }
        // Which families sound at their key in the real training data (the pitch target's scope).
        const trainFile = path.join(dataDir, 'audio', 'tonal_train.npy');
        const trainShare: Record<string, number> = {};
        if (existsSync(trainFile)) {
          const tItems = (JSON.parse(readFileSync(path.join(dataDir, 'shards', 'tonal_train.json'), 'utf8')) as { items: Array<Record<string, number>> }).items;
          const trainWave = shardWaves(dataDir, manifest, 'tonal_train');
          const hits = new Map<number, [number, number]>();
          for (const r of spreadRows(tItems, TRAIN_PITCH_PER_FAMILY)) {
            const x = trainWave(r);
            if (!x) continue;
            const c = measurePitch(x, tItems[r]!['pitch']!, cfg).cents;
            const h = hits.get(tItems[r]!['family']!) ?? [0, 0];
            h[1]++;
            if (c !== null && Math.abs(c - 1200 * Math.round(c / 1200)) <= 20) h[0]++;
            hits.set(tItems[r]!['family']!, h);
          }
          configs.get('tonal')!.classes.forEach((f, i) => {
            const h = hits.get(i);
            if (h) trainShare[f] = h[0] / h[1];
          });
        } else {
          log(`no ${trainFile}: every family counts as pitched`);
          for (const f of configs.get('tonal')!.classes) trainShare[f] = 1;
        }
        realPitch = { before, after, nearEval, trainShare };
      }
    }
  });
  await gen;
  await prep;

  // --- merge worker outputs
  const results = jobs.map((j) => JSON.parse(readFileSync(`${j.prefix}.json`, 'utf8')) as WorkerResult);
  const speed: ReportMeta['speed'] = {};
  const pitchOf = new Map<number, { cents: number | null; centsCorrected: number | null }>();
  // Workers return log-mel features (melView) for every model, harmonic ones included.
  const melOf = (k: Kind) => melView(configs.get(k)!.representation);
  const dims = (k: Kind): number => melOf(k).nMels * melOf(k).nFrames;
  const wavFiles = new Map<string, string>();
  for (const kind of kinds) {
    const cfg = configs.get(kind)!;
    const D = dims(kind);
    const its = items.get(kind)!;
    const genOut = new Float32Array(its.length * D);
    const rawOut = new Float32Array(its.length * D);
    const filled = new Uint8Array(its.length);
    const vocRows: number[] = [];
    const vocChunks: Float32Array[] = [];
    results.forEach((res, w) => {
      const g = readF32(`${jobs[w]!.prefix}.gen.f32`);
      const r = readF32(`${jobs[w]!.prefix}.raw.f32`);
      // A worker's files hold rows of both kinds (different sizes) in job order.
      let at = 0;
      for (const row of res.rows) {
        const Dk = dims(row.kind);
        if (row.kind === kind) {
          genOut.set(g.subarray(at, at + Dk), row.index * D);
          rawOut.set(r.subarray(at, at + Dk), row.index * D);
          filled[row.index] = 1;
          if (row.pitch) pitchOf.set(row.index, row.pitch);
        }
        at += Dk;
      }
      if (at !== g.length || at !== r.length) throw new Error(`worker ${w}: ${g.length} / ${r.length} floats for rows totalling ${at}`);
      const v = readF32(`${jobs[w]!.prefix}.voc.f32`);
      let vat = 0;
      for (const vv of res.voc) {
        const n = vv.rows.length * dims(vv.kind);
        if (vv.kind === kind) {
          vocRows.push(...vv.rows);
          vocChunks.push(v.slice(vat, vat + n));
        }
        vat += n;
      }
      if (vat !== v.length) throw new Error(`worker ${w}: ${v.length} vocoded floats for rows totalling ${vat}`);
      const sp = res.speed[kind];
      if (sp) {
        const acc = (speed[kind] ??= { items: 0, netS: 0, vocoderS: 0, analysisS: 0 });
        acc.items += sp.items;
        acc.netS += sp.netS;
        acc.vocoderS += sp.vocoderS;
        acc.analysisS += sp.analysisS;
      }
      for (const wv of res.wavs) if (wv.kind === kind) wavFiles.set(`${kind}/${wv.index}`, wv.file);
    });
    const missing = filled.indexOf(0);
    if (missing >= 0) throw new Error(`${kind}: one-shot ${missing} was not generated`);
    const shape = [its.length, melOf(kind).nMels, melOf(kind).nFrames];
    writeFileSync(path.join(tmp, `gen_${kind}.npy`), encodeNpy(genOut, shape));
    writeFileSync(path.join(tmp, `raw_${kind}.npy`), encodeNpy(rawOut, shape));
    writeFileSync(path.join(tmp, `gen_${kind}.json`), JSON.stringify({
      guidanceDefault: cfg.sampler.guidance,
      items: its.map((it) => ({ class: it.classIndex, guidance: it.guidance, seed: it.seed, set: it.set, ...(it.pitch !== undefined ? { pitch: it.pitch } : {}) })),
    }));
    if (vocRows.length) {
      const voc = new Float32Array(vocRows.length * D);
      let off = 0;
      for (const c of vocChunks) {
        voc.set(c, off);
        off += c.length;
      }
      writeFileSync(path.join(tmp, `voc_${kind}.npy`), encodeNpy(voc, [vocRows.length, shape[1]!, shape[2]!]));
      writeFileSync(path.join(tmp, `voc_${kind}.json`), JSON.stringify({ rows: vocRows }));
    }
  }

  // --- python evaluation
  mkdirSync(path.join(outDir, 'eval'), { recursive: true });
  const resultsJson = path.join(outDir, 'eval', 'results.json');
  await time('evaluation (python: embeddings, FD, IS, novelty, diversity, figures)', () =>
    runChild(o.python, [...pyArgs, '--gen', tmp, '--out-json', path.join(tmp, 'results.json'),
      '--grid-png', path.join(outDir, 'eval-grid.png'), '--guidance-png', path.join(outDir, 'eval-guidance.png')], '[python]', repo),
  );
  const py = JSON.parse(readFileSync(path.join(tmp, 'results.json'), 'utf8')) as { kinds: Partial<Record<Kind, KindResult>> };
  const trainedNow = cached().filter((f) => !cachedBefore.has(f));
  for (const kind of kinds) {
    const c = py.kinds[kind]?.classifier;
    if (c) c.cached = !trainedNow.some((f) => f.startsWith(`classifier-${kind}-`));
  }

  // --- pitch report
  let pitch: PitchReport | null = null;
  if (kinds.includes('tonal')) {
    const its = items.get('tonal')!.filter((it) => it.set === 'main');
    const fam = configs.get('tonal')!.classes;
    const centsOfItems = (list: GenItem[], after: boolean) => list.map((it) => {
      const p = pitchOf.get(it.index);
      return p ? (after ? p.centsCorrected : p.cents) : null;
    });
    const rp = realPitch as RealPitch | null;
    const trainShare = rp?.trainShare ?? Object.fromEntries(fam.map((f) => [f, 1]));
    const pitchedFams = pitchedFamilies(fam, trainShare);
    const pitchedIts = its.filter((it) => pitchedFams.includes(it.className));
    pitch = {
      families: fam.map((f) => {
        const list = its.filter((it) => it.className === f);
        return { family: f, pitches: familyPitches(f), before: pitchStats(centsOfItems(list, false)), after: pitchStats(centsOfItems(list, true)) };
      }),
      positions: ['low', 'middle', 'high'].map((label, k) => {
        const list = its.filter((it) => it.pitch === familyPitches(it.className)[k]);
        return { label: `generated, ${label} pitch of each family`, before: pitchStats(centsOfItems(list, false)), after: pitchStats(centsOfItems(list, true)) };
      }),
      before: pitchStats(centsOfItems(its, false)),
      after: pitchStats(centsOfItems(its, true)),
      realBefore: pitchStats(rp?.before ?? []),
      realAfter: pitchStats(rp?.after ?? []),
      realNearEval: pitchStats(rp?.nearEval ?? []),
      trainShare,
      pitchedFamilies: pitchedFams,
      pitchedBefore: pitchStats(centsOfItems(pitchedIts, false)),
      pitchedAfter: pitchStats(centsOfItems(pitchedIts, true)),
    };
  }

  // --- WAVs
  const wavNames: string[] = [];
  await time('WAVs and report', async () => {
    const dir = path.join(outDir, 'eval');
    for (const f of readdirSync(dir)) if (f.endsWith('.wav')) rmSync(path.join(dir, f));
    const cands: Array<{ name: string; bytes: number; round: number; data: Float32Array; rate: number }> = [];
    for (const kind of kinds) {
      const cfg = configs.get(kind)!.representation;
      const seedIdx = new Map<number, number>();
      for (const it of items.get(kind)!) {
        const file = wavFiles.get(`${kind}/${it.index}`);
        if (!file) continue;
        const key = it.classIndex;
        const round = seedIdx.get(key) ?? 0;
        seedIdx.set(key, round + 1);
        let a = readF32(file);
        let rate = cfg.sampleRate;
        if (kind === 'tonal') {
          rate = cfg.sampleRate / 2;
          a = resample(a, cfg.sampleRate, rate);
        }
        a = a.slice(0, trimmedLength(a, rate));
        const fade = Math.min(a.length, Math.round(0.01 * rate));
        for (let i = 0; i < fade; i++) a[a.length - 1 - i]! *= i / fade;
        const name = `${kind}-${it.className}${it.pitch !== undefined ? `-${noteName(it.pitch)}` : ''}-${round + 1}.wav`;
        cands.push({ name, bytes: 44 + 2 * a.length, round, data: a, rate });
      }
    }
    for (const c of selectWavs(cands, WAV_BUDGET)) {
      writeFileSync(path.join(dir, c.name), encodeWav([c.data], c.rate, 'pcm16'));
      wavNames.push(c.name);
    }
  });

  const totalS = (performance.now() - t0) / 1000;
  const backend = results[0]?.backend ?? 'unknown';
  const meta: ReportMeta = {
    commit: startCommit,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: ['npm run eval', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    mode: o.quick ? 'QUICK mode: pipeline check only, numbers are not meaningful' : 'full run',
    dataDir: path.relative(repo, dataDir) || '.',
    models: Object.fromEntries(kinds.map((k) => {
      const c = configs.get(k)!;
      return [k, { dir: path.relative(repo, modelDirs[k]!), steps: c.sampler.steps, guidance: c.sampler.guidance, ...(c.sampler.classGuidance ? { classGuidance: c.sampler.classGuidance } : {}), sampler: c.sampler.name, trainingSteps: c.training['steps'], valLoss: c.training['valLoss'], date: c.training['date'] }];
    })),
    sizes,
    backend,
    workers,
    timings,
    speed,
    totalS,
    consistency,
    wavs: wavNames,
    notes: kinds
      .filter((k) => configs.get(k)!.representation.kind === 'harmonic')
      .map((k) => `The ${k} model generates the harmonic-plus-noise representation (f0 deviation, harmonic amplitudes, noise bands; src/dsp/harmonic.ts), not log-mel: its "model features" columns and its near-copy distances use the log-mel of the synthesized audio (audioToFeature on the mel grid, melView), so for it they equal the re-analysed audio; its vocoded real test items are the harmonic test shard (data/harmonic) through the harmonic synthesizer.`),
  };
  const targets = evaluateTargets(py.kinds, pitch);
  writeFileSync(path.join(outDir, 'eval.md'), renderReport(meta, py.kinds, pitch, targets));
  writeFileSync(resultsJson, `${JSON.stringify({ meta, targets, pitch, kinds: py.kinds }, null, 1)}\n`);
  if (!o.keepTmp) rmSync(tmp, { recursive: true, force: true });
  const wavBytes = wavNames.reduce((s, n) => s + statSync(path.join(outDir, 'eval', n)).size, 0);
  log(`wrote ${path.relative(process.cwd(), path.join(outDir, 'eval.md'))}, eval-grid.png, eval-guidance.png, ${wavNames.length} WAVs (${(wavBytes / 1e6).toFixed(2)} MB) in ${totalS.toFixed(0)} s`);
  for (const t of targets) log(`${t.pass ? 'PASS' : 'FAIL'} ${t.name}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`eval: error: ${(e as Error).message}\n`);
    for (const c of evalChildren) c.kill();
    process.exit(1);
  },
);
