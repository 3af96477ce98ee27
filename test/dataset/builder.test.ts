import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRUM_CLASSES } from '../../src/constants.js';
import { type BuildResult, buildDataset, type BuildOptions, tonalSplit } from '../../src/dataset/builder.js';
import { freeDecoders } from '../../src/dataset/decode.js';
import { decodeNpy } from '../../src/dataset/npy.js';
import { DRUM_REPRESENTATION, signalLength } from '../../src/dsp/config.js';

const KITS = resolve(import.meta.dirname, '../fixtures/kit');
const KIT = join(KITS, 'TinyKit');
const tmp = mkdtempSync(join(tmpdir(), 'builder-test-'));
const outDir = join(tmp, 'data');

const opts = (over: Partial<BuildOptions> = {}): BuildOptions => ({
  hydrogenDir: KITS,
  sf2Path: '/nonexistent.sf2',
  outDir,
  augmentCopies: 1,
  tonalStep: 3,
  tonalVelocities: [100],
  drumVelocities: [100],
  ...over,
});

const read = (p: string) => new Uint8Array(readFileSync(p));

let result: BuildResult;
const progress: Array<[number, number, string]> = [];
beforeAll(async () => {
  result = await buildDataset(opts({ onProgress: (d, t, l) => progress.push([d, t, l]) }));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  freeDecoders();
});

describe('buildDataset on the fixture kit', () => {
  it('reports the corrupt, the silent and the unlabelable file with their paths, and the missing SF2', () => {
    const by = (name: string) => result.skipped.filter((s) => s.path === join(KIT, name));
    expect(by('corrupt.wav')).toHaveLength(1);
    expect(by('corrupt.wav')[0]!.reason).toMatch(/corrupt\.wav: unrecognised audio format/);
    expect(by('silent.wav')).toEqual([{ path: join(KIT, 'silent.wav'), reason: 'silent' }]);
    expect(by('mystery.wav')).toHaveLength(1);
    expect(by('mystery.wav')[0]!.reason).toMatch(/unlabelable instrument name "Thing 7" in kit "TinyKit"/);
    const sf2 = result.skipped.filter((s) => s.path === '/nonexistent.sf2');
    expect(sf2).toHaveLength(1);
    expect(sf2[0]!.reason).toMatch(/fluid-soundfont-gm is not installed/);
    expect(result.skipped).toHaveLength(4);
  });

  it('kept the good files (WAV 16/24-bit, stereo, 22.05 kHz, FLAC) and did not stop', () => {
    const originals = result.items.filter((i) => i.augmentation === null);
    expect(originals.map((i) => [i.id, i.class]).sort()).toEqual([
      ['h2:TinyKit/hat.wav', 'closed-hat'],
      ['h2:TinyKit/kick.wav', 'kick'],
      ['h2:TinyKit/snare.wav', 'snare'],
      ['h2:TinyKit/tom.flac', 'tom'],
    ]);
    for (const o of originals) {
      expect(o.split).toBe('train');
      expect(o.group).toBe('TinyKit');
      expect(o.source).toBe(join(KIT, o.id.split('/')[1]!));
    }
    // augmentCopies: 1 → one augmented copy per training original, traced to its parent.
    const augs = result.items.filter((i) => i.augmentation !== null);
    expect(augs).toHaveLength(4);
    for (const a of augs) {
      expect(a.parent).toBe(a.id.replace(/#aug0$/, ''));
      expect(a.class).toBe(result.items.find((i) => i.id === a.parent)!.class);
    }
    expect(result.counts.drums.train.kick).toBe(2);
    expect(result.counts.drums.train['closed-hat']).toBe(2);
    expect(result.counts.drums.test.kick).toBe(0);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('writes the manifest and shards with the right shapes', () => {
    expect(readdirSync(outDir).sort()).toEqual(['audio', 'manifest.json', 'shards']);
    expect(readdirSync(join(outDir, 'shards')).sort()).toEqual(['drums_train.json', 'drums_train.npy']);
    expect(readdirSync(join(outDir, 'audio'))).toEqual(['drums_train.npy']);
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest.version).toBe(1);
    expect(manifest.items).toHaveLength(8);
    expect(manifest.skipped).toHaveLength(4);
    expect(manifest.representations.drums).toEqual(DRUM_REPRESENTATION);
    const feats = decodeNpy(read(join(outDir, 'shards', 'drums_train.npy')));
    expect(feats.shape).toEqual([8, DRUM_REPRESENTATION.nMels, DRUM_REPRESENTATION.nFrames]);
    for (const v of feats.data) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(1);
    }
    const audio = decodeNpy(read(join(outDir, 'audio', 'drums_train.npy')));
    expect(audio.data).toBeInstanceOf(Int16Array);
    expect(audio.shape).toEqual([4, signalLength(DRUM_REPRESENTATION)]); // originals only
    const rows = JSON.parse(readFileSync(join(outDir, 'shards', 'drums_train.json'), 'utf8')).items;
    expect(rows).toHaveLength(8);
    manifest.items.forEach((it: { id: string; shard: string; row: number; class: string }, i: number) => {
      expect(it.shard).toBe('drums_train');
      expect(it.row).toBe(i);
      expect(rows[it.row].id).toBe(it.id);
      expect(rows[it.row].class).toBe(DRUM_CLASSES.indexOf(it.class as (typeof DRUM_CLASSES)[number]));
      expect(rows[it.row].descriptors).toHaveLength(4);
      for (const d of rows[it.row].descriptors) expect(Number.isFinite(d)).toBe(true);
    });
    // Each stored waveform peaks at −1 dBFS (preprocessing) and starts on its onset.
    const len = audio.shape[1]!;
    for (let r = 0; r < audio.shape[0]!; r++) {
      let pk = 0;
      let on = -1;
      for (let i = 0; i < len; i++) {
        const a = Math.abs(audio.data[r * len + i]!);
        if (a > pk) pk = a;
      }
      for (let i = 0; i < len; i++) if (Math.abs(audio.data[r * len + i]!) >= pk / 100) { on = i; break; }
      expect(20 * Math.log10(pk / 32768)).toBeCloseTo(-1, 2);
      expect(on).toBeLessThan(64);
    }
  });

  it('a second build replaces the first in place (stale files gone, no .partial left); a trailing slash works', async () => {
    writeFileSync(join(outDir, 'stale.txt'), 'from an old build');
    const r2 = await buildDataset(opts({ outDir: `${outDir}/`, augmentCopies: 0 }));
    expect(r2.items).toHaveLength(4);
    expect(existsSync(join(outDir, 'stale.txt'))).toBe(false);
    expect(existsSync(`${outDir}.partial`)).toBe(false);
    expect(existsSync(join(outDir, '.partial'))).toBe(false);
    expect(readdirSync(tmp)).toEqual(['data']);
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
    expect(manifest.items).toHaveLength(4);
    expect(decodeNpy(read(join(outDir, 'shards', 'drums_train.npy'))).shape[0]).toBe(4);
  });

  it('an interrupted build leaves the previous dataset intact', async () => {
    const before = readFileSync(join(outDir, 'manifest.json'), 'utf8');
    await expect(
      buildDataset(
        opts({
          onProgress: (_d, _t, label) => {
            if (label.startsWith('features')) throw new Error('interrupted');
          },
        }),
      ),
    ).rejects.toThrow('interrupted');
    expect(readFileSync(join(outDir, 'manifest.json'), 'utf8')).toBe(before);
    expect(existsSync(`${outDir}.partial`)).toBe(false);
  });

  it('a missing drumkits folder is reported, not fatal', async () => {
    const r = await buildDataset(opts({ hydrogenDir: join(tmp, 'nope'), outDir: join(tmp, 'empty') }));
    expect(r.items).toHaveLength(0);
    expect(r.skipped.map((s) => s.path)).toEqual([join(tmp, 'nope'), '/nonexistent.sf2']);
    rmSync(join(tmp, 'empty'), { recursive: true, force: true });
  });
});

describe('tonal split', () => {
  it('holds out one program in 8 for val and one for test, in every family', () => {
    const splits = Array.from({ length: 128 }, (_, p) => tonalSplit(p));
    for (let fam = 0; fam < 16; fam++) {
      const s = splits.slice(fam * 8, fam * 8 + 8);
      expect(s.filter((x) => x === 'val')).toHaveLength(1);
      expect(s.filter((x) => x === 'test')).toHaveLength(1);
    }
  });
});
