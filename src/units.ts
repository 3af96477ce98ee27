/**
 * Unit aliases. They compile to `number` but say what a value means, the way
 * Tone.js does, so a signature reads as documentation.
 */
/** Time in seconds. */
export type Seconds = number;
/** Frequency in hertz. */
export type Hz = number;
/** A count of audio samples (frames of a mono signal). */
export type Samples = number;
/** MIDI note number, 0–127 (60 = C4 = middle C, 69 = A4 = 440 Hz). */
export type MidiNote = number;
/** MIDI velocity, 1–127 (0 is a note-off). */
export type Velocity = number;
/** Level in decibels (relative to full scale where it names an audio level). */
export type Decibels = number;
/** Pitch interval in cents (1/100 semitone). */
export type Cents = number;
/** Linear gain, 1 = unity. */
export type Gain = number;
