import { describe, expect, it } from 'vitest';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import { validateModelConfig, type ModelConfig, type ModelKind } from '../../src/model/config.js';
import { resolveRequest } from '../../src/model/requests.js';
import {
  DEFAULT_PROMPT_VELOCITY, MIN_CLASS_STD_FRACTION, computeClassBaselines, loudnessToVelocity, parsePrompt, promptToRequest,
  type PromptModelConfig, type PromptRequestResult,
} from '../../src/prompt/index.js';

/** A small but valid config.json (no weights needed: promptToRequest never runs the network). */
function smallConfig(kind: ModelKind, extra: Record<string, unknown> = {}): ModelConfig {
  const drums = kind === 'drums';
  const nFrames = drums ? 64 : 128;
  return validateModelConfig({
    version: 1,
    kind,
    representation: { sampleRate: 44100, nFft: 2048, hop: 512, nMels: 16, fMin: 20, fMax: 22050, floorDb: -90, ceilDb: 10, nFrames },
    architecture: { channels: [8, 16, 24], embedDim: 16, groups: 4, heads: 2, condDim: drums ? 16 : 41, nMels: 16, nFrames, dataMean: -0.5, dataStd: 0.5 },
    conditions: drums
      ? [{ name: 'class', kind: 'categorical', size: 11 }, { name: 'descriptors', kind: 'descriptors', size: 5 }]
      : [
          { name: 'family', kind: 'categorical', size: 17 }, { name: 'pitch', kind: 'pitch', size: 17 },
          { name: 'velocity', kind: 'scalar', size: 2 }, { name: 'descriptors', kind: 'descriptors', size: 5 },
        ],
    classes: drums ? [...DRUM_CLASSES] : [...GM_FAMILIES],
    descriptorStats: drums ? { mean: [10, -1.5, 0.7, 0.05], std: [2, 1, 0.25, 0.1] } : { mean: [9.5, -0.5, 0.15, 0.01], std: [1.25, 0.75, 0.2, 0.02] },
    schedule: { type: 'cosine-logsnr', logSnrMin: -15, logSnrMax: 15 },
    sampler: { name: 'dpmpp-2m', steps: 20, guidance: 2 },
    training: { steps: 1, ...extra },
  }, 'test-config.json');
}

const drums = smallConfig('drums');
const tonal = smallConfig('tonal');

const ok = (r: PromptRequestResult) => {
  if (!r.ok) throw new Error(`expected ok, got error: ${r.error}`);
  return r;
};
const err = (r: PromptRequestResult) => {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.request)}`);
  return r.error;
};

describe('promptToRequest: drums', () => {
  it('a class alone: no descriptors (left to the model), base fields copied', () => {
    const r = ok(promptToRequest(parsePrompt('kick'), drums, { seed: 7, guidance: 3, steps: 12, sampler: 'ddim' }));
    expect(r.request).toEqual({ seed: 7, class: 'kick', guidance: 3, steps: 12, sampler: 'ddim' });
    expect(r.baseline).toBe('none');
    expect(r.warnings).toEqual([]);
  });

  it('targets without per-class baselines: raw = dataset mean + σ × dataset std, untouched ones at the mean', () => {
    const r = ok(promptToRequest(parsePrompt('very bright punchy snare'), drums, { seed: 1 }));
    expect(r.request.descriptors).toEqual({ brightness: 10 + 1.5 * 2, decay: -1.5, punch: 0.7 + 0.25, noisiness: 0.05 });
    expect(r.z).toEqual({ brightness: 1.5, decay: 0, punch: 1, noisiness: 0 });
    expect(r.baseline).toBe('dataset');
    expect(r.warnings).toEqual(['descriptor targets are relative to the mean of all drum classes (no per-class baseline for "snare" in the model config)']);
  });

  it('uses per-class baselines from config.training.classDescriptorStats: class mean + σ × max(class std, ¼ dataset std)', () => {
    const cfg = smallConfig('drums', {
      classDescriptorStats: { kick: { mean: [7, -2, 0.85, 0.001], std: [0.75, 0.6, 0.15, 0.002] } },
    });
    const r = ok(promptToRequest(parsePrompt('slightly dark kick with a long tail'), cfg, { seed: 1 }));
    expect(r.baseline).toBe('class');
    expect(r.warnings).toEqual([]);
    expect(r.request.descriptors!.brightness).toBeCloseTo(7 - 0.5 * 0.75, 10);
    expect(r.request.descriptors!.decay).toBeCloseTo(-2 + 1.25 * 0.6, 10);
    expect(r.request.descriptors!.punch).toBeCloseTo(0.85, 10);
    expect(r.request.descriptors!.noisiness).toBeCloseTo(0.001, 10);
    const noisy = ok(promptToRequest(parsePrompt('noisy kick'), cfg, { seed: 1 }));
    expect(noisy.request.descriptors!.noisiness).toBeCloseTo(0.001 + MIN_CLASS_STD_FRACTION * 0.1, 4);
    // z is what the model sees: standardized with the dataset stats.
    expect(r.z!.brightness).toBeCloseTo((7 - 0.375 - 10) / 2, 3);
    // A class without a baseline falls back to the dataset mean.
    expect(ok(promptToRequest(parsePrompt('bright snare'), cfg, { seed: 1 })).baseline).toBe('dataset');
  });

  it('says so when the class hardly varies in an asked descriptor (class σ < ¼ dataset σ): the model may barely follow it', () => {
    const cfg = smallConfig('drums', {
      classDescriptorStats: { tom: { mean: [8, -1, 0.6, 0.002], std: [1, 0.6, 0.18, 0.01] } },
    });
    const noisy = ok(promptToRequest(parsePrompt('noisy tom'), cfg, { seed: 1 }));
    expect(noisy.warnings).toEqual([
      'noisiness: "tom" sounds hardly vary in noisiness in the training data (σ 0.010 against 0.10 over all drum classes), so the model may barely follow this target',
    ]);
    // Only for descriptors the prompt asks for: brightness and decay vary enough among toms here.
    expect(ok(promptToRequest(parsePrompt('dark short tom'), cfg, { seed: 1 })).warnings).toEqual([]);
    expect(ok(promptToRequest(parsePrompt('tom'), cfg, { seed: 1 })).warnings).toEqual([]);
  });

  it('options.baselines override the config; top-level classDescriptorStats also count', () => {
    const baselines = { clap: { mean: [11, -2.8, 0.9, 0.02] } };
    const r = ok(promptToRequest(parsePrompt('short clap'), drums, { seed: 1 }, { baselines }));
    expect(r.request.descriptors).toEqual({ brightness: 11, decay: -3.8, punch: 0.9, noisiness: 0.02 });
    const top: PromptModelConfig = { ...drums, classDescriptorStats: baselines };
    expect(ok(promptToRequest(parsePrompt('short clap'), top, { seed: 1 })).request.descriptors).toEqual(r.request.descriptors);
  });

  it('reports malformed baselines and falls back to the dataset mean', () => {
    const cfg = smallConfig('drums', { classDescriptorStats: { kick: { mean: [1, 2] } } });
    const r = ok(promptToRequest(parsePrompt('dark kick'), cfg, { seed: 1 }));
    expect(r.baseline).toBe('dataset');
    expect(r.warnings[0]).toMatch(/baseline for "kick" is malformed/);
  });

  it('clamps to what a descriptor can measure: punch/noisiness in [0, 1], decay ≤ the clip length', () => {
    const r = ok(promptToRequest(parsePrompt('super super punchy crash with a very long tail'), drums, { seed: 1 }));
    expect(r.request.descriptors!.punch).toBe(1);
    const clip = Math.log2((63 * 512) / 44100);
    expect(r.request.descriptors!.decay).toBeCloseTo(clip, 4);
    expect(r.warnings.filter((w) => /clamped/.test(w))).toEqual([
      'decay target clamped to -0.4512 (0.7314 s, the clip length)',
      'punch target clamped to 1 (the largest value the descriptor takes)',
    ]);
    const clean = ok(promptToRequest(parsePrompt('extremely clean hat'), drums, { seed: 1 }));
    expect(clean.request.descriptors!.noisiness).toBe(0);
  });

  it('loudness words: a warning (no velocity on drums), their punch hint still applies', () => {
    const r = ok(promptToRequest(parsePrompt('soft kick'), drums, { seed: 1 }));
    expect(r.request.velocity).toBeUndefined();
    expect(r.request.descriptors!.punch).toBeCloseTo(0.7 - 0.5 * 0.25, 10);
    expect(r.warnings[0]).toMatch(/^loudness −?-?1σ has no effect on this drums model/);
  });

  it('a prompt without instrument uses base.class; a register becomes brightness, a pitch is dropped', () => {
    const r = ok(promptToRequest(parsePrompt('low, punchy, 55hz'), drums, { seed: 3, class: 'tom' }));
    expect(r.request.class).toBe('tom');
    expect(r.request.pitch).toBeUndefined();
    expect(r.z!.brightness).toBe(-0.75);
    expect(r.warnings[0]).toBe('pitch A1 ignored: this drums model has no pitch');
  });
});

describe('promptToRequest: a model that standardizes noisiness as log10', () => {
  // Flatness in decades: toms -3.9 ± 1.2 (linear 0.0024 ± 0.011), the dataset -2.6 ± 1.65.
  const logCfg = (withClass: boolean) => {
    const c = smallConfig('drums', withClass ? { classDescriptorStats: { tom: { mean: [8, -1, 0.7, -3.9], std: [1, 0.5, 0.2, 1.2] } } } : {});
    return { ...c, descriptorStats: { mean: [10, -1.5, 0.7, -2.6], std: [2, 1, 0.25, 1.65], transform: ['identity', 'identity', 'identity', 'log10'] as const } };
  };

  it('moves a target by the class σ in decades and sends the raw flatness', () => {
    const r = ok(promptToRequest(parsePrompt('noisy tom'), logCfg(true), { seed: 1 }));
    expect(r.request.descriptors!.noisiness).toBeCloseTo(10 ** (-3.9 + 1.2), 9);
    expect(r.z!.noisiness).toBeCloseTo((-3.9 + 1.2 + 2.6) / 1.65, 4);
    const clean = ok(promptToRequest(parsePrompt('clean tom'), logCfg(true), { seed: 1 }));
    expect(clean.request.descriptors!.noisiness).toBeCloseTo(10 ** (-3.9 - 0.75 * 1.2), 12); // "clean" is −0.75σ
    expect(r.request.descriptors!.brightness).toBe(8); // identity descriptors as before
    // Not narrow in decades: no "hardly vary" warning, unlike the linear scale.
    expect(r.warnings).toEqual([]);
  });

  it('without class baselines: the dataset mean and SD in decades', () => {
    const r = ok(promptToRequest(parsePrompt('very noisy snare'), logCfg(false), { seed: 1 }));
    expect(r.request.descriptors!.noisiness).toBeCloseTo(10 ** (-2.6 + 1.5 * 1.65), 9);
  });

  it('clamps in the scale and reports the raw value', () => {
    const r = ok(promptToRequest(parsePrompt('super noisy tom'), { ...logCfg(true), training: { steps: 1, classDescriptorStats: { tom: { mean: [8, -1, 0.7, -0.5], std: [1, 0.5, 0.2, 1.2] } } } }, { seed: 1 }));
    expect(r.request.descriptors!.noisiness).toBe(1);
    expect(r.warnings).toContain('noisiness target clamped to 1 (the largest value the descriptor takes)');
  });

  it('computeClassBaselines in the model scale', () => {
    const b = computeClassBaselines([{ class: 6, descriptors: [8, -1, 0.5, 1e-3] }, { class: 6, descriptors: [8, -1, 0.5, 1e-5] }], DRUM_CLASSES, logCfg(false).descriptorStats);
    expect(b['tom']!.mean[3]).toBeCloseTo(-4, 12);
    expect(b['tom']!.std[3]).toBeCloseTo(1, 12);
  });
});

describe('promptToRequest: tonal', () => {
  it('family, pitch, descriptors; velocity defaults to base, then 100', () => {
    const r = ok(promptToRequest(parsePrompt('warm bass in C2'), tonal, { seed: 5 }));
    expect(r.request).toMatchObject({ seed: 5, family: 'bass', pitch: 36, velocity: DEFAULT_PROMPT_VELOCITY });
    expect(r.request.class).toBeUndefined();
    expect(r.request.descriptors!.brightness).toBeCloseTo(9.5 - 0.75 * 1.25, 10);
    expect(ok(promptToRequest(parsePrompt('bass C2'), tonal, { seed: 5, velocity: 70 })).request.velocity).toBe(70);
  });

  it('velocity: explicit beats loudness; loudness maps ±1σ to 64 / 112', () => {
    expect(ok(promptToRequest(parsePrompt('soft piano'), tonal, { seed: 1, velocity: 120 })).request.velocity).toBe(64);
    expect(ok(promptToRequest(parsePrompt('hard piano'), tonal, { seed: 1 })).request.velocity).toBe(112);
    expect(ok(promptToRequest(parsePrompt('very soft piano'), tonal, { seed: 1 })).request.velocity).toBe(52);
    expect(ok(promptToRequest(parsePrompt('loud piano velocity 30'), tonal, { seed: 1 })).request.velocity).toBe(30);
    expect([loudnessToVelocity(-10), loudnessToVelocity(0), loudnessToVelocity(10)]).toEqual([1, 88, 127]);
  });

  it('pitch: prompt, then its register, then base.pitch, then the family\'s middle register', () => {
    expect(ok(promptToRequest(parsePrompt('bass midi 40'), tonal, { seed: 1, pitch: 50 })).request.pitch).toBe(40);
    expect(ok(promptToRequest(parsePrompt('high bass'), tonal, { seed: 1, pitch: 50 })).request.pitch).toBe(60);
    expect(ok(promptToRequest(parsePrompt('bass'), tonal, { seed: 1, pitch: 50 })).request.pitch).toBe(50);
    expect(ok(promptToRequest(parsePrompt('bass'), tonal, { seed: 1 })).request.pitch).toBe(48);
    // register known only once base.family is known
    expect(ok(promptToRequest(parsePrompt('low, dark'), tonal, { seed: 1, family: 'piano' })).request.pitch).toBe(48);
  });

  it('no descriptor words: base.descriptors pass through untouched', () => {
    const descriptors = { brightness: 9, decay: -1, punch: 0.2, noisiness: 0 };
    const r = ok(promptToRequest(parsePrompt('organ C4'), tonal, { seed: 1, descriptors }));
    expect(r.request.descriptors).toBe(descriptors);
    expect(r.baseline).toBe('none');
  });
});

describe('promptToRequest: errors', () => {
  it('a drum prompt on a tonal model and the reverse', () => {
    expect(err(promptToRequest(parsePrompt('punchy kick'), tonal, { seed: 1 })))
      .toBe('the prompt describes a drum sound ("kick") but this is a tonal model; use the drums model');
    expect(err(promptToRequest(parsePrompt('rhodes C3'), drums, { seed: 1 })))
      .toBe('the prompt describes a tonal instrument ("piano") but this is a drums model; use the tonal model');
    expect(err(promptToRequest(parsePrompt('bright drums'), tonal, { seed: 1 }))).toMatch(/describes a drums sound but this is a tonal model/);
  });

  it('no instrument in the prompt nor the base', () => {
    expect(err(promptToRequest(parsePrompt('very bright'), drums, { seed: 1 }))).toMatch(/^the prompt names no drum class; add one, e\.g\. "kick"/);
    expect(err(promptToRequest(parsePrompt('very bright'), tonal, { seed: 1 }))).toMatch(/^the prompt names no instrument family/);
  });

  it('a class the model does not have', () => {
    const small: PromptModelConfig = { ...drums, classes: ['kick', 'snare'], conditions: [{ name: 'class', kind: 'categorical', size: 3 }, drums.conditions[1]!] };
    expect(err(promptToRequest(parsePrompt('cowbell'), small, { seed: 1 }))).toBe('this drums model has no class "perc" (it has kick, snare)');
  });
});

describe('promptToRequest: contract', () => {
  const cases: [string, ModelConfig, Record<string, unknown>][] = [
    ['punchy dark 808 kick with a long tail', drums, {}],
    ['not too bright open hat', drums, {}],
    ['super noisy crash, no tail', drums, {}],
    ['soft rhodes A#3', tonal, {}],
    ['very low sub bass, gritty', tonal, {}],
    ['bright', drums, { class: 'snare' }],
    ['warm pad in F, ff', tonal, { guidance: 4, steps: 30 }],
  ];
  it.each(cases)('"%s" gives a request resolveRequest accepts', (text, config, extra) => {
    const r = ok(promptToRequest(parsePrompt(text), config, { seed: 42, ...extra }));
    expect(() => resolveRequest(config, r.request)).not.toThrow();
  });

  it('is pure: inputs are not mutated, equal inputs give equal outputs', () => {
    const parse = parsePrompt('low soft bass, boomy');
    const base = { seed: 9, velocity: 90 };
    const snapshot = JSON.stringify([parse, base, tonal]);
    const a = promptToRequest(parse, tonal, base);
    const b = promptToRequest(parse, tonal, base);
    expect(JSON.stringify([parse, base, tonal])).toBe(snapshot);
    expect(b).toEqual(a);
  });

  it('computeClassBaselines: mean and population std per class from shard items', () => {
    const items = [
      { class: 0, descriptors: [7, -2, 0.8, 0] },
      { class: 0, descriptors: [9, -1, 1, 0.02] },
      { class: 'snare', descriptors: [10, -2, 0.8, 0.01] },
      { class: 99, descriptors: [0, 0, 0, 0] },
    ];
    const b = computeClassBaselines(items, DRUM_CLASSES);
    expect(Object.keys(b)).toEqual(['kick', 'snare']);
    expect(b['kick']!.mean).toEqual([8, -1.5, 0.9, 0.01]);
    expect(b['kick']!.std.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([1, 0.5, 0.1, 0.01]);
    expect(b['kick']!.count).toBe(2);
    const cfg = smallConfig('drums', { classDescriptorStats: b });
    expect(ok(promptToRequest(parsePrompt('kick, bright'), cfg, { seed: 1 })).request.descriptors!.brightness).toBeCloseTo(9, 10);
  });
});
