import { describe, expect, it } from 'vitest';
import { applyMel, hzToMel, melDense, melFilterbank, melPseudoInverse, melToHz, melToLinear } from '../../src/dsp/mel.js';

/**
 * Reference values computed independently with numpy (a separate Slaney
 * implementation: f_sp = 200/3, log region from 1 kHz with step ln(6.4)/27,
 * triangles max(0, min((f-lo)/(c-lo), (hi-f)/(hi-c))) on linspace'd mel edges,
 * no area normalisation). Script: see the comment at the bottom of this file.
 */
const REF_44K = {
  cfg: [44100, 2048, 128, 20, 22050] as const,
  bands: [
    { m: 0, center: 50.848824, first: 1, k: 2, w: 0.747724003, wFirst: 0.049700537, sum: 1.351677071 },
    { m: 5, center: 205.092945, first: 9, k: 10, w: 0.668088268, wFirst: 0.633888266, sum: 1.301976534 },
    { m: 20, center: 667.825306, first: 30, k: 31, w: 0.99040452, wFirst: 0.292381054, sum: 1.594357588 },
    { m: 40, center: 1341.394088, first: 61, k: 63, w: 0.649505371, wFirst: 0.336506897, sum: 1.98807739 },
    { m: 64, center: 2878.408603, first: 130, k: 134, w: 0.92433103, wFirst: 0.122479385, sum: 4.232127304 },
    { m: 118, center: 16041.448096, first: 722, k: 746, w: 0.956953467, wFirst: 0.015587119, sum: 23.708372741 },
    { m: 127, center: 21359.549639, first: 961, k: 993, w: 0.966802735, wFirst: 0.004020291, sum: 31.562284182 },
  ],
};
const REF_16K = {
  cfg: [16000, 512, 40, 0, 8000] as const,
  bands: [
    { m: 0, center: 73.570147, first: 1, k: 3, w: 0.72570596, wFirst: 0.42476468, sum: 2.30094128 },
    { m: 5, center: 441.420883, first: 12, k: 14, w: 0.946705521, wFirst: 0.097176161, sum: 2.398117441 },
    { m: 20, center: 1754.208974, first: 53, k: 57, w: 0.804437468, wFirst: 0.235711827, sum: 4.267482962 },
    { m: 30, center: 3746.154267, first: 112, k: 121, w: 0.881146364, wFirst: 0.10067648, sum: 9.109639411 },
    { m: 39, center: 7415.484886, first: 220, k: 238, w: 0.962336108, wFirst: 0.002441804, sum: 18.010768073 },
  ],
};

describe('Slaney mel scale', () => {
  it('is linear below 1 kHz and logarithmic above (numpy reference)', () => {
    expect(hzToMel(0)).toBe(0);
    expect(hzToMel(500)).toBeCloseTo(7.5, 10);
    expect(hzToMel(1000)).toBeCloseTo(15, 10);
    expect(hzToMel(2000)).toBeCloseTo(25.08188015730832, 9);
    expect(hzToMel(8000)).toBeCloseTo(45.245640471924965, 9);
    expect(hzToMel(22050)).toBeCloseTo(59.99247463746737, 9);
    // Linear region: equal Hz steps are equal mel steps.
    expect(hzToMel(600) - hzToMel(400)).toBeCloseTo(hzToMel(900) - hzToMel(700), 10);
    // Log region: equal ratios are equal mel steps.
    expect(hzToMel(4000) - hzToMel(2000)).toBeCloseTo(hzToMel(16000) - hzToMel(8000), 10);
  });

  it('melToHz inverts hzToMel', () => {
    for (const f of [0, 20, 440, 999, 1000, 1001, 5000, 22050]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 6);
  });
});

describe('mel filterbank', () => {
  for (const ref of [REF_44K, REF_16K]) {
    const [sr, nFft, nMels, fMin, fMax] = ref.cfg;
    it(`matches independently computed weights (${sr} Hz, nFft ${nFft}, ${nMels} mels)`, () => {
      const fb = melFilterbank(sr, nFft, nMels, fMin, fMax);
      const M = melDense(fb);
      const nb = nFft / 2 + 1;
      expect(fb.nBins).toBe(nb);
      for (const b of ref.bands) {
        expect(fb.centers[b.m]).toBeCloseTo(b.center, 2);
        expect(fb.start[b.m]).toBe(b.first);
        expect(M[b.m * nb + b.k]).toBeCloseTo(b.w, 5);
        expect(M[b.m * nb + b.first]).toBeCloseTo(b.wFirst, 5);
        let s = 0;
        for (let k = 0; k < nb; k++) s += M[b.m * nb + k]!;
        expect(s).toBeCloseTo(b.sum, 4);
      }
    });
  }

  it('triangles peak at 1 (a bin on a band centre reads 1) and never exceed 1', () => {
    const sr = 44100;
    const nFft = 2048;
    const fb = melFilterbank(sr, nFft, 128, 20, 22050);
    const M = melDense(fb);
    let max = 0;
    for (const v of M) max = Math.max(max, v);
    expect(max).toBeLessThanOrEqual(1);
    // The nearest bin to a centre is at most half a bin away, so each band's largest
    // weight is at least 1 − (binHz/2)/(half-width of the narrower slope).
    const binHz = sr / nFft;
    for (let m = 40; m < 127; m += 7) {
      let best = 0;
      for (let k = 0; k < fb.nBins; k++) best = Math.max(best, M[m * fb.nBins + k]!);
      const c = fb.centers[m]!;
      const halfWidth = Math.min(c - fb.centers[m - 1]!, fb.centers[m + 1]! - c);
      expect(best).toBeGreaterThanOrEqual(1 - binHz / 2 / halfWidth - 1e-6);
      expect(best).toBeLessThanOrEqual(1);
    }
    // A bin exactly on a centre: choose an fMin/fMax so band centres land on bins (linear region, 10 Hz bins).
    const fb2 = melFilterbank(10240, 1024, 9, 0, 1000); // mel edges every 100 Hz → centres on bins 10, 20, …
    const M2 = melDense(fb2);
    for (let m = 0; m < 9; m++) {
      expect(fb2.centers[m]).toBeCloseTo(100 * (m + 1), 6);
      expect(M2[m * fb2.nBins + 10 * (m + 1)]).toBeCloseTo(1, 6);
      expect(M2[m * fb2.nBins + 10 * (m + 1) + 5]).toBeCloseTo(0.5, 6);
    }
  });

  it('no band is empty, even with 256 mels over 2048-point bins', () => {
    const fb = melFilterbank(44100, 2048, 256, 20, 22050);
    for (let m = 0; m < 256; m++) {
      const w = fb.weights[m]!;
      expect(w.length).toBeGreaterThan(0);
      expect(Math.max(...w)).toBeGreaterThan(0);
    }
  });

  it('applyMel equals the dense matrix product (mel-major output)', () => {
    const fb = melFilterbank(16000, 512, 40, 0, 8000);
    const nFrames = 3;
    const nb = fb.nBins;
    const mag = new Float32Array(nFrames * nb);
    for (let i = 0; i < mag.length; i++) mag[i] = Math.abs(Math.sin(i * 0.37));
    const mel = applyMel(fb, mag, nFrames);
    const M = melDense(fb);
    for (const m of [0, 7, 39]) {
      for (let f = 0; f < nFrames; f++) {
        let s = 0;
        for (let k = 0; k < nb; k++) s += M[m * nb + k]! * mag[f * nb + k]!;
        expect(mel[m * nFrames + f]).toBeCloseTo(s, 4);
      }
    }
  });

  it('pseudo-inverse satisfies M·P·M ≈ M', () => {
    const fb = melFilterbank(44100, 2048, 128, 20, 22050);
    const M = melDense(fb);
    const P = melPseudoInverse(fb);
    const n = fb.nMels;
    const nb = fb.nBins;
    // MP = M (nMels×nBins) · P (nBins×nMels)
    const MP = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let k = 0; k < nb; k++) {
        const v = M[a * nb + k]!;
        if (v === 0) continue;
        for (let b = 0; b < n; b++) MP[a * n + b]! += v * P[k * n + b]!;
      }
    }
    // M·P ≈ I (M has full row rank) and hence M·P·M ≈ M.
    let errI = 0;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) errI = Math.max(errI, Math.abs(MP[a * n + b]! - (a === b ? 1 : 0)));
    expect(errI).toBeLessThan(1e-3);
    let err = 0;
    for (let a = 0; a < n; a++) {
      for (let k = 0; k < nb; k += 3) {
        let s = 0;
        for (let b = 0; b < n; b++) s += MP[a * n + b]! * M[b * nb + k]!;
        err = Math.max(err, Math.abs(s - M[a * nb + k]!));
      }
    }
    expect(err).toBeLessThan(1e-3);
  });

  it('melToLinear(applyMel(x)) roughly recovers a smooth spectrum', () => {
    const fb = melFilterbank(44100, 2048, 128, 20, 22050);
    const nb = fb.nBins;
    const nFrames = 2;
    const mag = new Float32Array(nFrames * nb);
    for (let f = 0; f < nFrames; f++) {
      for (let k = 0; k < nb; k++) {
        const hz = (k * 44100) / 2048;
        // Smooth on the mel scale: a 1/f-ish tilt with a broad resonance.
        mag[f * nb + k] = (1 / (1 + hz / 500)) * (1 + 0.5 * Math.exp(-(((hzToMel(hz) - 30 - 5 * f) / 4) ** 2)));
      }
    }
    const lin = melToLinear(fb, applyMel(fb, mag, nFrames), nFrames);
    // Compare on bins from ~100 Hz to ~21 kHz: the lowest bands are about a bin wide,
    // and above the last band's centre only its falling slope covers the bins, so the
    // minimum-norm inverse rolls off towards Nyquist (by design; inaudible).
    let num = 0;
    let den = 0;
    let worst = 0;
    for (let f = 0; f < nFrames; f++) {
      for (let k = 5; k < Math.floor(0.95 * nb); k++) {
        const d = lin[f * nb + k]! - mag[f * nb + k]!;
        num += d * d;
        den += mag[f * nb + k]! ** 2;
        worst = Math.max(worst, Math.abs(d) / mag[f * nb + k]!);
      }
    }
    expect(Math.sqrt(num / den)).toBeLessThan(0.1);
    expect(worst).toBeLessThan(0.1);
    for (const v of lin) expect(v).toBeGreaterThanOrEqual(0);
  });
});

/*
Reference (numpy 1.24):
  fsp = 200/3; step = log(6.4)/27
  hz2mel(f) = f/fsp if f < 1000 else 15 + log(f/1000)/step ; mel2hz its inverse
  edges = mel2hz(linspace(hz2mel(fmin), hz2mel(fmax), n_mels + 2)); freqs = arange(n_fft//2+1)·sr/n_fft
  W[i] = maximum(0, minimum((freqs-edges[i])/(edges[i+1]-edges[i]), (edges[i+2]-freqs)/(edges[i+2]-edges[i+1])))
  per band: first = first nonzero bin, k = middle nonzero bin, w = W[m,k], wFirst = W[m,first], sum = W[m].sum()
*/
