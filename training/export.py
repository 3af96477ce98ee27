"""Export a trained run to TensorFlow.js weights + config.json (docs/model-spec.md §5).

  /usr/bin/python3 -m training.export --run training/runs/drums --out models/drums [--float32]

Writes <out>/model.json, <out>/group1-shard{i}of{n}.bin (each <= 4 MiB) and <out>/config.json
from the EMA weights. Default storage is IEEE float16 little-endian, declared per weight as
"dtype": "float32", "quantization": {"dtype": "float16"} (tfjs io.decodeWeights dequantizes it).
`import_model(dir)` reads such a folder back into a PyTorch model.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from training import data as D  # noqa: E402
    from training import model as M  # noqa: E402
    from training.train import load_checkpoint  # noqa: E402
else:
    from . import data as D  # noqa: E402
    from . import model as M  # noqa: E402
    from .train import load_checkpoint  # noqa: E402

FORMAT = 'oneshot-diffusion-unet1d'
SHARD_BYTES = 4 * 1024 * 1024
SOURCES = ['hydrogen-drumkits', 'fluid-soundfont-gm']



def _read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()

def to_tfjs_layout(t: torch.Tensor) -> np.ndarray:
    """Conv [cout, cin, k] -> [k, cin, cout]; Linear [out, in] -> [in, out]; 1-D unchanged."""
    a = t.detach().cpu().to(torch.float32).numpy()
    if a.ndim == 3:
        return np.ascontiguousarray(a.transpose(2, 1, 0))
    if a.ndim == 2:
        return np.ascontiguousarray(a.T)
    return np.ascontiguousarray(a)


def from_tfjs_layout(a: np.ndarray) -> torch.Tensor:
    if a.ndim == 3:
        a = a.transpose(2, 1, 0)
    elif a.ndim == 2:
        a = a.T
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))


def write_weights(state: Dict[str, torch.Tensor], out_dir: str, float16: bool = True,
                  shard_bytes: int = SHARD_BYTES) -> Dict:
    """Writes the .bin shards, returns the model.json object."""
    os.makedirs(out_dir, exist_ok=True)
    specs: List[Dict] = []
    chunks: List[bytes] = []
    for name, t in state.items():
        a = to_tfjs_layout(t)
        if float16:
            if np.abs(a).max(initial=0.0) > 65504:
                raise ValueError(f'{name}: value out of float16 range')
            chunks.append(a.astype('<f2').tobytes())
            specs.append({'name': name, 'shape': list(a.shape), 'dtype': 'float32',
                          'quantization': {'dtype': 'float16'}})
        else:
            chunks.append(a.astype('<f4').tobytes())
            specs.append({'name': name, 'shape': list(a.shape), 'dtype': 'float32'})
    blob = b''.join(chunks)
    n = max(1, -(-len(blob) // shard_bytes))
    for old in os.listdir(out_dir):  # stale shards of a previous export
        if old.startswith('group1-shard') and old.endswith('.bin'):
            os.remove(os.path.join(out_dir, old))
    paths = []
    for i in range(n):
        p = f'group1-shard{i + 1}of{n}.bin'
        with open(os.path.join(out_dir, p), 'wb') as f:
            f.write(blob[i * shard_bytes:(i + 1) * shard_bytes])
        paths.append(p)
    manifest = {'format': FORMAT, 'version': 1, 'weightsManifest': [{'paths': paths, 'weights': specs}]}
    write_json(os.path.join(out_dir, 'model.json'), manifest, indent=None)
    return manifest


def write_json(path: str, obj, indent: Optional[int] = 2) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=indent)
        f.write('\n')
    os.replace(tmp, path)


def make_config(kind: str, arch: Dict, descriptor_stats: Dict, representation: Dict, training: Dict,
                sampler_steps: int = 10, guidance: float = 3.0) -> Dict:
    return {
        'version': 1,
        'kind': kind,
        'representation': representation,
        'architecture': {
            'channels': [int(c) for c in arch['channels']], 'embedDim': int(arch['embedDim']),
            'groups': int(arch['groups']), 'heads': int(arch['heads']), 'condDim': int(arch['condDim']),
            'nMels': int(arch['nMels']), 'nFrames': int(arch['nFrames']),
            'dataMean': float(arch['dataMean']), 'dataStd': float(arch['dataStd']), 'params': int(arch['params']),
        },
        'conditions': M.conditions_for(kind),
        'classes': M.classes_for(kind),
        'descriptorStats': dict({'mean': [float(v) for v in descriptor_stats['mean']],
                                 'std': [float(v) for v in descriptor_stats['std']]},
                                **({'transform': list(descriptor_stats['transform'])}
                                   if descriptor_stats.get('transform') else {})),
        'schedule': {'type': 'cosine-logsnr', 'logSnrMin': M.LOG_SNR_MIN, 'logSnrMax': M.LOG_SNR_MAX},
        'sampler': {'name': 'dpmpp-2m', 'steps': int(sampler_steps), 'guidance': float(guidance)},
        'training': training,
    }


def export_model(model: torch.nn.Module, config: Dict, out_dir: str, float16: bool = True) -> Dict:
    """Writes model.json + shards + config.json for a model (its current weights)."""
    state = OrderedDict((k, v) for k, v in model.state_dict().items())
    manifest = write_weights(state, out_dir, float16=float16)
    write_json(os.path.join(out_dir, 'config.json'), config)
    return manifest


def _float16_decode(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype='<f2').astype(np.float32)


def read_weights(model_dir: str) -> 'OrderedDict[str, torch.Tensor]':
    """model.json + .bin shards -> PyTorch-layout float32 state dict."""
    with open(os.path.join(model_dir, 'model.json')) as f:
        manifest = json.load(f)
    state: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    for group in manifest['weightsManifest']:
        blob = b''.join(_read_bytes(os.path.join(model_dir, p)) for p in group['paths'])
        off = 0
        for w in group['weights']:
            n = int(np.prod(w['shape'])) if w['shape'] else 1
            q = (w.get('quantization') or {}).get('dtype')
            if q == 'float16':
                a = _float16_decode(blob[off:off + 2 * n])
                off += 2 * n
            elif q is None and w['dtype'] == 'float32':
                a = np.frombuffer(blob[off:off + 4 * n], dtype='<f4').astype(np.float32)
                off += 4 * n
            else:
                raise ValueError(f'{w["name"]}: unsupported dtype/quantization {w["dtype"]}/{q}')
            state[w['name']] = from_tfjs_layout(a.reshape(w['shape']))
        if off != len(blob):
            raise ValueError(f'{model_dir}: {len(blob) - off} trailing bytes in weight shards')
    return state


def import_model(model_dir: str) -> Tuple[M.UNet1D, Dict]:
    """Reads an exported folder back into a float32 PyTorch model (eval mode) + its config."""
    with open(os.path.join(model_dir, 'config.json')) as f:
        config = json.load(f)
    model = M.build_model(config['architecture'])
    model.load_state_dict(read_weights(model_dir), strict=True)
    model.eval()
    return model, config


def class_descriptor_stats(data_dir: Optional[str], kind: str,
                           transform: Optional[List[str]] = None) -> Optional[Dict[str, Dict[str, List[float]]]]:
    """Per class (drums) or family (tonal): mean/std of the descriptors on the train split, in the
    scale of the model's descriptorStats (its transform, when it has one).

    The prompt module measures "bright kick" from the kicks' own brightness, not from the
    all-drums mean (a kick's centroid is ~3 octaves below a hat's). None when the shards
    are not on this machine (exporting a run copied from elsewhere).
    """
    path = os.path.join(data_dir or '', f'{kind}_train.json')
    if not data_dir or not os.path.exists(path):
        return None
    with open(path) as f:
        items = json.load(f)['items']
    key = 'class' if kind == 'drums' else 'family'
    names = M.DRUM_CLASSES if kind == 'drums' else M.GM_FAMILIES
    out = {}
    for i, name in enumerate(names):
        group = [it for it in items if int(it[key]) == i]
        if group:
            st = D.descriptor_stats(group, transform)
            out[name] = {'mean': st['mean'], 'std': st['std']}
    return out


def settings_from(config_path: str, kind: str) -> Dict:
    """The `sampler` block (and `vocoder`, when present) of an exported config.json, for a re-export
    that keeps its tuned settings (per-class guidance, lowestPitch, the harmonic prior: decisions
    measured on generated audio, not training outputs)."""
    try:
        with open(config_path) as f:
            cfg = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f'--sampler-from: {config_path}: {e}')
    if cfg.get('kind') != kind:
        raise SystemExit(f'--sampler-from: {config_path} is a {cfg.get("kind")!r} model, this run is {kind!r}')
    sampler = cfg.get('sampler')
    if not isinstance(sampler, dict) or 'name' not in sampler:
        raise SystemExit(f'--sampler-from: {config_path}: no sampler block')
    out = {'sampler': sampler}
    if 'vocoder' in cfg:
        if not isinstance(cfg['vocoder'], dict):
            raise SystemExit(f'--sampler-from: {config_path}: vocoder: expected an object')
        out['vocoder'] = cfg['vocoder']
    return out


def export_run(run: str, out: str, float16: bool = True, sampler_steps: int = 10, guidance: float = 3.0,
               sampler_config: str = '') -> Dict:
    """Export a run's EMA weights; sampler_config: a config.json whose sampler and vocoder blocks to keep (settings_from)."""
    ck = load_checkpoint(os.path.join(run, 'ckpt.pt'))
    arch = dict(ck['arch'])
    model = M.build_model(arch)
    model.load_state_dict(ck['ema'])
    arch['params'] = M.count_params(model)
    args = ck['args']
    kind = args['kind']
    counts = ck.get('counts', {})
    training = {
        'steps': int(ck['step']),
        'valLoss': None if ck.get('last_val') is None else float(ck['last_val']),
        'trainItems': int(counts.get('train', 0)),
        'valItems': int(counts.get('val', 0)),
        'sources': SOURCES,
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'batch': int(args['batch']), 'lr': float(args['lr']), 'ema': float(args['ema']),
        'trainSeconds': round(float(ck.get('elapsed', 0.0)), 1),
        'pitchLabels': args.get('pitch_labels', 'key'),
    }
    if ck.get('init'):
        # A fine-tune: 'steps' counts its own steps; 'init' names the run it started from and its steps.
        training['init'] = {'from': str(ck['init']['path']), 'steps': int(ck['init']['steps'])}
    class_stats = class_descriptor_stats(args.get('data'), kind, ck['stats']['descriptorStats'].get('transform'))
    if class_stats is not None:
        training['classDescriptorStats'] = class_stats
    rep = D.representation(kind, args.get('data'))
    rep['nMels'], rep['nFrames'] = int(arch['nMels']), int(arch['nFrames'])
    config = make_config(kind, arch, ck['stats']['descriptorStats'], rep, training, sampler_steps, guidance)
    if sampler_config:
        config.update(json.loads(json.dumps(settings_from(sampler_config, kind))))
    export_model(model, config, out, float16=float16)
    return config


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--float32', action='store_true', help='store float32 instead of float16')
    p.add_argument('--sampler-steps', type=int, default=10)
    p.add_argument('--guidance', type=float, default=3.0)
    p.add_argument('--sampler-from', default='',
                   help="copy the sampler block (steps, guidance, classGuidance, lowestPitch) and the vocoder block "
                        "(harmonicPrior) from this config.json, "
                        "e.g. the shipped model's, instead of --sampler-steps/--guidance")
    a = p.parse_args(argv)
    cfg = export_run(a.run, a.out, float16=not a.float32, sampler_steps=a.sampler_steps, guidance=a.guidance,
                     sampler_config=a.sampler_from)
    size = sum(os.path.getsize(os.path.join(a.out, f)) for f in os.listdir(a.out) if f.endswith('.bin'))
    print(f'exported {cfg["kind"]} ({cfg["architecture"]["params"]:,} params, step {cfg["training"]["steps"]}, '
          f'val loss {cfg["training"]["valLoss"]}) to {a.out}: {size / 1e6:.2f} MB of weights', flush=True)


if __name__ == '__main__':
    main()
