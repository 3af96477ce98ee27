/**
 * Parity with the PyTorch trainer (docs/model-spec.md): the fixture in
 * test/fixtures/parity is written by training/ from a tiny random model.
 * Max abs error ≤ 1e-4 in float32 on the tfjs cpu backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeConditions, type ConditionLabels, type ConditionSpec, type DescriptorStats } from '../../src/model/conditioning.js';
import { loadModel } from '../../src/model/loader.js';
import { nodeReader } from '../../src/model/reader-node.js';
import { alpha, logSnr, sigma } from '../../src/model/schedule.js';
import { unetDenoiser } from '../../src/model/unet.js';
import { maxAbsDiff } from './helpers.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/parity');
const present = existsSync(path.join(dir, 'io.json'));

interface Io {
  x: number[][][];
  t: number[];
  cond: number[][];
  v: number[][][];
  vUncond?: number[][][];
  labels?: ConditionLabels[];
  schedule?: { t: number[]; logSnr: number[]; alpha: number[]; sigma: number[] };
  tonalCondCases?: { conditions: ConditionSpec[]; descriptorStats: DescriptorStats; labels: ConditionLabels[]; cond: number[][] };
}

/** Nested [B][C][T] lists → flat Float32Array in the same (PyTorch, mel-major) order the denoiser takes. */
const flat = (a: unknown): Float32Array => Float32Array.from((a as unknown[]).flat(3) as number[]);

describe.skipIf(!present)('parity with the PyTorch trainer (test/fixtures/parity)', () => {
  let io: Io;
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    io = JSON.parse(readFileSync(path.join(dir, 'io.json'), 'utf8')) as Io;
  });

  it('v = model(x, t, cond) matches to 1e-4 (conditional and unconditional)', async () => {
    const { config, net } = await loadModel(nodeReader(dir));
    try {
      const B = io.t.length;
      const { nMels, nFrames, condDim } = config.architecture;
      const x = flat(io.x);
      expect(x.length).toBe(B * nMels * nFrames);
      const denoise = unetDenoiser(net);
      const v = await denoise(x, Float32Array.from(io.t), flat(io.cond));
      const expected = flat(io.v);
      expect(maxAbsDiff(v, expected)).toBeLessThanOrEqual(1e-4);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.01); // not a trivially zero output
      if (io.vUncond) {
        const vu = await denoise(x, Float32Array.from(io.t), new Float32Array(B * condDim));
        expect(maxAbsDiff(vu, flat(io.vUncond))).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      net.dispose();
    }
  });

  it('the cond vectors of the fixture labels encode identically (drums and tonal)', async () => {
    const { config, net } = await loadModel(nodeReader(dir));
    net.dispose();
    if (io.labels) {
      io.labels.forEach((labels, b) => {
        const c = encodeConditions(config.conditions, labels, config.descriptorStats);
        expect(maxAbsDiff(c, Float32Array.from(io.cond[b]!))).toBeLessThanOrEqual(1e-6);
      });
    }
    const tc = io.tonalCondCases;
    if (tc) {
      tc.labels.forEach((labels, b) => {
        const c = encodeConditions(tc.conditions, labels, tc.descriptorStats);
        expect(maxAbsDiff(c, Float32Array.from(tc.cond[b]!))).toBeLessThanOrEqual(1e-6);
      });
    }
  });

  it('the schedule matches in float64', () => {
    const s = io.schedule;
    if (!s) return;
    s.t.forEach((t, i) => {
      expect(logSnr(t)).toBeCloseTo(s.logSnr[i]!, 9);
      expect(alpha(t)).toBeCloseTo(s.alpha[i]!, 12);
      expect(sigma(t)).toBeCloseTo(s.sigma[i]!, 12);
    });
  });
});
