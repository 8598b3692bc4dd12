// CIDEr-D exactly as pycocoevalcap's CiderScorer (n = 4, sigma = 6), including its quirks: document
// frequency over the reference sets only, log(max(1, df)), and the length penalty computed from bigram counts.
import { type CaptionGrams, type PreparedCorpus, prepareCorpus } from "./corpus.ts";
import { mean } from "./rouge.ts";

const N = 4;
const SIGMA = 6;

interface Vec {
  /** TF-IDF weight of each of the caption's n-grams (its pool order). */
  w: Float64Array;
  norm: Float64Array;
  /** Number of bigrams (upstream's "length": counted where n == 1, i.e. for bigrams). */
  length: number;
}

function toVec(
  cap: CaptionGrams,
  c: PreparedCorpus,
  logDf: Float64Array,
  logN: number,
  into: { w: Float64Array; norm: Float64Array },
): Vec {
  const { gramIds, gramCounts, orderOf } = c;
  const { w, norm } = into;
  norm.fill(0);
  let length = 0;
  for (let j = cap.g0; j < cap.g1; j++) {
    const g = gramIds[j];
    const tf = gramCounts[j];
    const k = orderOf[g] - 1;
    const x = tf * (logN - logDf[g]);
    w[j - cap.g0] = x;
    norm[k] += x ** 2;
    if (k === 1) length += tf;
  }
  for (let k = 0; k < N; k++) norm[k] = Math.sqrt(norm[k]);
  return { w, norm, length };
}

/** CIDEr-D of a prepared corpus (prepared with n = 4). */
export function ciderOf(c: PreparedCorpus): { corpus: number; items: number[] } {
  const { orderOf, gramIds } = c;
  const df = new Int32Array(c.grams);
  const seen = new Int32Array(c.grams).fill(-1);
  c.refs.forEach((rs, i) => {
    for (const r of rs)
      for (let j = r.g0; j < r.g1; j++) {
        const g = gramIds[j];
        if (seen[g] !== i) {
          seen[g] = i;
          df[g]++;
        }
      }
  });
  const logDf = new Float64Array(c.grams);
  for (let g = 0; g < c.grams; g++) logDf[g] = Math.log(Math.max(1, df[g]));
  const logN = Math.log(c.refs.length);
  let longest = 0;
  for (const h of c.hyps) longest = Math.max(longest, h.g1 - h.g0);
  for (const rs of c.refs) for (const r of rs) longest = Math.max(longest, r.g1 - r.g0);
  const hv = { w: new Float64Array(longest), norm: new Float64Array(N) };
  const refv = { w: new Float64Array(longest), norm: new Float64Array(N) };
  const val = new Float64Array(N);
  const score = new Float64Array(N);
  // the reference's weight of each gram, valid where `at` holds the current reference's mark
  const rw = new Float64Array(c.grams);
  const at = new Int32Array(c.grams).fill(-1);
  let mark = 0;
  const items = c.hyps.map((hc, i) => {
    const h = toVec(hc, c, logDf, logN, hv);
    score.fill(0);
    for (const rc of c.refs[i]) {
      const r = toVec(rc, c, logDf, logN, refv);
      mark++;
      for (let j = rc.g0; j < rc.g1; j++) {
        rw[gramIds[j]] = r.w[j - rc.g0];
        at[gramIds[j]] = mark;
      }
      const delta = h.length - r.length;
      val.fill(0);
      for (let j = hc.g0; j < hc.g1; j++) {
        const g = gramIds[j];
        const vr = at[g] === mark ? rw[g] : 0;
        val[orderOf[g] - 1] += Math.min(h.w[j - hc.g0], vr) * vr;
      }
      for (let k = 0; k < N; k++) {
        if (h.norm[k] !== 0 && r.norm[k] !== 0) val[k] /= h.norm[k] * r.norm[k];
        val[k] *= Math.E ** (-(delta ** 2) / (2 * SIGMA ** 2));
        score[k] += val[k];
      }
    }
    return ((score[0] + score[1] + score[2] + score[3]) / N / c.refs[i].length) * 10;
  });
  return { corpus: mean(items), items };
}

export function ciderD(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
): { corpus: number; items: number[] } {
  return ciderOf(prepareCorpus(hyps, refs, N));
}
