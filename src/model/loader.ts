/**
 * Load a model folder (docs/model-spec.md §5): config.json, model.json and its
 * .bin shards, through a small reader so the same code serves Node (fs) and
 * the browser (fetch).
 *
 * Everything is checked before a tensor is made: the config's fields, the
 * manifest's format, every weight's name, shape and dtype against the
 * architecture, each shard's presence and each group's byte length, and that
 * no stored value is NaN or ±Inf. Each failure is one line naming the file.
 */
import * as tf from '@tensorflow/tfjs';
import { validateModelConfig, type ModelConfig } from './config.js';
import { countParams, expectedWeights, UNet1D } from './unet.js';

/** Where model files come from. Paths are relative to the model folder. */
export interface ModelReader {
  /** How to name `file` in an error message (a path or URL). */
  describe(file: string): string;
  readText(file: string): Promise<string>;
  readBinary(file: string): Promise<ArrayBuffer>;
}

export const MODEL_FORMAT = 'oneshot-diffusion-unet1d';
export const MODEL_FORMAT_VERSION = 1;

/** Dtypes a stored weight may have: plain float32 or tfjs float16 quantization. */
type StoredDtype = 'float32' | 'float16';

/** One validated manifest entry. */
export interface WeightEntry {
  name: string;
  shape: number[];
  stored: StoredDtype;
  /** The tfjs manifest entry, for tf.io.decodeWeights. */
  spec: tf.io.WeightsManifestEntry;
}

/** One validated manifest group: its shards concatenate into its weights, in order. */
export interface WeightGroup {
  paths: string[];
  weights: WeightEntry[];
}

export interface LoadedModel {
  config: ModelConfig;
  net: UNet1D;
  /** Bytes of weight data read. */
  bytes: number;
}

/** Read and validate config.json only (no weights, no tensors). */
export async function loadConfig(reader: ModelReader): Promise<ModelConfig> {
  const file = reader.describe('config.json');
  return validateModelConfig(await readJson(reader, 'config.json'), file);
}

/**
 * Load config, manifest and weights, and build the network on the current
 * tfjs backend. Throws a one-line error on any inconsistency; creates no
 * tensors unless everything checks out.
 */
export async function loadModel(reader: ModelReader): Promise<LoadedModel> {
  const config = await loadConfig(reader);
  const manifestFile = reader.describe('model.json');
  const groups = validateManifest(await readJson(reader, 'model.json'), manifestFile, expectedWeights(config.architecture));
  const buffers: ArrayBuffer[] = [];
  let bytes = 0;
  for (const group of groups) {
    const data = await readGroup(reader, group, manifestFile);
    checkFinite(data, group, manifestFile);
    buffers.push(data);
    bytes += data.byteLength;
  }
  // Only now create tensors, so a bad shard leaves nothing allocated.
  const tensors = new Map<string, tf.Tensor>();
  try {
    groups.forEach((group, i) => {
      const decoded = tf.io.decodeWeights(buffers[i]!, group.weights.map((w) => w.spec));
      for (const [name, t] of Object.entries(decoded)) tensors.set(name, t);
    });
    return { config, net: new UNet1D(config.architecture, tensors), bytes };
  } catch (e) {
    for (const t of tensors.values()) t.dispose();
    throw e;
  }
}

async function readJson(reader: ModelReader, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await reader.readText(file);
  } catch (e) {
    throw new Error(`${reader.describe(file)}: cannot be read (${oneLine(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${reader.describe(file)}: not valid JSON (${oneLine(e)})`);
  }
}

/**
 * Validate model.json against the architecture's expected weights. Pure.
 * @param expected name → shape, from expectedWeights(config.architecture)
 */
export function validateManifest(raw: unknown, file: string, expected: Map<string, number[]>): WeightGroup[] {
  const fail = (field: string, msg: string): never => {
    throw new Error(`${file}: ${field}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('(root)', 'expected an object');
  const root = raw as Record<string, unknown>;
  if (root['format'] !== MODEL_FORMAT) fail('format', `expected "${MODEL_FORMAT}", got ${JSON.stringify(root['format'])}`);
  if (root['version'] !== MODEL_FORMAT_VERSION) fail('version', `expected ${MODEL_FORMAT_VERSION}, got ${JSON.stringify(root['version'])}`);
  const manifest = root['weightsManifest'];
  if (!Array.isArray(manifest) || manifest.length === 0) fail('weightsManifest', 'expected a non-empty array of groups');
  const seen = new Set<string>();
  const groups = (manifest as unknown[]).map((g, gi): WeightGroup => {
    const f = `weightsManifest[${gi}]`;
    if (typeof g !== 'object' || g === null) fail(f, 'expected an object');
    const group = g as Record<string, unknown>;
    const paths = group['paths'];
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && isSafeRelativePath(p))) {
      fail(`${f}.paths`, `expected shard file names relative to the model folder, got ${JSON.stringify(paths)}`);
    }
    const ws = group['weights'];
    if (!Array.isArray(ws) || ws.length === 0) fail(`${f}.weights`, 'expected a non-empty array');
    const weights = (ws as unknown[]).map((w, wi): WeightEntry => {
      const wf = `${f}.weights[${wi}]`;
      if (typeof w !== 'object' || w === null) fail(wf, 'expected an object');
      const e = w as Record<string, unknown>;
      const name = e['name'];
      if (typeof name !== 'string' || name === '') fail(`${wf}.name`, `expected a weight name, got ${JSON.stringify(name)}`);
      const n = name as string;
      if (seen.has(n)) fail(`${wf}.name`, `duplicate weight "${n}"`);
      seen.add(n);
      const want = expected.get(n);
      if (!want) fail(`weight "${n}"`, 'is not part of the architecture in config.json (wrong model or config?)');
      const shape = e['shape'];
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        fail(`weight "${n}".shape`, `expected a list of sizes, got ${JSON.stringify(shape)}`);
      }
      if (!sameShape(shape as number[], want!)) {
        fail(`weight "${n}"`, `has shape [${(shape as number[]).join(', ')}], the architecture in config.json needs [${want!.join(', ')}]`);
      }
      if (e['dtype'] !== 'float32') fail(`weight "${n}".dtype`, `expected "float32", got ${JSON.stringify(e['dtype'])}`);
      let stored: StoredDtype = 'float32';
      const q = e['quantization'];
      if (q !== undefined) {
        const qd = typeof q === 'object' && q !== null ? (q as Record<string, unknown>)['dtype'] : undefined;
        if (qd !== 'float16') fail(`weight "${n}".quantization`, `only {"dtype": "float16"} is supported, got ${JSON.stringify(q)}`);
        stored = 'float16';
      }
      const spec: tf.io.WeightsManifestEntry = { name: n, shape: shape as number[], dtype: 'float32' };
      if (stored === 'float16') spec.quantization = { dtype: 'float16' };
      return { name: n, shape: shape as number[], stored, spec };
    });
    return { paths: paths as string[], weights };
  });
  const missing = [...expected.keys()].filter((n) => !seen.has(n));
  if (missing.length > 0) {
    fail('weightsManifest', `missing ${missing.length} weight(s) the architecture needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
  return groups;
}

/** Bytes a group's weights occupy. */
export function groupByteLength(group: WeightGroup): number {
  return group.weights.reduce((n, w) => n + size(w.shape) * (w.stored === 'float16' ? 2 : 4), 0);
}

/** Read and concatenate a group's shards; the total must match the manifest exactly. */
async function readGroup(reader: ModelReader, group: WeightGroup, manifestFile: string): Promise<ArrayBuffer> {
  const parts: ArrayBuffer[] = [];
  for (const p of group.paths) {
    try {
      parts.push(await reader.readBinary(p));
    } catch (e) {
      throw new Error(`${reader.describe(p)}: weight shard listed in ${manifestFile} cannot be read (${oneLine(e)})`);
    }
  }
  const total = parts.reduce((n, b) => n + b.byteLength, 0);
  const want = groupByteLength(group);
  if (total !== want) {
    const which = group.paths.map((p) => reader.describe(p)).join(' + ');
    throw new Error(
      `${which}: ${total} bytes but ${manifestFile} describes ${want} bytes (${total < want ? 'truncated' : 'corrupt or mismatched'} shard)`,
    );
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** Reject NaN/±Inf in stored weights (a corrupt shard or a diverged export). */
function checkFinite(data: ArrayBuffer, group: WeightGroup, manifestFile: string): void {
  let at = 0;
  for (const w of group.weights) {
    const n = size(w.shape);
    if (w.stored === 'float32') {
      const a = new Float32Array(data, at, n);
      for (let i = 0; i < n; i++) if (!Number.isFinite(a[i]!)) fail(w.name, i);
      at += 4 * n;
    } else {
      const a = new Uint16Array(data, at, n);
      // float16 exponent all ones = Inf or NaN.
      for (let i = 0; i < n; i++) if ((a[i]! & 0x7c00) === 0x7c00) fail(w.name, i);
      at += 2 * n;
    }
  }
  function fail(name: string, i: number): never {
    throw new Error(`${group.paths.join(' + ')}: weight "${name}" holds a non-finite value at index ${i} (corrupt shard? listed in ${manifestFile})`);
  }
}

/** Parameter count of a config's architecture (for reports). */
export function paramCount(config: ModelConfig): number {
  return countParams(config.architecture);
}

/** Reader over a base URL with fetch (browser, worker). */
export function fetchReader(baseUrl: string, fetchFn: typeof fetch = fetch): ModelReader {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const get = async (file: string): Promise<Response> => {
    const res = await fetchFn(base + file);
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    return res;
  };
  return {
    describe: (file) => base + file,
    readText: async (file) => (await get(file)).text(),
    readBinary: async (file) => (await get(file)).arrayBuffer(),
  };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A shard path must stay inside the model folder (no absolute paths, no '..'). */
function isSafeRelativePath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !/^[a-zA-Z]+:/.test(p) && !p.split(/[\\/]/).includes('..');
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
