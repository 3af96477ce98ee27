import type { Hz, Samples, Decibels, Seconds } from '../units.js';

/**
 * The spectral representation a model learns. One object, travelling with the
 * model weights in config.json, so analysis in the dataset builder and
 * synthesis in the instrument can never disagree.
 *
 * Feature layout: Float32Array of length nMels * nFrames, mel-major
 * (feature[m * nFrames + f]), i.e. channels = mel bins, time last, which is
 * PyTorch's [C, T] for a 1-D network over frames.
 *
 * Normalisation (documented here, implemented in features.ts):
 *   mag[k, f] = |STFT| * 2 / sum(window)   (a full-scale sine peaks at 1.0)
 *   mel[m, f] = sum_k W[m, k] * mag[k, f]   (triangles peaking at 1, Slaney mel scale)
 *   dB        = 20 log10(max(mel, 10^(floorDb/20)))
 *   feature   = clamp((dB - floorDb) / (ceilDb - floorDb) * 2 - 1, -1, 1)
 * so floorDb maps to -1 and ceilDb to +1.
 */
export interface RepresentationConfig {
  /** Output and analysis sample rate (Hz). */
  sampleRate: Hz;
  /** FFT size (samples); also the Hann window length. */
  nFft: Samples;
  /** Hop between frames (samples). */
  hop: Samples;
  /** Number of mel bands. */
  nMels: number;
  /** Lowest mel band edge (Hz). */
  fMin: Hz;
  /** Highest mel band edge (Hz). */
  fMax: Hz;
  /** Frames per one-shot; the signal has (nFrames - 1) * hop samples, STFT centred. */
  nFrames: number;
  /** Level mapped to feature -1 (dB re full-scale sine). */
  floorDb: Decibels;
  /** Level mapped to feature +1 (dB). */
  ceilDb: Decibels;
}

/** Length in samples of a one-shot in this representation. */
export function signalLength(cfg: RepresentationConfig): Samples {
  return (cfg.nFrames - 1) * cfg.hop;
}

/** Duration of a one-shot in seconds. */
export function duration(cfg: RepresentationConfig): Seconds {
  return signalLength(cfg) / cfg.sampleRate;
}

/** Number of linear-frequency bins of the one-sided spectrum. */
export function nBins(cfg: RepresentationConfig): number {
  return cfg.nFft / 2 + 1;
}

const BASE = {
  sampleRate: 44100,
  nFft: 2048,
  hop: 512,
  nMels: 128,
  fMin: 20,
  fMax: 22050,
  floorDb: -90,
  ceilDb: 10,
} as const;

/** Drums: 64 frames = 32,256 samples = 0.73 s. */
export const DRUM_REPRESENTATION: RepresentationConfig = { ...BASE, nFrames: 64 };

/** Pitched one-shots: 128 frames = 65,024 samples = 1.47 s, room for the release. */
export const TONAL_REPRESENTATION: RepresentationConfig = { ...BASE, nFrames: 128 };

/**
 * Validate a representation read from a file. Throws a one-line error naming
 * the field, so a corrupt config.json is reported, not half-used.
 */
export function validateRepresentation(raw: unknown, where = 'representation'): RepresentationConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: expected an object`);
  const r = raw as Record<string, unknown>;
  const num = (k: keyof RepresentationConfig, check: (v: number) => boolean, what: string): number => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) {
      throw new Error(`${where}.${k}: expected ${what}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const isPow2 = (v: number) => Number.isInteger(v) && v >= 64 && (v & (v - 1)) === 0;
  const cfg: RepresentationConfig = {
    sampleRate: num('sampleRate', (v) => v >= 8000 && v <= 192000, 'a sample rate in 8000–192000 Hz'),
    nFft: num('nFft', isPow2, 'a power of two ≥ 64'),
    hop: num('hop', (v) => Number.isInteger(v) && v > 0, 'a positive integer'),
    nMels: num('nMels', (v) => Number.isInteger(v) && v > 0 && v <= 512, 'an integer in 1–512'),
    fMin: num('fMin', (v) => v >= 0, 'a frequency ≥ 0 Hz'),
    fMax: num('fMax', (v) => v > 0, 'a frequency > 0 Hz'),
    nFrames: num('nFrames', (v) => Number.isInteger(v) && v >= 2, 'an integer ≥ 2'),
    floorDb: num('floorDb', (v) => v < 0, 'a negative dB value'),
    ceilDb: num('ceilDb', () => true, 'a dB value'),
  };
  if (cfg.hop > cfg.nFft) throw new Error(`${where}.hop: ${cfg.hop} exceeds nFft ${cfg.nFft}`);
  if (cfg.fMax > cfg.sampleRate / 2) throw new Error(`${where}.fMax: ${cfg.fMax} Hz is above Nyquist (${cfg.sampleRate / 2} Hz)`);
  if (cfg.fMin >= cfg.fMax) throw new Error(`${where}.fMin: ${cfg.fMin} Hz is not below fMax ${cfg.fMax} Hz`);
  if (cfg.ceilDb <= cfg.floorDb) throw new Error(`${where}.ceilDb: ${cfg.ceilDb} dB is not above floorDb ${cfg.floorDb} dB`);
  return cfg;
}
