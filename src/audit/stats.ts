// The audit's numbers from per-sample outcomes: accuracy and chance per category with video-clustered
// intervals, and how much of the ordered accuracy a perturbation keeps, with a paired video bootstrap.
import { accuracyByCategory, mulberry32, quantileSorted } from "../benchmarks/stats.ts";

/** One scored multiple-choice question of one condition. */
export interface AuditItem {
  sampleId: string;
  videoId: string;
  category: string;
  correct: boolean;
  /** Number of options (chance of a uniform guess is 1 / options). */
  options: number;
}

export interface CellStats {
  acc: number | null;
  n: number;
  ci95: [number, number] | null;
  /** Expected accuracy of a uniform guess over the same questions: mean of 1 / #options. */
  chance: number | null;
}

export interface Retention {
  /** (acc − chance) / (acc_ordered − chance) on the questions scored in both; null when acc_ordered ≤ chance. */
  retained: number | null;
  /**
   * 95% interval of `retained` (paired bootstrap over videos), over the resamples in which acc_ordered > chance;
   * null when more than 2.5% of them are not (the ratio is unbounded there, so a tail would be undefined).
   */
  retainedCi95: [number, number] | null;
  /** acc / acc_ordered, the raw ratio (null when acc_ordered = 0). */
  ratio: number | null;
  /** acc − acc_ordered on the paired questions, and its 95% interval (paired bootstrap over videos). */
  delta: number | null;
  deltaCi95: [number, number] | null;
  /** Questions scored in both conditions. */
  paired: number;
}

const chanceOf = (items: readonly AuditItem[]) =>
  items.length ? items.reduce((s, x) => s + 1 / x.options, 0) / items.length : null;

/** Overall and per-category accuracy (the eval's bootstrap: 2,000 resamples of videos, seed 0) and chance. */
export function conditionStats(items: readonly AuditItem[], known: readonly string[] = []) {
  const a = accuracyByCategory(
    items.map((x) => ({ cluster: x.videoId, category: x.category, correct: x.correct })),
    known,
  );
  const cell = (
    c: { acc: number | null; n: number; ci95: [number, number] | null },
    its: readonly AuditItem[],
  ) => ({ acc: c.acc, n: c.n, ci95: c.ci95, chance: chanceOf(its) }) satisfies CellStats;
  const categories: Record<string, CellStats> = {};
  for (const [cat, c] of Object.entries(a.categories))
    categories[cat] = cell(
      c,
      items.filter((x) => x.category === cat),
    );
  return { overall: cell(a.overall, items), categories };
}

/**
 * Retention of `cond` against `ordered` over the questions both scored. The bootstrap draws videos with
 * replacement and recomputes both accuracies and chance on the same draw, so the two conditions stay paired.
 */
export function retention(
  ordered: readonly AuditItem[],
  cond: readonly AuditItem[],
  opts: { resamples?: number; seed?: number } = {},
): Retention {
  const byId = new Map(ordered.map((x) => [x.sampleId, x]));
  // per video: [ordered right, cond right, chance sum, n]
  const clusters = new Map<string, [number, number, number, number]>();
  for (const c of cond) {
    const o = byId.get(c.sampleId);
    if (!o) continue;
    let v = clusters.get(c.videoId);
    if (!v) clusters.set(c.videoId, (v = [0, 0, 0, 0]));
    v[0] += o.correct ? 1 : 0;
    v[1] += c.correct ? 1 : 0;
    v[2] += 1 / c.options;
    v[3] += 1;
  }
  const cl = [...clusters.values()];
  const tot = cl.reduce((s, v) => s.map((x, i) => x + v[i]) as typeof v, [0, 0, 0, 0]);
  const paired = tot[3];
  if (paired === 0)
    return { retained: null, retainedCi95: null, ratio: null, delta: null, deltaCi95: null, paired: 0 };
  const ret = (o: number, c: number, ch: number) => (o - ch > 0 ? (c - ch) / (o - ch) : null);
  const [ao, ac, ch] = [tot[0] / paired, tot[1] / paired, tot[2] / paired];
  const resamples = opts.resamples ?? 2000;
  const rand = mulberry32(opts.seed ?? 0);
  const deltas = new Float64Array(resamples);
  const rets = new Float64Array(resamples);
  let defined = 0;
  for (let r = 0; r < resamples; r++) {
    let o = 0;
    let c = 0;
    let h = 0;
    let n = 0;
    for (let j = 0; j < cl.length; j++) {
      const v = cl[Math.floor(rand() * cl.length)];
      o += v[0];
      c += v[1];
      h += v[2];
      n += v[3];
    }
    deltas[r] = (c - o) / n;
    const x = ret(o / n, c / n, h / n);
    if (x !== null) rets[defined++] = x;
  }
  deltas.sort();
  const retsDefined = rets.subarray(0, defined).sort();
  const q = (xs: Float64Array): [number, number] => [quantileSorted(xs, 0.025), quantileSorted(xs, 0.975)];
  const retained = ret(ao, ac, ch);
  return {
    retained,
    retainedCi95: retained !== null && defined >= 0.975 * resamples ? q(retsDefined) : null,
    ratio: ao > 0 ? ac / ao : null,
    delta: ac - ao,
    deltaCi95: q(deltas),
    paired,
  };
}
