/**
 * Messages between the main thread and the player AudioWorklet (one
 * MessagePort). Sample data travels as a transferred Float32Array: the
 * sender's copy is detached, nothing is copied.
 */
import type { Hz, Seconds, Velocity } from '../units.js';
import type { KeyboardParams, PadParams, VoiceEngineStats } from './voices.js';

/** Main thread → worklet. */
export type PlayerMessage =
  /** A one-shot the worklet may play, under an id chosen by the sender. */
  | { type: 'sample'; id: number; data: Float32Array; sampleRate: Hz }
  /** Forget these sample ids (voices already playing them finish). */
  | { type: 'free'; ids: number[] }
  /** Play sample `id` on `pad` at context time `time` (past times play at once). */
  | { type: 'trigger'; pad: number; id: number; velocity: Velocity; time: Seconds }
  | { type: 'pad'; pad: number; params: Partial<PadParams> }
  /**
   * Start a pitched note on MIDI channel 1–16: sample `id` (a generated root)
   * transposed by `semitones`, sounding until the matching note-off.
   */
  | { type: 'note-on'; channel: number; note: number; id: number; velocity: Velocity; semitones: number; time: Seconds }
  /** Release the channel's voices of `note` (after the pedal, when it is down). */
  | { type: 'note-off'; channel: number; note: number; time: Seconds }
  /** Sustain pedal (CC64) of a channel. */
  | { type: 'sustain'; channel: number; down: boolean; time: Seconds }
  /** Pitch bend of a channel (semitones; 0 = none), applied to its sounding and later notes. */
  | { type: 'bend'; channel: number; semitones: number; time: Seconds }
  | { type: 'keyboard'; params: Partial<KeyboardParams> }
  | { type: 'choke'; enabled: boolean }
  /** Fade out everything, drop pending hits. */
  | { type: 'stop' }
  /** Ask for a PlayerStats reply carrying the same token. */
  | { type: 'query'; token: number };

/** What the worklet knows about itself. */
export interface PlayerStats extends VoiceEngineStats {
  /** Largest |output| since the previous query (linear). */
  peak: number;
  /** Samples held. */
  samples: number;
  /** Frames rendered so far (the context's currentFrame at the last quantum). */
  frame: number;
  /** Samples that arrived with non-finite values (replaced by 0). */
  repairedSamples: number;
}

/** Worklet → main thread (only in reply to a message, never from process()). */
export type PlayerReply = ({ type: 'stats'; token: number } & PlayerStats) | { type: 'error'; message: string };
