/** Display formatting for knob values and the status line (pure). */

export type KnobFormat = 'int' | 'seed' | 'guidance' | 'percent' | 'db' | 'semitones' | 'pan' | 'decay' | 'steps';

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
