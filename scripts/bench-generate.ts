/**
 * npm run bench:generate -- [--model-dir models/drums] [--model-dir models/tonal]
 *   [--backends wasm,cpu] [--threads 2] [--kit 16] [--steps S] [--out reports/bench-generate.md]
 *
 * Time per one-shot and per batched kit (default 16 pads) at the model's default
 * steps and guidance, on the tfjs wasm (threaded) and cpu backends in Node.
 * Network throughput in GFLOP/s is counted analytically from the architecture
 * (countFlops: convs, linears, attention matmuls) and compared with the same
 * backend's matmul peak measured in the same run. Prints a Markdown table and
 * writes it to reports/bench-generate.md.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { featureToAudio } from '../src/dsp/vocoder.js';
import { initNodeBackend, shutdownNodeBackend, type NodeBackendName } from '../src/model/backend-node.js';
import { Generator, type GenerateRequest } from '../src/model/generator.js';
import type { ModelConfig } from '../src/model/config.js';
import { nodeReader } from '../src/model/reader-node.js';
import { countFlops, countParams } from '../src/model/unet.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Row {
  model: string;
  backend: string;
  steps: number;
  guidance: number;
  oneShotS: number;
  oneShotNetS: number;
  kitS: number;
  kitNetS: number;
  vocoderS: number;
  gflopsOne: number;
  gflopsKit: number;
  peak: number;
}

/** Best-of-n wall time of an async function, in seconds. */
async function best(n: number, fn: () => Promise<unknown>): Promise<number> {
  let t = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

/** Matmul peak of the current backend in GFLOP/s: n×n·n×n, 2n³ FLOPs, best of a few after a warm-up. */
async function matmulPeak(n: number): Promise<number> {
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const once = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  await once();
  const s = await best(3, once);
  tf.dispose([a, b]);
  return (2 * n ** 3) / s / 1e9;
}

function requestsFor(config: ModelConfig, count: number, steps?: number): GenerateRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const name = config.classes[i % config.classes.length]!;
    const base: GenerateRequest = config.kind === 'drums' ? { class: name, seed: 1000 + i } : { family: name, pitch: 36 + (i % 24), velocity: 100, seed: 1000 + i };
    return steps ? { ...base, steps } : base;
  });
}

async function benchModel(dir: string, backend: string, peak: number, kit: number, stepsOverride?: number): Promise<Row> {
  const gen = await Generator.load(nodeReader(dir), { maxBatch: kit });
  try {
    const { config } = gen;
    const steps = stepsOverride ?? config.sampler.steps;
    const guidance = config.sampler.guidance;
    const rowsPer = guidance === 1 ? 1 : 2; // guided items add an unconditional row
    const flopsPerItem = countFlops(config.architecture) * rowsPer * steps;
    await gen.warmUp(1);
    await gen.warmUp(kit * rowsPer);

    const one = requestsFor(config, 1, stepsOverride);
    let features: Float32Array[] = [];
    const oneShotNetS = await best(2, async () => (features = await gen.generateFeatures(one)));
    const vocoderS = await best(2, async () => featureToAudio(features[0]!, config.representation));
    const many = requestsFor(config, kit, stepsOverride);
    const kitNetS = await best(1, async () => (features = await gen.generateFeatures(many)));
    return {
      model: `${config.kind} (${path.basename(dir)}, ${(countParams(config.architecture) / 1e6).toFixed(2)} M params, ${(countFlops(config.architecture) / 1e9).toFixed(3)} GFLOP/eval)`,
      backend,
      steps,
      guidance,
      oneShotS: oneShotNetS + vocoderS,
      oneShotNetS,
      kitS: kitNetS + kit * vocoderS,
      kitNetS,
      vocoderS,
      gflopsOne: flopsPerItem / oneShotNetS / 1e9,
      gflopsKit: (flopsPerItem * kit) / kitNetS / 1e9,
      peak,
    };
  } finally {
    gen.dispose();
  }
}

function table(rows: Row[], kit: number): string {
  const f = (x: number, d = 2) => x.toFixed(d);
  const head = [
    'model', 'backend', 'steps', 'w', 'one-shot s (net + vocoder)', `kit ×${kit} s (net + vocoder)`, 's / pad in kit',
    'net GFLOP/s one-shot', `net GFLOP/s kit`, 'matmul peak GFLOP/s', 'kit % of peak',
  ];
  const lines = rows.map((r) => [
    r.model, r.backend, String(r.steps), String(r.guidance),
    `${f(r.oneShotS)} (${f(r.oneShotNetS)} + ${f(r.vocoderS)})`,
    `${f(r.kitS)} (${f(r.kitNetS)} + ${f(kit * r.vocoderS)})`,
    f(r.kitS / kit),
    f(r.gflopsOne), f(r.gflopsKit), f(r.peak), `${f((100 * r.gflopsKit) / r.peak, 0)} %`,
  ]);
  return [head, head.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const cmd = new Command('bench-generate')
    .option('--model-dir <dir>', 'model folder (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--backends <list>', 'comma-separated: wasm,cpu', 'wasm,cpu')
    .option('--threads <n>', 'wasm threads', '2')
    .option('--kit <n>', 'pads per batched kit', '16')
    .option('--steps <n>', 'override the model default steps')
    .option('--peak-n <n>', 'matmul size for the peak', '1024')
    .option('--out <file>', 'report file', path.join(repo, 'reports/bench-generate.md'))
    .parse();
  const o = cmd.opts<{ modelDir: string[]; backends: string; threads: string; kit: string; steps?: string; peakN: string; out: string }>();
  let dirs = o.modelDir.map((d) => path.resolve(d));
  if (dirs.length === 0) dirs = ['drums', 'tonal'].map((m) => path.join(repo, 'models', m)).filter((d) => existsSync(path.join(d, 'config.json')));
  if (dirs.length === 0) throw new Error('no models: pass --model-dir, or train models into models/drums and models/tonal');
  for (const d of dirs) if (!existsSync(path.join(d, 'config.json'))) throw new Error(`--model-dir: no config.json in ${d}`);
  const kit = Number(o.kit);
  const steps = o.steps ? Number(o.steps) : undefined;
  const backends = o.backends.split(',').map((b) => b.trim()) as NodeBackendName[];

  const rows: Row[] = [];
  const notes: string[] = [];
  // wasm first: the cpu backend can always be selected afterwards, not always the reverse.
  for (const b of backends.sort((x) => (x === 'wasm' ? -1 : 1))) {
    const info = await initNodeBackend(b, { threads: Number(o.threads) });
    if (info.note) notes.push(`${b}: ${info.note}`);
    const label = info.name === 'wasm' ? `wasm ×${info.threads}` : info.name;
    process.stderr.write(`bench: ${label}: matmul peak…\n`);
    const peak = await matmulPeak(info.name === 'cpu' ? Math.min(512, Number(o.peakN)) : Number(o.peakN));
    for (const d of dirs) {
      process.stderr.write(`bench: ${label}: ${path.relative(repo, d)}…\n`);
      rows.push(await benchModel(d, label, peak, kit, steps));
    }
  }
  shutdownNodeBackend();

  const report = [
    '# Generation benchmark (Node, tfjs)',
    '',
    `Run ${new Date().toISOString()} with \`npm run bench:generate\`: Node ${process.version}, tfjs ${tf.version.tfjs},`,
    `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length} logical cores, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    'Times are best-of-n wall clock after warm-up; "net" is the sampler with all network calls, "vocoder" is',
    'featureToAudio (mel pseudo-inverse + fast Griffin-Lim, plain JS, backend independent) per one-shot.',
    'GFLOP/s counts 2 FLOPs per multiply-add of every conv, linear and attention matmul (countFlops), times',
    'the rows actually evaluated (×2 with guidance ≠ 1) and the steps. Peak: one n×n matmul on the same backend',
    '(n = 1024 on wasm, 512 on cpu).',
    '',
    table(rows, kit),
    '',
    ...(notes.length ? ['Notes:', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  process.stdout.write(`${report}\n`);
  await mkdir(path.dirname(o.out), { recursive: true });
  await writeFile(o.out, report);
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), o.out)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench-generate: error: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
