import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/dsp/wav.js';
import { signalLength } from '../../src/dsp/config.js';
import { Generator, planBatches, resolveRequest, type GenerateRequest } from '../../src/model/generator.js';
import { nodeReader } from '../../src/model/reader-node.js';
import { maxAbsDiff, randomWeights, tinyConfig, writeModelDir } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'generator-test-'));
const drumsDir = path.join(root, 'drums');
const tonalDir = path.join(root, 'tonal');
const drums = tinyConfig('drums');
const tonal = tinyConfig('tonal');

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  writeModelDir(drumsDir, drums, randomWeights(drums, 11));
  writeModelDir(tonalDir, tonal, randomWeights(tonal, 12));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const wavBytes = (audio: Float32Array) => Buffer.from(encodeWav([audio], 44100, 'pcm24'));

describe('Generator lifecycle', () => {
  it('load → warmUp → generate → dispose returns numTensors to the baseline', async () => {
    const baseline = tf.memory().numTensors;
    const gen = await Generator.load(nodeReader(drumsDir));
    expect(gen.baselineTensors).toBe(baseline);
    expect(tf.memory().numTensors).toBeGreaterThan(baseline);
    await gen.warmUp(2);
    const loaded = tf.memory().numTensors;
    const audio = await gen.generate([{ class: 'kick', seed: 1 }, { class: 'snare', seed: 2, guidance: 1 }]);
    expect(tf.memory().numTensors).toBe(loaded); // no per-generation leaks
    expect(audio.length).toBe(2);
    for (const a of audio) {
      expect(a.length).toBe(signalLength(drums.representation));
      expect(a.every(Number.isFinite)).toBe(true);
    }
    gen.dispose();
    gen.dispose(); // idempotent
    expect(tf.memory().numTensors).toBe(baseline);
    expect(gen.isLoaded).toBe(false);
    await expect(gen.generate([{ class: 'kick', seed: 1 }])).rejects.toThrow(/after dispose/);
  });
});

describe('Generator.generate', () => {
  let gen: Generator;
  beforeAll(async () => {
    gen = await Generator.load(nodeReader(drumsDir));
  });
  afterAll(() => gen.dispose());

  it('is deterministic: same seed → identical WAV bytes; another seed differs', async () => {
    const [a] = await gen.generate([{ class: 'clap', seed: 42 }]);
    const [b] = await gen.generate([{ class: 'clap', seed: 42 }]);
    const [c] = await gen.generate([{ class: 'clap', seed: 43 }]);
    expect(wavBytes(a!).equals(wavBytes(b!))).toBe(true);
    expect(wavBytes(a!).equals(wavBytes(c!))).toBe(false);
  });

  it('gives an item the same result alone, in a batch, and across batch splits', async () => {
    const reqs: GenerateRequest[] = [
      { class: 'kick', seed: 1, guidance: 3 },
      { class: 'tom', seed: 2, guidance: 1 },
      { class: 'ride', seed: 3, descriptors: { brightness: 11, decay: -1, punch: 0.6, noisiness: 0.4 } },
      { class: 'perc', seed: 4, guidance: 0 },
      { class: 'kick', seed: 5, steps: 3 },
    ];
    const batched = await gen.generateFeatures(reqs);
    const alone = await gen.generateFeatures([reqs[1]!]);
    expect(maxAbsDiff(batched[1]!, alone[0]!)).toBeLessThan(1e-5);
    const small = await Generator.load(nodeReader(drumsDir), { maxBatch: 2 });
    const split = await small.generateFeatures(reqs);
    small.dispose();
    for (let i = 0; i < reqs.length; i++) expect(maxAbsDiff(batched[i]!, split[i]!)).toBeLessThan(1e-5);
  });

  it('responds to the conditions and to guidance', async () => {
    const f = async (r: Omit<GenerateRequest, 'seed'>) => (await gen.generateFeatures([{ ...r, seed: 7 }]))[0]!;
    const kick = await f({ class: 'kick', guidance: 3 });
    expect(maxAbsDiff(kick, await f({ class: 'snare', guidance: 3 }))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(kick, await f({ class: 'kick', guidance: 1 }))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(kick, await f({ class: 'kick', guidance: 3, descriptors: { brightness: 9, decay: -3, punch: 0.9, noisiness: 0.1 } }))).toBeGreaterThan(1e-3);
    for (const v of kick) expect(Math.abs(v)).toBeLessThanOrEqual(1); // feature range
  });

  it('reports progress in steps plus one unit per vocoded one-shot', async () => {
    const seen: [number, number][] = [];
    await gen.generate([{ class: 'kick', seed: 1, steps: 3 }, { class: 'snare', seed: 2, steps: 3 }], { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([[1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
  });

  it('validates every request before computing anything', async () => {
    await expect(gen.generate([{ class: 'kick', seed: 1 }, { class: 'cowbell', seed: 2 }])).rejects.toThrow(
      /^request 1: unknown class "cowbell" \(one of kick, snare, clap, rim, closed-hat, open-hat, tom, crash, ride, perc\)$/,
    );
    await expect(gen.generate([{ class: 'kick', seed: -1 }])).rejects.toThrow(/seed must be an integer/);
    await expect(gen.generate([{ class: 'kick', seed: 1, pitch: 60 }])).rejects.toThrow(/drums model has no pitch/);
    await expect(gen.generate([{ family: 'bass', seed: 1 }])).rejects.toThrow(/takes "class", not "family"/);
    await expect(gen.generate([{ class: 'kick', seed: 1, steps: 0 }])).rejects.toThrow(/steps must be an integer 1–1000/);
    await expect(gen.generate([{ class: 'kick', seed: 1, guidance: Number.NaN }])).rejects.toThrow(/guidance must be/);
  });
});

describe('tonal model', () => {
  it('generates pitched one-shots and requires a pitch', async () => {
    const gen = await Generator.load(nodeReader(tonalDir));
    try {
      const [a, b] = await gen.generateFeatures([
        { family: 'bass', pitch: 36, velocity: 100, seed: 1 },
        { family: 'bass', pitch: 48, seed: 1 },
      ]);
      expect(maxAbsDiff(a!, b!)).toBeGreaterThan(1e-3);
      await expect(gen.generate([{ family: 'bass', seed: 1 }])).rejects.toThrow(/"pitch" is required/);
      await expect(gen.generate([{ family: 'bass', pitch: 128, seed: 1 }])).rejects.toThrow(/pitch must be a MIDI note 0–127/);
      await expect(gen.generate([{ family: 'bass', pitch: 40, velocity: 0, seed: 1 }])).rejects.toThrow(/velocity must be 1–127/);
      await expect(gen.generate([{ class: 'bass', pitch: 40, seed: 1 }])).rejects.toThrow(/takes "family", not "class"/);
    } finally {
      gen.dispose();
    }
  });
});

describe('request planning (pure)', () => {
  it('groups by solver and steps, then splits by maxBatch, keeping indices', () => {
    const r = (steps: number, sampler: 'ddim' | 'dpmpp-2m' = 'dpmpp-2m') => resolveRequest(drums, { class: 'kick', seed: 0, steps, sampler });
    expect(planBatches([r(4), r(8), r(4), r(4), r(4, 'ddim'), r(4)], 2)).toEqual([[0, 2], [3, 5], [1], [4]]);
    expect(resolveRequest(drums, { class: 'rim', seed: 3 })).toEqual({
      labels: { class: 3 }, seed: 3, guidance: drums.sampler.guidance, steps: drums.sampler.steps, sampler: 'dpmpp-2m',
    });
  });
});
