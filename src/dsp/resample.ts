import type { Hz } from '../units.js';

/**
 * Band-limited resampling by windowed-sinc interpolation (Kaiser window,
 * `halfTaps` zero crossings each side). The cutoff follows the lower of the
 * two Nyquist rates so downsampling does not alias. Good enough for dataset
 * preparation and pitch correction (stop-band ≈ −80 dB with β = 8.6).
 */
export function resample(x: Float32Array, fromRate: Hz, toRate: Hz, halfTaps = 24): Float32Array {
  if (fromRate === toRate) return x.slice();
  if (!(fromRate > 0 && toRate > 0)) throw new Error(`resample: bad rates ${fromRate} → ${toRate}`);
  const ratio = toRate / fromRate;
  const outLen = Math.max(0, Math.round(x.length * ratio));
  const out = new Float32Array(outLen);
  const cutoff = Math.min(1, ratio) * 0.97; // fraction of the source Nyquist
  const table = kaiserTable(8.6);
  const span = halfTaps / cutoff; // window half-width in source samples
  for (let j = 0; j < outLen; j++) {
    const t = j / ratio;
    const lo = Math.max(0, Math.ceil(t - span));
    const hi = Math.min(x.length - 1, Math.floor(t + span));
    let acc = 0;
    for (let i = lo; i <= hi; i++) {
      const d = t - i;
      const u = d / span;
      if (u <= -1 || u >= 1) continue;
      const pos = Math.abs(u) * TABLE_SIZE;
      const k = pos | 0;
      const w = table[k]! + (table[k + 1]! - table[k]!) * (pos - k);
      const a = Math.PI * cutoff * d;
      const s = Math.abs(a) < 1e-9 ? 1 : Math.sin(a) / a;
      acc += x[i]! * cutoff * s * w;
    }
    out[j] = acc;
  }
  return out;
}

const TABLE_SIZE = 4096;
const tables = new Map<number, Float64Array>();
/** Kaiser window sampled over |u| ∈ [0, 1]; the per-tap Bessel series is too slow inline. */
function kaiserTable(beta: number): Float64Array {
  let t = tables.get(beta);
  if (!t) {
    t = new Float64Array(TABLE_SIZE + 2);
    const i0b = besselI0(beta);
    for (let i = 0; i <= TABLE_SIZE; i++) {
      const u = i / TABLE_SIZE;
      t[i] = besselI0(beta * Math.sqrt(Math.max(0, 1 - u * u))) / i0b;
    }
    tables.set(beta, t);
  }
  return t;
}

/** Zeroth-order modified Bessel function of the first kind (series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}
