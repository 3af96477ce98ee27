/**
 * The prompt lexicon (docs/prompts.md §1): every word and phrase the prompt
 * parser understands, as plain data. Keys are lower-case; multi-word phrases
 * are space-separated ("long tail", "open hi hat"). Hyphenated input is split
 * before lookup, so "hi-hat", "lo-fi" and "long-tail" reach the phrases
 * "hi hat", "lo fi" and "long tail".
 *
 * Amounts are in standard deviations of the descriptor (σ). The first effect
 * of a descriptor word is its primary effect, the rest are secondary hints
 * (they never override a word aimed at that descriptor; see parse.ts).
 */
import type { DrumClass, GmFamily } from '../constants.js';
import type { ModelKind } from '../model/config.js';
import type { Velocity } from '../units.js';
import type { PromptTarget } from './types.js';

/** One effect: [target, amount in σ]. */
export type Effect = readonly [PromptTarget, number];

/** A lexicon entry. Exactly one `type`; the optional fields refine it. */
export type LexEntry =
  | { type: 'drum'; class: DrumClass; weak?: boolean; hints?: readonly Effect[] }
  | { type: 'tonal'; family: GmFamily; weak?: boolean; hints?: readonly Effect[]; register?: number }
  | { type: 'kind'; kind: ModelKind }
  /** Descriptor word: effects[0] is primary, the rest secondary. `register` also moves the register. */
  | { type: 'descriptor'; effects: readonly Effect[]; register?: number }
  /** Register word: signed amount, −1 = low, +1 = high (pitch for tonal, brightness hint for drums). */
  | { type: 'register'; register: number }
  | { type: 'intensifier'; factor: number; inNegation?: number }
  | { type: 'negation'; factor: number }
  /** Post-modifier of the word before it ("dark-ish", "noise-free"). */
  | { type: 'postfix'; factor: number }
  | { type: 'dynamic'; velocity: Velocity }
  /** Genre/style word: recognized; `hints` are secondary effects, none = no effect (warned). */
  | { type: 'style'; hints?: readonly Effect[] }
  | { type: 'stop' };

/** Words ignored on purpose (listed so nothing is dropped silently). */
export const STOP_WORDS: readonly string[] = [
  'a', 'an', 'the', 'with', 'and', 'but', 'plus', 'also', 'or', '&', '+', 'of', 'in', 'on', 'at', 'for', 'to', 'from',
  'into', 'that', 'this', 'is', 'it', 'its', "it's", 'has', 'have', 'having', 'as', 'by', 'my', 'me', 'i', 'want',
  'need', 'please', 'make', 'give', 'generate', 'create', 'like', 'something', 'sound', 'sounds', 'sounding',
  'sample', 'samples', 'one shot', 'one shots', 'oneshot', 'oneshots', 'shot', 'hit', 'hits', 'tone', 'note',
  'notes', 'style', 'type', 'vibe', 'feel', 'feeling', 'kind', 'sort', 'instrument', 'version', 'quality',
];

/** Words that only mark a style or genre; those without hints have no effect on the model. */
const STYLES: Record<string, readonly Effect[] | undefined> = {
  acoustic: undefined, electric: undefined, electronic: undefined, analog: undefined, analogue: undefined,
  digital: undefined, modern: undefined, retro: undefined, classic: undefined, trap: undefined, techno: undefined,
  house: undefined, hiphop: undefined, 'hip hop': undefined, dnb: undefined, jungle: undefined, jazz: undefined,
  rock: undefined, pop: undefined, funk: undefined, dubstep: undefined, edm: undefined, trance: undefined,
  orchestral: undefined,
  vintage: [['brightness', -0.25], ['noisiness', 0.25]],
  cinematic: [['decay', 0.75], ['loudness', 0.5]],
  industrial: [['noisiness', 0.75], ['brightness', 0.25]],
  ambient: [['decay', 0.75]],
};

const DRUMS: Record<string, DrumClass> = {
  kick: 'kick', kik: 'kick', bd: 'kick', 'kick drum': 'kick', 'bass drum': 'kick', bassdrum: 'kick',
  snare: 'snare', sd: 'snare', 'snare drum': 'snare',
  clap: 'clap', handclap: 'clap', 'hand clap': 'clap', snap: 'clap', 'finger snap': 'clap', fingersnap: 'clap',
  rim: 'rim', rimshot: 'rim', 'rim shot': 'rim', sidestick: 'rim', 'side stick': 'rim', 'rim click': 'rim',
  rimclick: 'rim', 'cross stick': 'rim', crossstick: 'rim',
  tom: 'tom', tomtom: 'tom', 'tom tom': 'tom', 'floor tom': 'tom', 'rack tom': 'tom',
  crash: 'crash', cymbal: 'crash', splash: 'crash', china: 'crash', 'crash cymbal': 'crash',
  ride: 'ride', 'ride cymbal': 'ride', 'ride bell': 'ride',
  perc: 'perc', percussion: 'perc', cowbell: 'perc', conga: 'perc', bongo: 'perc', shaker: 'perc',
  tambourine: 'perc', tamb: 'perc', clave: 'perc', claves: 'perc', woodblock: 'perc', 'wood block': 'perc',
  agogo: 'perc', maraca: 'perc', maracas: 'perc', cabasa: 'perc', guiro: 'perc', triangle: 'perc', cajon: 'perc',
  djembe: 'perc', timbale: 'perc', timbales: 'perc',
};

/** Hi-hat spellings; each also gets "open …", "closed …" and "pedal …" phrases. */
const HAT_WORDS = ['hat', 'hihat', 'hi hat', 'high hat', 'hh'];

const TONAL: Record<string, GmFamily> = {
  piano: 'piano', grand: 'piano', 'grand piano': 'piano', 'acoustic piano': 'piano', 'upright piano': 'piano',
  keys: 'piano', rhodes: 'piano', wurlitzer: 'piano', wurli: 'piano', ep: 'piano', epiano: 'piano',
  'e piano': 'piano', 'electric piano': 'piano', clav: 'piano', clavinet: 'piano', harpsichord: 'piano',
  'honky tonk': 'piano',
  bell: 'chromatic-percussion', mallet: 'chromatic-percussion', vibraphone: 'chromatic-percussion',
  vibes: 'chromatic-percussion', marimba: 'chromatic-percussion', xylophone: 'chromatic-percussion',
  glockenspiel: 'chromatic-percussion', glock: 'chromatic-percussion', celesta: 'chromatic-percussion',
  celeste: 'chromatic-percussion', 'music box': 'chromatic-percussion', 'tubular bell': 'chromatic-percussion',
  'tubular bells': 'chromatic-percussion', chime: 'chromatic-percussion', chimes: 'chromatic-percussion',
  dulcimer: 'chromatic-percussion',
  organ: 'organ', hammond: 'organ', 'church organ': 'organ', 'pipe organ': 'organ', 'drawbar organ': 'organ',
  accordion: 'organ', harmonica: 'organ',
  guitar: 'guitar', gtr: 'guitar', 'acoustic guitar': 'guitar', 'electric guitar': 'guitar',
  'nylon guitar': 'guitar', 'steel guitar': 'guitar',
  bass: 'bass', 'bass guitar': 'bass', 'electric bass': 'bass', 'upright bass': 'bass', 'double bass': 'bass',
  'slap bass': 'bass', 'synth bass': 'bass', fretless: 'bass', reese: 'bass', bassline: 'bass',
  strings: 'strings', string: 'strings', violin: 'strings', viola: 'strings', cello: 'strings',
  contrabass: 'strings', harp: 'strings', timpani: 'strings',
  ensemble: 'ensemble', choir: 'ensemble', 'string ensemble': 'ensemble', 'string section': 'ensemble',
  voice: 'ensemble', vocal: 'ensemble', vox: 'ensemble', aah: 'ensemble', ooh: 'ensemble',
  'orchestra hit': 'ensemble', 'orchestral hit': 'ensemble', 'orch hit': 'ensemble',
  brass: 'brass', trumpet: 'brass', trombone: 'brass', tuba: 'brass', horn: 'brass', 'french horn': 'brass',
  'brass section': 'brass', 'synth brass': 'brass',
  sax: 'reed', saxophone: 'reed', 'alto sax': 'reed', 'tenor sax': 'reed', oboe: 'reed', clarinet: 'reed',
  bassoon: 'reed', 'english horn': 'reed',
  flute: 'pipe', piccolo: 'pipe', recorder: 'pipe', 'pan flute': 'pipe', panflute: 'pipe', whistle: 'pipe',
  ocarina: 'pipe', shakuhachi: 'pipe', 'blown bottle': 'pipe',
  lead: 'synth-lead', 'synth lead': 'synth-lead', 'square lead': 'synth-lead', 'saw lead': 'synth-lead',
  saw: 'synth-lead', sawtooth: 'synth-lead', square: 'synth-lead',
  pad: 'synth-pad', 'synth pad': 'synth-pad',
  fx: 'synth-effects', 'synth fx': 'synth-effects', 'synth effect': 'synth-effects', 'synth effects': 'synth-effects',
  sweep: 'synth-effects', riser: 'synth-effects', 'sci fi': 'synth-effects', scifi: 'synth-effects',
  sitar: 'ethnic', banjo: 'ethnic', shamisen: 'ethnic', koto: 'ethnic', kalimba: 'ethnic', bagpipe: 'ethnic',
  bagpipes: 'ethnic', fiddle: 'ethnic', shanai: 'ethnic',
  'steel drum': 'percussive', 'steel drums': 'percussive', steelpan: 'percussive', 'steel pan': 'percussive',
  taiko: 'percussive', 'melodic tom': 'percussive', 'synth drum': 'percussive', 'reverse cymbal': 'percussive',
  'tinkle bell': 'percussive',
  sfx: 'sound-effects', 'sound effect': 'sound-effects', 'sound effects': 'sound-effects',
  gunshot: 'sound-effects', helicopter: 'sound-effects', applause: 'sound-effects', seashore: 'sound-effects',
  telephone: 'sound-effects', 'bird tweet': 'sound-effects', 'fret noise': 'sound-effects',
  'breath noise': 'sound-effects',
};

/** Descriptor words and phrases: primary effect first. */
const DESCRIPTORS: Record<string, readonly Effect[]> = {
  // brightness +
  bright: [['brightness', 1]], brighter: [['brightness', 1]], brilliant: [['brightness', 1.25]],
  crisp: [['brightness', 0.75], ['decay', -0.25]], crispy: [['brightness', 0.75], ['decay', -0.25]],
  airy: [['brightness', 0.75], ['noisiness', 0.5]], air: [['brightness', 0.5], ['noisiness', 0.5]],
  sizzling: [['brightness', 1], ['noisiness', 0.5]], sizzly: [['brightness', 1], ['noisiness', 0.5]],
  shiny: [['brightness', 0.75]], shimmering: [['brightness', 0.75]], shimmery: [['brightness', 0.75]],
  sparkly: [['brightness', 0.75]], sparkling: [['brightness', 0.75]],
  harsh: [['brightness', 1], ['noisiness', 0.5]], tinny: [['brightness', 1]], metallic: [['brightness', 0.75]],
  glassy: [['brightness', 0.75], ['noisiness', -0.5]], thin: [['brightness', 0.5], ['loudness', -0.25]],
  'high end': [['brightness', 0.75]], 'top end': [['brightness', 0.75]],
  sharp: [['brightness', 0.5], ['punch', 0.5]], clicky: [['punch', 0.75], ['brightness', 0.5]],
  click: [['punch', 0.5], ['brightness', 0.5]],
  // brightness −
  dark: [['brightness', -1]], darker: [['brightness', -1]], warm: [['brightness', -0.75]],
  warmer: [['brightness', -0.75]], muffled: [['brightness', -1.25]], muted: [['brightness', -1]],
  dull: [['brightness', -1]], mellow: [['brightness', -0.75], ['punch', -0.25]], deep: [['brightness', -0.75]],
  deeper: [['brightness', -0.75]], round: [['brightness', -0.5], ['punch', -0.25]],
  rounded: [['brightness', -0.5], ['punch', -0.25]], fat: [['brightness', -0.5], ['decay', 0.25], ['loudness', 0.25]],
  fatter: [['brightness', -0.5], ['decay', 0.25], ['loudness', 0.25]], thick: [['brightness', -0.5], ['decay', 0.25]],
  heavy: [['loudness', 0.75], ['brightness', -0.5]], filtered: [['brightness', -1]], lowpassed: [['brightness', -1]],
  'low passed': [['brightness', -1]], 'low end': [['brightness', -0.5]], subby: [['brightness', -1]],
  murky: [['brightness', -1], ['noisiness', 0.25]], lofi: [['brightness', -0.75], ['noisiness', 0.5]],
  'lo fi': [['brightness', -0.75], ['noisiness', 0.5]], dusty: [['brightness', -0.5], ['noisiness', 0.5]],
  // decay +
  long: [['decay', 1]], longer: [['decay', 1]], 'long tail': [['decay', 1.25]], 'long decay': [['decay', 1]],
  'long release': [['decay', 1]], 'slow decay': [['decay', 1]], sustained: [['decay', 1.25]],
  sustaining: [['decay', 1.25]], sustain: [['decay', 1]], ringing: [['decay', 1]], ringy: [['decay', 1]],
  ring: [['decay', 0.75]], resonant: [['decay', 0.75]], reverb: [['decay', 0.75]], reverby: [['decay', 0.75]],
  reverberant: [['decay', 0.75]], roomy: [['decay', 0.75]], room: [['decay', 0.75]], wet: [['decay', 0.75]],
  washy: [['decay', 1], ['noisiness', 0.5]], boomy: [['decay', 1], ['brightness', -0.5]],
  booming: [['decay', 1], ['brightness', -0.5]], boom: [['decay', 1], ['brightness', -0.5]], tail: [['decay', 1]],
  open: [['decay', 0.75]], big: [['decay', 0.5], ['loudness', 0.5]], huge: [['decay', 0.75], ['loudness', 1]],
  massive: [['loudness', 1], ['decay', 0.75], ['brightness', -0.25]],
  // decay −
  short: [['decay', -1]], shorter: [['decay', -1]], tight: [['decay', -1], ['punch', 0.25]],
  tighter: [['decay', -1], ['punch', 0.25]], 'short tail': [['decay', -1]], 'short decay': [['decay', -1]],
  'fast decay': [['decay', -1]], 'quick decay': [['decay', -1]], 'short release': [['decay', -1]],
  staccato: [['decay', -1.25]], clipped: [['decay', -1]], choked: [['decay', -1.25]], gated: [['decay', -1]],
  dry: [['decay', -0.75]], dead: [['decay', -1], ['brightness', -0.5]], quick: [['decay', -0.75]],
  snappy: [['decay', -0.75], ['punch', 0.75]], snappier: [['decay', -0.75], ['punch', 0.75]],
  plucky: [['decay', -0.75], ['punch', 0.5]], small: [['decay', -0.5], ['loudness', -0.5]],
  tiny: [['decay', -0.75], ['loudness', -0.75]],
  // punch
  punchy: [['punch', 1]], punchier: [['punch', 1]], punch: [['punch', 1]],
  'hard hitting': [['punch', 1.25], ['loudness', 0.5]], 'sharp attack': [['punch', 1]], 'fast attack': [['punch', 1]],
  'quick attack': [['punch', 1]], 'soft attack': [['punch', -1]], 'slow attack': [['punch', -1]],
  attack: [['punch', 0.75]], transient: [['punch', 0.75]], transients: [['punch', 0.75]],
  thumpy: [['punch', 0.75], ['brightness', -0.25]], thump: [['punch', 0.5], ['brightness', -0.25]],
  knocky: [['punch', 0.75]], knocking: [['punch', 0.75]], slappy: [['punch', 0.75]],
  aggressive: [['punch', 0.75], ['brightness', 0.5], ['loudness', 0.5]],
  weak: [['punch', -0.75], ['loudness', -0.5]], swell: [['punch', -1.25], ['decay', 0.5]],
  swelling: [['punch', -1.25], ['decay', 0.5]], gentle: [['punch', -0.75], ['loudness', -0.5]],
  smooth: [['noisiness', -0.5], ['punch', -0.25]],
  // noisiness +
  noisy: [['noisiness', 1]], noisier: [['noisiness', 1]], noise: [['noisiness', 1]],
  'white noise': [['noisiness', 1.5]], gritty: [['noisiness', 0.75], ['brightness', 0.25]],
  grit: [['noisiness', 0.75], ['brightness', 0.25]], dirty: [['noisiness', 0.75]], dirt: [['noisiness', 0.75]],
  distorted: [['noisiness', 1], ['brightness', 0.5], ['loudness', 0.25]],
  distortion: [['noisiness', 1], ['brightness', 0.5], ['loudness', 0.25]],
  saturated: [['noisiness', 0.5], ['loudness', 0.25]], crunchy: [['noisiness', 0.75], ['brightness', 0.25]],
  crunch: [['noisiness', 0.75], ['brightness', 0.25]], grainy: [['noisiness', 0.5]],
  breathy: [['noisiness', 0.75], ['brightness', 0.25]], hissy: [['noisiness', 1], ['brightness', 0.5]],
  hiss: [['noisiness', 1], ['brightness', 0.5]], fuzzy: [['noisiness', 0.75]], fuzz: [['noisiness', 0.75]],
  raspy: [['noisiness', 0.75]], rough: [['noisiness', 0.5]], trashy: [['noisiness', 0.75], ['brightness', 0.25]],
  // noisiness −
  clean: [['noisiness', -0.75]], cleaner: [['noisiness', -0.75]], pure: [['noisiness', -1]],
  purer: [['noisiness', -1]], clear: [['noisiness', -0.5], ['brightness', 0.25]], pristine: [['noisiness', -0.75]],
  sine: [['noisiness', -1.25], ['brightness', -0.5]], 'sine wave': [['noisiness', -1.25], ['brightness', -0.5]],
  // loudness (velocity for tonal models)
  loud: [['loudness', 1]], louder: [['loudness', 1]], quiet: [['loudness', -1]], quieter: [['loudness', -1]],
  soft: [['loudness', -1], ['punch', -0.5]], softer: [['loudness', -1], ['punch', -0.5]],
  hard: [['loudness', 1], ['punch', 0.5]], harder: [['loudness', 1], ['punch', 0.5]],
  accent: [['loudness', 1]], accented: [['loudness', 1]], ghost: [['loudness', -1.5]], ghosted: [['loudness', -1.5]],
  powerful: [['loudness', 1], ['punch', 0.5]], strong: [['loudness', 0.75], ['punch', 0.5]],
  faint: [['loudness', -1.25]], subtle: [['loudness', -0.75]], delicate: [['loudness', -0.75], ['punch', -0.25]],
};

const REGISTERS: Record<string, number> = {
  low: -1, lower: -1, lo: -1, 'low pitched': -1, 'low pitch': -1, 'low register': -1, high: 1, higher: 1, hi: 1,
  'high pitched': 1, 'high pitch': 1, 'high register': 1, mid: 0, middle: 0, medium: 0, 'mid range': 0, midrange: 0,
};

const INTENSIFIERS: Record<string, number> = {
  very: 1.5, really: 1.5, so: 1.5, way: 1.5, extra: 1.5, heavily: 1.5, highly: 1.5, 'a lot of': 1.5, 'lots of': 1.5,
  super: 2, extremely: 2, ultra: 2, insanely: 2, incredibly: 2,
  quite: 1.25, pretty: 1.25, rather: 1.25, 'plenty of': 1.25, too: 1.25, overly: 1.25, more: 1,
  fairly: 0.75, somewhat: 0.75, moderately: 0.75, some: 0.75,
  slightly: 0.5, 'a bit': 0.5, bit: 0.5, 'a little': 0.5, little: 0.5, 'a touch of': 0.5, 'touch of': 0.5,
  'a hint of': 0.5, 'hint of': 0.5, 'kind of': 0.5, kinda: 0.5, 'sort of': 0.5, sorta: 0.5, mildly: 0.5,
  barely: 0.25, 'a tiny bit': 0.25,
};
/** Inside a negation these soften it ("not too bright" = half of "not bright"); other intensifiers are ignored there. */
const IN_NEGATION: Record<string, number> = { too: 0.5, overly: 0.5, so: 0.5 };

const NEGATIONS: Record<string, number> = {
  not: -0.5, "isn't": -0.5, "aren't": -0.5, "don't": -0.5, "doesn't": -0.5, never: -0.5, less: -0.5,
  no: -1.5, without: -1.5, zero: -1.5, non: -1,
};

const POSTFIXES: Record<string, number> = { ish: 0.5, free: -1.5 };

const DYNAMICS: Record<string, Velocity> = {
  ppp: 16, pp: 33, pianissimo: 33, mp: 64, 'mezzo piano': 64, mf: 80, 'mezzo forte': 80, forte: 96,
  ff: 112, fortissimo: 112, fff: 127,
};

/** Weak instruments: used only when the prompt names no other instrument. Their hints always apply. */
const WEAK: Record<string, LexEntry> = {
  '808': { type: 'drum', class: 'kick', weak: true, hints: [['decay', 0.5]] },
  '909': { type: 'drum', class: 'kick', weak: true, hints: [['punch', 0.5]] },
  synth: { type: 'tonal', family: 'synth-lead', weak: true },
  pluck: { type: 'tonal', family: 'guitar', weak: true, hints: [['decay', -0.5]] },
  plucked: { type: 'tonal', family: 'guitar', weak: true, hints: [['decay', -0.5]] },
};

/** Strong instruments that carry hints or a register. */
const TONAL_EXTRA: Record<string, LexEntry> = {
  'synth pluck': { type: 'tonal', family: 'synth-lead', hints: [['decay', -0.75]] },
  pizzicato: { type: 'tonal', family: 'strings', hints: [['decay', -0.75]] },
  pizz: { type: 'tonal', family: 'strings', hints: [['decay', -0.75]] },
  'sub bass': { type: 'tonal', family: 'bass', register: -1, hints: [['brightness', -0.75]] },
};

const KINDS: Record<string, ModelKind> = {
  drum: 'drums', drums: 'drums', 'drum kit': 'drums', kit: 'drums', tonal: 'tonal', melodic: 'tonal', pitched: 'tonal',
};

function build(): Map<string, LexEntry> {
  const m = new Map<string, LexEntry>();
  const add = (key: string, e: LexEntry) => {
    if (m.has(key)) throw new Error(`prompt lexicon: "${key}" is defined twice`);
    m.set(key, e);
  };
  for (const w of STOP_WORDS) add(w, { type: 'stop' });
  for (const [w, hints] of Object.entries(STYLES)) add(w, hints ? { type: 'style', hints } : { type: 'style' });
  for (const [w, c] of Object.entries(DRUMS)) add(w, { type: 'drum', class: c });
  for (const h of HAT_WORDS) {
    add(h, { type: 'drum', class: 'closed-hat' });
    add(`closed ${h}`, { type: 'drum', class: 'closed-hat' });
    add(`pedal ${h}`, { type: 'drum', class: 'closed-hat' });
    add(`open ${h}`, { type: 'drum', class: 'open-hat' });
  }
  add('chh', { type: 'drum', class: 'closed-hat' });
  add('ohh', { type: 'drum', class: 'open-hat' });
  for (const [w, f] of Object.entries(TONAL)) add(w, { type: 'tonal', family: f });
  for (const [w, e] of Object.entries(TONAL_EXTRA)) add(w, e);
  for (const [w, e] of Object.entries(WEAK)) add(w, e);
  for (const [w, k] of Object.entries(KINDS)) add(w, { type: 'kind', kind: k });
  for (const [w, effects] of Object.entries(DESCRIPTORS)) add(w, { type: 'descriptor', effects });
  add('sub', { type: 'descriptor', effects: [['brightness', -0.75]], register: -1 });
  for (const [w, r] of Object.entries(REGISTERS)) add(w, { type: 'register', register: r });
  for (const [w, f] of Object.entries(INTENSIFIERS)) {
    const inNeg = IN_NEGATION[w];
    add(w, inNeg === undefined ? { type: 'intensifier', factor: f } : { type: 'intensifier', factor: f, inNegation: inNeg });
  }
  for (const [w, f] of Object.entries(NEGATIONS)) add(w, { type: 'negation', factor: f });
  for (const [w, f] of Object.entries(POSTFIXES)) add(w, { type: 'postfix', factor: f });
  for (const [w, v] of Object.entries(DYNAMICS)) add(w, { type: 'dynamic', velocity: v });
  return m;
}

/** The whole lexicon, phrase → entry. */
export const LEXICON: ReadonlyMap<string, LexEntry> = build();

/** Longest phrase in the lexicon, in words. */
export const MAX_PHRASE_WORDS = Math.max(...[...LEXICON.keys()].map((k) => k.split(' ').length));

/** Words that ask for a pitch number ("midi 36") or a velocity ("velocity 90"). */
export const PITCH_KEYWORDS: readonly string[] = ['midi', 'pitch', 'note'];
export const VELOCITY_KEYWORDS: readonly string[] = ['velocity', 'vel'];
/** Words before a bare note name ("in F#", "key of Bb"). */
export const KEY_INTRO: readonly string[] = ['in', 'key of', 'in the key of'];
