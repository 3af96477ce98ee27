/**
 * The latency bench's measurement insert: it plays its input through
 * unchanged and reports the context frame of every onset, the first sample
 * whose magnitude exceeds the threshold after at least `quietFrames` of
 * silence. Posting from process() allocates, which a player must never do;
 * this tap only runs in the bench and posts once per onset.
 */
const TAP_PROCESSOR_NAME = 'latency-tap';

interface TapOptions {
  threshold: number;
  quietFrames: number;
}

class LatencyTap extends AudioWorkletProcessor {
  private readonly threshold: number;
  private readonly quietFrames: number;
  /** Frames since the last sample above the threshold. */
  private quiet: number;

  constructor(options?: { processorOptions?: Partial<TapOptions> }) {
    super();
    this.threshold = options?.processorOptions?.threshold ?? 1e-3;
    this.quietFrames = options?.processorOptions?.quietFrames ?? 2048;
    this.quiet = this.quietFrames;
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const input = inputs[0] ?? [];
    const output = outputs[0] ?? [];
    const n = output[0]?.length ?? input[0]?.length ?? 128;
    for (let c = 0; c < output.length; c++) {
      const src = input[c] ?? input[0];
      if (src) output[c]!.set(src);
      else output[c]!.fill(0);
    }
    for (let i = 0; i < n; i++) {
      let loud = false;
      for (const ch of input) if (Math.abs(ch[i]!) > this.threshold) loud = true;
      if (loud) {
        if (this.quiet >= this.quietFrames) this.port.postMessage({ type: 'onset', frame: currentFrame + i });
        this.quiet = 0;
      } else {
        this.quiet++;
      }
    }
    return true;
  }
}

registerProcessor(TAP_PROCESSOR_NAME, LatencyTap);
