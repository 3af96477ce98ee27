"""Dataset shards (docs/model-spec.md §1): loading, statistics, condition vectors."""
from __future__ import annotations

import json
import math
import os
from typing import Dict, List, Optional

import numpy as np
import torch

from .model import conditions_for, encode_conditions, transform_descriptors

# Mirrors src/dsp/config.ts (used when data/manifest.json does not carry them).
_BASE = dict(sampleRate=44100, nFft=2048, hop=512, nMels=128, fMin=20, fMax=22050, floorDb=-90, ceilDb=10)
REPRESENTATIONS = {
    'drums': dict(_BASE, nFrames=64),
    'tonal': dict(_BASE, nFrames=128),
}


def representation(kind: str, data_dir: Optional[str] = None) -> Dict:
    """config.representation: from <data>/../manifest.json when present, else src/dsp/config.ts defaults."""
    if data_dir:
        for p in (os.path.join(data_dir, '..', 'manifest.json'), os.path.join(data_dir, 'manifest.json')):
            if os.path.exists(p):
                try:
                    with open(p) as f:
                        reps = json.load(f).get('representations', {})
                    if kind in reps:
                        return dict(reps[kind])
                except (OSError, ValueError):
                    pass
    return dict(REPRESENTATIONS[kind])


def load_split(data_dir: str, kind: str, split: str):
    """Returns (features float32 ndarray [N, nMels, nFrames], items list)."""
    stem = os.path.join(data_dir, f'{kind}_{split}')
    x = np.load(stem + '.npy', mmap_mode='r')
    with open(stem + '.json') as f:
        items = json.load(f)['items']
    if x.ndim != 3 or x.shape[0] != len(items):
        raise ValueError(f'{stem}: npy shape {x.shape} does not match {len(items)} json items')
    return np.array(x, dtype=np.float32, order='C'), items  # copy into RAM (writable)


def feature_stats(x: np.ndarray) -> Dict[str, float]:
    """Scalar mean/std over every value of the train split (float64 accumulation)."""
    n = x.size
    s = 0.0
    s2 = 0.0
    for i in range(0, x.shape[0], 512):  # chunked, no float64 copy of the whole array
        c = x[i:i + 512].astype(np.float64)
        s += float(c.sum())
        s2 += float((c * c).sum())
    mean = s / n
    var = max(s2 / n - mean * mean, 0.0)
    return {'dataMean': mean, 'dataStd': max(math.sqrt(var), 1e-6)}


def descriptor_stats(items: List[Dict], transform: Optional[List[str]] = None) -> Dict[str, List]:
    """Mean/std of the descriptors in the scale the condition standardizes them in
    (model.transform_descriptors); 'transform' is kept only when some descriptor is not identity."""
    raw = torch.tensor([it['descriptors'] for it in items], dtype=torch.float64)
    d = transform_descriptors(raw, transform).numpy()
    mean, std = [], []
    for j in range(d.shape[1]):
        col = d[:, j][np.isfinite(d[:, j])]
        m = float(col.mean()) if col.size else 0.0
        s = float(col.std()) if col.size > 1 else 1.0
        mean.append(m)
        std.append(s if s > 1e-6 else 1.0)
    out: Dict[str, List] = {'mean': mean, 'std': std}
    if transform:
        out['transform'] = list(transform)
    return out


def labels_of(kind: str, items: List[Dict]) -> Dict[str, torch.Tensor]:
    desc = torch.tensor([it['descriptors'] for it in items], dtype=torch.float64)
    if kind == 'drums':
        return {'class': torch.tensor([int(it['class']) for it in items]), 'descriptors': desc}
    fam = [int(it['family']) if it.get('family') is not None else int(it['program']) // 8 for it in items]
    return {
        'family': torch.tensor(fam),
        'pitch': torch.tensor([float(it['pitch']) for it in items], dtype=torch.float64),
        'velocity': torch.tensor([float(it['velocity']) for it in items], dtype=torch.float64),
        'descriptors': desc,
    }


PITCH_LABELS_VERSION = 1  # scripts/pitch-labels.ts writes this version
PITCH_LABELS = ('key', 'measured')


def apply_pitch_labels(data_dir: str, kind: str, split: str, items: List[Dict], mode: str) -> List[Dict]:
    """Items with 'pitch' replaced by the measured label (fractional MIDI) when mode is 'measured'.

    'key' (default) trains on the key each note was rendered on; 'measured' on the pitch it sounds at
    (key + measured cents, <data>/<kind>_<split>.pitch.json from `npm run dataset:pitch`), so a model
    trained on detuned samples still plays the asked note (src/dataset/pitch-label.ts).
    """
    if mode == 'key' or kind != 'tonal':
        return items
    if mode not in PITCH_LABELS:
        raise ValueError(f'--pitch-labels: unknown mode "{mode}" (key, measured)')
    path = os.path.join(data_dir, f'{kind}_{split}.pitch.json')
    if not os.path.exists(path):
        raise ValueError(f'{path} is missing (run npm run dataset:pitch)')
    with open(path) as f:
        doc = json.load(f)
    if doc.get('version') != PITCH_LABELS_VERSION:
        raise ValueError(f'{path}: version {doc.get("version")!r}, this trainer reads {PITCH_LABELS_VERSION} '
                         '(rerun npm run dataset:pitch)')
    labels = doc.get('items')
    if not isinstance(labels, list) or len(labels) != len(items):
        raise ValueError(f'{path}: {len(labels) if isinstance(labels, list) else "no"} items for '
                         f'{len(items)} shard items (rerun npm run dataset:pitch)')
    out = []
    for i, (it, lab) in enumerate(zip(items, labels)):
        if float(lab.get('key', math.nan)) != float(it['pitch']):
            raise ValueError(f'{path}: item {i}: key {lab.get("key")!r} but the shard says pitch {it["pitch"]} '
                             '(rerun npm run dataset:pitch)')
        label = float(lab['label'])
        if not math.isfinite(label) or abs(label - float(it['pitch'])) > 1.0:
            raise ValueError(f'{path}: item {i}: label {lab["label"]!r} is not within a semitone of key {it["pitch"]}')
        out.append(dict(it, pitch=label))
    return out


class Split:
    """One split in memory, in data space: x [N, nMels, nFrames] (normalized), cond [N, condDim] (all given)."""

    def __init__(self, data_dir: str, kind: str, split: str, stats: Dict, pitch_labels: str = 'key'):
        feats, items = load_split(data_dir, kind, split)
        items = apply_pitch_labels(data_dir, kind, split, items, pitch_labels)
        if not np.isfinite(feats).all():
            raise ValueError(f'{kind}_{split}: non-finite feature values')
        self.items = items
        self.x = (torch.from_numpy(feats) - stats['dataMean']) / stats['dataStd']
        self.cond = encode_conditions(conditions_for(kind), labels_of(kind, items), stats['descriptorStats'])

    def __len__(self) -> int:
        return self.x.shape[0]


def compute_stats(data_dir: str, kind: str, descriptor_transform: Optional[List[str]] = None) -> Dict:
    feats, items = load_split(data_dir, kind, 'train')
    st = feature_stats(feats)
    st['descriptorStats'] = descriptor_stats(items, descriptor_transform)
    st['nMels'] = int(feats.shape[1])
    st['nFrames'] = int(feats.shape[2])
    return st


def write_synthetic(data_dir: str, kind: str, n: Dict[str, int], n_mels: int = 128, n_frames: Optional[int] = None,
                    seed: int = 0) -> None:
    """Synthetic shards with the real layout (for tests and benchmarks): decaying noisy spectra."""
    os.makedirs(data_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_frames = n_frames or REPRESENTATIONS[kind]['nFrames']
    for split, count in n.items():
        cls = rng.integers(0, 10 if kind == 'drums' else 16, count)
        decay = rng.uniform(0.02, 0.3, count)
        tilt = rng.uniform(-1, 1, count)
        t = np.arange(n_frames)[None, None, :]
        m = np.linspace(-1, 1, n_mels)[None, :, None]
        env = np.exp(-decay[:, None, None] * t) * (1 + 0.3 * tilt[:, None, None] * m)
        x = np.clip(env * 1.6 - 0.9 + 0.05 * rng.standard_normal((count, n_mels, n_frames)), -1, 1)
        x = x.astype(np.float32)
        np.save(os.path.join(data_dir, f'{kind}_{split}.npy'), x)
        items = []
        for i in range(count):
            desc = [float(10 + 2 * tilt[i]), float(np.log2(4.6 / decay[i] * 512 / 44100)), float(rng.uniform()),
                    float(rng.uniform())]
            if kind == 'drums':
                items.append({'id': f'{split}-{i}', 'class': int(cls[i]), 'descriptors': desc})
            else:
                prog = int(cls[i]) * 8 + int(rng.integers(0, 8))
                items.append({'id': f'{split}-{i}', 'family': int(cls[i]), 'program': prog,
                              'pitch': int(rng.integers(24, 100)), 'velocity': int(rng.choice([64, 112])),
                              'descriptors': desc})
        with open(os.path.join(data_dir, f'{kind}_{split}.json'), 'w') as f:
            json.dump({'items': items}, f)
