/**
 * Candidate pool for the factory presets: generate one-shots with the shipped
 * models at default settings (seed sound, variation index 0, i.e. exactly what
 * a pad with that seed plays first) and measure their descriptors.
 *
 * Results are cached in .cache/presets/candidates.json (one entry per model,
 * class, pitch and seed, stamped with a SHA-256 of the model's weights and
 * config), so a rerun only generates what is missing or was made by other
 * weights, and the selection step (scripts/make-presets.ts) can be rerun for
 * free. Same seed, same model, same backend → same one-shot, so the cache can
 * always be rebuilt.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '../src/dsp/descriptors.js';

export interface CandidateSpec {
  model: 'drums' | 'tonal';
  /** Drum class or GM family. */
  class: string;
  /** Tonal: MIDI note. */
  pitch?: number;
  seed: number;
}

export interface Candidate extends CandidateSpec {
  /** Spectral centroid (Hz). */
  brightness: number;
  /** Peak → −40 dB (s). */
  decay: number;
  /** Energy share of the first 50 ms. */
  punch: number;
  /** Spectral flatness. */
  noisiness: number;
  /** YIN f0 (Hz) or null. */
  f0: number | null;
  /** Loudest 50 ms RMS (dBFS). */
  loudness: number;
  /** modelFingerprint() of the weights that made it; an entry from other weights is regenerated. */
  weights?: string;
}

/** SHA-256 (first 16 hex digits) of a model folder's config.json, model.json and weight shards. */
export function modelFingerprint(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((f) => f === 'config.json' || f === 'model.json' || f.endsWith('.bin')).sort()) {
    h.update(f);
    h.update(readFileSync(path.join(dir, f)));
  }
  return h.digest('hex').slice(0, 16);
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_FILE = path.join(repoRoot, '.cache/presets/candidates.json');

export function candidateKey(c: CandidateSpec): string {
  return `${c.model}/${c.class}/${c.pitch ?? '-'}/${c.seed}`;
}

export async function readCache(): Promise<Map<string, Candidate>> {
  try {
    const list = JSON.parse(await readFile(CACHE_FILE, 'utf8')) as Candidate[];
    return new Map(list.map((c) => [candidateKey(c), c]));
  } catch {
    return new Map();
  }
}

async function writeCache(cache: Map<string, Candidate>): Promise<void> {
  await mkdir(path.dirname(CACHE_FILE), { recursive: true });
  const list = [...cache.values()].sort((a, b) => candidateKey(a).localeCompare(candidateKey(b)));
  await writeFile(CACHE_FILE, `${JSON.stringify(list, null, 1)}\n`);
}

/** Generate and measure every spec not in the cache, in batches of one class; saves after each batch. */
export async function ensureCandidates(specs: readonly CandidateSpec[], opts: { threads?: number; log?: (s: string) => void } = {}): Promise<Map<string, Candidate>> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const cache = await readCache();
  const fp = { drums: modelFingerprint(path.join(repoRoot, 'models', 'drums')), tonal: modelFingerprint(path.join(repoRoot, 'models', 'tonal')) };
  const missing = specs.filter((s) => cache.get(candidateKey(s))?.weights !== fp[s.model]);
  if (missing.length === 0) return cache;
  const [{ initNodeBackend, shutdownNodeBackend }, { Generator }, { nodeReader }] = await Promise.all([
    import('../src/model/backend-node.js'),
    import('../src/model/generator.js'),
    import('../src/model/reader-node.js'),
  ]);
  const backend = await initNodeBackend('wasm', { threads: opts.threads ?? 1 });
  log(`make-presets: generating ${missing.length} candidate(s) on ${backend.name} (${backend.threads} thread(s))${backend.note ? `; ${backend.note}` : ''}`);
  try {
    for (const model of ['drums', 'tonal'] as const) {
      const todo = missing.filter((s) => s.model === model);
      if (todo.length === 0) continue;
      const gen = await Generator.load(nodeReader(path.join(repoRoot, 'models', model)));
      try {
        const groups = new Map<string, CandidateSpec[]>();
        for (const s of todo) {
          const k = `${s.class}/${s.pitch ?? '-'}`;
          groups.set(k, [...(groups.get(k) ?? []), s]);
        }
        for (const [k, group] of groups) {
          for (let i = 0; i < group.length; i += 8) {
            const batch = group.slice(i, i + 8);
            const t0 = performance.now();
            const audio = await gen.generate(
              batch.map((s) => (model === 'drums' ? { class: s.class, seed: s.seed } : { family: s.class, pitch: s.pitch!, seed: s.seed })),
            );
            const sr = gen.config.representation.sampleRate;
            batch.forEach((s, j) => {
              const d = describe(audio[j]!, sr, model === 'tonal');
              cache.set(candidateKey(s), { ...s, brightness: d.brightness, decay: d.decay, punch: d.punch, noisiness: d.noisiness, f0: d.f0, loudness: d.loudness, weights: fp[model] });
            });
            await writeCache(cache);
            log(`make-presets: ${model} ${k}: ${batch.length} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          }
        }
      } finally {
        gen.dispose();
      }
    }
  } finally {
    shutdownNodeBackend();
  }
  return cache;
}
