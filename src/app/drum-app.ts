/**
 * <drum-app>: the instrument page. A 4 × 4 pad grid, the global knobs, an
 * editor for the selected pad, and a status line. It renders engine state
 * and forwards gestures; all behaviour lives in the engine.
 *
 * Also here: the timbre knobs (descriptor targets per pad class, timbre.ts),
 * MIDI learn (midi-learn.ts; the page feeds CCs in through controlChange()),
 * waveform thumbnails and the selected pad's waveform and spectrogram
 * (sound-view.ts), capability notes and the help overlay. Read-only test
 * hooks: padSound(i) (the pad's current seed sound), timbrePositions,
 * midiMappings.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { DESCRIPTORS, DRUM_CLASSES, type DescriptorName } from '../constants.js';
import { GRID_COLUMNS, PAD_COUNT } from '../audio/constants.js';
import type { AudioPlayer, ContextState } from '../audio/player.js';
import type { DrumEngine } from '../engine/engine.js';
import type { GeneratorStatus } from '../engine/generator-client.js';
import { GLOBAL_LIMITS, padGuidanceDefault, padParams } from '../engine/kit.js';
import { randomSeed } from '../engine/seeds.js';
import { GM_DRUM_NAMES } from '../midi/gm.js';
import { keyLabel } from '../midi/keyboard.js';
import type { MidiInputStatus } from '../midi/webmidi-input.js';
import type { MidiMapping, Preset, Timbre } from '../presets/schema.js';
import { DECAY_OFF, formatMs, PAD_KNOBS, parseKnobId, type PadKnob } from './format.js';
import './help-overlay.js';
import type { HelpOverlay } from './help-overlay.js';
import './knob.js';
import { MidiLearn, type LearnableKnob } from './midi-learn.js';
import './pad.js';
import './preset-panel.js';
import type { Pad } from './pad.js';
import { waveformPeaks } from './sound-pictures.js';
import './sound-view.js';
import { attemptLines, backendName, capabilityNotes, latencyText } from './status-text.js';
import {
  describeTarget, descriptorTargets, hasDescriptors, isCentred, timbreFromPreset, timbreModelFromConfig, timbreRange, timbreToPreset,
  type TimbreModel, type TimbrePositions,
} from './timbre.js';

/** Columns of a pad's waveform thumbnail. */
const THUMB_COLUMNS = 48;
/** Choke groups the editor offers (the format allows 1–31; a kit needs a few). */
const CHOKE_GROUPS = 8;
/** Timbre knob labels. */
const TIMBRE_LABELS: Record<DescriptorName, string> = { brightness: 'Bright', decay: 'Length', punch: 'Punch', noisiness: 'Noise' };

export interface AppParts {
  engine: DrumEngine;
  player: AudioPlayer;
}

@customElement('drum-app')
export class DrumApp extends LitElement {
  @state() private parts: AppParts | null = null;
  @state() private gen: GeneratorStatus | null = null;
  @state() private audioState: ContextState | 'none' = 'none';
  @state() private midi: MidiInputStatus = { state: 'off', devices: [] };
  @state() private selected = 0;
  @state() private message = 'Loading…';
  @state() private error = '';
  @state() private lastMidi = '';
  /** Each pad's current seed sound (variation 0; a copy: the player takes the original) and its thumbnail. */
  @state() private sounds: ({ audio: Float32Array; sampleRate: number; peaks: Float32Array } | null)[] = [];
  @state() private timbre: TimbrePositions = {};
  @state() private timbreModel: TimbreModel | null = null;
  @state() private timbreNote = '';
  /** A preset's timbre that arrived before the model config did. */
  private pendingTimbre: Timbre | null = null;
  private timbreFetch: string | null = null;
  private readonly learn = new MidiLearn();
  @state() private learnVersion = 0;

  static override styles = css`
    :host {
      display: flex; flex-direction: column; gap: 14px; max-width: 980px; margin: 0 auto; padding: 16px;
      color: var(--fg, #e8ecef); font: 14px/1.35 system-ui, sans-serif;
    }
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 24px; }
    h1 { font-size: 18px; margin: 0; font-weight: 650; letter-spacing: 0.02em; }
    h1 small { font-weight: 400; color: var(--muted, #9aa); font-size: 12px; margin-left: 6px; }
    .knobs { display: flex; gap: 6px; flex-wrap: wrap; }
    main { display: grid; grid-template-columns: minmax(0, 1fr) 250px; gap: 16px; }
    @media (max-width: 760px) { main { grid-template-columns: 1fr; } }
    .grid { display: grid; grid-template-columns: repeat(${GRID_COLUMNS}, 1fr); gap: 10px; }
    aside { background: var(--panel, #1b2024); border-radius: 10px; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
    aside h2 { font-size: 13px; margin: 0; color: var(--muted, #9aa); font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em; }
    label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted, #9aa); }
    select, input[type='number'] {
      background: var(--field, #11161a); color: inherit; border: 1px solid var(--line, #30383e); border-radius: 6px; padding: 5px 6px; font: inherit;
    }
    .row { display: flex; gap: 6px; align-items: end; }
    .row input { flex: 1; min-width: 0; }
    button { background: var(--button, #2b3338); color: inherit; border: 1px solid var(--button-line, #3a444b); border-radius: 6px; padding: 5px 9px; font: inherit; cursor: pointer; }
    button:hover { background: var(--button-hover, #343e44); }
    .toggle { display: flex; flex-direction: row; align-items: center; gap: 6px; color: inherit; font-size: 13px; }
    footer { font-size: 12px; color: var(--muted, #9aa); display: flex; flex-direction: column; gap: 4px; }
    footer .items { display: flex; flex-wrap: wrap; gap: 4px 16px; }
    footer b { color: var(--fg, #e8ecef); font-weight: 600; }
    .err { color: var(--bad, #ff6b6b); }
    .bar { display: inline-block; width: 60px; height: 6px; background: var(--line, #30383e); border-radius: 3px; vertical-align: middle; overflow: hidden; }
    .bar > span { display: block; height: 100%; background: var(--accent, #ffb347); }
    .knobs.timbre { padding-left: 10px; border-left: 1px solid var(--line, #30383e); }
    .muted { color: var(--muted, #9aa); font-size: 12px; }
    button.help { margin-left: auto; width: 30px; height: 30px; border-radius: 50%; padding: 0; font-weight: 700; }
    .notes { font-size: 12px; color: var(--accent, #ffb347); background: var(--note-bg, #241f17); border: 1px solid var(--note-line, #4a3a22); border-radius: 8px; padding: 6px 10px; display: flex; flex-direction: column; gap: 2px; }
    .choke label { flex: 1; }
    button:disabled { opacity: 0.5; cursor: default; }
    details[data-status='attempts'] ul { margin: 2px 0 0; padding-left: 18px; }
    /* minmax(0, 1fr): a long class name must not widen its column past the window. */
    .grid { grid-auto-rows: minmax(92px, auto); grid-template-columns: repeat(${GRID_COLUMNS}, minmax(0, 1fr)); }
    @media (max-width: 520px) {
      :host { padding: 10px; gap: 10px; }
      .grid { gap: 6px; }
      .knobs { gap: 2px; }
      .knobs.timbre { padding-left: 0; border-left: 0; }
    }
  `;

  /** Connect the page to a running engine. */
  attach(parts: AppParts): void {
    this.parts = parts;
    parts.engine.onChange((c) => {
      if (c.type === 'hit') this.padEl(c.pad)?.flash();
      if (c.type === 'sample' && c.index === 0) {
        const audio = c.audio.slice();
        const next = [...this.sounds];
        next[c.pad] = { audio, sampleRate: c.sampleRate, peaks: waveformPeaks(audio, THUMB_COLUMNS) };
        this.sounds = next;
      }
      if (c.type === 'error') this.error = c.message;
      this.requestUpdate();
    });
    parts.engine.client.onStatus((s) => {
      this.gen = { ...s };
      if (s.error && s.state === 'failed') this.error = s.error;
      if (s.state === 'ready') void this.loadTimbreModel();
    });
    parts.player.onStateChange((s) => (this.audioState = s));
  }

  setMessage(message: string, isError = false): void {
    if (isError) this.error = message;
    else this.message = message;
  }

  setMidi(s: MidiInputStatus): void {
    this.midi = s;
  }

  noteMidi(text: string): void {
    this.lastMidi = text;
  }

  /**
   * A MIDI control change (channel 1–16). Returns true when MIDI learn took
   * it (a knob was waiting for it, or it is mapped to a knob), so the page
   * does not also route it elsewhere.
   */
  controlChange(channel: number, controller: number, value: number): boolean {
    const r = this.learn.handle(channel, controller, value, (id) => this.knobRange(id));
    if (!r) return false;
    if (r.type === 'learned') {
      this.lastMidi = `CC ${r.mapping.cc} ch ${r.mapping.channel} → ${r.mapping.knob}`;
      this.learnVersion++;
    } else {
      this.applyKnob(r.knob, r.value);
    }
    return true;
  }

  /** Test hook (read-only): pad i's current seed sound, or null before it has one. */
  padSound(i: number): Float32Array | null {
    return this.sounds[i]?.audio ?? null;
  }

  /** Test hook (read-only): the timbre knob positions (σ). */
  get timbrePositions(): Readonly<TimbrePositions> {
    return { ...this.timbre };
  }

  /** Test hook (read-only): the MIDI-learn mappings. */
  get midiMappings(): readonly MidiMapping[] {
    return this.learn.mappings.map((m) => ({ ...m }));
  }

  /** The drums model's config.json, for the timbre knobs' statistics (fetched once per model). */
  private async loadTimbreModel(): Promise<void> {
    const url = this.parts?.engine.modelUrl;
    if (!url || this.timbreFetch === url) return;
    this.timbreFetch = url;
    try {
      const res = await fetch(`${url.replace(/\/$/, '')}/config.json`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const model = timbreModelFromConfig(await res.json(), `${url}/config.json`);
      this.timbreModel = hasDescriptors(model) ? model : null;
      this.timbreNote = hasDescriptors(model) ? '' : 'this model takes no timbre targets';
      if (this.pendingTimbre) this.setTimbre(timbreFromPreset(model.descriptorStats, this.pendingTimbre));
      this.pendingTimbre = null;
    } catch (e) {
      this.timbreNote = `timbre knobs off: ${url}/config.json could not be read (${e instanceof Error ? e.message : String(e)})`;
    }
  }

  private setTimbre(pos: TimbrePositions): void {
    this.timbre = pos;
    const model = this.timbreModel;
    const engine = this.parts?.engine;
    if (!model || !engine) return;
    const centred = isCentred(pos);
    engine.setDescriptors(centred ? null : (_pad, cls) => descriptorTargets(model, cls, pos));
  }

  /** A preset was loaded (the preset panel already gave the engine its kit): take its timbre and MIDI mappings. */
  private onPresetLoad(preset: Preset): void {
    this.learn.load(preset.midi);
    this.learnVersion++;
    if (this.timbreModel) this.setTimbre(timbreFromPreset(this.timbreModel.descriptorStats, preset.globals.timbre));
    else this.pendingTimbre = preset.globals.timbre;
    this.requestUpdate();
  }

  /** What the preset panel saves beyond the kit: MIDI mappings and the timbre targets. */
  private presetExtras = (): { midi: MidiMapping[]; timbre?: Timbre } => {
    const midi = this.learn.mappings.map((m) => ({ ...m }));
    return this.timbreModel ? { midi, timbre: timbreToPreset(this.timbreModel.descriptorStats, this.timbre) } : { midi };
  };

  /** A knob's range by id, for MIDI learn (undefined: no such knob here). */
  private knobRange(id: string): LearnableKnob | undefined {
    const k = parseKnobId(id);
    const engine = this.parts?.engine;
    if (!k || !engine) return undefined;
    if (k.scope === 'pad') return k.pad < engine.kit.pads.length ? { id, ...PAD_KNOBS[k.name] } : undefined;
    if (k.name in GLOBAL_LIMITS) {
      const lim = GLOBAL_LIMITS[k.name as keyof typeof GLOBAL_LIMITS];
      return { id, min: lim.min, max: lim.max, step: k.name === 'seed' || k.name === 'steps' ? 1 : k.name === 'guidance' ? 0.1 : 0.01 };
    }
    if ((DESCRIPTORS as readonly string[]).includes(k.name) && this.timbreModel) {
      return { id, ...timbreRange(this.timbreModel.descriptorStats, k.name as DescriptorName), step: 0.01 };
    }
    return undefined;
  }

  /** Set a knob's value by id (MIDI learn). */
  private applyKnob(id: string, value: number): void {
    const k = parseKnobId(id);
    const engine = this.parts?.engine;
    if (!k || !engine) return;
    if (k.scope === 'pad') {
      if (k.name === 'decay') engine.setPad(k.pad, { decay: value >= DECAY_OFF ? null : value });
      else engine.setPad(k.pad, { [k.name]: value });
    } else if (k.name in GLOBAL_LIMITS) {
      engine.setGlobals({ [k.name]: value });
    } else if ((DESCRIPTORS as readonly string[]).includes(k.name)) {
      this.setTimbre({ ...this.timbre, [k.name]: value });
    }
  }

  /** MIDI-learn properties of a knob. */
  private learnProps(id: string) {
    void this.learnVersion; // re-render when mappings change
    const m = this.learn.mappingFor(id);
    return { learning: this.learn.armed === id, cc: m ? `CC ${m.cc} ch ${m.channel}` : '' };
  }

  private onLearn(e: CustomEvent<string>): void {
    this.learn.arm(e.detail);
    this.learnVersion++;
  }

  private padEl(i: number): Pad | null {
    return this.renderRoot.querySelector(`dd-pad[data-index="${i}"]`);
  }

  override render() {
    const engine = this.parts?.engine;
    const kit = engine?.kit;
    const model = engine?.modelInfo;
    return html`
      <header>
        <h1>Diffusion Drums <small>${kit?.name ?? ''}</small></h1>
        ${kit ? this.renderGlobals() : nothing}
        <button class="help" data-help-button aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)"
          @click=${() => this.renderRoot.querySelector<HelpOverlay>('dd-help')?.toggle()}>?</button>
      </header>
      ${this.renderNotes()}
      <main>
        <div class="grid" role="group" aria-label="Pads">
          ${rowsTopDown().map((i) => this.renderPad(i))}
        </div>
        ${kit ? this.renderEditor(model?.classes ?? [...DRUM_CLASSES]) : html`<aside>${this.message}</aside>`}
      </main>
      ${this.parts ? html`<dd-preset-panel .engine=${this.parts.engine} .player=${this.parts.player} .pad=${this.selected}
        .extras=${this.presetExtras}
        @preset-load=${(e: CustomEvent<{ preset: Preset }>) => this.onPresetLoad(e.detail.preset)}></dd-preset-panel>` : nothing}
      ${this.renderStatus()}
      <dd-help></dd-help>
    `;
  }

  /** First-run notes: what this browser lacks and what the instrument uses instead. */
  private renderNotes() {
    const notes = capabilityNotes({
      webgpu: typeof navigator !== 'undefined' && 'gpu' in navigator, midi: this.midi, backend: this.gen?.backend ?? null, attempts: this.gen?.attempts,
    });
    return notes.length > 0 ? html`<div class="notes" data-status="capabilities">${notes.map((n) => html`<div>${n}</div>`)}</div>` : nothing;
  }

  private renderGlobals() {
    const engine = this.parts!.engine;
    const g = engine.kit.globals;
    const model = engine.modelInfo;
    // Left to the model, the knob shows what the selected pad gets: its class's default guidance.
    const guidance = g.guidance ?? (model ? padGuidanceDefault({ guidance: model.defaultGuidance, steps: model.defaultSteps, ...(model.classGuidance ? { classGuidance: model.classGuidance } : {}) }, engine.kit.pads[this.selected]?.class ?? '') : 3);
    const steps = g.steps ?? model?.defaultSteps ?? 20;
    const set = (patch: Partial<typeof g>) => engine.setGlobals(patch);
    const l = (id: string) => this.learnProps(id);
    return html`
      <div class="knobs" role="group" aria-label="Sound" @learn=${(e: CustomEvent<string>) => this.onLearn(e)}>
        <dd-knob label="Seed" format="seed" min=${GLOBAL_LIMITS.seed.min} max=${GLOBAL_LIMITS.seed.max} step="1" default-value="0"
          knob-id="seed" learnable .learning=${l('seed').learning} .cc=${l('seed').cc} hint="kit seed: 0 keeps each pad's own; locked pads keep theirs"
          .value=${g.seed} @change=${(e: CustomEvent<number>) => set({ seed: e.detail })}></dd-knob>
        <dd-knob label="Guidance" format="guidance" min=${GLOBAL_LIMITS.guidance.min} max=${GLOBAL_LIMITS.guidance.max} step="0.1"
          knob-id="guidance" learnable .learning=${l('guidance').learning} .cc=${l('guidance').cc} hint="classifier-free guidance: higher = more typical of the class"
          .defaultValue=${model?.defaultGuidance ?? 3} .value=${guidance} @change=${(e: CustomEvent<number>) => set({ guidance: e.detail })}></dd-knob>
        <dd-knob label="Steps" format="steps" min=${GLOBAL_LIMITS.steps.min} max=${GLOBAL_LIMITS.steps.max} step="1"
          knob-id="steps" learnable .learning=${l('steps').learning} .cc=${l('steps').cc} hint="solver steps: fewer = faster, rougher"
          .defaultValue=${model?.defaultSteps ?? 20} .value=${steps} @change=${(e: CustomEvent<number>) => set({ steps: e.detail })}></dd-knob>
        <dd-knob label="Variation" format="percent" min="0" max="1" step="0.01" default-value="0.25"
          knob-id="variation" learnable .learning=${l('variation').learning} .cc=${l('variation').cc} hint="how much one hit differs from the next"
          .value=${g.variation} @change=${(e: CustomEvent<number>) => set({ variation: e.detail })}></dd-knob>
      </div>
      ${this.renderTimbre()}
      <label class="toggle"><input type="checkbox" .checked=${engine.kit.chokeHats}
        @change=${(e: Event) => engine.setChokeHats((e.target as HTMLInputElement).checked)} /> Hat choke</label>
    `;
  }

  /** Brightness, decay, punch, noisiness: σ from each pad class's usual value; centre = left to the model. */
  private renderTimbre() {
    const model = this.timbreModel;
    if (!model) return this.timbreNote ? html`<span class="muted" data-status="timbre">${this.timbreNote}</span>` : nothing;
    const engine = this.parts!.engine;
    const cls = engine.kit.pads[this.selected]?.class ?? 'kick';
    const here = descriptorTargets(model, cls, this.timbre);
    return html`
      <div class="knobs timbre" role="group" aria-label="Timbre" @learn=${(e: CustomEvent<string>) => this.onLearn(e)}>
        ${DESCRIPTORS.map((d) => {
          const r = timbreRange(model.descriptorStats, d);
          const l = this.learnProps(d);
          const hint = `σ from a typical ${cls}${here ? `: pad ${this.selected + 1} aims at ${describeTarget(d, here[d])}` : ''}; centre = left to the model`;
          return html`<dd-knob label=${TIMBRE_LABELS[d]} format="sigma" min=${r.min} max=${r.max} step="0.01" default-value="0" .origin=${0}
            knob-id=${d} learnable .learning=${l.learning} .cc=${l.cc} .hint=${hint}
            .value=${this.timbre[d] ?? 0} @change=${(e: CustomEvent<number>) => this.setTimbre({ ...this.timbre, [d]: e.detail })}></dd-knob>`;
        })}
      </div>
    `;
  }

  private renderPad(i: number) {
    const engine = this.parts?.engine;
    const p = engine?.kit.pads[i];
    const st = engine?.modelInfo ? engine.padState(i) : null;
    return html`<dd-pad
      data-index=${i}
      .index=${i}
      .drumClass=${p?.class ?? ''}
      .note=${p?.note ?? 36 + i}
      .keyName=${keyLabel(i)}
      .seed=${p?.seed ?? 0}
      .ready=${st?.ready ?? 0}
      .wanted=${st?.wanted ?? 0}
      .regenerating=${st?.regenerating ?? false}
      .playable=${st?.playable ?? false}
      .error=${st?.error ?? ''}
      .selected=${this.selected === i}
      .locked=${p?.seedLock ?? false}
      .peaks=${this.sounds[i]?.peaks ?? null}
      title=${p ? `${GM_DRUM_NAMES[p.note] ?? `note ${p.note}`} → ${p.class}` : ''}
      @pad-press=${(e: CustomEvent<{ velocity: number }>) => engine?.hit(i, e.detail.velocity)}
      @pad-select=${() => (this.selected = i)}
      @pad-dice=${() => !p?.seedLock && engine?.setPad(i, { seed: randomSeed() })}
    ></dd-pad>`;
  }

  private renderEditor(classes: readonly string[]) {
    const engine = this.parts!.engine;
    const i = this.selected;
    const p = engine.kit.pads[i]!;
    const set = (patch: Parameters<DrumEngine['setPad']>[1]) => engine.setPad(i, patch);
    return html`
      <aside aria-label="Pad ${i + 1} settings">
        <h2>Pad ${i + 1} · note ${p.note}</h2>
        <label>Sound
          <select @change=${(e: Event) => set({ class: (e.target as HTMLSelectElement).value })}>
            ${classes.map((c) => html`<option value=${c} ?selected=${c === p.class}>${c}</option>`)}
          </select>
        </label>
        <label>Seed
          <span class="row">
            <input type="number" min="0" max="4294967295" step="1" .value=${String(p.seed)}
              @change=${(e: Event) => {
                const v = Number((e.target as HTMLInputElement).value);
                if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) set({ seed: v });
              }} />
            <button title="New seed" aria-label="Roll a new seed" ?disabled=${p.seedLock ?? false} @click=${() => set({ seed: randomSeed() })}>⚄</button>
          </span>
        </label>
        <label class="toggle"><input type="checkbox" data-seed-lock .checked=${p.seedLock ?? false}
          @change=${(e: Event) => set({ seedLock: (e.target as HTMLInputElement).checked })} /> Lock seed (dice and kit seed leave it)</label>
        <div class="knobs" @learn=${(e: CustomEvent<string>) => this.onLearn(e)}>
          ${(['gainDb', 'tune', 'pan', 'decay', 'variation'] as const).map((name) => this.renderPadKnob(i, name))}
        </div>
        ${p.variation !== undefined
          ? html`<button data-variation-global @click=${() => set({ variation: undefined })}>Variation: follow the global knob</button>`
          : nothing}
        ${this.renderChoke(i)}
        <dd-sound-view .audio=${this.sounds[i]?.audio ?? null} .sampleRate=${this.sounds[i]?.sampleRate ?? 44100}
          label="Pad ${i + 1}: ${p.class}, seed ${p.seed}"></dd-sound-view>
      </aside>
    `;
  }

  private renderPadKnob(i: number, name: PadKnob) {
    const engine = this.parts!.engine;
    const p = engine.kit.pads[i]!;
    const k = PAD_KNOBS[name];
    const id = `pad.${i}.${name}`;
    const l = this.learnProps(id);
    const value = name === 'decay' ? p.decay ?? DECAY_OFF : name === 'variation' ? p.variation ?? engine.kit.globals.variation : p[name];
    const set = (v: number) => {
      if (name === 'decay') engine.setPad(i, { decay: v >= DECAY_OFF ? null : v });
      else engine.setPad(i, { [name]: v });
    };
    // Variation regenerates the pad: commit at the end of a gesture; mix knobs apply at once.
    const regen = name === 'variation';
    return html`<dd-knob label=${k.label} format=${k.format} min=${k.min} max=${k.max} step=${k.step}
      .defaultValue=${name === 'variation' ? engine.kit.globals.variation : k.defaultValue} .value=${value}
      knob-id=${id} learnable .learning=${l.learning} .cc=${l.cc}
      .hint=${name === 'variation' ? (p.variation === undefined ? 'follows the global variation knob' : 'this pad\'s own variation') : ''}
      @input=${(e: CustomEvent<number>) => !regen && set(e.detail)} @change=${(e: CustomEvent<number>) => regen && set(e.detail)}></dd-knob>`;
  }

  /** Choke group this pad belongs to, and the group a hit on it cuts (from its class unless set). */
  private renderChoke(i: number) {
    const engine = this.parts!.engine;
    const pp = padParams(engine.kit, i);
    const cuts = Array.from({ length: 32 }, (_, g) => g).filter((g) => g > 0 && pp.chokes & (1 << g));
    const options = (cur: number) => Array.from({ length: CHOKE_GROUPS + 1 }, (_, g) => html`<option value=${g} ?selected=${g === cur}>${g === 0 ? 'none' : `group ${g}`}</option>`);
    const setBoth = (chokeGroup: number, chokes: number[]) => engine.setPad(i, { chokeGroup, chokes });
    return html`
      <div class="row choke">
        <label>Choke group
          <select data-choke-group @change=${(e: Event) => setBoth(Number((e.target as HTMLSelectElement).value), cuts)}>${options(pp.chokeGroup)}</select>
        </label>
        <label>Cuts
          <select data-choke-cuts @change=${(e: Event) => {
            const g = Number((e.target as HTMLSelectElement).value);
            setBoth(pp.chokeGroup, g > 0 ? [g] : []);
          }}>${options(cuts[0] ?? 0)}</select>
        </label>
      </div>
    `;
  }

  private latency(): string {
    return latencyOf(this.parts?.player.context);
  }

  private renderStatus() {
    const g = this.gen;
    const engine = this.parts?.engine;
    const totals = engine?.modelInfo ? engine.pool.totals() : null;
    const model = g?.model;
    const backend = g?.backend
      ? html`<b>${backendName(g.backend)}</b> <span title=${attemptLines(g.attempts).join('\n')}>(${g.reason})</span>`
      : g?.state === 'failed' ? html`<b class="err">none</b>` : html`<b>starting…</b>`;
    const busy = g ? g.queued + g.running : 0;
    return html`
      <footer role="status" aria-live="polite">
        <div class="items">
          <span data-status="backend">Backend: ${backend}</span>
          <span data-status="model">Model: ${model ? html`<b>${model.kind}</b>, ${(model.params / 1e6).toFixed(2)} M params, ${(model.length / model.sampleRate).toFixed(2)} s` : g?.state ?? '—'}</span>
          <span data-status="generation">Generation: ${busy > 0
            ? html`<b>${g!.running}</b> running <span class="bar"><span style="width:${Math.round((g!.progress ?? 0) * 100)}%"></span></span>, <b>${g!.queued}</b> queued`
            : html`idle`}${totals ? html` · ready <b>${totals.ready}</b>/${totals.wanted}` : nothing}</span>
          <span data-status="timing">Per one-shot: last <b>${formatMs(g?.lastMs ?? null)}</b>, mean <b>${formatMs(g?.meanMs ?? null)}</b>${g?.generated ? html` (${g.generated})` : nothing}</span>
          <span data-status="audio">Audio: <b>${this.audioState}</b>${this.parts ? html`, ${(this.parts.player.sampleRate / 1000).toFixed(1)} kHz, ${this.latency()}` : nothing}${this.audioState === 'suspended' ? ' — click or press a key to start' : ''}</span>
          <span data-status="midi">MIDI: ${this.midi.state === 'enabled'
            ? this.midi.devices.length > 0 ? html`<b>${this.midi.devices.join(', ')}</b>` : 'no devices'
            : this.midi.state === 'unavailable' ? html`unavailable (${this.midi.reason})` : 'off'}${this.lastMidi ? ` · ${this.lastMidi}` : ''} · keys Z–V, A–F, Q–R, 1–4</span>
        </div>
        ${g && g.attempts.length > 0 ? html`<details data-status="attempts"><summary>Backends tried</summary>
          <ul>${attemptLines(g.attempts).map((t) => html`<li>${t}</li>`)}</ul></details>` : nothing}
        ${this.error ? html`<div class="err" data-status="error">${this.error}
          ${engine ? html`<button @click=${() => { this.error = ''; engine.retry(); }}>Retry</button>` : nothing}</div>` : nothing}
      </footer>
    `;
  }
}

/** The audio context's latency line (AudioContext.baseLatency / outputLatency where the browser has them). */
function latencyOf(context: unknown): string {
  const c = context as { baseLatency?: number; outputLatency?: number };
  return latencyText(c.baseLatency ?? null, c.outputLatency);
}

/** Pad indices in screen order: top row first, pad 0 bottom-left. */
function rowsTopDown(): number[] {
  const rows = PAD_COUNT / GRID_COLUMNS;
  const out: number[] = [];
  for (let r = rows - 1; r >= 0; r--) for (let c = 0; c < GRID_COLUMNS; c++) out.push(r * GRID_COLUMNS + c);
  return out;
}

declare global {
  interface HTMLElementTagNameMap {
    'drum-app': DrumApp;
  }
}
