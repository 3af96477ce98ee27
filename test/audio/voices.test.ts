import { describe, expect, it } from 'vitest';
import { RENDER_QUANTUM } from '../../src/audio/constants.js';
import { PlayerCore } from '../../src/audio/player-core.js';
import {
  decayCoefficient,
  panGains,
  SoftLimiter,
  startOffset,
  timeToFrame,
  velocityToGain,
  VoiceEngine,
} from '../../src/audio/voices.js';

const SR = 44100;

/** Render `quanta` quanta from frame 0; returns concatenated L and R. */
function renderQuanta(engine: VoiceEngine, quanta: number, from = 0): { L: Float32Array; R: Float32Array } {
  const L = new Float32Array(quanta * RENDER_QUANTUM);
  const R = new Float32Array(quanta * RENDER_QUANTUM);
  const l = new Float32Array(RENDER_QUANTUM);
  const r = new Float32Array(RENDER_QUANTUM);
  for (let q = 0; q < quanta; q++) {
    engine.render(l, r, from + q * RENDER_QUANTUM);
    L.set(l, q * RENDER_QUANTUM);
    R.set(r, q * RENDER_QUANTUM);
  }
  return { L, R };
}

const firstNonZero = (a: Float32Array) => a.findIndex((v) => v !== 0);
const constant = (n: number, v = 0.5) => new Float32Array(n).fill(v);

describe('velocity curve', () => {
  it('is 0 at 0, 1 at 127, square law in between, monotonic', () => {
    expect(velocityToGain(0)).toBe(0);
    expect(velocityToGain(-5)).toBe(0);
    expect(velocityToGain(127)).toBe(1);
    expect(velocityToGain(200)).toBe(1);
    expect(velocityToGain(64)).toBeCloseTo((64 / 127) ** 2, 12);
    // DLS: 40·log10(v/127) dB
    expect(20 * Math.log10(velocityToGain(32))).toBeCloseTo(40 * Math.log10(32 / 127), 9);
    for (let v = 1; v < 127; v++) expect(velocityToGain(v + 1)).toBeGreaterThan(velocityToGain(v));
  });
});

describe('start offset', () => {
  it('maps an event frame into the quantum, late events to 0, future ones to −1', () => {
    expect(startOffset(1000, 1000)).toBe(0);
    expect(startOffset(1037, 1000)).toBe(37);
    expect(startOffset(1127, 1000)).toBe(127);
    expect(startOffset(1128, 1000)).toBe(-1);
    expect(startOffset(900, 1000)).toBe(0);
    expect(timeToFrame(0.1, SR)).toBe(4410);
    expect(timeToFrame(1.23456, 48000)).toBe(Math.round(1.23456 * 48000));
  });

  it('starts a voice at exactly round(t·sr), across quantum boundaries', () => {
    for (const t of [0, 0.001, 0.0029, 0.01, 0.0123456]) {
      const e = new VoiceEngine({ sampleRate: SR });
      const frame = timeToFrame(t, SR);
      e.schedule(0, constant(1000, 1), SR, 127, frame);
      const { L, R } = renderQuanta(e, Math.ceil((frame + 10) / RENDER_QUANTUM) + 1);
      expect(firstNonZero(L)).toBe(frame);
      expect(firstNonZero(R)).toBe(frame);
    }
  });

  it('plays a late event at the start of the next quantum', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.schedule(0, constant(100, 0.5), SR, 127, 10);
    const { L } = renderQuanta(e, 1, 256);
    expect(firstNonZero(L)).toBe(0);
  });
});

describe('voice rendering', () => {
  it('plays the sample as-is at unity: gain, centre pan, no tune', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    const data = Float32Array.from({ length: 300 }, (_, i) => 0.3 * Math.sin(i / 7));
    e.schedule(0, data, SR, 127, 0);
    const { L, R } = renderQuanta(e, 4);
    for (let i = 0; i < 300; i++) {
      expect(L[i]).toBeCloseTo(data[i]!, 6);
      expect(R[i]).toBeCloseTo(data[i]!, 6);
    }
    expect(L.subarray(300).every((v) => v === 0)).toBe(true);
    expect(e.stats.voices).toBe(0);
  });

  it('applies pad gain, pan, tune and decay', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.setPad(1, { gainDb: -6, pan: 1 });
    e.schedule(1, constant(256, 0.4), SR, 127, 0);
    const a = renderQuanta(e, 1);
    expect(a.R[10]).toBeCloseTo(0.4 * 10 ** (-6 / 20), 6);
    expect(Math.abs(a.L[10]!)).toBeLessThan(1e-9);

    const t = new VoiceEngine({ sampleRate: SR });
    t.setPad(0, { tune: 12 });
    t.schedule(0, constant(256, 0.4), SR, 127, 0);
    const b = renderQuanta(t, 3);
    const len = b.L.findIndex((v, i) => i > 0 && v === 0);
    expect(len).toBe(128); // an octave up plays 256 frames in 128

    const d = new VoiceEngine({ sampleRate: SR });
    d.setPad(0, { decay: 0.1 });
    d.schedule(0, constant(SR, 0.5), SR, 127, 0);
    const c = renderQuanta(d, Math.ceil(4411 / RENDER_QUANTUM) + 1);
    expect(20 * Math.log10(c.L[4410]! / 0.5)).toBeCloseTo(-60, 1);
    expect(decayCoefficient(null, SR)).toBe(1);
    expect(panGains(0)).toEqual([1, 1]);
  });

  it('resamples a 44.1 kHz one-shot for a 48 kHz context', () => {
    const e = new VoiceEngine({ sampleRate: 48000 });
    e.schedule(0, constant(441, 0.5), 44100, 127, 0);
    const { L } = renderQuanta(e, 5);
    const played = L.filter((v) => v !== 0).length;
    expect(Math.abs(played - 480)).toBeLessThanOrEqual(1);
  });
});

describe('polyphony and stealing', () => {
  it('a catch-up burst of 600 late hits between two quanta is played, not dropped (bench:stress overflowed at 256)', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    const s = constant(SR, 0.001);
    for (let i = 0; i < 600; i++) expect(e.schedule(i % 16, s, SR, 100, 10 * RENDER_QUANTUM - 5000 + i)).toBe(true);
    const out = renderQuanta(e, 2, 10 * RENDER_QUANTUM);
    expect(e.stats.dropped).toBe(0);
    expect(e.stats.pendingHigh).toBe(600);
    expect(e.stats.stolen).toBe(600 - e.maxVoices);
    expect(out.L.every((x) => Number.isFinite(x) && Math.abs(x) <= 1)).toBe(true);
  });

  it('never holds more than maxVoices, steals the oldest with a short ramp', () => {
    const e = new VoiceEngine({ sampleRate: SR, maxVoices: 4, slots: 8 });
    const samples = Array.from({ length: 6 }, (_, i) => constant(SR, 0.01 * (i + 1)));
    // Voices 0..3 start in quantum 0; voice 4 at frame 200 steals voice 0.
    for (let i = 0; i < 4; i++) e.schedule(0, samples[i]!, SR, 127, i);
    e.schedule(0, samples[4]!, SR, 127, 200);
    const before = renderQuanta(e, 1);
    expect(e.stats.voices).toBe(4);
    expect(before.L[127]).toBeCloseTo(0.01 + 0.02 + 0.03 + 0.04, 5);
    const after = renderQuanta(e, 4, 128);
    expect(e.stats.stolen).toBe(1);
    // Just after the steal: the oldest (0.01) is fading, not cut.
    const at = 200 - 128;
    expect(after.L[at]).toBeGreaterThan(0.02 + 0.03 + 0.04 + 0.05);
    expect(after.L[at]).toBeLessThan(0.01 + 0.02 + 0.03 + 0.04 + 0.05 + 1e-6);
    // After the 5 ms ramp (221 frames) the oldest is gone.
    expect(after.L[at + 240]).toBeCloseTo(0.02 + 0.03 + 0.04 + 0.05, 5);
    expect(e.stats.voices).toBe(4);
  });

  it('the ramp is monotonic and short (no click: steps ≤ 1/200 of the level)', () => {
    const e = new VoiceEngine({ sampleRate: SR, maxVoices: 1, slots: 2 });
    e.schedule(0, constant(SR, 0.5), SR, 127, 0);
    e.schedule(0, constant(SR, 0), SR, 127, 64); // silent voice steals the first
    e.schedule(0, constant(SR, 0), SR, 127, 64); // keeps a voice held so the ramp shows alone
    const { L } = renderQuanta(e, 4);
    const ramp = Array.from(L.subarray(64, 64 + 230));
    for (let i = 1; i < ramp.length; i++) {
      expect(ramp[i]!).toBeLessThanOrEqual(ramp[i - 1]! + 1e-9);
      expect(ramp[i - 1]! - ramp[i]!).toBeLessThan(0.5 / 200);
    }
    expect(L[64 + 230]).toBe(0);
  });
});

describe('choke groups', () => {
  function hats(chokeOn: boolean) {
    const e = new VoiceEngine({ sampleRate: SR });
    e.setPad(10, { chokeGroup: 1 }); // open hat
    e.setPad(6, { chokes: 1 << 1 }); // closed hat
    e.setPad(8, { chokes: 1 << 1 }); // pedal hat
    e.setChokeEnabled(chokeOn);
    e.schedule(10, constant(SR, 0.3), SR, 127, 0);
    e.schedule(6, constant(SR, 0), SR, 127, 300); // silent closed hat so only the open hat shows
    return { e, out: renderQuanta(e, 8) };
  }

  it('a closed hat cuts the open hat at its own frame, with a 10 ms ramp', () => {
    const { e, out } = hats(true);
    expect(out.L[299]).toBeCloseTo(0.3, 6);
    expect(out.L[300]).toBeCloseTo(0.3, 6); // the ramp starts at the choking hit's frame…
    expect(out.L[301]).toBeLessThan(out.L[300]!); // …and falls from there
    expect(out.L[301]).toBeGreaterThan(0.29);
    expect(out.L[300 + 441 + 2]).toBe(0);
    expect(e.stats.choked).toBe(1);
  });

  it('switching chokes off lets the open hat ring', () => {
    const { e, out } = hats(false);
    expect(out.L[1000]).toBeCloseTo(0.3, 6);
    expect(e.stats.choked).toBe(0);
  });

  it('a pad without a choke mask does not cut anything', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.setPad(10, { chokeGroup: 1 });
    e.schedule(10, constant(SR, 0.3), SR, 127, 0);
    e.schedule(0, constant(SR, 0), SR, 127, 10);
    const { L } = renderQuanta(e, 8);
    expect(L[1000]).toBeCloseTo(0.3, 6);
  });
});

describe('master bus', () => {
  it('the limiter is transparent below the knee and never exceeds the ceiling', () => {
    const lim = new SoftLimiter(SR);
    expect(lim.gainFor(lim.knee * 0.999)).toBe(1);
    expect(lim.gainFor(10 ** (-1 / 20))).toBe(1); // a generated one-shot's peak (−1 dBFS) passes untouched
    for (const level of [0.6, 0.9, 1, 2, 10, 1000]) expect(level * lim.gainFor(level)).toBeLessThanOrEqual(lim.ceiling + 1e-12);
    const e = new VoiceEngine({ sampleRate: SR });
    for (let i = 0; i < 8; i++) e.schedule(0, constant(2000, 0.9), SR, 127, 0);
    const { L } = renderQuanta(e, 10);
    expect(Math.max(...L)).toBeLessThanOrEqual(Math.fround(lim.ceiling));
    expect(Math.max(...L)).toBeGreaterThan(lim.knee);
  });

  it('non-finite samples never reach the output', () => {
    const core = new PlayerCore({ sampleRate: SR });
    const bad = constant(500, 0.3);
    bad[3] = NaN;
    bad[7] = Infinity;
    bad[9] = -Infinity;
    core.handle({ type: 'sample', id: 1, data: bad, sampleRate: SR });
    core.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: 0 });
    const L = new Float32Array(128);
    const R = new Float32Array(128);
    core.render(L, R, 0);
    expect(L.every(Number.isFinite)).toBe(true);
    expect(L[3]).toBe(0);
    expect(L[4]).toBeCloseTo(0.3, 6);
    const stats = core.handle({ type: 'query', token: 7 });
    expect(stats).toMatchObject({ type: 'stats', token: 7, repairedSamples: 1, samples: 1 });

    // Even if a voice somehow produced NaN (pad settings are clamped, so force it), the output stays finite.
    const e = new VoiceEngine({ sampleRate: SR });
    e.schedule(0, constant(500, 0.3), SR, 127, 0);
    (e as unknown as { padGain: Float64Array }).padGain[0] = NaN;
    e.schedule(0, constant(500, 0.3), SR, 127, 0);
    const out = renderQuanta(e, 2);
    expect(out.L.every(Number.isFinite)).toBe(true);
    expect(e.stats.nonFinite).toBeGreaterThan(0);
  });
});

describe('player core messages', () => {
  it('plays by id, drops unknown ids, keeps voices of freed samples sounding', () => {
    const core = new PlayerCore({ sampleRate: SR });
    core.handle({ type: 'sample', id: 5, data: constant(1000, 0.25), sampleRate: SR });
    core.handle({ type: 'trigger', pad: 2, id: 5, velocity: 127, time: 64 / SR });
    core.handle({ type: 'trigger', pad: 2, id: 99, velocity: 127, time: 0 });
    const L = new Float32Array(128);
    const R = new Float32Array(128);
    core.render(L, R, 0);
    expect(firstNonZero(L)).toBe(64);
    core.handle({ type: 'free', ids: [5] });
    core.render(L, R, 128);
    expect(L[0]).toBeCloseTo(0.25, 6);
    const s = core.handle({ type: 'query', token: 1 });
    expect(s).toMatchObject({ samples: 0, dropped: 1, voices: 1 });
  });

  it('freeing a sample removes its pending hits', () => {
    const core = new PlayerCore({ sampleRate: SR });
    core.handle({ type: 'sample', id: 1, data: constant(100, 0.25), sampleRate: SR });
    core.handle({ type: 'trigger', pad: 0, id: 1, velocity: 127, time: 1 });
    core.handle({ type: 'free', ids: [1] });
    const L = new Float32Array(128);
    const R = new Float32Array(128);
    for (let f = 0; f < SR * 1.1; f += 128) {
      core.render(L, R, f);
      expect(L.every((v) => v === 0)).toBe(true);
    }
  });
});
