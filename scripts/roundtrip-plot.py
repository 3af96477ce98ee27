#!/usr/bin/env python3
"""Figure for scripts/bench-roundtrip.ts: original vs round-trip spectrograms.

usage: roundtrip-plot.py <dir with audio.npy + meta.json> <out.png>
audio.npy is float32 [rows, columns, samples]; meta.json names rows and columns.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def spec_db(x, n_fft=1024, hop=128):
    pad = n_fft // 2
    x = np.pad(x, pad, mode="reflect")
    n = 1 + (len(x) - n_fft) // hop
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    frames = np.stack([x[i * hop : i * hop + n_fft] * win for i in range(n)])
    mag = np.abs(np.fft.rfft(frames, axis=1)) * 4 / n_fft
    return 20 * np.log10(np.maximum(mag, 10 ** (-90 / 20))).T


def main():
    d, out = sys.argv[1], sys.argv[2]
    audio = np.load(f"{d}/audio.npy")
    meta = json.load(open(f"{d}/meta.json"))
    sr = meta["sampleRate"]
    rows, cols = audio.shape[0], audio.shape[1]
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols + 1.2, 1.45 * rows + 0.6), squeeze=False, sharex=True, sharey=True, constrained_layout=True)
    n_fft, hop = 1024, 128
    # Log-frequency rows (30 Hz to Nyquist), interpolated from the linear STFT bins.
    f_lin = np.arange(n_fft // 2 + 1) * sr / n_fft
    lo, hi = np.log10(30.0), np.log10(sr / 2)
    f_log = 10 ** np.linspace(lo, hi, 200)
    im = None
    for i in range(rows):
        for j in range(cols):
            ax = axes[i][j]
            s = spec_db(audio[i, j].astype(np.float64), n_fft, hop)
            s = np.stack([np.interp(f_log, f_lin, s[:, t]) for t in range(s.shape[1])], axis=1)
            dur = s.shape[1] * hop / sr
            im = ax.imshow(s, origin="lower", aspect="auto", extent=[0, dur, lo, hi], vmin=-90, vmax=0, cmap="magma", interpolation="nearest")
            ax.set_yticks([2, 3, 4])
            ax.set_yticklabels(["100", "1k", "10k"])
            if j == 0:
                ax.set_ylabel(f"{meta['rows'][i]['label']}\nHz", fontsize=8)
            if j > 0:
                ax.text(0.98, 0.92, f"SC {meta['rows'][i]['sc'][j - 1]:.2f}", transform=ax.transAxes, ha="right", va="top", fontsize=7, color="white")
            if i == 0:
                ax.set_title(meta["columns"][j], fontsize=8)
            if i == rows - 1:
                ax.set_xlabel("s", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.colorbar(im, ax=axes, shrink=0.4, label="dB re full-scale sine")
    # Palette PNG: spectrogram noise compresses poorly in RGB; 128 colours keep the file small.
    import io

    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, dpi=80, format="png")
    buf.seek(0)
    Image.open(buf).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


if __name__ == "__main__":
    main()
