"""Paired comparisons: exact McNemar against scipy's binomial test, Holm on a hand-worked case, the clip-clustered
bootstrap's interval covering the truth and widening when items of a clip move together."""

import numpy as np
import pytest

from kinema_py.paired import clustered_bootstrap, holm, mcnemar_exact, paired


@pytest.mark.parametrize("b,c", [(0, 5), (3, 3), (1, 9), (12, 4), (0, 0), (40, 25)])
def test_mcnemar_exact_is_the_two_sided_binomial_test(b, c):
    try:
        from scipy.stats import binomtest
    except ImportError:  # without scipy: the binomial sum written out
        from math import comb

        n, k = b + c, min(b, c)
        want = 1.0 if n == 0 else min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n)
        assert mcnemar_exact(b, c) == pytest.approx(want)
        return
    want = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(want, rel=1e-12)


def test_mcnemar_hand_values():
    assert mcnemar_exact(0, 5) == pytest.approx(2 / 32)
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0


def test_holm_hand_worked():
    # sorted: 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> monotone 0.06)
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_clustered_bootstrap_interval_and_clusters():
    rng = np.random.default_rng(1)
    # 200 clips x 6 items; A beats B by 0.1 on average
    clusters = [f"c{i}" for i in range(200) for _ in range(6)]
    diff = (rng.random(1200) < 0.3).astype(float) - (rng.random(1200) < 0.2).astype(float)
    r = clustered_bootstrap(diff.tolist(), clusters, reps=1000, seed=0)
    assert r["n_clusters"] == 200 and r["n_items"] == 1200
    assert r["ci95"][0] < r["diff"] < r["ci95"][1]
    assert r["diff"] == pytest.approx(diff.mean())
    # the same differences, but every clip's 6 items identical: the clustered interval must be wider
    same = np.repeat(diff[::6], 6)
    wide = clustered_bootstrap(same.tolist(), clusters, reps=1000, seed=0)
    indep = clustered_bootstrap(same.tolist(), [str(i) for i in range(1200)], reps=1000, seed=0)
    assert wide["ci95"][1] - wide["ci95"][0] > 1.8 * (indep["ci95"][1] - indep["ci95"][0])
    # no difference at all: p = 1
    assert clustered_bootstrap([0.0] * 12, clusters[:12])["p"] == 1.0


def test_paired_averages_seeds_and_counts_discordant_pairs():
    clusters = ["a", "a", "b", "b"]
    a = [[1, 1, 0, 1], [1, 0, 0, 1]]
    b = [[0, 1, 0, 0]]
    r = paired(a, b, clusters, reps=200)
    assert r["acc_a"] == pytest.approx(0.625) and r["acc_b"] == pytest.approx(0.25)
    assert r["diff"] == pytest.approx(0.375)
    assert r["mcnemar_seed0"] == {"only_a": 2, "only_b": 0, "p": pytest.approx(0.5)}
    assert r["seeds"] == [2, 1]
