/**
 * Reading any preset file the app has ever written, and converting between
 * presets and the engine's Kit. Everything here is pure: inputs are never
 * mutated, every result is a new object, and a bad file throws one
 * PresetError line before anything is returned, so a caller that assigns the
 * result only on success keeps its current state.
 *
 * Versions: 1 = presets/default-kit.json's kit format (src/engine/kit.ts);
 * 2 = src/presets/schema.ts. A v1 file is rewritten structurally into v2 and
 * then validated by the v2 schema, so its errors name the same fields
 * (pads.3.seed) with the same messages.
 */
import { HAT_CHOKE_GROUP } from '../audio/constants.js';
import { parseKit, type Kit, type KitPad } from '../engine/kit.js';
import { parsePresetV2, PresetError, PRESET_VERSION, shown, type Preset, type PresetPad } from './schema.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The choke settings v1 derived from a pad's class: open hats form a group the closed hats cut. */
export function classChoke(cls: unknown): { chokeGroup: number; chokes: number[] } {
  return { chokeGroup: cls === 'open-hat' ? HAT_CHOKE_GROUP : 0, chokes: cls === 'closed-hat' ? [HAT_CHOKE_GROUP] : [] };
}

/** v1 → v2, structurally (no validation; the v2 schema validates the result). */
function v1ToV2(raw: Json): Json {
  const pads = Array.isArray(raw['pads'])
    ? raw['pads'].map((p) => (isObject(p) ? { ...classChoke(p['class']), ...structuredClone(p) } : structuredClone(p)))
    : structuredClone(raw['pads']);
  const out: Json = {
    version: 2,
    name: raw['name'],
    description: '',
    category: 'kit',
    pads,
    globals: isObject(raw['globals']) ? { ...structuredClone(raw['globals']), timbre: {} } : structuredClone(raw['globals']),
  };
  if (raw['model'] !== undefined) out['model'] = raw['model'];
  if (raw['chokeHats'] !== undefined) out['chokeEnabled'] = raw['chokeHats'];
  return out;
}

/**
 * Any supported preset (already JSON-parsed) as a validated v2 preset.
 * Throws a PresetError: `where: field: message`.
 */
export function migratePreset(raw: unknown, where = 'preset'): Preset {
  if (!isObject(raw)) throw new PresetError(`${where}: (root): expected a preset object, got ${shown(raw)}`);
  const v = raw['version'];
  if (v === undefined) throw new PresetError(`${where}: version: missing (expected 1–${PRESET_VERSION})`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new PresetError(`${where}: version: expected an integer 1–${PRESET_VERSION}, got ${shown(v)}`);
  if (v > PRESET_VERSION) {
    throw new PresetError(`${where}: version: ${v} is newer than this app reads (up to ${PRESET_VERSION}); update the app to open it`);
  }
  if (v === 1) {
    const migrated = parsePresetV2(v1ToV2(raw), where);
    // The v1 reader is the reference for what v1 accepted: a file it rejects is not silently reinterpreted.
    parseKit(raw, where);
    return migrated;
  }
  return parsePresetV2(raw, where);
}

/**
 * A preset file's text → a validated v2 preset. `name` (the file name) leads
 * every error, e.g. `my-kit.json: pads.3.seed: expected an integer 0–4294967295, got "abc"`.
 */
export function parsePresetText(text: string, name = 'preset'): Preset {
  if (text.trim() === '') throw new PresetError(`${name}: the file is empty`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    const truncated = /end of (JSON )?input|Unterminated/i.test(msg);
    throw new PresetError(`${name}: ${truncated ? 'the file is truncated' : 'not valid JSON'} (${msg})`);
  }
  return migratePreset(raw, name);
}

/** A preset as the JSON text the app writes (stable key order, 2-space indent, trailing newline). */
export function presetToText(preset: Preset): string {
  return `${JSON.stringify(preset, null, 2)}\n`;
}

/** Whether a pad's choke settings are the ones its class implies (then the Kit leaves them implicit). */
function chokeIsClassDefault(p: PresetPad): boolean {
  const d = classChoke(p.class);
  return p.chokeGroup === d.chokeGroup && p.chokes.length === d.chokes.length && p.chokes.every((g, i) => g === d.chokes[i]);
}

/** The engine's Kit for a preset's drum section (pure; a new object). */
export function presetToKit(preset: Preset): Kit {
  const pads: KitPad[] = preset.pads.map((p) => {
    const pad: KitPad = { note: p.note, class: p.class, seed: p.seed, gainDb: p.gainDb, tune: p.tune, pan: p.pan, decay: p.decay };
    if (!chokeIsClassDefault(p)) {
      pad.chokeGroup = p.chokeGroup;
      pad.chokes = [...p.chokes];
    }
    if (p.variation !== null) pad.variation = p.variation;
    if (p.seedLock) pad.seedLock = true;
    return pad;
  });
  return parseKit(
    {
      version: 1,
      name: preset.name,
      model: preset.model,
      chokeHats: preset.chokeEnabled,
      globals: { seed: preset.globals.seed, guidance: preset.globals.guidance, steps: preset.globals.steps, variation: preset.globals.variation },
      pads,
    },
    preset.name,
  );
}

/**
 * The engine's current kit folded back into a preset (to save it): the drum
 * fields come from `kit`, everything the Kit does not carry (description,
 * timbre, keyboard, MIDI mappings, patterns, prompts) from `base`. Pure.
 */
export function kitToPreset(kit: Kit, base: Preset, name: string = kit.name): Preset {
  const pads: PresetPad[] = kit.pads.map((p, i) => {
    const prev = base.pads[i];
    const choke = p.chokeGroup !== undefined || p.chokes !== undefined
      ? { chokeGroup: p.chokeGroup ?? 0, chokes: [...(p.chokes ?? [])] }
      : classChoke(p.class);
    const pad: PresetPad = {
      note: p.note,
      class: p.class as PresetPad['class'],
      seed: p.seed,
      seedLock: p.seedLock ?? false,
      variation: p.variation ?? null,
      gainDb: p.gainDb,
      tune: p.tune,
      pan: p.pan,
      decay: p.decay,
      ...choke,
    };
    // A prompt describes the sound it made: keep it only while the pad still plays that sound.
    if (prev?.prompt !== undefined && prev.class === p.class && prev.seed === p.seed) pad.prompt = prev.prompt;
    return pad;
  });
  return parsePresetV2(
    {
      ...structuredClone(base),
      version: PRESET_VERSION,
      name,
      model: kit.model,
      chokeEnabled: kit.chokeHats,
      pads,
      globals: { ...structuredClone(base.globals), seed: kit.globals.seed, guidance: kit.globals.guidance, steps: kit.globals.steps, variation: kit.globals.variation },
    },
    name,
  );
}
