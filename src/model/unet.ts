/**
 * The 1-D U-Net of docs/model-spec.md §4, built from tf ops.
 *
 * Layout: tfjs is channels-last, so activations are [B, T, C] (PyTorch: [B, C, T]);
 * conv weights are [k, cin, cout], linear weights [in, out], as exported (§5).
 * Convolutions pad explicitly and run 'valid', because tfjs 'same' padding for
 * stride 2 puts the extra zero on the right while PyTorch pads 1 on both sides.
 * Attention transposes K explicitly instead of using matMul's transpose flags,
 * which are ~10× slower on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureConfig } from './config.js';

/** Width of the sinusoidal time embedding (spec: half = 64, cos then sin). */
export const TIME_EMBED_DIM = 128;
const GN_EPS = 1e-5;

/** One residual block of the body: module name and channel widths. */
interface ResBlockSpec {
  name: string;
  cin: number;
  cout: number;
}

/** The body's residual blocks, in the spec's order (single source for weights, FLOPs and forward). */
function resBlocks(arch: ArchitectureConfig): ResBlockSpec[] {
  const [c0, c1, c2] = arch.channels;
  return [
    { name: 'down0', cin: c0, cout: c0 },
    { name: 'down1', cin: c0, cout: c1 },
    { name: 'down2', cin: c1, cout: c2 },
    { name: 'mid1', cin: c2, cout: c2 },
    { name: 'mid2', cin: c2, cout: c2 },
    { name: 'up2', cin: c2 + c2, cout: c2 },
    { name: 'up1', cin: c2 + c1, cout: c1 },
    { name: 'up0', cin: c1 + c0, cout: c0 },
  ];
}

/**
 * Every weight the architecture needs, name → shape, in tfjs export layout.
 * Names are the PyTorch state-dict names (spec §4/§5).
 */
export function expectedWeights(arch: ArchitectureConfig): Map<string, number[]> {
  const [c0, c1, c2] = arch.channels;
  const E = arch.embedDim;
  const w = new Map<string, number[]>();
  const conv = (name: string, k: number, cin: number, cout: number) => {
    w.set(`${name}.weight`, [k, cin, cout]);
    w.set(`${name}.bias`, [cout]);
  };
  const linear = (name: string, cin: number, cout: number) => {
    w.set(`${name}.weight`, [cin, cout]);
    w.set(`${name}.bias`, [cout]);
  };
  const norm = (name: string, c: number) => {
    w.set(`${name}.weight`, [c]);
    w.set(`${name}.bias`, [c]);
  };
  linear('time_in', TIME_EMBED_DIM, E);
  linear('cond_in', arch.condDim, E);
  linear('emb_out', E, E);
  conv('conv_in', 3, arch.nMels, c0);
  for (const { name, cin, cout } of resBlocks(arch)) {
    norm(`${name}.norm1`, cin);
    conv(`${name}.conv1`, 3, cin, cout);
    linear(`${name}.film`, E, 2 * cout);
    norm(`${name}.norm2`, cout);
    conv(`${name}.conv2`, 3, cout, cout);
    if (cin !== cout) conv(`${name}.skip`, 1, cin, cout);
  }
  conv('ds0', 3, c0, c0);
  conv('ds1', 3, c1, c1);
  norm('attn.norm', c2);
  conv('attn.qkv', 1, c2, 3 * c2);
  conv('attn.proj', 1, c2, c2);
  conv('us1.conv', 3, c2, c2);
  conv('us0.conv', 3, c1, c1);
  norm('norm_out', c0);
  conv('conv_out', 3, c0, arch.nMels);
  return w;
}

/** Number of parameters. */
export function countParams(arch: ArchitectureConfig): number {
  let n = 0;
  for (const shape of expectedWeights(arch).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Floating-point operations of one forward pass for ONE item, counting
 * 2 per multiply-add of every convolution, linear layer and attention matmul.
 * GroupNorm, SiLU, softmax and additions are left out (they are O(T·C), under 2 %).
 */
export function countFlops(arch: ArchitectureConfig): number {
  const [c0, c1, c2] = arch.channels;
  const T = arch.nFrames;
  const E = arch.embedDim;
  const conv = (k: number, cin: number, cout: number, tOut: number) => 2 * k * cin * cout * tOut;
  let f = 2 * (TIME_EMBED_DIM * E + arch.condDim * E + E * E);
  f += conv(3, arch.nMels, c0, T);
  const frames: Record<string, number> = { down0: T, down1: T / 2, down2: T / 4, mid1: T / 4, mid2: T / 4, up2: T / 4, up1: T / 2, up0: T };
  for (const { name, cin, cout } of resBlocks(arch)) {
    const t = frames[name]!;
    f += conv(3, cin, cout, t) + conv(3, cout, cout, t) + 2 * E * 2 * cout;
    if (cin !== cout) f += conv(1, cin, cout, t);
  }
  f += conv(3, c0, c0, T / 2) + conv(3, c1, c1, T / 4); // ds0, ds1
  const t2 = T / 4;
  f += conv(1, c2, 3 * c2, t2) + conv(1, c2, c2, t2) + 2 * (2 * t2 * t2 * c2); // qkv, proj, qKᵀ and A·V
  f += conv(3, c2, c2, T / 2) + conv(3, c1, c1, T); // us1, us0 (after upsampling)
  f += conv(3, c0, arch.nMels, T);
  return f;
}

/**
 * The network. Owns its weight tensors (dispose() frees them).
 */
export class UNet1D {
  readonly arch: ArchitectureConfig;
  private readonly w: Map<string, tf.Tensor>;
  /** [64] frequencies of the time embedding, f_i = exp(−ln(10000)·i/64). */
  private readonly freqs: tf.Tensor1D;
  private disposed = false;

  /**
   * @param weights tensors by state-dict name with the shapes of expectedWeights(arch);
   *   ownership passes to the network.
   */
  constructor(arch: ArchitectureConfig, weights: Record<string, tf.Tensor> | Map<string, tf.Tensor>) {
    this.arch = arch;
    this.w = weights instanceof Map ? new Map(weights) : new Map(Object.entries(weights));
    const expected = expectedWeights(arch);
    for (const [name, shape] of expected) {
      const t = this.w.get(name);
      if (!t) throw new Error(`weights: "${name}" is missing`);
      if (!sameShape(t.shape, shape)) throw new Error(`weights: "${name}" has shape [${t.shape}], the architecture needs [${shape}]`);
    }
    for (const name of this.w.keys()) if (!expected.has(name)) throw new Error(`weights: unexpected weight "${name}"`);
    this.freqs = tf.tensor1d(timeFrequencies());
  }

  /**
   * v-prediction.
   * @param x    [B, T, nMels] noisy standardized features (tfjs layout)
   * @param t    [B] diffusion times in [0, 1]
   * @param cond [B, condDim] conditioning vectors
   * @returns    [B, T, nMels] predicted v; the caller disposes it
   */
  forward(x: tf.Tensor3D, t: tf.Tensor1D, cond: tf.Tensor2D): tf.Tensor3D {
    if (this.disposed) throw new Error('UNet1D: used after dispose()');
    const { nMels, nFrames, condDim } = this.arch;
    const [B, T, C] = x.shape;
    if (T !== nFrames || C !== nMels) throw new Error(`UNet1D: x has shape [${x.shape}], expected [B, ${nFrames}, ${nMels}]`);
    if (t.shape[0] !== B || cond.shape[0] !== B || cond.shape[1] !== condDim) {
      throw new Error(`UNet1D: t [${t.shape}] / cond [${cond.shape}] do not match batch ${B} and condDim ${condDim}`);
    }
    return tf.tidy(() => {
      // Global embedding g [B, E]; every block only ever uses silu(g).
      const a = tf.mul(tf.reshape(tf.mul(t, 1000), [B, 1]), tf.reshape(this.freqs, [1, -1])) as tf.Tensor2D; // [B, 64]
      const temb = tf.concat([tf.cos(a), tf.sin(a)], 1); // [B, 128], cos first
      const g = this.linear('emb_out', silu(tf.add(this.linear('time_in', temb), this.linear('cond_in', cond))));
      const gs = silu(g);

      let h = this.conv('conv_in', x, 3);
      const s0 = this.res('down0', h, gs);
      h = this.conv('ds0', s0, 3, 2);
      const s1 = this.res('down1', h, gs);
      h = this.conv('ds1', s1, 3, 2);
      const s2 = this.res('down2', h, gs);
      h = this.res('mid1', s2, gs);
      h = this.attention('attn', h);
      h = this.res('mid2', h, gs);
      h = this.res('up2', tf.concat([h, s2], 2), gs);
      h = this.conv('us1.conv', upsample2(h), 3);
      h = this.res('up1', tf.concat([h, s1], 2), gs);
      h = this.conv('us0.conv', upsample2(h), 3);
      h = this.res('up0', tf.concat([h, s0], 2), gs);
      return this.conv('conv_out', silu(this.groupNorm('norm_out', h)), 3) as tf.Tensor3D;
    });
  }

  /** Free every weight. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.w.values()) t.dispose();
    this.w.clear();
    this.freqs.dispose();
  }

  private get(name: string): tf.Tensor {
    const t = this.w.get(name);
    if (!t) throw new Error(`UNet1D: weight "${name}" is missing`);
    return t;
  }

  /** Linear: x [B, in] → [B, out]. */
  private linear(name: string, x: tf.Tensor2D): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: this.get(`${name}.weight`) as tf.Tensor2D, bias: this.get(`${name}.bias`) }) as tf.Tensor2D;
  }

  /**
   * 1-D conv with zero padding (k − 1)/2 both sides (stride 1), or 1 both sides
   * for the stride-2 downsampler. x [B, T, cin] → [B, T/stride, cout].
   */
  private conv(name: string, x: tf.Tensor3D, k: number, stride = 1): tf.Tensor3D {
    const w = this.get(`${name}.weight`);
    const bias = this.get(`${name}.bias`);
    const [B, T, cin] = x.shape;
    const cout = w.shape[2]!;
    if (k === 1) {
      // Pointwise conv is a plain matmul over B·T rows.
      const y = tf.fused.matMul({ a: tf.reshape(x, [B * T, cin]), b: tf.reshape(w, [cin, cout]), bias });
      return tf.reshape(y, [B, T, cout]);
    }
    const pad = stride === 1 ? (k - 1) / 2 : 1;
    const xp = tf.pad(x, [[0, 0], [pad, pad], [0, 0]]);
    // conv2d over a height-1 image: the fused kernel adds the bias in the same pass.
    const y = tf.fused.conv2d({
      x: tf.reshape(xp, [B, 1, T + 2 * pad, cin]) as tf.Tensor4D,
      filter: tf.reshape(w, [1, k, cin, cout]) as tf.Tensor4D,
      strides: [1, stride],
      pad: 'valid',
      bias,
    });
    return tf.reshape(y, [B, y.shape[2], cout]);
  }

  /** GroupNorm(G) over (channels in group × T), eps 1e-5, affine. x [B, T, C]. */
  private groupNorm(name: string, x: tf.Tensor3D): tf.Tensor3D {
    const [B, T, C] = x.shape;
    const G = this.arch.groups;
    const xr = tf.reshape(x, [B, T, G, C / G]);
    const { mean, variance } = tf.moments(xr, [1, 3], true);
    const xn = tf.reshape(tf.mul(tf.sub(xr, mean), tf.rsqrt(tf.add(variance, GN_EPS))), [B, T, C]);
    return tf.add(tf.mul(xn, this.get(`${name}.weight`)), this.get(`${name}.bias`));
  }

  /** Res(cin, cout) with FiLM from silu(g) [B, E]. x [B, T, cin] → [B, T, cout]. */
  private res(name: string, x: tf.Tensor3D, gs: tf.Tensor2D): tf.Tensor3D {
    const [B, , cin] = x.shape;
    let h = this.conv(`${name}.conv1`, silu(this.groupNorm(`${name}.norm1`, x)), 3);
    const cout = h.shape[2];
    const film = this.linear(`${name}.film`, gs); // [B, 2·cout], scale first
    const scale = tf.reshape(tf.slice(film, [0, 0], [B, cout]), [B, 1, cout]);
    const shift = tf.reshape(tf.slice(film, [0, cout], [B, cout]), [B, 1, cout]);
    h = tf.add(tf.mul(this.groupNorm(`${name}.norm2`, h), tf.add(scale, 1)), shift);
    h = this.conv(`${name}.conv2`, silu(h), 3);
    return tf.add(h, cin !== cout ? this.conv(`${name}.skip`, x, 1) : x);
  }

  /**
   * Multi-head self-attention over frames, x [B, T, C] → x + proj(out).
   * Channel index of head h, lane j is h·(C/H) + j, as in the spec.
   */
  private attention(name: string, x: tf.Tensor3D): tf.Tensor3D {
    const [B, T, C] = x.shape;
    const H = this.arch.heads;
    const dh = C / H;
    const qkv = this.conv(`${name}.qkv`, this.groupNorm(`${name}.norm`, x), 1); // [B, T, 3C]
    const [q, k, v] = tf.split(qkv, 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const heads = (u: tf.Tensor3D) => tf.reshape(u, [B, T, H, dh]);
    const qh = tf.transpose(heads(q), [0, 2, 1, 3]); // [B, H, T, dh]
    const kt = tf.transpose(heads(k), [0, 2, 3, 1]); // [B, H, dh, T]: explicit Kᵀ
    const vh = tf.transpose(heads(v), [0, 2, 1, 3]); // [B, H, T, dh]
    const attn = tf.softmax(tf.mul(tf.matMul(qh, kt), 1 / Math.sqrt(dh)), -1); // [B, H, Tq, Tk], softmax over keys
    const out = tf.reshape(tf.transpose(tf.matMul(attn, vh), [0, 2, 1, 3]), [B, T, C]) as tf.Tensor3D;
    return tf.add(x, this.conv(`${name}.proj`, out, 1));
  }
}

/**
 * f_i = exp(−ln(10000)·i/64), i = 0…63, rounded the way the float32 trainer
 * computes it (argument rounded to float32 before exp). a = 1000·t·f reaches
 * 1000, so one ulp of f_i would move cos(a) by ~6e-5, most of the parity budget.
 */
export function timeFrequencies(): Float32Array {
  const half = TIME_EMBED_DIM / 2;
  const c = Math.fround(-Math.log(10000));
  return Float32Array.from({ length: half }, (_, i) => Math.exp(Math.fround(c * i) / half));
}

function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/**
 * Nearest-neighbour ×2 along T: [B, T, C] → [B, 2T, C], each frame twice.
 * Concat of two [B, T, 1, C] views, not tf.tile: Tile is ~10× slower on wasm.
 */
function upsample2(x: tf.Tensor3D): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const x4 = tf.reshape(x, [B, T, 1, C]);
  return tf.reshape(tf.concat([x4, x4], 2), [B, 2 * T, C]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Wrap the network as the sampler's Denoiser, in the feature layout:
 * x [B, nMels, nFrames] (mel-major, PyTorch's [C, T]) in, v in the same layout out.
 * The two transposes are tiny next to the network.
 */
export function unetDenoiser(net: UNet1D): (x: Float32Array, t: Float32Array, cond: Float32Array) => Promise<Float32Array> {
  const { nMels, nFrames, condDim } = net.arch;
  return async (x, t, cond) => {
    const B = t.length;
    const out = tf.tidy(() => {
      const xt = tf.transpose(tf.tensor3d(x, [B, nMels, nFrames]), [0, 2, 1]) as tf.Tensor3D;
      const v = net.forward(xt, tf.tensor1d(t), tf.tensor2d(cond, [B, condDim]));
      return tf.transpose(v, [0, 2, 1]);
    });
    try {
      // Copy: the cpu backend hands out its own storage, which dispose() recycles.
      return new Float32Array(await out.data());
    } finally {
      out.dispose();
    }
  };
}
