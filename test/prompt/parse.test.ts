import { describe, expect, it } from 'vitest';
import { DRUM_CLASSES, GM_FAMILIES } from '../../src/constants.js';
import {
  LEXICON, MAX_PROMPT_LENGTH, PromptError, STOP_WORDS, parsePrompt, summarizeParse, tryParsePrompt, type PromptParse,
} from '../../src/prompt/index.js';
import { EXAMPLES } from './examples.js';

describe('parsePrompt: example table', () => {
  it('has at least 40 examples, all distinct', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(EXAMPLES.map((e) => e.prompt)).size).toBe(EXAMPLES.length);
  });

  for (const ex of EXAMPLES) {
    it(`"${ex.prompt}"`, () => {
      const p = parsePrompt(ex.prompt);
      expect(p.kind).toBe(ex.kind);
      expect(p.class).toBe(ex.class);
      expect(p.family).toBe(ex.family);
      expect(p.pitch).toBe(ex.pitch);
      expect(p.velocity).toBe(ex.velocity);
      if (ex.register !== undefined) expect(p.register).toBe(ex.register);
      expect(p.descriptorTargets).toEqual(ex.targets);
      expect(p.unknown).toEqual(ex.unknown ?? []);
      const expected = ex.warnings ?? [];
      expect(p.warnings, p.warnings.join('\n')).toHaveLength(expected.length);
      for (const re of expected) expect(p.warnings.some((w) => re.test(w)), `${re} in ${JSON.stringify(p.warnings)}`).toBe(true);
    });
  }
});

const targets = (text: string) => parsePrompt(text).descriptorTargets;

describe('parsePrompt: negation and intensifiers', () => {
  it('scales by the intensifier, "very" 1.5, "super" 2, "slightly" 0.5, "a bit" 0.5, "extremely" 2', () => {
    expect(targets('bright kick').brightness).toBe(1);
    expect(targets('very bright kick').brightness).toBe(1.5);
    expect(targets('super bright kick').brightness).toBe(2);
    expect(targets('extremely bright kick').brightness).toBe(2);
    expect(targets('slightly bright kick').brightness).toBe(0.5);
    expect(targets('a bit bright kick').brightness).toBe(0.5);
    expect(targets('very very bright kick').brightness).toBe(2.25);
  });

  it('"not X" is half of the opposite, "not too X" a quarter, "no X" / "without X" 1.5× the opposite', () => {
    expect(targets('not bright hat').brightness).toBe(-0.5);
    expect(targets('not too bright hat').brightness).toBe(-0.25);
    expect(targets('not very bright hat').brightness).toBe(-0.5);
    expect(targets('less noisy hat').noisiness).toBe(-0.5);
    expect(targets('kick, no tail').decay).toBe(-1.5);
    expect(targets('kick without a tail').decay).toBe(-1.5);
    expect(targets('noise-free pad').noisiness).toBe(-1.5);
    expect(targets('not dark kick').brightness).toBe(0.5);
  });

  it('negates every effect of a multi-effect word', () => {
    expect(targets('not boomy tom')).toEqual({ decay: -0.5, brightness: 0.25 });
  });

  it('merges a modifier, the stop-words after it and its word into one chip', () => {
    const p = parsePrompt('kick without a tail');
    expect(p.tokens.map((c) => [c.text, c.role])).toEqual([['kick', 'instrument'], ['without a tail', 'descriptor']]);
    expect(p.tokens[1]!.value).toEqual({ decay: -1.5 });
  });

  it('warns about a modifier with nothing to modify, and keeps it as a chip', () => {
    const p = parsePrompt('kick very');
    expect(p.warnings).toEqual(['"very" modifies nothing (end of prompt); ignored']);
    expect(p.tokens[1]).toMatchObject({ text: 'very', role: 'modifier', value: 1.5, editable: false });
    const q = parsePrompt('not a kick');
    expect(q.class).toBe('kick');
    expect(q.warnings[0]).toMatch(/"not" cannot modify an instrument; ignored/);
  });

  it('caps a target at ±3σ with a warning', () => {
    const p = parsePrompt('super super dark kick');
    expect(p.descriptorTargets.brightness).toBe(-3);
    expect(p.warnings).toEqual(['brightness −4σ capped at −3σ']);
  });
});

describe('parsePrompt: conflicts', () => {
  it('opposite words for one descriptor: warning, the later wins, the loser chip is marked', () => {
    const p = parsePrompt('dark kick, bright');
    expect(p.descriptorTargets.brightness).toBe(1);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(/conflicting words for brightness: "dark" and "bright"; the later one, "bright", wins/);
    expect(p.tokens[0]!.ignored).toMatch(/overridden by "bright"/);
  });

  it('same-direction words keep the strongest, without a warning', () => {
    const p = parsePrompt('bright crisp hat');
    expect(p.descriptorTargets.brightness).toBe(1);
    expect(p.warnings).toEqual([]);
  });

  it('a word aimed at a descriptor beats another word\'s secondary hint, silently', () => {
    // "boomy" hints brightness −0.5; "bright" is aimed at brightness.
    const p = parsePrompt('bright boomy tom');
    expect(p.descriptorTargets).toEqual({ brightness: 1, decay: 1 });
    expect(p.warnings).toEqual([]);
  });

  it('weak instruments ("808", "synth") yield to a named one; 808 keeps its hint', () => {
    expect(parsePrompt('808 clap')).toMatchObject({ class: 'clap', descriptorTargets: { decay: 0.5 }, warnings: [] });
    const s = parsePrompt('synth bass');
    expect(s.family).toBe('bass');
    expect(parsePrompt('synth strings').warnings).toEqual(['no effect on the sound: "synth"']);
  });

  it('drum vs tonal instruments: the later wins with a warning', () => {
    const p = parsePrompt('kick piano');
    expect(p).toMatchObject({ kind: 'tonal', family: 'piano' });
    expect(p.class).toBeUndefined();
    expect(p.warnings[0]).toMatch(/several instruments/);
  });

  it('a kind word that disagrees with the instrument is overridden with a warning', () => {
    const p = parsePrompt('drum piano');
    expect(p.kind).toBe('tonal');
    expect(p.warnings[0]).toMatch(/"drum" asks for a drums model but "piano" is tonal/);
    expect(parsePrompt('bright drums')).toMatchObject({ kind: 'drums', descriptorTargets: { brightness: 1 } });
  });

  it('several pitches or velocities: the last wins with a warning', () => {
    const p = parsePrompt('bass C2 E2');
    expect(p.pitch).toBe(40);
    expect(p.warnings[0]).toMatch(/several pitches/);
    const v = parsePrompt('piano pp velocity 100');
    expect(v.velocity).toBe(100);
    expect(v.warnings[0]).toMatch(/several velocities/);
  });

  it('an explicit pitch beats a register word, with a warning', () => {
    const p = parsePrompt('high bass in C1');
    expect(p.pitch).toBe(24);
    expect(p.warnings.some((w) => /register "high" ignored: an explicit pitch/.test(w))).toBe(true);
  });

  it('drums drop pitch and velocity with warnings', () => {
    const p = parsePrompt('snare velocity 90 A2');
    expect(p.pitch).toBeUndefined();
    expect(p.velocity).toBeUndefined();
    expect(p.warnings).toEqual(['pitch "A2" ignored: the drums model has no pitch', 'velocity "velocity 90" ignored: the drums model has no velocity']);
  });
});

describe('parsePrompt: pitch', () => {
  it.each([
    ['bass C2', 36], ['bass c2', 36], ['bass A#3', 58], ['bass Bb1', 34], ['bass B♭1', 34], ['bass F♯2', 42],
    ['bass midi 36', 36], ['bass note 40', 40], ['bass midi note 41', 41], ['bass 55hz', 33], ['bass 55 Hz', 33],
    ['bass in the key of E', 52], ['bass key of G', 43], ['piano in A', 57], ['piano C-1', 0],
  ])('%s → %i', (text, midi) => {
    expect(parsePrompt(text).pitch).toBe(midi);
  });

  it('"in a" is English, not the key of A', () => {
    const p = parsePrompt('snare in a room');
    expect(p.tokens.map((c) => c.role)).toEqual(['instrument', 'stop', 'stop', 'descriptor']);
    expect(p.descriptorTargets).toEqual({ decay: 0.75 });
  });

  it('registers pick a pitch within the family range; drums turn them into brightness', () => {
    expect(parsePrompt('low piano').pitch).toBe(48);
    expect(parsePrompt('mid piano').pitch).toBe(60);
    expect(parsePrompt('high piano').pitch).toBe(84);
    expect(parsePrompt('very low bass').pitch).toBe(24 + 12);
    expect(parsePrompt('low tom').descriptorTargets).toEqual({ brightness: -0.75 });
    expect(parsePrompt('lowish tom').descriptorTargets).toEqual({ brightness: -0.375 });
    const none = parsePrompt('low, dark');
    expect(none.kind).toBeUndefined();
    expect(none.register).toBe(-1);
    expect(none.pitch).toBeUndefined();
  });

  it('rejects out-of-range notes and velocities with warnings', () => {
    const p = parsePrompt('piano C10 velocity 200');
    expect(p.pitch).toBeUndefined();
    expect(p.velocity).toBeUndefined();
    expect(p.warnings).toEqual(['pitch "C10" is outside MIDI 0–127 (C-1–G9); ignored', 'velocity "velocity 200" is outside 1–127; ignored']);
  });

  it('warns for a pitch outside the family\'s trained range', () => {
    expect(parsePrompt('bass C7').warnings).toEqual(['pitch C7 is outside the range the bass family was trained on (E1–E4)']);
  });
});

describe('parsePrompt: tokens and unknown words', () => {
  it('reports unknown words in order, with suggestions, and never drops them', () => {
    const p = parsePrompt('zorbly punchy kik with wobble 36');
    expect(p.class).toBe('kick');
    expect(p.unknown).toEqual(['zorbly', 'wobble', '36']);
    expect(p.warnings).toEqual(['unknown words ignored: "zorbly", "wobble", "36" (for a pitch write "midi 36", for a velocity "velocity 36")']);
    expect(p.tokens.filter((c) => c.role === 'unknown').map((c) => c.text)).toEqual(['zorbly', 'wobble', '36']);
    expect(parsePrompt('snare, punhcy').warnings[0]).toMatch(/"punhcy" \(did you mean "punchy"\?\)/);
  });

  it('chips cover the prompt: text, positions, roles, editability', () => {
    const text = '  Very Bright open hi-hat, A2 pp, the sample ';
    const p = parsePrompt(text);
    expect(p.text).toBe(text.trim());
    for (const c of p.tokens) expect(p.text.slice(c.start, c.end)).toBe(c.text);
    expect(p.tokens.map((c) => [c.text, c.role, c.editable])).toEqual([
      ['Very Bright', 'descriptor', true], ['open hi-hat', 'instrument', true], ['A2', 'pitch', true],
      ['pp', 'velocity', true], ['the', 'stop', false], ['sample', 'stop', false],
    ]);
    expect(p.tokens[0]!.value).toEqual({ brightness: 1.5 });
  });

  it('reports symbols and emoji as unknown; collapses whitespace so messages stay one line', () => {
    const p = parsePrompt('kick 🥁 ~~\n\n  very\tbright');
    expect(p.text).toBe('kick 🥁 ~~ very bright');
    expect(p.unknown).toEqual(['🥁', '~~']);
    expect(p.tokens.at(-1)).toMatchObject({ text: 'very bright', role: 'descriptor' });
    for (const w of p.warnings) expect(w).not.toMatch(/\n/);
  });

  it('ignores the listed stop-words and keeps them as stop chips', () => {
    for (const w of ['a', 'with', 'and', 'the', 'sound', 'sample', 'one-shot']) {
      expect(STOP_WORDS.includes(w.replace('-', ' '))).toBe(true);
    }
    const p = parsePrompt('a kick sound sample one-shot with the and');
    expect(p.unknown).toEqual([]);
    expect(p.warnings).toEqual([]);
    expect(p.tokens.filter((c) => c.role === 'stop').map((c) => c.text)).toEqual(['a', 'sound', 'sample', 'one-shot', 'with', 'the', 'and']);
  });

  it('understands plurals, hyphens, "-ish", possessives and punctuation', () => {
    expect(parsePrompt('kicks').class).toBe('kick');
    expect(parsePrompt('Hi-Hats!').class).toBe('closed-hat');
    expect(parsePrompt('warmish keys').descriptorTargets).toEqual({ brightness: -0.375 });
    expect(parsePrompt("808's").class).toBe('kick');
    expect(parsePrompt('(bright) snare; short.').descriptorTargets).toEqual({ brightness: 1, decay: -1 });
    expect(parsePrompt('hard-hitting kick').descriptorTargets).toEqual({ punch: 1.25, loudness: 0.5 });
    expect(parsePrompt('long-tail crash').descriptorTargets).toEqual({ decay: 1.25 });
  });

  it('maps the documented synonyms', () => {
    const cls = (t: string) => {
      const p = parsePrompt(t);
      return p.class ?? p.family;
    };
    expect(['kick', 'bd', '808', 'kick drum', 'bass drum'].map(cls)).toEqual(Array(5).fill('kick'));
    expect(['rimshot', 'sidestick', 'side stick', 'rim'].map(cls)).toEqual(Array(4).fill('rim'));
    expect(['hat', 'hihat', 'hi-hat', 'hh', 'closed hat'].map(cls)).toEqual(Array(5).fill('closed-hat'));
    expect(['open hat', 'open hihat', 'ohh'].map(cls)).toEqual(Array(3).fill('open-hat'));
    expect(['cowbell', 'conga', 'shaker', 'tambourine'].map(cls)).toEqual(Array(4).fill('perc'));
    expect(['rhodes', 'ep', 'electric piano', 'piano'].map(cls)).toEqual(Array(4).fill('piano'));
    expect(['bell', 'mallet', 'vibraphone', 'marimba'].map(cls)).toEqual(Array(4).fill('chromatic-percussion'));
    expect(['pad', 'lead', 'strings', 'brass', 'organ', 'pluck', 'bass'].map(cls))
      .toEqual(['synth-pad', 'synth-lead', 'strings', 'brass', 'organ', 'guitar', 'bass']);
  });

  it('every drum class and GM family is reachable from its own name or a word', () => {
    const reachable = new Set<string>();
    for (const e of LEXICON.values()) {
      if (e.type === 'drum') reachable.add(e.class);
      if (e.type === 'tonal') reachable.add(e.family);
    }
    for (const c of [...DRUM_CLASSES, ...GM_FAMILIES]) expect(reachable.has(c), c).toBe(true);
  });

  it('summarizes a parse in one line', () => {
    expect(summarizeParse(parsePrompt('punchy dark 808 kick with a long tail'))).toBe('kick · brightness −1σ, decay +1.25σ, punch +1σ');
    expect(summarizeParse(parsePrompt('soft low bass'))).toBe('bass · C2 · punch −0.5σ, loudness −1σ');
  });

  it('is deterministic and does not share state between calls', () => {
    const a: PromptParse = parsePrompt('very bright hat, not too noisy');
    const b = parsePrompt('very bright hat, not too noisy');
    expect(b).toEqual(a);
  });
});

describe('parsePrompt: malformed prompts', () => {
  const fails = (text: string, code: string, re: RegExp) => {
    let err: unknown;
    try {
      parsePrompt(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromptError);
    expect((err as PromptError).code).toBe(code);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
  };

  it('rejects empty and whitespace-only prompts', () => {
    fails('', 'empty', /^prompt: empty; describe a sound/);
    fails('  \n\t ', 'empty', /^prompt: empty/);
  });

  it(`rejects prompts over ${MAX_PROMPT_LENGTH} characters, counting after trimming`, () => {
    fails('kick '.repeat(61), 'too-long', /^prompt: 304 characters, the limit is 300/);
    expect(parsePrompt(`  ${'k'.repeat(0)}${'kick '.repeat(59)}kick  `).class).toBe('kick');
  });

  it('rejects prompts with nothing recognizable, naming the unknown words', () => {
    fails('foo bar', 'unrecognized', /^prompt: nothing recognizable \(unknown: foo, bar\); name an instrument or a quality/);
    fails('the a with', 'unrecognized', /nothing recognizable;/);
    fails('very not', 'unrecognized', /nothing recognizable/);
    fails('techno', 'unrecognized', /nothing recognizable/);
    fails('!!! ???', 'unrecognized', /nothing recognizable/);
  });

  it('rejects non-string input', () => {
    fails(undefined as unknown as string, 'empty', /expected text/);
  });

  it('tryParsePrompt returns the error instead of throwing', () => {
    expect(tryParsePrompt('   ')).toEqual({ ok: false, code: 'empty', error: expect.stringMatching(/^prompt: empty/) });
    const r = tryParsePrompt('kick');
    expect(r.ok && r.parse.class).toBe('kick');
  });
});
