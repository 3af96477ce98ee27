import { PLAYER_PROCESSOR_NAME, RENDER_QUANTUM } from '../src/audio/constants.js';
import { PlayerCore } from '../src/audio/player-core.js';
import type { PlayerMessage } from '../src/audio/protocol.js';
import type { SharedSampleMemory } from '../src/audio/transport.js';
import { SharedSampleConsumer } from '../src/audio/transport-consumer.js';
import { warmUpPlayer } from '../src/audio/warm-up.js';

/**
 * The player AudioWorklet: it only receives samples and triggers and plays
 * them. All DSP lives in src/audio/ (PlayerCore → VoiceEngine).
 *
 * process() allocates nothing, awaits nothing and posts nothing: the scratch
 * buffer for a mono output is made once, replies are sent only from the
 * message handler.
 *
 * Keep the imports first in this file, before any comment: in development
 * vite serves the module unbundled, and standardized-audio-context hoists
 * only the import statements at the very top of a worklet's source.
 */
class PlayerProcessor extends AudioWorkletProcessor {
  private readonly core = new PlayerCore({ sampleRate });
  /** Right channel when the output is mono (discarded). */
  private scratch = new Float32Array(RENDER_QUANTUM);

  constructor(options?: { processorOptions?: { sampleMemory?: SharedSampleMemory } }) {
    super();
    // Before the first process(): optimise every render path on a scratch player, so the first steal,
    // transposed note or shared-memory sample does not deoptimise the render loop mid-performance.
    warmUpPlayer(sampleRate);
    // Cross-origin isolated pages also send samples through shared memory (src/audio/transport.ts).
    const memory = options?.processorOptions?.sampleMemory;
    if (memory) this.core.attachSharedSamples(new SharedSampleConsumer(memory));
    this.port.onmessage = (e: MessageEvent<PlayerMessage>) => {
      let reply;
      try {
        reply = this.core.handle(e.data);
      } catch (err) {
        reply = { type: 'error' as const, message: err instanceof Error ? err.message : String(err) };
      }
      if (reply) this.port.postMessage(reply);
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    if (!out || out.length === 0) return true;
    const L = out[0]!;
    let R = out[1];
    if (!R) {
      if (this.scratch.length !== L.length) this.scratch = new Float32Array(L.length); // only if the quantum size ever changes
      R = this.scratch;
    }
    this.core.render(L, R, currentFrame);
    return true;
  }
}

registerProcessor(PLAYER_PROCESSOR_NAME, PlayerProcessor);
