"""Train the 1-D U-Net diffusion model (docs/model-spec.md) on the dataset shards.

  /usr/bin/python3 -m training.train --kind drums --data data/shards --run training/runs/drums \
      --steps 12000 --batch 32 --channels 96,160,224 --threads 1

Resumes exactly from <run>/ckpt.pt when present (kill it at any moment and run the
same command again). Writes <run>/loss.csv (step,train_loss,val_loss) and <run>/loss.png.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--kind', choices=['drums', 'tonal'], required=True)
    p.add_argument('--data', default='data/shards')
    p.add_argument('--run', required=True, help='run folder (checkpoint, loss.csv, loss.png)')
    p.add_argument('--steps', type=int, default=10000, help='total optimizer steps (lr schedule length)')
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=3e-4)
    p.add_argument('--min-lr-frac', type=float, default=0.1, help='cosine decay floor, fraction of --lr')
    p.add_argument('--warmup', type=int, default=300, help='linear lr warmup steps')
    p.add_argument('--weight-decay', type=float, default=0.01)
    p.add_argument('--grad-clip', type=float, default=1.0)
    p.add_argument('--ema', type=float, default=0.999, help='EMA decay (ramped as min(ema, (1+n)/(10+n)))')
    p.add_argument('--channels', default='96,160,224')
    p.add_argument('--embed', type=int, default=256)
    p.add_argument('--groups', type=int, default=8)
    p.add_argument('--heads', type=int, default=4)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--ckpt-every', type=int, default=500)
    p.add_argument('--val-every', type=int, default=500)
    p.add_argument('--val-items', type=int, default=512, help='fixed validation subset size')
    p.add_argument('--log-every', type=int, default=50)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--device', default='auto', help='auto | cpu | cuda')
    p.add_argument('--time-budget', type=float, default=0.0,
                   help='minutes of training wall time for the whole run: after 150 steps, --steps is set from the '
                        'measured speed so the lr schedule ends on time (then fixed, saved in the checkpoint)')
    p.add_argument('--max-minutes', type=float, default=0.0,
                   help='stop (with a checkpoint) after this much wall time in this invocation; 0 = no limit')
    p.add_argument('--row-weight', default='',
                   help='loss weight per feature row, "ROW:W[,ROW:W...]" (others 1; the loss is divided by the mean '
                        'weight), e.g. "0:32" so the harmonic representation\'s single f0 row is not 1/128 of the loss')
    p.add_argument('--init', default='',
                   help='fresh runs only: start from the EMA weights of this checkpoint (every tensor shape must '
                        'match); a warm start when the representation changes but the architecture does not')
    p.add_argument('--pitch-labels', choices=['key', 'measured'], default='key',
                   help='tonal pitch condition: the key each note was played on, or the pitch it sounds at '
                        '(<data>/tonal_<split>.pitch.json from npm run dataset:pitch)')
    p.add_argument('--descriptor-transform', default='',
                   help='scale a descriptor is standardized in, e.g. "noisiness=log10" (fresh runs; a resumed run '
                        'keeps its checkpoint\'s); see model.DESCRIPTOR_TRANSFORMS')
    p.add_argument('--train-only', default='',
                   help='comma-separated parameter name prefixes to train (others frozen), e.g. "cond_in"')
    p.add_argument('--stop-after', type=int, default=0, help=argparse.SUPPRESS)  # tests: simulate a kill
    return p.parse_args(argv)


def _set_thread_env(argv):
    """Thread count must reach OpenMP/BLAS before torch is imported."""
    n = None
    for i, a in enumerate(argv):
        if a == '--threads' and i + 1 < len(argv):
            n = argv[i + 1]
        elif a.startswith('--threads='):
            n = a.split('=', 1)[1]
    n = n or '1'
    for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ.setdefault(k, n)


if __name__ == '__main__':
    _set_thread_env(sys.argv[1:])

import copy  # noqa: E402
import csv  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from training import data as D  # noqa: E402
    from training import model as M  # noqa: E402
else:
    from . import data as D  # noqa: E402
    from . import model as M  # noqa: E402

CKPT = 'ckpt.pt'
BUDGET_WINDOW = (50, 150)  # --time-budget measures steps/s over these steps of the first session
ARCH_KEYS = ('kind', 'channels', 'embed', 'groups', 'heads', 'seed', 'val_items')
# Data and fine-tune settings a resumed run also keeps, with what a checkpoint older than the flag used.
RUN_KEYS = {'pitch_labels': 'key', 'train_only': ''}


def arch_from(args, stats) -> dict:
    conds = M.conditions_for(args.kind)
    return {
        'channels': [int(c) for c in str(args.channels).split(',')],
        'embedDim': int(args.embed), 'groups': int(args.groups), 'heads': int(args.heads),
        'condDim': M.cond_dim(conds), 'nMels': stats['nMels'], 'nFrames': stats['nFrames'],
        'dataMean': stats['dataMean'], 'dataStd': stats['dataStd'],
    }


def parse_row_weights(spec: str, rows: int) -> torch.Tensor:
    """'0:32,5:2' → weights [1, rows, 1] (1 elsewhere); a bad entry is an error naming it."""
    w = torch.ones(1, rows, 1)
    for part in spec.split(','):
        try:
            r, v = part.split(':')
            r, v = int(r), float(v)
        except ValueError:
            raise SystemExit(f'--row-weight: {part!r} is not ROW:WEIGHT')
        if not 0 <= r < rows or not v > 0:
            raise SystemExit(f'--row-weight: {part!r}: row must be 0–{rows - 1} and weight > 0')
        w[0, r, 0] = v
    return w


def weighted_mse(pred: torch.Tensor, target: torch.Tensor, w) -> torch.Tensor:
    """MSE over [B, rows, frames], rows weighted by w [1, rows, 1] and renormalised by its mean; plain MSE when w is None."""
    if w is None:
        return F.mse_loss(pred, target)
    return ((pred - target) ** 2 * w).mean() / w.mean()


def lr_at(step: int, args) -> float:
    """Linear warmup, then cosine decay to min_lr_frac * lr at args.steps."""
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    p = min(1.0, (step - args.warmup) / max(1, args.steps - args.warmup))
    f = args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * p))
    return args.lr * f


def load_checkpoint(path: str):
    """Our own checkpoint (trusted): full unpickling, also on PyTorch >= 2.6 (weights_only default)."""
    return torch.load(path, map_location='cpu', weights_only=False)


def save_atomic(obj, path: str) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def make_val_set(val: 'D.Split', n_items: int, seed: int):
    """Fixed validation subset with fixed (t, noise) per item, so losses are comparable across steps."""
    n = min(n_items, len(val))
    idx = torch.linspace(0, len(val) - 1, n).round().long() if n > 0 else torch.zeros(0, dtype=torch.long)
    g = torch.Generator().manual_seed(seed + 7919)
    # stratified t in (0, 1): one per stratum, shuffled over items
    t = ((torch.randperm(n, generator=g).double() + torch.rand(n, generator=g, dtype=torch.float64)) / max(n, 1)).float()
    noise = torch.randn((n,) + tuple(val.x.shape[1:]), generator=g)
    return val.x[idx], val.cond[idx], t, noise


@torch.no_grad()
def evaluate(model, val_set, device, batch: int = 64) -> float:
    x0, cond, t, noise = val_set
    if x0.shape[0] == 0:
        return float('nan')
    model.eval()
    total = 0.0
    for i in range(0, x0.shape[0], batch):
        xb, cb, tb, nb = (a[i:i + batch].to(device) for a in (x0, cond, t, noise))
        xt, v = M.v_loss_terms(xb, tb, nb)
        total += float(F.mse_loss(model(xt, tb, cb), v, reduction='sum'))
    model.train()
    return total / x0.numel()


def read_loss_csv(path: str, upto: int):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for r in csv.DictReader(f):
                if int(r['step']) <= upto:
                    rows.append(r)
    return rows


def write_loss_csv(path: str, rows) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['step', 'train_loss', 'val_loss'])
        for r in rows:
            w.writerow([r['step'], r['train_loss'], r['val_loss']])
    os.replace(tmp, path)


def plot_loss(csv_path: str, png_path: str, title: str) -> None:
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except Exception:  # plotting is optional
        return
    steps, train, vsteps, vals = [], [], [], []
    with open(csv_path) as f:
        for r in csv.DictReader(f):
            if r['train_loss']:
                steps.append(int(r['step']))
                train.append(float(r['train_loss']))
            if r['val_loss']:
                vsteps.append(int(r['step']))
                vals.append(float(r['val_loss']))
    if not steps:
        return
    k = max(1, len(train) // 100)
    sm = []
    acc = 0.0
    for i, v in enumerate(train):  # running mean over a window of k steps
        acc += v
        if i >= k:
            acc -= train[i - k]
        sm.append(acc / min(i + 1, k))
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.plot(steps, train, color='0.8', lw=0.5, label='train (per step)')
    ax.plot(steps, sm, color='C0', lw=1.2, label=f'train (mean of {k})')
    if vals:
        ax.plot(vsteps, vals, 'o-', color='C3', ms=3, label='val (EMA, fixed t/noise)')
    ax.set_yscale('log')
    ax.set_xlabel('step')
    ax.set_ylabel('v-prediction MSE')
    ax.set_title(title)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend()
    fig.tight_layout()
    tmp = png_path + '.tmp.png'
    fig.savefig(tmp)
    plt.close(fig)
    os.replace(tmp, png_path)


class Trainer:
    def __init__(self, args):
        self.args = args
        torch.set_num_threads(max(1, args.threads))
        if args.device == 'auto':
            self.device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
        else:
            self.device = torch.device(args.device)
        os.makedirs(args.run, exist_ok=True)
        self.ckpt_path = os.path.join(args.run, CKPT)
        self.csv_path = os.path.join(args.run, 'loss.csv')
        self.png_path = os.path.join(args.run, 'loss.png')

        ck = None
        if os.path.exists(self.ckpt_path):
            ck = load_checkpoint(self.ckpt_path)
            saved = ck['args']
            for k in ARCH_KEYS:  # architecture and kind come from the checkpoint
                if str(getattr(args, k)) != str(saved[k]):
                    print(f'resume: using checkpoint {k}={saved[k]} (ignoring {getattr(args, k)})', flush=True)
                    setattr(args, k, saved[k])
            for k, default in RUN_KEYS.items():  # what a run started with stays what it trains with
                if saved.get(k, default) != getattr(args, k):
                    print(f'resume: using checkpoint {k}={saved.get(k, default)!r} (ignoring {getattr(args, k)!r})', flush=True)
                    setattr(args, k, saved.get(k, default))
            self.stats = ck['stats']
            if saved.get('steps_fixed'):  # --time-budget already chose the step count
                args.steps = int(saved['steps'])
                args.steps_fixed = True
        else:
            try:
                transform = M.parse_descriptor_transform(args.descriptor_transform)
            except ValueError as e:
                raise SystemExit(f'--descriptor-transform: {e}')
            self.stats = D.compute_stats(args.data, args.kind, transform)
        self.arch = arch_from(args, self.stats)
        self.conditions = M.conditions_for(args.kind)
        self.segments = M.condition_segments(self.conditions)

        t0 = time.time()
        try:
            self.train_set = D.Split(args.data, args.kind, 'train', self.stats, pitch_labels=args.pitch_labels)
            self.val_set_full = D.Split(args.data, args.kind, 'val', self.stats, pitch_labels=args.pitch_labels)
        except ValueError as e:
            raise SystemExit(f'train: {e}')
        self.val = make_val_set(self.val_set_full, args.val_items, args.seed)
        if self.device.type == 'cuda':
            self.train_set.x = self.train_set.x.to(self.device)
            self.train_set.cond = self.train_set.cond.to(self.device)
        print(f'data: {len(self.train_set)} train, {len(self.val_set_full)} val items '
              f'({self.val[0].shape[0]} for val loss), x {tuple(self.train_set.x.shape[1:])}, '
              f'mean {self.stats["dataMean"]:.4f} std {self.stats["dataStd"]:.4f}, '
              f'loaded in {time.time() - t0:.1f}s', flush=True)

        torch.manual_seed(args.seed)
        self.model = M.build_model(self.arch).to(self.device)
        self.ema = copy.deepcopy(self.model)
        for p in self.ema.parameters():
            p.requires_grad_(False)
        only = [x.strip() for x in args.train_only.split(',') if x.strip()]
        if only:
            # A fine-tune that may change only these tensors (e.g. 'cond_in' to re-read a condition whose
            # encoding changed, keeping everything the network does with it as it was).
            names = [n for n, _ in self.model.named_parameters()]
            for prefix in only:
                if not any(n == prefix or n.startswith(prefix + '.') for n in names):
                    raise SystemExit(f'--train-only: no parameter named "{prefix}" (e.g. {", ".join(names[:4])})')
            for n, p in self.model.named_parameters():
                p.requires_grad_(any(n == x or n.startswith(x + '.') for x in only))
        self.opt = torch.optim.AdamW([p for p in self.model.parameters() if p.requires_grad], lr=args.lr,
                                     betas=(0.9, 0.99), weight_decay=args.weight_decay)
        self.gen = torch.Generator().manual_seed(args.seed + 1)
        self.step = 0
        self.perm = torch.randperm(len(self.train_set), generator=self.gen)
        self.pos = 0
        self.last_val = None
        self.init = None  # {'path', 'steps'}: the run this one warm-started from (steps include its own init chain)
        self.elapsed = 0.0
        self.rows = []
        self.csv_written = 0
        if ck is not None:
            self.model.load_state_dict(ck['model'])
            self.ema.load_state_dict(ck['ema'])
            self.opt.load_state_dict(ck['opt'])
            self.step = int(ck['step'])
            self.gen.set_state(ck['gen'])
            torch.set_rng_state(ck['torch_rng'])
            if ck.get('cuda_rng') is not None and torch.cuda.is_available():
                torch.cuda.set_rng_state_all(ck['cuda_rng'])
            self.perm = ck['perm']
            self.pos = int(ck['pos'])
            self.last_val = ck.get('last_val')
            self.init = ck.get('init')
            self.elapsed = float(ck.get('elapsed', 0.0))
            self.rows = read_loss_csv(self.csv_path, self.step)
            write_loss_csv(self.csv_path, self.rows)  # drop rows logged after the checkpoint
            self.csv_written = len(self.rows)
            print(f'resumed from {self.ckpt_path} at step {self.step}', flush=True)
        else:
            if args.init:
                self.warm_start(args.init)
            write_loss_csv(self.csv_path, [])
        self.row_weights = parse_row_weights(args.row_weight, int(self.arch['nMels'])) if args.row_weight else None
        if self.row_weights is not None:
            self.row_weights = self.row_weights.to(self.device)
            print(f'row weights: {args.row_weight} (mean {float(self.row_weights.mean()):.3f})', flush=True)
        n_params = M.count_params(self.model)
        self.arch['params'] = n_params
        print(f'model: {args.kind} channels {self.arch["channels"]} embed {args.embed} groups {args.groups} '
              f'heads {args.heads} condDim {self.arch["condDim"]}: {n_params:,} params '
              f'({n_params * 2 / 1e6:.2f} MB float16), device {self.device}, threads {torch.get_num_threads()}',
              flush=True)

    def warm_start(self, path: str) -> None:
        """Copy another run's EMA weights into model and EMA; a shape mismatch is an error naming the tensor."""
        if not os.path.exists(path):
            raise SystemExit(f'--init: {path}: no such checkpoint')
        src_ck = load_checkpoint(path)
        src = src_ck['ema']
        own = self.model.state_dict()
        missing = sorted(set(own) - set(src))
        if missing:
            raise SystemExit(f'--init: {path}: has no tensor {missing[0]} (architecture differs)')
        for k, v in own.items():
            if tuple(src[k].shape) != tuple(v.shape):
                raise SystemExit(f'--init: {path}: tensor {k} has shape {tuple(src[k].shape)}, this model needs {tuple(v.shape)}')
        self.model.load_state_dict({k: src[k] for k in own})
        self.ema.load_state_dict(self.model.state_dict())
        prior = (src_ck.get('init') or {}).get('steps', 0)
        self.init = {'path': path, 'steps': int(src_ck.get('step', 0)) + int(prior)}
        print(f'warm start from {path} ({self.init["steps"]} steps of training behind it)', flush=True)

    # -- checkpoint ----------------------------------------------------------
    def checkpoint(self) -> None:
        a = vars(self.args).copy()
        ck = {
            'model': self.model.state_dict(), 'ema': self.ema.state_dict(), 'opt': self.opt.state_dict(),
            'step': self.step, 'gen': self.gen.get_state(), 'torch_rng': torch.get_rng_state(),
            'cuda_rng': torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            'perm': self.perm, 'pos': self.pos, 'args': a, 'stats': self.stats, 'arch': self.arch,
            'conditions': self.conditions, 'last_val': self.last_val, 'elapsed': self.elapsed, 'init': self.init,
            'counts': {'train': len(self.train_set), 'val': len(self.val_set_full)},
        }
        self.flush_csv()
        save_atomic(ck, self.ckpt_path)

    def flush_csv(self) -> None:
        """Append the rows not yet in loss.csv (rows are final once written)."""
        new = self.rows[self.csv_written:]
        if new:
            with open(self.csv_path, 'a', newline='') as f:
                w = csv.writer(f)
                for r in new:
                    w.writerow([r['step'], r['train_loss'], r['val_loss']])
            self.csv_written = len(self.rows)

    # -- one step --------------------------------------------------------------
    def next_indices(self, b: int) -> torch.Tensor:
        out = []
        need = b
        while need > 0:
            if self.pos >= len(self.perm):
                self.perm = torch.randperm(len(self.train_set), generator=self.gen)
                self.pos = 0
            take = self.perm[self.pos:self.pos + need]
            self.pos += take.numel()
            need -= take.numel()
            out.append(take)
        return torch.cat(out)

    def train_step(self) -> float:
        args = self.args
        idx = self.next_indices(args.batch)
        x0 = self.train_set.x[idx.to(self.train_set.x.device)].to(self.device)
        cond = self.train_set.cond[idx.to(self.train_set.cond.device)].to(self.device)
        cond = M.drop_conditions(cond, self.segments, self.gen)
        t = torch.rand(args.batch, generator=self.gen).to(self.device)
        noise = torch.randn(x0.shape, generator=self.gen).to(self.device)
        xt, v = M.v_loss_terms(x0, t, noise)
        lr = lr_at(self.step, args)
        for g in self.opt.param_groups:
            g['lr'] = lr
        loss = weighted_mse(self.model(xt, t, cond), v, self.row_weights)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if args.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), args.grad_clip)
        self.opt.step()
        self.step += 1
        d = min(args.ema, (1 + self.step) / (10 + self.step))
        with torch.no_grad():
            for e, p in zip(self.ema.parameters(), self.model.parameters()):
                e.mul_(d).add_(p.detach(), alpha=1 - d)
        return float(loss)

    def validate(self) -> float:
        v = evaluate(self.ema, self.val, self.device)
        self.last_val = v
        return v

    def fix_steps(self, rate: float) -> None:
        """--time-budget: choose the total step count from the measured steps/s (5% margin for val/ckpt)."""
        args = self.args
        left = args.time_budget * 60 - self.elapsed
        args.steps = max(self.step + 1, int(self.step + 0.95 * left * rate))
        args.steps_fixed = True
        print(f'time budget {args.time_budget:.1f} min at {rate:.2f} steps/s: training for {args.steps} steps',
              flush=True)

    def run(self) -> None:
        args = self.args
        budget = args.time_budget > 0 and not getattr(args, 'steps_fixed', False)
        t_start = time.time()
        t_log = time.time()
        n_log = 0
        acc = 0.0
        steps_this = 0
        while self.step < args.steps:
            if budget and steps_this == BUDGET_WINDOW[0]:
                t_rate = time.time()
            loss = self.train_step()
            steps_this += 1
            if budget and steps_this == BUDGET_WINDOW[1]:
                self.elapsed += time.time() - t_start
                t_start = time.time()
                self.fix_steps((BUDGET_WINDOW[1] - BUDGET_WINDOW[0]) / (time.time() - t_rate))
                budget = False
            acc += loss
            n_log += 1
            row = {'step': self.step, 'train_loss': f'{loss:.6g}', 'val_loss': ''}
            self.rows.append(row)
            last = self.step >= args.steps
            if self.step % args.val_every == 0 or last:
                row['val_loss'] = f'{self.validate():.6g}'
                self.flush_csv()
                name = os.path.basename(os.path.normpath(args.run))
                plot_loss(self.csv_path, self.png_path, args.kind if name == args.kind else f'{args.kind}: {name}')
                print(f'step {self.step}: val loss (EMA) {self.last_val:.5f}', flush=True)
            if self.step % args.log_every == 0 or last:
                self.flush_csv()
                now = time.time()
                print(f'step {self.step}/{args.steps} loss {acc / n_log:.5f} lr {lr_at(self.step - 1, args):.2e} '
                      f'{n_log / (now - t_log):.2f} steps/s', flush=True)
                t_log, n_log, acc = now, 0, 0.0
            if args.stop_after and steps_this >= args.stop_after:
                return  # simulated kill: no checkpoint
            out_of_time = args.max_minutes > 0 and (time.time() - t_start) > args.max_minutes * 60
            if self.step % args.ckpt_every == 0 or last or out_of_time:
                self.elapsed += time.time() - t_start
                t_start = time.time()
                self.checkpoint()
            if out_of_time:
                print(f'stopping at step {self.step}: --max-minutes {args.max_minutes} reached '
                      f'(run the same command again to continue)', flush=True)
                return
        if steps_this == 0:
            print(f'{args.run}: already at step {self.step} of {args.steps}', flush=True)


def main(argv=None):
    args = parse_args(argv)
    Trainer(args).run()


if __name__ == '__main__':
    main()
