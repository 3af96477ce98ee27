/**
 * <dd-export-panel>: the selected pad as a WAV (download, or drag it out into
 * a DAW or the desktop in Chrome), and the whole kit as a zip. The bytes come
 * from src/export/export.ts; this element only turns them into Blobs.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { downloadUrlPayload, kitZip, kitZipName, padFileName, soundWav, WAV_MIME, type PadAudio } from '../export/export.js';
import type { Preset } from '../presets/schema.js';

/** Save bytes as a file through a temporary link. */
export function downloadBytes(bytes: Uint8Array, fileName: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; give slow browsers a moment anyway.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

@customElement('dd-export-panel')
export class ExportPanel extends LitElement {
  /** The selected pad (0–15). */
  @property({ type: Number }) pad = 0;
  /** The instrument's state as a preset (names, kit.txt, the JSON in the zip). */
  @property({ attribute: false }) snapshot: (() => Preset) | null = null;
  /** Seed sounds of pads (src/export/sounds.ts). */
  @property({ attribute: false }) sounds: ((pads?: readonly number[]) => Promise<PadAudio[]>) | null = null;
  @property({ attribute: false }) modelDefaults: { guidance: number; steps: number } | undefined;
  @state() private busy = '';
  @state() private error = '';
  /** The prepared drag-out file of the selected pad. */
  @state() private drag: { pad: number; name: string; url: string } | null = null;

  static override styles = css`
    :host { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; font-size: 13px; }
    button { background: var(--button, #2b3338); color: inherit; border: 1px solid var(--button-line, #3a444b); border-radius: 6px; padding: 4px 8px; font: inherit; cursor: pointer; }
    button:disabled { opacity: 0.5; cursor: default; }
    .chip { border: 1px dashed var(--accent, #ffb347); border-radius: 6px; padding: 3px 8px; cursor: grab; font-size: 12px; }
    .err { color: var(--bad, #ff6b6b); }
    .msg { color: var(--muted, #9aa); }
  `;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.drag) URL.revokeObjectURL(this.drag.url);
    this.drag = null;
  }

  private async run(label: string, fn: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = label;
    this.error = '';
    try {
      await fn();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.busy = '';
    }
  }

  private async padWav(): Promise<void> {
    if (!this.sounds || !this.snapshot) return;
    const pad = this.pad;
    await this.run('pad', async () => {
      const [s] = await this.sounds!([pad]);
      const bytes = soundWav([s!.data], s!.sampleRate);
      const name = padFileName(this.snapshot!(), pad);
      downloadBytes(bytes, name, WAV_MIME);
      // Keep a URL for dragging the same file out.
      if (this.drag) URL.revokeObjectURL(this.drag.url);
      this.drag = { pad, name, url: URL.createObjectURL(new Blob([bytes as BlobPart], { type: WAV_MIME })) };
    });
  }

  private async kit(): Promise<void> {
    if (!this.sounds || !this.snapshot) return;
    await this.run('kit', async () => {
      const preset = this.snapshot!();
      const sounds = await this.sounds!();
      downloadBytes(kitZip(preset, sounds, { modelDefaults: this.modelDefaults }), kitZipName(preset), 'application/zip');
    });
  }

  private dragStart(e: DragEvent): void {
    if (!this.drag || !e.dataTransfer) return;
    e.dataTransfer.effectAllowed = 'copy';
    e.dataTransfer.setData('DownloadURL', downloadUrlPayload(this.drag.name, this.drag.url));
    e.dataTransfer.setData('text/uri-list', this.drag.url);
  }

  override render() {
    const ready = this.sounds !== null && this.snapshot !== null;
    const drag = this.drag && this.drag.pad === this.pad ? this.drag : null;
    return html`
      <button ?disabled=${!ready || this.busy !== ''} @click=${() => void this.padWav()} data-export="pad">Pad ${this.pad + 1} → WAV</button>
      <button ?disabled=${!ready || this.busy !== ''} @click=${() => void this.kit()} data-export="kit">Kit → zip</button>
      ${drag ? html`<span class="chip" draggable="true" title="Drag into a DAW or a folder (Chrome)" @dragstart=${(e: DragEvent) => this.dragStart(e)}>⇱ ${drag.name}</span>` : nothing}
      ${this.busy ? html`<span class="msg">generating ${this.busy === 'kit' ? 'the kit' : 'the pad'}…</span>` : nothing}
      ${this.error ? html`<span class="err" role="alert">${this.error}</span>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-export-panel': ExportPanel;
  }
}
