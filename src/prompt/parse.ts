/**
 * parsePrompt: descriptive text → conditioning (docs/prompts.md). Pure and
 * offline: a tokenizer, the lexicon (lexicon.ts) and a small grammar.
 *
 *   prompt     := item*
 *   item       := modifier* target postfix?      "not too bright", "very long tail", "dark-ish"
 *               | instrument | kind | style | pitch | velocity | register | stop-word | unknown
 *   modifier   := intensifier | negation          stop-words between a modifier and its target are skipped
 *   pitch      := NOTE OCTAVE | ("midi"|"note"|"pitch") INT | ("in"|"key of") NOTE [OCTAVE] | NUMBER "hz"
 *   velocity   := ("velocity"|"vel") INT | dynamic mark (pp, mf, ff, …)
 *
 * Phrases match longest first. Resolution rules (conflicts, weak instruments,
 * registers, caps) are in resolve() below and in docs/prompts.md §2.
 */
import type { DrumClass, GmFamily } from '../constants.js';
import type { ModelKind } from '../model/config.js';
import { KEY_INTRO, LEXICON, MAX_PHRASE_WORDS, PITCH_KEYWORDS, VELOCITY_KEYWORDS, type Effect, type LexEntry } from './lexicon.js';
import { familyRange, hzToMidi, nearestOfClass, noteName, noteWithOctave, pitchClass, registerPitch } from './pitch.js';
import {
  PROMPT_TARGETS, PromptError, type ChipRole, type DescriptorTargets, type PromptChip, type PromptParse, type PromptTarget,
} from './types.js';

/** Longest accepted prompt, in characters (after trimming). */
export const MAX_PROMPT_LENGTH = 300;
/** Largest |amount| of one target, in σ. */
export const MAX_SIGMA = 3;
/** Brightness hint (σ) per unit of register on a drums prompt ("low tom" → −0.75σ). */
export const DRUM_REGISTER_BRIGHTNESS = 0.75;
/** An example shown in error messages. */
export const EXAMPLE_PROMPT = 'punchy dark 808 kick with a long tail';

interface Tok {
  /** Lower-cased, normalized text used for lookup. */
  norm: string;
  start: number;
  end: number;
}

/** Split into word tokens with their positions in `text`. Hyphenated words not in the lexicon are split. */
function tokenize(text: string): Tok[] {
  const lower = [...text].map((ch) => {
    const l = ch === '♯' ? '#' : ch === '♭' ? 'b' : ch === '’' || ch === '‘' ? "'" : ch.toLowerCase();
    return l.length === ch.length ? l : ch;
  }).join('');
  const out: Tok[] = [];
  // Words; '&' and '+' (stop-words); runs of symbols and emoji (reported as unknown). Other punctuation separates words.
  const re = /[\p{L}\p{N}\p{M}#'.-]+|[&+]|[\p{S}\p{Extended_Pictographic}]+/gu;
  for (let m = re.exec(lower); m; m = re.exec(lower)) {
    let start = m.index;
    let end = m.index + m[0].length;
    // Trim punctuation around the word; drop a possessive "'s" unless the word is in the lexicon.
    while (start < end && /['.-]/.test(lower[start]!)) start++;
    while (end > start && /['.-]/.test(lower[end - 1]!)) end--;
    if (end - start >= 3 && lower.slice(end - 2, end) === "'s" && !LEXICON.has(lower.slice(start, end))) end -= 2;
    if (start >= end) continue;
    const word = lower.slice(start, end);
    if (word.includes('-') && !LEXICON.has(word) && noteWithOctave(word) === null) {
      let at = start;
      for (const part of word.split('-')) {
        if (part.length > 0) out.push({ norm: part, start: at, end: at + part.length });
        at += part.length + 1;
      }
    } else {
      out.push({ norm: word, start, end });
    }
  }
  return out;
}

const isInt = (s: string | undefined): s is string => s !== undefined && /^\d{1,4}$/.test(s);

/** Optimal string alignment distance (Levenshtein + adjacent transposition). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const SUGGESTABLE = [...LEXICON.entries()].filter(([k, e]) => !k.includes(' ') && e.type !== 'stop' && k.length >= 3).map(([k]) => k);

/** The closest lexicon word to a typo, or null. */
export function suggestWord(word: string): string | null {
  if (word.length < 4 || /\d/.test(word)) return null;
  const limit = word.length <= 5 ? 1 : 2;
  let best: string | null = null;
  let bestD = limit + 1;
  for (const k of SUGGESTABLE) {
    if (Math.abs(k.length - word.length) > limit) continue;
    const dist = editDistance(word, k);
    if (dist < bestD) {
      best = k;
      bestD = dist;
    }
  }
  return best;
}

/** Look up one word with the fallbacks: plural of an instrument, "-ish" suffix. */
function lookupWord(w: string): { entry: LexEntry; factor: number } | null {
  const e = LEXICON.get(w);
  if (e) return { entry: e, factor: 1 };
  if (w.length > 3 && w.endsWith('s')) {
    const s = LEXICON.get(w.slice(0, -1));
    if (s && (s.type === 'drum' || s.type === 'tonal')) return { entry: s, factor: 1 };
  }
  if (w.length > 5 && w.endsWith('ish')) {
    const stem = w.slice(0, -3);
    for (const cand of [stem, `${stem}e`, stem.slice(0, -1)]) {
      const s = LEXICON.get(cand);
      if (s && (s.type === 'descriptor' || s.type === 'register')) return { entry: s, factor: 0.5 };
    }
  }
  return null;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const fmtSigma = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x)}σ`;
const quote = (s: string) => `"${s}"`;

interface Contribution {
  target: PromptTarget;
  amount: number;
  primary: boolean;
  chip: number;
}

/** Parse state, filled left to right, resolved at the end. */
class Parser {
  readonly chips: PromptChip[] = [];
  readonly contributions: Contribution[] = [];
  readonly instruments: { entry: Extract<LexEntry, { type: 'drum' | 'tonal' }>; chip: number }[] = [];
  readonly kinds: { kind: ModelKind; chip: number }[] = [];
  readonly pitches: { midi: number | null; pc?: number; chip: number }[] = [];
  readonly registers: { amount: number; chip: number }[] = [];
  readonly velocities: { velocity: number; chip: number }[] = [];
  readonly warnings: string[] = [];
  readonly unknown: string[] = [];
  readonly noEffect: string[] = [];
  /** Modifiers (and stop-words after them) waiting for their target. */
  pending: { tok: Tok; entry: LexEntry }[] = [];
  /** Chip index of the last descriptor/register chip, and its contribution range, for postfixes. */
  lastTarget: { chip: number; from: number; to: number; registerIdx: number | null } | null = null;

  constructor(readonly text: string) {}

  chip(start: number, end: number, role: ChipRole, value: PromptChip['value'], ignored?: string): number {
    const editable = role === 'instrument' || role === 'kind' || role === 'pitch' || role === 'register' || role === 'velocity' || role === 'descriptor';
    const c: PromptChip = { text: this.text.slice(start, end), start, end, role, value, editable };
    if (ignored !== undefined) c.ignored = ignored;
    this.chips.push(c);
    this.lastTarget = null;
    return this.chips.length - 1;
  }

  /** Emit pending modifiers that found no target. */
  flush(reason: string): void {
    for (const { tok, entry } of this.pending) {
      if (entry.type === 'stop') {
        this.chip(tok.start, tok.end, 'stop', null);
      } else {
        const factor = entry.type === 'intensifier' || entry.type === 'negation' ? entry.factor : 1;
        const word = this.text.slice(tok.start, tok.end);
        this.chip(tok.start, tok.end, 'modifier', factor, reason);
        this.warnings.push(`${quote(word)} ${reason}; ignored`);
      }
    }
    this.pending = [];
  }

  /** The factor of the pending modifiers for the target that follows them. */
  pendingFactor(): number {
    let factor = 1;
    let negated = false;
    for (const { entry } of this.pending) {
      if (entry.type === 'negation') {
        factor *= entry.factor;
        negated = true;
      } else if (entry.type === 'intensifier') {
        factor *= negated ? (entry.inNegation ?? 1) : entry.factor;
      }
    }
    return factor;
  }

  /** A descriptor or register word with its pending modifiers. */
  target(tok: Tok, end: number, effects: readonly Effect[], register: number | undefined, ownFactor: number): void {
    const factor = this.pendingFactor() * ownFactor;
    const start = this.pending[0]?.tok.start ?? tok.start;
    this.pending = [];
    const value: DescriptorTargets = {};
    for (const [t, a] of effects) value[t] = round3((value[t] ?? 0) + a * factor);
    const isRegisterOnly = effects.length === 0 && register !== undefined;
    const chip = this.chip(start, end, isRegisterOnly ? 'register' : 'descriptor', isRegisterOnly ? round3(register * factor) : value);
    const from = this.contributions.length;
    effects.forEach(([t, a], i) => this.contributions.push({ target: t, amount: a * factor, primary: i === 0, chip }));
    let registerIdx: number | null = null;
    if (register !== undefined) {
      registerIdx = this.registers.length;
      this.registers.push({ amount: register * factor, chip });
    }
    this.lastTarget = { chip, from, to: this.contributions.length, registerIdx };
  }

  /** "-ish" / "-free" after a descriptor: rescale it. */
  postfix(tok: Tok, factor: number): void {
    const last = this.lastTarget;
    const word = this.text.slice(tok.start, tok.end);
    if (!last || this.pending.length > 0) {
      this.flush('does not modify a descriptor word');
      this.chip(tok.start, tok.end, 'modifier', factor, 'follows no descriptor word');
      this.warnings.push(`${quote(word)} follows no descriptor word; ignored`);
      return;
    }
    const c = this.chips[last.chip]!;
    c.end = tok.end;
    c.text = this.text.slice(c.start, c.end);
    for (let i = last.from; i < last.to; i++) this.contributions[i]!.amount *= factor;
    if (last.registerIdx !== null) this.registers[last.registerIdx]!.amount *= factor;
    if (c.role === 'register' && typeof c.value === 'number') c.value = round3(c.value * factor);
    else if (c.role === 'descriptor' && c.value !== null && typeof c.value === 'object') {
      const v = c.value;
      for (const t of PROMPT_TARGETS) if (v[t] !== undefined) v[t] = round3(v[t]! * factor);
    }
  }

  run(tokens: Tok[]): void {
    const norms = tokens.map((t) => t.norm);
    const phraseAt = (i: number, n: number) => norms.slice(i, i + n).join(' ');
    let i = 0;
    while (i < tokens.length) {
      const tok = tokens[i]!;
      const w = tok.norm;
      const endOf = (j: number) => tokens[j]!.end;
      const word = (a: number, b: number) => this.text.slice(a, b);

      // 1. note with octave: C2, A#3, Bb1
      const note = noteWithOctave(w);
      if (note !== null) {
        this.flush('does not modify a pitch');
        this.addPitch(tok.start, tok.end, note);
        i++;
        continue;
      }
      // 2. frequency: 55hz, 55 hz
      const hz = /^(\d+(?:\.\d+)?)hz$/.exec(w);
      if (hz || (/^\d+(?:\.\d+)?$/.test(w) && norms[i + 1] === 'hz')) {
        const f = Number(hz ? hz[1] : w);
        const last = hz ? i : i + 1;
        this.flush('does not modify a pitch');
        this.addPitch(tok.start, endOf(last), f > 0 ? hzToMidi(f) : -1);
        i = last + 1;
        continue;
      }
      // 3. key: "in F#", "key of Bb", "in the key of C3"
      const intro = [...KEY_INTRO].sort((a, b) => b.split(' ').length - a.split(' ').length)
        .find((k) => phraseAt(i, k.split(' ').length) === k);
      if (intro) {
        const j = i + intro.split(' ').length;
        const nw = norms[j];
        const original = nw === undefined ? '' : this.text.slice(tokens[j]!.start, tokens[j]!.end);
        const pc = nw === undefined ? null : pitchClass(nw);
        // "in a …" is English, not the key of A: a lone lower-case "a" is not a key.
        if (pc !== null && !(original === 'a')) {
          this.flush('does not modify a pitch');
          const octave = noteWithOctave(nw!);
          if (octave !== null) this.addPitch(tok.start, endOf(j), octave);
          else this.addPitchClass(tok.start, endOf(j), pc);
          i = j + 1;
          continue;
        }
        if (nw !== undefined && noteWithOctave(nw) !== null) {
          this.flush('does not modify a pitch');
          this.addPitch(tok.start, endOf(j), noteWithOctave(nw)!);
          i = j + 1;
          continue;
        }
      }
      // 4. "midi 36", "note 36", "midi note 36"
      if (PITCH_KEYWORDS.includes(w)) {
        let j = i + 1;
        while (j < tokens.length && PITCH_KEYWORDS.includes(norms[j]!)) j++;
        if (isInt(norms[j])) {
          this.flush('does not modify a pitch');
          this.addPitch(tok.start, endOf(j), Number(norms[j]));
          i = j + 1;
          continue;
        }
      }
      // 5. "velocity 90", "vel 90"
      if (VELOCITY_KEYWORDS.includes(w) && isInt(norms[i + 1])) {
        this.flush('does not modify a velocity');
        this.addVelocity(tok.start, endOf(i + 1), Number(norms[i + 1]));
        i += 2;
        continue;
      }
      // 6. lexicon, longest phrase first
      let matched = false;
      for (let n = Math.min(MAX_PHRASE_WORDS, tokens.length - i); n >= 1 && !matched; n--) {
        const key = phraseAt(i, n);
        const hit = n === 1 ? lookupWord(key) : LEXICON.has(key) ? { entry: LEXICON.get(key)!, factor: 1 } : null;
        if (!hit) continue;
        this.entry(tok, tokens[i + n - 1]!.end, hit.entry, hit.factor);
        i += n;
        matched = true;
      }
      if (matched) continue;
      // 7. unknown (bare numbers get a hint)
      this.flush('does not modify the word after it');
      const typed = word(tok.start, tok.end);
      this.chip(tok.start, tok.end, 'unknown', null, 'not in the lexicon');
      this.unknown.push(typed);
      i++;
    }
    this.flush('modifies nothing (end of prompt)');
  }

  entry(tok: Tok, end: number, e: LexEntry, factor: number): void {
    switch (e.type) {
      case 'stop':
        if (this.pending.length > 0) this.pending.push({ tok: { ...tok, end }, entry: e });
        else this.chip(tok.start, end, 'stop', null);
        return;
      case 'intensifier':
      case 'negation':
        this.pending.push({ tok: { ...tok, end }, entry: e });
        return;
      case 'postfix':
        this.postfix({ ...tok, end }, e.factor);
        return;
      case 'descriptor':
        this.target(tok, end, e.effects, e.register, factor);
        return;
      case 'register':
        this.target(tok, end, [], e.register, factor);
        return;
    }
    this.flush(e.type === 'drum' || e.type === 'tonal' ? 'cannot modify an instrument' : 'does not modify a descriptor word');
    switch (e.type) {
      case 'drum':
      case 'tonal': {
        const chip = this.chip(tok.start, end, 'instrument', e.type === 'drum' ? e.class : e.family);
        this.instruments.push({ entry: e, chip });
        for (const [t, a] of e.hints ?? []) this.contributions.push({ target: t, amount: a, primary: false, chip });
        if (e.type === 'tonal' && e.register !== undefined) this.registers.push({ amount: e.register, chip });
        return;
      }
      case 'kind':
        this.kinds.push({ kind: e.kind, chip: this.chip(tok.start, end, 'kind', e.kind) });
        return;
      case 'dynamic':
        this.addVelocity(tok.start, end, e.velocity);
        return;
      case 'style': {
        if (!e.hints) {
          this.chip(tok.start, end, 'style', null, 'style word with no effect on the model');
          this.noEffect.push(this.text.slice(tok.start, end));
          return;
        }
        const value: DescriptorTargets = {};
        for (const [t, a] of e.hints) value[t] = a;
        const chip = this.chip(tok.start, end, 'style', value);
        for (const [t, a] of e.hints) this.contributions.push({ target: t, amount: a, primary: false, chip });
        return;
      }
    }
  }

  addPitch(start: number, end: number, midi: number): void {
    const ok = Number.isInteger(midi) && midi >= 0 && midi <= 127;
    const typed = this.text.slice(start, end);
    if (!ok) this.warnings.push(`pitch ${quote(typed)} is outside MIDI 0–127 (C-1–G9); ignored`);
    const chip = this.chip(start, end, 'pitch', ok ? midi : null, ok ? undefined : 'outside MIDI 0–127');
    if (ok) this.pitches.push({ midi, chip });
  }

  addPitchClass(start: number, end: number, pc: number): void {
    this.pitches.push({ midi: null, pc, chip: this.chip(start, end, 'pitch', null) });
  }

  addVelocity(start: number, end: number, velocity: number): void {
    const typed = this.text.slice(start, end);
    if (velocity < 1 || velocity > 127) {
      this.warnings.push(`velocity ${quote(typed)} is outside 1–127; ignored`);
      this.chip(start, end, 'velocity', null, 'outside 1–127');
      return;
    }
    this.velocities.push({ velocity, chip: this.chip(start, end, 'velocity', velocity) });
  }

  ignore(chip: number, why: string): void {
    this.chips[chip]!.ignored = why;
  }

  resolve(): PromptParse {
    const parse: PromptParse = { text: this.text, descriptorTargets: {}, tokens: this.chips, unknown: this.unknown, warnings: this.warnings };
    const chipText = (i: number) => quote(this.chips[i]!.text);

    // --- instrument: the last strong one; weak ones ("808", "synth") only when there is no strong one.
    const strong = this.instruments.filter((x) => !x.entry.weak);
    const pool = strong.length > 0 ? strong : this.instruments;
    const chosen = pool[pool.length - 1];
    const nameOf = (x: (typeof this.instruments)[number]) => (x.entry.type === 'drum' ? x.entry.class : x.entry.family);
    if (chosen) {
      const distinct = new Set(pool.map(nameOf));
      if (distinct.size > 1) {
        const named = this.chips[chosen.chip]!.text.toLowerCase() === nameOf(chosen) ? '' : ` (${nameOf(chosen)})`;
        this.warnings.push(`several instruments (${pool.map((x) => chipText(x.chip)).join(', ')}): using the last, ${chipText(chosen.chip)}${named}`);
      }
      for (const x of pool) if (x !== chosen && nameOf(x) !== nameOf(chosen)) this.ignore(x.chip, `overridden by ${chipText(chosen.chip)}`);
      for (const x of this.instruments) {
        if (!x.entry.weak || pool.includes(x)) continue;
        // A weak word next to a real instrument is only a style ("808 bass"): its hints still apply.
        const c = this.chips[x.chip]!;
        c.role = 'style';
        c.editable = false;
        const value: DescriptorTargets = {};
        for (const [t, a] of x.entry.hints ?? []) value[t] = a;
        c.value = Object.keys(value).length > 0 ? value : null;
        if (c.value === null) {
          c.ignored = `another instrument, ${chipText(chosen.chip)}, is named`;
          this.noEffect.push(c.text);
        }
      }
      if (chosen.entry.type === 'drum') {
        parse.kind = 'drums';
        parse.class = chosen.entry.class as DrumClass;
      } else {
        parse.kind = 'tonal';
        parse.family = chosen.entry.family as GmFamily;
      }
    }
    // --- kind words
    for (const k of this.kinds) {
      if (parse.kind === undefined) parse.kind = k.kind;
      else if (k.kind !== parse.kind) {
        this.warnings.push(`${chipText(k.chip)} asks for a ${k.kind} model but ${chosen ? chipText(chosen.chip) : 'an earlier word'} is ${parse.kind}; using ${parse.kind}`);
        this.ignore(k.chip, `the instrument is ${parse.kind}`);
      }
    }
    const kind = parse.kind;

    // --- register: the last one wins
    const lastReg = this.registers[this.registers.length - 1];
    if (lastReg) {
      const signs = new Set(this.registers.map((r) => Math.sign(r.amount)));
      if (signs.size > 1) this.warnings.push(`conflicting registers (${this.registers.map((r) => chipText(r.chip)).join(', ')}): the later one, ${chipText(lastReg.chip)}, wins`);
      parse.register = round3(lastReg.amount);
      if (kind === 'drums') {
        this.contributions.push({ target: 'brightness', amount: lastReg.amount * DRUM_REGISTER_BRIGHTNESS, primary: false, chip: lastReg.chip });
      }
    }

    // --- pitch
    const lastPitch = this.pitches[this.pitches.length - 1];
    if (lastPitch) {
      const distinct = new Set(this.pitches.map((p) => p.midi ?? `pc${p.pc}`));
      if (distinct.size > 1) this.warnings.push(`several pitches (${this.pitches.map((p) => chipText(p.chip)).join(', ')}): using the last, ${chipText(lastPitch.chip)}`);
      for (const p of this.pitches) if (p !== lastPitch) this.ignore(p.chip, `overridden by ${chipText(lastPitch.chip)}`);
      if (kind === 'drums') {
        this.warnings.push(`pitch ${chipText(lastPitch.chip)} ignored: the drums model has no pitch`);
        for (const p of this.pitches) this.ignore(p.chip, 'the drums model has no pitch');
      } else {
        const midi = lastPitch.midi ?? nearestOfClass(lastPitch.pc!, registerPitch(parse.family, parse.register ?? 0));
        this.chips[lastPitch.chip]!.value = midi;
        parse.pitch = midi;
        if (lastReg && kind === 'tonal') {
          this.warnings.push(`register ${chipText(lastReg.chip)} ignored: an explicit pitch, ${chipText(lastPitch.chip)}, is given`);
          if (this.chips[lastReg.chip]!.role === 'register') this.ignore(lastReg.chip, 'an explicit pitch is given');
        }
        const [lo, hi] = familyRange(parse.family);
        if (parse.family && (midi < lo || midi > hi)) {
          this.warnings.push(`pitch ${noteName(midi)} is outside the range the ${parse.family} family was trained on (${noteName(lo)}–${noteName(hi)})`);
        }
      }
    } else if (lastReg && kind === 'tonal') {
      parse.pitch = registerPitch(parse.family, lastReg.amount);
    }

    // --- velocity
    const lastVel = this.velocities[this.velocities.length - 1];
    if (lastVel) {
      if (new Set(this.velocities.map((v) => v.velocity)).size > 1) {
        this.warnings.push(`several velocities (${this.velocities.map((v) => chipText(v.chip)).join(', ')}): using the last, ${chipText(lastVel.chip)}`);
      }
      for (const v of this.velocities) if (v !== lastVel) this.ignore(v.chip, `overridden by ${chipText(lastVel.chip)}`);
      if (kind === 'drums') {
        this.warnings.push(`velocity ${chipText(lastVel.chip)} ignored: the drums model has no velocity`);
        for (const v of this.velocities) this.ignore(v.chip, 'the drums model has no velocity');
      } else {
        parse.velocity = lastVel.velocity;
      }
    }

    // --- descriptor targets: primary words decide; secondary hints fill in.
    for (const t of PROMPT_TARGETS) {
      const mine = this.contributions.filter((c) => c.target === t && c.amount !== 0);
      const primary = mine.filter((c) => c.primary);
      const group = primary.length > 0 ? primary : mine;
      if (group.length === 0) continue;
      const last = group[group.length - 1]!;
      const conflict = group.some((c) => Math.sign(c.amount) !== Math.sign(last.amount));
      let amount: number;
      if (conflict) {
        amount = last.amount;
        if (primary.length > 0) {
          const losers = group.filter((c) => Math.sign(c.amount) !== Math.sign(last.amount));
          this.warnings.push(`conflicting words for ${t}: ${[...new Set(group.map((c) => chipText(c.chip)))].join(' and ')}; the later one, ${chipText(last.chip)}, wins`);
          for (const l of losers) if (this.chips[l.chip]!.ignored === undefined) this.ignore(l.chip, `${t} overridden by ${chipText(last.chip)}`);
        }
      } else {
        amount = group.reduce((best, c) => (Math.abs(c.amount) > Math.abs(best) ? c.amount : best), 0);
      }
      if (Math.abs(amount) > MAX_SIGMA) {
        this.warnings.push(`${t} ${fmtSigma(round3(amount))} capped at ${fmtSigma(Math.sign(amount) * MAX_SIGMA)}`);
        amount = Math.sign(amount) * MAX_SIGMA;
      }
      parse.descriptorTargets[t] = round3(amount);
    }

    if (this.noEffect.length > 0) this.warnings.push(`no effect on the sound: ${this.noEffect.map(quote).join(', ')}`);
    if (this.unknown.length > 0) {
      const list = this.unknown.map((u) => {
        const s = suggestWord(u.toLowerCase());
        if (s) return `${quote(u)} (did you mean ${quote(s)}?)`;
        if (/^\d+$/.test(u)) return `${quote(u)} (for a pitch write "midi ${u}", for a velocity "velocity ${u}")`;
        return quote(u);
      });
      this.warnings.push(`unknown word${this.unknown.length > 1 ? 's' : ''} ignored: ${list.join(', ')}`);
    }
    return parse;
  }
}

/** Roles that carry content: a prompt needs at least one. */
const CONTENT_ROLES: readonly ChipRole[] = ['instrument', 'kind', 'pitch', 'register', 'velocity', 'descriptor'];

/**
 * Parse a prompt. Throws a PromptError (one line) when the prompt is empty,
 * longer than MAX_PROMPT_LENGTH, or contains nothing recognizable.
 */
export function parsePrompt(text: string): PromptParse {
  if (typeof text !== 'string') throw new PromptError('empty', `prompt: expected text, got ${typeof text}`);
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed.length === 0) throw new PromptError('empty', `prompt: empty; describe a sound, e.g. "${EXAMPLE_PROMPT}"`);
  if (trimmed.length > MAX_PROMPT_LENGTH) {
    throw new PromptError('too-long', `prompt: ${trimmed.length} characters, the limit is ${MAX_PROMPT_LENGTH}; shorten it`);
  }
  const p = new Parser(trimmed);
  p.run(tokenize(trimmed));
  const parse = p.resolve();
  const content = parse.tokens.some((c) => CONTENT_ROLES.includes(c.role) || (c.role === 'style' && c.value !== null));
  if (!content) {
    const unknown = parse.unknown.length > 0 ? ` (unknown: ${parse.unknown.join(', ')})` : '';
    throw new PromptError('unrecognized', `prompt: nothing recognizable${unknown}; name an instrument or a quality, e.g. "${EXAMPLE_PROMPT}"`);
  }
  return parse;
}

/** parsePrompt without throwing, for UIs that parse as the user types. */
export function tryParsePrompt(text: string): { ok: true; parse: PromptParse } | { ok: false; error: string; code: PromptError['code'] } {
  try {
    return { ok: true, parse: parsePrompt(text) };
  } catch (e) {
    if (e instanceof PromptError) return { ok: false, error: e.message, code: e.code };
    throw e;
  }
}

/** Targets as text, e.g. "brightness −1σ, decay +1.25σ"; "—" when none. */
export function formatTargets(t: DescriptorTargets): string {
  const parts = PROMPT_TARGETS.filter((k) => t[k] !== undefined).map((k) => `${k} ${fmtSigma(t[k]!)}`);
  return parts.length > 0 ? parts.join(', ') : '—';
}

/** One-line summary of a parse, e.g. `kick · brightness −1σ, decay +1.25σ, punch +1σ`. */
export function summarizeParse(p: PromptParse): string {
  const parts = [p.class ?? p.family ?? (p.kind ? `(${p.kind})` : '(no instrument)')];
  if (p.pitch !== undefined) parts.push(noteName(p.pitch));
  else if (p.register !== undefined) parts.push(`register ${p.register > 0 ? '+' : ''}${p.register}`);
  if (p.velocity !== undefined) parts.push(`velocity ${p.velocity}`);
  if (Object.keys(p.descriptorTargets).length > 0) parts.push(formatTargets(p.descriptorTargets));
  return parts.join(' · ');
}
