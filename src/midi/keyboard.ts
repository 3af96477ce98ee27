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
