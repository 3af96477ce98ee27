import { DRUM_CLASSES, type DrumClass, GM_FAMILIES, type GmFamily } from '../constants.js';
import type { MidiNote } from '../units.js';

/**
 * Labels for Hydrogen's free-text instrument names. Rules run in order, so
 * the specific ones come first ("Djembe Bass" is percussion, not a kick;
 * "Snare Rimshot" is a snare, "Rim Click" a rim; "cowbell" is not a ride bell).
 */
const RULES: Array<[RegExp, DrumClass]> = [
  [/djembe|dunun|sangban|kenkeni|conga|bongo|cajon|cowbell|tambourine|agogo|clave|wood ?block|maraca|shaker|waterglass|whistle|timbale|triangle|guiro|cabasa|vibraslap|zap|\bfx\b|(?<!rim )click|(?<!bass )\bdrum \d/, 'perc'],
  [/clap|snap/, 'clap'],
  [/snare/, 'snare'],
  [/stick|rim ?click|\brim\b/, 'rim'],
  [/(hat|hh|hi-?hat|hihat).*(open|\bop\b|opened|semi|swish|free)|(open|semi).*(hat|hh)|\bohh\b/, 'open-hat'],
  [/hat|\bhh\b|\bchh\b|hihat|hi-hat/, 'closed-hat'],
  [/\btom|floor/, 'tom'],
  [/crash|splash|china|cymbal/, 'crash'],
  [/ride|bell/, 'ride'],
  [/kick|bass ?drum|\bbd\b/, 'kick'],
];

/**
 * Per-kit overrides where the name misleads the rules: `kit/instrument` →
 * class, or null to skip an instrument on purpose.
 */
export const LABEL_OVERRIDES: Record<string, DrumClass | null> = {
  'ColomboAcousticDrumkit/ride-crash20inch': 'ride',
  'ColomboAcousticDrumkit/redo super opaco': 'snare',
  'ForzeeStereo/Crash/Ride Bow (Paiste Rude Crash/Ride 18")': 'ride',
  'ForzeeStereo/Crash/Ride Bell (Paiste Rude Crash/Ride 18")': 'ride',
  'HardElectro1/Side HH': 'closed-hat',
  'HardElectro1/Side OHH': 'open-hat',
  'The Black Pearl 1.0/Sabian Hat Choke': 'closed-hat',
  'The Black Pearl 1.0/Zildjian Splash Choke': 'crash',
  'rumpf_kit_z01_h2/e4 - cymbal 2': 'crash',
};

/** Label a Hydrogen instrument, or null when no rule matches (reported as unlabelable). */
export function labelDrum(kit: string, instrument: string): DrumClass | null {
  const key = `${kit}/${instrument}`;
  if (key in LABEL_OVERRIDES) return LABEL_OVERRIDES[key] ?? null;
  const n = instrument.toLowerCase();
  for (const [re, cls] of RULES) if (re.test(n)) return cls;
  return null;
}

/** General MIDI percussion key map (channel 10) → class; undefined outside 35–81. */
export function gmDrumClass(note: MidiNote): DrumClass | undefined {
  if (note === 35 || note === 36) return 'kick';
  if (note === 37) return 'rim';
  if (note === 38 || note === 40) return 'snare';
  if (note === 39) return 'clap';
  if ([41, 43, 45, 47, 48, 50].includes(note)) return 'tom';
  if (note === 42 || note === 44) return 'closed-hat';
  if (note === 46) return 'open-hat';
  if ([49, 52, 55, 57].includes(note)) return 'crash';
  if ([51, 53, 59].includes(note)) return 'ride';
  if (note >= 54 && note <= 81) return 'perc';
  return undefined;
}

/** GM family of a program 0–127 (8 programs per family). */
export function gmFamily(program: number): GmFamily {
  const f = GM_FAMILIES[Math.floor(program / 8)];
  if (!f) throw new Error(`gmFamily: program ${program} out of range 0–127`);
  return f;
}

/**
 * Playable range per family (MIDI notes) for rendering the tonal dataset:
 * where real instruments of the family sound, so a bass is not rendered at C7.
 */
export const FAMILY_RANGE: Record<GmFamily, [MidiNote, MidiNote]> = {
  piano: [28, 100],
  'chromatic-percussion': [48, 96],
  organ: [36, 96],
  guitar: [40, 84],
  bass: [28, 64],
  strings: [36, 96],
  ensemble: [36, 88],
  brass: [36, 84],
  reed: [40, 88],
  pipe: [55, 96],
  'synth-lead': [36, 96],
  'synth-pad': [36, 88],
  'synth-effects': [36, 88],
  ethnic: [45, 88],
  percussive: [36, 84],
  'sound-effects': [36, 84],
};

export const DRUM_CLASS_INDEX: Record<DrumClass, number> = Object.fromEntries(
  DRUM_CLASSES.map((c, i) => [c, i]),
) as Record<DrumClass, number>;
