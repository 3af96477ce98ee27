import FFT from 'fft.js';

/**
 * Real FFT of a power-of-two size, backed by fft.js (radix-4, the fastest
 * pure-JS FFT in its benchmarks and dependency-free, so it runs unchanged in
 * a worker, an AudioWorklet-free context and Node).
 *
 * Buffers are allocated once per instance: reuse one RealFft per size in hot
 * loops (Griffin-Lim runs thousands of transforms).
 */
export class RealFft {
  readonly size: number;
  private readonly fft: FFT;
  private readonly complexIn: Float64Array;
  private readonly complexOut: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new Error(`RealFft: size must be a power of two ≥ 4, got ${size}`);
    }
    this.size = size;
    this.fft = new FFT(size);
    this.complexIn = new Float64Array(2 * size);
    this.complexOut = new Float64Array(2 * size);
  }

  /**
   * Forward transform of `input` (length size). Writes the one-sided spectrum,
   * bins 0..size/2, into re/im (length size/2 + 1).
   */
  forward(input: ArrayLike<number>, re: Float32Array | Float64Array, im: Float32Array | Float64Array): void {
    const n = this.size;
    const inp = this.complexIn;
    for (let i = 0; i < n; i++) inp[i] = input[i]!;
    // realTransform reads a real array of length n and fills the left half of out.
    this.fft.realTransform(this.complexOut, inp.subarray(0, n));
    const out = this.complexOut;
    const half = n >> 1;
    for (let k = 0; k <= half; k++) {
      re[k] = out[2 * k]!;
      im[k] = out[2 * k + 1]!;
    }
  }

  /**
   * Inverse transform of a one-sided spectrum (bins 0..size/2) to a real
   * signal of length size, scaled by 1/size (so inverse(forward(x)) = x).
   */
  inverse(re: ArrayLike<number>, im: ArrayLike<number>, output: Float32Array | Float64Array): void {
    const n = this.size;
    const half = n >> 1;
    const c = this.complexIn;
    for (let k = 0; k <= half; k++) {
      c[2 * k] = re[k]!;
      c[2 * k + 1] = im[k]!;
    }
    // Hermitian symmetry fills the negative frequencies; DC and Nyquist are real.
    c[1] = 0;
    c[2 * half + 1] = 0;
    for (let k = half + 1; k < n; k++) {
      c[2 * k] = re[n - k]!;
      c[2 * k + 1] = -im[n - k]!;
    }
    this.fft.inverseTransform(this.complexOut, c);
    const out = this.complexOut;
    for (let i = 0; i < n; i++) output[i] = out[2 * i]!;
  }
}
