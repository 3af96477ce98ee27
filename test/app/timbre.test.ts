/**
 * The timbre knobs (src/app/timbre.ts) against the shipped drums model's
 * config: centred = no descriptors (left to the model); a knob moves its
 * descriptor by σ of the pad's own class (the prompt formula), the others
 * stay at the class mean; a preset stores targets in the schema's units and
 * gives back the same knob positions; every knob's range fits the schema.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DESCRIPTORS } from '../../src/constants.js';
import { descriptorTargets, isCentred, timbreFromPreset, timbreModelFromConfig, timbreRange, timbreToPreset, TIMBRE_SIGMA_RANGE } from '../../src/app/timbre.js';
import { MIN_CLASS_STD_FRACTION } from '../../src/prompt/request.js';
import { toDescriptorScale } from '../../src/model/conditioning.js';
import { parsePresetV2 } from '../../src/presets/schema.js';

const config = JSON.parse(readFileSync('models/drums/config.json', 'utf8')) as {
  descriptorStats: { mean: number[]; std: number[] };
  training: { classDescriptorStats: Record<string, { mean: number[]; std: number[] }> };
};
const model = timbreModelFromConfig(config, 'models/drums/config.json');
const stats = model.descriptorStats;
const preset = JSON.parse(readFileSync('presets/default-kit.json', 'utf8')) as Record<string, unknown>;

describe('timbre knobs', () => {
  it('all centred: no descriptor condition at all', () => {
    expect(isCentred({})).toBe(true);
    expect(isCentred({ brightness: 0 })).toBe(true);
    expect(descriptorTargets(model, 'kick', {})).toBeUndefined();
    expect(descriptorTargets(model, 'kick', { punch: 0 })).toBeUndefined();
  });

  it('one knob moves its descriptor by σ of the pad class; the others sit at the class mean', () => {
    for (const cls of ['kick', 'closed-hat']) {
      const c = config.training.classDescriptorStats[cls]!;
      const t = descriptorTargets(model, cls, { brightness: 1 })!;
      const unit = Math.max(c.std[0]!, MIN_CLASS_STD_FRACTION * stats.std[0]!);
      expect(t.brightness).toBeCloseTo(c.mean[0]! + unit, 9);
      expect(t.decay).toBeCloseTo(c.mean[1]!, 9);
      expect(t.punch).toBeCloseTo(c.mean[2]!, 9);
      // Noisiness in the model's scale (raw or log10 flatness, descriptorStats.transform), clamped at flatness 0.
      expect(toDescriptorScale(stats, 3, t.noisiness)).toBeCloseTo(Math.max(toDescriptorScale(stats, 3, 0), c.mean[3]!), 9);
    }
    // Same knob, different classes: each relative to its own baseline.
    expect(descriptorTargets(model, 'closed-hat', { brightness: 1 })!.brightness).toBeGreaterThan(descriptorTargets(model, 'kick', { brightness: 1 })!.brightness);
    expect(descriptorTargets(model, 'kick', { brightness: -1 })!.brightness).toBeLessThan(config.training.classDescriptorStats['kick']!.mean[0]!);
  });

  it('an unknown class is an error naming it', () => {
    expect(() => descriptorTargets(model, 'cowbell', { punch: 1 })).toThrow('timbre: this drums model has no class "cowbell"');
  });

  it('ranges are ±2σ cut to what the preset format holds (noisiness 0–1 is near 0 on drums)', () => {
    for (const d of DESCRIPTORS) {
      const r = timbreRange(stats, d);
      expect(r.min).toBeLessThan(0);
      expect(r.max).toBeGreaterThan(0);
      expect(r.min).toBeGreaterThanOrEqual(-TIMBRE_SIGMA_RANGE);
      expect(r.max).toBeLessThanOrEqual(TIMBRE_SIGMA_RANGE);
    }
    // Brightness tops out at Nyquist, 22050 Hz: (log2 22050 − mean) / std σ above the drums' mean.
    expect(timbreRange(stats, 'brightness')).toEqual({ min: -2, max: Math.floor(((Math.log2(22050) - stats.mean[0]!) / stats.std[0]!) * 100) / 100 });
    // Noisiness bottoms out at flatness 0 (log10 scale: the floor), cut to −2σ.
    const zero = (toDescriptorScale(stats, 3, 0) - stats.mean[3]!) / stats.std[3]!;
    expect(timbreRange(stats, 'noisiness').min).toBe(Math.max(-TIMBRE_SIGMA_RANGE, Math.ceil(zero * 100) / 100));
  });

  it('save → load gives the same knob positions, and the stored values pass the preset schema', () => {
    for (const d of DESCRIPTORS) {
      const r = timbreRange(stats, d);
      for (const z of [r.min, -0.37, 0.01, 0.5, r.max]) {
        const stored = timbreToPreset(stats, { [d]: z });
        const parsed = parsePresetV2({ ...preset, version: 2, globals: { ...(preset['globals'] as object), timbre: stored } }, 'x.json');
        expect(timbreFromPreset(stats, parsed.globals.timbre)).toEqual({ [d]: z });
      }
    }
    // Centred knobs are not stored; an empty timbre is all centred.
    expect(timbreToPreset(stats, { brightness: 0, punch: 0.5 })).toEqual({ punch: expect.any(Number) });
    expect(timbreFromPreset(stats, {})).toEqual({});
    // Brightness is stored in Hz: +0 σ of the dataset = 2^mean Hz.
    expect(timbreToPreset(stats, { brightness: 1 }).brightness).toBeCloseTo(2 ** (stats.mean[0]! + stats.std[0]!), 3);
  });

  it('a model that standardizes noisiness as log10: knobs move it in decades and survive save → load', () => {
    const logStats = { mean: [10, -1.5, 0.7, -2.6], std: [2, 1, 0.25, 1.65], transform: ['identity', 'identity', 'identity', 'log10'] as const };
    const r = timbreRange(logStats, 'noisiness');
    expect(r).toEqual({ min: -2, max: Math.floor((2.6 / 1.65) * 100) / 100 }); // flatness 1 is 1.58σ up
    expect(timbreToPreset(logStats, { noisiness: -1 }).noisiness).toBeCloseTo(10 ** (-2.6 - 1.65), 12);
    for (const z of [r.min, -1.37, 0.01, 0.5, r.max]) {
      const stored = timbreToPreset(logStats, { noisiness: z });
      const parsed = parsePresetV2({ ...preset, version: 2, globals: { ...(preset['globals'] as object), timbre: stored } }, 'x.json');
      expect(timbreFromPreset(logStats, parsed.globals.timbre)).toEqual({ noisiness: z });
    }
  });

  it('a config without descriptor statistics is refused with the field named', () => {
    expect(() => timbreModelFromConfig({ kind: 'drums', classes: [], conditions: [] }, 'c.json')).toThrow('c.json: descriptorStats: expected');
    expect(() => timbreModelFromConfig({ kind: 'x' }, 'c.json')).toThrow('c.json: kind: expected "drums" or "tonal", got "x"');
  });
});
