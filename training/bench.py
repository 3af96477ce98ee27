"""Measure training steps/s (forward + backward + AdamW + EMA) on synthetic data.

  /usr/bin/python3 -m training.bench --threads 1 --batch 32 --configs 96,160,224 128,192,256
"""
import argparse
import os
import sys
import time

if __name__ == '__main__':
    n = '1'
    for i, a in enumerate(sys.argv):
        if a == '--threads' and i + 1 < len(sys.argv):
            n = sys.argv[i + 1]
    for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ.setdefault(k, n)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from training import model as M  # noqa: E402


def bench(channels, embed, groups, heads, frames, cond_dim, batch, steps, n_mels=128):
    torch.manual_seed(0)
    m = M.UNet1D(n_mels, channels, embed, groups, heads, cond_dim)
    ema = [p.detach().clone() for p in m.parameters()]
    opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    x = torch.randn(batch, n_mels, frames)
    c = torch.randn(batch, cond_dim)

    def step():
        t = torch.rand(batch)
        xt, v = M.v_loss_terms(x, t, torch.randn_like(x))
        loss = F.mse_loss(m(xt, t, c), v)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema, m.parameters()):
                e.mul_(0.999).add_(p, alpha=0.001)

    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    return M.count_params(m), times[len(times) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--embed', type=int, default=256)
    p.add_argument('--groups', type=int, default=8)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--kinds', default='drums,tonal')
    p.add_argument('--conv', default='auto', help='auto | gemm | native')
    p.add_argument('--configs', nargs='+', default=['128,192,256', '96,160,224', '64,128,192'])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    M.CONV_IMPL = a.conv
    for cfg in a.configs:
        ch = [int(v) for v in cfg.split(',')]
        for kind in a.kinds.split(','):
            frames, cd = (64, 16) if kind == 'drums' else (128, 41)
            n, dt = bench(ch, a.embed, a.groups, a.heads, frames, cd, a.batch, a.steps)
            print(f'{kind:5s} channels {cfg:12s} E{a.embed} params {n / 1e6:.2f}M batch {a.batch} '
                  f'threads {a.threads} conv {a.conv}: {dt * 1000:.0f} ms/step (median), {1 / dt:.2f} steps/s',
                  flush=True)


if __name__ == '__main__':
    main()
