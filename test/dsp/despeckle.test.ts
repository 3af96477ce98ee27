import { describe, expect, it } from 'vitest';
import { DRUM_REPRESENTATION } from '../../src/dsp/config.js';
import { despeckle, DESPECKLE_DELTA } from '../../src/dsp/despeckle.js';
import { audioToFeature } from '../../src/dsp/features.js';
import { featureToAudio } from '../../src/dsp/vocoder.js';
import { synthDrum } from './helpers.js';

const M = 12;
const T = 10;
const flat = (v: number) => new Float32Array(M * T).fill(v);
const at = (m: number, t: number) => m * T + t;

describe('despeckle', () => {
  it('pulls an isolated hot spot down to its neighbourhood median + delta and leaves the rest', () => {
    const f = flat(-0.5);
    f[at(5, 4)] = 0.9;
    const g = despeckle(f, T, 0.2);
    expect(g[at(5, 4)]).toBeCloseTo(-0.3, 6);
    g[at(5, 4)] = -0.5;
    expect(Array.from(g)).toEqual(Array.from(flat(-0.5)));
    expect(f[at(5, 4)]).toBeCloseTo(0.9, 6); // input untouched
  });

  it('keeps onsets, a partial a few bands wide, and values within delta', () => {
    const f = flat(-0.8);
    // An attack is loud across all bands for ~3 frames: the 2048-sample window spans 4 hops.
    for (let m = 0; m < M; m++) for (let t = 2; t <= 4; t++) f[at(m, t)] = 0.5;
    for (let t = 0; t < T; t++) for (let m = 7; m <= 9; m++) f[at(m, t)] = 0.4; // partial over 3 bands
    f[at(1, 7)] = -0.8 + DESPECKLE_DELTA * 0.99; // just within delta
    expect(Array.from(despeckle(f, T))).toEqual(Array.from(f));
  });

  it('handles corners and edges (fewer neighbours) and a 2 × 1 cluster the same way', () => {
    const f = flat(-1);
    f[at(0, 0)] = 1;
    f[at(M - 1, T - 1)] = 1;
    f[at(6, 5)] = 0.8;
    f[at(6, 6)] = 0.8;
    const g = despeckle(f, T, 0.2);
    expect(g[at(0, 0)]).toBeCloseTo(-0.8, 6);
    expect(g[at(M - 1, T - 1)]).toBeCloseTo(-0.8, 6);
    expect(g[at(6, 5)]).toBeCloseTo(-0.8, 6);
    expect(g[at(6, 6)]).toBeCloseTo(-0.8, 6);
  });

  it('rejects a length that is not whole bands and a negative delta, naming the value', () => {
    expect(() => despeckle(new Float32Array(25), 10)).toThrow(/^despeckle: 25 values are not a whole number of 10-frame bands$/);
    expect(() => despeckle(flat(0), T, -0.1)).toThrow(/^despeckle: delta must be ≥ 0, got -0.1$/);
  });
});

describe('featureToAudio speckle clean-up (unpitched log-mel only)', () => {
  const cfg = DRUM_REPRESENTATION;
  const real = audioToFeature(synthDrum(32768, cfg.sampleRate, { freq: 180 }), cfg);
  const speckled = real.slice();
  for (let k = 0; k < 40; k++) speckled[(k * 7919) % speckled.length] = 0.95;
  const opts = { iterations: 4 };

  it('is on by default without a pitch and changes a speckled feature', () => {
    const on = featureToAudio(speckled, cfg, opts);
    const off = featureToAudio(speckled, cfg, { ...opts, despeckle: false });
    expect(Array.from(on)).not.toEqual(Array.from(off));
    expect(Array.from(on)).toEqual(Array.from(featureToAudio(despeckle(speckled, cfg.nFrames), cfg, { ...opts, despeckle: false })));
  });

  it('leaves a pitched one-shot as it is', () => {
    const a = featureToAudio(speckled, cfg, { ...opts, pitch: 48 });
    const b = featureToAudio(speckled, cfg, { ...opts, pitch: 48, despeckle: false });
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('hardly touches a feature analysed from real audio', () => {
    const g = despeckle(real, cfg.nFrames);
    let changed = 0;
    for (let i = 0; i < g.length; i++) if (g[i] !== real[i]) changed++;
    expect(changed / g.length).toBeLessThan(0.01);
  });
});
