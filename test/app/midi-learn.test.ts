/**
 * MIDI learn (src/app/midi-learn.ts): arm a knob, move a controller, the
 * mapping is made; later moves set the knob across its range; one knob per
 * controller and one controller per knob; mappings load from a preset's
 * `midi` field and survive the schema.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ccToValue, MidiLearn, type LearnableKnob } from '../../src/app/midi-learn.js';
import { parsePresetV2 } from '../../src/presets/schema.js';

const knobs: Record<string, LearnableKnob> = {
  guidance: { id: 'guidance', min: 1, max: 8, step: 0.1 },
  'pad.3.gainDb': { id: 'pad.3.gainDb', min: -30, max: 6, step: 0.5 },
  brightness: { id: 'brightness', min: -2, max: 2, step: 0.01 },
};
const find = (id: string) => knobs[id];

describe('MidiLearn', () => {
  it('maps the first CC after arming, then that CC moves the knob over its whole range', () => {
    const l = new MidiLearn();
    expect(l.handle(1, 74, 64, find)).toBeNull(); // not armed, not mapped
    l.arm('guidance');
    expect(l.armed).toBe('guidance');
    expect(l.handle(1, 74, 10, find)).toEqual({ type: 'learned', mapping: { cc: 74, channel: 1, knob: 'guidance' }, replaced: [] });
    expect(l.armed).toBeNull();
    expect(l.handle(1, 74, 0, find)).toEqual({ type: 'value', knob: 'guidance', value: 1 });
    expect(l.handle(1, 74, 127, find)).toEqual({ type: 'value', knob: 'guidance', value: 8 });
    expect(l.handle(1, 74, 64, find)).toEqual({ type: 'value', knob: 'guidance', value: 4.5 });
    // Same CC on another channel is another controller.
    expect(l.handle(2, 74, 64, find)).toBeNull();
  });

  it('re-learning moves a CC to the new knob and gives a knob only one CC', () => {
    const l = new MidiLearn();
    l.arm('guidance');
    l.handle(1, 74, 0, find);
    l.arm('pad.3.gainDb');
    const r = l.handle(1, 74, 0, find);
    expect(r).toMatchObject({ type: 'learned', replaced: [{ cc: 74, channel: 1, knob: 'guidance' }] });
    expect(l.mappings).toEqual([{ cc: 74, channel: 1, knob: 'pad.3.gainDb' }]);
    l.arm('pad.3.gainDb');
    l.handle(1, 20, 0, find);
    expect(l.mappings).toEqual([{ cc: 20, channel: 1, knob: 'pad.3.gainDb' }]);
    expect(l.mappingFor('pad.3.gainDb')?.cc).toBe(20);
  });

  it('arming the armed knob again cancels; bad ids and out-of-range messages are refused', () => {
    const l = new MidiLearn();
    l.arm('guidance');
    l.arm('guidance');
    expect(l.armed).toBeNull();
    expect(() => l.arm('no spaces')).toThrow('MIDI learn: knob id "no spaces" is not valid');
    l.arm('guidance');
    expect(l.handle(17, 1, 0, find)).toBeNull();
    expect(l.handle(1, 128, 0, find)).toBeNull();
    expect(l.armed).toBe('guidance');
  });

  it('a mapping to a knob this page does not have does nothing', () => {
    const l = new MidiLearn();
    l.load([{ cc: 1, channel: 10, knob: 'pad.20.tune' }]);
    expect(l.handle(10, 1, 100, find)).toBeNull();
  });

  it('loads a preset\'s mappings (dropping duplicates) and they pass the preset schema', () => {
    const l = new MidiLearn();
    l.load([
      { cc: 74, channel: 1, knob: 'brightness' },
      { cc: 74, channel: 1, knob: 'guidance' },
      { cc: 71, channel: 1, knob: 'brightness' },
      { cc: 7, channel: 10, knob: 'pad.3.gainDb' },
    ]);
    expect(l.mappings).toEqual([{ cc: 74, channel: 1, knob: 'brightness' }, { cc: 7, channel: 10, knob: 'pad.3.gainDb' }]);
    const preset = JSON.parse(readFileSync('presets/punchy.json', 'utf8')) as Record<string, unknown>;
    const parsed = parsePresetV2({ ...preset, midi: l.mappings }, 'punchy.json');
    expect(parsed.midi).toEqual(l.mappings);
    expect(l.handle(10, 7, 127, find)).toEqual({ type: 'value', knob: 'pad.3.gainDb', value: 6 });
  });

  it('ccToValue snaps to the knob step and clamps', () => {
    expect(ccToValue(1, { min: 0, max: 1, step: 0.25 })).toBe(0);
    expect(ccToValue(100, { min: 0, max: 1, step: 0.25 })).toBe(0.75);
    expect(ccToValue(200, { min: -2, max: 2, step: 0.01 })).toBe(2);
  });
});
