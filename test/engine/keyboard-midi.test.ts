/**
 * MIDI routing between pads and keyboard, MIDI events → keyboard calls, and
 * the computer keyboard's piano keys.
 */
import { describe, expect, it } from 'vitest';
import { applyToKeyboard, parseKeyChannel, parsePadChannel, routeChannel, type KeyboardTarget } from '../../src/engine/keyboard-midi.js';
import { ComputerKeyboard, KEYBOARD_NOTE_CODES, KEYBOARD_PAD_CODES, OCTAVE_DOWN_CODE, OCTAVE_UP_CODE } from '../../src/midi/keyboard.js';
import { MidiParser } from '../../src/midi/parser.js';

describe('routing', () => {
  it('GM drum channel 10 → pads, every other channel → keyboard', () => {
    expect(routeChannel(10, 10, 'others')).toBe('pads');
    for (const ch of [1, 2, 9, 11, 16]) expect(routeChannel(ch, 10, 'others')).toBe('keys');
  });

  it('a keyboard channel of its own, omni pads, and switching either off', () => {
    expect(routeChannel(1, 10, 2)).toBeNull();
    expect(routeChannel(2, 10, 2)).toBe('keys');
    expect(routeChannel(5, 'omni', 'others')).toBe('pads');
    expect(routeChannel(10, 'off', 'others')).toBe('keys');
    expect(routeChannel(3, 10, 'off')).toBeNull();
  });

  it('parses the URL parameters and names the bad one', () => {
    expect(parsePadChannel(null)).toBe(10);
    expect(parsePadChannel('omni')).toBe('omni');
    expect(parsePadChannel('3')).toBe(3);
    expect(parseKeyChannel(null)).toBe('others');
    expect(parseKeyChannel('16')).toBe(16);
    expect(parseKeyChannel('off')).toBe('off');
    expect(() => parsePadChannel('17')).toThrow('?channel=17: expected a MIDI channel 1–16, omni or off');
    expect(() => parseKeyChannel('1.5')).toThrow('?keychannel=1.5: expected a MIDI channel 1–16, others or off');
    expect(() => parseKeyChannel('omni')).toThrow(/keychannel=omni/);
  });
});

describe('MIDI → keyboard', () => {
  function recorder() {
    const calls: string[] = [];
    const kb: KeyboardTarget = {
      noteOn: (c, n, v) => (calls.push(`on ${c} ${n} ${v}`), true),
      noteOff: (c, n) => void calls.push(`off ${c} ${n}`),
      sustain: (c, d) => void calls.push(`pedal ${c} ${d ? 'down' : 'up'}`),
      pitchBend: (c, v) => void calls.push(`bend ${c} ${v}`),
      allNotesOff: (c) => void calls.push(`all off ${c}`),
    };
    return { calls, kb };
  }

  it('note-on, note-off, note-on with velocity 0, sustain, pitch bend and all-notes-off', () => {
    const { calls, kb } = recorder();
    const p = new MidiParser();
    const bytes = [
      0x90, 60, 100, // note-on ch 1
      0x90, 60, 0, // velocity 0 = note-off
      0x81, 62, 64, // note-off ch 2
      0xb0, 64, 127, // pedal down
      0xb0, 64, 0, // pedal up
      0xe0, 0x7f, 0x7f, // bend full up (16383)
      0xb0, 123, 0, // all notes off
      0xb0, 7, 100, // volume: not for the keyboard
    ];
    const handled = p.push(bytes).map((ev) => applyToKeyboard(ev, kb));
    expect(calls).toEqual(['on 1 60 100', 'off 1 60', 'off 2 62', 'pedal 1 down', 'pedal 1 up', 'bend 1 16383', 'all off 1']);
    expect(handled).toEqual([true, true, true, true, true, true, true, false]);
  });
});

describe('computer keyboard', () => {
  const key = (code: string, extra: Partial<{ shiftKey: boolean; repeat: boolean; ctrlKey: boolean }> = {}) => ({
    code, repeat: false, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...extra,
  });

  it('a chromatic octave on keys no pad uses, from C4', () => {
    for (const code of [...KEYBOARD_NOTE_CODES, OCTAVE_DOWN_CODE, OCTAVE_UP_CODE]) expect(KEYBOARD_PAD_CODES).not.toContain(code);
    const ck = new ComputerKeyboard();
    const notes = KEYBOARD_NOTE_CODES.map((c) => ck.keyDown(key(c)));
    expect(notes.map((a) => (a?.type === 'noteon' ? a.note : null))).toEqual(Array.from({ length: 12 }, (_, i) => 60 + i));
    expect(ck.keyDown(key('KeyZ'))).toBeNull(); // a pad key
  });

  it('key-up ends the note its key started, even after an octave change; repeats and shortcuts are ignored', () => {
    const ck = new ComputerKeyboard();
    expect(ck.keyDown(key('KeyJ', { shiftKey: true }))).toEqual({ type: 'noteon', note: 64, velocity: 127 });
    expect(ck.keyDown(key('KeyJ', { repeat: true }))).toBeNull();
    expect(ck.keyDown(key('KeyH', { ctrlKey: true }))).toBeNull();
    expect(ck.keyDown(key(OCTAVE_UP_CODE))).toEqual({ type: 'octave', base: 72 });
    expect(ck.keyDown(key('KeyG'))).toEqual({ type: 'noteon', note: 72, velocity: 100 });
    expect(ck.keyUp('KeyJ')).toEqual({ type: 'noteoff', note: 64 });
    expect(ck.keyUp('KeyJ')).toBeNull();
    expect(ck.releaseAll()).toEqual([{ type: 'noteoff', note: 72 }]);
    for (let i = 0; i < 10; i++) ck.keyDown(key(OCTAVE_DOWN_CODE));
    expect(ck.base).toBe(12);
    expect(() => new ComputerKeyboard(61.5)).toThrow('keyboard octave base must be an integer note 12–108, got 61.5');
  });
});
