"""Sanity check a model: DPM-Solver++(2M) samples per class next to real validation items.

  /usr/bin/python3 -m training.sample --model models/drums --data data/shards --out /tmp/drums.png
  /usr/bin/python3 -m training.sample --run training/runs/drums --data data/shards --out /tmp/drums.png

Same solver and time grid as src/model/sampler.ts (grid uniform in logSNR, first-order last
step below 15 steps). Writes a PNG of mel spectrograms (top: real, bottom: generated per class)
and prints per-class distances between the mean real and mean generated spectra.
"""
from __future__ import annotations

import argparse
import math
import os
import sys

import torch

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from training import data as D  # noqa: E402
    from training import export as E  # noqa: E402
    from training import model as M  # noqa: E402
    from training.train import load_checkpoint  # noqa: E402
else:
    from . import data as D  # noqa: E402
    from . import export as E  # noqa: E402
    from . import model as M  # noqa: E402
    from .train import load_checkpoint  # noqa: E402


def time_at_log_snr(ls: float) -> float:
    a, b = M._ab()
    return (math.atan(math.exp(-ls / 2)) - b) / a


def time_grid(steps: int):
    ts = [time_at_log_snr(M.LOG_SNR_MIN + (M.LOG_SNR_MAX - M.LOG_SNR_MIN) * i / steps) for i in range(steps + 1)]
    ts[0], ts[-1] = 1.0, 0.0
    return ts


@torch.no_grad()
def sample(model, cond: torch.Tensor, n_mels: int, n_frames: int, steps: int = 10, guidance: float = 3.0,
           seed: int = 0) -> torch.Tensor:
    """x0 [B, nMels, nFrames] in data space (normalized), float64 solver state."""
    b = cond.shape[0]
    x = torch.randn(b, n_mels, n_frames, generator=torch.Generator().manual_seed(seed)).double()
    ts = time_grid(steps)
    pts = []
    for t in ts:
        ls = M.log_snr(torch.tensor(t, dtype=torch.float64))
        pts.append((t, float(torch.sqrt(torch.sigmoid(ls))), float(torch.sqrt(torch.sigmoid(-ls))), float(ls) / 2))
    prev_x0, prev_h = None, 0.0
    for i in range(steps):
        (t, a_s, s_s, l_s), (_, a_n, s_n, l_n) = pts[i], pts[i + 1]
        tt = torch.full((b,), t)
        xin = x.float()
        if guidance == 1.0:
            v = model(xin, tt, cond).double()
        else:
            vv = model(torch.cat([xin, xin]), torch.cat([tt, tt]), torch.cat([cond, torch.zeros_like(cond)])).double()
            v = vv[b:] + guidance * (vv[:b] - vv[b:])
        x0 = a_s * x - s_s * v
        h = l_n - l_s
        c = -a_n * math.expm1(-h)
        if prev_x0 is None or (i == steps - 1 and steps < 15):
            x = (s_n / s_s) * x + c * x0
        else:
            r = prev_h / h
            x = (s_n / s_s) * x + c * ((1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev_x0)
        prev_x0, prev_h = x0, h
    return x.float()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument('--model', help='exported model folder')
    g.add_argument('--run', help='training run folder (EMA weights of ckpt.pt)')
    p.add_argument('--data', default='data/shards')
    p.add_argument('--split', default='val')
    p.add_argument('--out', required=True, help='PNG path')
    p.add_argument('--per-class', type=int, default=4)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--guidance', type=float, default=3.0)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.model:
        model, cfg = E.import_model(a.model)
        kind, arch, dstats = cfg['kind'], cfg['architecture'], cfg['descriptorStats']
    else:
        ck = load_checkpoint(os.path.join(a.run, 'ckpt.pt'))
        arch, kind, dstats = ck['arch'], ck['args']['kind'], ck['stats']['descriptorStats']
        model = M.build_model(arch)
        model.load_state_dict(ck['ema'])
        model.eval()
    stats = {'dataMean': arch['dataMean'], 'dataStd': arch['dataStd'], 'descriptorStats': dstats}
    split = D.Split(a.data, kind, a.split, stats)
    key = 'class' if kind == 'drums' else 'family'
    labels = torch.tensor([int(it[key]) for it in split.items])
    classes = M.classes_for(kind)
    real_rows, conds, names = [], [], []
    for k, name in enumerate(classes):
        idx = (labels == k).nonzero().flatten()[:a.per_class]
        if idx.numel() == 0:
            continue
        real_rows.append(split.x[idx])
        conds.append(split.cond[idx])  # the real items' own conditions (class + descriptors ...)
        names.append(name)
    cond = torch.cat(conds)
    gen = sample(model, cond, int(arch['nMels']), int(arch['nFrames']), a.steps, a.guidance)
    real = torch.cat(real_rows)
    to_feat = lambda z: z * arch['dataStd'] + arch['dataMean']  # noqa: E731
    o = 0
    for name, r in zip(names, real_rows):
        n = r.shape[0]
        d = float((to_feat(real[o:o + n]).mean(0) - to_feat(gen[o:o + n]).mean(0)).abs().mean())
        print(f'{name:22s} n={n}  |mean real - mean generated| = {d:.3f} (feature units, range [-1, 1]); '
              f'generated range [{float(to_feat(gen[o:o + n]).min()):.2f}, {float(to_feat(gen[o:o + n]).max()):.2f}]')
        o += n
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    n = real.shape[0]
    cols = min(n, 40)
    fig, axes = plt.subplots(2, cols, figsize=(cols * 0.9, 4), squeeze=False)
    for i in range(cols):
        for row, src in enumerate((real, gen)):
            ax = axes[row][i]
            ax.imshow(to_feat(src[i]).numpy(), origin='lower', aspect='auto', vmin=-1, vmax=1, cmap='magma')
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0][i].set_title(names[i // a.per_class][:8] if i % a.per_class == 0 and i // a.per_class < len(names)
                             else '', fontsize=6)
    axes[0][0].set_ylabel('real', fontsize=7)
    axes[1][0].set_ylabel('generated', fontsize=7)
    fig.tight_layout()
    fig.savefig(a.out, dpi=80)
    print(f'wrote {a.out}')


if __name__ == '__main__':
    main()
