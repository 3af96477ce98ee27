/**
 * <dd-knob>: a rotary control. Drag vertically with a mouse, pen or finger,
 * scroll, or use the keyboard (arrows, Page Up/Down, Home/End, Delete resets);
 * Shift makes every one of them finer; double-click resets. It is an ARIA
 * slider with the value and its unit as aria-valuetext. With `learnable` it
 * shows a MIDI-learn button and, once mapped, the controller that moves it.
 * Events: `input` while moving, `change` when a gesture ends (detail: value);
 * `learn` (detail: knob id) when its learn button is pressed.
 * The value math is pure, in format.ts.
 */
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { dragValue, formatValue, keyValue, snap, wheelValue, type KnobFormat } from './format.js';

const SWEEP = 270; // degrees

@customElement('dd-knob')
export class Knob extends LitElement {
  @property() label = '';
  @property({ type: Number }) min = 0;
  @property({ type: Number }) max = 1;
  @property({ type: Number }) step = 0.01;
  @property({ type: Number }) value = 0;
  /** Double-click resets to this. */
  @property({ type: Number, attribute: 'default-value' }) defaultValue = 0;
  @property() format: KnobFormat = 'int';
  @property({ type: Boolean, reflect: true }) disabled = false;
  /** Where the arc starts (a bipolar knob draws from its centre value); default: min. */
  @property({ type: Number }) origin: number | null = null;
  /** Id for MIDI learn and presets, e.g. "guidance" or "pad.3.gainDb". */
  @property({ attribute: 'knob-id' }) knobId = '';
  /** Show the MIDI-learn button. */
  @property({ type: Boolean }) learnable = false;
  /** Waiting for a controller. */
  @property({ type: Boolean, reflect: true }) learning = false;
  /** The controller mapped to this knob ("CC 74 ch 1"), or ''. */
  @property() cc = '';
  /** Extra text for the tooltip (what the value means here). */
  @property() hint = '';

  private drag: { y: number; value: number; id: number; fine: boolean; start: number } | null = null;
  private wheelTimer: ReturnType<typeof setTimeout> | undefined;

  static override styles = css`
    :host { display: inline-flex; flex-direction: column; align-items: center; gap: 2px; width: 64px; user-select: none; touch-action: none; }
    .dial { width: 44px; height: 44px; border-radius: 50%; outline: none; cursor: ns-resize; }
    .dial:focus-visible { box-shadow: 0 0 0 2px var(--accent, #ffb347); }
    :host([disabled]) .dial { opacity: 0.4; cursor: default; }
    .label { font-size: 11px; color: var(--muted, #9aa); text-transform: uppercase; letter-spacing: 0.05em; }
    .value { font-size: 12px; font-variant-numeric: tabular-nums; white-space: nowrap; }
    button.learn {
      font: 10px/1.2 system-ui, sans-serif; color: var(--muted, #9aa); background: transparent; border: 1px solid var(--line, #30383e);
      border-radius: 4px; padding: 1px 4px; cursor: pointer; white-space: nowrap;
    }
    button.learn.mapped { color: var(--ok, #7bd88f); border-color: var(--ok-line, #3b5a43); }
    :host([learning]) button.learn { color: #111; background: var(--accent, #ffb347); border-color: var(--accent, #ffb347); }
    circle.track { fill: none; stroke: var(--track, #333a40); stroke-width: 4; }
    path.arc { fill: none; stroke: var(--accent, #ffb347); stroke-width: 4; stroke-linecap: round; }
    line { stroke: var(--fg, #eee); stroke-width: 2; stroke-linecap: round; }
  `;

  private frac(v: number): number {
    return this.max > this.min ? Math.min(1, Math.max(0, (v - this.min) / (this.max - this.min))) : 0;
  }

  private get range() {
    return { min: this.min, max: this.max, step: this.step };
  }

  override render() {
    const f = this.frac(this.value);
    const fo = this.frac(this.origin ?? this.min);
    const a0 = -SWEEP / 2;
    const a = a0 + f * SWEEP;
    const ao = a0 + fo * SWEEP;
    const text = formatValue(this.format, this.value);
    const learnText = this.learning ? 'move a CC…' : this.cc || 'learn';
    return html`
      <div
        class="dial"
        role="slider"
        tabindex=${this.disabled ? -1 : 0}
        aria-label=${this.label}
        title=${[`${this.label}: ${text}`, this.hint, this.cc ? `MIDI: ${this.cc}` : '', 'drag, scroll or arrows (Shift: fine); double-click resets'].filter(Boolean).join('\n')}
        aria-valuemin=${this.min}
        aria-valuemax=${this.max}
        aria-valuenow=${this.value}
        aria-valuetext=${text}
        aria-disabled=${this.disabled}
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp}
        @wheel=${this.onWheel}
        @keydown=${this.onKeyDown}
        @dblclick=${this.reset}
      >
        <svg viewBox="-22 -22 44 44" width="44" height="44" aria-hidden="true">
          <circle class="track" r="17"></circle>
          ${Math.abs(a - ao) > 0.3 ? svg`<path class="arc" d=${arcPath(17, Math.min(ao, a), Math.max(ao, a))}></path>` : null}
          <line x1="0" y1="0" x2=${12 * Math.sin((a * Math.PI) / 180)} y2=${-12 * Math.cos((a * Math.PI) / 180)}></line>
        </svg>
      </div>
      <span class="value">${text}</span>
      <span class="label">${this.label}</span>
      ${this.learnable
        ? html`<button class="learn ${this.cc ? 'mapped' : ''}" data-learn=${this.knobId} aria-pressed=${this.learning}
            aria-label="MIDI learn for ${this.label}${this.cc ? ` (now ${this.cc})` : ''}" @click=${this.onLearn}>${learnText}</button>`
        : null}
    `;
  }

  private onLearn(): void {
    this.dispatchEvent(new CustomEvent('learn', { detail: this.knobId, bubbles: true, composed: true }));
  }

  private set(v: number, commit: boolean): void {
    const next = snap(v, this.min, this.max, this.step);
    if (next !== this.value) {
      this.value = next;
      this.dispatchEvent(new CustomEvent('input', { detail: next, bubbles: true, composed: true }));
    }
    if (commit) this.dispatchEvent(new CustomEvent('change', { detail: this.value, bubbles: true, composed: true }));
  }

  private onPointerDown(e: PointerEvent): void {
    if (this.disabled || e.button !== 0) return;
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    (e.currentTarget as HTMLElement).focus();
    this.drag = { y: e.clientY, value: this.value, id: e.pointerId, fine: e.shiftKey, start: this.value };
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    if (e.shiftKey !== this.drag.fine) {
      // Shift pressed or released mid-drag: continue from here at the new rate, without a jump.
      this.drag = { ...this.drag, y: e.clientY, value: this.value, fine: e.shiftKey };
    }
    this.set(dragValue(this.drag.value, this.drag.y - e.clientY, this.drag.fine, this.range), false);
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    const moved = this.value !== this.drag.start;
    this.drag = null;
    if (moved) this.set(this.value, true);
  }

  private onWheel(e: WheelEvent): void {
    if (this.disabled) return;
    e.preventDefault();
    // Shift+wheel arrives as deltaX in some browsers.
    this.set(wheelValue(this.value, e.deltaY || e.deltaX, e.shiftKey, this.range), false);
    clearTimeout(this.wheelTimer);
    this.wheelTimer = setTimeout(() => this.set(this.value, true), 250);
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (this.disabled) return;
    const v = keyValue(e.key, e.shiftKey, this.value, this.range, this.defaultValue);
    if (v === null) return;
    e.preventDefault();
    e.stopPropagation(); // keep arrows from reaching the pad keyboard handler
    this.set(v, true);
  }

  private reset(): void {
    if (!this.disabled) this.set(this.defaultValue, true);
  }
}

function arcPath(r: number, fromDeg: number, toDeg: number): string {
  const p = (d: number) => `${(r * Math.sin((d * Math.PI) / 180)).toFixed(2)} ${(-r * Math.cos((d * Math.PI) / 180)).toFixed(2)}`;
  return `M ${p(fromDeg)} A ${r} ${r} 0 ${toDeg - fromDeg > 180 ? 1 : 0} 1 ${p(toDeg)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-knob': Knob;
  }
}
