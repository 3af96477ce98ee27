/**
 * <dd-preset-panel>: presets, export and the step sequencer wired to the
 * running engine. It keeps the current preset (what a Kit does not carry:
 * description, keyboard, MIDI mappings, patterns) and folds the engine's kit
 * back into it for saving and export. Loading a preset replaces the engine's
 * kit and re-emits `preset-load` {preset} (bubbling, composed) so other
 * sections (the keyboard) can pick up their settings.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { AudioPlayer } from '../audio/player.js';
import type { DrumEngine } from '../engine/engine.js';
import { padParams, type SoundDefaults } from '../engine/kit.js';
import { loopFileName, soundWav, WAV_MIME, type PadAudio } from '../export/export.js';
import { SeedSoundCache } from '../export/sounds.js';
import { kitToPreset, parsePresetText, presetToKit } from '../presets/migrate.js';
import type { MidiMapping, Pattern, Preset, Timbre } from '../presets/schema.js';
import { IndexedDbPresetBackend, MemoryPresetBackend, PresetStore } from '../presets/store.js';
import { renderLoop } from '../sequencer/render.js';
import { downloadBytes } from './export-panel.js';
import './export-panel.js';
import './preset-bar.js';
import './sequencer-view.js';
import type { SequencerHost } from './sequencer-view.js';

/** The shipped presets, bundled by Vite: default kit first, then kits, then keyboard presets, each by name. */
function factoryPresets(): { presets: Preset[]; errors: string[] } {
  const files = import.meta.glob('../../presets/*.json', { eager: true, import: 'default' }) as Record<string, unknown>;
  const presets: Preset[] = [];
  const errors: string[] = [];
  for (const [file, raw] of Object.entries(files)) {
    const name = file.split('/').pop()!;
    try {
      presets.push(parsePresetText(JSON.stringify(raw), name));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const rank = (p: Preset) => (p.name === 'Default kit' ? 0 : p.category === 'kit' ? 1 : 2);
  presets.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return { presets, errors };
}

function userStore(): { store: PresetStore; note: string } {
  try {
    return { store: new PresetStore(new IndexedDbPresetBackend()), note: '' };
  } catch (e) {
    return { store: new PresetStore(new MemoryPresetBackend()), note: `${(e as Error).message} (presets are kept until the page closes)` };
  }
}

/** What the panel uses of the keyboard section's engine (src/engine/keyboard.ts), found at window.drums.keyboard. */
interface KeyboardLike {
  readonly settings: { family: string; rootSpacing: number; seed: number };
  setSettings(patch: { family?: string; rootSpacing?: number; seed?: number }): void;
}

function keyboardEngine(): KeyboardLike | null {
  return (globalThis as { drums?: { keyboard?: KeyboardLike | null } }).drums?.keyboard ?? null;
}

@customElement('dd-preset-panel')
export class PresetPanel extends LitElement {
  @property({ attribute: false }) engine: DrumEngine | null = null;
  @property({ attribute: false }) player: AudioPlayer | null = null;
  @property({ type: Number }) pad = 0;
  /** What the page keeps beyond the kit (MIDI-learn mappings, timbre knobs), folded into saves and exports. */
  @property({ attribute: false }) extras: (() => { midi?: MidiMapping[]; timbre?: Timbre }) | null = null;
  @state() private base: Preset | null = null;
  @state() private note = '';
  private readonly factory = factoryPresets();
  private readonly user = userStore();
  private readonly sounds = new SeedSoundCache();

  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 10px; background: var(--panel, #1b2024); border-radius: 10px; padding: 10px 12px; }
    .row { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
    .note { font-size: 12px; color: var(--bad, #ff6b6b); }
    details summary { cursor: pointer; font-size: 13px; color: var(--muted, #9aa); }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    const notes = [...this.factory.errors, this.user.note].filter(Boolean);
    this.note = notes.join(' · ');
  }

  /** The preset the engine's kit started from (the default kit's preset when none was loaded yet). */
  private get current(): Preset {
    if (this.base) return this.base;
    const fromKit = this.factory.presets.find((p) => p.name === this.engine?.kit.name) ?? this.factory.presets[0];
    if (!fromKit) throw new Error('presets: no factory preset could be read');
    return fromKit;
  }

  private snapshot = (): Preset => {
    const engine = this.engine;
    if (!engine) throw new Error('presets: the instrument has not started yet');
    const base = this.current;
    const kb = keyboardEngine()?.settings;
    // The keyboard section's live family, spacing and seed (when it runs and they fit the format).
    const keyboard = kb && Number.isInteger(kb.rootSpacing) && Number.isInteger(kb.seed)
      ? { ...base.keyboard, family: kb.family as Preset['keyboard']['family'], rootSpacing: kb.rootSpacing, seed: kb.seed }
      : base.keyboard;
    const extra = this.extras?.() ?? {};
    const withExtras: Preset = {
      ...base,
      keyboard,
      ...(extra.midi ? { midi: extra.midi } : {}),
      ...(extra.timbre ? { globals: { ...base.globals, timbre: extra.timbre } } : {}),
    };
    return kitToPreset(engine.kit, withExtras, base.name);
  };

  private defaults(): SoundDefaults {
    const m = this.engine?.modelInfo;
    // The class defaults too, so an exported pad is generated at the guidance it plays with.
    return { guidance: m?.defaultGuidance ?? 3, steps: m?.defaultSteps ?? 10, ...(m?.classGuidance ? { classGuidance: m.classGuidance } : {}) };
  }

  private padSounds = async (pads?: readonly number[]): Promise<PadAudio[]> => {
    const engine = this.engine;
    if (!engine?.modelInfo) throw new Error('export: the model is still loading');
    // The pads' sounds as they play: the timbre knobs' descriptor targets included.
    return this.sounds.get(engine.client, engine.kit, this.defaults(), pads, (i) => engine.pool.sound(i)?.descriptors);
  };

  private onLoad(e: CustomEvent<{ preset: Preset; source: 'factory' | 'user' }>): void {
    const engine = this.engine;
    if (!engine) return;
    const preset = e.detail.preset;
    try {
      const kit = presetToKit(preset);
      engine.loadKit(kit);
      this.base = preset;
      // Factory drum kits carry a placeholder keyboard; tonal presets and the user's own carry a real one.
      if (preset.category === 'tonal' || e.detail.source === 'user') {
        const { family, rootSpacing, seed } = preset.keyboard;
        keyboardEngine()?.setSettings({ family, rootSpacing, seed });
      }
    } catch (err) {
      e.stopPropagation();
      this.note = (err as Error).message;
    }
  }

  private onPatterns(e: CustomEvent<{ patterns: Pattern[] }>): void {
    this.base = { ...this.current, patterns: e.detail.patterns };
  }

  private host(): SequencerHost | null {
    const engine = this.engine;
    const player = this.player;
    if (!engine || !player) return null;
    return {
      now: () => player.context.currentTime,
      trigger: (h) => void engine.hit(h.pad, h.velocity, h.time),
      renderLoop: async (pattern, bars, tail) => {
        const used = pattern.steps.map((row, i) => (row.some((v) => v > 0) ? i : -1)).filter((i) => i >= 0);
        if (used.length === 0) throw new Error('render loop: the pattern has no steps on');
        const got = await this.padSounds(used);
        const samples: (PadAudio | null)[] = engine.kit.pads.map(() => null);
        used.forEach((pad, j) => (samples[pad] = got[j]!));
        const params = engine.kit.pads.map((_, i) => padParams(engine.kit, i));
        const r = renderLoop(pattern, { bars, tail }, { samples, params, chokeEnabled: engine.kit.chokeHats });
        downloadBytes(soundWav([r.left, r.right], r.sampleRate), loopFileName(this.snapshot(), pattern.name, pattern.tempo, bars), WAV_MIME);
      },
    };
  }

  override render() {
    const engine = this.engine;
    const patterns = this.base?.patterns ?? this.current.patterns;
    return html`
      <dd-preset-bar .factory=${this.factory.presets} .store=${this.user.store} .snapshot=${engine ? this.snapshot : null}
        @preset-load=${(e: CustomEvent<{ preset: Preset; source: 'factory' | 'user' }>) => this.onLoad(e)}
        @preset-saved=${(e: CustomEvent<{ preset: Preset }>) => (this.base = e.detail.preset)}></dd-preset-bar>
      <div class="row">
        <dd-export-panel .pad=${this.pad} .snapshot=${engine ? this.snapshot : null} .sounds=${engine ? this.padSounds : null}
          .modelDefaults=${this.defaults()}></dd-export-panel>
      </div>
      ${this.note ? html`<div class="note">${this.note}</div>` : ''}
      <details open>
        <summary>Sequencer</summary>
        <dd-sequencer .patterns=${patterns} .labels=${engine?.kit.pads.map((p) => p.class) ?? []} .host=${this.host()}
          @patterns-change=${(e: CustomEvent<{ patterns: Pattern[] }>) => this.onPatterns(e)}></dd-sequencer>
      </details>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-preset-panel': PresetPanel;
  }
}
