/**
 * Pictures of a one-shot, pure (tested in Node): min/max waveform peaks (pad
 * thumbnails and the selected pad's view) and a dB spectrogram image. They
 * are computed in the main thread only for what is on screen: one pad's
 * spectrogram at a time (0.74 s at n_fft 512 is ~130 FFTs).
 */
import { magnitude, stft } from '../dsp/stft.js';

/** Spectrogram analysis (samples): short frames, so drum transients stay sharp. */
export const VIEW_FFT = 512;
export const VIEW_HOP = 256;
/** Spectrogram floor below the loudest bin (dB). */
export const VIEW_RANGE_DB = 80;

/**
 * Min and max of each of `columns` equal slices of `audio`, interleaved
 * [min0, max0, min1, max1, …]. Empty slices (columns > samples) repeat the
 * sample they fall on, so the picture has no holes.
 */
export function waveformPeaks(audio: Float32Array, columns: number): Float32Array {
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`waveformPeaks: columns must be a positive integer, got ${columns}`);
  const out = new Float32Array(columns * 2);
  const n = audio.length;
  if (n === 0) return out;
  for (let c = 0; c < columns; c++) {
    const a = Math.floor((c * n) / columns);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / columns));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b && i < n; i++) {
      const v = audio[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out[2 * c] = lo;
    out[2 * c + 1] = hi;
  }
  return out;
}

/** An SVG path of peaks in a width × height box (centre line = silence, ±1 = the edges). */
export function peaksPath(peaks: Float32Array, width: number, height: number): string {
  const columns = peaks.length / 2;
  const mid = height / 2;
  const parts: string[] = [];
  for (let c = 0; c < columns; c++) {
    const x = ((c + 0.5) * width) / columns;
    const y0 = mid - Math.max(-1, Math.min(1, peaks[2 * c + 1]!)) * mid;
    const y1 = mid - Math.max(-1, Math.min(1, peaks[2 * c]!)) * mid;
    // At least half a pixel tall, so silence still draws the centre line.
    parts.push(`M${x.toFixed(1)} ${Math.min(y0, mid - 0.25).toFixed(1)}V${Math.max(y1, mid + 0.25).toFixed(1)}`);
  }
  return parts.join('');
}

export interface SpectrogramImage {
  /** Frames (x). */
  width: number;
  /** Frequency bins (y), row 0 = the highest. */
  height: number;
  /** Level per pixel, 0 (floor) … 1 (loudest bin), row-major. */
  level: Float32Array;
}

/** A dB spectrogram of `audio`, normalised to its loudest bin with a VIEW_RANGE_DB floor. */
export function spectrogramImage(audio: Float32Array, nFft = VIEW_FFT, hop = VIEW_HOP, rangeDb = VIEW_RANGE_DB): SpectrogramImage {
  if (audio.length === 0) return { width: 0, height: 0, level: new Float32Array(0) };
  const spec = stft(audio, nFft, hop);
  const mag = magnitude(spec);
  const { nFrames, nBins } = spec;
  let max = 0;
  for (let i = 0; i < mag.length; i++) if (mag[i]! > max) max = mag[i]!;
  const level = new Float32Array(nFrames * nBins);
  const ref = max > 0 ? max : 1;
  for (let f = 0; f < nFrames; f++) {
    for (let k = 0; k < nBins; k++) {
      const db = 20 * Math.log10(Math.max(mag[f * nBins + k]! / ref, 1e-12));
      level[(nBins - 1 - k) * nFrames + f] = Math.max(0, 1 + db / rangeDb);
    }
  }
  return { width: nFrames, height: nBins, level };
}

/** Level 0–1 → RGB: dark blue-grey through the accent orange to near white. */
export function levelColour(level: number): [number, number, number] {
  const t = Math.max(0, Math.min(1, level));
  const stops: [number, number, number, number][] = [
    [0, 20, 24, 27],
    [0.45, 64, 40, 110],
    [0.75, 255, 140, 60],
    [1, 255, 240, 200],
  ];
  for (let i = 1; i < stops.length; i++) {
    const [t1, r1, g1, b1] = stops[i]!;
    if (t <= t1) {
      const [t0, r0, g0, b0] = stops[i - 1]!;
      const u = (t - t0) / (t1 - t0);
      return [Math.round(r0 + u * (r1 - r0)), Math.round(g0 + u * (g1 - g0)), Math.round(b0 + u * (b1 - b0))];
    }
  }
  return [255, 240, 200];
}
