/**
 * Per-class default guidance (config sampler.classGuidance): validation with
 * one-line errors, and the class default reaching every request that leaves
 * guidance to the model — the Generator/CLI path (resolveRequest), the pads
 * (padSound) and the engine's messages to the generation worker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DrumEngine } from '../../src/engine/engine.js';
import { GeneratorClient, type WorkerLike } from '../../src/engine/generator-client.js';
import { padGuidanceDefault, padSound, parseKit } from '../../src/engine/kit.js';
import type { ModelInfo, WorkerEvent, WorkerRequest } from '../../src/engine/protocol.js';
import { defaultGuidance, validateModelConfig } from '../../src/model/config.js';
import { resolveRequest } from '../../src/model/requests.js';
import { FULL_SIZES, planRequests, sweepWeights } from '../../scripts/eval-lib.js';
import { tinyConfig } from './helpers.js';

const withClassGuidance = (cg: unknown) => {
  const o = structuredClone(tinyConfig('drums')) as unknown as { sampler: Record<string, unknown> };
  o.sampler['classGuidance'] = cg;
  return o;
};
const validate = (cg: unknown) => () => validateModelConfig(withClassGuidance(cg), 'models/drums/config.json');

describe('sampler.classGuidance in config.json', () => {
  it('is optional and kept as given when every class and value is valid', () => {
    expect(validateModelConfig(structuredClone(tinyConfig('drums'))).sampler.classGuidance).toBeUndefined();
    expect(validate({ rim: 5, clap: 2.5 })().sampler.classGuidance).toEqual({ rim: 5, clap: 2.5 });
  });

  it('rejects unknown classes, bad values and non-objects with one line naming the field', () => {
    expect(validate({ rimshot: 4 })).toThrow(/^models\/drums\/config\.json: sampler\.classGuidance\.rimshot: unknown class "rimshot" \(one of kick, snare, /);
    expect(validate({ rim: -1 })).toThrow(/^models\/drums\/config\.json: sampler\.classGuidance\.rim: expected a number in 0–20, got -1$/);
    expect(validate({ rim: 21 })).toThrow(/sampler\.classGuidance\.rim: expected a number in 0–20, got 21$/);
    expect(validate({ clap: '3' })).toThrow(/sampler\.classGuidance\.clap: expected a number in 0–20, got "3"$/);
    expect(validate({ ride: null })).toThrow(/sampler\.classGuidance\.ride: expected a number in 0–20, got null$/);
    expect(validate([3, 4])).toThrow(/sampler\.classGuidance: expected an object, got \[3,4\]$/);
    // A tonal model's classes are GM families: a drum class is unknown there.
    const tonal = structuredClone(tinyConfig('tonal')) as unknown as { sampler: Record<string, unknown> };
    tonal.sampler['classGuidance'] = { rim: 4 };
    expect(() => validateModelConfig(tonal, 'models/tonal/config.json')).toThrow(/sampler\.classGuidance\.rim: unknown class "rim" \(one of piano, /);
  });

  it('the shipped drums config validates, and its per-class defaults name drum classes', () => {
    const cfg = validateModelConfig(JSON.parse(readFileSync(path.resolve(__dirname, '../../models/drums/config.json'), 'utf8')), 'models/drums/config.json');
    for (const c of Object.keys(cfg.sampler.classGuidance ?? {})) expect(cfg.classes).toContain(c);
  });

  it('defaultGuidance: the class entry, else sampler.guidance', () => {
    const cfg = validate({ rim: 5 })();
    expect(cfg.sampler.guidance).toBe(2);
    expect(defaultGuidance(cfg, 'rim')).toBe(5);
    expect(defaultGuidance(cfg, 'kick')).toBe(2);
  });

  it('reaches a request that sets no guidance; an explicit guidance wins', () => {
    const cfg = validate({ rim: 5, clap: 0 })();
    expect(resolveRequest(cfg, { class: 'rim', seed: 1 }).guidance).toBe(5);
    expect(resolveRequest(cfg, { class: 'clap', seed: 1 }).guidance).toBe(0);
    expect(resolveRequest(cfg, { class: 'snare', seed: 1 }).guidance).toBe(2);
    expect(resolveRequest(cfg, { class: 'rim', seed: 1, guidance: 1.5 }).guidance).toBe(1.5);
  });
});

const KIT = parseKit(JSON.parse(readFileSync(path.resolve(__dirname, '../../presets/default-kit.json'), 'utf8')));
const CLASSES = ['kick', 'snare', 'clap', 'rim', 'closed-hat', 'open-hat', 'tom', 'crash', 'ride', 'perc'];

describe('pads use the class default when the kit leaves guidance to the model', () => {
  const defaults = { guidance: 3, steps: 10, classGuidance: { rim: 5, ride: 2 } };
  const padOf = (cls: string) => KIT.pads.findIndex((p) => p.class === cls);

  it('padSound and padGuidanceDefault', () => {
    expect(KIT.globals.guidance).toBeNull();
    expect(padOf('rim')).toBeGreaterThanOrEqual(0);
    expect(padSound(KIT, padOf('rim'), defaults).guidance).toBe(5);
    expect(padSound(KIT, padOf('kick'), defaults).guidance).toBe(3);
    expect(padSound(KIT, padOf('rim'), { guidance: 3, steps: 10 }).guidance).toBe(3);
    expect(padGuidanceDefault(defaults, 'ride')).toBe(2);
    const set = { ...KIT, globals: { ...KIT.globals, guidance: 4 } };
    expect(padSound(set, padOf('rim'), defaults).guidance).toBe(4);
  });

  it('the engine sends each pad its class default', async () => {
    const model: ModelInfo = {
      kind: 'drums', classes: CLASSES, sampleRate: 44100, length: 64, nMels: 16, nFrames: 8, params: 1000,
      defaultSteps: 10, defaultGuidance: 3, classGuidance: { rim: 5 },
    };
    const sent: WorkerRequest[] = [];
    let listener: ((e: MessageEvent<WorkerEvent>) => void) | null = null;
    const emit = (ev: WorkerEvent) => listener?.({ data: ev } as MessageEvent<WorkerEvent>);
    const worker: WorkerLike = {
      postMessage(msg: WorkerRequest) {
        sent.push(msg);
        if (msg.type === 'init') {
          queueMicrotask(() => {
            emit({ type: 'backend', backend: 'wasm', reason: 'test', attempts: [{ backend: 'wasm', ok: true, reason: '' }] });
            emit({ type: 'ready', backend: 'wasm', model, loadMs: 1, warmUpMs: 1 });
          });
        }
      },
      addEventListener(type: string, cb: (e: never) => void) {
        if (type === 'message') listener = cb as (e: MessageEvent<WorkerEvent>) => void;
      },
      terminate() {},
    };
    const player = { upload() {}, free() {}, trigger() {}, setPad() {}, setChoke() {} };
    let now = 0;
    const engine = new DrumEngine({ kit: KIT, client: new GeneratorClient(worker), player, now: () => ++now });
    await engine.start();
    await new Promise((r) => setTimeout(r, 0));
    const jobs = sent.flatMap((m) => (m.type === 'generate' ? m.jobs : []));
    const byClass = new Map<string, Set<number>>();
    for (const j of jobs) {
      const cls = (j.request as { class?: string }).class!;
      byClass.set(cls, (byClass.get(cls) ?? new Set()).add(j.request.guidance!));
    }
    expect(byClass.get('rim')).toEqual(new Set([5]));
    expect(byClass.get('kick')).toEqual(new Set([3]));
    expect(byClass.get('snare')).toEqual(new Set([3]));
  });
});

describe("the quality eval's default settings use the class defaults", () => {
  it('planRequests: main set at each class default, the sweep at its weights', () => {
    const items = planRequests('drums', CLASSES, 3, FULL_SIZES, sweepWeights(3), { rim: 5, clap: 2 });
    const main = items.filter((it) => it.set === 'main');
    const weightsOf = (c: string) => new Set(main.filter((it) => it.className === c).map((it) => it.guidance));
    expect(weightsOf('rim')).toEqual(new Set([5]));
    expect(weightsOf('clap')).toEqual(new Set([2]));
    expect(weightsOf('kick')).toEqual(new Set([3]));
    expect(main.filter((it) => it.className === 'rim')).toHaveLength(FULL_SIZES.drumsPerClass);
    const sweep = items.filter((it) => it.set === 'sweep' && it.className === 'rim').map((it) => it.guidance);
    expect(new Set(sweep)).toEqual(new Set([0, 1, 6]));
    const plain = planRequests('drums', CLASSES, 3, FULL_SIZES, sweepWeights(3));
    expect(new Set(plain.filter((it) => it.set === 'main').map((it) => it.guidance))).toEqual(new Set([3]));
  });
});
