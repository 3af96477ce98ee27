/**
 * <dd-preset-bar>: pick a factory or user preset, save, rename, delete,
 * import a .json file and export one. Every action that can fail shows one
 * line and changes nothing (the store validates before it writes).
 * Events: `preset-load` {preset, source: 'factory' | 'user'} when the user picks or imports one;
 * `preset-saved` {preset} after a save or a rename of the loaded preset (the instrument now is that preset).
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Preset } from '../presets/schema.js';
import { presetFile, type PresetStore, type PresetSummary } from '../presets/store.js';
import { downloadBytes } from './export-panel.js';

@customElement('dd-preset-bar')
export class PresetBar extends LitElement {
  /** Shipped presets (presets/*.json), in menu order. */
  @property({ attribute: false }) factory: Preset[] = [];
  @property({ attribute: false }) store: PresetStore | null = null;
  /** The instrument's state as a preset, for Save and Export. */
  @property({ attribute: false }) snapshot: (() => Preset) | null = null;
  @state() private user: PresetSummary[] = [];
  /** 'f:<index>' or 'u:<id>'. */
  @state() private choice = 'f:0';
  @state() private name = '';
  @state() private message = '';
  @state() private error = '';

  static override styles = css`
    :host { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; font-size: 13px; }
    select, input { background: var(--field, #11161a); color: inherit; border: 1px solid var(--line, #30383e); border-radius: 6px; padding: 4px 6px; font: inherit; }
    input[type='text'] { width: 14em; }
    button { background: var(--button, #2b3338); color: inherit; border: 1px solid var(--button-line, #3a444b); border-radius: 6px; padding: 4px 8px; font: inherit; cursor: pointer; }
    button:disabled { opacity: 0.5; cursor: default; }
    .err { color: var(--bad, #ff6b6b); }
    .msg { color: var(--muted, #9aa); }
    .desc { flex-basis: 100%; color: var(--muted, #9aa); font-size: 12px; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    if (!this.store) return;
    try {
      const { presets, broken } = await this.store.list();
      this.user = presets;
      if (broken.length > 0) this.error = `${broken.length} saved preset(s) cannot be read: ${broken[0]!.error}`;
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.message = '';
    this.error = e instanceof Error ? e.message : String(e);
  }

  private ok(msg: string): void {
    this.error = '';
    this.message = msg;
  }

  private load(preset: Preset, choice: string): void {
    this.choice = choice;
    this.name = preset.name;
    const source = choice.startsWith('u:') ? 'user' : 'factory';
    this.dispatchEvent(new CustomEvent('preset-load', { detail: { preset, source }, bubbles: true, composed: true }));
    this.ok(`Loaded "${preset.name}"`);
  }

  private async pick(value: string): Promise<void> {
    try {
      if (value.startsWith('f:')) {
        const p = this.factory[Number(value.slice(2))];
        if (p) this.load(p, value);
      } else if (this.store) {
        this.load(await this.store.load(value.slice(2)), value);
      }
    } catch (e) {
      this.fail(e);
    }
  }

  private get userId(): string | null {
    return this.choice.startsWith('u:') ? this.choice.slice(2) : null;
  }

  private async save(asNew: boolean): Promise<void> {
    if (!this.store || !this.snapshot) return;
    try {
      const name = this.name.trim() || this.snapshot().name;
      const preset = { ...this.snapshot(), name };
      const id = await this.store.save(preset, asNew ? undefined : this.userId ?? undefined);
      this.choice = `u:${id}`;
      this.dispatchEvent(new CustomEvent('preset-saved', { detail: { preset }, bubbles: true, composed: true }));
      await this.refresh();
      this.ok(`Saved "${name}"`);
    } catch (e) {
      this.fail(e);
    }
  }

  private async rename(): Promise<void> {
    const id = this.userId;
    if (!this.store || !id) return;
    try {
      const p = await this.store.rename(id, this.name.trim());
      this.dispatchEvent(new CustomEvent('preset-saved', { detail: { preset: p }, bubbles: true, composed: true }));
      await this.refresh();
      this.ok(`Renamed to "${p.name}"`);
    } catch (e) {
      this.fail(e);
    }
  }

  private async deletePreset(): Promise<void> {
    const id = this.userId;
    if (!this.store || !id) return;
    try {
      await this.store.delete(id);
      this.choice = 'f:0';
      await this.refresh();
      this.ok('Deleted');
    } catch (e) {
      this.fail(e);
    }
  }

  private async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file || !this.store) return;
    try {
      const { id, preset } = await this.store.importText(await file.text(), file.name);
      await this.refresh();
      this.load(preset, `u:${id}`);
      this.ok(`Imported "${preset.name}" from ${file.name}`);
    } catch (e) {
      this.fail(e);
    }
  }

  private exportFile(): void {
    if (!this.snapshot) return;
    try {
      const { fileName, text } = presetFile({ ...this.snapshot(), name: this.name.trim() || this.snapshot().name });
      downloadBytes(new TextEncoder().encode(text), fileName, 'application/json');
      this.ok(`Exported ${fileName}`);
    } catch (e) {
      this.fail(e);
    }
  }

  override render() {
    const kits = this.factory.map((p, i) => [p, i] as const).filter(([p]) => p.category === 'kit');
    const tonal = this.factory.map((p, i) => [p, i] as const).filter(([p]) => p.category === 'tonal');
    const current = this.choice.startsWith('f:') ? this.factory[Number(this.choice.slice(2))] : undefined;
    const desc = current?.description ?? this.user.find((u) => `u:${u.id}` === this.choice)?.description ?? '';
    return html`
      <label>Preset
        <select aria-label="Preset" data-preset-select @change=${(e: Event) => void this.pick((e.target as HTMLSelectElement).value)}>
          <optgroup label="Kits">${kits.map(([p, i]) => html`<option value="f:${i}" ?selected=${this.choice === `f:${i}`}>${p.name}</option>`)}</optgroup>
          <optgroup label="Keyboard">${tonal.map(([p, i]) => html`<option value="f:${i}" ?selected=${this.choice === `f:${i}`}>${p.name}</option>`)}</optgroup>
          ${this.user.length > 0
            ? html`<optgroup label="Mine">${this.user.map((u) => html`<option value="u:${u.id}" ?selected=${this.choice === `u:${u.id}`}>${u.name}</option>`)}</optgroup>`
            : nothing}
        </select>
      </label>
      <input type="text" aria-label="Preset name" placeholder="name" maxlength="80" .value=${this.name}
        @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} />
      <button ?disabled=${!this.store} @click=${() => void this.save(this.userId === null)} title="Save (over the selected preset of yours, else as new)">Save</button>
      <button ?disabled=${!this.store} @click=${() => void this.save(true)}>Save as new</button>
      <button ?disabled=${!this.userId} @click=${() => void this.rename()}>Rename</button>
      <button ?disabled=${!this.userId} @click=${() => void this.deletePreset()}>Delete</button>
      <span><button @click=${(e: Event) => ((e.currentTarget as HTMLElement).nextElementSibling as HTMLInputElement).click()}>Import…</button><input
        type="file" accept=".json,application/json" hidden data-preset-import @change=${(e: Event) => void this.importFile(e.target as HTMLInputElement)} /></span>
      <button @click=${() => this.exportFile()}>Export .json</button>
      ${this.error ? html`<span class="err" role="alert" data-preset-error>${this.error}</span>` : this.message ? html`<span class="msg">${this.message}</span>` : nothing}
      ${desc ? html`<div class="desc">${desc}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-preset-bar': PresetBar;
  }
}
