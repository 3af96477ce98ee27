/**
 * A tiny tonal model in the harmonic representation (16 rows = 1 f0 row + 11
 * harmonics + 4 noise bands, 8 frames, random weights) validates and runs end
 * to end through Generator and OneShotSynth: sampler → harmonic synthesizer at
 * the requested pitch → DC removal, fade, −1 dBFS peak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARMONIC_TONAL_REPRESENTATION, signalLength } from '../../src/dsp/config.js';
import { featureToAudio } from '../../src/dsp/vocoder.js';
import { validateModelConfig } from '../../src/model/config.js';
import { Generator } from '../../src/model/generator.js';
import { nodeReader } from '../../src/model/reader-node.js';
import { OneShotSynth } from '../../src/engine/synth.js';
import { randomWeights, tinyConfig, writeModelDir } from '../model/helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'harmonic-model-test-'));
const dir = path.join(root, 'tonal-harmonic');
const cfg = tinyConfig('tonal', { nMels: 16, nFrames: 8 });
cfg.representation = { ...HARMONIC_TONAL_REPRESENTATION, nMels: 16, nFrames: 8, nHarmonics: 11, nNoiseBands: 4 };

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  writeModelDir(dir, cfg, randomWeights(cfg, 21));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('a harmonic tonal model', () => {
  it('validates its config, and rejects a harmonic drums model or rows that do not add up, naming the field', () => {
    const ok = validateModelConfig(clone(cfg));
    expect(ok.representation.kind).toBe('harmonic');
    expect(ok.representation.nHarmonics).toBe(11);
    const drums = tinyConfig('drums', { nMels: 16, nFrames: 8 });
    drums.representation = clone(cfg.representation);
    expect(() => validateModelConfig(clone(drums))).toThrow(/representation\.kind.*"harmonic" needs a tonal model \(a requested pitch\), got a drums model/);
    const bad = clone(cfg);
    bad.representation.nNoiseBands = 5;
    expect(() => validateModelConfig(bad)).toThrow(/representation\.nMels: 16 rows, but kind "harmonic" needs 1 \+ nHarmonics 11 \+ nNoiseBands 5 = 17/);
  });

  it('Generator: sampler output goes through the harmonic synthesizer at the requested pitch', async () => {
    const features: Array<{ f: Float32Array; pitch: number | undefined }> = [];
    const gen = await Generator.load(nodeReader(dir), {
      vocoder: (f, rep, pitch) => {
        features.push({ f: f.slice(), pitch });
        return featureToAudio(f, rep, { pitch });
      },
    });
    try {
      const audio = await gen.generate([{ family: 'organ', pitch: 45, seed: 3 }, { family: 'bass', pitch: 33, seed: 4 }]);
      expect(audio.length).toBe(2);
      expect(features.map((x) => x.pitch)).toEqual([45, 33]);
      for (let i = 0; i < 2; i++) {
        const a = audio[i]!;
        expect(a.length).toBe(signalLength(cfg.representation));
        expect(a.every(Number.isFinite)).toBe(true);
        const peak = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(20 * Math.log10(peak)).toBeCloseTo(-1, 2);
        // Exactly the harmonic synthesizer's output for that feature and pitch (deterministic noise).
        expect(featureToAudio(features[i]!.f, cfg.representation, { pitch: features[i]!.pitch })).toEqual(a);
      }
      // The pitch matters: the same feature rendered an octave up is different audio.
      expect(featureToAudio(features[0]!.f, cfg.representation, { pitch: 57 })).not.toEqual(audio[0]);
      // Same request, same audio.
      const [again] = await gen.generate([{ family: 'organ', pitch: 45, seed: 3 }]);
      expect(again).toEqual(audio[0]);
    } finally {
      gen.dispose();
    }
  });

  it('OneShotSynth (the engine adapter) gives the Generator’s audio for the same request', async () => {
    const synth = await OneShotSynth.load(nodeReader(dir));
    const gen = await Generator.load(nodeReader(dir));
    try {
      expect(synth.info.nMels).toBe(16);
      const req = { family: 'synth-lead', pitch: 60, seed: 9 } as const;
      const [a] = await synth.generate([req]);
      const [b] = await gen.generate([req]);
      expect(a!.length).toBe(signalLength(cfg.representation));
      expect(a).toEqual(b);
    } finally {
      synth.dispose();
      gen.dispose();
    }
  });
});
