import type { Hz } from '../units.js';

/**
 * Mel filterbank on the Slaney mel scale (linear below 1 kHz, logarithmic
 * above; librosa's default, htk=False) with triangles that peak at 1, so a
 * sine centred on a band reads its own magnitude. Stored sparsely: band m
 * covers FFT bins start[m] .. start[m] + weights[m].length - 1.
 */
export interface MelFilterbank {
  nMels: number;
  nBins: number;
  start: Int32Array;
  weights: Float32Array[];
  /** Centre frequency of each band (Hz). */
  centers: Float32Array;
}

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

/** Hz → mel (Slaney). */
export function hzToMel(f: Hz): number {
  return f < MIN_LOG_HZ ? f / F_SP : MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOG_STEP;
}

/** mel → Hz (Slaney). */
export function melToHz(m: number): Hz {
  return m < MIN_LOG_MEL ? m * F_SP : MIN_LOG_HZ * Math.exp(LOG_STEP * (m - MIN_LOG_MEL));
}

const cache = new Map<string, MelFilterbank>();

export function melFilterbank(sampleRate: Hz, nFft: number, nMels: number, fMin: Hz, fMax: Hz): MelFilterbank {
  const key = `${sampleRate}/${nFft}/${nMels}/${fMin}/${fMax}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const nBins = nFft / 2 + 1;
  const mMin = hzToMel(fMin);
  const mMax = hzToMel(fMax);
  const edges = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) edges[i] = melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1));
  const binHz = sampleRate / nFft;
  const start = new Int32Array(nMels);
  const weights: Float32Array[] = [];
  const centers = new Float32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const lo = edges[m]!;
    const c = edges[m + 1]!;
    const hi = edges[m + 2]!;
    centers[m] = c;
    const w: number[] = [];
    let first = -1;
    for (let k = 0; k < nBins; k++) {
      const f = k * binHz;
      const v = Math.max(0, Math.min((f - lo) / (c - lo), (hi - f) / (hi - c)));
      if (v > 0) {
        if (first < 0) first = k;
        // Fill gaps so weights stay contiguous from `first`.
        while (first + w.length < k) w.push(0);
        w.push(v);
      }
    }
    if (first < 0) {
      // A band narrower than one FFT bin: give it the nearest bin so no band is empty
      // (an empty band would make the pseudo-inverse singular and the feature constant).
      first = Math.min(nBins - 1, Math.round(c / binHz));
      w.push(1);
    }
    start[m] = first;
    weights.push(Float32Array.from(w));
  }
  const fb: MelFilterbank = { nMels, nBins, start, weights, centers };
  cache.set(key, fb);
  return fb;
}

/** Dense copy of the filterbank, row-major [nMels][nBins] (for tests and pinv). */
export function melDense(fb: MelFilterbank): Float64Array {
  const d = new Float64Array(fb.nMels * fb.nBins);
  for (let m = 0; m < fb.nMels; m++) {
    const w = fb.weights[m]!;
    for (let j = 0; j < w.length; j++) d[m * fb.nBins + fb.start[m]! + j] = w[j]!;
  }
  return d;
}

/**
 * Apply the filterbank to frame-major linear magnitudes mag[f * nBins + k],
 * returning mel-major mel[m * nFrames + f].
 */
export function applyMel(fb: MelFilterbank, mag: Float32Array, nFrames: number): Float32Array {
  const out = new Float32Array(fb.nMels * nFrames);
  for (let m = 0; m < fb.nMels; m++) {
    const w = fb.weights[m]!;
    const s = fb.start[m]!;
    for (let f = 0; f < nFrames; f++) {
      const o = f * fb.nBins + s;
      let acc = 0;
      for (let j = 0; j < w.length; j++) acc += w[j]! * mag[o + j]!;
      out[m * nFrames + f] = acc;
    }
  }
  return out;
}

const pinvCache = new WeakMap<MelFilterbank, Float64Array>();

/**
 * Pseudo-inverse P = Mᵀ (M Mᵀ + λI)⁻¹, row-major [nBins][nMels]. Mel bands
 * overlap only with neighbours, so M Mᵀ is small (nMels²) and well
 * conditioned; λ guards the narrowest low bands. Solved by Cholesky.
 * Cached per filterbank.
 */
export function melPseudoInverse(fb: MelFilterbank, lambda = 1e-6): Float64Array {
  const hit = pinvCache.get(fb);
  if (hit) return hit;
  const P = solvePseudoInverse(fb, null, lambda);
  pinvCache.set(fb, P);
  return P;
}

/**
 * Weighted pseudo-inverse P_w = W Mᵀ (M W Mᵀ + λ·mean(diag) I)⁻¹ with
 * W = diag(weights) (one per FFT bin, > 0), row-major [nBins][nMels]: of all
 * spectra x with M x = mel it gives the one with the least Σ x_k² / w_k, i.e.
 * it puts a band's energy where the prior `weights` is large. With all weights
 * equal it is melPseudoInverse. λ is relative here because the weights set
 * the scale of M W Mᵀ. Not cached: the caller knows which priors recur.
 */
export function melWeightedPseudoInverse(fb: MelFilterbank, weights: Float64Array, lambda = 1e-6): Float64Array {
  if (weights.length !== fb.nBins) throw new Error(`melWeightedPseudoInverse: ${weights.length} weights for ${fb.nBins} bins`);
  for (let k = 0; k < weights.length; k++) {
    if (!(weights[k]! > 0)) throw new Error(`melWeightedPseudoInverse: weight ${k} is ${weights[k]}, expected > 0`);
  }
  return solvePseudoInverse(fb, weights, lambda);
}

/** Shared solver: weights null is the plain pseudo-inverse with an absolute λ (its historical form, kept bit for bit). */
function solvePseudoInverse(fb: MelFilterbank, weights: Float64Array | null, lambda: number): Float64Array {
  const { nMels: n, nBins } = fb;
  const M = melDense(fb);
  const G = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      if (weights) for (let k = 0; k < nBins; k++) s += M[a * nBins + k]! * weights[k]! * M[b * nBins + k]!;
      else for (let k = 0; k < nBins; k++) s += M[a * nBins + k]! * M[b * nBins + k]!;
      G[a * n + b] = s;
      G[b * n + a] = s;
    }
  }
  let ridge = lambda;
  if (weights) {
    let trace = 0;
    for (let a = 0; a < n; a++) trace += G[a * n + a]!;
    ridge = lambda * (trace / n);
  }
  for (let a = 0; a < n; a++) G[a * n + a]! += ridge;
  // Cholesky G = L Lᵀ.
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * n + j]!;
    }
  }
  // Ginv = (L Lᵀ)⁻¹ column by column.
  const Ginv = new Float64Array(n * n);
  const y = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
      y[i] = s / L[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * Ginv[k * n + c]!;
      Ginv[i * n + c] = s / L[i * n + i]!;
    }
  }
  const P = new Float64Array(nBins * n);
  for (let k = 0; k < nBins; k++) {
    const w = weights ? weights[k]! : 1;
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let a = 0; a < n; a++) s += M[a * nBins + k]! * Ginv[a * n + b]!;
      P[k * n + b] = w * s;
    }
  }
  return P;
}

/**
 * Mel-major mel magnitudes → frame-major linear magnitudes via the
 * pseudo-inverse (melPseudoInverse unless another inverse P of this
 * filterbank is given, e.g. melWeightedPseudoInverse), clamped at 0
 * (magnitudes cannot be negative).
 */
export function melToLinear(fb: MelFilterbank, mel: Float32Array, nFrames: number, P: Float64Array = melPseudoInverse(fb)): Float32Array {
  if (P.length !== fb.nBins * fb.nMels) throw new Error(`melToLinear: inverse has ${P.length} values, expected ${fb.nBins * fb.nMels}`);
  const { nMels: n, nBins } = fb;
  const out = new Float32Array(nFrames * nBins);
  const col = new Float64Array(n);
  for (let f = 0; f < nFrames; f++) {
    for (let m = 0; m < n; m++) col[m] = mel[m * nFrames + f]!;
    for (let k = 0; k < nBins; k++) {
      let s = 0;
      const row = k * n;
      for (let m = 0; m < n; m++) s += P[row + m]! * col[m]!;
      out[f * nBins + k] = s > 0 ? s : 0;
    }
  }
  return out;
}
