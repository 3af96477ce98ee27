/**
 * The audio a pad's export and the loop renderer use: each pad's seed sound
 * (variation 0, exactly what its seed and settings make), asked of the
 * generation worker and kept by request, so exporting a pad, dragging it out
 * and rendering a loop generate each sound once.
 */
import { padSound, type Kit } from '../engine/kit.js';
import { requestFor, type PadSound } from '../engine/pool.js';
import type { SynthRequest } from '../engine/protocol.js';
import type { PadAudio } from './export.js';

/** What the cache needs from the generator client. */
export interface SoundSource {
  generateMany(requests: readonly SynthRequest[]): { id: number; done: Promise<{ audio: Float32Array; sampleRate: number }> }[];
}

/** Per pad: the descriptor targets the timbre knobs set (undefined = left to the model). */
export type PadDescriptors = (pad: number) => PadSound['descriptors'] | undefined;

/** The seed-sound request of a pad under the kit's globals and the timbre knobs' targets. */
export function seedRequest(kit: Kit, pad: number, defaults: { guidance: number; steps: number }, descriptors?: PadDescriptors): SynthRequest {
  const sound: PadSound = { ...padSound(kit, pad, defaults), variation: 0 };
  const d = descriptors?.(pad);
  if (d) sound.descriptors = d;
  return requestFor(sound, 0);
}

/** Seed sounds by request; a failed generation is forgotten so the next ask retries. */
export class SeedSoundCache {
  private readonly cache = new Map<string, Promise<PadAudio>>();
  /** Most sounds kept (one kit's worth several times over). */
  constructor(private readonly limit = 64) {}

  /** The seed sounds of `pads` (all pads by default), generated in one batch where missing. */
  async get(source: SoundSource, kit: Kit, defaults: { guidance: number; steps: number }, pads?: readonly number[], descriptors?: PadDescriptors): Promise<PadAudio[]> {
    const which = pads ?? kit.pads.map((_, i) => i);
    const reqs = which.map((i) => {
      if (!kit.pads[i]) throw new Error(`export: pad ${i} does not exist (0–${kit.pads.length - 1})`);
      return seedRequest(kit, i, defaults, descriptors);
    });
    const keys = reqs.map((r) => JSON.stringify(r));
    const missing = [...new Set(keys.filter((k) => !this.cache.has(k)))];
    if (missing.length > 0) {
      const handles = source.generateMany(missing.map((k) => JSON.parse(k) as SynthRequest));
      missing.forEach((k, j) => {
        const p = handles[j]!.done.then((r) => ({ data: r.audio, sampleRate: r.sampleRate }));
        p.catch(() => this.cache.delete(k));
        this.cache.set(k, p);
      });
      // Oldest first out.
      while (this.cache.size > this.limit) this.cache.delete(this.cache.keys().next().value!);
    }
    return Promise.all(keys.map((k) => this.cache.get(k)!));
  }
}
