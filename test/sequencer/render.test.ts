/**
 * Offline loop rendering with the player's VoiceEngine: exact length, every
 * hit at its frame, pad settings applied, tail, silent pads counted.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAD_PARAMS, timeToFrame, type PadParams } from '../../src/audio/voices.js';
import { emptyPattern } from '../../src/presets/schema.js';
import { loopFrames, renderHits, renderLoop, renderPad, type PadSample } from '../../src/sequencer/render.js';
import { sixteenth, swingDelay } from '../../src/sequencer/scheduler.js';

const SR = 44100;
/** A click: one sample at 0.5 then silence, so each hit shows up as one non-zero frame. */
const click = (): PadSample => ({ data: Float32Array.from([0.5, 0, 0, 0]), sampleRate: SR });
const params = (n: number, patch: Partial<PadParams> = {}): PadParams[] => Array.from({ length: n }, () => ({ ...DEFAULT_PAD_PARAMS, ...patch }));
/** Frames above −180 dB (a hard-panned side is cos(π/2) ≈ 6e−17, not 0). */
const nonZero = (a: Float32Array) => [...a.keys()].filter((i) => Math.abs(a[i]!) > 1e-9);

describe('loop length', () => {
  it('is bars × 4 × 60 / tempo × 44100 frames, rounded', () => {
    expect(loopFrames(1, 120)).toBe(88200);
    expect(loopFrames(4, 120)).toBe(352800);
    expect(loopFrames(2, 130)).toBe(Math.round(2 * 4 * (60 / 130) * 44100));
    expect(loopFrames(2, 130)).toBe(162831);
    expect(loopFrames(1, 90)).toBe(117600);
  });

  for (const [bars, tempo, tail] of [[1, 120, 0], [2, 130, 0], [3, 97.5, 0.5], [1, 174, 0.25]] as const) {
    it(`${bars} bar(s) at ${tempo} BPM + ${tail} s tail renders exactly that many frames`, () => {
      const p = emptyPattern('x', tempo, 50);
      p.steps[0]![0] = 100;
      const r = renderLoop(p, { bars, tail }, { samples: [click(), ...Array(15).fill(null)], params: params(16) });
      const want = Math.round(bars * 4 * (60 / tempo) * 44100) + Math.round(tail * 44100);
      expect(r.left.length).toBe(want);
      expect(r.right.length).toBe(want);
      expect(r.sampleRate).toBe(44100);
    });
  }
});

describe('hits land on their frames', () => {
  for (const [tempo, swing] of [[120, 50], [100, 66], [140, 75]] as const) {
    it(`${tempo} BPM, swing ${swing} %: every 16th of 2 bars at round(t × 44100), level by velocity`, () => {
      const p = emptyPattern('x', tempo, swing);
      p.steps[0]!.fill(127);
      const r = renderLoop(p, { bars: 2 }, { samples: [click(), ...Array(15).fill(null)], params: params(16) });
      const s = sixteenth(tempo);
      const d = swingDelay({ tempo, swing });
      const want = Array.from({ length: 32 }, (_, k) => timeToFrame(k * s + (k % 2 ? d : 0), SR));
      expect(nonZero(r.left)).toEqual(want);
      expect(nonZero(r.right)).toEqual(want);
      // Full velocity, unity gain: the click's 0.5 passes the limiter's knee untouched.
      for (const f of want) expect(r.left[f]).toBeCloseTo(0.5, 6);
    });
  }

  it('mixes pads, applies velocity (square law), gain and pan, and counts hits on pads without a sound', () => {
    const p = emptyPattern('x', 120, 50);
    p.steps[0]![0] = 127;
    p.steps[1]![4] = 64;
    p.steps[2]![8] = 100; // pad 2 has no sound yet
    const prm = params(16);
    prm[1] = { ...prm[1]!, gainDb: -6, pan: 1 };
    const r = renderLoop(p, { bars: 1 }, { samples: [click(), click(), null, ...Array(13).fill(null)], params: prm });
    expect(r.silentHits).toBe(1);
    const f4 = timeToFrame(4 * 0.125, SR);
    expect(nonZero(r.left)).toEqual([0]);
    expect(nonZero(r.right)).toEqual([0, f4]);
    expect(r.right[f4]).toBeCloseTo(0.5 * (64 / 127) ** 2 * 10 ** (-6 / 20), 6);
  });

  it('a hit past the end is left out; the tail lets the last one ring', () => {
    const long: PadSample = { data: new Float32Array(30000).fill(0.25), sampleRate: SR };
    const p = emptyPattern('x', 120, 50);
    p.steps[0]![15] = 127;
    const end = loopFrames(1, 120);
    const cut = renderLoop(p, { bars: 1 }, { samples: [long, ...Array(15).fill(null)], params: params(16) });
    const ring = renderLoop(p, { bars: 1, tail: 1 }, { samples: [long, ...Array(15).fill(null)], params: params(16) });
    const f15 = timeToFrame(15 * 0.125, SR);
    expect(cut.left[f15]).toBeCloseTo(0.25, 6);
    expect(cut.left[end - 1]).toBeCloseTo(0.25, 6);
    expect(ring.left[end + 10000]).toBeCloseTo(0.25, 6);
    expect(ring.left[f15 + 30000]).toBe(0);
  });

  it('thousands of hits never overflow the engine queue (fed one quantum ahead)', () => {
    const hits = Array.from({ length: 3000 }, (_, i) => ({ pad: i % 4, velocity: 127, time: i * 0.001, step: i }));
    const r = renderHits(hits, 44100 * 3 + 500, { samples: Array.from({ length: 16 }, click), params: params(16) });
    expect(nonZero(r.left).length).toBe(new Set(hits.map((h) => timeToFrame(h.time, SR))).size);
  });

  it('rejects bad lengths, naming the field', () => {
    const p = emptyPattern('x');
    const setup = { samples: Array(16).fill(null), params: params(16) };
    expect(() => renderLoop(p, { bars: 0 }, setup)).toThrow('render loop: bars must be an integer 1–64, got 0');
    expect(() => renderLoop(p, { bars: 1, tail: -1 }, setup)).toThrow('render loop: tail must be 0–30 s, got -1');
    expect(() => renderHits([], 1.5, setup)).toThrow('render: frames must be a non-negative integer, got 1.5');
  });
});

describe('renderPad', () => {
  it('plays the whole sound once through the pad settings: an octave up is half as long', () => {
    const s: PadSample = { data: Float32Array.from({ length: 1000 }, (_, i) => 0.4 * Math.sin(i / 5)), sampleRate: SR };
    const flat = renderPad(s, { ...DEFAULT_PAD_PARAMS });
    expect(flat.left.length).toBe(1000);
    for (const i of [0, 1, 500, 999]) expect(flat.left[i]).toBeCloseTo(s.data[i]!, 6);
    const up = renderPad(s, { ...DEFAULT_PAD_PARAMS, tune: 12 });
    expect(up.left.length).toBe(500);
    // Every other source sample (the voice's resampler may smooth a little, so to 1e-3).
    for (const i of [50, 100, 300]) expect(up.left[i]).toBeCloseTo(s.data[2 * i]!, 3);
  });
});
