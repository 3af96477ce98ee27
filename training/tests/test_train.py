import contextlib
import csv
import io
import os
import tempfile
import unittest

import numpy as np
import torch
import torch.nn.functional as F

from training import data as D
from training import export as E
from training import model as M
from training import train as T

TINY = ['--channels', '16,24,32', '--embed', '32', '--groups', '4', '--heads', '2', '--batch', '8',
        '--threads', '1', '--val-items', '16', '--log-every', '1000', '--warmup', '2', '--lr', '1e-3']


def quiet_main(argv):
    with contextlib.redirect_stdout(io.StringIO()):
        T.main(argv)


def load(path):
    return T.load_checkpoint(path)


class TestTraining(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.data = os.path.join(cls.tmp.name, 'shards')
        D.write_synthetic(cls.data, 'drums', {'train': 40, 'val': 12}, n_mels=16, n_frames=16, seed=1)
        D.write_synthetic(cls.data, 'tonal', {'train': 20, 'val': 6}, n_mels=16, n_frames=8, seed=2)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_dir(self, name):
        return os.path.join(self.tmp.name, 'runs', name)

    def test_stats_and_cond(self):
        st = D.compute_stats(self.data, 'drums')
        x = np.load(os.path.join(self.data, 'drums_train.npy')).astype(np.float64)
        self.assertAlmostEqual(st['dataMean'], x.mean(), places=9)
        self.assertAlmostEqual(st['dataStd'], x.std(), places=9)
        sp = D.Split(self.data, 'drums', 'train', st)
        self.assertAlmostEqual(float(sp.x.mean()), 0.0, places=4)
        self.assertEqual(tuple(sp.cond.shape), (40, 16))
        self.assertTrue(bool((sp.cond[:, 10] == 1).all()) and bool((sp.cond[:, 15] == 1).all()))
        z = sp.cond[:, 11:15]
        self.assertLess(float(z.mean(0).abs().max()), 1e-5)  # normalised with train stats
        st = D.compute_stats(self.data, 'tonal')
        self.assertEqual(tuple(D.Split(self.data, 'tonal', 'val', st).cond.shape), (6, 41))

    def test_steps_lower_loss_on_fixed_batch(self):
        torch.manual_seed(0)
        m = M.UNet1D(16, [16, 24, 32], 32, 4, 2, 16)
        g = torch.Generator().manual_seed(0)
        x0 = torch.randn(8, 16, 16, generator=g).cumsum(2) * 0.3
        t = torch.rand(8, generator=g)
        noise = torch.randn(8, 16, 16, generator=g)
        cond = torch.randn(8, 16, generator=g)
        xt, v = M.v_loss_terms(x0, t, noise)
        opt = torch.optim.AdamW(m.parameters(), lr=2e-3)
        losses = []
        for _ in range(20):
            loss = F.mse_loss(m(xt, t, cond), v)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
        self.assertLess(losses[-1], 0.8 * losses[0])
        self.assertTrue(all(b < a for a, b in zip(losses, losses[1:])), losses)

    def test_resume_is_exact(self):
        common = TINY + ['--kind', 'drums', '--data', self.data, '--steps', '6', '--ckpt-every', '3',
                         '--val-every', '2', '--seed', '3']
        a = self.run_dir('a')
        b = self.run_dir('b')
        quiet_main(common + ['--run', a])
        quiet_main(common + ['--run', b, '--stop-after', '5'])  # "killed" after step 5; checkpoint at 3
        self.assertEqual(load(os.path.join(b, T.CKPT))['step'], 3)
        quiet_main(common + ['--run', b])  # resumes from 3
        ca, cb = load(os.path.join(a, T.CKPT)), load(os.path.join(b, T.CKPT))
        self.assertEqual(ca['step'], 6)
        self.assertEqual(cb['step'], 6)
        for key in ('model', 'ema'):
            for k, v in ca[key].items():
                self.assertTrue(torch.equal(v, cb[key][k]), f'{key}.{k}')
        for s, st in ca['opt']['state'].items():
            for k, v in st.items():
                self.assertTrue(torch.equal(torch.as_tensor(v), torch.as_tensor(cb['opt']['state'][s][k])), k)
        self.assertTrue(torch.equal(ca['gen'], cb['gen']))
        with open(os.path.join(a, 'loss.csv')) as fa, open(os.path.join(b, 'loss.csv')) as fb:
            ra, rb = list(csv.DictReader(fa)), list(csv.DictReader(fb))
        self.assertEqual(ra, rb)
        self.assertEqual([r['step'] for r in ra], [str(i) for i in range(1, 7)])
        self.assertEqual([bool(r['val_loss']) for r in ra], [False, True, False, True, False, True])
        self.assertTrue(os.path.exists(os.path.join(a, 'loss.png')))
        # export of the run: config per spec, EMA weights
        out = os.path.join(self.tmp.name, 'models', 'drums')
        cfg = E.export_run(a, out)
        self.assertEqual(cfg['training']['steps'], 6)
        self.assertEqual(cfg['training']['trainItems'], 40)
        self.assertEqual(cfg['training']['valItems'], 12)
        self.assertAlmostEqual(cfg['training']['valLoss'], float(ra[-1]['val_loss']), places=4)
        self.assertEqual(cfg['architecture']['condDim'], 16)
        self.assertEqual(cfg['architecture']['nFrames'], 16)
        self.assertEqual(cfg['sampler'], {'name': 'dpmpp-2m', 'steps': 10, 'guidance': 3.0})
        self.assertEqual(len(cfg['classes']), 10)
        back, _ = E.import_model(out)
        for k, v in ca['ema'].items():
            self.assertLess(float((back.state_dict()[k] - v).abs().max()), 1e-2 * (1 + float(v.abs().max())))

    def test_val_set_fixed(self):
        st = D.compute_stats(self.data, 'drums')
        val = D.Split(self.data, 'drums', 'val', st)
        a = T.make_val_set(val, 8, 0)
        b = T.make_val_set(val, 8, 0)
        for x, y in zip(a, b):
            self.assertTrue(torch.equal(x, y))
        self.assertEqual(a[0].shape[0], 8)

    def test_time_budget_fixes_steps(self):
        r = self.run_dir('budget')
        old = T.BUDGET_WINDOW
        T.BUDGET_WINDOW = (1, 3)
        try:
            quiet_main(TINY + ['--kind', 'drums', '--data', self.data, '--steps', '1000', '--run', r,
                               '--time-budget', '0.02', '--val-every', '1000', '--ckpt-every', '1000'])
        finally:
            T.BUDGET_WINDOW = old
        ck = load(os.path.join(r, T.CKPT))
        self.assertTrue(ck['args']['steps_fixed'])
        self.assertEqual(ck['step'], ck['args']['steps'])
        self.assertLess(ck['step'], 1000)

    def test_tonal_short_run(self):
        r = self.run_dir('tonal')
        quiet_main(TINY + ['--kind', 'tonal', '--data', self.data, '--steps', '2', '--run', r, '--val-every', '2'])
        ck = load(os.path.join(r, T.CKPT))
        self.assertEqual(ck['arch']['condDim'], 41)
        self.assertEqual(ck['step'], 2)

    def test_row_weights(self):
        w = T.parse_row_weights('0:32,3:2', 8)
        self.assertEqual(tuple(w.shape), (1, 8, 1))
        self.assertEqual(float(w[0, 0, 0]), 32.0)
        self.assertEqual(float(w[0, 1, 0]), 1.0)
        a, b = torch.zeros(2, 8, 4), torch.zeros(2, 8, 4)
        b[:, 0, :] = 1.0  # error only in row 0
        self.assertAlmostEqual(float(T.weighted_mse(a, b, None)), 1 / 8, places=6)
        self.assertAlmostEqual(float(T.weighted_mse(a, b, w)), (32 / 8) / (w.mean().item()), places=5)
        self.assertAlmostEqual(float(T.weighted_mse(a, b, torch.ones(1, 8, 1))), 1 / 8, places=6)
        for bad in ('0=3', '9:1', '0:0', 'x:1'):
            with self.assertRaises(SystemExit):
                T.parse_row_weights(bad, 8)

    def test_init_warm_start(self):
        src = self.run_dir('init-src')
        quiet_main(TINY + ['--kind', 'drums', '--data', self.data, '--steps', '2', '--run', src, '--val-every', '1000'])
        ck = os.path.join(src, T.CKPT)
        args = T.parse_args(TINY + ['--kind', 'drums', '--data', self.data, '--run', self.run_dir('init-dst'), '--init', ck])
        with contextlib.redirect_stdout(io.StringIO()):
            t = T.Trainer(args)
        for k, v in load(ck)['ema'].items():
            self.assertTrue(torch.equal(v, t.model.state_dict()[k]), k)
            self.assertTrue(torch.equal(v, t.ema.state_dict()[k]), k)
        bad = T.parse_args(['--channels', '16,24,40'] + TINY[2:] +
                           ['--kind', 'drums', '--data', self.data, '--run', self.run_dir('init-bad'), '--init', ck])
        with self.assertRaises(SystemExit) as e, contextlib.redirect_stdout(io.StringIO()):
            T.Trainer(bad)
        self.assertIn('shape', str(e.exception))
        nothing = T.parse_args(TINY + ['--kind', 'drums', '--data', self.data, '--run', self.run_dir('init-none'),
                                       '--init', os.path.join(src, 'nope.pt')])
        with self.assertRaises(SystemExit) as e, contextlib.redirect_stdout(io.StringIO()):
            T.Trainer(nothing)
        self.assertIn('nope.pt', str(e.exception))
        self.assertEqual(t.init, {'path': ck, 'steps': 2})
        # --train-only: a fine-tune that changes only the named tensors.
        r = self.run_dir('init-only')
        quiet_main(TINY + ['--kind', 'drums', '--data', self.data, '--run', r, '--init', ck, '--steps', '3',
                           '--val-every', '1000', '--train-only', 'cond_in'])
        before, after = load(ck)['ema'], load(os.path.join(r, T.CKPT))['model']
        self.assertFalse(torch.equal(before['cond_in.weight'], after['cond_in.weight']))
        for k in before:
            if not k.startswith('cond_in.'):
                self.assertTrue(torch.equal(before[k], after[k]), k)
        with self.assertRaises(SystemExit) as e, contextlib.redirect_stdout(io.StringIO()):
            T.Trainer(T.parse_args(TINY + ['--kind', 'drums', '--data', self.data, '--run', self.run_dir('only-bad'),
                                           '--train-only', 'cond']))
        self.assertIn('--train-only: no parameter named "cond"', str(e.exception))

    def test_descriptor_transform(self):
        self.assertIsNone(M.parse_descriptor_transform(''))
        self.assertIsNone(M.parse_descriptor_transform('noisiness=identity'))
        self.assertEqual(M.parse_descriptor_transform('noisiness=log10'), ['identity'] * 3 + ['log10'])
        for bad, msg in (('loudness=log10', 'unknown descriptor "loudness"'), ('noisiness=ln', 'unknown transform "ln"')):
            with self.assertRaises(ValueError) as e:
                M.parse_descriptor_transform(bad)
            self.assertIn(msg, str(e.exception))
        raw = torch.tensor([[10.0, -1.0, 0.5, 1e-3], [11.0, -2.0, 0.2, 0.0]], dtype=torch.float64)
        t = M.transform_descriptors(raw, ['identity'] * 3 + ['log10'])
        self.assertTrue(torch.equal(t[:, :3], raw[:, :3]))
        self.assertAlmostEqual(float(t[0, 3]), -3.0, places=12)
        self.assertAlmostEqual(float(t[1, 3]), -7.0, places=12)  # the floor: log10(1e-7)
        stats = {'mean': [10.0, -1.0, 0.3, -4.0], 'std': [1.0, 1.0, 0.1, 2.0], 'transform': ['identity'] * 3 + ['log10']}
        cond = M.encode_conditions(M.conditions_for('drums'), {'class': torch.tensor([0, 1]), 'descriptors': raw}, stats)
        self.assertAlmostEqual(float(cond[0, 14]), 0.5, places=6)   # (-3 - -4) / 2
        self.assertAlmostEqual(float(cond[1, 14]), -1.5, places=6)  # (-7 - -4) / 2
        self.assertAlmostEqual(float(cond[0, 13]), 2.0, places=6)   # punch unchanged: (0.5 - 0.3) / 0.1
        # Stats, a run and its export carry the transform; class baselines are in the same scale.
        st = D.compute_stats(self.data, 'drums', M.parse_descriptor_transform('noisiness=log10'))
        self.assertEqual(st['descriptorStats']['transform'], ['identity'] * 3 + ['log10'])
        self.assertNotIn('transform', D.compute_stats(self.data, 'drums')['descriptorStats'])
        r = self.run_dir('drums-log-noise')
        quiet_main(TINY + ['--kind', 'drums', '--data', self.data, '--steps', '2', '--run', r, '--val-every', '2',
                           '--descriptor-transform', 'noisiness=log10'])
        with contextlib.redirect_stdout(io.StringIO()):
            cfg = E.export_run(r, os.path.join(self.tmp.name, 'models', 'drums-log-noise'))
        self.assertEqual(cfg['descriptorStats']['transform'], ['identity'] * 3 + ['log10'])
        self.assertAlmostEqual(cfg['descriptorStats']['mean'][3], st['descriptorStats']['mean'][3], places=9)
        # A re-export keeps the shipped sampler settings (per-class guidance) with --sampler-from.
        import json
        shipped = os.path.join(self.tmp.name, 'shipped-config.json')
        with open(shipped, 'w') as f:
            json.dump({'kind': 'drums', 'sampler': {'name': 'dpmpp-2m', 'steps': 10, 'guidance': 3.0,
                                                    'classGuidance': {'clap': 2.5}},
                       'vocoder': {'harmonicPrior': {'floor': 0.05, 'maxHz': 4000, 'lobeBins': 2}}}, f)
        out2 = os.path.join(self.tmp.name, 'models', 'drums-resampled')
        with contextlib.redirect_stdout(io.StringIO()):
            E.main(['--run', r, '--out', out2, '--sampler-from', shipped])
        with open(os.path.join(out2, 'config.json')) as f:
            got = json.load(f)
        self.assertEqual(got['sampler']['classGuidance'], {'clap': 2.5})
        self.assertEqual(got['vocoder']['harmonicPrior']['maxHz'], 4000)
        with open(shipped, 'w') as f:
            json.dump({'kind': 'tonal', 'sampler': {'name': 'dpmpp-2m'}}, f)
        with self.assertRaises(SystemExit) as e:
            E.main(['--run', r, '--out', out2, '--sampler-from', shipped])
        self.assertIn("is a 'tonal' model, this run is 'drums'", str(e.exception))
        kick = cfg['training']['classDescriptorStats']['kick']
        self.assertLess(kick['mean'][3], 0.0)  # log10 of a flatness in (0, 1]
        with self.assertRaises(SystemExit) as e, contextlib.redirect_stdout(io.StringIO()):
            T.Trainer(T.parse_args(TINY + ['--kind', 'drums', '--data', self.data, '--run', self.run_dir('bad-t'),
                                           '--descriptor-transform', 'noisiness=sqrt']))
        self.assertIn('--descriptor-transform', str(e.exception))

    def _pitch_labels(self, data, split, labels, version=1):
        import json
        with open(os.path.join(data, f'tonal_{split}.pitch.json'), 'w') as f:
            json.dump({'version': version, 'estimator': 'estimateF0', 'maxCents': 50, 'items': labels}, f)

    def test_measured_pitch_labels(self):
        import json
        import shutil
        data = os.path.join(self.tmp.name, 'pitch-shards')
        shutil.copytree(self.data, data)
        st = D.compute_stats(data, 'tonal')
        items = {}
        for split in ('train', 'val'):
            with open(os.path.join(data, f'tonal_{split}.json')) as f:
                items[split] = json.load(f)['items']
            self._pitch_labels(data, split, [{'key': it['pitch'], 'cents': 15.0, 'label': it['pitch'] + 0.15}
                                             for it in items[split]])
        key = D.Split(data, 'tonal', 'train', st)
        meas = D.Split(data, 'tonal', 'train', st, pitch_labels='measured')
        pitch = slice(17, 34)  # family: one-hot + flag (17), then pitch: 16 values + flag
        want = M.encode_pitch(torch.tensor([it['pitch'] + 0.15 for it in items['train']], dtype=torch.float64))
        self.assertTrue(torch.allclose(meas.cond[:, pitch][:, :16], want, atol=1e-6))
        self.assertFalse(torch.allclose(key.cond[:, pitch], meas.cond[:, pitch]))
        self.assertTrue(torch.equal(key.cond[:, :17], meas.cond[:, :17]))  # only the pitch changes
        self.assertTrue(torch.equal(key.cond[:, 34:], meas.cond[:, 34:]))
        # A run trains on them, and the export says so.
        r = os.path.join(self.tmp.name, 'runs', 'tonal-measured')
        quiet_main(TINY + ['--kind', 'tonal', '--data', data, '--steps', '2', '--run', r, '--val-every', '2',
                           '--pitch-labels', 'measured'])
        out = os.path.join(self.tmp.name, 'models', 'tonal-measured')
        with contextlib.redirect_stdout(io.StringIO()):
            cfg = E.export_run(r, out)
        self.assertEqual(cfg['training']['pitchLabels'], 'measured')
        # Bad label files fail loudly, naming the file and what is wrong.
        bad_cases = [
            ([{'key': it['pitch'], 'label': it['pitch']} for it in items['train'][:-1]], 1, 'items for'),
            ([{'key': it['pitch'] + 1, 'label': it['pitch']} for it in items['train']], 1, 'but the shard says pitch'),
            ([{'key': it['pitch'], 'label': it['pitch'] + 3} for it in items['train']], 1, 'not within a semitone'),
            ([{'key': it['pitch'], 'label': it['pitch']} for it in items['train']], 2, 'version 2'),
        ]
        for labels, version, msg in bad_cases:
            self._pitch_labels(data, 'train', labels, version)
            with self.assertRaises(ValueError) as e:
                D.Split(data, 'tonal', 'train', st, pitch_labels='measured')
            self.assertIn('tonal_train.pitch.json', str(e.exception))
            self.assertIn(msg, str(e.exception))
        os.remove(os.path.join(data, 'tonal_train.pitch.json'))
        with self.assertRaises(ValueError) as e:
            D.Split(data, 'tonal', 'train', st, pitch_labels='measured')
        self.assertIn('npm run dataset:pitch', str(e.exception))

if __name__ == '__main__':
    unittest.main()
