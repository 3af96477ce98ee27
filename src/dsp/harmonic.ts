import type { Cents, Hz, MidiNote } from '../units.js';
import { type RepresentationConfig, signalLength } from './config.js';
import { fitLength } from './features.js';
import { melFilterbank, type MelFilterbank } from './mel.js';
import { mulberry32 } from './random.js';
import { istft, stft } from './stft.js';

/**
 * Harmonic-plus-noise representation (kind 'harmonic', layout documented in
 * config.ts): analysis of a pitched one-shot into per-frame f0 deviation,
 * harmonic amplitudes and noise-band levels, and the deterministic
 * synthesizer that renders such a feature at the requested pitch. Pure
 * Float32Array code, so the dataset builder (Node), the generation worker and
 * the tests share it.
 */

/** The harmonic fields of a representation, checked. */
export interface HarmonicLayout {
  nHarmonics: number;
  nNoiseBands: number;
  centsRange: Cents;
  /** 1 + nHarmonics + nNoiseBands. */
  rows: number;
}

/** Harmonics at or above this fraction of Nyquist are not represented (they read the floor). */
export const HARMONIC_NYQUIST_LIMIT = 0.95;
/** The synthesizer fades a harmonic out between this fraction of Nyquist and HARMONIC_NYQUIST_LIMIT, so a glide across the limit cannot click. */
const NYQUIST_FADE_START = 0.94;
/** Frames this far below the item's loudest frame get f0 deviation 0 (dB). */
const SILENT_FRAME_DB = -60;
/** Harmonics used to track f0. */
const F0_HARMONICS = 8;
/** Coarse f0 search grid (cents). */
const F0_GRID_CENTS = 5;
/** Minimum periods of the requested note inside the harmonic-analysis window (separates harmonics). */
const MIN_PERIODS = 4;
/** Half-width of a Hann window's main lobe, in bins. */
const HANN_MAIN_LOBE_BINS = 2;

export function harmonicLayout(cfg: RepresentationConfig, where = 'representation'): HarmonicLayout {
  if (cfg.kind !== 'harmonic') throw new Error(`${where}.kind: expected "harmonic", got ${JSON.stringify(cfg.kind ?? 'mel')}`);
  const { nHarmonics, nNoiseBands, centsRange } = cfg;
  if (nHarmonics === undefined || nNoiseBands === undefined || centsRange === undefined) {
    throw new Error(`${where}: kind "harmonic" needs nHarmonics, nNoiseBands and centsRange`);
  }
  const rows = 1 + nHarmonics + nNoiseBands;
  if (cfg.nMels !== rows) throw new Error(`${where}.nMels: ${cfg.nMels} rows, but kind "harmonic" needs ${rows}`);
  return { nHarmonics, nNoiseBands, centsRange, rows };
}

/** Requested note → Hz (A4 = 69 = 440 Hz); throws a one-line error for a note the representation cannot hold. */
export function harmonicNoteHz(pitch: MidiNote, cfg: RepresentationConfig, where = 'harmonic'): Hz {
  if (typeof pitch !== 'number' || !Number.isFinite(pitch) || pitch < 0 || pitch > 127) {
    throw new Error(`${where}: pitch must be a MIDI note 0–127, got ${JSON.stringify(pitch)}`);
  }
  const hz = 440 * 2 ** ((pitch - 69) / 12);
  if (hz >= (HARMONIC_NYQUIST_LIMIT * cfg.sampleRate) / 2) throw new Error(`${where}: pitch ${pitch} (${hz.toFixed(0)} Hz) is above the representation's range`);
  return hz;
}

/**
 * Length of the harmonic-analysis window for a note: a power of two ≥ nFft
 * holding at least MIN_PERIODS periods, so neighbouring harmonics (f0 apart)
 * are ≥ 4 bins apart and Hann main lobes (±2 bins) do not merge (E1 → 8192).
 */
export function harmonicWindowLength(f0: Hz, cfg: RepresentationConfig): number {
  let n = cfg.nFft;
  while (n < (MIN_PERIODS * cfg.sampleRate) / f0 && n < 32768) n *= 2;
  return n;
}

/** The noise bands' filterbank (Slaney mel triangles between fMin and fMax on the nFft grid). */
export function noiseFilterbank(cfg: RepresentationConfig): MelFilterbank {
  const { nNoiseBands } = harmonicLayout(cfg);
  return melFilterbank(cfg.sampleRate, cfg.nFft, nNoiseBands, cfg.fMin, cfg.fMax);
}

/** Linear amplitude → feature value (the melToFeature mapping). */
function ampToFeature(a: number, floorDb: number, range: number, floorAmp: number): number {
  const db = 20 * Math.log10(a > floorAmp ? a : floorAmp);
  const v = ((db - floorDb) / range) * 2 - 1;
  return v > 1 ? 1 : v < -1 ? -1 : v;
}

/** Feature value → linear amplitude; the floor is silence (exactly 0). */
function featureToAmp(v: number, floorDb: number, range: number, floorAmp: number): number {
  const c = v > 1 ? 1 : v < -1 ? -1 : v;
  const a = 10 ** ((((c + 1) / 2) * range + floorDb) / 20);
  return a <= floorAmp * 1.0001 ? 0 : a;
}

/** Normalised magnitude response of a periodic Hann window at an offset of d bins (1 at 0, 0.5 at ±1, 0 at ±2). */
function hannKernel(d: number): number {
  const a = Math.abs(d);
  if (a < 1e-9) return 1;
  if (Math.abs(a - 1) < 1e-9) return 0.5;
  return Math.abs(Math.sin(Math.PI * a) / (Math.PI * a) / (1 - a * a));
}

/** Bins either side of a harmonic whose sidelobe leakage is subtracted from the noise (Hann sidelobes are −70 dB by then). */
const LEAK_BINS = 10;

/** Largest share of a bin's power that predicted harmonic leakage may have for the bin to count as noise. */
const LEAK_DOMINANT = 0.5;

/** Frame-major magnitudes of the centred STFT with window n. */
function magnitudes(x: Float32Array, n: number, hop: number, nFrames: number): Float32Array {
  const spec = stft(x, n, hop, nFrames);
  const out = spec.re; // reuse the buffer: magnitudes overwrite the real parts
  const im = spec.im;
  for (let i = 0; i < out.length; i++) {
    const r = out[i]!;
    const m = im[i]!;
    out[i] = Math.sqrt(r * r + m * m);
  }
  return out;
}

/** Magnitude at a fractional bin by linear interpolation (0 outside). */
function interpMag(mag: Float32Array, o: number, nb: number, b: number): number {
  const i = Math.floor(b);
  if (i < 0 || i + 1 >= nb) return 0;
  const t = b - i;
  return mag[o + i]! * (1 - t) + mag[o + i + 1]! * t;
}

/**
 * Peak near fractional bin b: the largest of the bins round(b)±1, located and
 * measured with the Hann window's exact two-bin interpolation (Grandke:
 * offset δ = (2α − 1)/(α + 1), α = larger neighbour / peak; amplitude =
 * peak / |W(δ)| with W(δ) = sinc(δ)/(1 − δ²)), which for an isolated sinusoid
 * is exact where parabolic interpolation is biased by up to ~0.05 bins and
 * ~0.5 dB. Writes [peak bin, peak magnitude] to out.
 */
function peakNear(mag: Float32Array, o: number, nb: number, b: number, out: Float64Array): void {
  const c = Math.round(b);
  let best = -1;
  let bm = -1;
  for (let i = Math.max(1, c - 1); i <= Math.min(nb - 2, c + 1); i++) {
    const m = mag[o + i]!;
    if (m > bm) {
      bm = m;
      best = i;
    }
  }
  if (best < 0 || !(bm > 0)) {
    out[0] = b;
    out[1] = 0;
    return;
  }
  const left = mag[o + best - 1]!;
  const right = mag[o + best + 1]!;
  const alpha = Math.min(1, (right > left ? right : left) / bm);
  let d = (2 * alpha - 1) / (alpha + 1);
  if (d < 0) d = 0; // the neighbour is below half the peak: a sinusoid within half a bin of `best`... or noise
  if (right <= left) d = -d;
  out[0] = best + d;
  const ad = Math.abs(d);
  out[1] = bm / hannKernel(ad);
}

/**
 * Analyse a pitched one-shot into the harmonic feature [rows * nFrames]
 * (layout in config.ts). `pitch` is the requested note: harmonics are
 * measured at its multiples, detuned by the frame's measured deviation.
 */
export function analyzeHarmonic(audio: Float32Array, pitch: MidiNote, cfg: RepresentationConfig): Float32Array {
  const { nHarmonics: nH, nNoiseBands: nNB, centsRange, rows } = harmonicLayout(cfg);
  const f0n = harmonicNoteHz(pitch, cfg, 'analyzeHarmonic');
  const { sampleRate: sr, hop, nFrames: nF, nFft } = cfg;
  const x = fitLength(audio, cfg);
  const nyqLimit = (HARMONIC_NYQUIST_LIMIT * sr) / 2;
  const floorAmp = 10 ** (cfg.floorDb / 20);
  const range = cfg.ceilDb - cfg.floorDb;
  const out = new Float32Array(rows * nF);

  // Long window for harmonics and f0; the nFft STFT for noise (shared when equal).
  const nL = harmonicWindowLength(f0n, cfg);
  const magL = magnitudes(x, nL, hop, nF);
  const magS = nL === nFft ? magL : magnitudes(x, nFft, hop, nF);
  const nbL = nL / 2 + 1;
  const nbS = nFft / 2 + 1;
  const binL = sr / nL;
  const binS = sr / nFft;
  const scaleL = 4 / nL; // 2 / sum(periodic Hann) → a full-scale sine reads 1.0
  const scaleS = 4 / nFft;

  // Silent frames (by energy of the nFft frame) keep deviation 0.
  const energy = new Float64Array(nF);
  let maxE = 0;
  for (let f = 0; f < nF; f++) {
    let e = 0;
    const o = f * nbS;
    for (let k = 0; k < nbS; k++) e += magS[o + k]! * magS[o + k]!;
    energy[f] = e;
    if (e > maxE) maxE = e;
  }
  const silentBelow = maxE * 10 ** (SILENT_FRAME_DB / 10);

  const peak = new Float64Array(2);
  const dev = new Float64Array(nF); // cents
  for (let f = 0; f < nF; f++) {
    if (!(energy[f]! > silentBelow) || maxE === 0) continue;
    const o = f * nbL;
    const score = (c: number): number => {
      const fc = f0n * 2 ** (c / 1200);
      let s = 0;
      for (let k = 1; k <= F0_HARMONICS && k * fc < nyqLimit; k++) s += interpMag(magL, o, nbL, (k * fc) / binL);
      return s;
    };
    let bestC = 0;
    let bestS = -1;
    for (let c = -centsRange; c <= centsRange + 1e-9; c += F0_GRID_CENTS) {
      const s = score(c);
      if (s > bestS) {
        bestS = s;
        bestC = c;
      }
    }
    if (!(bestS > 0)) continue;
    // Refine: harmonic peaks located by parabolic interpolation, averaged in
    // cents with weight amplitude × k (a bin error costs harmonic k 1/k as many cents).
    const fc = f0n * 2 ** (bestC / 1200);
    let strongest = 0;
    const cand: number[] = [];
    for (let k = 1; k <= F0_HARMONICS && k * fc < nyqLimit; k++) {
      peakNear(magL, o, nbL, (k * fc) / binL, peak);
      if (peak[1]! > strongest) strongest = peak[1]!;
      cand.push(k, peak[0]!, peak[1]!);
    }
    let sw = 0;
    let sc = 0;
    for (let i = 0; i < cand.length; i += 3) {
      const k = cand[i]!;
      const m = cand[i + 2]!;
      if (m < strongest * 0.01 || cand[i + 1]! <= 0) continue; // weaker than −40 dB: noise, not a harmonic
      if (Math.abs(cand[i + 1]! - (k * fc) / binL) > 0.75) continue; // a neighbouring peak, not this harmonic
      const c = 1200 * Math.log2((cand[i + 1]! * binL) / (k * f0n));
      const w = m * k;
      sw += w;
      sc += w * c;
    }
    const d = sw > 0 ? sc / sw : bestC;
    dev[f] = d > centsRange ? centsRange : d < -centsRange ? -centsRange : d;
  }

  const fb = noiseFilterbank(cfg);
  const keep = new Uint8Array(nbS);
  const leak = new Float64Array(nbS);
  const hAmp = new Float64Array(nH + 1);
  const bandLvl = new Float64Array(nNB);
  for (let f = 0; f < nF; f++) {
    out[f] = dev[f]! / centsRange;
    const f0 = f0n * 2 ** (dev[f]! / 1200);
    // Harmonic amplitudes, and their sidelobe leakage into the nFft spectrum (power, per bin).
    const o = f * nbL;
    leak.fill(0);
    keep.fill(1);
    for (let k = 1; k <= nH; k++) {
      hAmp[k] = -1;
      if (k * f0 < nyqLimit) {
        peakNear(magL, o, nbL, (k * f0) / binL, peak);
        const a = peak[1]! * scaleL;
        hAmp[k] = a;
        const c = (k * f0) / binS;
        const lo = Math.max(0, Math.ceil(c - LEAK_BINS));
        const hi = Math.min(nbS - 1, Math.floor(c + LEAK_BINS));
        for (let i = lo; i <= hi; i++) {
          const l = (a / scaleS) * hannKernel(i - c);
          leak[i]! += l * l;
        }
      }
    }
    // Noise: bins outside every harmonic's main lobe (on the nFft grid), less the harmonics' sidelobe leakage.
    for (let k = 1; k <= nH; k++) {
      const c = (k * f0) / binS;
      if (c - HANN_MAIN_LOBE_BINS >= nbS) break;
      const lo = Math.max(0, Math.floor(c - HANN_MAIN_LOBE_BINS) + 1);
      const hi = Math.min(nbS - 1, Math.ceil(c + HANN_MAIN_LOBE_BINS) - 1);
      for (let i = lo; i <= hi; i++) keep[i] = 0;
    }
    const os = f * nbS;
    for (let m = 0; m < nNB; m++) {
      const w = fb.weights[m]!;
      const s = fb.start[m]!;
      let acc = 0;
      let ws = 0;
      for (let j = 0; j < w.length; j++) {
        if (!keep[s + j]) continue;
        const p2 = magS[os + s + j]! * magS[os + s + j]!;
        const l2 = leak[s + j]!;
        // A bin where the harmonics' predicted leakage is over half its power says nothing reliable about
        // the noise (leakage of neighbouring harmonics adds coherently, not in power): skip it like a main lobe.
        if (l2 > LEAK_DOMINANT * p2) continue;
        acc += w[j]! * Math.sqrt(p2 - l2);
        ws += w[j]!;
      }
      bandLvl[m] = ws > 0 ? (acc / ws) * scaleS : 0;
      out[(1 + nH + m) * nF + f] = ws > 0 ? ampToFeature(bandLvl[m]!, cfg.floorDb, range, floorAmp) : -1;
    }
    // Harmonic rows. (Subtracting the noise expected in the peak bin was tried: it over-corrects
    // harmonics near the noise floor and made the round trip on real notes worse, 0.93 → 1.13 dB.)
    for (let k = 1; k <= nH; k++) {
      const a = hAmp[k]!;
      out[k * nF + f] = a < 0 ? -1 : ampToFeature(a, cfg.floorDb, range, floorAmp);
    }
  }
  return out;
}

/** FNV-1a over the feature's bytes: the noise seed, so a feature always renders the same audio. */
export function featureSeed(feature: Float32Array): number {
  const u = new Uint8Array(feature.buffer, feature.byteOffset, feature.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * Render a harmonic feature at the requested note: additive sinusoids at
 * k·f0·2^(dev/1200) plus STFT-shaped deterministic noise. Amplitude and
 * deviation are interpolated linearly per sample between frame centres
 * (frame f is centred on sample f·hop, as in the analysis), so
 * analyzeHarmonic(synthesizeHarmonic(x)) ≈ x. No DC removal, fade or
 * normalisation here: featureToAudio does those for every representation.
 */
export function synthesizeHarmonic(feature: Float32Array, cfg: RepresentationConfig, pitch: MidiNote): Float32Array {
  const { nHarmonics: nH, nNoiseBands: nNB, centsRange, rows } = harmonicLayout(cfg);
  const f0n = harmonicNoteHz(pitch, cfg, 'synthesizeHarmonic');
  const { sampleRate: sr, hop, nFrames: nF, nFft } = cfg;
  if (feature.length !== rows * nF) throw new Error(`synthesizeHarmonic: feature has ${feature.length} values, expected ${rows * nF}`);
  const len = signalLength(cfg);
  const floorAmp = 10 ** (cfg.floorDb / 20);
  const range = cfg.ceilDb - cfg.floorDb;
  const nyq = sr / 2;
  const out = new Float32Array(len);

  // Fundamental phase, wrapped to [0, 2π) (harmonic k's phase is k·Φ, so wrapping loses nothing),
  // and the instantaneous f0 for the Nyquist fade.
  const phi = new Float64Array(len);
  const f0t = new Float32Array(len);
  let ph = 0;
  const twoPi = 2 * Math.PI;
  for (let t = 0; t < len; t++) {
    const f = Math.floor(t / hop);
    const u = (t - f * hop) / hop;
    const d0 = Math.max(-1, Math.min(1, feature[f]!));
    const d1 = Math.max(-1, Math.min(1, feature[Math.min(nF - 1, f + 1)]!));
    const fr = f0n * 2 ** (((d0 + (d1 - d0) * u) * centsRange) / 1200);
    f0t[t] = fr;
    phi[t] = ph;
    ph += (twoPi * fr) / sr;
    if (ph >= twoPi) ph -= twoPi;
  }
  let f0max = 0;
  for (let t = 0; t < len; t++) if (f0t[t]! > f0max) f0max = f0t[t]!;

  const amp = new Float64Array(nF);
  const fadeLo = NYQUIST_FADE_START * nyq;
  const fadeHi = HARMONIC_NYQUIST_LIMIT * nyq;
  for (let k = 1; k <= nH; k++) {
    if (k * f0n * 2 ** (-centsRange / 1200) >= fadeHi) break; // above the limit at any deviation
    let any = false;
    for (let f = 0; f < nF; f++) {
      const a = featureToAmp(feature[k * nF + f]!, cfg.floorDb, range, floorAmp);
      amp[f] = a;
      if (a > 0) any = true;
    }
    if (!any) continue;
    // Schroeder start phases: deterministic and a low crest factor (all-zero phases would make a pulse train).
    const p0 = (Math.PI * k * (k - 1)) / nH;
    const needsFade = k * f0max > fadeLo;
    for (let f = 0; f < nF - 1; f++) {
      const a0 = amp[f]!;
      const a1 = amp[f + 1]!;
      if (a0 === 0 && a1 === 0) continue;
      const t0 = f * hop;
      const da = (a1 - a0) / hop;
      for (let j = 0; j < hop; j++) {
        const t = t0 + j;
        let a = a0 + da * j;
        if (needsFade) {
          const fr = k * f0t[t]!;
          if (fr >= fadeHi) continue;
          if (fr > fadeLo) a *= (fadeHi - fr) / (fadeHi - fadeLo);
        }
        out[t]! += a * Math.sin(k * phi[t]! + p0);
      }
    }
  }

  // Noise: deterministic white Gaussian noise, STFT-shaped by the bands.
  const fb = noiseFilterbank(cfg);
  const nb = nFft / 2 + 1;
  const binHz = sr / nFft;
  const band = new Float64Array(nNB * nF);
  let anyNoise = false;
  for (let m = 0; m < nNB; m++) {
    for (let f = 0; f < nF; f++) {
      const a = featureToAmp(feature[(1 + nH + m) * nF + f]!, cfg.floorDb, range, floorAmp);
      band[m * nF + f] = a;
      if (a > 0) anyNoise = true;
    }
  }
  if (!anyNoise) return out;
  // Per-bin interpolation between band centres (linear in amplitude, held beyond the outer centres).
  const lowerBand = new Int32Array(nb);
  const frac = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const fr = k * binHz;
    let m = 0;
    while (m < nNB - 1 && fb.centers[m + 1]! <= fr) m++;
    lowerBand[k] = m;
    if (fr <= fb.centers[0]!) frac[k] = 0;
    else if (m >= nNB - 1) frac[k] = 0;
    else frac[k] = (fr - fb.centers[m]!) / (fb.centers[m + 1]! - fb.centers[m]!);
  }
  const rand = mulberry32(featureSeed(feature));
  const noise = new Float32Array(len);
  for (let t = 0; t < len; t += 2) {
    // Box–Muller: two unit Gaussians per pair of uniforms.
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    noise[t] = r * Math.cos(twoPi * u2);
    if (t + 1 < len) noise[t + 1] = r * Math.sin(twoPi * u2);
  }
  const spec = stft(noise, nFft, hop, nF);
  // Expected analysed magnitude of unit white noise: E|X| = sqrt(Σw²)·√π/2 (Rayleigh), Σw² = 3N/8, times 4/N.
  const expected = (4 / nFft) * Math.sqrt((3 * nFft) / 8) * (Math.sqrt(Math.PI) / 2);
  for (let f = 0; f < nF; f++) {
    const o = f * nb;
    for (let k = 0; k < nb; k++) {
      const m = lowerBand[k]!;
      const u = frac[k]!;
      const lvl = k * binHz < cfg.fMin ? 0 : band[m * nF + f]! * (1 - u) + (u > 0 ? band[(m + 1) * nF + f]! * u : 0);
      const s = lvl / expected; // so the bin's analysed magnitude (|X|·4/N) reads lvl on average
      spec.re[o + k]! *= s;
      spec.im[o + k]! *= s;
    }
  }
  const shaped = istft(spec, nFft, hop, len);
  for (let t = 0; t < len; t++) out[t]! += shaped[t]!;
  return out;
}
