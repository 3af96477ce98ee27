"""Evaluation of generated one-shots against the dataset's real TEST split (issue 4).

Called by `npm run eval` (scripts/eval.ts) after it has generated one-shots with the
shipped TypeScript pipeline and re-analysed their audio into features:

  /usr/bin/python3 -m training.evaluate --data data --gen <dir> --out-json <file> \
      [--grid-png reports/eval-grid.png] [--guidance-png reports/eval-guidance.png] [--quick]
  /usr/bin/python3 -m training.evaluate --data data --prepare       # only train/cache the classifiers

<gen> holds, per kind (drums, tonal), written by scripts/eval.ts:
  gen_<kind>.npy    float32 [N, nMels, nFrames]  generated audio re-analysed (audioToFeature)
  raw_<kind>.npy    float32 [N, nMels, nFrames]  the model's features before the vocoder
  gen_<kind>.json   {"guidanceDefault": w, "items": [{"class", "guidance", "seed", "set", "pitch"?}]}
  voc_<kind>.npy / voc_<kind>.json (optional)    real test rows through the vocoder and re-analysed,
                                                 {"rows": [test row indices]}

What it measures (all in the embedding space of an evaluation classifier: a small 1-D CNN
over frames on the normalized log-mel features, trained on real train+val only, cached in
<data>/eval-cache/ under the manifest's SHA-256, so reruns skip training):
  - classifier accuracy on real test; per class the share of generated samples it assigns to
    the requested class;
  - Frechet distance (penultimate layer) generated vs real test, per class and overall, next to
    the floor: real train subsets of the same size and class (tonal: and pitch) composition vs
    real test, averaged over several draws;
  - Inception-style score exp(E KL(p(y|x) || p(y))) of generated, real test and the matched
    train subsets;
  - novelty: distance of each sample to its nearest training row (all train rows, augmented
    copies included), generated vs real test; near-copies = generated samples closer than the
    5th percentile of real test;
  - diversity: mean pairwise embedding distance within a class, generated vs real test;
  - the guidance sweep: accuracy and FD per guidance weight.
Pure NumPy metric functions (frechet_distance, inception_score, ...) are tested in
training/tests/test_evaluate.py.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

KINDS = ('drums', 'tonal')
DRUM_CLASSES = ['kick', 'snare', 'clap', 'rim', 'closed-hat', 'open-hat', 'tom', 'crash', 'ride', 'perc']
GM_FAMILIES = [
    'piano', 'chromatic-percussion', 'organ', 'guitar', 'bass', 'strings', 'ensemble', 'brass',
    'reed', 'pipe', 'synth-lead', 'synth-pad', 'synth-effects', 'ethnic', 'percussive', 'sound-effects',
]
# Bump when the classifier or its training changes: part of the cache key.
CLASSIFIER_VERSION = 1
EMBED_DIM = 64
NEAR_COPY_PERCENTILE = 5.0


def classes_for(kind: str) -> List[str]:
    return list(DRUM_CLASSES) if kind == 'drums' else list(GM_FAMILIES)


# ---------------------------------------------------------------------------
# Metrics (NumPy only)

def _cov(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.shape[0] < 2:
        raise ValueError(f'need at least 2 samples for a covariance, got {x.shape[0]}')
    return np.atleast_2d(np.cov(x, rowvar=False))


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two sets of row vectors:
    |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^(1/2)).
    tr((S_a S_b)^(1/2)) is computed as the sum of square roots of the eigenvalues of the
    symmetric PSD matrix S_a^(1/2) S_b S_a^(1/2) (same spectrum), which stays real and
    stable when the covariances are singular (fewer samples than dimensions)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f'frechet_distance: shapes {a.shape} and {b.shape}')
    mu = a.mean(0) - b.mean(0)
    sa, sb = _cov(a), _cov(b)
    w, v = np.linalg.eigh(sa)
    ra = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    m = ra @ sb @ ra
    ev = np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0, None)
    fd = float(mu @ mu + np.trace(sa) + np.trace(sb) - 2 * np.sqrt(ev).sum())
    return max(fd, 0.0)


def inception_score(probs: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) || p(y))), p(y) the mean prediction; in [1, number of classes]."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] == 0:
        raise ValueError(f'inception_score: expected [N, K] probabilities, got {p.shape}')
    py = p.mean(0, keepdims=True)
    kl = (p * (np.log(p + eps) - np.log(py + eps))).sum(1)
    return float(np.exp(kl.mean()))


def pairwise_sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.clip(d, 0, None)


def nn_distances(query: np.ndarray, ref: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Euclidean distance of every query row to its nearest row of ref."""
    out = np.empty(query.shape[0])
    r = np.asarray(ref, dtype=np.float32)
    r2 = (r.astype(np.float64) ** 2).sum(1)
    for i in range(0, query.shape[0], chunk):
        q = np.asarray(query[i:i + chunk], dtype=np.float32)
        d = (q.astype(np.float64) ** 2).sum(1)[:, None] + r2[None, :] - 2 * (q @ r.T).astype(np.float64)
        out[i:i + chunk] = np.sqrt(np.clip(d.min(1), 0, None))
    return out


def near_copy_share(gen_nn: np.ndarray, real_nn: np.ndarray, percentile: float = NEAR_COPY_PERCENTILE
                    ) -> Tuple[float, float]:
    """(share of generated samples whose nearest-train distance is below the `percentile`-th
    percentile of the real test samples' nearest-train distances, that threshold)."""
    thr = float(np.percentile(np.asarray(real_nn, dtype=np.float64), percentile))
    g = np.asarray(gen_nn, dtype=np.float64)
    return (float((g < thr).mean()) if g.size else float('nan')), thr


def mean_pairwise_distance(x: np.ndarray) -> float:
    """Mean Euclidean distance over all unordered pairs of rows (nan for fewer than 2)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if n < 2:
        return float('nan')
    d = np.sqrt(pairwise_sq_dists(x, x))
    return float(d[np.triu_indices(n, 1)].mean())


# ---------------------------------------------------------------------------
# Classifier (PyTorch)

def _torch():
    import torch  # noqa: deferred so the metric functions import without torch
    return torch


def build_classifier(n_mels: int, n_classes: int):
    torch = _torch()
    nn = torch.nn

    class EvalClassifier(nn.Module):
        """1-D CNN over frames (mel bins are channels), mean+max pooled over time;
        `embed` is the 64-d penultimate layer used for FD, novelty and diversity."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv1d(n_mels, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
                nn.Conv1d(64, 96, 3, padding=1), nn.BatchNorm1d(96), nn.ReLU(), nn.MaxPool1d(2),
                nn.Conv1d(96, 128, 3, padding=1), nn.BatchNorm1d(128), nn.ReLU(),
            )
            self.drop = nn.Dropout(0.3)
            self.fc = nn.Linear(256, EMBED_DIM)
            self.out = nn.Linear(EMBED_DIM, n_classes)

        def embed(self, x):
            h = self.features(x)
            h = torch.cat([h.mean(2), h.amax(2)], 1)
            return torch.relu(self.fc(self.drop(h)))

        def forward(self, x):
            return self.out(self.drop(self.embed(x)))

    return EvalClassifier()


def _augment(x, gen):
    """Level (±6 dB) and spectral-tilt (±3 dB across the bands) changes of everything above the
    floor, a random time shift (0-2 frames, padded with silence = -1) and a little noise:
    makes the classifier care about timbre classes rather than one kit's exact levels."""
    torch = _torch()
    b, m, _ = x.shape
    shift = int(torch.randint(0, 3, (1,), generator=gen))
    if shift:
        x = torch.cat([torch.full_like(x[:, :, :shift], -1.0), x[:, :, :-shift]], 2)
    gain = (torch.rand(b, 1, 1, generator=gen) * 2 - 1) * 0.12  # 6 dB of the 100 dB range = 0.12
    tilt = (torch.rand(b, 1, 1, generator=gen) * 2 - 1) * 0.06 * torch.linspace(-1, 1, m).view(1, m, 1)
    x = torch.where(x > -0.999, x + gain + tilt, x)
    return (x + 0.02 * torch.randn(x.shape, generator=gen)).clamp(-1, 1)


def train_classifier(x: np.ndarray, y: np.ndarray, n_classes: int, epochs: int, seed: int = 0,
                     batch: int = 64, lr: float = 2e-3, log=print):
    torch = _torch()
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = build_classifier(x.shape[1], n_classes)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-3)
    n = x.shape[0]
    steps = max(1, epochs * math.ceil(n / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    weight = torch.tensor(np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / n_classes, 0.0),
                          dtype=torch.float32)
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(y.astype(np.int64))
    model.train()
    for ep in range(epochs):
        perm = torch.randperm(n, generator=gen)
        tot, correct, seen = 0.0, 0, 0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            if idx.numel() < 2:
                continue  # BatchNorm needs 2+ rows
            xb, yb = _augment(xt[idx], gen), yt[idx]
            logits = model(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb, weight=weight, label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
            seen += len(idx)
        log(f'  epoch {ep + 1}/{epochs}: loss {tot / max(seen, 1):.3f}, train acc {correct / max(seen, 1):.3f}')
    model.eval()
    return model


def run_classifier(model, x: np.ndarray, batch: int = 256) -> Tuple[np.ndarray, np.ndarray]:
    """(embeddings [N, 64], class probabilities [N, K])."""
    torch = _torch()
    embs, probs = [], []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            xb = torch.from_numpy(np.ascontiguousarray(x[i:i + batch], dtype=np.float32))
            e = model.embed(xb)
            embs.append(e.numpy().astype(np.float64))
            probs.append(torch.softmax(model.out(e), 1).numpy().astype(np.float64))
    if not embs:
        k = model.out.out_features
        return np.zeros((0, EMBED_DIM)), np.zeros((0, k))
    return np.concatenate(embs), np.concatenate(probs)


# ---------------------------------------------------------------------------
# Data

def manifest_hash(data_dir: str) -> str:
    h = hashlib.sha256()
    with open(os.path.join(data_dir, 'manifest.json'), 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def label_of(kind: str, item: Dict) -> int:
    if kind == 'drums':
        return int(item['class'])
    return int(item['family']) if item.get('family') is not None else int(item['program']) // 8


def load_split(data_dir: str, kind: str, split: str) -> Tuple[np.ndarray, List[Dict], np.ndarray]:
    stem = os.path.join(data_dir, 'shards', f'{kind}_{split}')
    x = np.load(stem + '.npy')
    with open(stem + '.json') as f:
        items = json.load(f)['items']
    if x.ndim != 3 or x.shape[0] != len(items):
        raise ValueError(f'{stem}: npy shape {x.shape} does not match {len(items)} json items')
    y = np.array([label_of(kind, it) for it in items], dtype=np.int64)
    return np.asarray(x, dtype=np.float32), items, y


def classifier_for(data_dir: str, kind: str, epochs: int, cache_dir: str, threads: int = 1,
                   log=print) -> Tuple[object, Dict]:
    """The cached classifier of this dataset (by manifest hash), training it on train+val if needed."""
    torch = _torch()
    torch.set_num_threads(max(1, threads))
    digest = manifest_hash(data_dir)
    key = f'{kind}-v{CLASSIFIER_VERSION}-e{epochs}-{digest[:16]}'
    path = os.path.join(cache_dir, f'classifier-{key}.pt')
    k = len(classes_for(kind))
    if os.path.exists(path):
        ck = torch.load(path, map_location='cpu')
        model = build_classifier(int(ck['meta']['nMels']), k)
        model.load_state_dict(ck['state'])
        model.eval()
        meta = dict(ck['meta'], cached=True, path=path)
        log(f'{kind}: classifier from cache {path}')
        return model, meta
    xs, ys = [], []
    for split in ('train', 'val'):
        x, _, y = load_split(data_dir, kind, split)
        xs.append(x)
        ys.append(y)
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    log(f'{kind}: training the evaluation classifier on {x.shape[0]} real train+val rows, {epochs} epochs')
    t0 = time.time()
    model = train_classifier(x, y, k, epochs, log=log)
    secs = time.time() - t0
    meta = {'kind': kind, 'epochs': epochs, 'trainRows': int(x.shape[0]), 'nMels': int(x.shape[1]),
            'nFrames': int(x.shape[2]), 'manifestSha256': digest, 'version': CLASSIFIER_VERSION,
            'trainSeconds': round(secs, 1)}
    os.makedirs(cache_dir, exist_ok=True)
    tmp = path + '.tmp'
    torch.save({'state': model.state_dict(), 'meta': meta}, tmp)
    os.replace(tmp, path)
    log(f'{kind}: classifier trained in {secs:.0f} s, cached at {path}')
    return model, dict(meta, cached=False, path=path)


# ---------------------------------------------------------------------------
# Evaluation of one kind

def _nan_to_none(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _clean(o):
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if isinstance(o, (np.floating,)):
        return _nan_to_none(float(o))
    if isinstance(o, (np.integer,)):
        return int(o)
    return _nan_to_none(o)


def matched_train_draw(rng: np.random.Generator, gen_items: Sequence[Dict], train_y: np.ndarray,
                       train_pitch: Optional[np.ndarray], kind: str) -> np.ndarray:
    """Indices of train rows with the generated set's composition: one row per generated item,
    same class, and for tonal the nearest available pitch. Without replacement where possible."""
    used = set()
    out = []
    by_class = {c: np.flatnonzero(train_y == c) for c in np.unique(train_y)}
    for it in gen_items:
        pool = by_class.get(int(it['class']), np.array([], dtype=np.int64))
        if pool.size == 0:
            raise ValueError(f'no train rows of class {it["class"]}')
        if kind == 'tonal' and train_pitch is not None and it.get('pitch') is not None:
            d = np.abs(train_pitch[pool] - float(it['pitch']))
            pool = pool[d == d.min()]
        free = [i for i in pool if i not in used]
        pick = int(rng.choice(free if free else pool))
        used.add(pick)
        out.append(pick)
    return np.array(out, dtype=np.int64)


def _fd_or_none(a: np.ndarray, b: np.ndarray) -> Optional[float]:
    if a.shape[0] < 2 or b.shape[0] < 2:
        return None
    return frechet_distance(a, b)


def evaluate_kind(kind: str, data_dir: str, gen_dir: str, model, meta: Dict, floor_draws: int,
                  seed: int = 0, log=print) -> Dict:
    names = classes_for(kind)
    k = len(names)
    xtr, itr, ytr = load_split(data_dir, kind, 'train')
    xte, ite, yte = load_split(data_dir, kind, 'test')
    with open(os.path.join(gen_dir, f'gen_{kind}.json')) as f:
        gmeta = json.load(f)
    gitems = gmeta['items']
    xg = np.load(os.path.join(gen_dir, f'gen_{kind}.npy'))
    xraw = np.load(os.path.join(gen_dir, f'raw_{kind}.npy'))
    if xg.shape[1:] != xte.shape[1:]:
        raise ValueError(f'{kind}: generated features {xg.shape[1:]} differ from the dataset {xte.shape[1:]}')
    if xg.shape[0] != len(gitems) or xraw.shape != xg.shape:
        raise ValueError(f'{kind}: {xg.shape[0]} generated rows, {len(gitems)} items, raw {xraw.shape}')
    w_default = float(gmeta['guidanceDefault'])
    yg = np.array([int(it['class']) for it in gitems], dtype=np.int64)
    gset = np.array([it['set'] for it in gitems])
    gw = np.array([float(it['guidance']) for it in gitems])
    main = np.flatnonzero(gset == 'main')
    sweep = np.flatnonzero(gset == 'sweep')
    train_pitch = np.array([float(it.get('pitch', 0)) for it in itr]) if kind == 'tonal' else None

    etr, ptr = run_classifier(model, xtr)
    ete, pte = run_classifier(model, xte)
    eg, pg = run_classifier(model, xg)
    _, praw = run_classifier(model, xraw)
    test_pred = pte.argmax(1)
    test_acc = float((test_pred == yte).mean())
    gen_pred = pg.argmax(1)
    raw_pred = praw.argmax(1)
    log(f'{kind}: classifier real-test accuracy {test_acc:.3f} ({len(yte)} rows)')

    rng = np.random.default_rng(seed)
    # Matched train draws for the main set (floor for FD and a reference IS).
    main_items = [gitems[i] for i in main]
    draws = [matched_train_draw(rng, main_items, ytr, train_pitch, kind) for _ in range(floor_draws)]

    # Novelty in embedding space (all train rows) and in log-mel space (model output before the vocoder).
    nn_gen = nn_distances(eg[main], etr)
    nn_test = nn_distances(ete, etr)
    share_nc, thr = near_copy_share(nn_gen, nn_test)
    flat_tr = xtr.reshape(xtr.shape[0], -1)
    nn_gen_mel = nn_distances(xraw[main].reshape(len(main), -1), flat_tr)
    nn_test_mel = nn_distances(xte.reshape(xte.shape[0], -1), flat_tr)
    share_nc_mel, thr_mel = near_copy_share(nn_gen_mel, nn_test_mel)

    per_class = []
    for c in range(k):
        gi = main[yg[main] == c]
        ti = np.flatnonzero(yte == c)
        row = {'name': names[c], 'nGen': int(gi.size), 'nTest': int(ti.size)}
        row['testRecall'] = float((test_pred[ti] == c).mean()) if ti.size else None
        row['share'] = float((gen_pred[gi] == c).mean()) if gi.size else None
        row['shareRaw'] = float((raw_pred[gi] == c).mean()) if gi.size else None
        row['fd'] = _fd_or_none(eg[gi], ete[ti])
        floors = []
        if gi.size >= 2 and ti.size >= 2:
            its = [gitems[i] for i in gi]
            for _ in range(floor_draws):
                sub = matched_train_draw(rng, its, ytr, train_pitch, kind)
                floors.append(frechet_distance(etr[sub], ete[ti]))
        row['fdFloor'] = float(np.mean(floors)) if floors else None
        row['diversityGen'] = mean_pairwise_distance(eg[gi])
        row['diversityReal'] = mean_pairwise_distance(ete[ti])
        sel = np.isin(main, gi)
        row['nearCopy'] = float((nn_gen[sel] < thr).mean()) if gi.size else None
        row['nearCopyMel'] = float((nn_gen_mel[sel] < thr_mel).mean()) if gi.size else None
        row['nnGenMedian'] = float(np.median(nn_gen[sel])) if gi.size else None
        row['nnTestMedian'] = float(np.median(nn_test[ti])) if ti.size else None
        per_class.append(row)

    floor_fds = [frechet_distance(etr[d], ete) for d in draws]
    is_floor = [inception_score(ptr[d]) for d in draws]
    overall = {
        'nGen': int(main.size), 'nTest': int(len(yte)),
        'share': float((gen_pred[main] == yg[main]).mean()),
        'shareRaw': float((raw_pred[main] == yg[main]).mean()),
        'fd': frechet_distance(eg[main], ete),
        'fdFloor': float(np.mean(floor_fds)), 'fdFloorStd': float(np.std(floor_fds)),
        'isGen': inception_score(pg[main]), 'isTest': inception_score(pte), 'isTrainMatched': float(np.mean(is_floor)),
        'nearCopy': share_nc, 'nearCopyThreshold': thr,
        'nnGenMedian': float(np.median(nn_gen)), 'nnTestMedian': float(np.median(nn_test)),
        'nearCopyMel': share_nc_mel, 'nearCopyMelThreshold': thr_mel,
        'nnGenMelMedian': float(np.median(nn_gen_mel)), 'nnTestMelMedian': float(np.median(nn_test_mel)),
        'diversityGen': mean_pairwise_distance(eg[main]), 'diversityReal': mean_pairwise_distance(ete),
    }

    # Guidance sweep: the sweep rows plus the main rows with the sweep's seeds at the default weight.
    sweep_rows = []
    if sweep.size:
        seeds = {(int(gitems[i]['class']), gitems[i].get('pitch'), int(gitems[i]['seed'])) for i in sweep}
        default_rows = np.array([i for i in main
                                 if (int(gitems[i]['class']), gitems[i].get('pitch'), int(gitems[i]['seed'])) in seeds],
                                dtype=np.int64)
        groups: Dict[float, np.ndarray] = {}
        for w in sorted(set(gw[sweep].tolist()) | {w_default}):
            idx = default_rows if w == w_default else sweep[gw[sweep] == w]
            if idx.size:
                groups[w] = idx
        sweep_floor = None
        for w, idx in sorted(groups.items()):
            if sweep_floor is None:
                its = [gitems[i] for i in idx]
                sweep_floor = float(np.mean([frechet_distance(etr[matched_train_draw(rng, its, ytr, train_pitch, kind)], ete)
                                             for _ in range(floor_draws)]))
            sweep_rows.append({'guidance': w, 'n': int(idx.size), 'accuracy': float((gen_pred[idx] == yg[idx]).mean()),
                               'accuracyRaw': float((raw_pred[idx] == yg[idx]).mean()),
                               'fd': frechet_distance(eg[idx], ete), 'fdFloor': sweep_floor,
                               'is': inception_score(pg[idx])})

    vocoded = None
    vp = os.path.join(gen_dir, f'voc_{kind}.npy')
    if os.path.exists(vp):
        xv = np.load(vp)
        with open(os.path.join(gen_dir, f'voc_{kind}.json')) as f:
            rows = np.array(json.load(f)['rows'], dtype=np.int64)
        _, pv = run_classifier(model, xv)
        vocoded = {'n': int(rows.size), 'accuracy': float((pv.argmax(1) == yte[rows]).mean()),
                   'accuracyClean': float((test_pred[rows] == yte[rows]).mean())}

    conf = np.zeros((k, k), dtype=np.int64)
    for t, p in zip(yg[main], gen_pred[main]):
        conf[t, p] += 1
    return _clean({
        'kind': kind, 'classes': names, 'guidanceDefault': w_default,
        'classifier': {**{kk: v for kk, v in meta.items() if kk != 'path'}, 'testAccuracy': test_acc,
                       'testRows': int(len(yte))},
        'overall': overall, 'perClass': per_class, 'sweep': sweep_rows, 'vocodedTest': vocoded,
        'confusion': conf.tolist(), 'floorDraws': floor_draws,
    })


# ---------------------------------------------------------------------------
# Figures

def _pick_real(kind: str, items: List[Dict], y: np.ndarray, c: int, pitch: Optional[float], n: int,
               rng: np.random.Generator) -> np.ndarray:
    idx = np.flatnonzero(y == c)
    if idx.size == 0:
        return idx
    if kind == 'tonal' and pitch is not None:
        p = np.array([float(items[i]['pitch']) for i in idx])
        order = np.argsort(np.abs(p - pitch), kind='stable')
        return idx[order[:n]]
    return rng.choice(idx, size=min(n, idx.size), replace=False)


def plot_grid(data_dir: str, gen_dir: str, kinds: Sequence[str], out_png: str, per_side: int = 3) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    rows = []  # (label, [gen feats], [real feats])
    for kind in kinds:
        _, ite, yte = load_split(data_dir, kind, 'test')
        xte = np.load(os.path.join(data_dir, 'shards', f'{kind}_test.npy'), mmap_mode='r')
        with open(os.path.join(gen_dir, f'gen_{kind}.json')) as f:
            gitems = json.load(f)['items']
        xg = np.load(os.path.join(gen_dir, f'gen_{kind}.npy'), mmap_mode='r')
        for c, name in enumerate(classes_for(kind)):
            main = [i for i, it in enumerate(gitems) if it['set'] == 'main' and int(it['class']) == c]
            pitch = None
            if kind == 'tonal' and main:
                ps = sorted({float(gitems[i]['pitch']) for i in main})
                pitch = ps[len(ps) // 2]
                main = [i for i in main if float(gitems[i]['pitch']) == pitch]
            g = [np.asarray(xg[i]) for i in main[:per_side]]
            r = [np.asarray(xte[i]) for i in _pick_real(kind, ite, yte, c, pitch, per_side, rng)]
            label = f'{kind}: {name}' + (f' (MIDI {int(pitch)})' if pitch is not None else '')
            rows.append((label, g, r))
    n_rows = len(rows)
    fig, axes = plt.subplots(n_rows, 2 * per_side, figsize=(2 * per_side * 1.6, n_rows * 1.05 + 0.6), squeeze=False)
    for r, (label, g, real) in enumerate(rows):
        for j in range(2 * per_side):
            ax = axes[r, j]
            ax.set_xticks([])
            ax.set_yticks([])
            src = g if j < per_side else real
            jj = j if j < per_side else j - per_side
            if jj < len(src):
                ax.imshow(src[jj], origin='lower', aspect='auto', vmin=-1, vmax=1, cmap='magma', interpolation='nearest')
            else:
                ax.axis('off')
            if r == 0:
                ax.set_title('generated' if j < per_side else 'real test', fontsize=8)
        axes[r, 0].set_ylabel(label, rotation=0, ha='right', va='center', fontsize=7)
    fig.suptitle('Log-mel (re-analysed audio): generated at default settings vs real test items', fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    os.makedirs(os.path.dirname(os.path.abspath(out_png)), exist_ok=True)
    fig.savefig(out_png, dpi=80)
    plt.close(fig)


def plot_guidance(results: Dict[str, Dict], out_png: str) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.4))
    for kind, res in results.items():
        sw = res.get('sweep') or []
        if not sw:
            continue
        w = [r['guidance'] for r in sw]
        line, = a1.plot(w, [100 * r['accuracy'] for r in sw], 'o-', label=f'{kind}')
        a1.axhline(100 * res['classifier']['testAccuracy'], color=line.get_color(), ls='--', lw=0.8,
                   label=f'{kind}: classifier on real test')
        a2.plot(w, [r['fd'] / r['fdFloor'] if r['fdFloor'] else float('nan') for r in sw], 'o-', label=kind)
        a1.axvline(res['guidanceDefault'], color=line.get_color(), ls=':', lw=0.8)
    a1.set_xlabel('guidance weight w')
    a1.set_ylabel('generated assigned to requested class (%)')
    a1.set_ylim(0, 100)
    a1.legend(fontsize=7)
    a2.axhline(2, color='grey', ls='--', lw=0.8, label='target: 2x floor')
    a2.set_xlabel('guidance weight w')
    a2.set_ylabel('FD / train-test floor')
    a2.legend(fontsize=7)
    fig.suptitle('Guidance sweep (dotted: default weight)', fontsize=9)
    fig.tight_layout()
    fig.savefig(out_png, dpi=90)
    plt.close(fig)


# ---------------------------------------------------------------------------
# CLI

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='data', help='dataset root (manifest.json, shards/)')
    p.add_argument('--gen', help='folder written by scripts/eval.ts')
    p.add_argument('--kinds', default='drums,tonal')
    p.add_argument('--out-json')
    p.add_argument('--grid-png')
    p.add_argument('--guidance-png')
    p.add_argument('--cache-dir', help='default <data>/eval-cache')
    p.add_argument('--epochs', type=int, help='classifier epochs (default 14, --quick 2)')
    p.add_argument('--floor-draws', type=int, help='train draws averaged for the floors (default 8, --quick 2)')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--quick', action='store_true')
    p.add_argument('--prepare', action='store_true', help='only train/load the classifiers')
    a = p.parse_args(argv)
    kinds = [k for k in a.kinds.split(',') if k]
    for k in kinds:
        if k not in KINDS:
            p.error(f'unknown kind {k!r}')
    epochs = a.epochs or (2 if a.quick else 14)
    draws = a.floor_draws or (2 if a.quick else 8)
    cache = a.cache_dir or os.path.join(a.data, 'eval-cache')
    log = lambda s: print(f'[evaluate] {s}', flush=True)  # noqa: E731
    models = {}
    for kind in kinds:
        models[kind] = classifier_for(a.data, kind, epochs, cache, a.threads, log=log)
    if a.prepare:
        return 0
    if not a.gen or not a.out_json:
        p.error('--gen and --out-json are required (or --prepare)')
    results = {}
    for kind in kinds:
        t0 = time.time()
        model, meta = models[kind]
        results[kind] = evaluate_kind(kind, a.data, a.gen, model, meta, draws, log=log)
        log(f'{kind}: evaluated in {time.time() - t0:.1f} s')
    if a.grid_png:
        plot_grid(a.data, a.gen, kinds, a.grid_png)
    if a.guidance_png:
        plot_guidance(results, a.guidance_png)
    os.makedirs(os.path.dirname(os.path.abspath(a.out_json)), exist_ok=True)
    with open(a.out_json, 'w') as f:
        json.dump({'kinds': results}, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
