/**
 * <dd-knob>: a rotary control. Drag vertically (Shift: fine), scroll, or use
 * the keyboard (arrows, Page Up/Down, Home/End); double-click resets. It is an
 * ARIA slider with the value and its unit as aria-valuetext.
 * Events: `input` while moving, `change` when a gesture ends (detail: value).
 */
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatValue, snap, type KnobFormat } from './format.js';

const DRAG_PIXELS = 200; // pixels for the full range
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
  @property({ type: Boolean }) disabled = false;

  private drag: { y: number; value: number; id: number } | null = null;
  private wheelTimer: ReturnType<typeof setTimeout> | undefined;

  static override styles = css`
    :host { display: inline-flex; flex-direction: column; align-items: center; gap: 2px; width: 64px; user-select: none; touch-action: none; }
    .dial { width: 44px; height: 44px; border-radius: 50%; outline: none; cursor: ns-resize; }
    .dial:focus-visible { box-shadow: 0 0 0 2px var(--accent, #ffb347); }
    :host([disabled]) .dial { opacity: 0.4; cursor: default; }
    .label { font-size: 11px; color: var(--muted, #9aa); text-transform: uppercase; letter-spacing: 0.05em; }
    .value { font-size: 12px; font-variant-numeric: tabular-nums; white-space: nowrap; }
    circle.track { fill: none; stroke: var(--track, #333a40); stroke-width: 4; }
    path.arc { fill: none; stroke: var(--accent, #ffb347); stroke-width: 4; stroke-linecap: round; }
    line { stroke: var(--fg, #eee); stroke-width: 2; stroke-linecap: round; }
  `;

  private get fraction(): number {
    return this.max > this.min ? (this.value - this.min) / (this.max - this.min) : 0;
  }

  override render() {
    const f = Math.min(1, Math.max(0, this.fraction));
    const a0 = -SWEEP / 2;
    const a = a0 + f * SWEEP;
    const text = formatValue(this.format, this.value);
    return html`
      <div
        class="dial"
        role="slider"
        tabindex=${this.disabled ? -1 : 0}
        aria-label=${this.label}
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
          ${f > 0.001 ? svg`<path class="arc" d=${arcPath(17, a0, a)}></path>` : null}
          <line x1="0" y1="0" x2=${12 * Math.sin((a * Math.PI) / 180)} y2=${-12 * Math.cos((a * Math.PI) / 180)}></line>
        </svg>
      </div>
      <span class="value">${text}</span>
      <span class="label">${this.label}</span>
    `;
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
    this.drag = { y: e.clientY, value: this.value, id: e.pointerId };
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    const scale = e.shiftKey ? 0.1 : 1;
    this.set(this.drag.value + ((this.drag.y - e.clientY) / DRAG_PIXELS) * (this.max - this.min) * scale, false);
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.id) return;
    const moved = this.value !== this.drag.value;
    this.drag = null;
    if (moved) this.set(this.value, true);
  }

  private onWheel(e: WheelEvent): void {
    if (this.disabled) return;
    e.preventDefault();
    const steps = Math.max(this.step, (this.max - this.min) / 100) / this.step;
    this.set(this.value + Math.sign(-e.deltaY) * steps * this.step * (e.shiftKey ? 0.1 : 1), false);
    clearTimeout(this.wheelTimer);
    this.wheelTimer = setTimeout(() => this.set(this.value, true), 250);
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (this.disabled) return;
    const big = Math.max(this.step, (this.max - this.min) / 10);
    const moves: Record<string, number> = {
      ArrowUp: this.step, ArrowRight: this.step, ArrowDown: -this.step, ArrowLeft: -this.step,
      PageUp: big, PageDown: -big,
    };
    let v: number | null = null;
    if (e.key in moves) v = this.value + moves[e.key]!;
    else if (e.key === 'Home') v = this.min;
    else if (e.key === 'End') v = this.max;
    else if (e.key === 'Delete' || e.key === 'Backspace') v = this.defaultValue;
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
