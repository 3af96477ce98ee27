/**
 * Everything the player worklet does, minus the AudioWorklet glue: a sample
 * table keyed by id, message handling, and per-quantum rendering through the
 * VoiceEngine. Pure (no Web Audio), so Node tests exercise exactly what the
 * worklet runs.
 */
import type { Hz } from '../units.js';
import type { PlayerMessage, PlayerReply } from './protocol.js';
import { sanitizeSamples, timeToFrame, VoiceEngine, type VoiceEngineOptions } from './voices.js';
import type { SharedSampleConsumer } from './transport-consumer.js';

interface StoredSample {
  data: Float32Array;
  sampleRate: Hz;
}

export class PlayerCore {
  readonly engine: VoiceEngine;
  private readonly samples = new Map<number, StoredSample>();
  private frame = 0;
  private repaired = 0;
  /** Samples arriving through shared memory (transport.ts), when the page is cross-origin isolated. */
  private shared: SharedSampleConsumer | null = null;

  constructor(opts: VoiceEngineOptions) {
    this.engine = new VoiceEngine(opts);
  }

  /** Take samples from a shared-memory pool as well as from 'sample' messages. */
  attachSharedSamples(consumer: SharedSampleConsumer): void {
    this.shared = consumer;
  }

  /** Handle one message (not real-time: may allocate). Returns a reply to post, if any. */
  handle(msg: PlayerMessage): PlayerReply | null {
    switch (msg.type) {
      case 'sample': {
        if (!(msg.data instanceof Float32Array) || !(msg.sampleRate > 0)) return { type: 'error', message: `sample ${msg.id}: expected a Float32Array and a sample rate` };
        if (sanitizeSamples(msg.data) > 0) this.repaired++;
        this.samples.set(msg.id, { data: msg.data, sampleRate: msg.sampleRate });
        return null;
      }
      case 'free':
        for (const id of msg.ids) {
          const s = this.samples.get(id);
          if (!s) {
            this.shared?.free(id, this.engine);
            continue;
          }
          this.engine.forget(s.data);
          this.samples.delete(id);
        }
        return null;
      case 'trigger': {
        const s = this.samples.get(msg.id) ?? this.shared?.sample(msg.id);
        if (!s) {
          this.engine.countDrop('droppedUnknownSample');
          return null;
        }
        this.engine.schedule(msg.pad, s.data, s.sampleRate, msg.velocity, timeToFrame(msg.time, this.engine.sampleRate));
        return null;
      }
      case 'note-on': {
        const s = this.samples.get(msg.id) ?? this.shared?.sample(msg.id);
        if (!s) {
          this.engine.countDrop('droppedUnknownSample');
          return null;
        }
        this.engine.noteOn(msg.channel, msg.note, s.data, s.sampleRate, msg.velocity, msg.semitones, timeToFrame(msg.time, this.engine.sampleRate));
        return null;
      }
      case 'note-off':
        this.engine.noteOff(msg.channel, msg.note, timeToFrame(msg.time, this.engine.sampleRate));
        return null;
      case 'sustain':
        this.engine.sustain(msg.channel, msg.down, timeToFrame(msg.time, this.engine.sampleRate));
        return null;
      case 'bend':
        this.engine.bend(msg.channel, msg.semitones, timeToFrame(msg.time, this.engine.sampleRate));
        return null;
      case 'keyboard':
        this.engine.setKeyboard(msg.params);
        return null;
      case 'pad':
        this.engine.setPad(msg.pad, msg.params);
        return null;
      case 'choke':
        this.engine.setChokeEnabled(msg.enabled);
        return null;
      case 'stop':
        this.engine.stopAll();
        return null;
      case 'query':
        return {
          type: 'stats',
          token: msg.token,
          ...this.engine.stats,
          peak: this.engine.takePeak(),
          samples: this.samples.size + (this.shared?.live ?? 0),
          frame: this.frame,
          repairedSamples: this.repaired,
        };
      default:
        return { type: 'error', message: `unknown message ${JSON.stringify((msg as { type?: unknown }).type)}` };
    }
  }

  /** Render one quantum starting at context frame `quantumStart`. Real-time safe. */
  render(L: Float32Array, R: Float32Array, quantumStart: number): void {
    this.frame = quantumStart;
    this.shared?.poll(this.engine);
    this.engine.render(L, R, quantumStart);
  }
}
