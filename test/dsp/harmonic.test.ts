import { describe, expect, it } from 'vitest';
import { HARMONIC_TONAL_REPRESENTATION, TONAL_REPRESENTATION, melView, signalLength, validateRepresentation } from '../../src/dsp/config.js';
import { audioToFeature, featureToLinearMagnitude } from '../../src/dsp/features.js';
import { analyzeHarmonic, harmonicWindowLength } from '../../src/dsp/harmonic.js';
import { mulberry32 } from '../../src/dsp/random.js';

const cfg = HARMONIC_TONAL_REPRESENTATION;
const nF = cfg.nFrames;
const nH = cfg.nHarmonics!;
const sr = cfg.sampleRate;
const L = signalLength(cfg);
const hz = (m: number) => 440 * 2 ** ((m - 69) / 12);
/** Feature value → dB (inverse of the melToFeature mapping). */
const toDb = (v: number) => ((v + 1) / 2) * (cfg.ceilDb - cfg.floorDb) + cfg.floorDb;
const db = (a: number) => 20 * Math.log10(a);

/** A steady harmonic tone: amps[k-1] is harmonic k's peak amplitude; phases vary so it is not a pulse train. */
function tone(midi: number, cents: number, amps: number[]): Float32Array {
  const f0 = hz(midi) * 2 ** (cents / 1200);
  const x = new Float32Array(L);
  amps.forEach((a, i) => {
    const k = i + 1;
    for (let t = 0; t < L; t++) x[t]! += a * Math.sin((2 * Math.PI * k * f0 * t) / sr + 0.7 * k);
  });
  return x;
}
const row = (F: Float32Array, r: number) => F.subarray(r * nF, (r + 1) * nF);
const mid = (F: Float32Array, r: number) => row(F, r)[nF >> 1]!;

describe('harmonic representation config', () => {
  it('validates, and names the bad field and value', () => {
    expect(cfg.nMels).toBe(1 + nH + cfg.nNoiseBands!);
    expect(validateRepresentation(JSON.parse(JSON.stringify(cfg)))).toEqual(cfg);
    // Existing mel configs stay valid with no kind.
    expect(validateRepresentation(JSON.parse(JSON.stringify(TONAL_REPRESENTATION))).kind).toBeUndefined();
    const bad = (patch: Record<string, unknown>) => () => validateRepresentation({ ...cfg, ...patch }, 'config.json');
    expect(bad({ kind: 'wavelet' })).toThrow(/^config\.json\.kind: expected "mel" or "harmonic", got "wavelet"$/);
    expect(bad({ nHarmonics: 0, nMels: 33 })).toThrow(/^config\.json\.nHarmonics: expected an integer in 1–510, got 0$/);
    expect(bad({ nHarmonics: undefined })).toThrow(/^config\.json\.nHarmonics: expected an integer/);
    expect(bad({ nNoiseBands: 2.5 })).toThrow(/^config\.json\.nNoiseBands: expected an integer in 1–510, got 2\.5$/);
    expect(bad({ centsRange: -5 })).toThrow(/^config\.json\.centsRange: expected cents in \(0, 1200\], got -5$/);
    expect(bad({ nMels: 127 })).toThrow(/^config\.json\.nMels: 127 rows, but kind "harmonic" needs 1 \+ nHarmonics 95 \+ nNoiseBands 32 = 128$/);
    expect(() => validateRepresentation({ ...TONAL_REPRESENTATION, centsRange: 100 }, 'config.json')).toThrow(
      /^config\.json\.centsRange: only valid with kind "harmonic", got kind "mel"$/,
    );
  });
});

describe('harmonic features are never read as mel', () => {
  it('mel analysis and inversion refuse a harmonic config; melView gives the mel grid it shares', () => {
    const x = new Float32Array(L);
    expect(() => audioToFeature(x, cfg)).toThrow(/^features: representation kind "harmonic" has no mel bands/);
    expect(() => featureToLinearMagnitude(new Float32Array(cfg.nMels * nF), cfg)).toThrow(/has no mel bands/);
    const mel = melView(cfg);
    expect(mel).toEqual(TONAL_REPRESENTATION);
    expect(melView(TONAL_REPRESENTATION)).toBe(TONAL_REPRESENTATION);
    expect(audioToFeature(x, mel).length).toBe(mel.nMels * mel.nFrames);
  });
});

describe('analyzeHarmonic', () => {
  it('reads known harmonic amplitudes (dB re full-scale sine) and a +30 cent detune', () => {
    const amps = [0.5, 0.25, 0.1, 0.05, 0.02];
    const F = analyzeHarmonic(tone(69, 30, amps), 69, cfg);
    expect(F.length).toBe(cfg.nMels * nF);
    for (let f = 4; f < nF - 4; f++) expect(row(F, 0)[f]!).toBeCloseTo(0.3, 1); // ±0.05
    expect(Math.abs(mid(F, 0) - 0.3)).toBeLessThan(0.03);
    amps.forEach((a, i) => expect(Math.abs(toDb(mid(F, i + 1)) - db(a))).toBeLessThan(0.5));
    // Absent harmonics read near the floor.
    expect(toDb(mid(F, 8))).toBeLessThan(-70);
  });

  it('reads a flat detune and rejects nothing at the edges of the cents range', () => {
    const F = analyzeHarmonic(tone(60, -85, [0.4, 0.2, 0.1]), 60, cfg);
    expect(Math.abs(mid(F, 0) * cfg.centsRange! + 85)).toBeLessThan(3);
    const G = analyzeHarmonic(tone(60, 150, [0.4, 0.2, 0.1]), 60, cfg);
    expect(mid(G, 0)).toBe(1); // clamped to the range
  });

  it('separates the harmonics of E1 (41 Hz) with a long window', () => {
    expect(harmonicWindowLength(hz(28), cfg)).toBe(8192);
    expect(harmonicWindowLength(hz(69), cfg)).toBe(cfg.nFft);
    const amps = [0.3, 0.3, 0.15, 0.08, 0.04, 0.02, 0.01, 0.005];
    const F = analyzeHarmonic(tone(28, -12, amps), 28, cfg);
    expect(Math.abs(mid(F, 0) * 100 + 12)).toBeLessThan(2);
    amps.forEach((a, i) => expect(Math.abs(toDb(mid(F, i + 1)) - db(a))).toBeLessThan(0.5));
  });

  it('reads the floor for harmonics at or above 0.95 · Nyquist', () => {
    const m = 96; // C7, 2093 Hz: harmonic 10 is at 20.9 kHz (> 0.95 · 22.05 kHz)
    const amps = Array.from({ length: 12 }, () => 0.05);
    const F = analyzeHarmonic(tone(m, 0, amps), m, cfg);
    const limit = 0.95 * (sr / 2);
    for (let k = 1; k <= nH; k++) {
      const v = mid(F, k);
      if (k * hz(m) >= limit) expect(v).toBe(-1);
      else if (k <= 9) expect(Math.abs(toDb(v) - db(0.05))).toBeLessThan(0.5);
    }
  });

  it('puts a noise-only signal in the noise rows, at its level', () => {
    const rand = mulberry32(7);
    const sigma = 0.1;
    const x = new Float32Array(L);
    for (let t = 0; t < L; t += 2) {
      const r = Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12)));
      const u = rand();
      x[t] = sigma * r * Math.cos(2 * Math.PI * u);
      x[t + 1] = sigma * r * Math.sin(2 * Math.PI * u);
    }
    const F = analyzeHarmonic(x, 57, cfg);
    // White noise of std σ: mean Hann-STFT magnitude × 4/N = σ·(4/N)·sqrt(3N/8)·√π/2.
    const N = cfg.nFft;
    const expected = db(sigma * (4 / N) * Math.sqrt((3 * N) / 8) * (Math.sqrt(Math.PI) / 2));
    // Each band's level averaged over the frames (one frame of a narrow band holds only a few bins).
    const rowDb = (r: number) => row(F, r).slice(4, nF - 4).reduce((a, v) => a + toDb(v), 0) / (nF - 8);
    const noiseRows = Array.from({ length: cfg.nNoiseBands! }, (_, m) => rowDb(1 + nH + m));
    const meanNoise = noiseRows.reduce((a, b) => a + b, 0) / noiseRows.length;
    expect(Math.abs(meanNoise - expected)).toBeLessThan(1);
    for (const v of noiseRows) expect(Math.abs(v - expected)).toBeLessThan(2);
    // A pure tone leaves the noise rows far below its harmonics (≥ 50 dB under the strongest: what
    // remains is the coherent part of neighbouring harmonics' sidelobes, which a power sum cannot remove).
    const T = analyzeHarmonic(tone(57, 0, [0.5, 0.25, 0.1]), 57, cfg);
    const toneNoise = Array.from({ length: cfg.nNoiseBands! }, (_, m) => toDb(mid(T, 1 + nH + m)));
    expect(Math.max(...toneNoise)).toBeLessThan(db(0.5) - 50);
  });

  it('gives silent frames deviation 0 and rejects a bad pitch with a one-line error', () => {
    const x = tone(64, 40, [0.5, 0.2]);
    x.fill(0, L / 2); // second half silent
    const F = analyzeHarmonic(x, 64, cfg);
    expect(Math.abs(row(F, 0)[10]! - 0.4)).toBeLessThan(0.03);
    expect(row(F, 0)[nF - 10]).toBe(0);
    expect(() => analyzeHarmonic(x, 130, cfg)).toThrow(/^analyzeHarmonic: pitch must be a MIDI note 0–127, got 130$/);
    expect(() => analyzeHarmonic(x, 60, TONAL_REPRESENTATION)).toThrow(/^representation\.kind: expected "harmonic", got "mel"$/);
  });
});
