/**
 * Preset format v2 and migration from v1: what loads, what is refused and
 * with which one-line message, and that nothing the caller holds is mutated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { padParams, padSound, parseKit } from '../../src/engine/kit.js';
import { kitToPreset, migratePreset, parsePresetText, presetToKit, presetToText } from '../../src/presets/migrate.js';
import { emptyPattern, parsePresetV2, PresetError, type Preset } from '../../src/presets/schema.js';

const root = path.resolve(__dirname, '../..');
const V1_TEXT = readFileSync(path.join(root, 'presets/default-kit.json'), 'utf8');
const V1 = JSON.parse(V1_TEXT) as Record<string, unknown>;

/** A deep-frozen copy: any mutation throws in strict mode. */
function frozen<T>(v: T): T {
  const c = structuredClone(v);
  const freeze = (o: unknown): void => {
    if (typeof o === 'object' && o !== null) {
      Object.freeze(o);
      for (const x of Object.values(o)) freeze(x);
    }
  };
  freeze(c);
  return c;
}

function v2(): Preset {
  return migratePreset(V1, 'default-kit.json');
}

/** Set a value at a dotted path in a copy of `obj`. */
function withField(obj: unknown, dotted: string, value: unknown): unknown {
  const c = structuredClone(obj) as Record<string, unknown>;
  const keys = dotted.split('.');
  let o: Record<string, unknown> = c;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return c;
}

describe('v1 → v2 migration', () => {
  it('migrates the default kit, with the choke groups v1 derived from the classes made explicit', () => {
    const p = v2();
    expect(p.version).toBe(2);
    expect(p.name).toBe('Default kit');
    expect(p.pads).toHaveLength(16);
    expect(p.pads[0]).toMatchObject({ note: 36, class: 'kick', seed: 1001, seedLock: false, variation: null, chokeGroup: 0, chokes: [] });
    const open = p.pads.findIndex((x) => x.class === 'open-hat');
    const closed = p.pads.filter((x) => x.class === 'closed-hat');
    expect(p.pads[open]).toMatchObject({ chokeGroup: 1, chokes: [] });
    expect(closed.length).toBe(2);
    for (const c of closed) expect(c).toMatchObject({ chokeGroup: 0, chokes: [1] });
    expect(p.pads[5]).toMatchObject({ tune: -5, pan: -0.2 });
    expect(p.chokeEnabled).toBe(true);
    expect(p.globals).toEqual({ seed: 0, guidance: null, steps: null, variation: 0.25, timbre: {} });
    expect(p.keyboard.family).toBe('piano');
    expect(p.midi).toEqual([]);
    expect(p.patterns).toEqual([]);
  });

  it('does not mutate the v1 object it reads', () => {
    const input = frozen(V1);
    const before = JSON.stringify(input);
    migratePreset(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('v1 → v2 → Kit plays exactly what the v1 kit played (sound and pad settings of every pad)', () => {
    const kitV1 = parseKit(V1);
    const kit = presetToKit(v2());
    const dflt = { guidance: 3, steps: 10 };
    for (let i = 0; i < 16; i++) {
      expect(padSound(kit, i, dflt)).toEqual(padSound(kitV1, i, dflt));
      expect(padParams(kit, i)).toEqual(padParams(kitV1, i));
    }
    expect(kit.chokeHats).toBe(kitV1.chokeHats);
    expect(kit.model).toBe(kitV1.model);
  });

  it('v1 errors name the field like v2 errors do', () => {
    expect(() => migratePreset(withField(V1, 'pads.3.seed', 'abc'), 'my-kit.json')).toThrow(
      'my-kit.json: pads.3.seed: expected an integer 0–4294967295, got "abc"',
    );
    expect(() => migratePreset(withField(V1, 'pads.3.class', 'cowbell'), 'old.json')).toThrow(/^old\.json: pads\.3\.class: expected a drum class \(kick, .*\), got "cowbell"$/);
  });
});

describe('v2 validation errors: one line, field and value named', () => {
  const cases: [string, unknown, string][] = [
    ['pads.3.seed', 'abc', 'my-kit.json: pads.3.seed: expected an integer 0–4294967295, got "abc"'],
    ['pads.3.seed', -1, 'my-kit.json: pads.3.seed: expected an integer 0–4294967295, got -1'],
    ['pads.3.seed', 1.5, 'my-kit.json: pads.3.seed: expected an integer 0–4294967295, got 1.5'],
    ['pads.0.note', 128, 'my-kit.json: pads.0.note: expected an integer 0–127, got 128'],
    ['pads.2.gainDb', 20, 'my-kit.json: pads.2.gainDb: expected a number -60–12 dB, got 20'],
    ['pads.2.chokeGroup', 32, 'my-kit.json: pads.2.chokeGroup: expected an integer 0–31, got 32'],
    ['pads.2.seedLock', 'yes', 'my-kit.json: pads.2.seedLock: expected true or false, got "yes"'],
    ['globals.seed', 10000, 'my-kit.json: globals.seed: expected an integer 0–9999, got 10000'],
    ['globals.timbre.brightness', 5, 'my-kit.json: globals.timbre.brightness: expected a number 20–22050 Hz, got 5'],
    ['keyboard.family', 'kazoo', 'my-kit.json: keyboard.family: expected a GM family (piano, '],
    ['keyboard.octave', 4, 'my-kit.json: keyboard.octave: expected an integer -3–3, got 4'],
    ['keyboard.rootSpacing', 0, 'my-kit.json: keyboard.rootSpacing: expected an integer 1–12, got 0'],
    ['name', '', 'my-kit.json: name: expected one line of 1–80 characters, got ""'],
    ['description', 'two\nlines', 'my-kit.json: description: expected one line of 0–300 characters, got a line break in "two\\nlines"'],
    ['globals', undefined, 'my-kit.json: globals: expected an object of global settings, got nothing'],
  ];
  for (const [field, value, message] of cases) {
    it(`${field} = ${JSON.stringify(value)}`, () => {
      const bad = withField(v2(), field, value);
      let err: unknown;
      try {
        parsePresetV2(bad, 'my-kit.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PresetError);
      const msg = (err as Error).message;
      expect(msg.startsWith(message)).toBe(true);
      expect(msg).not.toContain('\n');
    });
  }

  it('pattern steps, MIDI mappings and pad count', () => {
    const p = v2();
    const pat = emptyPattern('A');
    pat.steps[4]![7] = 200;
    expect(() => parsePresetV2({ ...p, patterns: [pat] }, 'f.json')).toThrow('f.json: patterns.0.steps.4.7: expected an integer 0–127, got 200');
    const short = emptyPattern('B');
    short.steps[2] = [1, 2, 3];
    expect(() => parsePresetV2({ ...p, patterns: [short] }, 'f.json')).toThrow('f.json: patterns.0.steps.2: expected 16 steps, got an array of 3');
    expect(() => parsePresetV2({ ...p, patterns: [{ ...emptyPattern('C'), swing: 80 }] }, 'f.json')).toThrow('f.json: patterns.0.swing: expected a number 50–75 %, got 80');
    expect(() => parsePresetV2({ ...p, patterns: [{ ...emptyPattern('C'), tempo: 10 }] }, 'f.json')).toThrow('f.json: patterns.0.tempo: expected a number 20–300 BPM, got 10');
    expect(() => parsePresetV2({ ...p, midi: [{ cc: 74, channel: 17, knob: 'guidance' }] }, 'f.json')).toThrow('f.json: midi.0.channel: expected an integer 1–16, got 17');
    expect(() =>
      parsePresetV2({ ...p, midi: [{ cc: 74, channel: 1, knob: 'guidance' }, { cc: 74, channel: 1, knob: 'steps' }] }, 'f.json'),
    ).toThrow('f.json: midi.1: CC 74 on channel 1 is already mapped by midi.0');
    expect(() => parsePresetV2({ ...p, pads: p.pads.slice(0, 15) }, 'f.json')).toThrow('f.json: pads: expected exactly 16 pads, got an array of 15');
  });

  it('accepts a full preset with every optional section, and round-trips through its text', () => {
    const p = v2();
    const pat = emptyPattern('Four on the floor', 128, 58);
    for (let s = 0; s < 16; s += 4) pat.steps[0]![s] = 120;
    const full: Preset = {
      ...p,
      description: 'with everything',
      category: 'tonal',
      globals: { ...p.globals, timbre: { brightness: 300, punch: 0.8 } },
      keyboard: { model: '/models/tonal', family: 'bass', octave: -1, rootSpacing: 4, seed: 99, prompt: 'round bass' },
      midi: [{ cc: 74, channel: 1, knob: 'guidance' }, { cc: 74, channel: 2, knob: 'pad.3.gainDb' }],
      patterns: [pat],
      pads: p.pads.map((x, i) => (i === 0 ? { ...x, prompt: 'dark 808 kick', seedLock: true, variation: 0 } : x)),
    };
    const back = parsePresetText(presetToText(full), 'full.json');
    expect(back).toEqual(full);
  });
});

describe('file-level errors', () => {
  it('a newer version than the app knows', () => {
    expect(() => parsePresetText(JSON.stringify({ ...v2(), version: 3 }), 'future.json')).toThrow(
      'future.json: version: 3 is newer than this app reads (up to 2); update the app to open it',
    );
  });
  it('a missing or odd version', () => {
    expect(() => parsePresetText('{"name":"x"}', 'a.json')).toThrow('a.json: version: missing (expected 1–2)');
    expect(() => parsePresetText('{"version":"2"}', 'a.json')).toThrow('a.json: version: expected an integer 1–2, got "2"');
    expect(() => parsePresetText('[1,2]', 'a.json')).toThrow('a.json: (root): expected a preset object, got an array of 2');
  });
  it('a truncated file, an empty file, not JSON', () => {
    const text = presetToText(v2());
    expect(() => parsePresetText(text.slice(0, text.length / 2), 'cut.json')).toThrow(/^cut\.json: the file is truncated \(/);
    expect(() => parsePresetText('', 'empty.json')).toThrow('empty.json: the file is empty');
    expect(() => parsePresetText('hello', 'x.json')).toThrow(/^x\.json: not valid JSON \(/);
  });
});

describe('Kit ↔ preset', () => {
  it('kitToPreset keeps what the Kit does not carry and takes the drum fields from the kit', () => {
    const base = frozen({ ...v2(), description: 'd', midi: [{ cc: 1, channel: 1, knob: 'variation' }], pads: v2().pads.map((x, i) => (i === 0 ? { ...x, prompt: 'deep kick' } : i === 1 ? { ...x, prompt: 'rim' } : x)) });
    const baseText = JSON.stringify(base);
    const kit = presetToKit(base);
    kit.pads[1]!.seed = 4242; // the rim's sound changed: its prompt no longer describes it
    kit.pads[2]!.gainDb = -6;
    kit.globals.variation = 0.5;
    const out = kitToPreset(kit, base, 'Mine');
    expect(JSON.stringify(base)).toBe(baseText);
    expect(out.name).toBe('Mine');
    expect(out.description).toBe('d');
    expect(out.midi).toEqual(base.midi);
    expect(out.pads[0]!.prompt).toBe('deep kick');
    expect(out.pads[1]!.prompt).toBeUndefined();
    expect(out.pads[1]!.seed).toBe(4242);
    expect(out.pads[2]!.gainDb).toBe(-6);
    expect(out.globals.variation).toBe(0.5);
    expect(out.pads[10]).toMatchObject({ class: 'open-hat', chokeGroup: 1 });
  });

  it('explicit choke groups, seed locks and per-pad variation reach the engine', () => {
    const p = v2();
    p.pads[3] = { ...p.pads[3]!, chokeGroup: 2, chokes: [2, 3], seedLock: true, variation: 0 };
    p.globals.seed = 77;
    const kit = presetToKit(p);
    expect(padParams(kit, 3)).toMatchObject({ chokeGroup: 2, chokes: (1 << 2) | (1 << 3) });
    const s3 = padSound(kit, 3, { guidance: 3, steps: 10 });
    expect(s3.seed).toBe(p.pads[3]!.seed); // locked: the kit seed leaves it alone
    expect(s3.variation).toBe(0);
    expect(padSound(kit, 4, { guidance: 3, steps: 10 }).seed).not.toBe(p.pads[4]!.seed);
    expect(kitToPreset(kit, p)).toEqual(p);
  });
});

describe('shipped presets', () => {
  const files = readdirSync(path.join(root, 'presets')).filter((f) => f.endsWith('.json'));
  it('every file in presets/ loads', () => {
    expect(files).toContain('default-kit.json');
    for (const f of files) {
      const p = parsePresetText(readFileSync(path.join(root, 'presets', f), 'utf8'), f);
      expect(p.pads).toHaveLength(16);
      presetToKit(p);
    }
  });
});
