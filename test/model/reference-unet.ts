/**
 * Independent float64 reference of the network in docs/model-spec.md §4,
 * written in PyTorch layout ([C, T] per item) with plain loops, straight from
 * the spec text. It shares no code with src/model/unet.ts, so agreement checks
 * the tfjs layout handling (transposes, padding, head split, concatenation
 * order) rather than restating it.
 */
import type { ArchitectureConfig } from '../../src/model/config.js';

type W = Map<string, Float32Array>;
/** Activation of one item: [C][T]. */
type Act = Float64Array[];

export function referenceForward(arch: ArchitectureConfig, w: W, x: Float32Array, t: number, cond: Float32Array): Float32Array {
  const { nMels, nFrames: T, embedDim: E, groups: G, heads: H } = arch;
  const get = (n: string) => {
    const a = w.get(n);
    if (!a) throw new Error(`missing ${n}`);
    return a;
  };
  const silu = (v: number) => v / (1 + Math.exp(-v));

  const linear = (name: string, v: Float64Array): Float64Array => {
    const W = get(`${name}.weight`); // [in, out]
    const b = get(`${name}.bias`);
    const nOut = b.length;
    const out = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = b[o]!;
      for (let i = 0; i < v.length; i++) s += v[i]! * W[i * nOut + o]!;
      out[o] = s;
    }
    return out;
  };
  /** Conv1d, PyTorch semantics: out[o][t] = b[o] + Σ_{i,j} w[o,i,j]·x[i][t·stride + j − pad]. Stored [k, cin, cout]. */
  const conv = (name: string, xin: Act, k: number, stride = 1, pad = (k - 1) / 2): Act => {
    const Wt = get(`${name}.weight`);
    const b = get(`${name}.bias`);
    const cin = xin.length;
    const cout = b.length;
    const tin = xin[0]!.length;
    const tout = Math.floor((tin + 2 * pad - k) / stride) + 1;
    const out: Act = [];
    for (let o = 0; o < cout; o++) {
      const row = new Float64Array(tout);
      for (let tt = 0; tt < tout; tt++) {
        let s = b[o]!;
        for (let j = 0; j < k; j++) {
          const src = tt * stride + j - pad;
          if (src < 0 || src >= tin) continue;
          for (let i = 0; i < cin; i++) s += Wt[(j * cin + i) * cout + o]! * xin[i]![src]!;
        }
        row[tt] = s;
      }
      out.push(row);
    }
    return out;
  };
  const groupNorm = (name: string, xin: Act): Act => {
    const gamma = get(`${name}.weight`);
    const beta = get(`${name}.bias`);
    const C = xin.length;
    const n = xin[0]!.length;
    const cg = C / G;
    const out: Act = xin.map((r) => new Float64Array(r.length));
    for (let g = 0; g < G; g++) {
      let mean = 0;
      for (let c = g * cg; c < (g + 1) * cg; c++) for (let i = 0; i < n; i++) mean += xin[c]![i]!;
      mean /= cg * n;
      let v = 0;
      for (let c = g * cg; c < (g + 1) * cg; c++) for (let i = 0; i < n; i++) v += (xin[c]![i]! - mean) ** 2;
      v /= cg * n;
      const inv = 1 / Math.sqrt(v + 1e-5);
      for (let c = g * cg; c < (g + 1) * cg; c++) for (let i = 0; i < n; i++) out[c]![i] = (xin[c]![i]! - mean) * inv * gamma[c]! + beta[c]!;
    }
    return out;
  };
  const map = (a: Act, f: (v: number) => number): Act => a.map((r) => r.map(f));
  const add = (a: Act, b: Act): Act => a.map((r, c) => r.map((v, i) => v + b[c]![i]!));
  const cat = (a: Act, b: Act): Act => [...a, ...b];

  // Global embedding.
  const temb = new Float64Array(128);
  for (let i = 0; i < 64; i++) {
    const f = Math.exp((-Math.log(10000) * i) / 64);
    temb[i] = Math.cos(1000 * t * f);
    temb[64 + i] = Math.sin(1000 * t * f);
  }
  const ti = linear('time_in', temb);
  const ci = linear('cond_in', Float64Array.from(cond));
  const g = linear('emb_out', ti.map((v, i) => silu(v + ci[i]!)));
  const gs = g.map(silu);
  void E;

  const res = (name: string, xin: Act): Act => {
    let h = conv(`${name}.conv1`, map(groupNorm(`${name}.norm1`, xin), silu), 3);
    const cout = h.length;
    const film = linear(`${name}.film`, gs);
    h = groupNorm(`${name}.norm2`, h).map((r, c) => r.map((v) => v * (1 + film[c]!) + film[cout + c]!));
    h = conv(`${name}.conv2`, map(h, silu), 3);
    return add(h, xin.length !== cout ? conv(`${name}.skip`, xin, 1) : xin);
  };
  const attn = (name: string, xin: Act): Act => {
    const C = xin.length;
    const n = xin[0]!.length;
    const dh = C / H;
    const qkv = conv(`${name}.qkv`, groupNorm(`${name}.norm`, xin), 1);
    const out: Act = Array.from({ length: C }, () => new Float64Array(n));
    for (let h = 0; h < H; h++) {
      for (let tq = 0; tq < n; tq++) {
        const scores = new Float64Array(n);
        let mx = -Infinity;
        for (let tk = 0; tk < n; tk++) {
          let s = 0;
          for (let j = 0; j < dh; j++) s += qkv[h * dh + j]![tq]! * qkv[C + h * dh + j]![tk]!;
          scores[tk] = s / Math.sqrt(dh);
          mx = Math.max(mx, scores[tk]!);
        }
        let z = 0;
        for (let tk = 0; tk < n; tk++) z += scores[tk] = Math.exp(scores[tk]! - mx);
        for (let j = 0; j < dh; j++) {
          let s = 0;
          for (let tk = 0; tk < n; tk++) s += (scores[tk]! / z) * qkv[2 * C + h * dh + j]![tk]!;
          out[h * dh + j]![tq] = s;
        }
      }
    }
    return add(xin, conv(`${name}.proj`, out, 1));
  };
  const up = (xin: Act): Act => xin.map((r) => Float64Array.from({ length: 2 * r.length }, (_, i) => r[i >> 1]!));

  const x0: Act = Array.from({ length: nMels }, (_, c) => Float64Array.from(x.subarray(c * T, (c + 1) * T)));
  let h = conv('conv_in', x0, 3);
  const s0 = res('down0', h);
  h = conv('ds0', s0, 3, 2, 1);
  const s1 = res('down1', h);
  h = conv('ds1', s1, 3, 2, 1);
  const s2 = res('down2', h);
  h = res('mid1', s2);
  h = attn('attn', h);
  h = res('mid2', h);
  h = res('up2', cat(h, s2));
  h = conv('us1.conv', up(h), 3);
  h = res('up1', cat(h, s1));
  h = conv('us0.conv', up(h), 3);
  h = res('up0', cat(h, s0));
  const v = conv('conv_out', map(groupNorm('norm_out', h), silu), 3);
  const flat = new Float32Array(nMels * T);
  v.forEach((r, c) => flat.set(r, c * T));
  return flat;
}
