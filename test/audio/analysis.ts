/**
 * Measurement helpers for the listening tests: Hann-windowed, zero-padded
 * power spectra, an accurate peak frequency (quadratic interpolation of the
 * log power around the largest bin), band energies, and test signals.
 */
import { RealFft } from '../../src/dsp/fft.js';
import { mulberry32 } from '../../src/dsp/random.js';

export interface Spectrum {
  /** |X[k]|², bins 0 … size/2. */
  power: Float64Array;
  /** Bin spacing (Hz). */
  binHz: number;
}

/** Power spectrum of x[start … start+length) under a Hann window, zero-padded to `size` (a power of two ≥ length). */
export function powerSpectrum(x: ArrayLike<number>, sampleRate: number, start: number, length: number, size: number): Spectrum {
  if (start + length > x.length) throw new Error(`window ${start}+${length} runs past the signal (${x.length})`);
  const buf = new Float64Array(size);
  for (let i = 0; i < length; i++) buf[i] = x[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1)));
  const fft = new RealFft(size);
  const re = new Float64Array(size / 2 + 1);
  const im = new Float64Array(size / 2 + 1);
  fft.forward(buf, re, im);
  const power = new Float64Array(size / 2 + 1);
  for (let k = 0; k < power.length; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return { power, binHz: sampleRate / size };
}

/**
 * Frequency of the strongest component between lo and hi (Hz): the largest
 * bin, refined by a parabola through the log power of it and its neighbours
 * (exact for a Gaussian peak; a few thousandths of a bin for Hann).
 */
export function peakFrequency(s: Spectrum, lo: number, hi: number): number {
  const a = Math.max(1, Math.ceil(lo / s.binHz));
  const b = Math.min(s.power.length - 2, Math.floor(hi / s.binHz));
  let k = a;
  for (let i = a; i <= b; i++) if (s.power[i]! > s.power[k]!) k = i;
  const l = Math.log(s.power[k - 1]! + 1e-300);
  const c = Math.log(s.power[k]! + 1e-300);
  const r = Math.log(s.power[k + 1]! + 1e-300);
  const den = l - 2 * c + r;
  const delta = den === 0 ? 0 : (0.5 * (l - r)) / den;
  return (k + delta) * s.binHz;
}

/** Sum of power over [lo, hi] Hz. */
export function bandPower(s: Spectrum, lo: number, hi: number): number {
  let sum = 0;
  const a = Math.max(0, Math.ceil(lo / s.binHz));
  const b = Math.min(s.power.length - 1, Math.floor(hi / s.binHz));
  for (let k = a; k <= b; k++) sum += s.power[k]!;
  return sum;
}

/** Interval from a to b (cents). */
export function cents(a: number, b: number): number {
  return 1200 * Math.log2(b / a);
}

/** Equal-tempered frequency of a MIDI note (Hz). */
export function midiHz(note: number): number {
  return 440 * Math.pow(2, (note - 69) / 12);
}

/**
 * A generated-like one-shot: harmonics of f0 with 1/h amplitudes up to
 * `maxHz`, each decaying faster the higher it is, a short attack, a little
 * seeded noise, and a peak of 0.9 (what the models output is normalised near).
 */
export function harmonicTone(f0: number, seconds: number, sampleRate = 44100, maxHz = 20000, seed = 1): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const rnd = mulberry32(seed);
  const H = Math.floor(maxHz / f0);
  for (let h = 1; h <= H; h++) {
    const amp = 1 / h;
    const tau = 1.2 / Math.sqrt(h);
    const w = (2 * Math.PI * f0 * h) / sampleRate;
    const ph = rnd() * 2 * Math.PI;
    for (let i = 0; i < n; i++) out[i]! += amp * Math.exp(-i / (tau * sampleRate)) * Math.sin(w * i + ph);
  }
  let peak = 0;
  for (let i = 0; i < n; i++) {
    out[i] = out[i]! * Math.min(1, i / 200) + 0.002 * (rnd() * 2 - 1);
    peak = Math.max(peak, Math.abs(out[i]!));
  }
  for (let i = 0; i < n; i++) out[i] = (out[i]! * 0.9) / peak;
  return out;
}

/** Sum of sinusoids (Hz) with equal amplitude `amp`. */
export function sines(freqs: readonly number[], seconds: number, sampleRate = 44100, amp = 0.1): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  for (const f of freqs) {
    const w = (2 * Math.PI * f) / sampleRate;
    for (let i = 0; i < n; i++) out[i]! += amp * Math.sin(w * i);
  }
  return out;
}
