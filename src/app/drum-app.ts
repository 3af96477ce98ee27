/**
 * <drum-app>: the instrument page. A 4 × 4 pad grid, the global knobs, an
 * editor for the selected pad, and a status line. It renders engine state
 * and forwards gestures; all behaviour lives in the engine.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { DRUM_CLASSES } from '../constants.js';
import { GRID_COLUMNS, PAD_COUNT } from '../audio/constants.js';
import type { AudioPlayer, ContextState } from '../audio/player.js';
import type { DrumEngine } from '../engine/engine.js';
import type { GeneratorStatus } from '../engine/generator-client.js';
import { GLOBAL_LIMITS } from '../engine/kit.js';
import { randomSeed } from '../engine/seeds.js';
import { GM_DRUM_NAMES } from '../midi/gm.js';
import { keyLabel } from '../midi/keyboard.js';
import type { MidiInputStatus } from '../midi/webmidi-input.js';
import { DECAY_OFF, formatMs } from './format.js';
import './knob.js';
import './pad.js';
import './preset-panel.js';
import type { Pad } from './pad.js';

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
    aside { background: #1b2024; border-radius: 10px; padding: 12px; display: flex; flex-direction: column; gap: 10px; }
    aside h2 { font-size: 13px; margin: 0; color: var(--muted, #9aa); font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em; }
    label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted, #9aa); }
    select, input[type='number'] {
      background: #11161a; color: inherit; border: 1px solid #30383e; border-radius: 6px; padding: 5px 6px; font: inherit;
    }
    .row { display: flex; gap: 6px; align-items: end; }
    .row input { flex: 1; min-width: 0; }
    button { background: #2b3338; color: inherit; border: 1px solid #3a444b; border-radius: 6px; padding: 5px 9px; font: inherit; cursor: pointer; }
    button:hover { background: #343e44; }
    .toggle { display: flex; flex-direction: row; align-items: center; gap: 6px; color: inherit; font-size: 13px; }
    footer { font-size: 12px; color: var(--muted, #9aa); display: flex; flex-direction: column; gap: 4px; }
    footer .items { display: flex; flex-wrap: wrap; gap: 4px 16px; }
    footer b { color: var(--fg, #e8ecef); font-weight: 600; }
    .err { color: var(--bad, #ff6b6b); }
    .bar { display: inline-block; width: 60px; height: 6px; background: #30383e; border-radius: 3px; vertical-align: middle; overflow: hidden; }
    .bar > span { display: block; height: 100%; background: var(--accent, #ffb347); }
  `;

  /** Connect the page to a running engine. */
  attach(parts: AppParts): void {
    this.parts = parts;
    parts.engine.onChange((c) => {
      if (c.type === 'hit') this.padEl(c.pad)?.flash();
      if (c.type === 'error') this.error = c.message;
      this.requestUpdate();
    });
    parts.engine.client.onStatus((s) => {
      this.gen = { ...s };
      if (s.error && s.state === 'failed') this.error = s.error;
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
      </header>
      <main>
        <div class="grid" role="group" aria-label="Pads">
          ${rowsTopDown().map((i) => this.renderPad(i))}
        </div>
        ${kit ? this.renderEditor(model?.classes ?? [...DRUM_CLASSES]) : html`<aside>${this.message}</aside>`}
      </main>
      ${this.parts ? html`<dd-preset-panel .engine=${this.parts.engine} .player=${this.parts.player} .pad=${this.selected}
        @preset-load=${() => this.requestUpdate()}></dd-preset-panel>` : nothing}
      ${this.renderStatus()}
    `;
  }

  private renderGlobals() {
    const engine = this.parts!.engine;
    const g = engine.kit.globals;
    const model = engine.modelInfo;
    const guidance = g.guidance ?? model?.defaultGuidance ?? 3;
    const steps = g.steps ?? model?.defaultSteps ?? 20;
    const set = (patch: Partial<typeof g>) => engine.setGlobals(patch);
    return html`
      <div class="knobs">
        <dd-knob label="Seed" format="seed" min=${GLOBAL_LIMITS.seed.min} max=${GLOBAL_LIMITS.seed.max} step="1" default-value="0"
          .value=${g.seed} @change=${(e: CustomEvent<number>) => set({ seed: e.detail })}></dd-knob>
        <dd-knob label="Guidance" format="guidance" min=${GLOBAL_LIMITS.guidance.min} max=${GLOBAL_LIMITS.guidance.max} step="0.1"
          .defaultValue=${model?.defaultGuidance ?? 3} .value=${guidance} @change=${(e: CustomEvent<number>) => set({ guidance: e.detail })}></dd-knob>
        <dd-knob label="Steps" format="steps" min=${GLOBAL_LIMITS.steps.min} max=${GLOBAL_LIMITS.steps.max} step="1"
          .defaultValue=${model?.defaultSteps ?? 20} .value=${steps} @change=${(e: CustomEvent<number>) => set({ steps: e.detail })}></dd-knob>
        <dd-knob label="Variation" format="percent" min="0" max="1" step="0.01" default-value="0.25"
          .value=${g.variation} @change=${(e: CustomEvent<number>) => set({ variation: e.detail })}></dd-knob>
      </div>
      <label class="toggle"><input type="checkbox" .checked=${engine.kit.chokeHats}
        @change=${(e: Event) => engine.setChokeHats((e.target as HTMLInputElement).checked)} /> Hat choke</label>
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
      title=${p ? `${GM_DRUM_NAMES[p.note] ?? `note ${p.note}`} → ${p.class}` : ''}
      @pad-press=${(e: CustomEvent<{ velocity: number }>) => engine?.hit(i, e.detail.velocity)}
      @pad-select=${() => (this.selected = i)}
      @pad-dice=${() => engine?.setPad(i, { seed: randomSeed() })}
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
            <button title="New seed" aria-label="Roll a new seed" @click=${() => set({ seed: randomSeed() })}>⚄</button>
          </span>
        </label>
        <div class="knobs">
          <dd-knob label="Gain" format="db" min="-30" max="6" step="0.5" default-value="0" .value=${p.gainDb}
            @input=${(e: CustomEvent<number>) => set({ gainDb: e.detail })}></dd-knob>
          <dd-knob label="Tune" format="semitones" min="-12" max="12" step="1" default-value="0" .value=${p.tune}
            @input=${(e: CustomEvent<number>) => set({ tune: e.detail })}></dd-knob>
          <dd-knob label="Pan" format="pan" min="-1" max="1" step="0.01" default-value="0" .value=${p.pan}
            @input=${(e: CustomEvent<number>) => set({ pan: e.detail })}></dd-knob>
          <dd-knob label="Decay" format="decay" min="0.05" max=${DECAY_OFF} step="0.01" default-value=${DECAY_OFF} .value=${p.decay ?? DECAY_OFF}
            @input=${(e: CustomEvent<number>) => set({ decay: e.detail >= DECAY_OFF ? null : e.detail })}></dd-knob>
        </div>
      </aside>
    `;
  }

  private renderStatus() {
    const g = this.gen;
    const engine = this.parts?.engine;
    const totals = engine?.modelInfo ? engine.pool.totals() : null;
    const model = g?.model;
    const backend = g?.backend
      ? html`<b>${g.backend}</b> <span title=${g.attempts.map((a) => `${a.backend}: ${a.ok ? 'ok' : a.reason}`).join('\n')}>(${g.reason})</span>`
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
          <span data-status="audio">Audio: <b>${this.audioState}</b>${this.parts ? html`, ${(this.parts.player.sampleRate / 1000).toFixed(1)} kHz` : nothing}${this.audioState === 'suspended' ? ' — click or press a key to start' : ''}</span>
          <span data-status="midi">MIDI: ${this.midi.state === 'enabled'
            ? this.midi.devices.length > 0 ? html`<b>${this.midi.devices.join(', ')}</b>` : 'no devices'
            : this.midi.state === 'unavailable' ? html`unavailable (${this.midi.reason})` : 'off'}${this.lastMidi ? ` · ${this.lastMidi}` : ''} · keys Z–V, A–F, Q–R, 1–4</span>
        </div>
        ${this.error ? html`<div class="err" data-status="error">${this.error}
          ${engine ? html`<button @click=${() => { this.error = ''; engine.retry(); }}>Retry</button>` : nothing}</div>` : nothing}
      </footer>
    `;
  }
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
