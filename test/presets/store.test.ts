/**
 * The user preset store on both backends: the in-memory one and IndexedDB
 * (fake-indexeddb's spec-conformant implementation in Node). A bad import
 * never writes; records survive reopening the database.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { migratePreset, presetToText } from '../../src/presets/migrate.js';
import { IndexedDbPresetBackend, MemoryPresetBackend, PresetStore, presetFile, uniqueName, type PresetBackend } from '../../src/presets/store.js';

const V1_TEXT = readFileSync(path.resolve(__dirname, '../../presets/default-kit.json'), 'utf8');
const PRESET = migratePreset(JSON.parse(V1_TEXT), 'default-kit.json');

function ids(): () => string {
  let n = 0;
  return () => `id${++n}`;
}

/** Counts writes on any backend. */
class Counting implements PresetBackend {
  writes = 0;
  constructor(private readonly inner: PresetBackend) {}
  getAll() {
    return this.inner.getAll();
  }
  get(id: string) {
    return this.inner.get(id);
  }
  put(r: Parameters<PresetBackend['put']>[0]) {
    this.writes++;
    return this.inner.put(r);
  }
  delete(id: string) {
    this.writes++;
    return this.inner.delete(id);
  }
}

const backends: [string, () => PresetBackend][] = [
  ['memory', () => new MemoryPresetBackend()],
  ['IndexedDB (fake-indexeddb)', () => new IndexedDbPresetBackend(new IDBFactory(), 'test-db')],
];

for (const [label, make] of backends) {
  describe(`preset store on ${label}`, () => {
    it('save, list, load, rename, delete', async () => {
      const store = new PresetStore(make(), { newId: ids(), now: () => 1000 });
      const a = await store.save({ ...PRESET, name: 'Zeta' });
      const b = await store.save({ ...PRESET, name: 'Alpha', description: 'first' });
      const { presets, broken } = await store.list();
      expect(broken).toEqual([]);
      expect(presets.map((p) => [p.id, p.name])).toEqual([[b, 'Alpha'], [a, 'Zeta']]);
      expect(presets[0]).toEqual({ id: b, name: 'Alpha', description: 'first', category: 'kit', savedAt: 1000 });
      expect(await store.load(a)).toEqual({ ...PRESET, name: 'Zeta' });
      await store.rename(a, 'Beta');
      expect((await store.load(a)).name).toBe('Beta');
      await expect(store.rename(a, '')).rejects.toThrow('rename "Beta": name: expected one line of 1–80 characters, got ""');
      expect((await store.load(a)).name).toBe('Beta');
      await store.delete(b);
      expect((await store.list()).presets.map((p) => p.name)).toEqual(['Beta']);
      await expect(store.delete(b)).rejects.toThrow(`presets: no preset with id "${b}"`);
      await expect(store.load(b)).rejects.toThrow(`presets: no preset with id "${b}"`);
    });

    it('saving over an id replaces it', async () => {
      const store = new PresetStore(make(), { newId: ids() });
      const id = await store.save(PRESET);
      await store.save({ ...PRESET, globals: { ...PRESET.globals, variation: 0.9 } }, id);
      expect((await store.list()).presets).toHaveLength(1);
      expect((await store.load(id)).globals.variation).toBe(0.9);
    });

    it('import: v1 and v2 files, a taken name gets a suffix; export gives the same preset back', async () => {
      const store = new PresetStore(make(), { newId: ids() });
      const first = await store.importText(V1_TEXT, 'default-kit.json');
      expect(first.preset.name).toBe('Default kit');
      const second = await store.importText(presetToText(first.preset), 'default-kit.json');
      expect(second.preset.name).toBe('Default kit (2)');
      const file = await store.exportFile(second.id);
      expect(file.fileName).toBe('default-kit-2.json');
      expect(JSON.parse(file.text)).toEqual(second.preset);
    });

    it('a bad import names the file and field and writes nothing', async () => {
      const backend = new Counting(make());
      const store = new PresetStore(backend, { newId: ids() });
      await store.save(PRESET);
      const writes = backend.writes;
      const bad = JSON.parse(V1_TEXT);
      bad.pads[3].seed = 'abc';
      await expect(store.importText(JSON.stringify(bad), 'my-kit.json')).rejects.toThrow('my-kit.json: pads.3.seed: expected an integer 0–4294967295, got "abc"');
      await expect(store.importText(V1_TEXT.slice(0, 200), 'cut.json')).rejects.toThrow(/^cut\.json: the file is truncated/);
      await expect(store.importText(JSON.stringify({ ...PRESET, version: 9 }), 'new.json')).rejects.toThrow('new.json: version: 9 is newer than this app reads (up to 2); update the app to open it');
      await expect(store.save({ ...PRESET, pads: [] })).rejects.toThrow('"Default kit": pads: expected exactly 16 pads, got an array of 0');
      expect(backend.writes).toBe(writes);
      expect((await store.list()).presets).toHaveLength(1);
    });

    it('a stored record that no longer validates is listed as broken, not dropped or fatal', async () => {
      const backend = make();
      const store = new PresetStore(backend, { newId: ids() });
      await store.save(PRESET);
      await backend.put({ id: 'old', preset: { version: 1, name: 'x' }, savedAt: 0 });
      const { presets, broken } = await store.list();
      expect(presets).toHaveLength(1);
      expect(broken).toEqual([{ id: 'old', error: expect.stringMatching(/^preset old: pads: /) as unknown as string }]);
    });
  });
}

describe('IndexedDB specifics', () => {
  it('records survive closing and reopening the database', async () => {
    const factory = new IDBFactory();
    const b1 = new IndexedDbPresetBackend(factory, 'persist');
    const id = await new PresetStore(b1).save({ ...PRESET, name: 'Kept' });
    await b1.close();
    const b2 = new IndexedDbPresetBackend(factory, 'persist');
    expect((await new PresetStore(b2).load(id)).name).toBe('Kept');
    await b2.close();
  });
  it('says so when IndexedDB is missing', () => {
    expect(() => new IndexedDbPresetBackend(undefined as unknown as IDBFactory)).toThrow('presets: IndexedDB is not available in this browser; user presets cannot be saved');
  });
});

describe('names', () => {
  it('uniqueName counts up and respects the length limit', () => {
    expect(uniqueName('A', new Set())).toBe('A');
    expect(uniqueName('A', new Set(['A', 'A (2)']))).toBe('A (3)');
    const long = 'x'.repeat(80);
    const u = uniqueName(long, new Set([long]));
    expect(u.length).toBe(80);
    expect(u.endsWith(' (2)')).toBe(true);
    expect(presetFile({ ...PRESET, name: 'Dark 808-ish!' }).fileName).toBe('dark-808-ish.json');
  });
});
