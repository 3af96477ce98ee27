/**
 * User presets: save, rename, delete, list, import a .json file, export one.
 * The store's logic is independent of where records live: a small async
 * key-value backend, in memory for Node tests and IndexedDB in the page.
 *
 * Rules: every preset is validated (and migrated) before it is written, so a
 * bad import or a bad save writes nothing; records read back are validated
 * again, so a record an older app wrote migrates on load; a name already
 * taken gets " (2)", " (3)" … on import, so an import never overwrites.
 */
import { parsePresetText, presetToText } from './migrate.js';
import { parsePresetV2, PresetError, PRESET_LIMITS, type Preset } from './schema.js';

/** A record as the backend holds it. `preset` is plain JSON (validated again on load). */
export interface PresetRecord {
  id: string;
  preset: unknown;
  /** When it was last written (ms since the epoch). */
  savedAt: number;
}

/** Where records live. */
export interface PresetBackend {
  getAll(): Promise<PresetRecord[]>;
  get(id: string): Promise<PresetRecord | undefined>;
  put(record: PresetRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

/** What the preset list shows. */
export interface PresetSummary {
  id: string;
  name: string;
  description: string;
  category: Preset['category'];
  savedAt: number;
}

/** In-memory backend (tests, and the page's fallback when IndexedDB is unavailable). */
export class MemoryPresetBackend implements PresetBackend {
  private readonly records = new Map<string, PresetRecord>();
  /** Writes so far (tests assert that a refused import wrote nothing). */
  writes = 0;

  async getAll(): Promise<PresetRecord[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }
  async get(id: string): Promise<PresetRecord | undefined> {
    const r = this.records.get(id);
    return r && structuredClone(r);
  }
  async put(record: PresetRecord): Promise<void> {
    this.writes++;
    this.records.set(record.id, structuredClone(record));
  }
  async delete(id: string): Promise<void> {
    this.writes++;
    this.records.delete(id);
  }
}

/** Database, store and version the IndexedDB backend uses. */
export const IDB_NAME = 'diffusion-drums';
export const IDB_STORE = 'presets';
const IDB_VERSION = 1;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/** IndexedDB backend: one object store keyed by id. */
export class IndexedDbPresetBackend implements PresetBackend {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    private readonly factory: IDBFactory = globalThis.indexedDB,
    private readonly name: string = IDB_NAME,
  ) {
    if (!factory) throw new Error('presets: IndexedDB is not available in this browser; user presets cannot be saved');
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = this.factory.open(this.name, IDB_VERSION);
      r.onupgradeneeded = () => {
        if (!r.result.objectStoreNames.contains(IDB_STORE)) r.result.createObjectStore(IDB_STORE, { keyPath: 'id' });
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new Error(`presets: cannot open the IndexedDB database "${this.name}" (${r.error?.message ?? 'unknown error'})`));
      r.onblocked = () => reject(new Error(`presets: the IndexedDB database "${this.name}" is blocked by another tab; close it and retry`));
    });
    return this.db;
  }

  private async run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    const tx = db.transaction(IDB_STORE, mode);
    const result = request(fn(tx.objectStore(IDB_STORE)));
    // Resolve only once the transaction commits, so a write is durable when the promise settles.
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  }

  getAll(): Promise<PresetRecord[]> {
    return this.run('readonly', (s) => s.getAll() as IDBRequest<PresetRecord[]>);
  }
  get(id: string): Promise<PresetRecord | undefined> {
    return this.run('readonly', (s) => s.get(id) as IDBRequest<PresetRecord | undefined>);
  }
  async put(record: PresetRecord): Promise<void> {
    await this.run('readwrite', (s) => s.put(record));
  }
  async delete(id: string): Promise<void> {
    await this.run('readwrite', (s) => s.delete(id));
  }

  /** Close the connection (tests; a page just lets it go). */
  async close(): Promise<void> {
    if (this.db) (await this.db).close();
    this.db = null;
  }
}

/** "Name", "Name (2)", … : the first not in `taken`, within the name length limit. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${name.slice(0, PRESET_LIMITS.name - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export class PresetStore {
  private readonly newId: () => string;
  private readonly now: () => number;

  constructor(
    private readonly backend: PresetBackend,
    opts: { newId?: () => string; now?: () => number } = {},
  ) {
    this.newId = opts.newId ?? (() => globalThis.crypto.randomUUID());
    this.now = opts.now ?? (() => Date.now());
  }

  /** Every stored preset that still validates, by name; ones that do not are reported, not dropped. */
  async list(): Promise<{ presets: PresetSummary[]; broken: { id: string; error: string }[] }> {
    const presets: PresetSummary[] = [];
    const broken: { id: string; error: string }[] = [];
    for (const r of await this.backend.getAll()) {
      try {
        const p = parsePresetText(JSON.stringify(r.preset), `preset ${r.id}`);
        presets.push({ id: r.id, name: p.name, description: p.description, category: p.category, savedAt: r.savedAt });
      } catch (e) {
        broken.push({ id: r.id, error: (e as Error).message });
      }
    }
    presets.sort((a, b) => a.name.localeCompare(b.name) || a.savedAt - b.savedAt);
    return { presets, broken };
  }

  /** A stored preset, validated and migrated. */
  async load(id: string): Promise<Preset> {
    const r = await this.backend.get(id);
    if (!r) throw new PresetError(`presets: no preset with id "${id}"`);
    return parsePresetText(JSON.stringify(r.preset), (r.preset as { name?: unknown })?.name ? `"${String((r.preset as { name: unknown }).name)}"` : `preset ${id}`);
  }

  /** Save a preset (new when `id` is absent, else overwrite). Validates first; returns the id. */
  async save(preset: Preset, id?: string): Promise<string> {
    const valid = parsePresetV2(preset, preset.name ? `"${preset.name}"` : 'preset');
    const key = id ?? this.newId();
    await this.backend.put({ id: key, preset: valid, savedAt: this.now() });
    return key;
  }

  /** Rename a stored preset; the new name is validated like any preset field. */
  async rename(id: string, name: string): Promise<Preset> {
    const p = await this.load(id);
    const renamed = parsePresetV2({ ...p, name }, `rename "${p.name}"`);
    await this.backend.put({ id, preset: renamed, savedAt: this.now() });
    return renamed;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.backend.get(id))) throw new PresetError(`presets: no preset with id "${id}"`);
    await this.backend.delete(id);
  }

  /**
   * Import a .json file's text. Parsed, migrated and validated before anything
   * is written: a bad file throws one line naming the file and field, and the
   * store is untouched. A taken name gets a " (2)" suffix.
   */
  async importText(text: string, fileName: string): Promise<{ id: string; preset: Preset }> {
    const parsed = parsePresetText(text, fileName);
    const { presets } = await this.list();
    const preset = { ...parsed, name: uniqueName(parsed.name, new Set(presets.map((p) => p.name))) };
    const id = await this.save(preset);
    return { id, preset };
  }

  /** A stored preset as a file: name and JSON text. */
  async exportFile(id: string): Promise<{ fileName: string; text: string }> {
    const p = await this.load(id);
    return presetFile(p);
  }
}

/** A preset as a downloadable .json file. */
export function presetFile(preset: Preset): { fileName: string; text: string } {
  const base = preset.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return { fileName: `${base || 'preset'}.json`, text: presetToText(preset) };
}
