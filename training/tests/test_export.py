import json
import os
import tempfile
import unittest

import numpy as np
import torch

from training import export as E
from training import make_parity_fixture as P
from training import model as M
from training.tests import spec_reference as R

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def random_model(seed=0, channels=(16, 24, 32), embed=32, cond_dim=16, n_mels=16):
    torch.manual_seed(seed)
    m = M.UNet1D(n_mels, list(channels), embed, 4, 2, cond_dim)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
        torch.nn.init.normal_(m.conv_out.weight, std=0.2)
    return m.eval()


def config_for(m, kind='drums', n_frames=16):
    hp = m.hparams
    arch = {'channels': hp['channels'], 'embedDim': hp['embed'], 'groups': hp['groups'], 'heads': hp['heads'],
            'condDim': hp['cond_dim'], 'nMels': hp['n_mels'], 'nFrames': n_frames, 'dataMean': 0.0, 'dataStd': 1.0,
            'params': M.count_params(m)}
    return E.make_config(kind, arch, {'mean': [0] * 4, 'std': [1] * 4}, {}, {'steps': 0})


class TestExport(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def inputs(self, cond_dim=16, n_mels=16, frames=16):
        g = torch.Generator().manual_seed(5)
        return (torch.randn(3, n_mels, frames, generator=g), torch.tensor([0.05, 0.5, 0.97]),
                torch.randn(3, cond_dim, generator=g))

    def test_round_trip_float32_exact(self):
        m = random_model()
        E.export_model(m, config_for(m), self.dir, float16=False)
        back, cfg = E.import_model(self.dir)
        for k, v in m.state_dict().items():
            self.assertTrue(torch.equal(v, back.state_dict()[k]), k)
        x, t, c = self.inputs()
        with torch.no_grad():
            self.assertTrue(torch.equal(m(x, t, c), back(x, t, c)))
        self.assertEqual(cfg['architecture']['params'], M.count_params(m))

    def test_round_trip_float16_close(self):
        m = random_model()
        man = E.export_model(m, config_for(m), self.dir, float16=True)
        w0 = man['weightsManifest'][0]['weights'][0]
        self.assertEqual(w0['dtype'], 'float32')
        self.assertEqual(w0['quantization'], {'dtype': 'float16'})
        nbytes = sum(os.path.getsize(os.path.join(self.dir, p)) for p in man['weightsManifest'][0]['paths'])
        self.assertEqual(nbytes, 2 * M.count_params(m))
        back, _ = E.import_model(self.dir)
        x, t, c = self.inputs()
        with torch.no_grad():
            a, b = m(x, t, c), back(x, t, c)
        err = float((a - b).abs().max())
        self.assertLess(err, 2e-2 * float(a.abs().max()))
        self.assertGreater(err, 0.0)

    def test_sharding_and_layout(self):
        m = random_model()
        man = E.write_weights(m.state_dict(), self.dir, float16=False, shard_bytes=50000)
        paths = man['weightsManifest'][0]['paths']
        self.assertGreater(len(paths), 1)
        for p in paths:
            self.assertLessEqual(os.path.getsize(os.path.join(self.dir, p)), 50000)
        shapes = {w['name']: w['shape'] for w in man['weightsManifest'][0]['weights']}
        self.assertEqual(shapes['down1.conv1.weight'], [3, 16, 24])    # [k, cin, cout]
        self.assertEqual(shapes['down1.film.weight'], [32, 48])        # [in, out]
        self.assertEqual(shapes['ds0.weight'], [3, 16, 16])
        self.assertEqual(shapes['up2.skip.weight'], [1, 64, 32])
        self.assertEqual(shapes['norm_out.bias'], [16])
        self.assertEqual(list(shapes), list(m.state_dict().keys()))
        back = E.read_weights(self.dir)
        for k, v in m.state_dict().items():
            self.assertTrue(torch.equal(v, back[k]), k)

    def test_numpy_spec_reference_matches(self):
        """Independent [B, T, C] NumPy implementation of the spec on the exported weights."""
        for cd, frames in ((16, 16), (41, 8)):
            m = random_model(seed=cd, cond_dim=cd)
            E.export_model(m, config_for(m, n_frames=frames), self.dir, float16=False)
            W = R.load_tfjs_weights(self.dir)
            x, t, c = self.inputs(cd, frames=frames)
            with torch.no_grad():
                v = m(x, t, c).numpy()
            ref = R.forward(W, {'groups': 4, 'heads': 2}, x.numpy(), t.numpy(), c.numpy())
            self.assertLess(float(np.abs(ref - v).max()), 1e-4)


class TestParityFixture(unittest.TestCase):
    fixture = os.path.join(ROOT, 'test', 'fixtures', 'parity')

    def test_fixture_matches_model_and_reference(self):
        io_path = os.path.join(self.fixture, 'io.json')
        if not os.path.exists(io_path):
            self.skipTest('run python3 -m training.make_parity_fixture')
        with open(io_path) as f:
            io = json.load(f)
        x, t, cond = (torch.tensor(io[k]) for k in ('x', 't', 'cond'))
        self.assertEqual(list(x.shape), [2, 16, 8])
        model, cfg = E.import_model(self.fixture)
        with torch.no_grad():
            v = model(x, t, cond)
        self.assertLess(float((v - torch.tensor(io['v'])).abs().max()), 1e-5)
        # the stored weights are exactly the generator's
        fresh = P.build_random_model()
        for k, w in fresh.state_dict().items():
            self.assertTrue(torch.equal(w, model.state_dict()[k]), k)
        # independent NumPy reference of the spec agrees with the stored output
        ref = R.forward(R.load_tfjs_weights(self.fixture), cfg['architecture'], io['x'], io['t'], io['cond'])
        self.assertLess(float(np.abs(ref - np.array(io['v'])).max()), 1e-4)
        self.assertLess(os.path.getsize(os.path.join(self.fixture, 'group1-shard1of1.bin')), 200 * 1024)
        # cond vector matches the encoder
        enc = M.encode_conditions(cfg['conditions'], {'class': torch.tensor([2, 7]),
                                                      'descriptors': torch.tensor(
                                                          [io['labels'][0]['descriptors']] * 2, dtype=torch.float64)},
                                  cfg['descriptorStats'], {'descriptors': torch.tensor([1, 0])})
        self.assertTrue(torch.equal(enc, cond))


if __name__ == '__main__':
    unittest.main()
