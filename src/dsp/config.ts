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
 *
 * kind 'harmonic' (harmonic-plus-noise, DDSP-style; analysis and synthesis
 * in harmonic.ts): the same [rows * nFrames] layout (feature[r * nFrames + f]),
 * rows = nMels = 1 + nHarmonics + nNoiseBands, each frame centred on sample
 * f·hop as in the mel STFT:
 *   row 0              f0 deviation of the frame from the requested note:
 *                      cents / centsRange, clamped to [-1, 1]; 0 where the
 *                      frame is silent (> 60 dB below the loudest) or no f0
 *                      can be measured.
 *   rows 1..nHarmonics amplitude of harmonic k = row of the (detuned) note,
 *                      peak |STFT| * 2 / sum(window) with a Hann window of at
 *                      least 4 periods (a full-scale sine reads 1.0), mapped
 *                      by the dB mapping above; harmonics at or above
 *                      0.95 · Nyquist read the floor (-1).
 *   last nNoiseBands   level of the inharmonic residual: the nFft STFT with
 *                      every bin in the main lobe of a harmonic removed,
 *                      triangle-weighted mean magnitude in Slaney-mel bands
 *                      between fMin and fMax, same dB mapping (floor where no
 *                      bin remains).
 * The synthesizer renders these at the requested pitch, so the model cannot
 * get the pitch wrong by more than centsRange.
 */
export interface RepresentationConfig {
  /** What the rows mean: 'mel' (log-mel, the default when absent) or 'harmonic' (see above). */
  kind?: 'mel' | 'harmonic';
  /** 'harmonic' only: number of harmonic amplitude rows (1..nHarmonics). */
  nHarmonics?: number;
  /** 'harmonic' only: number of noise-band rows (the last rows). */
  nNoiseBands?: number;
  /** 'harmonic' only: cents that row 0 = ±1 stands for. */
  centsRange?: number;
  /** Output and analysis sample rate (Hz). */
  sampleRate: Hz;
  /** FFT size (samples); also the Hann window length. */
  nFft: Samples;
  /** Hop between frames (samples). */
  hop: Samples;
  /** Number of mel bands; for 'harmonic', the number of rows (1 + nHarmonics + nNoiseBands). */
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
 * Pitched one-shots as harmonic-plus-noise (issue 4): 1 f0 row + 95 harmonics +
 * 32 noise bands = 128 rows, so the tonal U-Net keeps its 128 × 128 image.
 */
export const HARMONIC_TONAL_REPRESENTATION: RepresentationConfig = {
  ...BASE,
  nFrames: 128,
  kind: 'harmonic',
  nHarmonics: 95,
  nNoiseBands: 32,
  centsRange: 100,
};

/** True for a harmonic-plus-noise representation. */
export function isHarmonic(cfg: RepresentationConfig): boolean {
  return cfg.kind === 'harmonic';
}

/**
 * The log-mel representation to analyse a model's audio with (evaluation
 * classifiers, near-copy distances, sound pictures): the representation
 * itself for a mel model; for a harmonic one, the mel representation on the
 * same STFT grid (BASE's 128 bands), which is what the mel shards and the
 * evaluation classifiers use. Harmonic rows are never read as mel bands.
 */
export function melView(cfg: RepresentationConfig): RepresentationConfig {
  if (cfg.kind !== 'harmonic') return cfg;
  const { sampleRate, nFft, hop, fMin, fMax, nFrames, floorDb, ceilDb } = cfg;
  return { sampleRate, nFft, hop, nMels: BASE.nMels, fMin, fMax, nFrames, floorDb, ceilDb };
}

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
  const kind = r['kind'];
  if (kind === undefined || kind === 'mel') {
    // A mel config must not carry harmonic fields: they would be silently ignored.
    for (const k of ['nHarmonics', 'nNoiseBands', 'centsRange'] as const) {
      if (r[k] !== undefined) throw new Error(`${where}.${k}: only valid with kind "harmonic", got kind ${JSON.stringify(kind ?? 'mel')}`);
    }
    if (kind === 'mel') cfg.kind = 'mel';
    return cfg;
  }
  if (kind !== 'harmonic') throw new Error(`${where}.kind: expected "mel" or "harmonic", got ${JSON.stringify(kind)}`);
  cfg.kind = 'harmonic';
  cfg.nHarmonics = num('nHarmonics', (v) => Number.isInteger(v) && v >= 1 && v <= 510, 'an integer in 1–510');
  cfg.nNoiseBands = num('nNoiseBands', (v) => Number.isInteger(v) && v >= 1 && v <= 510, 'an integer in 1–510');
  cfg.centsRange = num('centsRange', (v) => v > 0 && v <= 1200, 'cents in (0, 1200]');
  const rows = 1 + cfg.nHarmonics + cfg.nNoiseBands;
  if (cfg.nMels !== rows) {
    throw new Error(`${where}.nMels: ${cfg.nMels} rows, but kind "harmonic" needs 1 + nHarmonics ${cfg.nHarmonics} + nNoiseBands ${cfg.nNoiseBands} = ${rows}`);
  }
  return cfg;
}
