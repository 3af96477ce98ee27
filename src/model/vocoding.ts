/**
 * The vocoder a model's one-shots go through: the DSP vocoder with the
 * settings the model's config.json asks for (config.vocoder), per request.
 * One place, so the Generator (CLI, eval, worker) and the engine's
 * OneShotSynth cannot vocode the same feature differently.
 */
import { featureToAudio, type VocoderOptions } from '../dsp/vocoder.js';
import type { RepresentationConfig } from '../dsp/config.js';
import type { MidiNote } from '../units.js';
import type { ModelConfig } from './config.js';

/**
 * Feature → audio. `pitch`: the note the one-shot was sampled at (tonal
 * models); `className`: its class or family, one of config.classes.
 */
export type Vocoder = (feature: Float32Array, cfg: RepresentationConfig, pitch?: MidiNote, className?: string) => Float32Array;

/** The DSP vocoder's options for one request of this model. */
export function vocoderOptionsFor(config: Pick<ModelConfig, 'vocoder'>, pitch: MidiNote | undefined, className: string | undefined): VocoderOptions {
  const prior = config.vocoder?.harmonicPrior;
  if (pitch === undefined || !prior || (className !== undefined && prior.exceptClasses.includes(className))) return { pitch };
  return { pitch, harmonicPrior: { floor: prior.floor, maxHz: prior.maxHz, lobeBins: prior.lobeBins } };
}

/** The model's default vocoder (config.vocoder applied per request). */
export function modelVocoder(config: Pick<ModelConfig, 'vocoder'>): Vocoder {
  return (feature, cfg, pitch, className) => featureToAudio(feature, cfg, vocoderOptionsFor(config, pitch, className));
}
