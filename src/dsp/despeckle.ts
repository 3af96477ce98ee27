/**
 * Speckle removal for generated log-mel features, before the vocoder.
 *
 * Why: the drums sampler's output carries scattered hot spots, a few values
 * per one-shot up to the +10 dB ceiling (0.1 % of values above 0.82, where
 * real one-shots peak below 0.83), in places the class never has energy (a
 * 30 Hz point in the middle of a rim). In linear amplitude they dominate:
 * Griffin-Lim renders them as loud blips, the peak normalisation then pulls
 * the actual sound down by 10–18 dB, and the re-analysed one-shot no longer
 * reads as its class (rims 25 % → 63 % with this clean-up, see
 * scripts/eval-drums-probe.ts). Real features have no such points, so on
 * them this changes (almost) nothing.
 */

/** Default height (feature units, 2 = the representation's full dB range) a value may stand above its neighbourhood. */
export const DESPECKLE_DELTA = 0.2;

/**
 * Every value more than `delta` above the median of its 3 × 3 neighbourhood
 * (mel band × frame, the value itself excluded, clipped at the edges) is set
 * to that median + delta. Mel-major [nMels · nFrames]; returns a new array.
 */
export function despeckle(feature: Float32Array, nFrames: number, delta = DESPECKLE_DELTA): Float32Array {
  if (!Number.isInteger(nFrames) || nFrames < 1 || feature.length % nFrames !== 0) {
    throw new Error(`despeckle: ${feature.length} values are not a whole number of ${nFrames}-frame bands`);
  }
  if (!(delta >= 0)) throw new Error(`despeckle: delta must be ≥ 0, got ${delta}`);
  const nMels = feature.length / nFrames;
  const out = feature.slice();
  const nb = new Float64Array(8);
  for (let m = 0; m < nMels; m++) {
    for (let t = 0; t < nFrames; t++) {
      let n = 0;
      for (let dm = -1; dm <= 1; dm++) {
        const mm = m + dm;
        if (mm < 0 || mm >= nMels) continue;
        for (let dt = -1; dt <= 1; dt++) {
          const tt = t + dt;
          if ((dm !== 0 || dt !== 0) && tt >= 0 && tt < nFrames) nb[n++] = feature[mm * nFrames + tt]!;
        }
      }
      // Insertion sort of ≤ 8 values; the upper median.
      for (let i = 1; i < n; i++) {
        const v = nb[i]!;
        let j = i - 1;
        while (j >= 0 && nb[j]! > v) {
          nb[j + 1] = nb[j]!;
          j--;
        }
        nb[j + 1] = v;
      }
      const med = nb[n >> 1]!;
      const i = m * nFrames + t;
      if (feature[i]! > med + delta) out[i] = med + delta;
    }
  }
  return out;
}
