/**
 * Constants shared by every thread (main, worker, worklet, Node CLI).
 * Each carries its unit; change one here and every thread follows.
 */
/** Output sample rate of every generated one-shot (Hz). */
export const SAMPLE_RATE = 44100;
/** AudioWorklet render quantum (frames). Fixed by the Web Audio spec. */
export const RENDER_QUANTUM = 128;
/** Peak level every generated one-shot is normalised to (dBFS). */
export const OUTPUT_PEAK_DB = -1;
/** Fade-out applied at the end of every generated one-shot (seconds). */
export const OUTPUT_FADE_SECONDS = 0.02;
/** Drum classes, in the order the drums model's class condition uses. */
export const DRUM_CLASSES = [
  'kick', 'snare', 'clap', 'rim', 'closed-hat', 'open-hat', 'tom', 'crash', 'ride', 'perc',
] as const;
export type DrumClass = (typeof DRUM_CLASSES)[number];
/** General MIDI program families (16 × 8 programs), in program order. */
export const GM_FAMILIES = [
  'piano', 'chromatic-percussion', 'organ', 'guitar', 'bass', 'strings', 'ensemble', 'brass',
  'reed', 'pipe', 'synth-lead', 'synth-pad', 'synth-effects', 'ethnic', 'percussive', 'sound-effects',
] as const;
export type GmFamily = (typeof GM_FAMILIES)[number];
/** Descriptor names, in the order of the descriptor condition vector. */
export const DESCRIPTORS = ['brightness', 'decay', 'punch', 'noisiness'] as const;
export type DescriptorName = (typeof DESCRIPTORS)[number];
