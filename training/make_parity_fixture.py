"""Build the PyTorch <-> TypeScript parity fixture in test/fixtures/parity/.

  /usr/bin/python3 -m training.make_parity_fixture [--out test/fixtures/parity]

A TINY drums-style model (channels 8,16,24, embed 16, groups 4, heads 2, nMels 16,
nFrames 8, condDim 16) with seeded random weights (GroupNorm affine and conv_out
non-trivial too), exported in plain float32 (no quantization), plus io.json with
inputs and the PyTorch float32 output. Deterministic: rerunning rewrites the same files.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import torch

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from training import data as D  # noqa: E402
    from training import export as E  # noqa: E402
    from training import model as M  # noqa: E402
else:
    from . import data as D  # noqa: E402
    from . import export as E  # noqa: E402
    from . import model as M  # noqa: E402

SEED = 1234
ARCH = {'channels': [8, 16, 24], 'embedDim': 16, 'groups': 4, 'heads': 2, 'condDim': 16,
        'nMels': 16, 'nFrames': 8, 'dataMean': -0.5, 'dataStd': 0.5}
DESC_STATS = {'mean': [11.0, -1.5, 0.4, 0.3], 'std': [1.2, 0.9, 0.25, 0.2]}


def build_random_model() -> M.UNet1D:
    torch.manual_seed(SEED)
    model = M.build_model(ARCH)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('.weight') and p.dim() == 1:  # GroupNorm scale
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif name.endswith('.bias'):
                p.copy_(0.1 * torch.randn_like(p))
        # conv_out is zero-initialised for training; give it real values here.
        model.conv_out.weight.copy_(torch.randn_like(model.conv_out.weight) / (3 * ARCH['channels'][0]) ** 0.5)
        model.conv_out.bias.copy_(0.1 * torch.randn_like(model.conv_out.bias))
    return model.eval()


def r32(a) -> list:
    """Tensor -> nested lists of float32 values (as JSON doubles, exactly representable)."""
    return torch.as_tensor(a).to(torch.float32).tolist()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--out', default='test/fixtures/parity')
    a = p.parse_args(argv)
    out = a.out
    os.makedirs(out, exist_ok=True)

    model = build_random_model()
    arch = dict(ARCH, params=M.count_params(model))
    rep = dict(D.REPRESENTATIONS['drums'], nMels=ARCH['nMels'], nFrames=ARCH['nFrames'])
    training = {'steps': 0, 'valLoss': 0.0, 'trainItems': 0, 'valItems': 0, 'sources': E.SOURCES,
                'date': '2025-01-01T00:00:00Z', 'note': 'random weights: parity fixture, not a trained model'}
    config = E.make_config('drums', arch, DESC_STATS, rep, training)
    E.export_model(model, config, out, float16=False)

    # Inputs. Row 0: class 2 + descriptors given; row 1: class 7 given, descriptors dropped.
    g = torch.Generator().manual_seed(SEED + 1)
    x = torch.randn(2, ARCH['nMels'], ARCH['nFrames'], generator=g)
    t = torch.tensor([0.3, 0.85])
    labels = {'class': torch.tensor([2, 7]),
              'descriptors': torch.tensor([[12.1, -2.0, 0.7, 0.1], [9.5, -0.5, 0.2, 0.6]], dtype=torch.float64)}
    given = {'class': torch.tensor([1, 1]), 'descriptors': torch.tensor([1, 0])}
    cond = M.encode_conditions(config['conditions'], labels, DESC_STATS, given)
    prev = M.CONV_IMPL
    M.CONV_IMPL = 'native'  # reference path: PyTorch's own conv1d
    try:
        with torch.no_grad():
            v = model(x, t, cond)
            v_uncond = model(x, t, torch.zeros_like(cond))
    finally:
        M.CONV_IMPL = prev

    # Round trip through the exported files must be exact (float32).
    back, _ = E.import_model(out)
    with torch.no_grad():
        err = (back(x, t, cond) - v).abs().max().item()
    assert err < 1e-5, f'round trip error {err}'

    ts = torch.tensor([0.0, 0.1, 0.5, 0.9, 1.0], dtype=torch.float64)
    ls = M.log_snr(ts)
    al, si = M.alpha_sigma(ts)

    # A tonal cond-encoding case (no network), to check the TypeScript encoder.
    tonal_conds = M.conditions_for('tonal')
    tonal_labels = {'family': torch.tensor([0, 10]), 'pitch': torch.tensor([60.0, 37.0], dtype=torch.float64),
                    'velocity': torch.tensor([100.0, 64.0], dtype=torch.float64),
                    'descriptors': torch.tensor([[11.0, -1.0, 0.5, 0.2], [10.0, 0.5, 0.1, 0.05]],
                                                dtype=torch.float64)}
    tonal_given = {'family': torch.tensor([1, 1]), 'pitch': torch.tensor([1, 1]),
                   'velocity': torch.tensor([1, 0]), 'descriptors': torch.tensor([1, 1])}
    tonal_cond = M.encode_conditions(tonal_conds, tonal_labels, DESC_STATS, tonal_given)

    io = {
        'description': ('Parity fixture for docs/model-spec.md: tiny random drums-style model (model.json, '
                        'group1-shard1of1.bin float32, config.json in this folder). v = model(x, t, cond) '
                        'computed by PyTorch in float32. Tolerance: max abs error <= 1e-4.'),
        'layout': ('x, v, vUncond: PyTorch layout [B, C = nMels, T = nFrames], nested lists x[b][mel][frame]; '
                   'for a tfjs [B, T, C] network transpose axes (0, 2, 1). t: [B]. cond: [B, condDim] in '
                   'config.conditions order (values then flag per condition).'),
        'shapes': {'x': list(x.shape), 't': list(t.shape), 'cond': list(cond.shape), 'v': list(v.shape),
                   'vUncond': list(v.shape)},
        'x': r32(x),
        't': r32(t),
        'cond': r32(cond),
        'labels': [{'class': 2, 'descriptors': labels['descriptors'][0].tolist()},
                   {'class': 7}],
        'v': r32(v),
        'vUncond': r32(v_uncond),
        'vUncondNote': 'model(x, t, zeros(condDim)): the unconditional output',
        'schedule': {'t': ts.tolist(), 'logSnr': ls.tolist(), 'alpha': al.tolist(), 'sigma': si.tolist(),
                     'note': 'float64 values of logSNR(t), alpha(t), sigma(t) (spec section 3)'},
        'tonalCondCases': {
            'conditions': tonal_conds,
            'descriptorStats': DESC_STATS,
            'labels': [{'family': 0, 'pitch': 60, 'velocity': 100, 'descriptors': [11.0, -1.0, 0.5, 0.2]},
                       {'family': 10, 'pitch': 37, 'descriptors': [10.0, 0.5, 0.1, 0.05]}],
            'note': 'missing label = dropped condition (row 1: velocity dropped)',
            'cond': r32(tonal_cond),
        },
    }
    E.write_json(os.path.join(out, 'io.json'), io, indent=None)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f'parity fixture: {arch["params"]} params, |v| max {v.abs().max().item():.3f}, '
          f'{size / 1024:.1f} KiB in {out}')


if __name__ == '__main__':
    main()
