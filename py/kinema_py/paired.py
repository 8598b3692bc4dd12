"""Paired comparisons of two models on the same questions (the compression study's contrasts).

Two methods answered the same held-out items; per item we know whether each was right (averaged over training
seeds when a cell has several). Items of one clip are not independent (six questions share one video), so
intervals resample clips, not items. Every function here is pure and deterministic given its seed.

- mcnemar_exact(b, c): two-sided exact McNemar p-value from the discordant counts (b: only A right, c: only B).
- clustered_bootstrap(diff, clusters, reps, seed): the mean item difference and its 95% percentile interval,
  resampling clusters with replacement; p = two-sided bootstrap p-value of "no difference".
- holm(pvalues): Holm-Bonferroni adjusted p-values, in input order.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar test: under H0 the b discordant pairs of n = b + c are Binomial(n, 1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    # P(X <= k) for X ~ Bin(n, 1/2), doubled and capped at 1
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def clustered_bootstrap(diff: list[float], clusters: list[str], reps: int = 2000, seed: int = 0) -> dict:
    """Mean of the per-item differences, a 95% interval and a two-sided p-value, resampling whole clusters."""
    assert len(diff) == len(clusters), "one cluster id per item"
    if not diff:
        return {"diff": 0.0, "ci95": [0.0, 0.0], "p": 1.0, "n_items": 0, "n_clusters": 0}
    groups: dict[str, list[float]] = defaultdict(list)
    for d, g in zip(diff, clusters):
        groups[g].append(d)
    keys = sorted(groups)
    sums = np.array([sum(groups[g]) for g in keys])
    counts = np.array([len(groups[g]) for g in keys])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(keys), size=(reps, len(keys)))
    boot = sums[idx].sum(1) / counts[idx].sum(1)  # ratio estimator: items of the resampled clusters
    est = float(sums.sum() / counts.sum())
    lo, hi = np.percentile(boot, [2.5, 97.5])
    # two-sided p: how often the resampled difference falls on the other side of 0 (shifted to H0)
    p = float(min(1.0, 2 * min(np.mean(boot <= 0), np.mean(boot >= 0)))) if est != 0 else 1.0
    return {
        "diff": est,
        "ci95": [float(lo), float(hi)],
        "p": max(p, 1.0 / reps) if est != 0 else 1.0,
        "n_items": int(counts.sum()),
        "n_clusters": len(keys),
    }


def holm(pvalues: list[float]) -> list[float]:
    """Holm-Bonferroni step-down adjusted p-values (monotone, capped at 1), in the order given."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adj = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adj[i] = running
    return adj


def paired(a: list[list[int]], b: list[list[int]], clusters: list[str], reps: int = 2000, seed: int = 0) -> dict:
    """A vs B on the same items. a, b: per seed, per item 0/1 correctness (seeds need not match in number).
    Returns the clustered bootstrap of the seed-averaged difference (A − B) and McNemar on seed 0."""
    n = len(clusters)
    assert all(len(r) == n for r in a + b), "every seed's predictions cover the same items"
    ma = np.mean(np.array(a, dtype=float), 0)
    mb = np.mean(np.array(b, dtype=float), 0)
    out = clustered_bootstrap((ma - mb).tolist(), clusters, reps, seed)
    b01 = sum(1 for x, y in zip(a[0], b[0]) if x and not y)
    c01 = sum(1 for x, y in zip(a[0], b[0]) if y and not x)
    out["acc_a"] = float(ma.mean())
    out["acc_b"] = float(mb.mean())
    out["mcnemar_seed0"] = {"only_a": b01, "only_b": c01, "p": mcnemar_exact(b01, c01)}
    out["seeds"] = [len(a), len(b)]
    return out
