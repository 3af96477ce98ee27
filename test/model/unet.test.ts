import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../src/model/prng.js';
import { countFlops, countParams, expectedWeights, UNet1D, unetDenoiser } from '../../src/model/unet.js';
import { maxAbsDiff, randomWeights, tinyConfig } from './helpers.js';
import { referenceForward } from './reference-unet.js';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

function build(cfg = tinyConfig('drums'), seed = 3) {
  const w = randomWeights(cfg, seed);
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, shape] of expectedWeights(cfg.architecture)) tensors.set(name, tf.tensor(w.get(name)!, shape));
  return { cfg, w, net: new UNet1D(cfg.architecture, tensors) };
}

describe('UNet1D', () => {
  it('matches an independent float64 reference of the spec (random weights, PyTorch layout in/out)', async () => {
    for (const kind of ['drums', 'tonal'] as const) {
      const { cfg, w, net } = build(tinyConfig(kind));
      const { nMels, nFrames, condDim } = cfg.architecture;
      const B = 3;
      const rng = new Xoshiro128(9);
      const x = rng.fillGaussian(new Float32Array(B * nMels * nFrames));
      const t = Float32Array.from([0.03, 0.5, 0.97]);
      const cond = Float32Array.from({ length: B * condDim }, () => (rng.nextFloat() < 0.3 ? 1 : 0));
      const v = await unetDenoiser(net)(x, t, cond);
      const D = nMels * nFrames;
      let scale = 0;
      for (let b = 0; b < B; b++) {
        const ref = referenceForward(cfg.architecture, w, x.subarray(b * D, (b + 1) * D), t[b]!, cond.subarray(b * condDim, (b + 1) * condDim));
        // Float32 vs float64 rounding only: observed ~1e-6–1e-5.
        expect(maxAbsDiff(v.subarray(b * D, (b + 1) * D), ref)).toBeLessThan(1e-4);
        scale = Math.max(scale, ...ref.map(Math.abs));
      }
      expect(scale).toBeGreaterThan(0.1); // the comparison is not between two near-zero outputs
      net.dispose();
    }
  });

  it('leaves no tensors behind: forward is tidy and dispose frees every weight', () => {
    const before = tf.memory().numTensors;
    const { cfg, net } = build();
    const { nMels, nFrames, condDim } = cfg.architecture;
    const afterLoad = tf.memory().numTensors;
    const x = tf.zeros([2, nFrames, nMels]) as tf.Tensor3D;
    const t = tf.tensor1d([0.1, 0.9]);
    const c = tf.zeros([2, condDim]) as tf.Tensor2D;
    const v = net.forward(x, t, c);
    expect(v.shape).toEqual([2, nFrames, nMels]);
    expect(tf.memory().numTensors).toBe(afterLoad + 4);
    tf.dispose([x, t, c, v]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => net.forward(x, t, c)).toThrow(/after dispose/);
  });

  it('rejects weights that do not fit the architecture', () => {
    const cfg = tinyConfig();
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, shape] of expectedWeights(cfg.architecture)) tensors.set(name, tf.zeros(shape));
    tensors.get('down1.conv1.weight')!.dispose();
    tensors.set('down1.conv1.weight', tf.zeros([3, 8, 8]));
    expect(() => new UNet1D(cfg.architecture, tensors)).toThrow(/"down1\.conv1\.weight" has shape \[3,8,8\], the architecture needs \[3,8,16\]/);
    tf.dispose([...tensors.values()]);
  });

  it('counts parameters and FLOPs from the architecture', () => {
    const cfg = tinyConfig();
    const names = [...expectedWeights(cfg.architecture).keys()];
    // skip convs exist exactly where cin ≠ cout
    expect(names.filter((n) => n.endsWith('.skip.weight')).sort()).toEqual(['down1.skip.weight', 'up0.skip.weight', 'up1.skip.weight', 'up2.skip.weight']);
    expect(countParams(cfg.architecture)).toBe([...randomWeights(cfg).values()].reduce((n, a) => n + a.length, 0));
    // conv_in alone: 2·3·nMels·C0·T
    expect(countFlops(cfg.architecture)).toBeGreaterThan(2 * 3 * 8 * 8 * 16);
    const wide = tinyConfig('drums', { channels: [16, 32, 32] });
    expect(countFlops(wide.architecture) / countFlops(cfg.architecture)).toBeGreaterThan(3);
  });
});
