/**
 * <dd-keys>: a small strip for the pitched keyboard: its family, the
 * computer keyboard's octave, which notes sound, how many regions are ready,
 * the tonal model's status, and the key legend. Renders KeyboardEngine state
 * and forwards choices; behaviour lives in the engine.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { GM_FAMILIES } from '../constants.js';
import type { GeneratorStatus } from '../engine/generator-client.js';
import type { KeyboardEngine } from '../engine/keyboard.js';
import { KEYBOARD_NOTE_CODES, noteKeyLabel, OCTAVE_DOWN_CODE, OCTAVE_UP_CODE } from '../midi/keyboard.js';
import { noteName } from '../prompt/pitch.js';

export interface KeysParts {
  keyboard: KeyboardEngine;
  /** First note of the computer keyboard's octave. */
  octaveBase: () => number;
  /** Move the computer keyboard and the view by whole octaves. */
  shiftOctave: (octaves: number) => void;
}

@customElement('dd-keys')
export class KeysSection extends LitElement {
  @state() private parts: KeysParts | null = null;
  @state() private gen: GeneratorStatus | null = null;
  @state() private message = '';
  @state() private error = '';

  static override styles = css`
    :host { display: block; max-width: 980px; margin: 0 auto; padding: 0 16px 16px; color: var(--fg, #e8ecef); font: 13px/1.35 system-ui, sans-serif; }
    section { background: var(--panel, #1b2024); border-radius: 10px; padding: 10px 12px; display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; }
    h2 { font-size: 13px; margin: 0; color: var(--muted, #9aa); font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em; }
    select { background: var(--field, #11161a); color: inherit; border: 1px solid var(--line, #30383e); border-radius: 6px; padding: 3px 5px; font: inherit; }
    button { background: var(--button, #2b3338); color: inherit; border: 1px solid var(--button-line, #3a444b); border-radius: 6px; padding: 2px 8px; font: inherit; cursor: pointer; }
    b { font-weight: 600; }
    .muted { color: var(--muted, #9aa); }
    .err { color: var(--bad, #ff6b6b); }
    .playing b { color: var(--accent, #ffb347); }
  `;

  attach(parts: KeysParts): void {
    this.parts = parts;
    parts.keyboard.onChange((c) => {
      if (c.type === 'error') this.error = c.message;
      this.requestUpdate();
    });
    parts.keyboard.client.onStatus((s) => {
      this.gen = { ...s };
      if (s.state === 'failed' && s.error) this.error = `Keys: ${s.error}`;
    });
  }

  setMessage(message: string, isError = false): void {
    if (isError) this.error = message;
    else this.message = message;
  }

  override render() {
    const p = this.parts;
    if (!p) return html`<section aria-label="Keys"><h2>Keys</h2><span class="muted">${this.message || 'off'}</span>${this.renderError()}</section>`;
    const kb = p.keyboard;
    const s = kb.settings;
    const base = p.octaveBase();
    const regions = kb.modelInfo ? kb.regions() : [];
    const ready = regions.filter((r) => r.ready > 0).length;
    const playing = kb.heldNotes();
    const g = this.gen;
    const families = kb.modelInfo?.classes ?? [...GM_FAMILIES];
    return html`
      <section aria-label="Keys">
        <h2>Keys</h2>
        <label>Sound
          <select data-keys="family" @change=${(e: Event) => this.apply(() => kb.setSettings({ family: (e.target as HTMLSelectElement).value }))}>
            ${families.map((f) => html`<option value=${f} ?selected=${f === s.family}>${f}</option>`)}
          </select>
        </label>
        <span data-keys="octave">Octave <button aria-label="Octave down" @click=${() => p.shiftOctave(-1)}>−</button>
          <b>${noteName(base)}–${noteName(base + 11)}</b>
          <button aria-label="Octave up" @click=${() => p.shiftOctave(1)}>+</button></span>
        <span data-keys="regions">Roots every ${s.rootSpacing} st: <b>${ready}</b>/${regions.length} ready${g ? html` <span class="muted">(${g.state === 'ready' ? g.backend : g.state})</span>` : nothing}</span>
        <span class="playing" data-keys="playing">Playing: ${playing.length > 0 ? html`<b>${playing.map(noteName).join(' ')}</b>` : html`<span class="muted">—</span>`}</span>
        ${kb.stats.notReady + kb.stats.outOfRange > 0
          ? html`<span class="muted" data-keys="dropped" title="notes whose region had nothing ready yet, or out of reach of every root">dropped ${kb.stats.notReady + kb.stats.outOfRange}</span>`
          : nothing}
        <span class="muted">keys ${KEYBOARD_NOTE_CODES.map(noteKeyLabel).join(' ')} · ${noteKeyLabel(OCTAVE_DOWN_CODE)} ${noteKeyLabel(OCTAVE_UP_CODE)} octave</span>
        ${this.renderError()}
      </section>
    `;
  }

  private renderError() {
    return this.error ? html`<span class="err" data-keys="error">${this.error}</span>` : nothing;
  }

  private apply(fn: () => void): void {
    try {
      fn();
      this.error = '';
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-keys': KeysSection;
  }
}
