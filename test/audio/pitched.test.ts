/**
 * Listening tests for pitched notes and resampling in the pure VoiceEngine:
 * f0 of transposed notes, release, sustain, pitch bend, aliasing, stealing
 * across pads and notes, and that render() allocates nothing.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { KEY_RELEASE_SECONDS, RENDER_QUANTUM } from '../../src/audio/constants.js';
import { PlayerCore } from '../../src/audio/player-core.js';
import { VoiceEngine, type Voice } from '../../src/audio/voices.js';
import { bandPower, cents, harmonicTone, midiHz, peakFrequency, powerSpectrum, sines } from './analysis.js';

const SR = 44100;

function renderFrames(engine: VoiceEngine, frames: number, from = 0): { L: Float32Array; R: Float32Array } {
  const quanta = Math.ceil(frames / RENDER_QUANTUM);
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

/** f0 of `x` near `expected` (searching ±`range` semitones), over a 24,000-frame window starting at `start`. */
function f0Near(x: Float32Array, expected: number, start = 2048, sampleRate = SR, range = 5): number {
  const s = powerSpectrum(x, sampleRate, start, 24000, 1 << 17);
  return peakFrequency(s, expected * 2 ** (-range / 12), expected * 2 ** (range / 12));
}

const ROOT = 60;
const TONE = harmonicTone(midiHz(ROOT), 1.5);

describe('pitched notes: a root one-shot played at other notes', () => {
  it('the analysis itself measures the root within 0.5 cent', () => {
    expect(Math.abs(cents(midiHz(ROOT), f0Near(TONE, midiHz(ROOT), 0)))).toBeLessThan(0.5);
  });

  for (const k of [-7, -5, -1, 1, 4, 7, 12]) {
    it(`root ${ROOT} played at ${ROOT + k} (${k > 0 ? '+' : ''}${k} semitones) sounds within ±5 cents of ${midiHz(ROOT + k).toFixed(2)} Hz`, () => {
      const e = new VoiceEngine({ sampleRate: SR });
      expect(e.noteOn(1, ROOT + k, TONE, SR, 100, k, 0)).toBe(true);
      const { L, R } = renderFrames(e, 30000);
      const err = cents(midiHz(ROOT + k), f0Near(L, midiHz(ROOT + k)));
      expect(Math.abs(err), `${err.toFixed(2)} cents`).toBeLessThan(5);
      expect(R).toEqual(L); // pitched notes sit in the centre
    });
  }

  it('in a 48 kHz context too (the 44.1 kHz root is resampled on the way)', () => {
    const e = new VoiceEngine({ sampleRate: 48000 });
    e.noteOn(3, ROOT + 4, TONE, SR, 100, 4, 0);
    const { L } = renderFrames(e, 30000);
    expect(Math.abs(cents(midiHz(ROOT + 4), f0Near(L, midiHz(ROOT + 4), 2048, 48000)))).toBeLessThan(5);
  });

  it('pad tune goes through the same resampler: +7 and −5 semitones land within ±5 cents', () => {
    for (const tune of [7, -5]) {
      const e = new VoiceEngine({ sampleRate: SR });
      e.setPad(2, { tune });
      e.schedule(2, TONE, SR, 100, 0);
      const { L } = renderFrames(e, 30000);
      expect(Math.abs(cents(midiHz(ROOT + tune), f0Near(L, midiHz(ROOT + tune))))).toBeLessThan(5);
    }
  });

  it('drops notes it cannot play, and counts them', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    expect(e.noteOn(0, 60, TONE, SR, 100, 0, 0)).toBe(false); // channel 0
    expect(e.noteOn(17, 60, TONE, SR, 100, 0, 0)).toBe(false);
    expect(e.noteOn(1, 128, TONE, SR, 100, 0, 0)).toBe(false);
    expect(e.noteOn(1, 60, TONE, SR, 100, 25, 0)).toBe(false); // beyond ±24 semitones from its root
    expect(e.noteOn(1, 60, TONE, SR, 100, NaN, 0)).toBe(false);
    expect(e.noteOn(1, 60, TONE, SR, 0, 0, 0)).toBe(false);
    expect(e.noteOn(1, 60, new Float32Array(0), SR, 100, 0, 0)).toBe(false);
    expect(e.stats.dropped).toBe(7);
    expect(e.stats.droppedInvalid).toBe(7);
  });

  it('splits drops by reason: queue full, freed while pending', () => {
    const e = new VoiceEngine({ sampleRate: SR, maxPending: 2 });
    const other = TONE.slice();
    expect(e.noteOn(1, 60, TONE, SR, 100, 0, 1000)).toBe(true);
    expect(e.noteOn(1, 64, other, SR, 100, 0, 1000)).toBe(true);
    expect(e.noteOn(1, 67, TONE, SR, 100, 0, 1000)).toBe(false); // two pending: full
    e.forget(TONE); // the pending note on TONE goes with it
    const { dropped, droppedInvalid, droppedQueueFull, droppedFreed, droppedUnknownSample, droppedNoVoice } = e.stats;
    expect({ dropped, droppedInvalid, droppedQueueFull, droppedFreed, droppedUnknownSample, droppedNoVoice })
      .toEqual({ dropped: 2, droppedInvalid: 0, droppedQueueFull: 1, droppedFreed: 1, droppedUnknownSample: 0, droppedNoVoice: 0 });
    expect(e.stats.pendingHigh).toBe(2);
    expect(e.stats.firstFreedDrop).toEqual({ kind: 1, ahead: 1000, quantumStart: 0 });
    // The overflow snapshot: two note-ons, both 1000 frames ahead of the (never rendered) quantum 0.
    expect(e.stats.firstOverflow).toEqual({ quantumStart: 0, aheadMin: 1000, aheadMax: 1000, kinds: [0, 2, 0, 0, 0] });
  });
});

describe('upward transposition does not alias', () => {
  // Output of an octave up: source f → 2f. Source content above 11.025 kHz would fold back below Nyquist.
  const passHz = 3000;
  const foldHz = [12000, 14000, 16000, 18000, 20000];

  function aliasRatioDb(engine: VoiceEngine): { aliasDb: number; passGainDb: number } {
    const src = sines([passHz, ...foldHz], 1.5, SR, 0.1);
    engine.noteOn(1, 72, src, SR, 127, 12, 0);
    const { L } = renderFrames(engine, 30000);
    const s = powerSpectrum(L, SR, 2048, 24000, 1 << 15);
    const pass = bandPower(s, 2 * passHz - 30, 2 * passHz + 30);
    const all = bandPower(s, 20, SR / 2);
    // A 0.1-amplitude sine under this window: reference power of the pass tone at unity gain.
    const ref = bandPower(powerSpectrum(sines([2 * passHz], 1, SR, 0.1), SR, 2048, 24000, 1 << 15), 2 * passHz - 30, 2 * passHz + 30);
    return { aliasDb: 10 * Math.log10((all - pass) / pass), passGainDb: 10 * Math.log10(pass / ref) };
  }

  it('+12 semitones: what would fold over Nyquist stays 60 dB under the passband tone, which passes at unity', () => {
    const { aliasDb, passGainDb } = aliasRatioDb(new VoiceEngine({ sampleRate: SR }));
    expect(aliasDb).toBeLessThan(-60);
    expect(Math.abs(passGainDb)).toBeLessThan(0.05);
  });

  it('a plain linear interpolator would fail the same check (the check can tell)', () => {
    const src = sines([passHz, ...foldHz], 1.5, SR, 0.1);
    const out = new Float32Array(30000);
    for (let i = 0; i < out.length; i++) {
      const p = 2 * i;
      out[i] = p + 1 < src.length ? src[p]! : 0; // rate 2 at integer positions: what linear interpolation reads
    }
    const s = powerSpectrum(out, SR, 2048, 24000, 1 << 15);
    const pass = bandPower(s, 2 * passHz - 30, 2 * passHz + 30);
    expect(10 * Math.log10((bandPower(s, 20, SR / 2) - pass) / pass)).toBeGreaterThan(-10);
  });
});

describe('note-off, release and the sustain pedal', () => {
  const DC = new Float32Array(3 * SR).fill(0.5);
  const releaseFrames = Math.round(KEY_RELEASE_SECONDS * SR);

  it('note-off ramps the note to silence within the release time, monotonically', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.noteOn(1, 60, DC, SR, 127, 0, 0);
    e.noteOff(1, 60, 10000);
    const { L } = renderFrames(e, 10000 + releaseFrames + 1000);
    expect(L[9999]).toBeCloseTo(0.5, 6);
    for (let i = 10001; i < 10000 + releaseFrames; i++) expect(L[i]!).toBeLessThanOrEqual(L[i - 1]!);
    expect(L[10000 + releaseFrames / 2]).toBeCloseTo(0.25, 2);
    expect(L[10000 + releaseFrames + 1]).toBe(0);
    expect(e.stats.voices).toBe(0);
  });

  it('the release time is a setting; note-off only touches its own channel and note', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    const low = new Float32Array(SR).fill(0.2);
    e.setKeyboard({ release: 0.01 });
    e.noteOn(1, 60, low, SR, 127, 0, 0);
    e.noteOn(1, 64, low, SR, 127, 0, 0);
    e.noteOn(2, 60, low, SR, 127, 0, 0);
    e.noteOff(1, 60, 1000);
    const { L } = renderFrames(e, 3000);
    expect(L[999]).toBeCloseTo(0.6, 6);
    expect(L[1000 + 220]).toBeCloseTo(0.5, 2); // half-way down the 10 ms ramp
    expect(L[1000 + 441 + 1]).toBeCloseTo(0.4, 6);
    expect(e.stats.pitched).toBe(2);
    e.setKeyboard({ release: -3 });
    expect(e.keyboardParams().release).toBe(0.005);
  });

  it('a note ends by itself when its one-shot ends, without a note-off', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.noteOn(1, 60, new Float32Array(1000).fill(0.5), SR, 127, 0, 0);
    const { L } = renderFrames(e, 2000);
    expect(L[999]).toBeCloseTo(0.5, 6);
    expect(L[1000]).toBe(0);
    expect(e.stats.voices).toBe(0);
  });

  it('sustain holds notes after their note-off until the pedal comes up, then they release', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.sustain(1, true, 0);
    e.noteOn(1, 60, DC, SR, 127, 0, 0);
    e.noteOff(1, 60, 5000);
    e.sustain(1, false, 20000);
    const { L } = renderFrames(e, 20000 + releaseFrames + 1000);
    expect(L[5001]).toBeCloseTo(0.5, 6);
    expect(L[19999]).toBeCloseTo(0.5, 6);
    expect(L[20000 + releaseFrames / 2]).toBeCloseTo(0.25, 2);
    expect(L[20000 + releaseFrames + 1]).toBe(0);
  });

  it('pedal up releases only notes already let go; keys still held keep sounding', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.setKeyboard({ release: 0.01 });
    e.sustain(1, true, 0);
    e.noteOn(1, 60, DC, SR, 127, 0, 0); // let go under the pedal
    e.noteOff(1, 60, 1000);
    e.noteOn(1, 67, new Float32Array(3 * SR).fill(0.25), SR, 127, 0, 2000); // still held
    e.sustain(1, false, 4000);
    const { L } = renderFrames(e, 8000);
    expect(L[3999]).toBeCloseTo(0.75, 5);
    expect(L[7000]).toBeCloseTo(0.25, 6);
    expect(e.stats.pitched).toBe(1);
  });
});

describe('pitch bend', () => {
  it('moves f0 by the bend (+2 and −1.5 semitones) within ±5 cents, on its channel only', () => {
    for (const bend of [2, -1.5]) {
      const e = new VoiceEngine({ sampleRate: SR });
      e.noteOn(1, ROOT, TONE, SR, 100, 0, 0);
      e.noteOn(2, ROOT + 7, TONE, SR, 100, 7, 0);
      e.bend(1, bend, 128);
      const { L } = renderFrames(e, 30000);
      const err = cents(midiHz(ROOT + bend), f0Near(L, midiHz(ROOT + bend), 2048, SR, 2.5));
      expect(Math.abs(err), `${err.toFixed(2)} cents`).toBeLessThan(5);
      const other = cents(midiHz(ROOT + 7), f0Near(L, midiHz(ROOT + 7), 2048, SR, 2.5));
      expect(Math.abs(other), `channel 2 moved ${other.toFixed(2)} cents`).toBeLessThan(5);
    }
  });

  it('glides per quantum: no rate jumps, settled within 30 ms, and later notes start bent', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    e.noteOn(1, ROOT, TONE, SR, 100, 0, 0);
    renderFrames(e, 1280);
    e.bend(1, 2, 1280);
    const voice = (e as unknown as { voices: Voice[] }).voices.find((v) => v.active)!;
    const rates: number[] = [];
    for (let q = 10; q < 40; q++) {
      renderFrames(e, RENDER_QUANTUM, q * RENDER_QUANTUM);
      rates.push(voice.rate);
    }
    const target = 2 ** (2 / 12);
    // Within a quantum the rate ramps linearly; across quanta it moves at most half the bend per quantum.
    expect(cents(1, rates[0]!)).toBeLessThan(100);
    for (let i = 1; i < rates.length; i++) {
      expect(rates[i]!).toBeGreaterThanOrEqual(rates[i - 1]!);
      expect(cents(rates[i - 1]!, rates[i]!)).toBeLessThan(100);
    }
    expect(Math.abs(cents(target, rates.at(-1)!))).toBeLessThan(0.01); // 30 quanta ≈ 87 ms
    const settled = rates.findIndex((r) => Math.abs(cents(target, r)) < 1);
    expect(settled * RENDER_QUANTUM / SR).toBeLessThan(0.03);
    e.noteOn(1, ROOT + 4, TONE, SR, 100, 4, 40 * RENDER_QUANTUM);
    renderFrames(e, RENDER_QUANTUM, 40 * RENDER_QUANTUM);
    const late = (e as unknown as { voices: Voice[] }).voices.find((v) => v.active && v !== voice)!;
    expect(Math.abs(cents(2 ** (6 / 12), late.rate))).toBeLessThan(0.01);
  });
});

describe('polyphony across pads and notes', () => {
  it('one voice limit for both: the oldest held voice is stolen, pad or note', () => {
    const e = new VoiceEngine({ sampleRate: SR, maxVoices: 4, slots: 8 });
    const lvl = (v: number) => new Float32Array(SR).fill(v);
    e.schedule(0, lvl(0.01), SR, 127, 0); // pad, oldest
    e.schedule(1, lvl(0.02), SR, 127, 1); // pad
    e.noteOn(1, 60, lvl(0.04), SR, 127, 0, 2);
    e.noteOn(1, 62, lvl(0.08), SR, 127, 0, 3);
    e.noteOn(1, 64, lvl(0.16), SR, 127, 0, 1000); // steals pad 0
    e.schedule(2, lvl(0.32), SR, 127, 2000); // steals pad 1
    e.noteOn(1, 65, lvl(0.001), SR, 127, 0, 3000); // steals note 60
    const { L } = renderFrames(e, 4000);
    expect(L[999]).toBeCloseTo(0.15, 5);
    expect(L[1500]).toBeCloseTo(0.02 + 0.04 + 0.08 + 0.16, 5);
    expect(L[2500]).toBeCloseTo(0.04 + 0.08 + 0.16 + 0.32, 5);
    expect(L[3500]).toBeCloseTo(0.08 + 0.16 + 0.32 + 0.001, 5);
    expect(e.stats.stolen).toBe(3);
    expect(e.stats.voices).toBe(4);
    expect(e.stats.pitched).toBe(3);
  });
});

describe('safety', () => {
  it('a non-finite sample in a pitched note never reaches the output', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    const bad = harmonicTone(300, 0.2);
    bad[100] = NaN;
    bad[200] = Infinity;
    e.noteOn(1, 67, bad, SR, 127, 7, 0); // upward: the sinc path spreads a bad sample over many outputs
    e.noteOn(1, 55, bad, SR, 127, -5, 0); // downward: the Hermite path
    const { L, R } = renderFrames(e, 10000);
    expect(L.every(Number.isFinite) && R.every(Number.isFinite)).toBe(true);
    expect(e.stats.nonFinite).toBeGreaterThan(0);
    // Through the player core the sample is repaired on arrival instead.
    const core = new PlayerCore({ sampleRate: SR });
    const bad2 = harmonicTone(300, 0.2);
    bad2[5] = NaN;
    core.handle({ type: 'sample', id: 1, data: bad2, sampleRate: SR });
    core.handle({ type: 'note-on', channel: 1, note: 64, id: 1, velocity: 127, semitones: 4, time: 0 });
    const l = new Float32Array(RENDER_QUANTUM);
    const r = new Float32Array(RENDER_QUANTUM);
    core.render(l, r, 0);
    expect(l.every(Number.isFinite)).toBe(true);
    expect(core.handle({ type: 'query', token: 1 })).toMatchObject({ repairedSamples: 1, nonFinite: 0, pitched: 1 });
  });

  it('render() allocates nothing: pads, notes, bends, pedal and releases over 3,000 quanta', () => {
    const e = new VoiceEngine({ sampleRate: SR });
    const src = harmonicTone(220, 1);
    const l = new Float32Array(RENDER_QUANTUM);
    const r = new Float32Array(RENDER_QUANTUM);
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
    const run = (quanta: number, from: number) => {
      for (let q = 0; q < quanta; q++) {
        const f = from + q * RENDER_QUANTUM;
        if (q % 20 === 0) {
          e.schedule(q % 16, src, SR, 100, f + 17);
          e.noteOn(1 + (q % 3), 48 + (q % 24), src, SR, 90, (q % 13) - 6, f + 5);
          e.bend(1, (q % 5) - 2, f + 9); // whole semitones: a fractional argument would be boxed by this caller, not by render()
        }
        if (q % 20 === 10) e.noteOff(1 + (q % 3), 48 + ((q - 10) % 24), f + 3);
        if (q % 100 === 0) e.sustain(2, (q / 100) % 2 === 0, f);
        e.render(l, r, f);
      }
    };
    run(3000, 0); // warm up: JIT, inline caches
    // A scavenge during a run makes the count negative: measure again (a few tries) until a run has none.
    let grew = Infinity;
    for (let attempt = 0; attempt < 5 && !(grew < 16384); attempt++) {
      const before = newSpace();
      run(3000, (attempt + 1) * 3000 * RENDER_QUANTUM);
      const after = newSpace();
      grew = after >= before ? after - before : Infinity;
    }
    // One boxed number per quantum would be 48 KB over 3,000 quanta; one 128-sample buffer per quantum 1.5 MB.
    // What remains is the measurement itself and the test's own scheduling calls (~2 KB).
    expect(grew).toBeLessThan(16384);
    expect(e.stats.pitched + e.stats.voices).toBeGreaterThan(0);
  });
});
