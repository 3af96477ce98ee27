/**
 * <dd-sequencer>: the 16-step grid (a row per pad, top row = pad 16), tempo,
 * swing, pattern choice, play/stop and "render loop". Timing lives in
 * src/sequencer/scheduler.ts (a 25 ms timer asks for the next 100 ms of hits,
 * which the player starts sample-accurately); rendering in render.ts.
 * Click a step: on at velocity 100 / off; Shift-click: accent 127; Alt-click: ghost 45.
 * Events: `patterns-change` {patterns} whenever the user edits them.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { PAD_COUNT } from '../audio/constants.js';
import { emptyPattern, MAX_PATTERNS, PATTERN_STEPS, PRESET_LIMITS, type Pattern } from '../presets/schema.js';
import { runSequencer, StepSequencer, type Hit } from '../sequencer/scheduler.js';
import type { Seconds } from '../units.js';

/** What the sequencer drives. */
export interface SequencerHost {
  /** Audio-context time (s). */
  now(): Seconds;
  /** Start a hit at its exact time. */
  trigger(hit: Hit): void;
  /** Render `bars` bars of the pattern and save it as a WAV. */
  renderLoop(pattern: Pattern, bars: number, tail: Seconds): Promise<void>;
}

@customElement('dd-sequencer')
export class SequencerView extends LitElement {
  @property({ attribute: false }) patterns: Pattern[] = [];
  /** Row labels, by pad. */
  @property({ attribute: false }) labels: string[] = [];
  @property({ attribute: false }) host: SequencerHost | null = null;
  @state() private index = 0;
  @state() private playing = false;
  @state() private playhead = -1;
  @state() private bars = 4;
  @state() private tail = 0;
  @state() private busy = false;
  @state() private error = '';
  private seq: StepSequencer | null = null;
  private stopTimer: (() => void) | null = null;
  private raf = 0;

  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 8px; font-size: 13px; }
    .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    select, input { background: var(--field, #11161a); color: inherit; border: 1px solid var(--line, #30383e); border-radius: 6px; padding: 3px 5px; font: inherit; }
    input[type='number'] { width: 4.5em; }
    button { background: var(--button, #2b3338); color: inherit; border: 1px solid var(--button-line, #3a444b); border-radius: 6px; padding: 4px 8px; font: inherit; cursor: pointer; }
    button:disabled { opacity: 0.5; cursor: default; }
    .grid { display: grid; grid-template-columns: 7em repeat(${PATTERN_STEPS}, 1fr); gap: 2px; }
    .label { font-size: 11px; color: var(--muted, #9aa); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; align-self: center; }
    .step { height: 16px; border-radius: 3px; background: var(--step, #23292e); border: 1px solid var(--line, #30383e); padding: 0; }
    .step.beat { background: var(--step-beat, #2a3136); }
    .step.on { background: var(--accent, #ffb347); }
    .step.play { outline: 1px solid #e8ecef; }
    .err { color: var(--bad, #ff6b6b); }
  `;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  private get pattern(): Pattern {
    return this.patterns[this.index] ?? emptyPattern('Pattern 1');
  }

  /** Replace the current pattern (a new object; the old one is not mutated) and tell the host. */
  private edit(next: Pattern): void {
    const list = this.patterns.length > 0 ? [...this.patterns] : [next];
    list[Math.min(this.index, list.length - 1)] = next;
    this.patterns = list;
    this.seq?.setPattern(next);
    this.dispatchEvent(new CustomEvent('patterns-change', { detail: { patterns: list }, bubbles: true, composed: true }));
  }

  private toggle(pad: number, step: number, e: MouseEvent): void {
    const p = this.pattern;
    const cur = p.steps[pad]![step]!;
    const v = e.shiftKey ? 127 : e.altKey ? 45 : cur > 0 ? 0 : 100;
    const steps = p.steps.map((row, i) => (i === pad ? row.map((x, j) => (j === step ? v : x)) : row));
    this.edit({ ...p, steps });
  }

  private setNumber(field: 'tempo' | 'swing', text: string): void {
    const v = Number(text);
    const lim = PRESET_LIMITS[field];
    if (!(Number.isFinite(v) && v >= lim.min && v <= lim.max)) {
      this.error = `${field}: expected ${lim.min}–${lim.max}, got "${text}"`;
      return;
    }
    this.error = '';
    this.edit({ ...this.pattern, [field]: v });
  }

  private addPattern(): void {
    if (this.patterns.length >= MAX_PATTERNS) return;
    const p = emptyPattern(`Pattern ${this.patterns.length + 1}`, this.pattern.tempo, this.pattern.swing);
    this.patterns = [...this.patterns, p];
    this.index = this.patterns.length - 1;
    this.seq?.setPattern(p);
    this.dispatchEvent(new CustomEvent('patterns-change', { detail: { patterns: this.patterns }, bubbles: true, composed: true }));
  }

  private play(): void {
    if (!this.host || this.playing) return;
    const host = this.host;
    this.seq = new StepSequencer(this.pattern);
    // A little ahead, so the first step is not late.
    this.seq.start(host.now() + 0.05);
    this.stopTimer = runSequencer(this.seq, {
      now: () => host.now(),
      trigger: (h) => host.trigger(h),
      setInterval: (cb, ms) => window.setInterval(cb, ms),
      clearInterval: (h) => window.clearInterval(h as number),
    });
    this.playing = true;
    const frame = () => {
      if (!this.seq) return;
      this.playhead = this.seq.stepAt(host.now());
      this.raf = requestAnimationFrame(frame);
    };
    this.raf = requestAnimationFrame(frame);
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
    this.seq?.stop();
    this.seq = null;
    cancelAnimationFrame(this.raf);
    this.playing = false;
    this.playhead = -1;
  }

  private async render_(): Promise<void> {
    if (!this.host || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      await this.host.renderLoop(this.pattern, this.bars, this.tail);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const p = this.pattern;
    const rows = Array.from({ length: PAD_COUNT }, (_, i) => PAD_COUNT - 1 - i);
    return html`
      <div class="controls">
        <select aria-label="Pattern" @change=${(e: Event) => {
          this.index = Number((e.target as HTMLSelectElement).value);
          this.seq?.setPattern(this.pattern);
        }}>
          ${(this.patterns.length > 0 ? this.patterns : [p]).map((x, i) => html`<option value=${i} ?selected=${i === this.index}>${x.name}</option>`)}
        </select>
        <button @click=${() => this.addPattern()} ?disabled=${this.patterns.length >= MAX_PATTERNS}>+ pattern</button>
        <button data-seq="play" @click=${() => (this.playing ? this.stop() : this.play())} ?disabled=${!this.host}>${this.playing ? '■ Stop' : '▶ Play'}</button>
        <label>Tempo <input type="number" min=${PRESET_LIMITS.tempo.min} max=${PRESET_LIMITS.tempo.max} step="1" .value=${String(p.tempo)}
          @change=${(e: Event) => this.setNumber('tempo', (e.target as HTMLInputElement).value)} /> BPM</label>
        <label>Swing <input type="number" min=${PRESET_LIMITS.swing.min} max=${PRESET_LIMITS.swing.max} step="1" .value=${String(p.swing)}
          @change=${(e: Event) => this.setNumber('swing', (e.target as HTMLInputElement).value)} /> %</label>
        <label>Bars <input type="number" min="1" max="64" step="1" .value=${String(this.bars)}
          @change=${(e: Event) => (this.bars = Math.max(1, Math.min(64, Math.round(Number((e.target as HTMLInputElement).value)) || 1)))} /></label>
        <label>Tail <input type="number" min="0" max="30" step="0.1" .value=${String(this.tail)}
          @change=${(e: Event) => (this.tail = Math.max(0, Math.min(30, Number((e.target as HTMLInputElement).value) || 0)))} /> s</label>
        <button data-seq="render" @click=${() => void this.render_()} ?disabled=${!this.host || this.busy}>${this.busy ? 'Rendering…' : 'Render loop → WAV'}</button>
        ${this.error ? html`<span class="err" role="alert">${this.error}</span>` : nothing}
      </div>
      <div class="grid" role="grid" aria-label="Steps">
        ${rows.map(
          (pad) => html`<span class="label">${pad + 1} ${this.labels[pad] ?? ''}</span>${Array.from({ length: PATTERN_STEPS }, (_, s) => {
            const v = p.steps[pad]![s]!;
            return html`<button class="step ${v > 0 ? 'on' : ''} ${s % 4 === 0 ? 'beat' : ''} ${s === this.playhead ? 'play' : ''}"
              style=${v > 0 ? `opacity:${0.35 + (0.65 * v) / 127}` : ''} aria-label="pad ${pad + 1} step ${s + 1}${v > 0 ? ` velocity ${v}` : ''}"
              @click=${(e: MouseEvent) => this.toggle(pad, s, e)}></button>`;
          })}`,
        )}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-sequencer': SequencerView;
  }
}
