/**
 * npm run probe:prior -- [--settings '<json>'] [--seeds 16] [--real 40]
 *   [--prompts 'a|b|…'] [--model models/tonal] [--data data] [--cache .cache/probe-prior]
 *
 * How the vocoder's harmonic prior (src/dsp/harmonic-prior.ts) moves pitch
 * and fidelity, setting by setting, on the same audio:
 *
 *  1. Pitch from the prompt: the prompt eval's eight pitch prompts
 *     (scripts/eval-lib.ts PITCH_PROMPTS, or --prompts 'a|b|…') at `--seeds` seeds each (the eval's
 *     seeds first, scripts/eval-lib.ts seedOf(200 + s)); the sampler's
 *     features are made once (cached under --cache) and every setting
 *     vocodes the same ones. Reported: notes whose estimateF0 is within ±20
 *     cents of the asked note, for the eval's 8 seeds and for the rest.
 *  2. Real test notes: `--real` notes of the pitched families spread over
 *     the tonal test split, their shard features vocoded at their own note.
 *     Reported: mean |log-mel difference| between the input feature and the
 *     re-analysed audio (dB, cells above −81 dB in either, levels aligned on
 *     the peak) and notes within ±20 cents of their key.
 *
 * Settings: a JSON object name → { floor, maxHz, lobeBins }, compared with
 * the plain inverse ('plain') and the model's own config ('shipped', when it
 * has a harmonic prior). Prints a Markdown table.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { decodeNpy } from '../src/dataset/npy.js';
import { audioToFeature } from '../src/dsp/features.js';
import { type HarmonicPriorOptions, validateHarmonicPrior } from '../src/dsp/harmonic-prior.js';
import { estimateF0 } from '../src/dsp/pitch.js';
import { featureToAudio, midiToHz } from '../src/dsp/vocoder.js';
import { initNodeBackend, shutdownNodeBackend } from '../src/model/backend-node.js';
import { Generator, playDown } from '../src/model/generator.js';
import { nodeReader } from '../src/model/reader-node.js';
import { vocoderOptionsFor } from '../src/model/vocoding.js';
import { parsePrompt, promptToRequest } from '../src/prompt/index.js';
import { PITCH_PROMPTS, seedOf } from './eval-lib.js';

interface Captured { prompt: string; seedIndex: number; family?: string; asked: number; sampledAt: number; octaves: number; feature: number[] }

const cents = (audio: Float32Array, sampleRate: number, note: number): number => {
  const f = estimateF0(audio, sampleRate).f0;
  return f === null ? Number.NaN : 1200 * Math.log2(f / midiToHz(note));
};
const inTune = (c: number) => Math.abs(c) <= 20;
const contentHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

async function main(): Promise<void> {
  const o = new Command()
    .option('--settings <json>', 'name → {floor, maxHz, lobeBins}', '{}')
    .option('--seeds <n>', 'seeds per pitch prompt (the eval uses the first 8)', '16')
    .option('--prompts <list>', 'pitch prompts separated by |', PITCH_PROMPTS.join('|'))
    .option('--real <n>', 'real test notes of the pitched families', '40')
    .option('--model <dir>', 'tonal model folder', 'models/tonal')
    .option('--data <dir>', 'dataset folder (shards/tonal_test.*)', 'data')
    .option('--cache <dir>', 'where the sampler features are kept', '.cache/probe-prior')
    .parse()
    .opts<{ settings: string; seeds: string; prompts: string; real: string; model: string; data: string; cache: string }>();
  const prompts = o.prompts.split('|').map((p) => p.trim()).filter(Boolean);
  if (prompts.length === 0) throw new Error('--prompts: no prompt given');
  let raw: Record<string, HarmonicPriorOptions>;
  try {
    raw = JSON.parse(o.settings) as Record<string, HarmonicPriorOptions>;
  } catch (e) {
    throw new Error(`--settings: not JSON (${(e as Error).message})`);
  }
  for (const [name, s] of Object.entries(raw)) validateHarmonicPrior(s, `--settings.${name}`);
  const seeds = Number(o.seeds);
  const nReal = Number(o.real);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: expected a positive integer, got ${o.seeds}`);
  if (!Number.isInteger(nReal) || nReal < 0) throw new Error(`--real: expected an integer ≥ 0, got ${o.real}`);

  await initNodeBackend('wasm');
  const captured: Captured[] = [];
  let pending: Omit<Captured, 'prompt' | 'seedIndex' | 'asked'>[] = [];
  const gen = await Generator.load(nodeReader(o.model), {
    vocoder: (f, _c, pitch, family) => {
      pending.push({ family, sampledAt: pitch!, octaves: 0, feature: Array.from(f) });
      return new Float32Array(8);
    },
  });
  const config = gen.config;
  const cfg = config.representation;
  if (config.kind !== 'tonal') throw new Error(`${o.model}: a tonal model is needed, got ${config.kind}`);
  const settings: Record<string, HarmonicPriorOptions | null> = { plain: null };
  const shipped = config.vocoder?.harmonicPrior;
  if (shipped) settings['shipped'] = { floor: shipped.floor, maxHz: shipped.maxHz, lobeBins: shipped.lobeBins };
  Object.assign(settings, raw);

  mkdirSync(o.cache, { recursive: true });
  const cacheFile = path.join(o.cache, `features-v2-${path.basename(o.model)}-${seeds}-${contentHash(prompts.join('|'))}.json`);
  if (existsSync(cacheFile)) captured.push(...(JSON.parse(readFileSync(cacheFile, 'utf8')) as Captured[]));
  else {
    for (const prompt of prompts) {
      const reqs = Array.from({ length: seeds }, (_, s) => {
        const r = promptToRequest(parsePrompt(prompt), config, { seed: seedOf(200 + s) });
        if (!r.ok) throw new Error(`${prompt}: ${r.error}`);
        return r.request;
      });
      pending = [];
      await gen.generate(reqs);
      pending.forEach((p, i) => {
        const asked = reqs[i]!.pitch!;
        captured.push({ ...p, prompt, seedIndex: i, asked, octaves: Math.round((p.sampledAt - asked) / 12) });
      });
      process.stderr.write(`probe:prior: ${prompt}: ${seeds} features\n`);
    }
    writeFileSync(cacheFile, JSON.stringify(captured));
  }
  gen.dispose();

  // Each setting as the model's own vocoder block would apply it (the shipped exceptClasses included).
  const exceptClasses = shipped?.exceptClasses ?? ['percussive', 'sound-effects'];
  const vocode = (feature: Float32Array, pitch: number, family: string | undefined, s: HarmonicPriorOptions | null) =>
    featureToAudio(feature, cfg, vocoderOptionsFor(s ? { vocoder: { harmonicPrior: { ...s, exceptClasses } } } : {}, pitch, family));

  // Real test notes of the pitched families, spread over the split.
  const stem = path.join(o.data, 'shards', 'tonal_test');
  const shard = decodeNpy(new Uint8Array(readFileSync(`${stem}.npy`)), `${stem}.npy`);
  const items = (JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { items: Array<{ pitch: number; family: number }> }).items;
  const D = cfg.nMels * cfg.nFrames;
  const except = new Set(exceptClasses);
  const pitched = items.map((_, i) => i).filter((i) => !except.has(config.classes[items[i]!.family]!));
  const step = Math.max(1, Math.floor(pitched.length / Math.max(1, nReal)));
  const realRows = pitched.filter((_, j) => j % step === 0).slice(0, nReal);

  const rows: string[] = [];
  for (const [name, s] of Object.entries(settings)) {
    let evalSeeds = 0;
    let others = 0;
    for (const c of captured) {
      const audio = playDown(vocode(Float32Array.from(c.feature), c.sampledAt, c.family, s), c.octaves, cfg.sampleRate);
      const ok = inTune(cents(audio, cfg.sampleRate, c.asked));
      if (ok && c.seedIndex < 8) evalSeeds++;
      else if (ok) others++;
    }
    let l1 = 0;
    let realInKey = 0;
    for (const r of realRows) {
      const feature = (shard.data as Float32Array).subarray(r * D, (r + 1) * D);
      const audio = vocode(feature, items[r]!.pitch, config.classes[items[r]!.family], s);
      if (inTune(cents(audio, cfg.sampleRate, items[r]!.pitch))) realInKey++;
      const back = audioToFeature(audio, cfg);
      let peakIn = -1;
      let peakBack = -1;
      for (let j = 0; j < D; j++) {
        peakIn = Math.max(peakIn, feature[j]!);
        peakBack = Math.max(peakBack, back[j]!);
      }
      const shift = peakIn - peakBack; // the vocoder normalises the peak: compare shapes, not levels
      let sum = 0;
      let n = 0;
      for (let j = 0; j < D; j++) {
        const b = Math.min(1, back[j]! + shift);
        if (feature[j]! > -0.9 || b > -0.9) {
          sum += Math.abs(feature[j]! - b);
          n++;
        }
      }
      l1 += ((sum / Math.max(1, n)) * (cfg.ceilDb - cfg.floorDb)) / 2;
    }
    const setting = s ? `${s.floor} / ${s.maxHz} Hz / ${s.lobeBins}` : '—';
    const half = Math.min(8, seeds);
    rows.push(`| ${name} | ${setting} | ${evalSeeds + others} of ${captured.length} | ${evalSeeds} of ${half * prompts.length} | ${others} of ${(seeds - half) * prompts.length} | ${realRows.length ? (l1 / realRows.length).toFixed(2) : '—'} | ${realInKey} of ${realRows.length} |`);
    process.stderr.write(`probe:prior: ${name} done\n`);
  }
  console.log(`Harmonic prior probe: ${o.model}, ${seeds} seeds × ${prompts.length} pitch prompts (${prompts.join(', ')}), ${realRows.length} real test notes\n`);
  console.log('| setting | floor / maxHz / lobe bins | prompt notes within ±20 cents | the eval\'s 8 seeds | further seeds | real notes: log-mel L1 of the re-analysis (dB) | real notes within ±20 cents of their key |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  await shutdownNodeBackend();
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`probe:prior: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
