/** Display formatting for knob values and the status line (pure). */

export type KnobFormat = 'int' | 'seed' | 'guidance' | 'percent' | 'db' | 'semitones' | 'pan' | 'decay' | 'steps' | 'sigma';

/** A value with its unit, as a knob shows it and as its aria-valuetext reads. */
export function formatValue(kind: KnobFormat, v: number): string {
  switch (kind) {
    case 'int':
    case 'seed':
      return String(Math.round(v));
    case 'steps':
      return `${Math.round(v)} steps`;
    case 'guidance':
      return `${v.toFixed(1)}×`;
    case 'percent':
      return `${Math.round(v * 100)} %`;
    case 'db':
      return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(1)} dB`;
    case 'semitones':
      return `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v).toFixed(v % 1 === 0 ? 0 : 1)} st`;
    case 'pan':
      return Math.abs(v) < 0.005 ? 'C' : `${v < 0 ? 'L' : 'R'} ${Math.round(Math.abs(v) * 100)}`;
    case 'decay':
      return v >= DECAY_OFF ? 'natural' : v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(2)} s`;
    case 'sigma':
      // Standard deviations from the pad class's usual value; 0 = the model decides.
      return Math.abs(v) < 0.005 ? 'auto' : `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(2)} σ`;
  }
}

/** Decay knob position meaning "the sample's natural decay" (seconds; the knob's top). */
export const DECAY_OFF = 2;

/** Milliseconds, short. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Snap to a step from min, clamp to [min, max]. */
export function snap(v: number, min: number, max: number, step: number): number {
  const s = step > 0 ? Math.round((v - min) / step) * step + min : v;
  const c = Math.min(max, Math.max(min, s));
  // Kill float dust (0.30000000000000004).
  return Number(c.toFixed(10));
}

/** A knob's range and resolution. */
export interface KnobRange {
  min: number;
  max: number;
  step: number;
}

/** Pixels of vertical drag for the knob's full range (Shift: ten times finer). */
export const DRAG_PIXELS = 200;
/** Fine adjustment (Shift) as a fraction of the normal movement. */
export const FINE = 0.1;

/** Arrow-key increment: 1 % of the range, at least one step; Shift: one step. */
export function arrowIncrement(r: KnobRange, fine: boolean): number {
  if (fine || !(r.step > 0)) return r.step > 0 ? r.step : (r.max - r.min) / 1000;
  return Math.max(r.step, Math.round((r.max - r.min) / 100 / r.step) * r.step);
}

/** Page Up/Down increment: 10 % of the range, at least one step; Shift: 1 %. */
export function pageIncrement(r: KnobRange, fine: boolean): number {
  const raw = (r.max - r.min) / (fine ? 100 : 10);
  return r.step > 0 ? Math.max(r.step, Math.round(raw / r.step) * r.step) : raw;
}

/**
 * The value a key press sets, snapped and clamped, or null when the key does
 * nothing to a knob. Arrows (up/right = more), Page Up/Down, Home (min), End
 * (max), Delete/Backspace (default); Shift makes arrows and pages finer.
 */
export function keyValue(key: string, shift: boolean, value: number, r: KnobRange, defaultValue: number): number | null {
  let v: number;
  switch (key) {
    case 'ArrowUp':
    case 'ArrowRight':
      v = value + arrowIncrement(r, shift);
      break;
    case 'ArrowDown':
    case 'ArrowLeft':
      v = value - arrowIncrement(r, shift);
      break;
    case 'PageUp':
      v = value + pageIncrement(r, shift);
      break;
    case 'PageDown':
      v = value - pageIncrement(r, shift);
      break;
    case 'Home':
      v = r.min;
      break;
    case 'End':
      v = r.max;
      break;
    case 'Delete':
    case 'Backspace':
      v = defaultValue;
      break;
    default:
      return null;
  }
  return snap(v, r.min, r.max, r.step);
}

/** The value after dragging `dy` pixels up (negative: down) from `start`; Shift is finer. */
export function dragValue(start: number, dy: number, fine: boolean, r: KnobRange): number {
  return snap(start + (dy / DRAG_PIXELS) * (r.max - r.min) * (fine ? FINE : 1), r.min, r.max, r.step);
}

/** The value after one wheel notch (deltaY < 0 = up = more): 1 % of the range, Shift one step. */
export function wheelValue(value: number, deltaY: number, fine: boolean, r: KnobRange): number {
  if (deltaY === 0) return value;
  return snap(value - Math.sign(deltaY) * arrowIncrement(r, fine), r.min, r.max, r.step);
}

/** The per-pad knobs: range, step, default and display (one table for the editor and MIDI learn). */
export const PAD_KNOBS = {
  gainDb: { label: 'Gain', format: 'db', min: -30, max: 6, step: 0.5, defaultValue: 0 },
  tune: { label: 'Tune', format: 'semitones', min: -12, max: 12, step: 1, defaultValue: 0 },
  pan: { label: 'Pan', format: 'pan', min: -1, max: 1, step: 0.01, defaultValue: 0 },
  decay: { label: 'Decay', format: 'decay', min: 0.05, max: DECAY_OFF, step: 0.01, defaultValue: DECAY_OFF },
  variation: { label: 'Variation', format: 'percent', min: 0, max: 1, step: 0.01, defaultValue: 0.25 },
} as const satisfies Record<string, KnobRange & { label: string; format: KnobFormat; defaultValue: number }>;
export type PadKnob = keyof typeof PAD_KNOBS;

/** A knob id as presets store it: "guidance" (global) or "pad.3.gainDb" (pad 3, 0-based). */
export function parseKnobId(id: string): { scope: 'global'; name: string } | { scope: 'pad'; pad: number; name: PadKnob } | null {
  const m = /^pad\.(\d{1,2})\.(\w+)$/.exec(id);
  if (m) return m[2]! in PAD_KNOBS ? { scope: 'pad', pad: Number(m[1]), name: m[2] as PadKnob } : null;
  return /^[A-Za-z]\w*$/.test(id) ? { scope: 'global', name: id } : null;
}
