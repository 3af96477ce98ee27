/**
 * npm run report:samples — generate a few one-shots per drum class and per
 * tonal family with the shipped models at default settings, write them as
 * 16-bit WAVs under reports/samples/ for listening and draw spectrogram grids
 * (reports/samples-drums.png, reports/samples-tonal.png).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DRUM_CLASSES } from '../src/constants.js';
import { encodeNpy } from '../src/dataset/npy.js';
import { describe } from '../src/dsp/descriptors.js';
import { encodeWav } from '../src/dsp/wav.js';
import { initNodeBackend, shutdownNodeBackend } from '../src/model/backend-node.js';
import { Generator, type GenerateRequest } from '../src/model/generator.js';
import { nodeReader } from '../src/model/reader-node.js';
import { noteName } from '../src/cli/generate.js';

const SEEDS = [1, 2, 3];
const TONAL: Array<[string, number]> = [
  ['bass', 36], ['piano', 60], ['organ', 60], ['guitar', 52], ['strings', 60], ['brass', 55], ['synth-lead', 72], ['synth-pad', 60],
];

async function run(kind: 'drums' | 'tonal', rows: Array<{ label: string; file: string; req: Omit<GenerateRequest, 'seed'> }>) {
  const gen = await Generator.load(nodeReader(`models/${kind}`));
  const out = `reports/samples/${kind}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const reqs = rows.flatMap((r) => SEEDS.map((seed) => ({ ...r.req, seed })));
  const t0 = performance.now();
  const audio = await gen.generate(reqs);
  const secs = (performance.now() - t0) / 1000;
  const len = audio[0]!.length;
  const grid = new Float32Array(audio.length * len);
  const lines: string[] = [];
  audio.forEach((a, i) => {
    grid.set(a, i * len);
    const r = rows[Math.floor(i / SEEDS.length)]!;
    const seed = SEEDS[i % SEEDS.length]!;
    writeFileSync(join(out, `${r.file}-s${seed}.wav`), encodeWav([a], gen.config.representation.sampleRate, 'pcm16'));
    const d = describe(a, gen.config.representation.sampleRate, kind === 'tonal');
    lines.push(
      `| ${r.label} | ${seed} | ${d.brightness.toFixed(0)} | ${(d.decay * 1000).toFixed(0)} | ${d.punch.toFixed(2)} | ${d.noisiness.toFixed(3)} | ${d.f0 ? d.f0.toFixed(1) : '—'} |`,
    );
  });
  gen.dispose();
  const tmp = mkdtempSync(join(tmpdir(), 'samples-'));
  writeFileSync(join(tmp, 'audio.npy'), encodeNpy(grid, [rows.length, SEEDS.length, len]));
  writeFileSync(
    join(tmp, 'meta.json'),
    JSON.stringify({
      sampleRate: gen.config.representation.sampleRate,
      title: `${kind} model, default settings (${gen.config.sampler.name}, ${gen.config.sampler.steps} steps, guidance ${gen.config.sampler.guidance})`,
      rows: rows.map((r) => r.label),
      columns: SEEDS.map((s) => `seed ${s}`),
    }),
  );
  execFileSync('/usr/bin/python3', ['scripts/plot-samples.py', tmp, `reports/samples-${kind}.png`], { stdio: 'inherit' });
  rmSync(tmp, { recursive: true, force: true });
  console.log(`${kind}: ${audio.length} one-shots in ${secs.toFixed(1)} s`);
  return `### ${kind}\n\n| request | seed | centroid (Hz) | decay (ms) | punch | flatness | f0 (Hz) |\n|---|---|---|---|---|---|---|\n${lines.join('\n')}\n`;
}

const backend = await initNodeBackend('wasm', { threads: 1 });
try {
  const drums = await run(
    'drums',
    DRUM_CLASSES.map((c) => ({ label: c, file: c, req: { class: c } })),
  );
  const tonal = await run(
    'tonal',
    TONAL.map(([f, p]) => ({ label: `${f} ${noteName(p)}`, file: `${f}-${noteName(p)}`, req: { family: f, pitch: p, velocity: 100 } })),
  );
  writeFileSync(
    'reports/samples.md',
    `# Generated samples\n\nMade by \`npm run report:samples\` on ${new Date().toISOString().slice(0, 10)} (backend ${backend.name}). ` +
      `WAVs in reports/samples/, spectrograms in reports/samples-drums.png and reports/samples-tonal.png. ` +
      `Descriptors are measured on the generated audio.\n\n${drums}\n${tonal}`,
  );
} finally {
  shutdownNodeBackend();
}
