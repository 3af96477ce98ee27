/**
 * MIDI learn, pure: click "learn" on a knob (arm it), move a controller, and
 * from then on that CC on that channel moves the knob. Mappings are the
 * preset v2 `midi` field ({cc, channel, knob}; src/presets/schema.ts): one
 * knob per (channel, CC), one (channel, CC) per knob. No Web MIDI here: the
 * page feeds CC events in and applies what comes out.
 */
import type { MidiMapping } from '../presets/schema.js';

/** A knob MIDI can move: its id (as stored in presets) and range. */
export interface LearnableKnob {
  id: string;
  min: number;
  max: number;
  step: number;
}

/** What a CC did: armed → a new mapping; mapped → a knob value. */
export type LearnResult =
  | { type: 'learned'; mapping: MidiMapping; replaced: MidiMapping[] }
  | { type: 'value'; knob: string; value: number }
  | null;

/** Knob ids look like the schema wants: "guidance", "brightness", "pad.3.gainDb". */
const KNOB_ID = /^[A-Za-z][\w.-]{0,63}$/;

/** CC value 0–127 → a knob value in [min, max], snapped to the knob's step. */
export function ccToValue(value: number, knob: Pick<LearnableKnob, 'min' | 'max' | 'step'>): number {
  const f = Math.min(127, Math.max(0, value)) / 127;
  const v = knob.min + f * (knob.max - knob.min);
  const snapped = knob.step > 0 ? Math.round((v - knob.min) / knob.step) * knob.step + knob.min : v;
  return Number(Math.min(knob.max, Math.max(knob.min, snapped)).toFixed(10));
}

export class MidiLearn {
  private maps: MidiMapping[] = [];
  private armedKnob: string | null = null;

  /** The knob waiting for a controller, or null. */
  get armed(): string | null {
    return this.armedKnob;
  }

  get mappings(): readonly MidiMapping[] {
    return this.maps;
  }

  /** Wait for the next CC to map to `knob` (a second arm of the same knob cancels). */
  arm(knob: string): void {
    if (!KNOB_ID.test(knob)) throw new Error(`MIDI learn: knob id "${knob}" is not valid (letters, digits, . _ -; e.g. "pad.3.gainDb")`);
    this.armedKnob = this.armedKnob === knob ? null : knob;
  }

  cancel(): void {
    this.armedKnob = null;
  }

  /** The mapping that moves `knob`, if any. */
  mappingFor(knob: string): MidiMapping | undefined {
    return this.maps.find((m) => m.knob === knob);
  }

  /** Remove the mapping of `knob`. */
  forget(knob: string): void {
    this.maps = this.maps.filter((m) => m.knob !== knob);
  }

  /** Replace every mapping (from a loaded preset); later duplicates of a (channel, CC) or a knob are dropped. */
  load(mappings: readonly MidiMapping[]): void {
    this.maps = [];
    this.armedKnob = null;
    for (const m of mappings) {
      if (this.maps.some((x) => (x.channel === m.channel && x.cc === m.cc) || x.knob === m.knob)) continue;
      this.maps.push({ cc: m.cc, channel: m.channel, knob: m.knob });
    }
  }

  /**
   * A control change arrived. Armed: it becomes the armed knob's controller
   * (replacing that knob's old mapping and whatever knob this CC moved).
   * Otherwise a mapped CC gives its knob's new value; `knobs` looks a knob's
   * range up by id (unknown ids, e.g. a pad the kit lacks, are ignored).
   */
  handle(channel: number, cc: number, value: number, knobs: (id: string) => LearnableKnob | undefined): LearnResult {
    if (!Number.isInteger(channel) || channel < 1 || channel > 16 || !Number.isInteger(cc) || cc < 0 || cc > 127) return null;
    if (this.armedKnob !== null) {
      const knob = this.armedKnob;
      this.armedKnob = null;
      const replaced = this.maps.filter((m) => m.knob === knob || (m.channel === channel && m.cc === cc));
      this.maps = this.maps.filter((m) => !replaced.includes(m));
      const mapping = { cc, channel, knob };
      this.maps.push(mapping);
      return { type: 'learned', mapping, replaced };
    }
    const m = this.maps.find((x) => x.channel === channel && x.cc === cc);
    if (!m) return null;
    const k = knobs(m.knob);
    if (!k) return null;
    return { type: 'value', knob: m.knob, value: ccToValue(value, k) };
  }
}
