/**
 * The knob's value math (src/app/format.ts), which <dd-knob> and MIDI learn
 * use: keyboard increments (Shift finer), drag and wheel, snapping, the
 * knob-id grammar presets store, and unit formatting.
 */
import { describe, expect, it } from 'vitest';
import { arrowIncrement, DRAG_PIXELS, dragValue, formatValue, keyValue, PAD_KNOBS, pageIncrement, parseKnobId, snap, wheelValue } from '../../src/app/format.js';

const seed = { min: 0, max: 9999, step: 1 };
const guidance = { min: 1, max: 8, step: 0.1 };
const pan = { min: -1, max: 1, step: 0.01 };

describe('knob keyboard', () => {
  it('arrows move 1 % of the range (at least a step), Shift one step', () => {
    expect(arrowIncrement(seed, false)).toBe(100);
    expect(arrowIncrement(seed, true)).toBe(1);
    expect(arrowIncrement(guidance, false)).toBeCloseTo(0.1, 12); // 1 % = 0.07 < one step
    expect(keyValue('ArrowUp', false, 500, seed, 0)).toBe(600);
    expect(keyValue('ArrowRight', true, 500, seed, 0)).toBe(501);
    expect(keyValue('ArrowDown', false, 3, guidance, 3)).toBe(2.9);
    expect(keyValue('ArrowLeft', true, 0, pan, 0)).toBe(-0.01);
  });

  it('Page Up/Down move 10 % (Shift 1 %), Home/End go to the ends, Delete resets, other keys do nothing', () => {
    expect(pageIncrement(pan, false)).toBeCloseTo(0.2, 12);
    expect(keyValue('PageUp', false, 0, pan, 0)).toBe(0.2);
    expect(keyValue('PageDown', true, 0, pan, 0)).toBe(-0.02);
    expect(keyValue('Home', false, 0.3, pan, 0)).toBe(-1);
    expect(keyValue('End', false, 0.3, pan, 0)).toBe(1);
    expect(keyValue('Delete', false, 0.3, pan, 0.1)).toBe(0.1);
    expect(keyValue('Backspace', false, 7, guidance, 3)).toBe(3);
    expect(keyValue('a', false, 0.3, pan, 0)).toBeNull();
    expect(keyValue('Enter', false, 0.3, pan, 0)).toBeNull();
  });

  it('clamps at the ends and snaps to the step without float dust', () => {
    expect(keyValue('ArrowUp', false, 9950, seed, 0)).toBe(9999);
    expect(keyValue('PageDown', false, -0.95, pan, 0)).toBe(-1);
    expect(keyValue('ArrowUp', false, 0.2, { min: 0, max: 1, step: 0.1 }, 0)).toBe(0.3); // not 0.30000000000000004
    expect(snap(0.123, 0, 1, 0.05)).toBe(0.1);
    expect(snap(5, 1, 8, 0)).toBe(5);
  });
});

describe('knob drag and wheel', () => {
  it(`a drag of ${DRAG_PIXELS} px covers the range; Shift is ten times finer`, () => {
    expect(dragValue(-1, DRAG_PIXELS, false, pan)).toBe(1);
    expect(dragValue(0, DRAG_PIXELS / 2, false, pan)).toBe(1);
    expect(dragValue(0, -DRAG_PIXELS / 4, false, pan)).toBe(-0.5);
    expect(dragValue(0, DRAG_PIXELS / 4, true, pan)).toBe(0.05);
    expect(dragValue(0, 10_000, false, pan)).toBe(1);
    expect(dragValue(5000, 1, false, seed)).toBe(5050);
    expect(dragValue(5000, 1, true, seed)).toBe(5005);
  });

  it('a wheel notch up (deltaY < 0) adds 1 %, down subtracts, Shift one step, no delta no change', () => {
    expect(wheelValue(0, -100, false, pan)).toBe(0.02);
    expect(wheelValue(0, 3, false, pan)).toBe(-0.02);
    expect(wheelValue(5000, -1, true, seed)).toBe(5001);
    expect(wheelValue(0.5, 0, false, pan)).toBe(0.5);
  });
});

describe('knob ids and formats', () => {
  it('parses global and pad knob ids and rejects the rest', () => {
    expect(parseKnobId('guidance')).toEqual({ scope: 'global', name: 'guidance' });
    expect(parseKnobId('pad.3.gainDb')).toEqual({ scope: 'pad', pad: 3, name: 'gainDb' });
    expect(parseKnobId('pad.15.variation')).toEqual({ scope: 'pad', pad: 15, name: 'variation' });
    expect(parseKnobId('pad.3.seed')).toBeNull();
    expect(parseKnobId('pad.x.tune')).toBeNull();
    expect(parseKnobId('3guidance')).toBeNull();
    expect(Object.keys(PAD_KNOBS)).toEqual(['gainDb', 'tune', 'pan', 'decay', 'variation']);
  });

  it('shows values with their units', () => {
    expect(formatValue('sigma', 0)).toBe('auto');
    expect(formatValue('sigma', 1.25)).toBe('+1.25 σ');
    expect(formatValue('sigma', -0.5)).toBe('−0.50 σ');
    expect(formatValue('db', -3)).toBe('−3.0 dB');
    expect(formatValue('guidance', 3)).toBe('3.0×');
    expect(formatValue('pan', -0.25)).toBe('L 25');
    expect(formatValue('decay', 2)).toBe('natural');
    expect(formatValue('decay', 0.3)).toBe('300 ms');
    expect(formatValue('steps', 10)).toBe('10 steps');
  });
});
