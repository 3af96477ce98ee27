#!/usr/bin/env python3
"""Spectrogram grid of generated one-shots for scripts/report-samples.ts.

usage: plot-samples.py <dir with audio.npy + meta.json> <out.png>
audio.npy: float32 [rows, columns, samples]; meta.json: {sampleRate, title, rows: [labels], columns: [labels]}.
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
    frames = np.stack([x[i * hop: i * hop + n_fft] * win for i in range(n)])
    mag = np.abs(np.fft.rfft(frames, axis=1)) * 4 / n_fft
    return 20 * np.log10(np.maximum(mag, 10 ** (-90 / 20))).T


def main():
    d, out = sys.argv[1], sys.argv[2]
    audio = np.load(f"{d}/audio.npy")
    meta = json.load(open(f"{d}/meta.json"))
    sr = meta["sampleRate"]
    rows, cols = audio.shape[0], audio.shape[1]
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols + 1.2, 1.3 * rows + 0.8), squeeze=False,
                             sharex=True, sharey=True, constrained_layout=True)
    n_fft, hop = 1024, 128
    im = None
    for i in range(rows):
        for j in range(cols):
            ax = axes[i][j]
            s = spec_db(audio[i, j].astype(np.float64), n_fft, hop)
            t = np.arange(s.shape[1] + 1) * hop / sr
            f = (np.arange(s.shape[0] + 1) - 0.5) * sr / n_fft
            f[0] = 1.0
            im = ax.pcolormesh(t, f, s, vmin=-90, vmax=0, cmap="magma", shading="flat", rasterized=True)
            ax.set_yscale("log")
            ax.set_ylim(30, sr / 2)
            ax.set_yticks([100, 1000, 10000])
            ax.set_yticklabels(["100", "1k", "10k"])
            if j == 0:
                ax.set_ylabel(f"{meta['rows'][i]}\nHz", fontsize=8)
            if i == 0:
                ax.set_title(meta["columns"][j], fontsize=8)
            if i == rows - 1:
                ax.set_xlabel("s", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(meta.get("title", ""), fontsize=10)
    fig.colorbar(im, ax=axes, shrink=0.4, label="dB re full-scale sine")
    fig.savefig(out, dpi=72)


if __name__ == "__main__":
    main()
