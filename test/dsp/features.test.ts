import { describe, expect, it } from 'vitest';
import { DRUM_REPRESENTATION, TONAL_REPRESENTATION, duration, nBins, signalLength, validateRepresentation } from '../../src/dsp/config.js';
import { spectralShape } from '../../src/dsp/descriptors.js';
import { gainToDb, peak } from '../../src/dsp/envelope.js';
import { audioToFeature, audioToMel, featureToMel, filterbankOf, fitLength, melToFeature } from '../../src/dsp/features.js';
import { featureToAudio } from '../../src/dsp/vocoder.js';
import { sine, synthDrum } from './helpers.js';

const cfg = DRUM_REPRESENTATION;

describe('representation config', () => {
  it('lengths follow from the frame count', () => {
    expect(signalLength(cfg)).toBe(63 * 512);
    expect(signalLength(TONAL_REPRESENTATION)).toBe(127 * 512);
    expect(duration(cfg)).toBeCloseTo(32256 / 44100, 10);
    expect(nBins(cfg)).toBe(1025);
  });

  it('validateRepresentation accepts the built-ins and names the bad field', () => {
    expect(validateRepresentation(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
    expect(() => validateRepresentation({ ...cfg, nFft: 1000 }, 'config.json')).toThrow(/^config\.json\.nFft: expected a power of two/);
    expect(() => validateRepresentation({ ...cfg, hop: 4096 })).toThrow(/hop: 4096 exceeds nFft/);
    expect(() => validateRepresentation({ ...cfg, fMax: 30000 })).toThrow(/above Nyquist/);
    expect(() => validateRepresentation({ ...cfg, ceilDb: -95 })).toThrow(/ceilDb/);
    expect(() => validateRepresentation(null)).toThrow(/expected an object/);
  });
});

describe('features', () => {
  it('feature layout is mel-major [nMels * nFrames] in [-1, 1]; silence is exactly -1', () => {
    const f = audioToFeature(synthDrum(signalLength(cfg), 44100), cfg);
    expect(f.length).toBe(cfg.nMels * cfg.nFrames);
    for (const v of f) {
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(1);
    }
    const s = audioToFeature(new Float32Array(100), cfg);
    expect(s.every((v) => v === -1)).toBe(true);
  });

  it('mel-major: a tone switched on halfway lights its band only in the later frames', () => {
    const n = signalLength(cfg);
    const x = new Float32Array(n);
    x.set(sine(n / 2, 2000, 44100, 0.5), n / 2);
    const mel = audioToMel(x, cfg);
    const fb = filterbankOf(cfg);
    let m = 0;
    for (let i = 0; i < cfg.nMels; i++) if (Math.abs(fb.centers[i]! - 2000) < Math.abs(fb.centers[m]! - 2000)) m = i;
    const T = cfg.nFrames;
    expect(mel[m * T + 5]!).toBeLessThan(1e-6);
    expect(mel[m * T + T - 5]!).toBeGreaterThan(0.1);
  });

  it('a full-scale sine on a band centre reads 0 to +6 dB (Hann main lobe summed by wide bands), under ceilDb', () => {
    const fb = filterbankOf(cfg);
    let prev = -Infinity;
    for (const m of [10, 40, 80, 120]) {
      const mel = audioToMel(sine(signalLength(cfg), fb.centers[m]!, 44100, 1), cfg);
      const db = 20 * Math.log10(mel[m * cfg.nFrames + 30]!);
      expect(db).toBeGreaterThan(0);
      expect(db).toBeLessThan(6.1);
      expect(db).toBeGreaterThan(prev - 0.5); // wider bands sum more of the main lobe
      prev = db;
    }
    expect(prev).toBeLessThan(cfg.ceilDb);
  });

  it('feature ↔ mel mapping inverts inside the clamp range and the floor decodes to 0', () => {
    const mel = Float32Array.from([1e-4, 1e-3, 0.1, 1, 3]);
    const back = featureToMel(melToFeature(mel, cfg), cfg);
    for (let i = 0; i < mel.length; i++) expect(back[i]! / mel[i]!).toBeCloseTo(1, 4);
    const f = melToFeature(Float32Array.from([0, 1e-9, 1e6]), cfg);
    expect(Array.from(f)).toEqual([-1, -1, 1]);
    expect(Array.from(featureToMel(Float32Array.from([-1, -5]), cfg))).toEqual([0, 0]);
  });

  it('fitLength pads and truncates', () => {
    expect(fitLength(new Float32Array(10), cfg).length).toBe(signalLength(cfg));
    expect(fitLength(new Float32Array(100000), cfg).length).toBe(signalLength(cfg));
  });
});

describe('featureToAudio', () => {
  const x = synthDrum(signalLength(cfg), 44100, { freq: 160, seed: 3 });
  const feature = audioToFeature(x, cfg);
  const y = featureToAudio(feature, cfg, { seed: 1 });

  it('has the representation length, −1 dBFS peak, a silent end and no NaN', () => {
    expect(y.length).toBe(signalLength(cfg));
    for (const v of y) expect(Number.isFinite(v)).toBe(true);
    expect(gainToDb(peak(y))).toBeCloseTo(-1, 4);
    expect(y[y.length - 1]).toBe(0);
  });

  it('round trip of a synthetic drum keeps its spectral centroid within 25 % and its onset', () => {
    const a = spectralShape(x, 44100).centroid;
    const b = spectralShape(y, 44100).centroid;
    expect(Math.abs(b - a) / a).toBeLessThan(0.25);
    // Energy stays at the front: most of it within the first quarter, like the original.
    const quarter = y.length / 4;
    let head = 0;
    let all = 0;
    for (let i = 0; i < y.length; i++) {
      all += y[i]! ** 2;
      if (i < quarter) head += y[i]! ** 2;
    }
    expect(head / all).toBeGreaterThan(0.8);
  });

  it('all-silent features give silence, not noise or NaN', () => {
    const z = featureToAudio(new Float32Array(cfg.nMels * cfg.nFrames).fill(-1), cfg, { iterations: 2 });
    expect(peak(z)).toBe(0);
  });

  it('rejects features of the wrong size or with NaN', () => {
    expect(() => featureToAudio(new Float32Array(5), cfg)).toThrow(/expected 8192/);
    const bad = feature.slice();
    bad[17] = NaN;
    expect(() => featureToAudio(bad, cfg, { iterations: 1 })).toThrow(/non-finite feature value at index 17/);
  });
});
