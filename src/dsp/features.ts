import { type RepresentationConfig, nBins, signalLength } from './config.js';
import { applyMel, melFilterbank, melToLinear, type MelFilterbank } from './mel.js';
import { magnitude, stft } from './stft.js';

/** The filterbank a representation uses. */
export function filterbankOf(cfg: RepresentationConfig): MelFilterbank {
  // Every mel analysis and inverse goes through here: a harmonic feature's rows are not mel bands.
  if (cfg.kind === 'harmonic') throw new Error('features: representation kind "harmonic" has no mel bands (use melView(cfg) to analyse audio, harmonic.ts for its features)');
  return melFilterbank(cfg.sampleRate, cfg.nFft, cfg.nMels, cfg.fMin, cfg.fMax);
}

/** Scale that makes a full-scale sine's STFT peak read 1.0 (2 / sum of the Hann window). */
export function magnitudeScale(cfg: RepresentationConfig): number {
  return 2 / (cfg.nFft / 2);
}

/** Fit a signal to the representation's length: truncate or zero-pad. */
export function fitLength(signal: Float32Array, cfg: RepresentationConfig): Float32Array {
  const n = signalLength(cfg);
  if (signal.length === n) return signal;
  const out = new Float32Array(n);
  out.set(signal.subarray(0, Math.min(n, signal.length)));
  return out;
}

/** Mel-major mel magnitudes [nMels * nFrames] of a signal (fitted to length first). */
export function audioToMel(signal: Float32Array, cfg: RepresentationConfig): Float32Array {
  const x = fitLength(signal, cfg);
  const spec = stft(x, cfg.nFft, cfg.hop, cfg.nFrames);
  const mag = magnitude(spec);
  const scale = magnitudeScale(cfg);
  for (let i = 0; i < mag.length; i++) mag[i]! *= scale;
  return applyMel(filterbankOf(cfg), mag, cfg.nFrames);
}

/** Mel magnitudes → normalised features in [-1, 1] (see config.ts for the mapping). */
export function melToFeature(mel: Float32Array, cfg: RepresentationConfig): Float32Array {
  const out = new Float32Array(mel.length);
  const floorAmp = 10 ** (cfg.floorDb / 20);
  const range = cfg.ceilDb - cfg.floorDb;
  for (let i = 0; i < mel.length; i++) {
    const db = 20 * Math.log10(Math.max(mel[i]!, floorAmp));
    const v = ((db - cfg.floorDb) / range) * 2 - 1;
    out[i] = v > 1 ? 1 : v < -1 ? -1 : v;
  }
  return out;
}

/** Normalised features → mel magnitudes (inverse of melToFeature inside the clamp range). */
export function featureToMel(feature: Float32Array, cfg: RepresentationConfig): Float32Array {
  const out = new Float32Array(feature.length);
  const range = cfg.ceilDb - cfg.floorDb;
  const floorAmp = 10 ** (cfg.floorDb / 20);
  for (let i = 0; i < feature.length; i++) {
    const f = Math.max(-1, Math.min(1, feature[i]!));
    const db = ((f + 1) / 2) * range + cfg.floorDb;
    const amp = 10 ** (db / 20);
    // The floor is "silence": map it to exactly 0 so Griffin-Lim adds no hiss.
    out[i] = amp <= floorAmp * 1.0001 ? 0 : amp;
  }
  return out;
}

/** Signal → normalised log-mel feature, mel-major [nMels * nFrames]. */
export function audioToFeature(signal: Float32Array, cfg: RepresentationConfig): Float32Array {
  return melToFeature(audioToMel(signal, cfg), cfg);
}

/** Feature → frame-major linear STFT magnitudes (unscaled, ready for Griffin-Lim); `inverse`: a mel inverse other than the plain pseudo-inverse (mel.ts melToLinear). */
export function featureToLinearMagnitude(feature: Float32Array, cfg: RepresentationConfig, inverse?: Float64Array): Float32Array {
  const mel = featureToMel(feature, cfg);
  const lin = melToLinear(filterbankOf(cfg), mel, cfg.nFrames, inverse);
  const inv = 1 / magnitudeScale(cfg);
  for (let i = 0; i < lin.length; i++) lin[i]! *= inv;
  return lin;
}

export { nBins };
