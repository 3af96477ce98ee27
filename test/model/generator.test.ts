import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/dsp/wav.js';
import { signalLength } from '../../src/dsp/config.js';
import { Generator, octavesUp, planBatches, resolveRequest, type GenerateRequest } from '../../src/model/generator.js';
import { validateModelConfig } from '../../src/model/config.js';
import { estimateF0 } from '../../src/dsp/pitch.js';
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

describe('tonal notes below sampler.lowestPitch', () => {
  it('are sampled whole octaves up and played down by an exact 2^−k resampling', async () => {
    const cfg = structuredClone(tonal);
    cfg.sampler.lowestPitch = 60;
    const dir = path.join(root, 'tonal-lowest');
    writeModelDir(dir, cfg, randomWeights(cfg, 12));
    const heard: Array<{ pitch: number | undefined; feature: Float32Array }> = [];
    // A stand-in vocoder that renders the pitch it is told, so the output's f0 shows the whole path.
    const gen = await Generator.load(nodeReader(dir), {
      vocoder: (f, c, pitch) => {
        heard.push({ pitch, feature: f.slice() });
        const hz = 440 * 2 ** ((pitch! - 69) / 12);
        return Float32Array.from({ length: signalLength(c) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / c.sampleRate));
      },
    });
    try {
      const [low, two, native] = await gen.generate([
        { family: 'bass', pitch: 50, seed: 4 },
        { family: 'bass', pitch: 40, seed: 4 },
        { family: 'bass', pitch: 60, seed: 4 },
      ]);
      expect(heard.map((h) => h.pitch)).toEqual([62, 64, 60]);
      const [at62, at64] = await gen.generateFeatures([{ family: 'bass', pitch: 62, seed: 4 }, { family: 'bass', pitch: 64, seed: 4 }]);
      expect(maxAbsDiff(heard[0]!.feature, at62!)).toBe(0);
      expect(maxAbsDiff(heard[1]!.feature, at64!)).toBe(0);
      for (const [audio, note] of [[low!, 50], [two!, 40], [native!, 60]] as const) {
        expect(audio.length).toBe(signalLength(cfg.representation));
        const f = estimateF0(audio, cfg.representation.sampleRate).f0!;
        expect(Math.abs(1200 * Math.log2(f / (440 * 2 ** ((note - 69) / 12))))).toBeLessThan(1);
      }
    } finally {
      gen.dispose();
    }
  });

  it('octavesUp: the fewest octaves that reach the lowest pitch; none without one', () => {
    expect(octavesUp(59, 60)).toBe(1);
    expect(octavesUp(48, 60)).toBe(1);
    expect(octavesUp(47, 60)).toBe(2);
    expect(octavesUp(60, 60)).toBe(0);
    expect(octavesUp(30, undefined)).toBe(0);
    expect(octavesUp(undefined, 60)).toBe(0);
  });

  it('config: only on a model with a pitch condition, as a MIDI note, one line naming the field', () => {
    const bad = (kind: 'drums' | 'tonal', v: unknown) => () => {
      const o = structuredClone(tinyConfig(kind)) as unknown as { sampler: Record<string, unknown> };
      o.sampler['lowestPitch'] = v;
      return validateModelConfig(o, `models/${kind}/config.json`);
    };
    expect(bad('tonal', 55)().sampler.lowestPitch).toBe(55);
    expect(bad('tonal', 60.5)).toThrow(/^models\/tonal\/config\.json: sampler\.lowestPitch: expected a MIDI note 0–115, got 60\.5$/);
    expect(bad('tonal', 120)).toThrow(/sampler\.lowestPitch: expected a MIDI note 0–115, got 120$/);
    expect(bad('drums', 60)).toThrow(/^models\/drums\/config\.json: sampler\.lowestPitch: set on a model without a pitch condition$/);
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
