/**
 * Harmonic prior for inverting the mel image of a pitched one-shot.
 *
 * Why: below 1 kHz a mel band spans about 1.5 FFT bins and the bands are
 * ~31 Hz apart, which is 230 cents at A#3. The plain pseudo-inverse spreads a
 * band's energy over every bin the band covers, so harmonics come back where
 * the model's band levels happen to put them, and Griffin-Lim settles on the
 * periodicity they imply: tens of cents off the asked note, although the
 * image is right to within its own resolution. The note is known (it is the
 * request), so the inverse can favour the harmonics of that note instead: a
 * weighted minimum-norm inverse (mel.ts melWeightedPseudoInverse) whose
 * weight is a comb of main lobes at h·f0. The mel image still decides which
 * harmonics sound and how loud, and the bands still come back exactly; the
 * prior only decides where inside its bands the energy sits. That choice
 * exists where bands span a few bins (roughly 1–4 kHz, where a detuned
 * harmonic 35 cents sharp comes back about 8 cents sharp, test/dsp/harmonic-prior.test.ts);
 * together with Griffin-Lim's phase seeded at the note it moves the
 * periodicity. Above `maxHz` the bands hold several harmonics each and the
 * weight is flat, so upper partials, breath and noise keep the plain inverse.
 *
 * Measured on real tonal test notes (log-mel in, audio out, re-analysed):
 * see docs/eval.md, "Harmonic prior in the vocoder".
 */
import type { Hz } from '../units.js';
import { melWeightedPseudoInverse, type MelFilterbank } from './mel.js';

export interface HarmonicPriorOptions {
  /** Weight of bins away from every harmonic, relative to a harmonic's peak (1); in (0, 1]. */
  floor: number;
  /** Harmonics up to this frequency get lobes; above it the weight is 1 (Hz). */
  maxHz: Hz;
  /** Half-width of each harmonic's raised-cosine lobe (FFT bins); a Hann window's main lobe is 2. */
  lobeBins: number;
}

/** Defaults: chosen from six settings measured side by side (docs/eval.md, "Harmonic prior in the vocoder"). */
export const HARMONIC_PRIOR_DEFAULTS: Readonly<HarmonicPriorOptions> = { floor: 0.01, maxHz: 4000, lobeBins: 1.5 };

/** Field-named check of a prior's options; throws one line naming `where` and the field. */
export function validateHarmonicPrior(o: HarmonicPriorOptions, where: string): void {
  if (!(Number.isFinite(o.floor) && o.floor > 0 && o.floor <= 1)) throw new Error(`${where}.floor: expected a number in (0, 1], got ${JSON.stringify(o.floor)}`);
  if (!(Number.isFinite(o.maxHz) && o.maxHz > 0)) throw new Error(`${where}.maxHz: expected a frequency > 0 Hz, got ${JSON.stringify(o.maxHz)}`);
  if (!(Number.isFinite(o.lobeBins) && o.lobeBins >= 0.5 && o.lobeBins <= 8)) throw new Error(`${where}.lobeBins: expected a number in 0.5–8, got ${JSON.stringify(o.lobeBins)}`);
}

/**
 * Prior weight per FFT bin [nBins]: `floor` everywhere below maxHz, rising
 * to 1 on a raised-cosine lobe of half-width lobeBins around each harmonic
 * h·f0 ≤ maxHz (overlapping lobes take the larger), 1 above maxHz.
 */
export function harmonicPrior(nBins: number, binHz: Hz, f0: Hz, opts: HarmonicPriorOptions = HARMONIC_PRIOR_DEFAULTS): Float64Array {
  validateHarmonicPrior(opts, 'harmonicPrior');
  if (!(f0 > 0 && Number.isFinite(f0))) throw new Error(`harmonicPrior: f0 must be a positive frequency, got ${f0}`);
  const w = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) w[k] = k * binHz > opts.maxHz ? 1 : opts.floor;
  for (let h = 1; h * f0 <= opts.maxHz; h++) {
    const centre = (h * f0) / binHz;
    const lo = Math.max(0, Math.ceil(centre - opts.lobeBins));
    const hi = Math.min(nBins - 1, Math.floor(centre + opts.lobeBins));
    for (let k = lo; k <= hi; k++) {
      const d = (k - centre) / opts.lobeBins;
      const v = 0.5 + 0.5 * Math.cos(Math.PI * d);
      if (v > w[k]!) w[k] = v;
    }
  }
  return w;
}

/** Most recent inverses kept per filterbank: a keyboard plays a handful of notes over and over; 1 MB each. */
const CACHE_SIZE = 16;
const cache = new WeakMap<MelFilterbank, Map<string, Float64Array>>();

/**
 * The weighted pseudo-inverse of `fb` under the harmonic prior at f0,
 * row-major [nBins][nMels]; the last CACHE_SIZE per filterbank are kept
 * (computing one costs about as much as a tenth of a Griffin-Lim run).
 */
export function harmonicPseudoInverse(fb: MelFilterbank, binHz: Hz, f0: Hz, opts: HarmonicPriorOptions = HARMONIC_PRIOR_DEFAULTS): Float64Array {
  let perFb = cache.get(fb);
  if (!perFb) cache.set(fb, (perFb = new Map()));
  const key = `${f0}/${binHz}/${opts.floor}/${opts.maxHz}/${opts.lobeBins}`;
  const hit = perFb.get(key);
  if (hit) {
    // Refresh its place: Map iteration order is insertion order, so the first key is the least recently used.
    perFb.delete(key);
    perFb.set(key, hit);
    return hit;
  }
  const P = melWeightedPseudoInverse(fb, harmonicPrior(fb.nBins, binHz, f0, opts));
  perFb.set(key, P);
  if (perFb.size > CACHE_SIZE) perFb.delete(perFb.keys().next().value!);
  return P;
}
