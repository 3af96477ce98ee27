/**
 * Audio-side constants shared by the main thread, the generation worker and
 * the AudioWorklet. Each carries its unit. Global ones (sample rate, render
 * quantum) live in src/constants.ts and are re-exported here so every thread
 * imports one module.
 */
export { RENDER_QUANTUM, SAMPLE_RATE } from '../constants.js';
import { SAMPLE_RATE as MODEL_SAMPLE_RATE } from '../constants.js';

/** Pads the instrument holds (pads); the page shows them as a 4 × 4 grid. */
export const PAD_COUNT = 16;
/** Grid columns (pads). */
export const GRID_COLUMNS = 4;
/** Voices that may sound at once before the oldest is stolen (voices). */
export const MAX_VOICES = 32;
/** Physical voice slots: the polyphony limit plus room for voices fading out after a steal (voices). */
export const VOICE_SLOTS = MAX_VOICES * 2;
/** Fade-out of a stolen voice (seconds). */
export const STEAL_RELEASE_SECONDS = 0.005;
/** Fade-out of a choked voice, e.g. an open hat cut by the closed hat (seconds). */
export const CHOKE_RELEASE_SECONDS = 0.01;
/**
 * Events the worklet can hold between two quanta (events). Sized for the
 * catch-up burst after a main-thread stall, not for look-ahead: a look-ahead
 * sequencer that was starved for 20 s sends ~300 late hits at once, and
 * bench:stress saw 287 arrive in one gap (256 overflowed). 1024 holds a
 * minute of 16ths over 16 pads; inserting stays cheap because late hits sort
 * to the front.
 */
export const MAX_PENDING_EVENTS = 1024;
/** Ready variations each mapped pad keeps (one-shots). */
export const DEFAULT_VARIATIONS = 4;
/** Velocity curve exponent: gain = (velocity / 127)^k; k = 2 is the DLS/GM 40·log10 law (dimensionless). */
export const VELOCITY_CURVE_EXPONENT = 2;
/** Master limiter ceiling: the output never exceeds it (dBFS). */
export const LIMITER_CEILING_DB = -0.3;
/**
 * Master limiter knee width (dB below the ceiling): below it the limiter is
 * transparent, so a single full-velocity one-shot (peak −1 dBFS) passes untouched.
 */
export const LIMITER_KNEE_DB = 0.6;
/** Master limiter release time constant (seconds). */
export const LIMITER_RELEASE_SECONDS = 0.08;
/** Output channels of the player (channels). */
export const OUTPUT_CHANNELS = 2;
/** Name the player AudioWorkletProcessor registers under. */
export const PLAYER_PROCESSOR_NAME = 'oneshot-player';
/** Choke group of the open hat in the default kit (group id; 0 = none). */
export const HAT_CHOKE_GROUP = 1;
/** One-shots the generation worker runs in one network call at most (one-shots). */
export const GENERATION_MAX_BATCH = 8;
/** One-shots the engine keeps requested from the worker at once: two batches, so the worker never idles between them (one-shots). */
export const GENERATION_WINDOW = 2 * GENERATION_MAX_BATCH;
/**
 * Longest one-shot a shared-memory sample slot holds (seconds). The longest
 * model output is the tonal model's (128 − 1) frames × 512 hop = 65,024
 * samples = 1.47 s at 44.1 kHz (each model's config.json; the drums model makes
 * 0.74 s); longer samples still play, sent over the MessagePort instead.
 */
export const SAMPLE_SLOT_SECONDS = 1.5;
/** Samples in one shared-memory slot at the models' 44.1 kHz (samples). */
export const SAMPLE_SLOT_LENGTH = Math.ceil(SAMPLE_SLOT_SECONDS * MODEL_SAMPLE_RATE);
/**
 * Shared-memory sample slots (one-shots): 16 pads × (4 ready + 4 of the
 * previous sound while it regenerates + 1 playing) = 144, plus room for a
 * pitched channel and slots whose voices are still sounding after a free.
 * 192 × 66,150 samples × 4 bytes = 50.8 MB; a full pool falls back to the
 * MessagePort.
 */
export const SAMPLE_SLOTS = 192;
/** MIDI channels (channels, numbered 1–16). */
export const MIDI_CHANNELS = 16;
/** Release ramp of a pitched note after its note-off (or pedal up), linear to silence (seconds). */
export const KEY_RELEASE_SECONDS = 0.12;
/** Pitch-bend smoothing: one-pole time constant of the bend applied to sounding voices (seconds). */
export const BEND_SMOOTHING_SECONDS = 0.005;
/** Largest transposition of a pitched note away from its generated root (semitones); wider notes are dropped. */
export const NOTE_TRANSPOSE_LIMIT = 24;
/** Largest pitch-bend excursion the player applies (semitones). */
export const BEND_LIMIT = 24;
/**
 * Resampler for upward transposition: a Kaiser-windowed sinc whose cutoff
 * follows the playback rate, so content that would fold over Nyquist is
 * removed. Half-width in (rate-scaled) source samples (taps per side).
 */
export const RESAMPLER_HALF_WIDTH = 12;
/** Resampler cutoff as a fraction of the output sample rate (dimensionless; 0.5 = Nyquist, the rest is the transition band). */
export const RESAMPLER_CUTOFF = 0.45;
/** Kaiser window β of the resampler kernel (dimensionless; ~70 dB stopband). */
export const RESAMPLER_KAISER_BETA = 7;
/** Kernel table points per source sample (points); linear interpolation between them. */
export const RESAMPLER_OVERSAMPLING = 512;
/** Widest kernel stretch (× the half-width): beyond +24 semitones the kernel stops widening, bounding the cost (dimensionless). */
export const RESAMPLER_MAX_SCALE = 4;
