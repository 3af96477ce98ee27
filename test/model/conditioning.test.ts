import { describe, expect, it } from 'vitest';
import {
  condDim, conditionLayout, DESCRIPTOR_LOG_FLOOR, dropConditions, encodeConditions, encodePitch, fromDescriptorScale, isConditionGiven,
  toDescriptorScale, unconditional,
} from '../../src/model/conditioning.js';
import { tinyConfig } from './helpers.js';

const drums = tinyConfig('drums');
const tonal = tinyConfig('tonal');
const stats = drums.descriptorStats;

describe('cond vector (spec §2)', () => {
  it('has the spec sizes: drums 16, tonal 41', () => {
    expect(condDim(drums.conditions)).toBe(16);
    expect(condDim(tonal.conditions)).toBe(41);
    expect(conditionLayout(tonal.conditions).map((s) => [s.spec.name, s.offset, s.flag])).toEqual([
      ['family', 0, 16], ['pitch', 17, 33], ['velocity', 34, 35], ['descriptors', 36, 40],
    ]);
  });

  it('encodes a drum class one-hot + flag and standardized descriptors + flag', () => {
    const c = encodeConditions(drums.conditions, { class: 2, descriptors: [13, -2, 0.9, 0.1] }, stats);
    const expected = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, (13 - 10) / 1.5, 0, (0.9 - 0.5) / 0.2, (0.1 - 0.2) / 0.1, 1];
    expect(Array.from(c)).toEqual(Array.from(Float32Array.from(expected)));
  });

  it('standardizes a log10-scaled descriptor in decades, as training/model.py does', () => {
    const logStats = { mean: [10, -1, 0.5, -3], std: [1.5, 1, 0.2, 1.25], transform: ['identity', 'identity', 'identity', 'log10'] as const };
    const c = encodeConditions(drums.conditions, { class: 0, descriptors: [13, -2, 0.9, 1e-4] }, logStats);
    expect(c[14]).toBeCloseTo((-4 - -3) / 1.25, 6);
    expect(c[11]).toBeCloseTo((13 - 10) / 1.5, 6); // identity descriptors unchanged
    // A flatness of 0 (digital silence in a band) sits at the floor, not at −∞.
    const z = encodeConditions(drums.conditions, { class: 0, descriptors: [13, -2, 0.9, 0] }, logStats);
    expect(z[14]).toBeCloseTo((Math.log10(DESCRIPTOR_LOG_FLOOR) - -3) / 1.25, 6);
    expect(toDescriptorScale(logStats, 3, 1e-2)).toBeCloseTo(-2, 12);
    expect(fromDescriptorScale(logStats, 3, -2)).toBeCloseTo(1e-2, 12);
    expect(toDescriptorScale(logStats, 0, 7)).toBe(7);
    expect(toDescriptorScale(stats, 3, 0.25)).toBe(0.25); // no transform: raw
    expect(fromDescriptorScale(stats, 3, 0.25)).toBe(0.25);
  });

  it('drops an absent condition: values and flag all zero', () => {
    const c = encodeConditions(drums.conditions, { class: 0 }, stats);
    expect(Array.from(c.subarray(11))).toEqual([0, 0, 0, 0, 0]);
    expect(isConditionGiven(c, drums.conditions, 'class')).toBe(true);
    expect(isConditionGiven(c, drums.conditions, 'descriptors')).toBe(false);
    expect(Array.from(encodeConditions(drums.conditions, {}, stats))).toEqual(Array.from(unconditional(drums.conditions)));
    expect(unconditional(tonal.conditions).every((v) => v === 0)).toBe(true);
  });

  it('encodes pitch as (v−64)/32, interleaved sin/cos per period, a zero pad, then the flag', () => {
    const v = 45;
    const p = encodePitch(v);
    expect(p.length).toBe(16);
    expect(p[0]).toBeCloseTo((45 - 64) / 32, 7);
    [3, 6, 12, 24, 48, 96, 192].forEach((P, i) => {
      expect(p[1 + 2 * i]).toBeCloseTo(Math.sin((2 * Math.PI * v) / P), 6);
      expect(p[2 + 2 * i]).toBeCloseTo(Math.cos((2 * Math.PI * v) / P), 6);
    });
    expect(p[15]).toBe(0);
    const c = encodeConditions(tonal.conditions, { family: 4, pitch: 45, velocity: 100 }, stats);
    expect(Array.from(c.subarray(17, 33))).toEqual(Array.from(p));
    expect(c[33]).toBe(1); // pitch flag
    expect(c[34]).toBeCloseTo(100 / 127, 7);
    expect(c[35]).toBe(1); // velocity flag
    expect(c[4]).toBe(1);
    expect(c[16]).toBe(1); // family flag
    expect(c[40]).toBe(0); // descriptors dropped
  });

  it('drops chosen conditions of a batch of vectors', () => {
    const dim = condDim(tonal.conditions);
    const batch = new Float32Array(2 * dim);
    encodeConditions(tonal.conditions, { family: 1, pitch: 60, velocity: 64, descriptors: [10, -2, 0.5, 0.2] }, stats, batch, 0);
    encodeConditions(tonal.conditions, { family: 2, pitch: 62 }, stats, batch, dim);
    const d = dropConditions(batch, tonal.conditions, ['pitch', 'descriptors']);
    for (const row of [0, 1]) {
      expect(isConditionGiven(d, tonal.conditions, 'family', row)).toBe(true);
      expect(isConditionGiven(d, tonal.conditions, 'pitch', row)).toBe(false);
      expect(d.subarray(row * dim + 17, row * dim + 34).every((v) => v === 0)).toBe(true);
      expect(d.subarray(row * dim + 36, row * dim + 41).every((v) => v === 0)).toBe(true);
    }
    expect(isConditionGiven(d, tonal.conditions, 'velocity', 0)).toBe(true);
    expect(batch[17]).not.toBe(0); // input untouched
    expect(() => dropConditions(batch, tonal.conditions, ['class'])).toThrow(/no such condition/);
  });

  it('rejects values the spec cannot encode', () => {
    expect(() => encodeConditions(drums.conditions, { class: 10 }, stats)).toThrow(/class index 10 is outside 0–9/);
    expect(() => encodeConditions(drums.conditions, { class: 1.5 }, stats)).toThrow(/outside/);
    expect(() => encodeConditions(drums.conditions, { class: 1, descriptors: [1, 2, 3] }, stats)).toThrow(/4 finite raw descriptors/);
    expect(() => encodeConditions(drums.conditions, { clas: 1 }, stats)).toThrow(/"clas": this model has no such condition/);
    expect(() => encodeConditions(tonal.conditions, { pitch: Number.NaN }, stats)).toThrow(/expected a MIDI note/);
  });
});
