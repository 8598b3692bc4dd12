// CIDEr-D exactly as pycocoevalcap's CiderScorer (n = 4, sigma = 6), including its quirks: document
// frequency over the reference sets only, log(max(1, df)), and the length penalty computed from bigram counts.
import { ngramCounts, ngramOrder, pySplit } from "./ngrams.ts";
import { mean } from "./rouge.ts";

const N = 4;
const SIGMA = 6;

interface Vec {
  vec: Map<string, number>[];
  norm: number[];
  /** Number of bigrams (upstream's "length": counted where n == 1, i.e. for bigrams). */
  length: number;
}

function toVec(counts: Map<string, number>, df: Map<string, number>, logN: number): Vec {
  const vec: Map<string, number>[] = Array.from({ length: N }, () => new Map());
  const norm = new Array(N).fill(0);
  let length = 0;
  for (const [g, tf] of counts) {
    const k = ngramOrder(g) - 1;
    const w = tf * (logN - Math.log(Math.max(1, df.get(g) ?? 0)));
    vec[k].set(g, w);
    norm[k] += w ** 2;
    if (k === 1) length += tf;
  }
  return { vec, norm: norm.map(Math.sqrt), length };
}

function sim(h: Vec, r: Vec): number[] {
  const delta = h.length - r.length;
  const val = new Array(N).fill(0);
  for (let k = 0; k < N; k++) {
    for (const [g, vh] of h.vec[k]) {
      const vr = r.vec[k].get(g) ?? 0;
      val[k] += Math.min(vh, vr) * vr;
    }
    if (h.norm[k] !== 0 && r.norm[k] !== 0) val[k] /= h.norm[k] * r.norm[k];
    val[k] *= Math.E ** (-(delta ** 2) / (2 * SIGMA ** 2));
  }
  return val;
}

export function ciderD(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
): { corpus: number; items: number[] } {
  const hypCounts = hyps.map((h) => ngramCounts(pySplit(h), N));
  const refCounts = refs.map((rs) => rs.map((r) => ngramCounts(pySplit(r), N)));
  const df = new Map<string, number>();
  for (const rs of refCounts) {
    const seen = new Set<string>();
    for (const c of rs) for (const g of c.keys()) seen.add(g);
    for (const g of seen) df.set(g, (df.get(g) ?? 0) + 1);
  }
  const logN = Math.log(refs.length);
  const items = hypCounts.map((hc, i) => {
    const h = toVec(hc, df, logN);
    const score = new Array(N).fill(0);
    for (const rc of refCounts[i]) {
      const s = sim(h, toVec(rc, df, logN));
      for (let k = 0; k < N; k++) score[k] += s[k];
    }
    return ((score[0] + score[1] + score[2] + score[3]) / N / refCounts[i].length) * 10;
  });
  return { corpus: mean(items), items };
}
