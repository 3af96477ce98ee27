/**
 * One worker process of the evaluation harness (scripts/eval.ts); not a CLI
 * for people. Usage: tsx scripts/eval-worker.ts <job.json>
 *
 * For each batch of its job: Generator.generate (the shipped pipeline: sampler,
 * then the DSP vocoder, captured on the way to keep the sampler's features),
 * re-analysis of the audio with audioToFeature, and for tonal notes estimateF0
 * before and after pitch correction. Then real test rows through the vocoder.
 * Writes <prefix>.gen.f32 / .raw.f32 (features in job order), <prefix>.voc.f32,
 * <prefix>.json (per-item pitch, timings) and <prefix>-<kind>-<index>.f32 (audio
 * of WAV candidates). Progress lines go to stdout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeNpy } from '../src/dataset/npy.js';
import { melView } from '../src/dsp/config.js';
import { audioToFeature } from '../src/dsp/features.js';
import { initNodeBackend, shutdownNodeBackend } from '../src/model/backend-node.js';
import { validateModelConfig } from '../src/model/config.js';
import { Generator, type GenerateRequest } from '../src/model/generator.js';
import { nodeReader } from '../src/model/reader-node.js';
import { modelVocoder, type Vocoder } from '../src/model/vocoding.js';
import { type GenItem, type Kind, measurePitch, type PitchMeasure } from './eval-lib.js';

export interface WorkerJob {
  prefix: string;
  modelDirs: Partial<Record<Kind, string>>;
  /** Batches in the order to run; each is one generate() call. */
  batches: Array<{ kind: Kind; items: GenItem[] }>;
  /** Real test rows to vocode, per kind, with the shard to read them from. */
  vocode: Array<{ kind: Kind; shard: string; rows: number[] }>;
  /** wasm threads of this worker; default 1. */
  threads?: number;
}

export interface WorkerResult {
  /** In job order (batches flattened): the GenItem index and kind of each row of .gen.f32. */
  rows: Array<{ kind: Kind; index: number; pitch?: PitchMeasure }>;
  voc: Array<{ kind: Kind; rows: number[] }>;
  speed: Partial<Record<Kind, { items: number; netS: number; vocoderS: number; analysisS: number }>>;
  wavs: Array<{ kind: Kind; index: number; file: string }>;
  backend: string;
}

function toBytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

async function main(): Promise<void> {
  const jobFile = process.argv[2];
  if (!jobFile) throw new Error('usage: eval-worker.ts <job.json>');
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as WorkerJob;
  const info = await initNodeBackend('wasm', { threads: job.threads ?? 1 });
  const result: WorkerResult = { rows: [], voc: [], speed: {}, wavs: [], backend: `${info.name} ×${info.threads}` };
  const gen: Float32Array[] = [];
  const raw: Float32Array[] = [];
  const generators = new Map<Kind, Generator>();
  const load = async (kind: Kind): Promise<Generator> => {
    let g = generators.get(kind);
    if (!g) {
      const dir = job.modelDirs[kind];
      if (!dir) throw new Error(`no model folder for ${kind}`);
      // The model's own vocoder needs its config, known once loaded; it is set before any generation.
      let vocoder: Vocoder;
      g = await Generator.load(nodeReader(dir), { vocoder: (...args) => capture(vocoder, ...args) });
      vocoder = modelVocoder(g.config);
      generators.set(kind, g);
    }
    return g;
  };
  // The Generator's vocoder: the model's default one, timed, keeping the sampler's feature.
  let captured: Float32Array[] = [];
  let vocS = 0;
  const capture = (voc: Vocoder, ...[f, cfg, pitch, cls]: Parameters<Vocoder>): Float32Array => {
    captured.push(f.slice());
    const t = performance.now();
    const a = voc(f, cfg, pitch, cls);
    vocS += (performance.now() - t) / 1000;
    return a;
  };

  let done = 0;
  const total = job.batches.reduce((n, b) => n + b.items.length, 0);
  for (const batch of job.batches) {
    const g = await load(batch.kind);
    const cfg = g.config.representation;
    // Classifiers and near-copies work in log-mel: a harmonic model's audio is analysed with the mel
    // representation on its STFT grid, and its "model features" are that mel too (its sampler output
    // is harmonic rows, not mel bands).
    const mel = melView(cfg);
    const reqs: GenerateRequest[] = batch.items.map((it) => it.request ?? ({
      ...(batch.kind === 'drums' ? { class: it.className } : { family: it.className, pitch: it.pitch!, velocity: it.velocity }),
      seed: it.seed,
      guidance: it.guidance,
    }));
    captured = [];
    vocS = 0;
    const t0 = performance.now();
    const audio = await g.generate(reqs);
    const genS = (performance.now() - t0) / 1000;
    if (captured.length !== audio.length) throw new Error(`captured ${captured.length} features for ${audio.length} one-shots`);
    const t1 = performance.now();
    audio.forEach((a, i) => {
      const it = batch.items[i]!;
      const ga = audioToFeature(a, mel);
      gen.push(ga);
      raw.push(mel === cfg ? captured[i]! : ga);
      const row: WorkerResult['rows'][number] = { kind: batch.kind, index: it.index };
      if (batch.kind === 'tonal' && it.pitch !== undefined) row.pitch = measurePitch(a, it.pitch, cfg);
      result.rows.push(row);
      if (it.wav) {
        const file = `${job.prefix}-${batch.kind}-${it.index}.f32`;
        writeFileSync(file, toBytes(a));
        result.wavs.push({ kind: batch.kind, index: it.index, file });
      }
    });
    const anaS = (performance.now() - t1) / 1000;
    const sp = (result.speed[batch.kind] ??= { items: 0, netS: 0, vocoderS: 0, analysisS: 0 });
    sp.items += audio.length;
    sp.netS += genS - vocS;
    sp.vocoderS += vocS;
    sp.analysisS += anaS;
    done += audio.length;
    process.stdout.write(`${batch.kind} w=${batch.items[0]!.guidance}: ${done}/${total} one-shots (batch ${genS.toFixed(1)} s)\n`);
  }
  for (const g of generators.values()) g.dispose();

  const voc: Float32Array[] = [];
  for (const v of job.vocode) {
    if (v.rows.length === 0) continue;
    const cfgFile = `${job.modelDirs[v.kind]}/config.json`;
    const config = validateModelConfig(JSON.parse(readFileSync(cfgFile, 'utf8')), cfgFile);
    const cfg = config.representation;
    const vocoder = modelVocoder(config);
    const { data, shape } = decodeNpy(new Uint8Array(readFileSync(v.shard)), v.shard);
    const D = shape[1]! * shape[2]!;
    if (!(data instanceof Float32Array) || D !== cfg.nMels * cfg.nFrames) throw new Error(`${v.shard}: shape ${shape.join('×')} does not match the ${v.kind} model`);
    // Real rows go through the vocoder as a generated one-shot of their class and note would
    // (a harmonic model's synthesizer cannot run without the note at all).
    const items = (JSON.parse(readFileSync(v.shard.replace(/\.npy$/, '.json'), 'utf8')) as { items: Array<{ pitch?: number; class?: number; family?: number }> }).items;
    for (const r of v.rows) {
      const it = items[r];
      if (!it) throw new Error(`${v.shard}: row ${r} has no item in its .json`);
      const pitch = config.kind === 'tonal' ? it.pitch : undefined;
      if (config.kind === 'tonal' && pitch === undefined) throw new Error(`${v.shard}: row ${r} has no pitch`);
      const c = config.kind === 'tonal' ? it.family : it.class;
      voc.push(audioToFeature(vocoder(data.slice(r * D, (r + 1) * D), cfg, pitch, c === undefined ? undefined : config.classes[c]), melView(cfg)));
    }
    result.voc.push({ kind: v.kind, rows: v.rows });
    process.stdout.write(`${v.kind}: ${v.rows.length} real test items vocoded\n`);
  }

  const cat = (list: Float32Array[]): Uint8Array => {
    const n = list.reduce((s, a) => s + a.length, 0);
    const out = new Float32Array(n);
    let o = 0;
    for (const a of list) {
      out.set(a, o);
      o += a.length;
    }
    return toBytes(out);
  };
  writeFileSync(`${job.prefix}.gen.f32`, cat(gen));
  writeFileSync(`${job.prefix}.raw.f32`, cat(raw));
  writeFileSync(`${job.prefix}.voc.f32`, cat(voc));
  writeFileSync(`${job.prefix}.json`, JSON.stringify(result));
}

main().then(
  () => {
    shutdownNodeBackend();
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`eval-worker: ${(e as Error).stack ?? String(e)}\n`);
    shutdownNodeBackend();
    process.exit(1);
  },
);
