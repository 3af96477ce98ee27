/**
 * The waveforms `npm run dataset` kept next to its feature shards:
 *   data/audio/<shard>.npy  int16 [N, samples] (scale 1/32768), the un-augmented rows in shard order
 * Read by the eval (real-note pitch) and by dataset:pitch (measured pitch labels).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kind, ManifestItem } from '../src/dataset/builder.js';
import { decodeNpy } from '../src/dataset/npy.js';
import type { RepresentationConfig } from '../src/dsp/config.js';

/** data/manifest.json (src/dataset/builder.ts writes it): its items and the representation each kind was analysed with. */
export interface Manifest { items: ManifestItem[]; representations: Partial<Record<Kind, RepresentationConfig>> }

export function readManifest(dataDir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dataDir, 'manifest.json'), 'utf8')) as Manifest;
}

/** Shard row → row of data/audio/<shard>.npy (the un-augmented rows, in shard order). */
export function audioRows(manifest: readonly ManifestItem[], shard: string): Map<number, number> {
  const rows = manifest.filter((m) => m.shard === shard && m.augmentation === null).map((m) => m.row).sort((a, b) => a - b);
  return new Map(rows.map((r, i) => [r, i]));
}

/** Shard row → its waveform (float, −1..1), or null for a row with no audio (an augmented copy). */
export function shardWaves(dataDir: string, manifest: readonly ManifestItem[], shard: string): (r: number) => Float32Array | null {
  const file = path.join(dataDir, 'audio', `${shard}.npy`);
  const audio = decodeNpy(new Uint8Array(readFileSync(file)), file);
  const map = audioRows(manifest, shard);
  const L = audio.shape[1]!;
  return (r) => {
    const ar = map.get(r);
    if (ar === undefined) return null;
    const x = new Float32Array(L);
    for (let i = 0; i < L; i++) x[i] = audio.data[ar * L + i]! / 32768;
    return x;
  };
}
