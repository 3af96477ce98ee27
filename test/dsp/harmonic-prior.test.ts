/**
 * The harmonic prior of the mel inverse (dsp/harmonic-prior.ts): its weight
 * curve, that the weighted inverse still reproduces the mel image it was
 * given, its cache, and — listening — that a harmonic image detuned from the
 * asked note comes back nearer the note with the prior than without.
 */
import { describe, expect, it } from 'vitest';
import { TONAL_REPRESENTATION as cfg, signalLength } from '../../src/dsp/config.js';
import { audioToFeature, audioToMel, filterbankOf } from '../../src/dsp/features.js';
import { HARMONIC_PRIOR_DEFAULTS, harmonicPrior, harmonicPseudoInverse, validateHarmonicPrior } from '../../src/dsp/harmonic-prior.js';
import { applyMel, melPseudoInverse, melToLinear, melWeightedPseudoInverse } from '../../src/dsp/mel.js';
import { estimateF0 } from '../../src/dsp/pitch.js';
import { featureToAudio, midiToHz } from '../../src/dsp/vocoder.js';
import { mulberry32 } from '../../src/dsp/random.js';

const binHz = cfg.sampleRate / cfg.nFft;
const nBins = cfg.nFft / 2 + 1;

describe('harmonicPrior', () => {
  it('is 1 on every harmonic up to maxHz, the floor between them and 1 above maxHz', () => {
    const f0 = 220;
    const w = harmonicPrior(nBins, binHz, f0);
    for (let h = 1; h * f0 <= HARMONIC_PRIOR_DEFAULTS.maxHz; h++) {
      const k = Math.round((h * f0) / binHz);
      // The nearest bin to a harmonic sits within half a bin of its lobe's peak.
      expect(w[k]!).toBeGreaterThanOrEqual(0.5 + 0.5 * Math.cos((Math.PI * 0.5) / HARMONIC_PRIOR_DEFAULTS.lobeBins) - 1e-12);
    }
    // Half-way between two harmonics: more than lobeBins from both.
    expect(w[Math.round(330 / binHz)]!).toBe(HARMONIC_PRIOR_DEFAULTS.floor);
    expect(w[Math.round(5000 / binHz)]!).toBe(1);
    expect(Math.min(...w)).toBe(HARMONIC_PRIOR_DEFAULTS.floor);
    expect(Math.max(...w)).toBeLessThanOrEqual(1);
  });

  it('rejects bad options and pitches with a line naming the field', () => {
    expect(() => validateHarmonicPrior({ floor: 0, maxHz: 4000, lobeBins: 2 }, 'x')).toThrow(/^x\.floor: expected a number in \(0, 1\], got 0$/);
    expect(() => validateHarmonicPrior({ floor: 0.1, maxHz: -5, lobeBins: 2 }, 'x')).toThrow(/^x\.maxHz: expected a frequency > 0 Hz, got -5$/);
    expect(() => validateHarmonicPrior({ floor: 0.1, maxHz: 4000, lobeBins: 20 }, 'x')).toThrow(/^x\.lobeBins: expected a number in 0\.5–8, got 20$/);
    expect(() => harmonicPrior(nBins, binHz, 0)).toThrow(/f0 must be a positive frequency, got 0/);
  });
});

describe('melWeightedPseudoInverse', () => {
  const fb = filterbankOf(cfg);
  const rand = mulberry32(5);
  // Bands of a real (non-negative) spectrum, so an exact non-negative inverse exists.
  const mel = applyMel(fb, Float32Array.from({ length: nBins }, () => 0.01 + rand()), 1);

  /** P · mel for one frame, without melToLinear's clamp at 0: the inverse's own answer. */
  const unclamped = (P: Float64Array) => {
    const x = new Float32Array(nBins);
    for (let k = 0; k < nBins; k++) {
      let s = 0;
      for (let m = 0; m < cfg.nMels; m++) s += P[k * cfg.nMels + m]! * mel[m]!;
      x[k] = s;
    }
    return x;
  };

  it('with flat weights it is the plain pseudo-inverse', () => {
    const a = melWeightedPseudoInverse(fb, new Float64Array(nBins).fill(1));
    const b = melPseudoInverse(fb);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
    expect(d).toBeLessThan(1e-3);
  });

  it('under the harmonic prior still gives back the bands it was given', () => {
    const f0 = midiToHz(57);
    const P = harmonicPseudoInverse(fb, binHz, f0);
    // The constraint M x = mel holds exactly (melToLinear's clamp at 0 then costs a few bands a little).
    const bands = applyMel(fb, unclamped(P), 1);
    let worst = 0;
    for (let m = 0; m < cfg.nMels; m++) worst = Math.max(worst, Math.abs(bands[m]! - mel[m]!) / mel[m]!);
    expect(worst).toBeLessThan(1e-3);
  });

  it('moves the harmonics of a detuned tone toward the asked note, in the bands wide enough to hold a choice', () => {
    const note = 57;
    const f0 = midiToHz(note);
    const hz = f0 * 2 ** (35 / 1200); // the image's tone: 35 cents sharp
    const n = signalLength(cfg);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let h = 1; h * hz < 8000; h++) s += Math.sin((2 * Math.PI * h * hz * i) / cfg.sampleRate) / h;
      x[i] = 0.3 * s;
    }
    const all = audioToMel(x, cfg);
    const frame = Float32Array.from({ length: cfg.nMels }, (_, m) => all[m * cfg.nFrames + 64]!);
    // Cents of each harmonic's energy centroid (±3 bins around the tone's own harmonic) from h·f0.
    const offsets = (lin: Float32Array) => {
      const out: number[] = [];
      for (let h = 8; h <= 16; h += 2) {
        const c = (h * hz) / binHz;
        let sw = 0;
        let s = 0;
        for (let k = Math.ceil(c - 3); k <= Math.floor(c + 3); k++) {
          sw += lin[k]! ** 2;
          s += lin[k]! ** 2 * k;
        }
        out.push(1200 * Math.log2(((s / sw) * binHz) / (h * f0)));
      }
      return out.sort((p, q) => p - q)[2]!;
    };
    const plain = offsets(melToLinear(fb, frame, 1));
    const prior = offsets(melToLinear(fb, frame, 1, harmonicPseudoInverse(fb, binHz, f0)));
    expect(plain).toBeGreaterThan(25); // measured 37: the plain inverse keeps the image's tuning
    expect(prior).toBeLessThan(plain - 10); // measured 8
    expect(prior).toBeGreaterThan(0);
  });

  it('rejects a weight vector of the wrong length or with a weight ≤ 0', () => {
    expect(() => melWeightedPseudoInverse(fb, new Float64Array(5).fill(1))).toThrow(/5 weights for 1025 bins/);
    const w = new Float64Array(nBins).fill(1);
    w[3] = 0;
    expect(() => melWeightedPseudoInverse(fb, w)).toThrow(/weight 3 is 0, expected > 0/);
  });

  it('keeps recent inverses: the same note twice is one solve', () => {
    const a = harmonicPseudoInverse(fb, binHz, midiToHz(61));
    expect(harmonicPseudoInverse(fb, binHz, midiToHz(61))).toBe(a);
    expect(harmonicPseudoInverse(fb, binHz, midiToHz(62))).not.toBe(a);
  });
});

describe('vocoder with the harmonic prior (listening)', () => {
  it('a harmonic image 35 cents sharp of the asked note comes back nearer the note', () => {
    const note = 58; // A#3, where a mel band spans ~230 cents of the fundamental
    const hz = midiToHz(note) * 2 ** (35 / 1200);
    const n = signalLength(cfg);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let h = 1; h * hz < 8000; h++) s += Math.sin((2 * Math.PI * h * hz * i) / cfg.sampleRate) / h;
      x[i] = 0.4 * Math.exp(-i / (0.6 * cfg.sampleRate)) * s;
    }
    const feature = audioToFeature(x, cfg);
    const cents = (a: Float32Array) => 1200 * Math.log2(estimateF0(a, cfg.sampleRate).f0! / midiToHz(note));
    const plain = featureToAudio(feature, cfg, { pitch: note });
    const prior = featureToAudio(feature, cfg, { pitch: note, harmonicPrior: HARMONIC_PRIOR_DEFAULTS });
    expect(prior.every(Number.isFinite)).toBe(true);
    expect(Math.abs(cents(plain) - 35)).toBeLessThan(5); // the plain inverse follows the image
    expect(cents(prior)).toBeLessThan(25); // measured 11
    expect(cents(prior)).toBeGreaterThan(0); // pulled, not replaced: the image still has its say
  });

  it('does nothing without a pitch (drums) and is off unless asked', () => {
    const rand = mulberry32(9);
    const feature = Float32Array.from({ length: cfg.nMels * cfg.nFrames }, () => rand() * 0.4 - 0.9);
    const a = featureToAudio(feature, cfg, {});
    const b = featureToAudio(feature, cfg, { harmonicPrior: HARMONIC_PRIOR_DEFAULTS });
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
