/**
 * The example prompts: expected parses (checked by parse.test.ts) and the
 * source of the table in docs/prompts.md (checked by docs.test.ts; rewrite it
 * with `UPDATE_PROMPT_DOCS=1 npx vitest run test/prompt/docs.test.ts`).
 */
import { LEXICON, formatTargets, noteName, type DescriptorTargets, type PromptParse } from '../../src/prompt/index.js';

export interface PromptExample {
  prompt: string;
  kind?: 'drums' | 'tonal';
  class?: string;
  family?: string;
  pitch?: number;
  velocity?: number;
  register?: number;
  targets: DescriptorTargets;
  /** Default []. */
  unknown?: string[];
  /** Each must match one warning; the parse has exactly this many warnings (default none). */
  warnings?: RegExp[];
}

export const EXAMPLES: readonly PromptExample[] = [
  // --- drums: classes and synonyms
  { prompt: 'punchy dark 808 kick with a long tail', kind: 'drums', class: 'kick', targets: { brightness: -1, decay: 1.25, punch: 1 } },
  { prompt: 'kick', kind: 'drums', class: 'kick', targets: {} },
  { prompt: 'bd', kind: 'drums', class: 'kick', targets: {} },
  { prompt: '808', kind: 'drums', class: 'kick', targets: { decay: 0.5 } },
  { prompt: 'clap', kind: 'drums', class: 'clap', targets: {} },
  { prompt: 'rimshot', kind: 'drums', class: 'rim', targets: {} },
  { prompt: 'sidestick', kind: 'drums', class: 'rim', targets: {} },
  { prompt: 'hh', kind: 'drums', class: 'closed-hat', targets: {} },
  { prompt: 'hihat', kind: 'drums', class: 'closed-hat', targets: {} },
  { prompt: 'open hat with a long tail', kind: 'drums', class: 'open-hat', targets: { decay: 1.25 } },
  { prompt: 'tight closed hi-hat', kind: 'drums', class: 'closed-hat', targets: { decay: -1, punch: 0.25 } },
  { prompt: 'floor tom, boomy', kind: 'drums', class: 'tom', targets: { brightness: -0.5, decay: 1 } },
  { prompt: 'high tom', kind: 'drums', class: 'tom', register: 1, targets: { brightness: 0.75 } },
  { prompt: 'crash cymbal, very washy', kind: 'drums', class: 'crash', targets: { decay: 1.5, noisiness: 0.75 } },
  { prompt: 'ride bell, bright and clean', kind: 'drums', class: 'ride', targets: { brightness: 1, noisiness: -0.75 } },
  { prompt: 'cowbell', kind: 'drums', class: 'perc', targets: {} },
  { prompt: 'conga slightly dark', kind: 'drums', class: 'perc', targets: { brightness: -0.5 } },
  { prompt: 'shaker, airy', kind: 'drums', class: 'perc', targets: { brightness: 0.75, noisiness: 0.5 } },
  { prompt: 'snappy snare', kind: 'drums', class: 'snare', targets: { decay: -0.75, punch: 0.75 } },
  // --- negation and intensifiers
  { prompt: 'not too bright snare', kind: 'drums', class: 'snare', targets: { brightness: -0.25 } },
  { prompt: 'not bright snare', kind: 'drums', class: 'snare', targets: { brightness: -0.5 } },
  { prompt: 'not very punchy kick', kind: 'drums', class: 'kick', targets: { punch: -0.5 } },
  { prompt: 'clap with no tail', kind: 'drums', class: 'clap', targets: { decay: -1.5 } },
  { prompt: 'snare without reverb', kind: 'drums', class: 'snare', targets: { decay: -1.125 } },
  { prompt: 'hat, not too noisy and not too dark', kind: 'drums', class: 'closed-hat', targets: { brightness: 0.25, noisiness: -0.25 } },
  { prompt: 'very bright hat', kind: 'drums', class: 'closed-hat', targets: { brightness: 1.5 } },
  { prompt: 'slightly dark kick', kind: 'drums', class: 'kick', targets: { brightness: -0.5 } },
  { prompt: 'super punchy kick', kind: 'drums', class: 'kick', targets: { punch: 2 } },
  { prompt: 'a bit muffled tom', kind: 'drums', class: 'tom', targets: { brightness: -0.625 } },
  { prompt: 'extremely noisy, gritty snare', kind: 'drums', class: 'snare', targets: { brightness: 0.25, noisiness: 2 } },
  { prompt: 'dark-ish kick', kind: 'drums', class: 'kick', targets: { brightness: -0.5 } },
  { prompt: 'super extremely bright hat', kind: 'drums', class: 'closed-hat', targets: { brightness: 3 }, warnings: [/brightness \+4σ capped at \+3σ/] },
  // --- loudness words
  { prompt: 'soft kick', kind: 'drums', class: 'kick', targets: { punch: -0.5, loudness: -1 } },
  { prompt: 'hard snare', kind: 'drums', class: 'snare', targets: { punch: 0.5, loudness: 1 } },
  { prompt: 'lo-fi crunchy snare', kind: 'drums', class: 'snare', targets: { brightness: -0.75, noisiness: 0.75 } },
  // --- conflicts and unknown words
  { prompt: 'bright dark kick', kind: 'drums', class: 'kick', targets: { brightness: -1 }, warnings: [/conflicting words for brightness: "bright" and "dark"; the later one, "dark", wins/] },
  { prompt: 'kick snare', kind: 'drums', class: 'snare', targets: {}, warnings: [/several instruments \("kick", "snare"\): using the last, "snare"/] },
  { prompt: 'kick in C1', kind: 'drums', class: 'kick', targets: {}, warnings: [/pitch "in C1" ignored: the drums model has no pitch/] },
  { prompt: 'brigt kick', kind: 'drums', class: 'kick', targets: {}, unknown: ['brigt'], warnings: [/unknown word ignored: "brigt" \(did you mean "bright"\?\)/] },
  { prompt: 'boomy deep techno kick', kind: 'drums', class: 'kick', targets: { brightness: -0.75, decay: 1 }, warnings: [/no effect on the sound: "techno"/] },
  { prompt: 'warm snare from the 70s', kind: 'drums', class: 'snare', targets: { brightness: -0.75 }, unknown: ['70s'], warnings: [/unknown word ignored: "70s"/] },
  // --- tonal: families, pitch, velocity
  { prompt: 'bass in C2', kind: 'tonal', family: 'bass', pitch: 36, targets: {} },
  { prompt: 'rhodes A#3', kind: 'tonal', family: 'piano', pitch: 58, targets: {} },
  { prompt: 'ep Bb1', kind: 'tonal', family: 'piano', pitch: 34, targets: {} },
  { prompt: 'electric piano midi 60, soft', kind: 'tonal', family: 'piano', pitch: 60, targets: { punch: -0.5, loudness: -1 } },
  { prompt: 'low bass', kind: 'tonal', family: 'bass', pitch: 36, register: -1, targets: {} },
  { prompt: 'high strings', kind: 'tonal', family: 'strings', pitch: 84, register: 1, targets: {} },
  { prompt: 'warm pad in F', kind: 'tonal', family: 'synth-pad', pitch: 65, targets: { brightness: -0.75 } },
  { prompt: 'pluck', kind: 'tonal', family: 'guitar', targets: { decay: -0.5 } },
  { prompt: 'synth lead, bright, velocity 110', kind: 'tonal', family: 'synth-lead', velocity: 110, targets: { brightness: 1 } },
  { prompt: 'brass stab ff', kind: 'tonal', family: 'brass', velocity: 112, targets: {}, unknown: ['stab'], warnings: [/unknown word ignored: "stab"/] },
  { prompt: 'vibraphone', kind: 'tonal', family: 'chromatic-percussion', targets: {} },
  { prompt: 'mallet with a long tail', kind: 'tonal', family: 'chromatic-percussion', targets: { decay: 1.25 } },
  { prompt: 'bell, pure', kind: 'tonal', family: 'chromatic-percussion', targets: { noisiness: -1 } },
  { prompt: 'church organ pp', kind: 'tonal', family: 'organ', velocity: 33, targets: {} },
  { prompt: 'dark-ish sub bass', kind: 'tonal', family: 'bass', pitch: 36, register: -1, targets: { brightness: -0.5 } },
  { prompt: 'noise-free sine lead in A4', kind: 'tonal', family: 'synth-lead', pitch: 69, targets: { brightness: -0.5, noisiness: -1.5 } },
  { prompt: 'deep warm bass with a bit of grit', kind: 'tonal', family: 'bass', targets: { brightness: -0.75, noisiness: 0.375 } },
  { prompt: '808 bass, long', kind: 'tonal', family: 'bass', targets: { decay: 1 } },
  { prompt: 'taiko', kind: 'tonal', family: 'percussive', targets: {} },
  { prompt: 'pluck Bb1', kind: 'tonal', family: 'guitar', pitch: 34, targets: { decay: -0.5 }, warnings: [/pitch A#1 is outside the range the guitar family was trained on \(E2–C6\)/] },
  // --- no instrument: the model (or the caller's base request) decides
  { prompt: '440hz sine', pitch: 69, targets: { brightness: -0.5, noisiness: -1.25 } },
  { prompt: 'very bright and punchy', targets: { brightness: 1.5, punch: 1 } },
];

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The docs table row of an example's actual parse. */
export function exampleRow(i: number, prompt: string, p: PromptParse): string {
  const pitch = p.pitch === undefined ? '' : `${noteName(p.pitch)} (${p.pitch})`;
  const cols = [
    String(i + 1),
    `\`${prompt}\``,
    p.kind ?? '',
    p.class ?? p.family ?? '',
    pitch,
    p.velocity === undefined ? '' : String(p.velocity),
    formatTargets(p.descriptorTargets),
    p.unknown.join(', '),
    p.warnings.join('; '),
  ];
  return `| ${cols.map(cell).join(' | ')} |`;
}

export const TABLE_HEADER = [
  '| # | Prompt | Kind | Class / family | Pitch | Velocity | Targets (σ) | Unknown | Warnings |',
  '|---|---|---|---|---|---|---|---|---|',
];

/** The generated lexicon summary of docs/prompts.md §1. */
export function lexiconTables(): string[] {
  const groups = new Map<string, string[]>();
  const push = (key: string, word: string) => {
    const g = groups.get(key) ?? [];
    g.push(word);
    groups.set(key, g);
  };
  const effects = (list: readonly (readonly [string, number])[]) =>
    list.map(([t, a], i) => `${t} ${a > 0 ? '+' : '−'}${Math.abs(a)}${i === 0 ? '' : '*'}`).join(', ');
  const hints = (list: readonly (readonly [string, number])[]) => list.map(([t, a]) => `${t} ${a > 0 ? '+' : '−'}${Math.abs(a)}*`).join(', ');
  for (const [word, e] of LEXICON) {
    switch (e.type) {
      case 'drum':
        push(`drum|${e.class}`, `${word}${e.weak ? ' (weak)' : ''}${e.hints ? ` [${hints(e.hints)}]` : ''}`);
        break;
      case 'tonal': {
        const extra = [e.register !== undefined ? `register ${e.register}` : '', e.hints ? hints(e.hints) : ''].filter(Boolean).join('; ');
        push(`tonal|${e.family}`, `${word}${e.weak ? ' (weak)' : ''}${extra ? ` [${extra}]` : ''}`);
        break;
      }
      case 'descriptor':
        push(`descriptor|${effects(e.effects)}${e.register !== undefined ? `; register ${e.register}` : ''}`, word);
        break;
      case 'register':
        push(`register|${e.register}`, word);
        break;
      case 'intensifier':
        push(`intensifier|×${e.factor}${e.inNegation !== undefined ? ` (×${e.inNegation} after a negation)` : ''}`, word);
        break;
      case 'negation':
        push(`negation|×${e.factor}`, word);
        break;
      case 'postfix':
        push(`postfix|×${e.factor}`, word);
        break;
      case 'dynamic':
        push(`dynamic|velocity ${e.velocity}`, word);
        break;
      case 'kind':
        push(`kind|${e.kind}`, word);
        break;
      case 'style':
        push(`style|${e.hints ? hints(e.hints) : 'no effect'}`, word);
        break;
      case 'stop':
        push('stop|', word);
        break;
    }
  }
  const section = (title: string, prefix: string, head: string) => {
    const rows = [...groups].filter(([k]) => k.startsWith(`${prefix}|`));
    if (prefix === 'stop') return [`**${title}:** ${rows[0]![1].map((w) => `\`${w}\``).join(', ')}`, ''];
    return [`**${title}**`, '', `| ${head} | Words |`, '|---|---|', ...rows.map(([k, ws]) => `| ${cell(k.slice(prefix.length + 1))} | ${ws.map((w) => cell(w)).join(', ')} |`), ''];
  };
  return [
    ...section('Drum classes (kind drums)', 'drum', 'Class'),
    ...section('GM families (kind tonal)', 'tonal', 'Family'),
    ...section('Kind words', 'kind', 'Kind'),
    ...section('Descriptor words (σ; * = secondary hint)', 'descriptor', 'Effects'),
    ...section('Register words', 'register', 'Amount'),
    ...section('Intensifiers', 'intensifier', 'Factor'),
    ...section('Negations', 'negation', 'Factor'),
    ...section('Post-modifiers (after a descriptor word: "dark-ish", "noise-free")', 'postfix', 'Factor'),
    ...section('Dynamics', 'dynamic', 'Velocity'),
    ...section('Style words (secondary hints only)', 'style', 'Effect'),
    ...section('Stop-words (ignored, shown as stop chips)', 'stop', ''),
  ];
}
