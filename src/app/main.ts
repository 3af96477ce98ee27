/**
 * Page bootstrap: build the player (AudioWorklet), the generation workers
 * (drums for the pads, tonal for the keyboard) and their engines, connect
 * mouse, computer keyboard and MIDI, and load the models. URL parameters
 * (for development and tests):
 *   ?model=/path/to/model/folder   another drums model folder (default: the kit's, /models/drums)
 *   ?backends=wasm,cpu             tfjs backends to try, in order (both workers)
 *   ?midi=off                      do not ask for MIDI access
 *   ?variations=2                  ready variations per pad (1–16; default 4), less work on slow machines
 *   ?steps=8                       solver steps, overriding the kit's and the keyboard's (fewer = faster, rougher)
 *   ?channel=omni                  MIDI channel the pads listen to (1–16, omni or off; default 10, GM drums)
 *   ?keys=off                      no keyboard: the tonal model is not loaded
 *   ?tonal=/path/to/model/folder   another tonal model folder (default /models/tonal)
 *   ?keychannel=2                  MIDI channel the keyboard listens to (1–16, others or off; default
 *                                  others: every channel the pads do not take)
 *   ?family=organ                  the keyboard's GM family (default synth-lead)
 *   ?spacing=4                     semitones between generated roots (1–12; default 6)
 *   ?keyvariations=1               ready variations per keyboard region (1–16; default 2)
 *   ?bend=12                       pitch-bend range in semitones (0–12; default 2)
 *   ?view=12                       keys around the keyboard's octave precomputed before they are played
 *                                  (semitones; default 24, 0 = only what is played)
 *
 * Computer keyboard: pads on Z–V, A–F, Q–R, 1–4 (src/midi/keyboard.ts);
 * piano keys G Y H U J K O L P ; [ ' (C–B), - and = move the octave; they
 * play on MIDI channel 1 of the keyboard.
 */
import workletUrl from '../../worklets/player.worklet.ts?worker&url';
import defaultKitJson from '../../presets/default-kit.json';
import { DEFAULT_VARIATIONS } from '../audio/constants.js';
import { AudioPlayer } from '../audio/player.js';
import { DrumEngine } from '../engine/engine.js';
import { createGenerationWorker, GeneratorClient } from '../engine/generator-client.js';
import { DEFAULT_KEYBOARD_VARIATIONS, KeyboardEngine, type KeyboardSettings } from '../engine/keyboard.js';
import { applyToKeyboard, parseKeyChannel, parsePadChannel, routeChannel, type KeyChannel, type PadChannel } from '../engine/keyboard-midi.js';
import { GLOBAL_LIMITS, parseKit } from '../engine/kit.js';
import { GM_DRUM_CHANNEL, padForNote } from '../midi/gm.js';
import { ComputerKeyboard, keyToHit } from '../midi/keyboard.js';
import { MidiInput } from '../midi/webmidi-input.js';
import './drum-app.js';
import './keyboard-section.js';

/** Default tonal model folder. */
const TONAL_MODEL_URL = '/models/tonal';
/** MIDI channel the computer keyboard's piano keys play on. */
const COMPUTER_KEYS_CHANNEL = 1;

declare global {
  interface Window {
    /** The running instrument, for the console and tests. */
    drums?: {
      engine: DrumEngine;
      player: AudioPlayer;
      client: GeneratorClient;
      midi: MidiInput | null;
      /** The pitched keyboard and its tonal generation worker (null with ?keys=off). */
      keyboard: KeyboardEngine | null;
      keyClient: GeneratorClient | null;
    };
  }
}

/** Keyboard settings from the URL; a bad value is reported (one line naming it) and left at its default. */
function keyboardParams(params: URLSearchParams, steps: number | null, report: (msg: string) => void): Partial<KeyboardSettings> {
  const out: Partial<KeyboardSettings> = {};
  const int = (name: string, lo: number, hi: number): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (raw !== '' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    report(`?${name}=${raw}: expected an integer ${lo}–${hi}; using the default`);
    return undefined;
  };
  const family = params.get('family');
  if (family) out.family = family;
  const spacing = int('spacing', 1, 12);
  if (spacing !== undefined) out.rootSpacing = spacing;
  const bend = int('bend', 0, 12);
  if (bend !== undefined) out.bendRange = bend;
  const view = int('view', 0, 127);
  if (view !== undefined) out.view = view;
  if (steps !== null) out.steps = steps;
  return out;
}

async function boot(): Promise<void> {
  const app = document.querySelector('drum-app')!;
  const keysEl = document.createElement('dd-keys');
  app.after(keysEl);
  const params = new URLSearchParams(location.search);
  const kit = parseKit(defaultKitJson, 'presets/default-kit.json');
  const steps = Number(params.get('steps'));
  const stepsOverride = Number.isInteger(steps) && steps >= GLOBAL_LIMITS.steps.min && steps <= GLOBAL_LIMITS.steps.max ? steps : null;
  if (stepsOverride !== null) kit.globals.steps = stepsOverride;
  const modelUrl = params.get('model') ?? kit.model;
  const backends = params.get('backends')?.split(',').map((s) => s.trim()).filter(Boolean);
  let padChannel: PadChannel = GM_DRUM_CHANNEL;
  let keyChannel: KeyChannel = 'others';
  try {
    padChannel = parsePadChannel(params.get('channel'), 'channel', GM_DRUM_CHANNEL);
    keyChannel = parseKeyChannel(params.get('keychannel'));
  } catch (e) {
    app.setMessage(e instanceof Error ? e.message : String(e), true);
  }
  const v = Number(params.get('variations'));
  const variations = Number.isInteger(v) && v >= 1 && v <= 16 ? v : DEFAULT_VARIATIONS;
  const kv = Number(params.get('keyvariations'));
  const keyVariations = Number.isInteger(kv) && kv >= 1 && kv <= 16 ? kv : DEFAULT_KEYBOARD_VARIATIONS;

  let player: AudioPlayer;
  try {
    player = await AudioPlayer.create(workletUrl);
  } catch (e) {
    app.setMessage(`Audio cannot start: ${e instanceof Error ? e.message : String(e)}`, true);
    return;
  }
  const client = new GeneratorClient(createGenerationWorker());
  const engine = new DrumEngine({ kit, client, player, variations });
  app.attach({ engine, player });

  let keyboard: KeyboardEngine | null = null;
  let keyClient: GeneratorClient | null = null;
  const computer = new ComputerKeyboard();
  if (params.get('keys') !== 'off') {
    const settings = keyboardParams(params, stepsOverride, (msg) => keysEl.setMessage(msg, true));
    settings.centre = computer.base + 6;
    try {
      keyClient = new GeneratorClient(createGenerationWorker());
      keyboard = new KeyboardEngine({ client: keyClient, player, settings, variations: keyVariations });
      const kb = keyboard;
      keysEl.attach({
        keyboard: kb,
        octaveBase: () => computer.base,
        shiftOctave: (octaves) => {
          for (let i = 0; i < Math.abs(octaves); i++) computer.keyDown({ code: octaves > 0 ? 'Equal' : 'Minus', repeat: false, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false });
          kb.setSettings({ centre: computer.base + 6 });
        },
      });
    } catch (e) {
      keyClient?.dispose();
      keyboard = null;
      keyClient = null;
      keysEl.setMessage(`Keys cannot start: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  } else {
    keysEl.setMessage('off (?keys=off)');
  }

  // Browsers start audio only after a gesture: resume on the first one.
  const resume = () => void player.resume().catch(() => {});
  for (const type of ['pointerdown', 'keydown', 'touchend'] as const) document.addEventListener(type, resume, { capture: true });
  player.onStateChange((s) => {
    if (s === 'running') for (const type of ['pointerdown', 'keydown', 'touchend'] as const) document.removeEventListener(type, resume, { capture: true });
  });

  // Computer keyboard (ignored while typing in a field): pad keys first, then the piano keys.
  const typing = (e: KeyboardEvent) => {
    const t = e.composedPath()[0];
    return t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement;
  };
  window.addEventListener('keydown', (e) => {
    if (typing(e)) return;
    const hit = keyToHit(e);
    if (hit) {
      e.preventDefault();
      engine.hit(hit.pad, hit.velocity);
      return;
    }
    if (!keyboard) return;
    const action = computer.keyDown(e);
    if (!action) return;
    e.preventDefault();
    if (action.type === 'noteon') keyboard.noteOn(COMPUTER_KEYS_CHANNEL, action.note, action.velocity);
    else if (action.type === 'octave') {
      keyboard.setSettings({ centre: action.base + 6 });
      keysEl.requestUpdate();
    }
  });
  window.addEventListener('keyup', (e) => {
    const action = computer.keyUp(e.code);
    if (action?.type === 'noteoff') keyboard?.noteOff(COMPUTER_KEYS_CHANNEL, action.note);
  });
  // Key-ups never arrive once the window loses focus: release what is held.
  window.addEventListener('blur', () => {
    for (const a of computer.releaseAll()) if (a.type === 'noteoff') keyboard?.noteOff(COMPUTER_KEYS_CHANNEL, a.note);
  });

  let midi: MidiInput | null = null;
  if (params.get('midi') !== 'off') {
    midi = new MidiInput(
      (ev, device) => {
        if (ev.type === 'realtime') return;
        // A learned (or being-learned) CC turns its knob and goes no further; other CCs (sustain, all-notes-off) route on.
        if (ev.type === 'cc' && app.controlChange(ev.channel, ev.controller, ev.value)) return;
        const route = routeChannel(ev.channel, padChannel, keyChannel);
        if (route === 'pads') {
          if (ev.type !== 'noteon') return;
          const pad = padForNote(ev.note, engine.kit.pads);
          app.noteMidi(`${device}: note ${ev.note} vel ${ev.velocity}${pad < 0 ? ' (no pad)' : ''}`);
          if (pad >= 0) engine.hit(pad, ev.velocity);
        } else if (route === 'keys' && keyboard) {
          if (applyToKeyboard(ev, keyboard) && ev.type === 'noteon') app.noteMidi(`${device}: ch ${ev.channel} note ${ev.note} vel ${ev.velocity} → keys`);
        }
      },
      (s) => app.setMidi(s),
    );
    void midi.start();
  }

  window.drums = { engine, player, client, midi, keyboard, keyClient };
  try {
    await engine.start({ modelUrl, backends });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    app.setMessage(`Model ${modelUrl} could not be loaded: ${msg}`, true);
  }
  // The tonal model loads after the drums one, so the pads are ready first.
  if (keyboard) {
    const tonalUrl = params.get('tonal') ?? TONAL_MODEL_URL;
    try {
      await keyboard.start({ modelUrl: tonalUrl, backends });
    } catch (e) {
      keysEl.setMessage(`Tonal model ${tonalUrl} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  }
}

void boot();
