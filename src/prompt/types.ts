/**
 * Types of the prompt module (docs/prompts.md). Pure data, no runtime code
 * apart from constants.
 */
import type { DescriptorName, DrumClass, GmFamily } from '../constants.js';
import type { ModelKind } from '../model/config.js';
import type { MidiNote, Velocity } from '../units.js';

/** What a prompt can aim at: the model's four descriptors, plus loudness (velocity on a tonal model). */
export type PromptTarget = DescriptorName | 'loudness';
export const PROMPT_TARGETS: readonly PromptTarget[] = ['brightness', 'decay', 'punch', 'noisiness', 'loudness'];

/**
 * Signed amounts in standard deviations away from the baseline, per target;
 * a missing key means "not mentioned" (= the baseline). E.g. "very bright" →
 * { brightness: 1.5 }, "slightly dark" → { brightness: -0.5 }.
 */
export type DescriptorTargets = Partial<Record<PromptTarget, number>>;

/**
 * Role of a chip:
 * - instrument: drum class or GM family (value: its name)
 * - kind: "drums" / "tonal" word (value: the kind)
 * - pitch: note, MIDI number, frequency or key (value: MIDI note, null when out of range)
 * - register: low / mid / high (value: signed amount, −1 low … +1 high)
 * - velocity: "velocity 90", dynamics marks (value: MIDI velocity)
 * - descriptor: a descriptor word with its modifiers, e.g. "not too bright" (value: DescriptorTargets)
 * - style: genre/style word (value: DescriptorTargets of its hints, null when it has no effect)
 * - modifier: an intensifier or negation that modifies nothing (value: its factor)
 * - stop: an ignored stop-word (value: null)
 * - unknown: a word the lexicon does not know (value: null)
 */
export type ChipRole =
  | 'instrument' | 'kind' | 'pitch' | 'register' | 'velocity' | 'descriptor' | 'style' | 'modifier' | 'stop' | 'unknown';

/** One token (word or phrase) of the prompt, for UI chips. */
export interface PromptChip {
  /** The text as typed (a slice of PromptParse.text). */
  text: string;
  /** [start, end) in PromptParse.text. */
  start: number;
  end: number;
  role: ChipRole;
  value: string | number | DescriptorTargets | null;
  /** True when the UI can offer to change the value (instrument, pitch, register, velocity, descriptor). */
  editable: boolean;
  /** Why the chip has no effect, when it has none (overridden, not for this kind, …). */
  ignored?: string;
}

/** The result of parsePrompt. */
export interface PromptParse {
  /** The prompt, trimmed, whitespace runs collapsed to one space; chip positions index into it. */
  text: string;
  /** Model kind the prompt asks for; undefined when it names no instrument or kind. */
  kind?: ModelKind;
  /** Drum class (kind 'drums'). */
  class?: DrumClass;
  /** GM family (kind 'tonal'). */
  family?: GmFamily;
  /** MIDI note (tonal only): explicit, or from the register for the family. */
  pitch?: MidiNote;
  /** Register amount (−1 low … +1 high) when the prompt gives one. */
  register?: number;
  /** MIDI velocity when the prompt gives one explicitly ("velocity 90", "ff"); tonal only. */
  velocity?: Velocity;
  descriptorTargets: DescriptorTargets;
  tokens: PromptChip[];
  /** Words not in the lexicon, as typed, in order. */
  unknown: string[];
  /** Human-readable warnings: conflicts, ignored words, out-of-range values, unknown words. */
  warnings: string[];
}

/** Why a prompt was rejected. */
export type PromptErrorCode = 'empty' | 'too-long' | 'unrecognized';

/** A rejected prompt: one-line message, plus a code for the UI. */
export class PromptError extends Error {
  readonly code: PromptErrorCode;
  constructor(code: PromptErrorCode, message: string) {
    super(message);
    this.name = 'PromptError';
    this.code = code;
  }
}
