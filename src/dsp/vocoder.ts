import { OUTPUT_FADE_SECONDS, OUTPUT_PEAK_DB } from '../constants.js';
import type { Hz, MidiNote } from '../units.js';
import { type RepresentationConfig, signalLength } from './config.js';
import { despeckle, DESPECKLE_DELTA } from './despeckle.js';
import { fadeOut, normalizePeak, removeDc } from './envelope.js';
import { featureToLinearMagnitude, filterbankOf } from './features.js';
import { griffinLim, type GriffinLimOptions } from './griffinlim.js';
import { harmonicPseudoInverse, type HarmonicPriorOptions } from './harmonic-prior.js';
import { synthesizeHarmonic } from './harmonic.js';

export interface VocoderOptions extends GriffinLimOptions {
  /** Output peak (dBFS); default −1. */
  peakDb?: number;
  /** Fade-out length (s); default 20 ms. */
  fadeSeconds?: number;
  /**
   * Requested MIDI note of a pitched one-shot: Griffin-Lim starts from the
   * phase of a harmonic pulse train at that pitch (see GriffinLimOptions.f0).
   * Omitted for drums and whenever no pitch was asked for.
   */
  pitch?: MidiNote;
  /**
   * Unpitched (log-mel, no `pitch`) one-shots only: values further than this
   * above the median of their 3 × 3 neighbourhood are pulled down to it
   * before Griffin-Lim (despeckle.ts, why there); default DESPECKLE_DELTA,
   * false leaves the feature as it is.
   */
  despeckle?: number | false;
  /**
   * Log-mel with `pitch` only: invert the mel image with a weighted inverse
   * that favours the harmonics of the pitch (harmonic-prior.ts, why there)
   * instead of the plain pseudo-inverse. Off by default; a model turns it on for its
   * pitched classes in config.json (model/vocoding.ts).
   */
  harmonicPrior?: HarmonicPriorOptions;
}

/** MIDI note → frequency (Hz), A4 = 69 = 440 Hz. */
export function midiToHz(note: MidiNote): Hz {
  return 440 * Math.pow(2, (note - 69) / 12);
}

/**
 * Feature → audio at the representation's sample rate, dispatching on
 * cfg.kind: log-mel (mel-major [nMels * nFrames]) goes through the mel
 * pseudo-inverse and fast Griffin-Lim; 'harmonic' through the harmonic-plus-
 * noise synthesizer at opts.pitch (required: the feature only holds the
 * deviation from it). Then DC removal, fade-out and peak normalisation — in
 * that order, so the peak is measured on what is actually played (a loud
 * sample inside the fade must not set the gain).
 */
export function featureToAudio(feature: Float32Array, cfg: RepresentationConfig, opts: VocoderOptions = {}): Float32Array {
  const expected = cfg.nMels * cfg.nFrames;
  if (feature.length !== expected) throw new Error(`featureToAudio: feature has ${feature.length} values, expected ${expected}`);
  for (let i = 0; i < feature.length; i++) {
    if (!Number.isFinite(feature[i]!)) throw new Error(`featureToAudio: non-finite feature value at index ${i}`);
  }
  let audio: Float32Array;
  if (cfg.kind === 'harmonic') {
    if (opts.pitch === undefined) throw new Error('featureToAudio: a harmonic representation needs the requested pitch (opts.pitch)');
    audio = synthesizeHarmonic(feature, cfg, opts.pitch);
  } else {
    audio = melToAudio(feature, cfg, opts);
  }
  removeDc(audio);
  fadeOut(audio, Math.round((opts.fadeSeconds ?? OUTPUT_FADE_SECONDS) * cfg.sampleRate));
  normalizePeak(audio, opts.peakDb ?? OUTPUT_PEAK_DB);
  return audio;
}

/** Log-mel feature → raw audio: speckle clean-up when unpitched, mel pseudo-inverse (harmonic-prior one when asked) and fast Griffin-Lim, phase seeded at the pitch when given. */
function melToAudio(feature: Float32Array, cfg: RepresentationConfig, opts: VocoderOptions): Float32Array {
  // Pitched one-shots keep their feature as it is: the clean-up was measured on drums only.
  const delta = opts.pitch === undefined && opts.despeckle !== false ? (opts.despeckle ?? DESPECKLE_DELTA) : null;
  const f0 = opts.pitch === undefined ? undefined : { hz: midiToHz(opts.pitch), sampleRate: cfg.sampleRate };
  if (f0 && !(f0.hz > 0 && f0.hz < cfg.sampleRate / 2)) throw new Error(`featureToAudio: pitch ${opts.pitch} is outside the representation's range`);
  const inverse = f0 && opts.harmonicPrior ? harmonicPseudoInverse(filterbankOf(cfg), cfg.sampleRate / cfg.nFft, f0.hz, opts.harmonicPrior) : undefined;
  const mag = featureToLinearMagnitude(delta === null ? feature : despeckle(feature, cfg.nFrames, delta), cfg, inverse);
  return griffinLim(mag, cfg.nFrames, cfg.nFft, cfg.hop, signalLength(cfg), { ...opts, f0 });
}
