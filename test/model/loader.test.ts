import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateModelConfig } from '../../src/model/config.js';
import { fetchReader, loadConfig, loadModel } from '../../src/model/loader.js';
import { nodeReader } from '../../src/model/reader-node.js';
import { Xoshiro128 } from '../../src/model/prng.js';
import { unetDenoiser } from '../../src/model/unet.js';
import { maxAbsDiff, randomWeights, tinyConfig, writeModelDir } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'loader-test-'));
let n = 0;
const fresh = (opts: Parameters<typeof writeModelDir>[3] = {}) => {
  const dir = path.join(root, `m${n++}`);
  const cfg = tinyConfig('drums');
  const w = randomWeights(cfg, 5);
  const shards = writeModelDir(dir, cfg, w, opts);
  return { dir, cfg, w, shards };
};
const editJson = (file: string, edit: (o: Record<string, any>) => void) => {
  const o = JSON.parse(readFileSync(file, 'utf8'));
  edit(o);
  writeFileSync(file, JSON.stringify(o));
};

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadModel', () => {
  it('round-trips float32 weights across several shards and builds a working network', async () => {
    const { dir, cfg, w, shards } = fresh({ shardBytes: 10_000 });
    expect(shards.length).toBeGreaterThan(2);
    const before = tf.memory().numTensors;
    const { config, net, bytes } = await loadModel(nodeReader(dir));
    expect(config).toEqual(cfg);
    expect(bytes).toBe([...w.values()].reduce((s, a) => s + 4 * a.length, 0));
    const v = await unetDenoiser(net)(new Float32Array(8 * 16), new Float32Array([0.5]), new Float32Array(16));
    expect(v.every(Number.isFinite)).toBe(true);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('decodes float16-quantized weights (shipped models) to within half precision', async () => {
    const a = fresh();
    const b = fresh({ float16: true });
    const m32 = await loadModel(nodeReader(a.dir));
    const m16 = await loadModel(nodeReader(b.dir));
    const rng = new Xoshiro128(3);
    const x = rng.fillGaussian(new Float32Array(2 * 8 * 16));
    const t = Float32Array.from([0.2, 0.8]);
    const cond = new Float32Array(32);
    cond[3] = cond[10] = 1;
    const v32 = await unetDenoiser(m32.net)(x, t, cond);
    const v16 = await unetDenoiser(m16.net)(x, t, cond);
    expect(maxAbsDiff(v32, v16)).toBeLessThan(0.05);
    expect(maxAbsDiff(v32, v16)).toBeGreaterThan(0); // really went through float16
    m32.net.dispose();
    m16.net.dispose();
  });

  it('reads config.json alone without weights', async () => {
    const { dir, cfg } = fresh();
    expect(await loadConfig(nodeReader(dir))).toEqual(cfg);
  });

  it('works through the fetch reader', async () => {
    const { dir } = fresh();
    const fakeFetch = (async (url: string) => {
      try {
        return new Response(readFileSync(url.replace('mem://m/', `${dir}/`)));
      } catch {
        return new Response('nope', { status: 404, statusText: 'Not Found' });
      }
    }) as unknown as typeof fetch;
    const { net } = await loadModel(fetchReader('mem://m', fakeFetch));
    net.dispose();
    unlinkSync(path.join(dir, 'group1-shard1of1.bin'));
    await expect(loadModel(fetchReader('mem://m/', fakeFetch))).rejects.toThrow(
      /^mem:\/\/m\/group1-shard1of1\.bin: weight shard listed in mem:\/\/m\/model\.json cannot be read \(HTTP 404 Not Found\)$/,
    );
  });
});

describe('loadModel errors: one line, naming the file and the field, no tensors left', () => {
  const expectError = async (dir: string, re: RegExp) => {
    const before = tf.memory().numTensors;
    const err = await loadModel(nodeReader(dir)).then(() => null, (e: Error) => e);
    expect(err, 'expected loadModel to fail').toBeInstanceOf(Error);
    expect(err!.message).toMatch(re);
    expect(err!.message).not.toContain('\n');
    expect(tf.memory().numTensors).toBe(before);
  };

  it('bad config field', async () => {
    const { dir } = fresh();
    editJson(path.join(dir, 'config.json'), (o) => (o.architecture.groups = 3));
    await expectError(dir, /config\.json: architecture\.groups: 3 does not divide channels\[0\] = 8$/);
  });

  it('config that contradicts itself', async () => {
    const { dir } = fresh();
    editJson(path.join(dir, 'config.json'), (o) => (o.architecture.condDim = 17));
    await expectError(dir, /config\.json: architecture\.condDim: 17 differs from the conditions' total size 16/);
    editJson(path.join(dir, 'config.json'), (o) => {
      o.architecture.condDim = 16;
      o.classes.pop();
    });
    await expectError(dir, /config\.json: conditions\[0\]\.size: 11 = K \+ 1 does not match 9 classes/);
  });

  it('missing or unparseable files', async () => {
    const { dir } = fresh();
    writeFileSync(path.join(dir, 'model.json'), '{"format": ');
    await expectError(dir, /model\.json: not valid JSON/);
    unlinkSync(path.join(dir, 'config.json'));
    await expectError(dir, /config\.json: cannot be read \(ENOENT/);
  });

  it('wrong weight shape (weights from another architecture)', async () => {
    const { dir } = fresh();
    editJson(path.join(dir, 'model.json'), (o) => (o.weightsManifest[0].weights[2].shape = [16, 17]));
    await expectError(dir, /model\.json: weight "cond_in\.weight": has shape \[16, 17\], the architecture in config\.json needs \[16, 16\]$/);
  });

  it('unknown, duplicate or missing weight names', async () => {
    const { dir } = fresh();
    const file = path.join(dir, 'model.json');
    const orig = readFileSync(file, 'utf8');
    editJson(file, (o) => (o.weightsManifest[0].weights[0].name = 'time_in.kernel'));
    await expectError(dir, /weight "time_in\.kernel": is not part of the architecture/);
    writeFileSync(file, orig);
    editJson(file, (o) => o.weightsManifest[0].weights.pop());
    await expectError(dir, /model\.json: weightsManifest: missing 1 weight\(s\) the architecture needs: conv_out\.bias$/);
    writeFileSync(file, orig);
    editJson(file, (o) => (o.weightsManifest[0].weights[1].name = 'time_in.weight'));
    await expectError(dir, /duplicate weight "time_in\.weight"/);
    writeFileSync(file, orig);
    editJson(file, (o) => (o.format = 'tfjs-layers'));
    await expectError(dir, /model\.json: format: expected "oneshot-diffusion-unet1d"/);
  });

  it('missing shard', async () => {
    const { dir, shards } = fresh({ shardBytes: 10_000 });
    unlinkSync(path.join(dir, shards[1]!));
    await expectError(dir, /group1-shard2of\d+\.bin: weight shard listed in .*model\.json cannot be read \(ENOENT/);
  });

  it('truncated shard', async () => {
    const { dir, shards } = fresh();
    const file = path.join(dir, shards[0]!);
    truncateSync(file, 1000);
    await expectError(dir, /group1-shard1of1\.bin: 1000 bytes but .*model\.json describes \d+ bytes \(truncated shard\)$/);
  });

  it('corrupt shard: NaN/Inf values, or extra bytes', async () => {
    const { dir, shards } = fresh({ float16: true });
    const file = path.join(dir, shards[0]!);
    const bytes = readFileSync(file);
    const bad = Buffer.from(bytes);
    bad.writeUInt16LE(0x7e00, 2 * 200); // a float16 NaN inside time_in.weight
    writeFileSync(file, bad);
    await expectError(dir, /weight "time_in\.weight" holds a non-finite value at index 200 \(corrupt shard\?/);
    writeFileSync(file, Buffer.concat([bytes, Buffer.alloc(4)]));
    await expectError(dir, /\d+ bytes but .* describes \d+ bytes \(corrupt or mismatched shard\)/);
  });
});

describe('validateModelConfig', () => {
  const ok = tinyConfig('tonal');
  const bad = (edit: (o: any) => void) => {
    const o = structuredClone(ok) as any;
    edit(o);
    return () => validateModelConfig(o, 'models/x/config.json');
  };
  it('accepts a good config and names the file and field otherwise', () => {
    expect(validateModelConfig(structuredClone(ok))).toEqual(ok);
    expect(bad((o) => (o.kind = 'bass'))).toThrow(/^models\/x\/config\.json: kind: expected "drums" or "tonal", got "bass"$/);
    expect(bad((o) => (o.architecture.channels = [8, 16]))).toThrow(/architecture\.channels: expected 3 positive integers/);
    expect(bad((o) => (o.architecture.nFrames = 18))).toThrow(/architecture\.nFrames: expected a positive integer divisible by 4/);
    expect(bad((o) => (o.architecture.heads = 3))).toThrow(/architecture\.heads: 3 does not divide channels\[2\] = 16/);
    expect(bad((o) => (o.architecture.dataStd = 0))).toThrow(/architecture\.dataStd: expected a number > 0/);
    expect(bad((o) => (o.representation.nMels = 16))).toThrow(/architecture\.nMels: 8 differs from representation\.nMels 16/);
    expect(bad((o) => (o.representation.hop = -1))).toThrow(/^models\/x\/config\.json: representation\.hop: expected a positive integer/);
    expect(bad((o) => (o.conditions[1].size = 16))).toThrow(/conditions\[1\]\.size: a pitch condition has 16 values \+ 1 flag = 17, got 16/);
    expect(bad((o) => (o.conditions[2].kind = 'ordinal'))).toThrow(/conditions\[2\]\.kind: expected one of/);
    expect(bad((o) => (o.descriptorStats.std = [1, 1, 0, 1]))).toThrow(/descriptorStats\.std: expected 4 numbers > 0/);
    expect(bad((o) => (o.descriptorStats.transform = ['identity', 'identity', 'identity', 'ln']))).toThrow(
      /^models\/x\/config\.json: descriptorStats\.transform: expected 4 of "identity", "log10", got \["identity","identity","identity","ln"\]$/);
    expect(bad((o) => (o.descriptorStats.transform = ['log10']))).toThrow(/descriptorStats\.transform: expected 4 of/);
    const logT = structuredClone(ok) as any;
    logT.descriptorStats.transform = ['identity', 'identity', 'identity', 'log10'];
    expect(validateModelConfig(logT).descriptorStats.transform).toEqual(['identity', 'identity', 'identity', 'log10']);
    expect(bad((o) => (o.schedule.logSnrMax = -20))).toThrow(/schedule\.logSnrMax: expected a number above logSnrMin -15/);
    expect(bad((o) => (o.sampler.name = 'euler'))).toThrow(/sampler\.name: expected one of dpmpp-2m, ddim/);
    expect(bad((o) => o.conditions.splice(1, 1))).toThrow(/architecture\.condDim|pitch/);
  });
});
