// Accuracy with a cluster bootstrap interval: questions on one video are correlated, so the
// bootstrap resamples whole videos (clusters), not single questions. Seeded and deterministic.
import type { AccuracyCell } from "./types.ts";

/** mulberry32: small, fast, good enough for resampling; the same seed gives the same interval everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Linear-interpolated quantile of sorted values (numpy's default, "type 7"). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** PRNG seed (default 0). */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

/**
 * Micro accuracy of `items` with a percentile interval from a cluster bootstrap: each resample draws as
 * many clusters as there are, with replacement, and pools their questions.
 */
export function clusterBootstrap(
  items: readonly { cluster: string; correct: boolean }[],
  opts: BootstrapOptions = {},
): AccuracyCell {
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const byCluster = new Map<string, { n: number; right: number }>();
  let right = 0;
  for (const it of items) {
    let c = byCluster.get(it.cluster);
    if (!c) byCluster.set(it.cluster, (c = { n: 0, right: 0 }));
    c.n++;
    if (it.correct) {
      c.right++;
      right++;
    }
  }
  const n = items.length;
  if (n === 0) return { acc: null, n: 0, right: 0, ci95: null };
  const ns = Int32Array.from(byCluster.values(), (c) => c.n);
  const rights = Int32Array.from(byCluster.values(), (c) => c.right);
  const k = ns.length;
  const rand = mulberry32(opts.seed ?? 0);
  const accs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sn = 0;
    let sr = 0;
    for (let j = 0; j < k; j++) {
      const pick = Math.floor(rand() * k);
      sn += ns[pick];
      sr += rights[pick];
    }
    accs[r] = sr / sn;
  }
  accs.sort();
  const tail = (1 - level) / 2;
  return { acc: right / n, n, right, ci95: [quantileSorted(accs, tail), quantileSorted(accs, 1 - tail)] };
}

/** One scored question for a run summary: its video (the bootstrap cluster), category and correctness. */
export interface ScoredItem {
  cluster: string;
  category: string;
  correct: boolean;
}

/**
 * Per-category accuracy with video-clustered intervals. Categories come in `known` order first, then any
 * others sorted by name.
 */
export function categoryAccuracy(
  items: readonly ScoredItem[],
  known: readonly string[],
  opts: BootstrapOptions = {},
): Record<string, AccuracyCell> {
  const present = new Set(items.map((i) => i.category));
  const order = [
    ...known.filter((k) => present.has(k)),
    ...[...present].filter((n) => !known.includes(n)).sort(),
  ];
  const categories: Record<string, AccuracyCell> = {};
  for (const c of order)
    categories[c] = clusterBootstrap(
      items.filter((i) => i.category === c),
      opts,
    );
  return categories;
}

/** Overall and per-category accuracy (see categoryAccuracy) of questions that each sit in one category. */
export function accuracyByCategory(
  items: readonly ScoredItem[],
  known: readonly string[],
  opts: BootstrapOptions = {},
) {
  return { overall: clusterBootstrap(items, opts), categories: categoryAccuracy(items, known, opts) };
}

/**
 * Right / total per category in first-met order, the dict the upstream scorers build (MotionBench's and
 * LVBench's compute_accuracy): `add` each answered question, `accuracies` at the end.
 */
export class CategoryTally {
  readonly total = new Map<string, number>();
  readonly right = new Map<string, number>();
  add(category: string, correct: boolean): void {
    this.total.set(category, (this.total.get(category) ?? 0) + 1);
    this.right.set(category, (this.right.get(category) ?? 0) + (correct ? 1 : 0));
  }
  accuracies(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [c, n] of this.total) out[c] = (this.right.get(c) ?? 0) / n;
    return out;
  }
}
