/**
 * Waveform peaks and the spectrogram image (src/app/sound-pictures.ts):
 * peaks bound every sample of their slice, a sine's spectrogram peaks in
 * its frequency's row, levels stay in 0–1 with the loudest bin at 1.
 */
import { describe, expect, it } from 'vitest';
import { levelColour, peaksPath, spectrogramImage, VIEW_FFT, waveformPeaks } from '../../src/app/sound-pictures.js';

describe('waveformPeaks', () => {
  it('gives the min and max of each slice', () => {
    const a = new Float32Array([0, 0.5, -0.25, 1, -1, 0.25, 0.125, 0.375]); // exact in float32
    expect([...waveformPeaks(a, 4)]).toEqual([0, 0.5, -0.25, 1, -1, 0.25, 0.125, 0.375]);
    expect([...waveformPeaks(a, 2)]).toEqual([-0.25, 1, -1, 0.375]);
    expect([...waveformPeaks(a, 1)]).toEqual([-1, 1]);
  });

  it('fills every column when there are more columns than samples, and rejects bad counts', () => {
    const p = waveformPeaks(new Float32Array([0.5, -0.5]), 5);
    expect(p).toHaveLength(10);
    expect([...p].every((v) => v === 0.5 || v === -0.5)).toBe(true);
    expect([...waveformPeaks(new Float32Array(0), 3)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => waveformPeaks(new Float32Array(4), 0)).toThrow('columns must be a positive integer, got 0');
  });

  it('draws one vertical stroke per column, full height at ±1', () => {
    const d = peaksPath(new Float32Array([-1, 1, 0, 0]), 10, 20);
    expect(d).toBe('M2.5 0.0V20.0M7.5 9.8V10.3');
  });
});

describe('spectrogramImage', () => {
  it('puts a sine in the row of its frequency, loudest = 1, floor = 0', () => {
    const sr = 44100;
    const bin = 40; // 40 × 44100 / 512 = 3445 Hz, exactly on a bin
    const f = (bin * sr) / VIEW_FFT;
    const a = new Float32Array(8192).map((_, i) => Math.sin((2 * Math.PI * f * i) / sr));
    const img = spectrogramImage(a);
    expect(img.height).toBe(VIEW_FFT / 2 + 1);
    expect(img.width).toBe(Math.floor(8192 / 256) + 1);
    const mid = Math.floor(img.width / 2);
    let best = -1;
    let bestRow = -1;
    for (let y = 0; y < img.height; y++) {
      const v = img.level[y * img.width + mid]!;
      if (v > best) [best, bestRow] = [v, y];
    }
    expect(img.height - 1 - bestRow).toBe(bin); // row 0 is the top (highest bin)
    expect(Math.max(...img.level)).toBeCloseTo(1, 6);
    expect(Math.min(...img.level)).toBeGreaterThanOrEqual(0);
    expect(img.level[(img.height - 1 - 200) * img.width + mid]).toBeLessThan(0.3); // far from the sine: near the floor
  });

  it('maps levels to colours from dark to light', () => {
    expect(levelColour(0)).toEqual([20, 24, 27]);
    expect(levelColour(1)).toEqual([255, 240, 200]);
    const sum = (c: number[]) => c.reduce((a, b) => a + b, 0);
    expect(sum(levelColour(0.6))).toBeGreaterThan(sum(levelColour(0.3)));
    expect(spectrogramImage(new Float32Array(0))).toEqual({ width: 0, height: 0, level: new Float32Array(0) });
  });
});
