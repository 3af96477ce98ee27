import { describe, expect, it } from 'vitest';
import { acceptsChannel, DEFAULT_PAD_NOTES, gmDrumClass, padForNote } from '../../src/midi/gm.js';
import { keyLabel, keyToHit } from '../../src/midi/keyboard.js';
import { MidiParser } from '../../src/midi/parser.js';

const notes = (evs: ReturnType<MidiParser['push']>) =>
  evs.filter((e) => e.type === 'noteon' || e.type === 'noteoff').map((e) => `${e.type}:${(e as { channel: number }).channel}:${(e as { note: number }).note}:${(e as { velocity: number }).velocity}`);

describe('MIDI parser', () => {
  it('parses note on/off with channel numbers 1–16', () => {
    const p = new MidiParser();
    expect(notes(p.push([0x99, 36, 100, 0x89, 36, 64]))).toEqual(['noteon:10:36:100', 'noteoff:10:36:64']);
    expect(notes(p.push([0x90, 60, 1]))).toEqual(['noteon:1:60:1']);
  });

  it('treats note-on with velocity 0 as note-off', () => {
    const p = new MidiParser();
    expect(notes(p.push([0x99, 38, 0]))).toEqual(['noteoff:10:38:0']);
  });

  it('follows running status, also across push() calls and split messages', () => {
    const p = new MidiParser();
    expect(notes(p.push([0x99, 36, 100, 38, 90, 36, 0]))).toEqual(['noteon:10:36:100', 'noteon:10:38:90', 'noteoff:10:36:0']);
    expect(notes(p.push([42]))).toEqual([]);
    expect(notes(p.push([80, 46, 70]))).toEqual(['noteon:10:42:80', 'noteon:10:46:70']);
  });

  it('lets real-time bytes interleave without breaking a message or the running status', () => {
    const p = new MidiParser();
    const evs = p.push([0x99, 0xf8, 36, 0xfe, 100, 0xf8, 38, 0xfa, 90]);
    expect(notes(evs)).toEqual(['noteon:10:36:100', 'noteon:10:38:90']);
    expect(evs.filter((e) => e.type === 'realtime').map((e) => (e as { status: number }).status)).toEqual([0xf8, 0xfe, 0xf8, 0xfa]);
  });

  it('skips sysex and clears running status on system common messages', () => {
    const p = new MidiParser();
    expect(notes(p.push([0x99, 36, 100, 0xf0, 0x7e, 0x10, 0x20, 0xf7, 38, 90]))).toEqual(['noteon:10:36:100']);
    expect(notes(p.push([0x99, 36, 100, 0xf2, 0x10, 0x20, 38, 90]))).toEqual(['noteon:10:36:100']);
    // A new status byte interrupts an unfinished message.
    expect(notes(p.push([0x99, 36, 0x99, 40, 77]))).toEqual(['noteon:10:40:77']);
  });

  it('parses other channel messages with the right lengths (running status too)', () => {
    const p = new MidiParser();
    const evs = p.push([0xc9, 5, 7, 0xb0, 7, 100, 10, 64, 0xe0, 0, 0x40, 0xd0, 33]);
    expect(evs.map((e) => e.type)).toEqual(['program', 'program', 'cc', 'cc', 'pitchbend', 'aftertouch']);
    expect(evs[4]).toMatchObject({ value: 8192 });
  });

  it('stamps the given time and ignores data with no status', () => {
    const p = new MidiParser();
    expect(p.push([36, 100])).toEqual([]);
    expect(p.push([0x99, 36, 100], 123.5)[0]).toMatchObject({ time: 123.5 });
  });
});

describe('GM drum map', () => {
  it('maps GM percussion notes to drum classes', () => {
    const expected: Record<number, string> = {
      35: 'kick', 36: 'kick', 37: 'rim', 38: 'snare', 39: 'clap', 40: 'snare', 42: 'closed-hat', 44: 'closed-hat', 46: 'open-hat',
      41: 'tom', 43: 'tom', 45: 'tom', 47: 'tom', 48: 'tom', 50: 'tom', 49: 'crash', 57: 'crash', 51: 'ride', 59: 'ride',
      54: 'perc', 56: 'perc', 60: 'perc', 75: 'perc', 81: 'perc', 20: 'perc',
    };
    for (const [n, c] of Object.entries(expected)) expect(gmDrumClass(Number(n)), `note ${n}`).toBe(c);
  });

  it('routes notes to pads: exact note first, else the first pad of the class, else none', () => {
    const pads = DEFAULT_PAD_NOTES.map((note) => ({ note, class: gmDrumClass(note) }));
    expect(padForNote(36, pads)).toBe(0);
    expect(padForNote(51, pads)).toBe(15);
    expect(padForNote(35, pads)).toBe(0); // another kick
    expect(padForNote(57, pads)).toBe(13); // crash 2 → crash pad
    expect(padForNote(59, pads)).toBe(15); // ride 2 → ride pad
    expect(padForNote(56, pads)).toBe(-1); // cowbell: no perc pad
    expect(acceptsChannel(10, 10)).toBe(true);
    expect(acceptsChannel(10, 1)).toBe(false);
    expect(acceptsChannel('omni', 3)).toBe(true);
  });
});

describe('computer keyboard', () => {
  const key = (code: string, over: Partial<Parameters<typeof keyToHit>[0]> = {}) =>
    keyToHit({ code, repeat: false, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...over });

  it('maps four rows of keys onto the grid, bottom row = pads 0–3', () => {
    expect(key('KeyZ')).toEqual({ pad: 0, velocity: 100 });
    expect(key('KeyV')).toEqual({ pad: 3, velocity: 100 });
    expect(key('KeyA')?.pad).toBe(4);
    expect(key('KeyQ')?.pad).toBe(8);
    expect(key('Digit4')?.pad).toBe(15);
    expect(key('KeyZ', { shiftKey: true })?.velocity).toBe(127);
    expect(keyLabel(0)).toBe('Z');
    expect(keyLabel(12)).toBe('1');
  });

  it('ignores auto-repeat, shortcuts and unmapped keys', () => {
    expect(key('KeyZ', { repeat: true })).toBeNull();
    expect(key('KeyC', { ctrlKey: true })).toBeNull();
    expect(key('KeyV', { metaKey: true })).toBeNull();
    expect(key('KeyP')).toBeNull();
  });
});
