/**
 * npx tsx scripts/eval-drums-probe.ts [--classes rim,clap,ride,kick,snare] [--guidance 3]
 *   [--seeds 16] [--vocoders shipped] [--real] [--model models/drums] [--data data]
 *   [--out .cache/drums-probe] [--python /usr/bin/python3]
 *
 * Per-class measurements of the drums model for issue 4, quicker than the full
 * `npm run eval` and with the knobs the full eval does not turn: guidance per
 * class and the vocoder's Griffin-Lim settings.
 *
 *  1. The sampler's features for every class × guidance × seed (seeds are the
 *     full eval's, scripts/eval-lib.ts seedOf, so guidance 3 is its main set),
 *     cached under <out>/raw/ so further vocoder variants reuse them.
 *  2. Every vocoder variant (VARIANTS below) turns them into audio, which is
 *     re-analysed with audioToFeature as the full eval does; with --real the
 *     real test one-shots of every class (their shard features) go through the
 *     same variant, as the full eval's "vocoded real test" check.
 *  3. The evaluation classifier (training/evaluate.py classifier_for, from
 *     <data>/eval-cache) labels every re-analysed row and gives its 64-d
 *     embedding.
 *
 * Reported per (variant, guidance, class): share classified as the requested
 * class ("class share"), the share on the sampler's own features ("model
 * features"), diversity (mean pairwise embedding distance) of the generated
 * set over the real test set's, and the mel spectral convergence
 * ‖mel(audio) − mel target‖ / ‖mel target‖ (how much of the feature the
 * vocoder keeps). For --real, per class: classifier accuracy on the vocoded
 * real test items vs the same items unvocoded, and their mel SC.
 * Writes <out>/probe.json and <out>/probe.md; prints the Markdown.
 *
 * The figures of the speckle clean-up and classGuidance decision (issue 4):
 *   --classes rim,clap,ride,kick,snare --vocoders before,despeckle-0.2,despeckle-0.3 --real
 *   --classes rim,clap,ride,kick,snare --guidance 0,1,2,3,4,5,6 --vocoders none
 *   --classes kick,snare,clap,rim,closed-hat,open-hat,tom,crash,ride,perc --guidance 2,3
 * ('shipped' is the vocoder as it is now; 'before' as it was before the clean-up.)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { decodeNpy, encodeNpy } from '../src/dataset/npy.js';
import { despeckle, DESPECKLE_DELTA } from '../src/dsp/despeckle.js';
import { audioToFeature, audioToMel, featureToMel } from '../src/dsp/features.js';
import { featureToAudio, type VocoderOptions } from '../src/dsp/vocoder.js';
import { initNodeBackend, shutdownNodeBackend } from '../src/model/backend-node.js';
import { Generator } from '../src/model/generator.js';
import { nodeReader } from '../src/model/reader-node.js';
import { seedOf } from './eval-lib.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Vocoder variants by name: the options featureToAudio gets for a drum
 * one-shot. 'shipped' is whatever featureToAudio does with no options.
 */
export interface Variant {
  opts: VocoderOptions;
  /** Applied to the feature before the vocoder (a candidate clean-up of the sampler's output). */
  prepare?: (feature: Float32Array, nFrames: number) => Float32Array;
}

/**
 * Pull down values that stand above all four direct neighbours (previous and
 * next frame, band below and above) by more than `delta`: isolated points
 * only (tried before despeckle.ts's 3 × 3 median; measured worse).
 */
export function isolatedPeaks(f: Float32Array, nFrames: number, delta: number): Float32Array {
  const nMels = f.length / nFrames;
  const out = f.slice();
  for (let m = 0; m < nMels; m++) {
    for (let t = 0; t < nFrames; t++) {
      const i = m * nFrames + t;
      let nb = -Infinity;
      if (t > 0) nb = Math.max(nb, f[i - 1]!);
      if (t + 1 < nFrames) nb = Math.max(nb, f[i + 1]!);
      if (m > 0) nb = Math.max(nb, f[i - nFrames]!);
      if (m + 1 < nMels) nb = Math.max(nb, f[i + nFrames]!);
      if (f[i]! > nb + delta) out[i] = nb + delta;
    }
  }
  return out;
}

/**
 * Vocoder variants by name. 'shipped' is what featureToAudio does for a drum
 * one-shot by default; 'before' is the vocoder before the speckle clean-up
 * (zero initial phase, 32 iterations); the rest change one thing from there.
 */
export const VARIANTS: Record<string, Variant> = {
  shipped: { opts: {} },
  before: { opts: { despeckle: false } },
  random: { opts: { despeckle: false, seed: 1 } },
  'iter-64': { opts: { despeckle: false, iterations: 64 } },
  'ceil-0.83': { opts: { despeckle: false }, prepare: (f) => f.map((v) => Math.min(v, 0.83)) },
  'isolated-0.1': { opts: { despeckle: false }, prepare: (f, n) => isolatedPeaks(f, n, 0.1) },
  'despeckle-0.1': { opts: { despeckle: 0.1 } },
  'despeckle-0.2': { opts: { despeckle: 0.2 } },
  'despeckle-0.3': { opts: { despeckle: 0.3 } },
};

const CLASSIFY_PY = `
import json, sys, os
import numpy as np
from training.evaluate import classifier_for, run_classifier, load_split
data, folder, names = sys.argv[1], sys.argv[2], sys.argv[3].split(',')
model, meta = classifier_for(data, 'drums', 14, os.path.join(data, 'eval-cache'), 1, log=lambda s: print('[classify] ' + s, flush=True))
xt, _, yt = load_split(data, 'drums', 'test')
res = {}
et, pt = run_classifier(model, xt)
res['__test__'] = {'pred': [int(v) for v in pt.argmax(1)], 'label': [int(v) for v in yt], 'emb': np.round(et, 5).tolist()}
for n in names:
    e, p = run_classifier(model, np.load(os.path.join(folder, n + '.npy')))
    res[n] = {'pred': [int(v) for v in p.argmax(1)], 'emb': np.round(e, 5).tolist()}
with open(os.path.join(folder, 'classified.json'), 'w') as f:
    json.dump(res, f)
`;

interface Classified { pred: number[]; emb: number[][]; label?: number[] }

const log = (s: string) => process.stderr.write(`probe: ${s}\n`);

function runPython(python: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${python} exited with ${code}`))));
  });
}

/** Mean Euclidean distance over all unordered pairs (NaN below 2 rows), as training/evaluate.py mean_pairwise_distance. */
export function meanPairwiseDistance(rows: readonly (readonly number[])[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      let d = 0;
      const a = rows[i]!;
      const b = rows[j]!;
      for (let k = 0; k < a.length; k++) d += (a[k]! - b[k]!) ** 2;
      sum += Math.sqrt(d);
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/**
 * min over g of ‖g·mel(audio) − mel(target feature)‖ / ‖mel(target feature)‖:
 * the vocoder normalises the peak, so the level is factored out.
 */
function melConvergence(audio: Float32Array, feature: Float32Array, cfg: Parameters<typeof featureToMel>[1]): number {
  const got = audioToMel(audio, cfg);
  const want = featureToMel(feature, cfg);
  let gw = 0;
  let gg = 0;
  let ww = 0;
  for (let i = 0; i < want.length; i++) {
    gw += got[i]! * want[i]!;
    gg += got[i]! ** 2;
    ww += want[i]! ** 2;
  }
  const g = gg > 0 ? gw / gg : 0;
  let num = 0;
  for (let i = 0; i < want.length; i++) num += (g * got[i]! - want[i]!) ** 2;
  return ww > 0 ? Math.sqrt(num / ww) : 0;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

async function main(): Promise<void> {
  const o = new Command('eval-drums-probe')
    .option('--classes <list>', 'drum classes to generate', 'rim,clap,ride,kick,snare')
    .option('--guidance <list>', 'guidance weights', '3')
    .option('--seeds <n>', 'seeds per class and weight (seedOf(0..n-1), as the full eval)', '16')
    .option('--vocoders <list>', `vocoder variants (${Object.keys(VARIANTS).join(', ')}), or none`, 'shipped')
    .option('--real', 'also send every real test one-shot through each vocoder variant')
    .option('--model <dir>', 'drums model folder', 'models/drums')
    .option('--data <dir>', 'dataset root (shards/, eval-cache/)', 'data')
    .option('--out <dir>', 'output folder (raw feature cache, probe.json, probe.md)', '.cache/drums-probe')
    .option('--python <exe>', 'Python with PyTorch', '/usr/bin/python3')
    .parse()
    .opts<{ classes: string; guidance: string; seeds: string; vocoders: string; real?: boolean; model: string; data: string; out: string; python: string }>();
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const weights = list(o.guidance).map((w) => {
    const v = Number(w);
    if (!Number.isFinite(v) || v < 0) throw new Error(`--guidance: expected numbers ≥ 0, got "${w}"`);
    return v;
  });
  const nSeeds = Number(o.seeds);
  if (!Number.isInteger(nSeeds) || nSeeds < 2) throw new Error(`--seeds: expected an integer ≥ 2, got "${o.seeds}"`);
  // 'none': only the sampler's features are classified (the guidance sweep's cheap first pass).
  const variants = o.vocoders === 'none' ? [] : list(o.vocoders);
  for (const v of variants) if (!(v in VARIANTS)) throw new Error(`--vocoders: unknown variant "${v}" (one of ${Object.keys(VARIANTS).join(', ')})`);
  const out = path.resolve(o.out);
  mkdirSync(path.join(out, 'raw'), { recursive: true });
  const modelDir = path.resolve(o.model);
  const info = await initNodeBackend('wasm', { threads: 1 });
  const gen = await Generator.load(nodeReader(modelDir));
  const cfg = gen.config;
  const rep = cfg.representation;
  const D = rep.nMels * rep.nFrames;
  const classes = list(o.classes);
  for (const c of classes) if (!cfg.classes.includes(c)) throw new Error(`--classes: unknown class "${c}" (one of ${cfg.classes.join(', ')})`);
  log(`${info.name}; ${classes.length} classes × ${weights.length} weights × ${nSeeds} seeds; vocoders ${variants.join(', ')}`);

  // 1. sampler features, cached per (model export, class, weight, seed count, steps)
  const stamp = String(cfg.training['date'] ?? 'unknown').replace(/[^0-9A-Za-z]/g, '');
  const raw = new Map<string, Float32Array[]>();
  for (const w of weights) {
    for (const c of classes) {
      const file = path.join(out, 'raw', `${stamp}-${c}-g${w}-s${cfg.sampler.steps}-n${nSeeds}.f32`);
      let flat: Float32Array;
      if (existsSync(file)) {
        flat = readF32(file);
      } else {
        const t = performance.now();
        const feats = await gen.generateFeatures(Array.from({ length: nSeeds }, (_, s) => ({ class: c, seed: seedOf(s), guidance: w })));
        flat = new Float32Array(nSeeds * D);
        feats.forEach((f, i) => flat.set(f, i * D));
        writeFileSync(file, new Uint8Array(flat.buffer));
        log(`sampled ${c} at guidance ${w} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
      raw.set(`${c}-g${w}`, Array.from({ length: nSeeds }, (_, i) => flat.slice(i * D, (i + 1) * D)));
    }
  }
  gen.dispose();
  shutdownNodeBackend();

  // 2. vocoder variants
  const tmp = path.join(out, 'classify');
  mkdirSync(tmp, { recursive: true });
  const sets: string[] = [];
  const sc = new Map<string, number[]>();
  const save = (name: string, rows: Float32Array[]) => {
    const flat = new Float32Array(rows.length * D);
    rows.forEach((r, i) => flat.set(r, i * D));
    writeFileSync(path.join(tmp, `${name}.npy`), encodeNpy(flat, [rows.length, rep.nMels, rep.nFrames]));
    sets.push(name);
  };
  for (const [key, rows] of raw) save(`raw__${key}`, rows);
  let test: { data: Float32Array; n: number } | null = null;
  if (o.real) {
    const f = path.join(path.resolve(o.data), 'shards', 'drums_test.npy');
    const { data, shape } = decodeNpy(new Uint8Array(readFileSync(f)), f);
    if (!(data instanceof Float32Array) || shape[1]! * shape[2]! !== D) throw new Error(`${f}: shape ${shape.join('×')} does not match the model`);
    test = { data, n: shape[0]! };
  }
  for (const v of variants) {
    const t = performance.now();
    const { opts, prepare } = VARIANTS[v]!;
    // Mel SC is measured against what Griffin-Lim was asked for: the prepared feature, despeckled where the vocoder does so.
    const run = (f: Float32Array) => {
      const g = prepare ? prepare(f, rep.nFrames) : f;
      const a = featureToAudio(g, rep, opts);
      const target = opts.despeckle === false ? g : despeckle(g, rep.nFrames, opts.despeckle ?? DESPECKLE_DELTA);
      return { a, sc: melConvergence(a, target, rep) };
    };
    for (const [key, rows] of raw) {
      const scs: number[] = [];
      save(`${v}__${key}`, rows.map((f) => {
        const { a, sc: c } = run(f);
        scs.push(c);
        return audioToFeature(a, rep);
      }));
      sc.set(`${v}__${key}`, scs);
    }
    if (test) {
      const rows: Float32Array[] = [];
      const scs: number[] = [];
      for (let r = 0; r < test.n; r++) {
        const f = test.data.slice(r * D, (r + 1) * D);
        const { a, sc: c } = run(f);
        scs.push(c);
        rows.push(audioToFeature(a, rep));
      }
      save(`${v}__real`, rows);
      sc.set(`${v}__real`, scs);
    }
    log(`vocoder ${v}: ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }

  // 3. classifier
  await runPython(o.python, ['-c', CLASSIFY_PY, path.resolve(o.data), tmp, sets.join(',')]);
  const cl = JSON.parse(readFileSync(path.join(tmp, 'classified.json'), 'utf8')) as Record<string, Classified>;
  const testC = cl['__test__']!;
  const labels = testC.label!;
  const realDiv = new Map<string, number>();
  for (const c of cfg.classes) {
    const ci = cfg.classes.indexOf(c);
    realDiv.set(c, meanPairwiseDistance(testC.emb.filter((_, i) => labels[i] === ci)));
  }

  // 4. tables
  const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(0)} %` : '—');
  const L: string[] = [];
  const json: Record<string, unknown> = { model: path.relative(repo, modelDir), stamp, seeds: nSeeds, classes, weights, variants, generated: [] as unknown[], real: [] as unknown[] };
  L.push(`# Drums probe (${path.relative(repo, modelDir)}, ${nSeeds} seeds per cell)`, '');
  L.push('| vocoder | guidance | class | class share | model features | top other class | diversity gen / real | mel SC (median) |');
  L.push('|---|---|---|---|---|---|---|---|');
  // 'model features' rows: the sampler's output classified before any vocoder.
  for (const v of ['model features', ...variants]) {
    for (const w of weights) {
      for (const c of classes) {
        const ci = cfg.classes.indexOf(c);
        const g = cl[v === 'model features' ? `raw__${c}-g${w}` : `${v}__${c}-g${w}`]!;
        const r = cl[`raw__${c}-g${w}`]!;
        const share = g.pred.filter((p) => p === ci).length / g.pred.length;
        const shareRaw = r.pred.filter((p) => p === ci).length / r.pred.length;
        const counts = new Map<number, number>();
        for (const p of g.pred) if (p !== ci) counts.set(p, (counts.get(p) ?? 0) + 1);
        const top = [...counts].sort((a, b) => b[1] - a[1])[0];
        const div = meanPairwiseDistance(g.emb) / realDiv.get(c)!;
        const scMed = v === 'model features' ? NaN : median(sc.get(`${v}__${c}-g${w}`)!);
        (json['generated'] as unknown[]).push({ vocoder: v, guidance: w, class: c, share, shareRaw, diversityGen: meanPairwiseDistance(g.emb), diversityReal: realDiv.get(c), melSc: scMed, pred: g.pred });
        L.push(`| ${v} | ${w} | ${c} | ${pct(share)} | ${pct(shareRaw)} | ${top ? `${cfg.classes[top[0]]} ×${top[1]}` : '—'} | ${div.toFixed(2)} | ${Number.isFinite(scMed) ? scMed.toFixed(3) : '—'} |`);
      }
    }
  }
  L.push('');
  if (test) {
    L.push('Real test one-shots through each vocoder (classifier accuracy per class: vocoded / unvocoded; mel SC median):', '');
    L.push(`| vocoder | ${cfg.classes.join(' | ')} | all | mel SC all |`);
    L.push(`|---|${cfg.classes.map(() => '---|').join('')}---|---|`);
    for (const v of variants) {
      const g = cl[`${v}__real`]!;
      const scs = sc.get(`${v}__real`)!;
      const cells = cfg.classes.map((c, ci) => {
        const idx = labels.map((l, i) => (l === ci ? i : -1)).filter((i) => i >= 0);
        const acc = idx.filter((i) => g.pred[i] === ci).length / idx.length;
        const clean = idx.filter((i) => testC.pred[i] === ci).length / idx.length;
        const m = median(idx.map((i) => scs[i]!));
        (json['real'] as unknown[]).push({ vocoder: v, class: c, n: idx.length, accuracy: acc, accuracyClean: clean, melSc: m });
        return `${pct(acc)} / ${pct(clean)} (${m.toFixed(2)})`;
      });
      const all = g.pred.filter((p, i) => p === labels[i]).length / labels.length;
      const clean = testC.pred.filter((p, i) => p === labels[i]).length / labels.length;
      (json['real'] as unknown[]).push({ vocoder: v, class: 'all', n: labels.length, accuracy: all, accuracyClean: clean, melSc: median(scs) });
      L.push(`| ${v} | ${cells.join(' | ')} | ${pct(all)} / ${pct(clean)} | ${median(scs).toFixed(3)} |`);
    }
    L.push('');
  }
  const md = L.join('\n');
  writeFileSync(path.join(out, 'probe.md'), `${md}\n`);
  writeFileSync(path.join(out, 'probe.json'), `${JSON.stringify(json, null, 1)}\n`);
  process.stdout.write(`${md}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`probe: error: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
