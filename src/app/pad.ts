/**
 * <dd-pad>: one pad. Press to play (higher on the pad = louder), the dice
 * rolls a new seed (not while the seed is locked). It lights on every hit,
 * from any source (mouse, keys, MIDI), shows a thumbnail of its current
 * sound's waveform and how many variations are ready (its ring of
 * precomputed one-shots).
 * Events: `pad-press` {velocity}, `pad-dice`, `pad-select`.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { peaksPath } from './sound-pictures.js';

/** Thumbnail box (SVG user units). */
const THUMB_W = 100;
const THUMB_H = 24;

/** Velocity at the bottom and top edge of a pad (MIDI). */
const VELOCITY_RANGE = [40, 127] as const;

@customElement('dd-pad')
export class Pad extends LitElement {
  @property({ type: Number }) index = 0;
  @property() drumClass = '';
  @property({ type: Number }) note = 0;
  @property() keyName = '';
  @property({ type: Number }) seed = 0;
  @property({ type: Number }) ready = 0;
  @property({ type: Number }) wanted = 0;
  @property({ type: Boolean }) regenerating = false;
  @property({ type: Boolean }) playable = false;
  @property({ type: Boolean, reflect: true }) selected = false;
  @property() error = '';
  /** The seed is locked: the dice and the kit seed leave it alone. */
  @property({ type: Boolean }) locked = false;
  /** Waveform peaks of the current sound (waveformPeaks: min/max pairs), or null before it has one. */
  @property({ attribute: false }) peaks: Float32Array | null = null;
  private flashTimer: ReturnType<typeof setTimeout> | undefined;

  static override styles = css`
    :host { display: block; }
    .pad {
      position: relative; height: 100%; min-height: 92px; box-sizing: border-box; padding: 8px 10px;
      border-radius: 10px; background: var(--pad, #23292e); border: 1px solid var(--line, #30383e);
      display: flex; flex-direction: column; justify-content: space-between; cursor: pointer;
      touch-action: none; user-select: none; outline: none; transition: background 0.25s ease-out;
    }
    :host([selected]) .pad { border-color: var(--accent, #ffb347); }
    .pad:focus-visible { box-shadow: 0 0 0 2px var(--accent, #ffb347); }
    .pad.lit { background: var(--lit, #ffb347); color: #111; transition: none; }
    .pad.empty { opacity: 0.55; }
    .top, .bottom { display: flex; justify-content: space-between; align-items: center; gap: 4px; font-size: 11px; color: var(--muted, #9aa); }
    .pad.lit .top, .pad.lit .bottom { color: #111; }
    .name { font-size: 15px; font-weight: 600; text-transform: capitalize; }
    .dots { display: flex; gap: 3px; }
    .dot { width: 6px; height: 6px; border-radius: 50%; background: var(--dot, #3c464d); }
    .dot.on { background: var(--ok, #7bd88f); }
    .regen .dot.on { background: var(--accent, #ffb347); }
    .err { color: var(--bad, #ff6b6b); }
    button.dice {
      border: 0; background: transparent; color: inherit; font: inherit; padding: 2px 4px; border-radius: 4px; cursor: pointer;
    }
    button.dice:hover, button.dice:focus-visible { background: #0003; outline: none; }
    button.dice:disabled { cursor: default; opacity: 0.8; }
    svg.thumb { width: 100%; height: 24px; display: block; }
    svg.thumb path { stroke: var(--muted, #9aa); stroke-width: 1; fill: none; vector-effect: non-scaling-stroke; }
    .pad.lit svg.thumb path { stroke: #111; }
  `;

  /** Light the pad (called on every hit). */
  flash(): void {
    const el = this.renderRoot.querySelector('.pad');
    if (!el) return;
    el.classList.remove('lit');
    void (el as HTMLElement).offsetWidth; // restart the transition
    el.classList.add('lit');
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => el.classList.remove('lit'), 90);
  }

  override render() {
    const dots = Array.from({ length: Math.max(1, this.wanted) }, (_, i) => html`<span class="dot ${i < this.ready ? 'on' : ''}"></span>`);
    const state = this.error ? `error: ${this.error}` : this.ready > 0 ? `${this.ready} of ${this.wanted} variations ready` : this.regenerating ? 'regenerating' : 'generating';
    return html`
      <div
        class="pad ${this.playable ? '' : 'empty'}"
        role="button"
        tabindex="0"
        aria-label="Pad ${this.index + 1}: ${this.drumClass}, note ${this.note}, key ${this.keyName}, seed ${this.seed}; ${state}"
        @pointerdown=${this.onPointerDown}
        @keydown=${this.onKeyDown}
      >
        <div class="top"><span>${this.note}</span><span>${this.keyName}</span></div>
        <div class="name">${this.drumClass.replace('-', ' ')}</div>
        <svg class="thumb" viewBox="0 0 ${THUMB_W} ${THUMB_H}" preserveAspectRatio="none" aria-hidden="true" data-thumb=${this.peaks ? 'sound' : 'empty'}>
          <path d=${this.peaks ? peaksPath(this.peaks, THUMB_W, THUMB_H) : `M0 ${THUMB_H / 2}H${THUMB_W}`}></path>
        </svg>
        <div class="bottom">
          <button class="dice" title=${this.locked ? 'Seed locked' : 'New seed'} ?disabled=${this.locked}
            aria-label=${this.locked ? `Seed ${this.seed} of pad ${this.index + 1} is locked` : `Roll a new seed for pad ${this.index + 1}`}
            @pointerdown=${stop} @click=${this.onDice}>${this.locked ? '🔒' : '⚄'} ${this.seed}</button>
          ${this.error ? html`<span class="err" title=${this.error}>!</span>` : html`<span class="dots ${this.regenerating ? 'regen' : ''}" title=${state}>${dots}</span>`}
        </div>
      </div>
    `;
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const y = r.height > 0 ? 1 - (e.clientY - r.top) / r.height : 0.7;
    const [lo, hi] = VELOCITY_RANGE;
    const velocity = Math.round(lo + Math.min(1, Math.max(0, y)) * (hi - lo));
    this.dispatchEvent(new CustomEvent('pad-press', { detail: { velocity }, bubbles: true, composed: true }));
    this.dispatchEvent(new CustomEvent('pad-select', { bubbles: true, composed: true }));
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    e.stopPropagation();
    if (e.repeat) return;
    this.dispatchEvent(new CustomEvent('pad-press', { detail: { velocity: 100 }, bubbles: true, composed: true }));
    this.dispatchEvent(new CustomEvent('pad-select', { bubbles: true, composed: true }));
  }

  private onDice(e: Event): void {
    e.stopPropagation();
    this.dispatchEvent(new CustomEvent('pad-dice', { bubbles: true, composed: true }));
  }
}

function stop(e: Event): void {
  e.stopPropagation();
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-pad': Pad;
  }
}
