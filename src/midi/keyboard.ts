/**
 * Computer-keyboard fallback for the pads, by physical key (KeyboardEvent.code,
 * so it works on any layout). Rows mirror the 4 × 4 grid:
 *   1 2 3 4   → pads 12–15 (top row)
 *   Q W E R   → pads  8–11
 *   A S D F   → pads  4–7
 *   Z X C V   → pads  0–3  (bottom row, pad 0 = kick)
 * Shift plays at full velocity.
 */
import type { Velocity } from '../units.js';

export const KEYBOARD_PAD_CODES: readonly string[] = [
  'KeyZ', 'KeyX', 'KeyC', 'KeyV',
  'KeyA', 'KeyS', 'KeyD', 'KeyF',
  'KeyQ', 'KeyW', 'KeyE', 'KeyR',
  'Digit1', 'Digit2', 'Digit3', 'Digit4',
];

/** Key label shown on a pad. */
export function keyLabel(pad: number): string {
  const code = KEYBOARD_PAD_CODES[pad];
  return code ? code.replace(/^Key|^Digit/, '') : '';
}

/** Velocity of a keyboard hit (MIDI 1–127). */
export const KEYBOARD_VELOCITY: Velocity = 100;
export const KEYBOARD_ACCENT_VELOCITY: Velocity = 127;

export interface KeyLike {
  code: string;
  repeat: boolean;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** The pad and velocity a key press plays, or null (unmapped key, auto-repeat, or a shortcut with Ctrl/Meta/Alt). */
export function keyToHit(e: KeyLike): { pad: number; velocity: Velocity } | null {
  if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return null;
  const pad = KEYBOARD_PAD_CODES.indexOf(e.code);
  if (pad < 0) return null;
  return { pad, velocity: e.shiftKey ? KEYBOARD_ACCENT_VELOCITY : KEYBOARD_VELOCITY };
}

/**
 * Computer keyboard as a one-octave piano, right of the pad keys (no key is
 * shared with them), by physical key:
 *     Y U   O P [        black keys: C# D#  F# G# A#
 *    G H J K L ; '       white keys: C  D  E  F  G  A  B
 *   - (Minus) and = (Equal) move the octave down and up.
 * Shift plays at full velocity. Held keys sound until released.
 */
export const KEYBOARD_NOTE_CODES: readonly string[] = [
  'KeyG', 'KeyY', 'KeyH', 'KeyU', 'KeyJ', 'KeyK', 'KeyO', 'KeyL', 'KeyP', 'Semicolon', 'BracketLeft', 'Quote',
];
export const OCTAVE_DOWN_CODE = 'Minus';
export const OCTAVE_UP_CODE = 'Equal';
/** Lowest and highest C the computer keyboard's octave may start at (MIDI notes). */
export const KEYBOARD_OCTAVE_RANGE = { min: 12, max: 108 } as const;
/** The computer keyboard's first octave: C4 (middle C) … B4. */
export const DEFAULT_KEYBOARD_OCTAVE_BASE = 60;

export type KeyAction =
  | { type: 'noteon'; note: number; velocity: Velocity }
  | { type: 'noteoff'; note: number }
  | { type: 'octave'; base: number };

/** Key label of a note code, for the legend. */
export function noteKeyLabel(code: string): string {
  const labels: Record<string, string> = { Semicolon: ';', BracketLeft: '[', Quote: "'", Minus: '-', Equal: '=' };
  return labels[code] ?? code.replace(/^Key/, '');
}

/**
 * Key presses → note actions. Remembers which note each held key started, so
 * a key released after an octave change still stops the note it played.
 */
export class ComputerKeyboard {
  private held = new Map<string, number>();

  constructor(public base: number = DEFAULT_KEYBOARD_OCTAVE_BASE) {
    if (!Number.isInteger(base) || base < KEYBOARD_OCTAVE_RANGE.min || base > KEYBOARD_OCTAVE_RANGE.max) {
      throw new Error(`keyboard octave base must be an integer note ${KEYBOARD_OCTAVE_RANGE.min}–${KEYBOARD_OCTAVE_RANGE.max}, got ${base}`);
    }
  }

  /** A key went down: a note-on, an octave change, or nothing (other keys, auto-repeat, shortcuts with Ctrl/Meta/Alt). */
  keyDown(e: KeyLike): KeyAction | null {
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey) return null;
    if (e.code === OCTAVE_DOWN_CODE || e.code === OCTAVE_UP_CODE) {
      const base = Math.min(KEYBOARD_OCTAVE_RANGE.max, Math.max(KEYBOARD_OCTAVE_RANGE.min, this.base + (e.code === OCTAVE_UP_CODE ? 12 : -12)));
      if (base === this.base) return null;
      this.base = base;
      return { type: 'octave', base };
    }
    const i = KEYBOARD_NOTE_CODES.indexOf(e.code);
    if (i < 0 || this.held.has(e.code)) return null;
    const note = this.base + i;
    this.held.set(e.code, note);
    return { type: 'noteon', note, velocity: e.shiftKey ? KEYBOARD_ACCENT_VELOCITY : KEYBOARD_VELOCITY };
  }

  /** A key came up: the note-off of the note it started, if any. */
  keyUp(code: string): KeyAction | null {
    const note = this.held.get(code);
    if (note === undefined) return null;
    this.held.delete(code);
    return { type: 'noteoff', note };
  }

  /** Note-offs for every held key (the window lost focus: its key-ups will never come). */
  releaseAll(): KeyAction[] {
    const out: KeyAction[] = [...this.held.values()].map((note) => ({ type: 'noteoff', note }));
    this.held.clear();
    return out;
  }
}
