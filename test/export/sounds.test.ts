/**
 * Seed sounds for export and loop rendering: the right requests (variation 0,
 * kit seed applied), each generated once, failures retried.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SynthRequest } from '../../src/engine/protocol.js';
import { padSeed } from '../../src/engine/seeds.js';
import { SeedSoundCache, seedRequest, type SoundSource } from '../../src/export/sounds.js';
import { migratePreset, presetToKit } from '../../src/presets/migrate.js';

const KIT = presetToKit(migratePreset(JSON.parse(readFileSync(path.resolve(__dirname, '../../presets/default-kit.json'), 'utf8'))));
const DEFAULTS = { guidance: 3, steps: 10 };

class FakeSource implements SoundSource {
  asked: SynthRequest[] = [];
  failNext = false;
  generateMany(requests: readonly SynthRequest[]) {
    this.asked.push(...requests);
    const fail = this.failNext;
    this.failNext = false;
    return requests.map((r, i) => ({
      id: i,
      done: fail ? Promise.reject(new Error('lost device')) : Promise.resolve({ audio: new Float32Array([r.seed % 1000, 1]), sampleRate: 44100 }),
    }));
  }
}

describe('seed sounds', () => {
  it('a pad asks for its seed sound: class, effective seed, globals, no variation', () => {
    const kit = structuredClone(KIT);
    kit.globals.seed = 9;
    kit.globals.guidance = 4.5;
    expect(seedRequest(kit, 0, DEFAULTS)).toEqual({ class: 'kick', seed: padSeed(9, 1001), guidance: 4.5, steps: 10 });
    expect(seedRequest(KIT, 2, DEFAULTS)).toEqual({ class: 'snare', seed: 1003, guidance: 3, steps: 10 });
  });

  it('carries the timbre knobs\' descriptor targets, so an export is the sound the pad plays', async () => {
    const d = { brightness: 8.1, decay: -1.2, punch: 0.7, noisiness: 0.01 };
    expect(seedRequest(KIT, 0, DEFAULTS, (i) => (i === 0 ? d : undefined))).toEqual({ class: 'kick', seed: 1001, guidance: 3, steps: 10, descriptors: d });
    expect(seedRequest(KIT, 1, DEFAULTS, (i) => (i === 0 ? d : undefined)).descriptors).toBeUndefined();
    const src = new FakeSource();
    const cache = new SeedSoundCache();
    await cache.get(src, KIT, DEFAULTS, [0]);
    await cache.get(src, KIT, DEFAULTS, [0], () => d); // another timbre: another sound
    expect(src.asked.map((r) => r.descriptors)).toEqual([undefined, d]);
  });

  it('generates each sound once, in one batch, and returns them in pad order', async () => {
    const src = new FakeSource();
    const cache = new SeedSoundCache();
    const a = await cache.get(src, KIT, DEFAULTS, [2, 0]);
    expect(a.map((s) => s.data[0])).toEqual([3, 1]);
    expect(src.asked.map((r) => r.seed)).toEqual([1003, 1001]);
    const all = await cache.get(src, KIT, DEFAULTS);
    expect(all).toHaveLength(16);
    expect(src.asked).toHaveLength(16);
    await cache.get(src, KIT, DEFAULTS, [0]);
    expect(src.asked).toHaveLength(16);
  });

  it('a failed generation rejects and is asked again next time; an unknown pad is named', async () => {
    const src = new FakeSource();
    const cache = new SeedSoundCache();
    src.failNext = true;
    await expect(cache.get(src, KIT, DEFAULTS, [5])).rejects.toThrow('lost device');
    const again = await cache.get(src, KIT, DEFAULTS, [5]);
    expect(again[0]!.data[0]).toBe(6);
    expect(src.asked).toHaveLength(2);
    await expect(cache.get(src, KIT, DEFAULTS, [16])).rejects.toThrow('export: pad 16 does not exist (0–15)');
  });
});
