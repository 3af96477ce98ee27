/**
 * General MIDI percussion (channel 10) → the drums model's classes, and the
 * default 4 × 4 pad layout (notes 36–51, bottom-left first, as pad
 * controllers send by default).
 */
import type { DrumClass } from '../constants.js';
import type { MidiNote } from '../units.js';

/** The GM drum channel (1–16 numbering). */
export const GM_DRUM_CHANNEL = 10;

const CLASS_BY_NOTE: Readonly<Record<number, DrumClass>> = {
  35: 'kick', // Acoustic Bass Drum
  36: 'kick', // Bass Drum 1
  37: 'rim', // Side Stick
  38: 'snare', // Acoustic Snare
  39: 'clap', // Hand Clap
  40: 'snare', // Electric Snare
  41: 'tom', // Low Floor Tom
  42: 'closed-hat', // Closed Hi-Hat
  43: 'tom', // High Floor Tom
  44: 'closed-hat', // Pedal Hi-Hat
  45: 'tom', // Low Tom
  46: 'open-hat', // Open Hi-Hat
  47: 'tom', // Low-Mid Tom
  48: 'tom', // Hi-Mid Tom
  49: 'crash', // Crash Cymbal 1
  50: 'tom', // High Tom
  51: 'ride', // Ride Cymbal 1
  52: 'crash', // Chinese Cymbal
  53: 'ride', // Ride Bell
  55: 'crash', // Splash Cymbal
  57: 'crash', // Crash Cymbal 2
  59: 'ride', // Ride Cymbal 2
};

/** GM percussion names, for labels. */
export const GM_DRUM_NAMES: Readonly<Record<number, string>> = {
  35: 'Acoustic Bass Drum', 36: 'Bass Drum 1', 37: 'Side Stick', 38: 'Acoustic Snare', 39: 'Hand Clap',
  40: 'Electric Snare', 41: 'Low Floor Tom', 42: 'Closed Hi-Hat', 43: 'High Floor Tom', 44: 'Pedal Hi-Hat',
  45: 'Low Tom', 46: 'Open Hi-Hat', 47: 'Low-Mid Tom', 48: 'Hi-Mid Tom', 49: 'Crash Cymbal 1', 50: 'High Tom',
  51: 'Ride Cymbal 1', 52: 'Chinese Cymbal', 53: 'Ride Bell', 54: 'Tambourine', 55: 'Splash Cymbal', 56: 'Cowbell',
  57: 'Crash Cymbal 2', 58: 'Vibraslap', 59: 'Ride Cymbal 2', 60: 'Hi Bongo', 61: 'Low Bongo', 62: 'Mute Hi Conga',
  63: 'Open Hi Conga', 64: 'Low Conga', 65: 'High Timbale', 66: 'Low Timbale', 67: 'High Agogo', 68: 'Low Agogo',
  69: 'Cabasa', 70: 'Maracas', 71: 'Short Whistle', 72: 'Long Whistle', 73: 'Short Guiro', 74: 'Long Guiro',
  75: 'Claves', 76: 'Hi Wood Block', 77: 'Low Wood Block', 78: 'Mute Cuica', 79: 'Open Cuica', 80: 'Mute Triangle',
  81: 'Open Triangle',
};

/** The drum class a GM percussion note plays; everything not listed is 'perc'. */
export function gmDrumClass(note: MidiNote): DrumClass {
  return CLASS_BY_NOTE[note] ?? 'perc';
}

/** Pedal hi-hat: a closed hat that also chokes the open hat. */
export const GM_PEDAL_HAT = 44;

/** Default notes of the 16 pads, pad 0 = bottom-left. */
export const DEFAULT_PAD_NOTES: readonly MidiNote[] = Array.from({ length: 16 }, (_, i) => 36 + i);

/**
 * The pad a note plays: the pad assigned that note, else the first pad of the
 * note's GM class (so 35 plays the kick pad, 57 the crash pad), else −1.
 */
export function padForNote(note: MidiNote, pads: readonly { note: MidiNote; class: string }[]): number {
  const exact = pads.findIndex((p) => p.note === note);
  if (exact >= 0) return exact;
  const cls = gmDrumClass(note);
  return pads.findIndex((p) => p.class === cls);
}

/** Whether an event's channel is accepted: 'omni' takes all channels. */
export function acceptsChannel(filter: number | 'omni', channel: number): boolean {
  return filter === 'omni' || filter === channel;
}
