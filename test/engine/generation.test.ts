/**
 * The generation worker's logic in Node, on the tiny parity fixture model
 * (drums-style, 16 mels × 8 frames, random weights) and the tfjs cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cachingReader, GenerationService } from '../../src/engine/generation-service.js';
import type { WorkerEvent } from '../../src/engine/protocol.js';
import { initialNoise, OneShotSynth } from '../../src/engine/synth.js';
import { Generator } from '../../src/model/generator.js';
import { gaussianNoise } from '../../src/model/prng.js';
import { nodeReader } from '../../src/model/reader-node.js';
import { randomWeights, tinyConfig, writeModelDir } from '../model/helpers.js';

const FIXTURE = path.resolve(__dirname, '../fixtures/parity');
const reader = () => cachingReader(nodeReader(FIXTURE));

/** A second CPU backend under another name, so a test can make "a backend" fail and fall back to cpu. */
function registerCpuClone(name: string): void {
  if (tf.findBackendFactory(name)) return;
  tf.registerBackend(name, () => new MathBackendCPU(), 1);
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: name });
}

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  registerCpuClone('cpu-a');
  registerCpuClone('cpu-b');
});

describe('OneShotSynth (model adapter)', { timeout: 240_000 }, () => {
  it('matches Generator.generate exactly for requests without variation', async () => {
    // Same vocoder on both sides (identity: features), so the comparison is the sampling path and stays cheap.
    const vocoder = (f: Float32Array) => f;
    const gen = await Generator.load(nodeReader(FIXTURE), { vocoder });
    const synth = await OneShotSynth.load(reader(), { vocoder });
    const reqs = [
      { class: 'kick', seed: 1, steps: 4 },
      { class: 'open-hat', seed: 99, steps: 4, guidance: 1 },
      { class: 'snare', seed: 5, steps: 3, guidance: 2.5 },
    ];
    const a = await gen.generate(reqs);
    const b = await synth.generate(reqs);
    expect(b.map((x) => x.length)).toEqual(a.map((x) => x.length));
    b.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(a[i]!)));
    expect(synth.info).toMatchObject({ kind: 'drums', sampleRate: 44100, length: 7 * 512, nMels: 16, nFrames: 8 });
    gen.dispose();
    synth.dispose();
  });

  it('plays notes below lowestPitch octaves down exactly as Generator.generate does', async () => {
    const cfg = structuredClone(tinyConfig('tonal'));
    cfg.sampler.lowestPitch = 60;
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-lowest-'));
    try {
      writeModelDir(dir, cfg, randomWeights(cfg, 3));
      const pitches: Array<number | undefined> = [];
      // A vocoder that renders the pitch it is told: the output's length and content show the octave path.
      const vocoder = (f: Float32Array, c: { sampleRate: number; nFrames: number; hop: number }, pitch?: number) => {
        pitches.push(pitch);
        const hz = 440 * 2 ** ((pitch! - 69) / 12);
        return Float32Array.from({ length: c.nFrames * c.hop }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / c.sampleRate) + 1e-3 * f[i % f.length]!);
      };
      const gen = await Generator.load(nodeReader(dir), { vocoder });
      const synth = await OneShotSynth.load(cachingReader(nodeReader(dir)), { vocoder });
      const reqs = [{ family: 'bass', pitch: 41, seed: 2, steps: 2 }, { family: 'bass', pitch: 64, seed: 3, steps: 2 }];
      const a = await gen.generate(reqs);
      const b = await synth.generate(reqs);
      expect(pitches).toEqual([65, 64, 65, 64]);
      b.forEach((x, i) => expect(Array.from(x)).toEqual(Array.from(a[i]!)));
      gen.dispose();
      synth.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('vocodes to 44.1 kHz audio of the model’s one-shot length', async () => {
    const synth = await OneShotSynth.load(reader());
    const [audio] = await synth.generate([{ class: 'clap', seed: 4, steps: 2 }]);
    expect(audio!.length).toBe(7 * 512);
    expect(audio!.every(Number.isFinite)).toBe(true);
    expect(Math.max(...audio!.map(Math.abs))).toBeCloseTo(10 ** (-1 / 20), 3); // −1 dBFS peak
    synth.dispose();
  });

  it('variation blends noise: 0 is the seed sound, small amounts stay close, 1 is the other seed', async () => {
    const D = 128;
    expect(initialNoise({ seed: 3, variation: { seed: 9, amount: 0 } }, D)).toEqual(gaussianNoise(3, D));
    const far = initialNoise({ seed: 3, variation: { seed: 9, amount: 1 } }, D);
    const other = gaussianNoise(9, D);
    for (let i = 0; i < D; i++) expect(far[i]).toBeCloseTo(other[i]!, 5);
    // Variance is preserved (spherical blend), so every blend is valid N(0, I) noise.
    const mid = initialNoise({ seed: 3, variation: { seed: 9, amount: 0.5 } }, 4096);
    const varMid = mid.reduce((s, v) => s + v * v, 0) / mid.length;
    expect(varMid).toBeGreaterThan(0.9);
    expect(varMid).toBeLessThan(1.1);

    // Compare features (identity vocoder): Griffin-Lim's phase makes audio distances meaningless.
    const synth = await OneShotSynth.load(reader(), { vocoder: (f) => f });
    const base = { class: 'kick', seed: 3, steps: 4 };
    const [plain, zero, small, big] = await synth.generate([
      base,
      { ...base, variation: { seed: 9, amount: 0 } },
      { ...base, variation: { seed: 9, amount: 0.1 } },
      { ...base, variation: { seed: 9, amount: 1 } },
    ]);
    const dist = (x: Float32Array, y: Float32Array) => Math.sqrt(x.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0));
    expect(Array.from(zero!)).toEqual(Array.from(plain!));
    expect(dist(small!, plain!)).toBeGreaterThan(0);
    expect(dist(small!, plain!)).toBeLessThan(dist(big!, plain!));
    expect(() => synth.validate({ ...base, variation: { seed: 1, amount: 2 } })).toThrow(/variation.amount/);
    synth.dispose();
  });
});

/** A service on the fixture with recorded events. */
function makeService(backends: string[], extra: Partial<ConstructorParameters<typeof GenerationService>[0]> = {}) {
  const events: WorkerEvent[] = [];
  const r = reader();
  let waiters: (() => void)[] = [];
  const service = new GenerationService({
    backends,
    // Identity vocoder: the service's logic is under test, not Griffin-Lim (the audio is the feature).
    load: () => OneShotSynth.load(r, { maxBatch: 4, vocoder: (f) => f }),
    post: (ev) => {
      events.push(ev);
      const w = waiters;
      waiters = [];
      w.forEach((f) => f());
    },
    maxBatch: 4,
    ...extra,
  });
  /** Resolve once `pred` holds over the events so far. */
  const until = async (pred: (evs: WorkerEvent[]) => boolean, ms = 100_000) => {
    const t0 = Date.now();
    while (!pred(events)) {
      if (Date.now() - t0 > ms) throw new Error(`timed out; events: ${events.map((e) => e.type).join(',')}`);
      await new Promise<void>((res) => {
        waiters.push(res);
        setTimeout(res, 200);
      });
    }
  };
  return { service, events, until };
}

const results = (evs: WorkerEvent[]) => evs.filter((e): e is Extract<WorkerEvent, { type: 'result' }> => e.type === 'result');
const jobs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ id: from + i, request: { class: 'kick', seed: i, steps: 2 } }));

describe('GenerationService', { timeout: 240_000 }, () => {
  it('skips backends that cannot start, warms up, reports backend, reason and timings', async () => {
    const { service, events, until } = makeService(['webgpu', 'cpu-a']);
    expect(await service.init()).toBe(true);
    const backend = events.find((e) => e.type === 'backend') as Extract<WorkerEvent, { type: 'backend' }>;
    expect(backend.backend).toBe('cpu-a');
    expect(backend.reason).toMatch(/webgpu unavailable/);
    expect(backend.attempts.map((a) => [a.backend, a.ok])).toEqual([['webgpu', false], ['cpu-a', true]]);
    const ready = events.find((e) => e.type === 'ready') as Extract<WorkerEvent, { type: 'ready' }>;
    expect(ready.model.kind).toBe('drums');
    expect(ready.warmUpMs).toBeGreaterThan(0);
    service.enqueue(jobs(3));
    await until((evs) => results(evs).length === 3);
    for (const r of results(events)) {
      expect(r.backend).toBe('cpu-a');
      expect(r.audio.length).toBe(16 * 8);
      expect(r.ms).toBeGreaterThan(0);
      expect(r.batchMs).toBeGreaterThanOrEqual(r.ms);
    }
    expect(results(events).map((r) => r.id).sort()).toEqual([1, 2, 3]);
    service.dispose();
  });

  it('jobs sent before the model is ready wait for it', async () => {
    const { service, events, until } = makeService(['webgpu', 'cpu-a']);
    const ready = service.init();
    service.enqueue(jobs(2));
    expect(await ready).toBe(true);
    await until((evs) => results(evs).length === 2);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    service.dispose();
  });

  it('checks setBackend’s boolean: a backend whose factory fails is skipped with a reason', async () => {
    if (!tf.findBackendFactory('broken')) tf.registerBackend('broken', () => { throw new Error('no device'); });
    const { service, events } = makeService(['broken', 'cpu-a']);
    expect(await service.init()).toBe(true);
    const backend = events.find((e) => e.type === 'backend') as Extract<WorkerEvent, { type: 'backend' }>;
    expect(backend.attempts[0]).toMatchObject({ backend: 'broken', ok: false });
    expect(backend.attempts[0]!.reason).toMatch(/returned false|no device/);
    service.dispose();
  });

  it('on a backend failure mid-queue moves to the next backend and finishes every queued job there', async () => {
    const { service, events, until } = makeService(['cpu-a', 'cpu-b']);
    await service.init();
    service.failBackend('GPU device was lost');
    service.enqueue(jobs(10));
    await until((evs) => results(evs).length === 10);
    const switched = events.filter((e) => e.type === 'backend') as Extract<WorkerEvent, { type: 'backend' }>[];
    expect(switched.map((b) => b.backend)).toEqual(['cpu-a', 'cpu-b']);
    expect(switched[1]!.reason).toMatch(/cpu-a failed \(GPU device was lost\)/);
    expect(results(events).map((r) => r.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(results(events).every((r) => r.backend === 'cpu-b')).toBe(true);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    service.dispose();
  });

  it('a device loss reported while idle moves to the next backend before the next job', async () => {
    const { service, events, until } = makeService(['cpu-a', 'cpu-b']);
    await service.init();
    service.backendLost('cpu-a', 'WebGPU device lost (destroyed)');
    await until((evs) => evs.filter((e) => e.type === 'backend').length === 2);
    service.enqueue(jobs(2));
    await until((evs) => results(evs).length === 2);
    expect(results(events).every((r) => r.backend === 'cpu-b')).toBe(true);
    service.dispose();
  });

  it('a device loss during a batch that never settles requeues that batch and the queue finishes on the next backend', async () => {
    // On a lost WebGPU device a read-back can stay pending forever: model that on cpu-a,
    // whose generate() never settles, so only the loss report can move the queue on.
    let hungBatches = 0;
    const r = reader();
    const { service, events, until } = makeService(['cpu-a', 'cpu-b'], {
      load: async () => {
        const synth = await OneShotSynth.load(r, { maxBatch: 4, vocoder: (f) => f });
        if (tf.getBackend() !== 'cpu-a') return synth;
        const hung = Object.create(synth) as OneShotSynth;
        hung.generate = () => {
          hungBatches++;
          return new Promise<Float32Array[]>(() => {});
        };
        return hung;
      },
    });
    await service.init();
    service.enqueue(jobs(10));
    await until((evs) => evs.some((e) => e.type === 'progress' && e.running > 0));
    expect(hungBatches).toBe(1);
    service.backendLost('cpu-a', 'WebGPU device lost (destroyed): test');
    await until((evs) => results(evs).length === 10);
    const switched = events.filter((e) => e.type === 'backend') as Extract<WorkerEvent, { type: 'backend' }>[];
    expect(switched.map((b) => b.backend)).toEqual(['cpu-a', 'cpu-b']);
    expect(switched[1]!.reason).toMatch(/cpu-a failed \(WebGPU device lost \(destroyed\): test\)/);
    expect(switched[1]!.attempts[0]).toMatchObject({ backend: 'cpu-a', ok: false });
    expect(results(events).map((x) => x.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(results(events).every((x) => x.backend === 'cpu-b')).toBe(true);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect(hungBatches).toBe(1);
    service.dispose();
  });

  it('a loss report for a backend no longer in use changes nothing', async () => {
    const { service, events, until } = makeService(['cpu-a', 'cpu-b']);
    await service.init();
    service.backendLost('webgpu', 'WebGPU device lost (destroyed)');
    service.enqueue(jobs(2));
    await until((evs) => results(evs).length === 2);
    expect(results(events).every((x) => x.backend === 'cpu-a')).toBe(true);
    expect(events.filter((e) => e.type === 'backend')).toHaveLength(1);
    service.dispose();
  });

  it('with no backend left, the failing batch errors and the queue carries on', async () => {
    const { service, events, until } = makeService(['cpu-a']);
    await service.init();
    service.failBackend('boom');
    service.enqueue(jobs(6)); // batches of 4: the first fails, the second runs
    await until((evs) => results(evs).length + evs.filter((e) => e.type === 'error').length === 6);
    expect(events.filter((e) => e.type === 'error')).toHaveLength(4);
    expect(results(events)).toHaveLength(2);
    service.dispose();
  });

  it('rejects a bad request alone, and drops cancelled jobs', async () => {
    const { service, events, until } = makeService(['cpu-a']);
    await service.init();
    service.enqueue([
      { id: 1, request: { class: 'cowbell', seed: 1, steps: 2 } },
      { id: 2, request: { class: 'snare', seed: 1, steps: 2 } },
    ]);
    await until((evs) => results(evs).length === 1);
    const err = events.find((e) => e.type === 'error') as Extract<WorkerEvent, { type: 'error' }>;
    expect(err.id).toBe(1);
    expect(err.message).toMatch(/unknown class "cowbell"/);
    service.enqueue(jobs(8, 10));
    service.cancel([14, 15, 16, 17]);
    await until((evs) => results(evs).length === 5);
    await new Promise((r) => setTimeout(r, 300));
    expect(results(events).map((r) => r.id).sort((a, b) => a - b)).toEqual([2, 10, 11, 12, 13]);
    service.dispose();
  });

  it('fails with one message when no backend can run the model', async () => {
    const { service, events } = makeService(['webgpu', 'webgl']);
    expect(await service.init()).toBe(false);
    const fatal = events.find((e) => e.type === 'fatal') as Extract<WorkerEvent, { type: 'fatal' }>;
    expect(fatal.message).toMatch(/no backend can run the model: webgpu: .*; webgl: /);
  });
});
