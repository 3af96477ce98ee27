/**
 * <dd-sound-view>: the selected pad's current sound as a waveform and a
 * spectrogram on two canvases (pictures from sound-pictures.ts, redrawn only
 * when the sound changes).
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Hz } from '../units.js';
import { levelColour, peaksPath, spectrogramImage, waveformPeaks } from './sound-pictures.js';

@customElement('dd-sound-view')
export class SoundView extends LitElement {
  @property({ attribute: false }) audio: Float32Array | null = null;
  @property({ type: Number }) sampleRate: Hz = 44100;
  @property() label = '';
  private drawn: Float32Array | null = null;

  static override styles = css`
    :host { display: flex; flex-direction: column; gap: 4px; }
    canvas { width: 100%; height: 56px; background: var(--field, #11161a); border-radius: 6px; display: block; }
    canvas.spec { height: 72px; image-rendering: auto; }
    .cap { font-size: 11px; color: var(--muted, #9aa); display: flex; justify-content: space-between; }
  `;

  override render() {
    const s = this.audio ? `${((this.audio.length / this.sampleRate) * 1000).toFixed(0)} ms` : 'no sound yet';
    return html`
      <div class="cap"><span>${this.label}</span><span data-sound-length>${s}</span></div>
      <canvas class="wave" width="226" height="56" role="img" aria-label="Waveform of ${this.label || 'the selected pad'}"></canvas>
      <canvas class="spec" role="img" aria-label="Spectrogram of ${this.label || 'the selected pad'} (time → , frequency ↑)"></canvas>
    `;
  }

  override updated(): void {
    if (this.audio === this.drawn) return;
    this.drawn = this.audio;
    this.drawWave();
    this.drawSpectrogram();
  }

  private drawWave(): void {
    const c = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.wave');
    const g = c?.getContext('2d');
    if (!c || !g) return;
    g.clearRect(0, 0, c.width, c.height);
    g.strokeStyle = '#30383e';
    g.beginPath();
    g.moveTo(0, c.height / 2);
    g.lineTo(c.width, c.height / 2);
    g.stroke();
    if (!this.audio) return;
    g.strokeStyle = getComputedStyle(this).getPropertyValue('--accent').trim() || '#ffb347';
    g.stroke(new Path2D(peaksPath(waveformPeaks(this.audio, c.width), c.width, c.height)));
  }

  private drawSpectrogram(): void {
    const c = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.spec');
    if (!c) return;
    if (!this.audio) {
      c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
      return;
    }
    const img = spectrogramImage(this.audio);
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext('2d');
    if (!g || img.width === 0) return;
    const data = g.createImageData(img.width, img.height);
    for (let i = 0; i < img.level.length; i++) {
      const [r, gg, b] = levelColour(img.level[i]!);
      data.data[4 * i] = r;
      data.data[4 * i + 1] = gg;
      data.data[4 * i + 2] = b;
      data.data[4 * i + 3] = 255;
    }
    g.putImageData(data, 0, 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'dd-sound-view': SoundView;
  }
}
