"""Evaluation math of training/evaluate.py (fast: NumPy, plus one tiny classifier)."""
import json
import os
import shutil
import tempfile
import unittest

import numpy as np

from training import evaluate as E


class FrechetDistanceTest(unittest.TestCase):
    def test_identical_sets_are_zero(self):
        x = np.random.default_rng(0).standard_normal((200, 16))
        self.assertAlmostEqual(E.frechet_distance(x, x), 0.0, places=6)

    def test_identical_small_sets_are_zero(self):
        x = np.random.default_rng(1).standard_normal((5, 64))  # fewer samples than dimensions
        self.assertAlmostEqual(E.frechet_distance(x, x), 0.0, places=6)

    def test_shift_gives_squared_mean_distance(self):
        x = np.random.default_rng(2).standard_normal((100, 8))
        shift = np.arange(8) * 0.5
        self.assertAlmostEqual(E.frechet_distance(x, x + shift), float(shift @ shift), places=6)

    def test_gaussians_closed_form(self):
        # N(0, a^2 I) vs N(0, b^2 I) in d dims: d (a - b)^2, from large samples.
        rng = np.random.default_rng(3)
        d = 4
        a = rng.standard_normal((40000, d)) * 1.0
        b = rng.standard_normal((40000, d)) * 2.0
        self.assertAlmostEqual(E.frechet_distance(a, b), d * 1.0, delta=0.1)

    def test_matches_scipy_sqrtm(self):
        try:
            from scipy import linalg
        except ImportError:  # pragma: no cover
            self.skipTest('scipy missing')
        rng = np.random.default_rng(4)
        a = rng.standard_normal((50, 6)) @ rng.standard_normal((6, 6))
        b = rng.standard_normal((60, 6)) @ rng.standard_normal((6, 6)) + 1.0
        s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
        ref = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(s1) + np.trace(s2) \
            - 2 * np.trace(linalg.sqrtm(s1 @ s2).real)
        self.assertAlmostEqual(E.frechet_distance(a, b), ref, places=5)

    def test_symmetric_and_non_negative(self):
        rng = np.random.default_rng(5)
        a, b = rng.standard_normal((30, 10)), rng.standard_normal((12, 10)) * 3
        self.assertAlmostEqual(E.frechet_distance(a, b), E.frechet_distance(b, a), places=6)
        self.assertGreater(E.frechet_distance(a, b), 0)

    def test_needs_two_samples(self):
        with self.assertRaises(ValueError):
            E.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))


class InceptionScoreTest(unittest.TestCase):
    def test_bounds(self):
        k = 10
        confident_balanced = np.eye(k)[np.arange(100) % k]
        self.assertAlmostEqual(E.inception_score(confident_balanced), k, places=4)
        one_class = np.tile(np.eye(k)[3], (50, 1))
        self.assertAlmostEqual(E.inception_score(one_class), 1.0, places=6)
        uniform = np.full((50, k), 1.0 / k)
        self.assertAlmostEqual(E.inception_score(uniform), 1.0, places=6)
        rng = np.random.default_rng(0)
        p = rng.dirichlet(np.ones(k) * 0.3, size=200)
        s = E.inception_score(p)
        self.assertGreaterEqual(s, 1.0)
        self.assertLessEqual(s, k)

    def test_imbalance_lowers_the_score(self):
        k = 4
        balanced = np.eye(k)[np.arange(40) % k]
        skewed = np.eye(k)[np.array([0] * 37 + [1, 2, 3])]
        self.assertLess(E.inception_score(skewed), E.inception_score(balanced))


class NoveltyTest(unittest.TestCase):
    def setUp(self):
        rng = np.random.default_rng(0)
        self.train = rng.standard_normal((300, 8))
        self.test = rng.standard_normal((100, 8))

    def test_nn_distances_match_brute_force(self):
        q = self.test[:7]
        ref = np.array([[np.linalg.norm(a - b) for b in self.train] for a in q]).min(1)
        np.testing.assert_allclose(E.nn_distances(q, self.train, chunk=3), ref, rtol=1e-5, atol=1e-5)

    def test_copies_are_near_copies(self):
        test_nn = E.nn_distances(self.test, self.train)
        copies = self.train[:20] + 1e-6
        share, thr = E.near_copy_share(E.nn_distances(copies, self.train), test_nn)
        self.assertEqual(share, 1.0)
        self.assertAlmostEqual(thr, float(np.percentile(test_nn, 5)))

    def test_far_samples_are_not(self):
        test_nn = E.nn_distances(self.test, self.train)
        far = self.test[:20] + 100.0
        share, _ = E.near_copy_share(E.nn_distances(far, self.train), test_nn)
        self.assertEqual(share, 0.0)

    def test_real_test_itself_is_about_five_percent(self):
        test_nn = E.nn_distances(self.test, self.train)
        share, _ = E.near_copy_share(test_nn, test_nn)
        self.assertLessEqual(share, 0.06)


class DiversityTest(unittest.TestCase):
    def test_mean_pairwise_distance(self):
        self.assertAlmostEqual(E.mean_pairwise_distance(np.array([[0.0], [3.0]])), 3.0)
        self.assertAlmostEqual(E.mean_pairwise_distance(np.array([[0.0, 0], [3, 0], [0, 4]])), (3 + 4 + 5) / 3)
        self.assertTrue(np.isnan(E.mean_pairwise_distance(np.zeros((1, 2)))))
        self.assertEqual(E.mean_pairwise_distance(np.ones((5, 3))), 0.0)


class MatchedDrawTest(unittest.TestCase):
    def test_same_class_and_nearest_pitch(self):
        y = np.array([0, 0, 1, 1, 1, 2])
        pitch = np.array([40, 60, 47, 49, 61, 30], dtype=float)
        items = [{'class': 1, 'pitch': 48}, {'class': 1, 'pitch': 60}, {'class': 0, 'pitch': 58}]
        rng = np.random.default_rng(0)
        for _ in range(10):
            d = E.matched_train_draw(rng, items, y, pitch, 'tonal')
            self.assertIn(d[0], (2, 3))
            self.assertEqual(d[1], 4)
            self.assertEqual(d[2], 1)


class ClassifierCacheTest(unittest.TestCase):
    """A tiny classifier trains, embeds, and is cached by the manifest's hash."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        rng = np.random.default_rng(0)
        os.makedirs(os.path.join(self.dir, 'shards'))
        for split, n in (('train', 3), ('val', 1), ('test', 1)):
            x, items = [], []
            for c in range(10):
                for i in range(n):
                    f = np.full((8, 8), -1.0, dtype=np.float32)
                    f[c % 8, :] = 0.5  # one bright band per class
                    x.append(f + 0.01 * rng.standard_normal((8, 8)).astype(np.float32))
                    items.append({'id': f'{split}{c}{i}', 'class': c, 'descriptors': [0, 0, 0, 0]})
            np.save(os.path.join(self.dir, 'shards', f'drums_{split}.npy'), np.stack(x))
            with open(os.path.join(self.dir, 'shards', f'drums_{split}.json'), 'w') as fh:
                json.dump({'items': items}, fh)
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as fh:
            json.dump({'items': []}, fh)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_train_then_cache(self):
        cache = os.path.join(self.dir, 'eval-cache')
        quiet = lambda s: None  # noqa: E731
        model, meta = E.classifier_for(self.dir, 'drums', 1, cache, log=quiet)
        self.assertFalse(meta['cached'])
        x, _, _ = E.load_split(self.dir, 'drums', 'test')
        emb, probs = E.run_classifier(model, x)
        self.assertEqual(emb.shape, (10, E.EMBED_DIM))
        np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-6)
        model2, meta2 = E.classifier_for(self.dir, 'drums', 1, cache, log=quiet)
        self.assertTrue(meta2['cached'])
        emb2, _ = E.run_classifier(model2, x)
        np.testing.assert_allclose(emb, emb2, rtol=1e-5, atol=1e-6)
        # A different dataset (manifest) is a different cache entry.
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as fh:
            json.dump({'items': [1]}, fh)
        _, meta3 = E.classifier_for(self.dir, 'drums', 1, cache, log=quiet)
        self.assertFalse(meta3['cached'])
        self.assertEqual(len([f for f in os.listdir(cache) if f.endswith('.pt')]), 2)


if __name__ == '__main__':
    unittest.main()
