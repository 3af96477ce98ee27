/**
 * The player's JIT warm-up (src/audio/warm-up.ts) must exercise the paths
 * whose first use deoptimised the render loop in bench:stress (stealing,
 * chokes, resampling both ways, shared-memory samples), stay finite and
 * limited, and leave no trace on a real player created afterwards.
 */
import { describe, expect, it } from 'vitest';
import { RENDER_QUANTUM } from '../../src/audio/constants.js';
import { PlayerCore } from '../../src/audio/player-core.js';
import { warmUpPlayer, WARM_UP_QUANTA } from '../../src/audio/warm-up.js';

function renderHits(core: PlayerCore, sampleRate: number): Float32Array {
  const data = new Float32Array(2000).map((_, i) => Math.sin(i / 7) * Math.exp(-i / 500));
  core.handle({ type: 'sample', id: 5, data, sampleRate: 44100 });
  core.handle({ type: 'trigger', pad: 3, id: 5, velocity: 100, time: 37 / sampleRate });
  core.handle({ type: 'note-on', channel: 1, note: 60, id: 5, velocity: 90, semitones: 5, time: 0 });
  const out = new Float32Array(RENDER_QUANTUM * 8);
  const L = new Float32Array(RENDER_QUANTUM);
  const R = new Float32Array(RENDER_QUANTUM);
  for (let k = 0; k < 8; k++) {
    core.render(L, R, k * RENDER_QUANTUM);
    out.set(L, k * RENDER_QUANTUM);
  }
  return out;
}

describe('warmUpPlayer', () => {
  it.each([44100, 48000])('runs every voice path at %i Hz: steals, chokes, finite limited output', (rate) => {
    const r = warmUpPlayer(rate);
    expect(r.quanta).toBeGreaterThanOrEqual(WARM_UP_QUANTA);
    expect(r.stolen).toBeGreaterThan(0);
    expect(r.choked).toBeGreaterThan(0);
    expect(Number.isFinite(r.peak)).toBe(true);
    expect(r.peak).toBeGreaterThan(0.05);
    expect(r.peak).toBeLessThanOrEqual(1);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('leaves no state behind: a player made after it renders exactly what one made before it does', () => {
    const before = renderHits(new PlayerCore({ sampleRate: 48000 }), 48000);
    warmUpPlayer(48000, 64);
    const after = renderHits(new PlayerCore({ sampleRate: 48000 }), 48000);
    expect(before.some((v) => v !== 0)).toBe(true);
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});
