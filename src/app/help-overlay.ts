/**
 * <dd-help>: the keyboard shortcuts, as a modal overlay. "?" (anywhere but a
 * text field) or the header's "?" button opens it; Escape, "?" again, the
 * close button or a click outside closes it, and focus returns where it was.
 * The key lists come from the same tables the handlers use
 * (src/midi/keyboard.ts), so they cannot drift apart.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { KEYBOARD_NOTE_CODES, KEYBOARD_PAD_CODES, noteKeyLabel, OCTAVE_DOWN_CODE, OCTAVE_UP_CODE } from '../midi/keyboard.js';

const NOTE_NAMES = ['C', 'C♯', 'D', 'D♯', 'E', 'F', 'F♯', 'G', 'G♯', 'A', 'A♯', 'B'];

/** Rows of the pad keys, top row first (as the grid shows them). */
function padRows(): string[] {
  const rows: string[] = [];
  for (let r = KEYBOARD_PAD_CODES.length / 4 - 1; r >= 0; r--) {
    rows.push(KEYBOARD_PAD_CODES.slice(r * 4, r * 4 + 4).map(noteKeyLabel).map((k) => k.replace(/^Digit/, '')).join(' '));
  }
  return rows;
}

/** [keys, what they do] in sections. */
export function shortcutSections(): { title: string; rows: [string, string][] }[] {
  const rows = padRows();
  return [
    {
      title: 'Pads',
      rows: [
        [rows.join(' / '), 'play the pads, top row first (Shift: full velocity)'],
        ['Tab, then Space or Enter', 'play the focused pad'],
        ['click ⚄ on a pad', 'roll a new seed'],
      ],
    },
    {
      title: 'Keyboard (pitched one-shots)',
      rows: [
        [KEYBOARD_NOTE_CODES.map(noteKeyLabel).join(' '), `play ${NOTE_NAMES[0]}–${NOTE_NAMES[11]} (Shift: full velocity)`],
        [`${noteKeyLabel(OCTAVE_DOWN_CODE)} / ${noteKeyLabel(OCTAVE_UP_CODE)}`, 'octave down / up'],
      ],
    },
    {
      title: 'Knobs (focus one with Tab)',
      rows: [
        ['↑ → / ↓ ←', 'up / down by 1 % (Shift: one step)'],
        ['Page Up / Page Down', 'up / down by 10 % (Shift: 1 %)'],
        ['Home / End', 'minimum / maximum'],
        ['Delete, or double-click', 'back to the default'],
        ['drag up/down, or the wheel', 'turn (Shift: fine)'],
        ['learn, then move a MIDI controller', 'map that CC to the knob'],
      ],
    },
    { title: 'This help', rows: [['?', 'show or hide'], ['Esc', 'close']] },
  ];
}

@customElement('dd-help')
export class HelpOverlay extends LitElement {
  @state() open = false;
  private returnFocus: HTMLElement | null = null;

  static override styles = css`
    .backdrop { position: fixed; inset: 0; background: #000a; display: flex; align-items: center; justify-content: center; z-index: 10; padding: 12px; }
    .box {
      background: var(--panel, #1b2024); color: var(--fg, #e8ecef); border: 1px solid var(--line, #30383e); border-radius: 12px; padding: 14px 18px;
      max-width: 620px; width: 100%; max-height: 90vh; overflow: auto; font: 13px/1.4 system-ui, sans-serif; outline: none;
    }
    h2 { font-size: 16px; margin: 0 0 6px; display: flex; justify-content: space-between; align-items: center; }
    h3 { font-size: 12px; margin: 12px 0 4px; color: var(--muted, #9aa); text-transform: uppercase; letter-spacing: 0.06em; }
    table { border-collapse: collapse; width: 100%; }
    td { padding: 2px 8px 2px 0; vertical-align: top; }
    td:first-child { white-space: nowrap; }
    kbd { font: 12px ui-monospace, monospace; background: var(--field, #11161a); border: 1px solid var(--button-line, #3a444b); border-radius: 4px; padding: 0 4px; }
    button { background: var(--button, #2b3338); color: inherit; border: 1px solid var(--button-line, #3a444b); border-radius: 6px; padding: 3px 9px; font: inherit; cursor: pointer; }
  `;

  private readonly onKey = (e: KeyboardEvent) => {
    const t = e.composedPath()[0];
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
    if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      this.toggle();
    } else if (e.key === 'Escape' && this.open) {
      e.preventDefault();
      this.hide();
    }
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('keydown', this.onKey);
    super.disconnectedCallback();
  }

  toggle(): void {
    if (this.open) this.hide();
    else this.show();
  }

  show(): void {
    const active = document.activeElement;
    this.returnFocus = active instanceof HTMLElement ? active : null;
    this.open = true;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.box')?.focus());
  }

  hide(): void {
    this.open = false;
    this.returnFocus?.focus();
    this.returnFocus = null;
  }

  override render() {
    if (!this.open) return nothing;
    return html`
      <div class="backdrop" @click=${(e: Event) => e.target === e.currentTarget && this.hide()}>
        <div class="box" role="dialog" aria-modal="true" aria-labelledby="help-title" tabindex="-1" data-help>
          <h2><span id="help-title">Keyboard shortcuts</span><button @click=${() => this.hide()} aria-label="Close help">Close</button></h2>
          ${shortcutSections().map(
            (s) => html`<h3>${s.title}</h3>
              <table>${s.rows.map(([k, what]) => html`<tr><td><kbd>${k}</kbd></td><td>${what}</td></tr>`)}</table>`,
          )}
        </div>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-help': HelpOverlay;
  }
}
