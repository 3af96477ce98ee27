/**
 * Prompt understanding (docs/prompts.md): descriptive text → conditioning.
 *
 *   const parse = parsePrompt('punchy dark 808 kick with a long tail'); // throws PromptError
 *   const r = promptToRequest(parse, config, { seed: 42 });
 *   if (!r.ok) throw new Error(r.error);   // e.g. a drum prompt on the tonal model
 *   generator.generate([r.request]);       // r.warnings: show them
 */
export { parsePrompt, tryParsePrompt, formatTargets, summarizeParse, suggestWord, MAX_PROMPT_LENGTH, MAX_SIGMA, DRUM_REGISTER_BRIGHTNESS, EXAMPLE_PROMPT } from './parse.js';
export {
  promptToRequest, loudnessToVelocity, computeClassBaselines, findBaselines,
  DEFAULT_PROMPT_VELOCITY, VELOCITY_AT_0_SIGMA, VELOCITY_PER_SIGMA, MIN_CLASS_STD_FRACTION,
  type PromptModelConfig, type PromptBase, type PromptRequestOptions, type PromptRequestResult,
  type ClassDescriptorBaselines, type DescriptorBaseline,
} from './request.js';
export { noteName, noteWithOctave, registerPitch, familyRange } from './pitch.js';
export { LEXICON, STOP_WORDS, type LexEntry, type Effect } from './lexicon.js';
export {
  PromptError, PROMPT_TARGETS,
  type PromptParse, type PromptChip, type ChipRole, type DescriptorTargets, type PromptTarget, type PromptErrorCode,
} from './types.js';
