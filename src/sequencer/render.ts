/**
 * Offline rendering with the player's own DSP core (VoiceEngine): a list of
 * hits, or N bars of a pattern, mixed into stereo buffers of an exact length.
 * Pure (no Web Audio), so it runs in Node, a worker or the page, and what it
 * renders is what the worklet would play: the same voices, pad settings,
 * chokes, velocity curve and master limiter.
 */
import { PAD_COUNT, RENDER_QUANTUM, SAMPLE_RATE } from '../audio/constants.js';
import { timeToFrame, VoiceEngine, type PadParams } from '../audio/voices.js';
import type { Hz, Seconds } from '../units.js';
import type { Pattern } from '../presets/schema.js';
import { barSeconds, patternHits, type Hit } from './scheduler.js';

/** A pad's current one-shot. */
export interface PadSample {
  data: Float32Array;
  /** Sample rate of `data` (Hz). */
  sampleRate: Hz;
}

export interface RenderSetup {
  /** Each pad's one-shot (null: the pad has no sound yet; its hits are skipped and counted). */
  samples: readonly (PadSample | null)[];
  /** Each pad's playback settings (gain, tune, pan, decay, choke). */
  params: readonly PadParams[];
  /** Choke groups on (the kit's chokeEnabled). */
  chokeEnabled?: boolean;
  /** Output rate (Hz), 44.1 kHz by default. */
  sampleRate?: Hz;
}

export interface Rendered {
  left: Float32Array;
  right: Float32Array;
  sampleRate: Hz;
  /** Hits that found no sound on their pad. */
  silentHits: number;
}

/** Frames of `bars` bars of 4/4 at `tempo` BPM: bars × 4 × 60 / tempo × rate, rounded to the nearest frame. */
export function loopFrames(bars: number, tempo: number, sampleRate: Hz = SAMPLE_RATE): number {
  return Math.round(bars * barSeconds(tempo) * sampleRate);
}

/**
 * Render hits (times in seconds from 0) into exactly `frames` frames. Hits are
 * fed to the engine one render quantum ahead, like the live player, so the
 * engine's pending queue never overflows however many hits there are.
 */
export function renderHits(hits: readonly Hit[], frames: number, setup: RenderSetup): Rendered {
  const sampleRate = setup.sampleRate ?? SAMPLE_RATE;
  if (!Number.isInteger(frames) || frames < 0) throw new Error(`render: frames must be a non-negative integer, got ${frames}`);
  if (setup.params.length !== setup.samples.length) throw new Error(`render: ${setup.samples.length} samples but ${setup.params.length} pad settings`);
  const engine = new VoiceEngine({ sampleRate, pads: Math.max(PAD_COUNT, setup.params.length) });
  setup.params.forEach((p, i) => engine.setPad(i, p));
  engine.setChokeEnabled(setup.chokeEnabled ?? true);
  const sorted = [...hits].sort((a, b) => a.time - b.time || a.pad - b.pad);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const L = new Float32Array(RENDER_QUANTUM);
  const R = new Float32Array(RENDER_QUANTUM);
  let next = 0;
  let silentHits = 0;
  for (let q = 0; q < frames; q += RENDER_QUANTUM) {
    const qEnd = q + RENDER_QUANTUM;
    while (next < sorted.length) {
      const h = sorted[next]!;
      const frame = timeToFrame(h.time, sampleRate);
      if (frame >= qEnd) break;
      next++;
      const s = setup.samples[h.pad];
      if (!s || frame >= frames) {
        if (!s) silentHits++;
        continue;
      }
      engine.schedule(h.pad, s.data, s.sampleRate, h.velocity, frame);
    }
    engine.render(L, R, q);
    const n = Math.min(RENDER_QUANTUM, frames - q);
    left.set(n === RENDER_QUANTUM ? L : L.subarray(0, n), q);
    right.set(n === RENDER_QUANTUM ? R : R.subarray(0, n), q);
  }
  return { left, right, sampleRate, silentHits };
}

export interface LoopOptions {
  /** Bars of 4/4 to render (1–64). */
  bars: number;
  /** Extra seconds after the last bar, so the last hits ring out (default 0: a seamless loop length). */
  tail?: Seconds;
}

/**
 * N bars of a pattern at its own tempo and swing: exactly
 * loopFrames(bars, tempo) + round(tail × rate) frames.
 */
export function renderLoop(pattern: Pattern, opts: LoopOptions, setup: RenderSetup): Rendered {
  const sampleRate = setup.sampleRate ?? SAMPLE_RATE;
  if (!Number.isInteger(opts.bars) || opts.bars < 1 || opts.bars > 64) throw new Error(`render loop: bars must be an integer 1–64, got ${opts.bars}`);
  const tail = opts.tail ?? 0;
  if (!(tail >= 0 && tail <= 30)) throw new Error(`render loop: tail must be 0–30 s, got ${tail}`);
  const body = loopFrames(opts.bars, pattern.tempo, sampleRate);
  // Hits belong to the loop when their frame is inside it (a swung last step still sounds before the end).
  const hits = patternHits(pattern, { tempo: pattern.tempo, swing: pattern.swing }, 0, 0, body / sampleRate).filter((h) => timeToFrame(h.time, sampleRate) < body);
  return renderHits(hits, body + Math.round(tail * sampleRate), setup);
}

/** One pad's sound played once at full velocity through its settings (tune, decay, gain, pan), until it ends. */
export function renderPad(sample: PadSample, params: PadParams, opts: { velocity?: number; sampleRate?: Hz } = {}): Rendered {
  const sampleRate = opts.sampleRate ?? SAMPLE_RATE;
  const rate = Math.pow(2, params.tune / 12) * (sample.sampleRate / sampleRate);
  const frames = Math.ceil(sample.data.length / rate);
  return renderHits([{ pad: 0, velocity: opts.velocity ?? 127, time: 0, step: 0 }], frames, { samples: [sample], params: [params], sampleRate });
}
