/**
 * MIDI routing between the pads and the keyboard, and MIDI events → keyboard
 * calls. Pure, so Node tests cover it; main.ts only wires it to webmidi.
 *
 * The pads listen on one channel (GM drums: 10) or all; every channel the
 * pads do not take goes to the keyboard, unless the keyboard is given a
 * channel of its own or switched off.
 */
import type { MidiEvent } from '../midi/parser.js';
import type { MidiNote, Seconds, Velocity } from '../units.js';

/** Pads: a channel 1–16, every channel, or none. */
export type PadChannel = number | 'omni' | 'off';
/** Keyboard: a channel 1–16, every channel the pads leave, or none. */
export type KeyChannel = number | 'others' | 'off';

/** Sustain pedal controller (CC64; ≥ 64 = down). */
export const CC_SUSTAIN = 64;
/** All Sound Off (CC120) and All Notes Off (CC123): both release every note of the channel. */
export const CC_ALL_SOUND_OFF = 120;
export const CC_ALL_NOTES_OFF = 123;

function parseChannelValue(value: string, words: readonly string[]): number | string | null {
  if (words.includes(value)) return value;
  const n = Number(value);
  return /^\d+$/.test(value) && n >= 1 && n <= 16 ? n : null;
}

/** A ?channel= value for the pads (null = absent → fallback); throws one line naming the parameter. */
export function parsePadChannel(value: string | null, param = 'channel', fallback: PadChannel = 10): PadChannel {
  if (value === null || value === '') return fallback;
  const v = parseChannelValue(value, ['omni', 'off']);
  if (v === null) throw new Error(`?${param}=${value}: expected a MIDI channel 1–16, omni or off`);
  return v as PadChannel;
}

/** A ?keychannel= value for the keyboard; throws one line naming the parameter. */
export function parseKeyChannel(value: string | null, param = 'keychannel', fallback: KeyChannel = 'others'): KeyChannel {
  if (value === null || value === '') return fallback;
  const v = parseChannelValue(value, ['others', 'off']);
  if (v === null) throw new Error(`?${param}=${value}: expected a MIDI channel 1–16, others or off`);
  return v as KeyChannel;
}

/** Who plays an event on `channel`: the pads first, then the keyboard, else nobody. */
export function routeChannel(channel: number, pads: PadChannel, keys: KeyChannel): 'pads' | 'keys' | null {
  if (pads === 'omni' || pads === channel) return 'pads';
  if (keys === 'others' || keys === channel) return 'keys';
  return null;
}

/** The keyboard calls MIDI maps to (KeyboardEngine has them). */
export interface KeyboardTarget {
  noteOn(channel: number, note: MidiNote, velocity: Velocity, time?: Seconds): boolean;
  noteOff(channel: number, note: MidiNote, time?: Seconds): void;
  sustain(channel: number, down: boolean, time?: Seconds): void;
  pitchBend(channel: number, value: number, time?: Seconds): void;
  allNotesOff(channel: number, time?: Seconds): void;
}

/**
 * Apply one MIDI event to the keyboard. Note-on with velocity 0 is already a
 * note-off from the parser. Returns whether the event meant anything to it.
 */
export function applyToKeyboard(ev: MidiEvent, kb: KeyboardTarget): boolean {
  switch (ev.type) {
    case 'noteon':
      if (ev.velocity > 0) kb.noteOn(ev.channel, ev.note, ev.velocity);
      else kb.noteOff(ev.channel, ev.note);
      return true;
    case 'noteoff':
      kb.noteOff(ev.channel, ev.note);
      return true;
    case 'cc':
      if (ev.controller === CC_SUSTAIN) {
        kb.sustain(ev.channel, ev.value >= 64);
        return true;
      }
      if (ev.controller === CC_ALL_NOTES_OFF || ev.controller === CC_ALL_SOUND_OFF) {
        kb.allNotesOff(ev.channel);
        return true;
      }
      return false;
    case 'pitchbend':
      kb.pitchBend(ev.channel, ev.value);
      return true;
    default:
      return false;
  }
}
