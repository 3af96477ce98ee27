import math
import unittest

import torch

from training import model as M


def tiny(cond_dim=16, n_mels=16):
    torch.manual_seed(0)
    return M.UNet1D(n_mels, [16, 24, 32], 32, 4, 2, cond_dim)


class TestShapes(unittest.TestCase):
    def test_output_shape_drums_and_tonal(self):
        for cd, frames in ((16, 64), (41, 128)):
            m = tiny(cd)
            x = torch.randn(3, 16, frames)
            v = m(x, torch.rand(3), torch.randn(3, cd))
            self.assertEqual(tuple(v.shape), (3, 16, frames))

    def test_conv_out_zero_init(self):
        m = tiny()
        self.assertEqual(float(m.conv_out.weight.abs().sum()), 0.0)
        self.assertEqual(float(m(torch.randn(2, 16, 8), torch.rand(2), torch.zeros(2, 16)).abs().max()), 0.0)

    def test_state_dict_names(self):
        names = set(tiny().state_dict().keys())
        for n in ('time_in.weight', 'cond_in.weight', 'emb_out.bias', 'conv_in.weight', 'down0.norm1.weight',
                  'down0.conv1.weight', 'down0.film.weight', 'down0.norm2.bias', 'down0.conv2.weight',
                  'down1.skip.weight', 'ds0.weight', 'ds1.bias', 'attn.norm.weight', 'attn.qkv.weight',
                  'attn.proj.weight', 'us1.conv.weight', 'us0.conv.bias', 'up2.skip.weight', 'norm_out.weight',
                  'conv_out.weight', 'mid1.conv1.weight', 'mid2.film.bias', 'up0.conv2.weight'):
            self.assertIn(n, names)
        self.assertNotIn('down0.skip.weight', names)  # cin == cout: identity skip
        self.assertNotIn('mid1.skip.weight', names)

    def test_gemm_conv_matches_native(self):
        torch.manual_seed(1)
        for (c, o, t, k, s, p) in ((5, 7, 12, 3, 1, 1), (6, 6, 12, 3, 2, 1), (4, 9, 8, 1, 1, 0)):
            x = torch.randn(3, c, t, requires_grad=True)
            w = torch.randn(o, c, k, requires_grad=True)
            b = torch.randn(o, requires_grad=True)
            g = None
            res = []
            for f in (lambda: torch.nn.functional.conv1d(x, w, b, stride=s, padding=p),
                      lambda: M.conv1d_gemm(x, w, b, s, p)):
                x.grad = w.grad = b.grad = None
                y = f()
                if g is None:
                    g = torch.randn_like(y)
                y.backward(g)
                res.append((y.detach(), x.grad.clone(), w.grad.clone(), b.grad.clone()))
            for a, bb in zip(*res):
                self.assertLess(float((a - bb).abs().max()), 1e-5)

    def test_native_and_gemm_model_agree(self):
        m = tiny()
        torch.nn.init.normal_(m.conv_out.weight, std=0.1)
        x, t, c = torch.randn(2, 16, 16), torch.rand(2), torch.randn(2, 16)
        M.CONV_IMPL = 'native'
        try:
            a = m(x, t, c)
        finally:
            M.CONV_IMPL = 'auto'
        self.assertLess(float((a - m(x, t, c)).abs().max()), 1e-5)


class TestSchedule(unittest.TestCase):
    def test_endpoints(self):
        ls = M.log_snr(torch.tensor([0.0, 1.0], dtype=torch.float64))
        self.assertAlmostEqual(float(ls[0]), 15.0, places=6)
        self.assertAlmostEqual(float(ls[1]), -15.0, places=6)
        a, s = M.alpha_sigma(torch.linspace(0, 1, 11, dtype=torch.float64))
        self.assertLess(float((a * a + s * s - 1).abs().max()), 1e-12)
        self.assertTrue(bool((a[1:] < a[:-1]).all()))

    def test_v_target(self):
        x0, eps, t = torch.randn(2, 3, 4), torch.randn(2, 3, 4), torch.tensor([0.2, 0.7])
        xt, v = M.v_loss_terms(x0, t, eps)
        a, s = M.alpha_sigma(t)
        a, s = a[:, None, None], s[:, None, None]
        self.assertLess(float((a * xt - s * v - x0).abs().max()), 1e-5)   # x0 = a x_t - s v
        self.assertLess(float((s * xt + a * v - eps).abs().max()), 1e-5)  # eps = s x_t + a v

    def test_timestep_embedding(self):
        e = M.timestep_embedding(torch.tensor([0.0, 0.5]))
        self.assertEqual(tuple(e.shape), (2, 128))
        self.assertTrue(torch.allclose(e[0, :64], torch.ones(64)))  # cos first
        self.assertTrue(torch.allclose(e[0, 64:], torch.zeros(64)))
        self.assertAlmostEqual(float(e[1, 64]), math.sin(500.0), places=4)
        self.assertAlmostEqual(float(e[1, 1]), math.cos(500.0 * math.exp(-math.log(10000) / 64)), places=4)


class TestConditions(unittest.TestCase):
    stats = {'mean': [10.0, -1.0, 0.5, 0.5], 'std': [2.0, 0.5, 0.25, 0.1]}

    def test_sizes(self):
        self.assertEqual(M.cond_dim(M.conditions_for('drums')), 16)
        self.assertEqual(M.cond_dim(M.conditions_for('tonal')), 41)

    def test_drums_layout(self):
        conds = M.conditions_for('drums')
        c = M.encode_conditions(conds, {'class': torch.tensor([3, 9]),
                                        'descriptors': torch.tensor([[12.0, -1.5, 0.75, 0.4]] * 2)},
                                self.stats, {'descriptors': torch.tensor([1, 0])})
        exp0 = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1.0, -1.0, 1.0, -1.0, 1]
        self.assertTrue(torch.allclose(c[0], torch.tensor(exp0, dtype=torch.float32), atol=1e-6), c[0])
        self.assertEqual(c[1].tolist(), [0] * 9 + [1, 1] + [0] * 5)

    def test_tonal_layout(self):
        conds = M.conditions_for('tonal')
        c = M.encode_conditions(conds, {'family': torch.tensor([4]), 'pitch': torch.tensor([76.0]),
                                        'velocity': torch.tensor([127.0]),
                                        'descriptors': torch.tensor([[10.0, -1.0, 0.5, 0.5]])}, self.stats)[0]
        self.assertEqual(c[:17].tolist(), [0, 0, 0, 0, 1] + [0] * 11 + [1])
        p = c[17:34]
        self.assertAlmostEqual(float(p[0]), 12 / 32, places=6)
        for i, per in enumerate(M.PITCH_PERIODS):  # interleaved sin, cos per period
            self.assertAlmostEqual(float(p[1 + 2 * i]), math.sin(2 * math.pi * 76 / per), places=5)
            self.assertAlmostEqual(float(p[2 + 2 * i]), math.cos(2 * math.pi * 76 / per), places=5)
        self.assertEqual(float(p[15]), 0.0)
        self.assertEqual(float(p[16]), 1.0)
        self.assertEqual(c[34:36].tolist(), [1.0, 1.0])
        self.assertEqual(c[36:41].tolist(), [0, 0, 0, 0, 1])

    def test_dropout(self):
        conds = M.conditions_for('tonal')
        seg = M.condition_segments(conds)
        cond = torch.ones(20000, 41)
        g = torch.Generator().manual_seed(0)
        d = M.drop_conditions(cond, seg, g)
        flags = d[:, [16, 33, 35, 40]]
        # each segment is either all ones or all zeros
        for i in range(4):
            rows = d[:, seg[i] > 0]
            self.assertTrue(bool(((rows.sum(1) == 0) | (rows.sum(1) == rows.shape[1])).all()))
        p_drop = 1 - float(flags.mean())
        self.assertAlmostEqual(p_drop, 1 - 0.85 * 0.9, delta=0.01)
        p_all = float((flags.sum(1) == 0).float().mean())
        self.assertAlmostEqual(p_all, 0.1 + 0.9 * 0.15 ** 4, delta=0.01)


if __name__ == '__main__':
    unittest.main()
