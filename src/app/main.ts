/**
 * Page bootstrap: build the player (AudioWorklet), the generation worker and
 * the engine, connect mouse, computer keyboard and MIDI, and load the default
 * kit's model. URL parameters (for development and tests):
 *   ?model=/path/to/model/folder   another model folder (default: the kit's, /models/drums)
 *   ?backends=wasm,cpu             tfjs backends to try, in order
 *   ?midi=off                      do not ask for MIDI access
 *   ?variations=2                  ready variations per pad (1–16; default 4), less work on slow machines
 *   ?steps=8                       solver steps, overriding the kit's (fewer = faster, rougher)
 *   ?channel=omni                  MIDI channel the pads listen to (1–16 or omni; default 10, GM drums)
 */
import workletUrl from '../../worklets/player.worklet.ts?worker&url';
import defaultKitJson from '../../presets/default-kit.json';
import { DEFAULT_VARIATIONS } from '../audio/constants.js';
import { AudioPlayer } from '../audio/player.js';
import { DrumEngine } from '../engine/engine.js';
import { createGenerationWorker, GeneratorClient } from '../engine/generator-client.js';
import { GLOBAL_LIMITS, parseKit } from '../engine/kit.js';
import { acceptsChannel, GM_DRUM_CHANNEL, padForNote } from '../midi/gm.js';
import { keyToHit } from '../midi/keyboard.js';
import { MidiInput } from '../midi/webmidi-input.js';
import './drum-app.js';

declare global {
  interface Window {
    /** The running instrument, for the console and tests. */
    drums?: { engine: DrumEngine; player: AudioPlayer; client: GeneratorClient; midi: MidiInput | null };
  }
}

async function boot(): Promise<void> {
  const app = document.querySelector('drum-app')!;
  const params = new URLSearchParams(location.search);
  const kit = parseKit(defaultKitJson, 'presets/default-kit.json');
  const steps = Number(params.get('steps'));
  if (Number.isInteger(steps) && steps >= GLOBAL_LIMITS.steps.min && steps <= GLOBAL_LIMITS.steps.max) kit.globals.steps = steps;
  const modelUrl = params.get('model') ?? kit.model;
  const backends = params.get('backends')?.split(',').map((s) => s.trim()).filter(Boolean);
  const ch = params.get('channel');
  const midiChannel: number | 'omni' = ch === 'omni' ? 'omni' : Number.isInteger(Number(ch)) && Number(ch) >= 1 && Number(ch) <= 16 ? Number(ch) : GM_DRUM_CHANNEL;
  const v = Number(params.get('variations'));
  const variations = Number.isInteger(v) && v >= 1 && v <= 16 ? v : DEFAULT_VARIATIONS;

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

  // Browsers start audio only after a gesture: resume on the first one.
  const resume = () => void player.resume().catch(() => {});
  for (const type of ['pointerdown', 'keydown', 'touchend'] as const) document.addEventListener(type, resume, { capture: true });
  player.onStateChange((s) => {
    if (s === 'running') for (const type of ['pointerdown', 'keydown', 'touchend'] as const) document.removeEventListener(type, resume, { capture: true });
  });

  // Computer keyboard (ignored while typing in a field).
  window.addEventListener('keydown', (e) => {
    const t = e.composedPath()[0];
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
    const hit = keyToHit(e);
    if (!hit) return;
    e.preventDefault();
    engine.hit(hit.pad, hit.velocity);
  });

  let midi: MidiInput | null = null;
  if (params.get('midi') !== 'off') {
    midi = new MidiInput(
      (ev, device) => {
        if (ev.type !== 'noteon' || !acceptsChannel(midiChannel, ev.channel)) return;
        const pad = padForNote(ev.note, engine.kit.pads);
        app.noteMidi(`${device}: note ${ev.note} vel ${ev.velocity}${pad < 0 ? ' (no pad)' : ''}`);
        if (pad >= 0) engine.hit(pad, ev.velocity);
      },
      (s) => app.setMidi(s),
    );
    void midi.start();
  }

  window.drums = { engine, player, client, midi };
  try {
    await engine.start({ modelUrl, backends });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    app.setMessage(`Model ${modelUrl} could not be loaded: ${msg}`, true);
  }
}

void boot();
