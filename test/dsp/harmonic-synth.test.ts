import { describe, expect, it } from 'vitest';
import { HARMONIC_TONAL_REPRESENTATION, TONAL_REPRESENTATION, signalLength } from '../../src/dsp/config.js';
import { yinF0 } from '../../src/dsp/descriptors.js';
import { analyzeHarmonic, synthesizeHarmonic } from '../../src/dsp/harmonic.js';
import { mulberry32 } from '../../src/dsp/random.js';
import { magnitude, stft } from '../../src/dsp/stft.js';
import { featureToAudio } from '../../src/dsp/vocoder.js';

const cfg = HARMONIC_TONAL_REPRESENTATION;
const nF = cfg.nFrames;
const nH = cfg.nHarmonics!;
const nNB = cfg.nNoiseBands!;
const sr = cfg.sampleRate;
const L = signalLength(cfg);
const hz = (m: number) => 440 * 2 ** ((m - 69) / 12);
const toDb = (v: number) => ((v + 1) / 2) * (cfg.ceilDb - cfg.floorDb) + cfg.floorDb;
const toFeature = (db: number) => Math.max(-1, Math.min(1, ((db - cfg.floorDb) / (cfg.ceilDb - cfg.floorDb)) * 2 - 1));

/**
 * A plucked-string-like one-shot: 10 ms attack, exponential decay, harmonic k
 * at −6·log2(k)·(1 + k/20) dB re 0.4, plus a short burst of attack noise —
 * what the representation has to carry.
 */
function pluck(midi: number, cents: number, seed = 1): Float32Array {
  const f0 = hz(midi) * 2 ** (cents / 1200);
  const x = new Float32Array(L);
  const rand = mulberry32(seed);
  const env = (t: number) => Math.min(1, t / (0.01 * sr)) * Math.exp(-t / (0.5 * sr));
  for (let k = 1; k * f0 < 0.9 * (sr / 2) && k <= nH; k++) {
    const a = 0.4 * 10 ** ((-6 * Math.log2(k) * (1 + k / 20)) / 20);
    const ph = rand() * 2 * Math.PI;
    for (let t = 0; t < L; t++) x[t]! += a * env(t) * Math.sin((2 * Math.PI * k * f0 * t) / sr + ph);
  }
  // Attack noise (a pick or hammer): loud, gone within ~0.3 s.
  for (let t = 0; t < L; t++) x[t]! += 0.1 * Math.min(1, t / (0.002 * sr)) * Math.exp(-t / (0.06 * sr)) * (rand() * 2 - 1);
  return x;
}

/** Mean |dB error| between two features over the rows in [r0, r1) where `a` is above −60 dB. */
function maeDb(a: Float32Array, b: Float32Array, r0: number, r1: number): { mae: number; n: number } {
  let s = 0;
  let n = 0;
  for (let r = r0; r < r1; r++) {
    for (let f = 0; f < nF; f++) {
      const da = toDb(a[r * nF + f]!);
      if (da <= -60) continue;
      s += Math.abs(toDb(b[r * nF + f]!) - da);
      n++;
    }
  }
  return { mae: s / n, n };
}

describe('synthesizeHarmonic', () => {
  it('round-trips: analyze(synthesize(x)) ≈ x on harmonic rows (≤ 1.5 dB), noise rows (≤ 3 dB) and f0', () => {
    for (const [midi, cents] of [[28, 0], [48, 20], [69, -35], [84, 10]] as const) {
      const x = analyzeHarmonic(pluck(midi, cents), midi, cfg);
      const y = analyzeHarmonic(synthesizeHarmonic(x, cfg, midi), midi, cfg);
      const h = maeDb(x, y, 1, 1 + nH);
      const nz = maeDb(x, y, 1 + nH, 1 + nH + nNB);
      expect(h.n).toBeGreaterThan(200);
      expect(h.mae, `harmonic rows at MIDI ${midi}`).toBeLessThan(1.5);
      if (nz.n > 0) expect(nz.mae, `noise rows at MIDI ${midi}`).toBeLessThan(3);
      // f0 row (cents) in the steady part.
      let worst = 0;
      let mean = 0;
      for (let f = 8; f < 100; f++) {
        const e = Math.abs(y[f]! - x[f]!) * cfg.centsRange!;
        worst = Math.max(worst, e);
        mean += e / 92;
      }
      expect(mean, `f0 row at MIDI ${midi}`).toBeLessThan(1);
      expect(worst, `f0 row at MIDI ${midi}`).toBeLessThan(3);
    }
  });

  it('puts the f0 on the requested note (±2 cents by the eval’s YIN) at E1, C3, A4 and C6', () => {
    for (const midi of [28, 48, 69, 84]) {
      const feature = new Float32Array(cfg.nMels * nF).fill(-1);
      feature.fill(0, 0, nF); // no deviation
      for (let k = 1; k <= 12; k++) for (let f = 0; f < nF; f++) feature[k * nF + f] = toFeature(-6 - 3 * k);
      const y = synthesizeHarmonic(feature, cfg, midi);
      const f0 = yinF0(y, sr);
      expect(f0, `MIDI ${midi}`).not.toBeNull();
      expect(Math.abs(1200 * Math.log2(f0! / hz(midi))), `MIDI ${midi}`).toBeLessThan(2);
    }
  });

  it('follows the deviation row (+50 cents reads +50 cents) and renders nothing above 0.95 · Nyquist', () => {
    const midi = 60;
    const feature = new Float32Array(cfg.nMels * nF).fill(-1);
    feature.fill(0.5, 0, nF);
    for (let k = 1; k <= nH; k++) for (let f = 0; f < nF; f++) feature[k * nF + f] = toFeature(-20 - 0.2 * k);
    const y = synthesizeHarmonic(feature, cfg, midi);
    expect(Math.abs(1200 * Math.log2(yinF0(y, sr)! / hz(midi)) - 50)).toBeLessThan(2);
    // Nothing above the limit. At C6 + 50 cents (1077 Hz), harmonic 19 (20.47 kHz) is the last one
    // below 0.95 · Nyquist and harmonic 20 (21.55 kHz) must be absent: every bin from halfway
    // between them up is > 80 dB under the strongest bin.
    const hi = new Float32Array(cfg.nMels * nF).fill(-1);
    hi.fill(0.5, 0, nF);
    for (let k = 1; k <= nH; k++) for (let f = 0; f < nF; f++) hi[k * nF + f] = toFeature(-20);
    const mag = magnitude(stft(synthesizeHarmonic(hi, cfg, 84), cfg.nFft, cfg.hop, nF));
    const nb = cfg.nFft / 2 + 1;
    const f0hi = hz(84) * 2 ** (50 / 1200);
    expect(19 * f0hi).toBeLessThan(0.94 * (sr / 2));
    const fromBin = Math.ceil((19.5 * f0hi) / (sr / cfg.nFft));
    let top = 0;
    let above = 0;
    for (let f = 4; f < nF - 4; f++) {
      // (The first and last frames see the reflect padding's kink at the signal's ends: broadband.)
      for (let k = 0; k < nb; k++) {
        const m = mag[f * nb + k]!;
        top = Math.max(top, m);
        if (k >= fromBin) above = Math.max(above, m);
      }
    }
    expect(20 * Math.log10(above / top)).toBeLessThan(-80);
  });

  it('is deterministic: the same feature gives the same audio; a different one different noise', () => {
    const x = analyzeHarmonic(pluck(57, 0, 3), 57, cfg);
    const a = synthesizeHarmonic(x, cfg, 57);
    const b = synthesizeHarmonic(Float32Array.from(x), cfg, 57);
    expect(b).toEqual(a);
    const x2 = Float32Array.from(x);
    x2[(1 + nH + 10) * nF + 40]! += 0.01;
    const c = synthesizeHarmonic(x2, cfg, 57);
    expect(c).not.toEqual(a);
  });

  it('names a bad feature length, a missing pitch and a non-harmonic config', () => {
    const x = new Float32Array(cfg.nMels * nF);
    expect(() => synthesizeHarmonic(x.subarray(1), cfg, 60)).toThrow(/^synthesizeHarmonic: feature has 16383 values, expected 16384$/);
    expect(() => synthesizeHarmonic(x, cfg, Number.NaN)).toThrow(/^synthesizeHarmonic: pitch must be a MIDI note 0–127, got null$/);
    expect(() => synthesizeHarmonic(x, TONAL_REPRESENTATION, 60)).toThrow(/^representation\.kind: expected "harmonic"/);
  });
});

describe('featureToAudio with a harmonic representation', () => {
  it('synthesizes at the pitch, then removes DC, fades out and normalises the peak to −1 dBFS', () => {
    const x = analyzeHarmonic(pluck(45, 0, 5), 45, cfg);
    const y = featureToAudio(x, cfg, { pitch: 45 });
    expect(y.length).toBe(L);
    let peak = 0;
    let mean = 0;
    for (const v of y) {
      peak = Math.max(peak, Math.abs(v));
      mean += v / y.length;
    }
    expect(20 * Math.log10(peak)).toBeCloseTo(-1, 2);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(Math.abs(y[L - 1]!)).toBe(0); // the fade ends at silence
    expect(Math.abs(1200 * Math.log2(yinF0(y, sr)! / hz(45)))).toBeLessThan(5);
  });

  it('requires the pitch with a one-line error', () => {
    const x = new Float32Array(cfg.nMels * nF).fill(-1);
    expect(() => featureToAudio(x, cfg)).toThrow(/^featureToAudio: a harmonic representation needs the requested pitch \(opts\.pitch\)$/);
  });
});
