// ROUGE-L exactly as pycocoevalcap's Rouge: tokens split on " ", LCS per reference, separate maxima of P and R.
import { type CaptionGrams, type PreparedCorpus, prepareCorpus } from "./corpus.ts";

const BETA = 1.2;

/** The two dynamic-programming rows of `lcs`, reused across calls. */
interface Rows {
  prev: Int32Array;
  cur: Int32Array;
}

/** Length of the longest common subsequence of two token-id lists. */
function lcs(a: Int32Array, b: Int32Array, rows: Rows): number {
  if (a.length < b.length) [a, b] = [b, a];
  const bl = b.length;
  if (rows.prev.length < bl + 1) {
    rows.prev = new Int32Array(2 * (bl + 1));
    rows.cur = new Int32Array(2 * (bl + 1));
  }
  let prev = rows.prev;
  let cur = rows.cur;
  prev.fill(0, 0, bl + 1);
  cur.fill(0, 0, bl + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= bl; j++) {
      cur[j] = ai === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[bl];
}

function rougeFrom(c: PreparedCorpus, h: CaptionGrams, refs: readonly CaptionGrams[], rows: Rows): number {
  const cand = c.tokens.subarray(h.t0, h.t1);
  let pMax = 0;
  let rMax = 0;
  for (const ref of refs) {
    const r = c.tokens.subarray(ref.t0, ref.t1);
    const l = lcs(r, cand, rows);
    pMax = Math.max(pMax, l / cand.length);
    rMax = Math.max(rMax, l / r.length);
  }
  if (pMax === 0 || rMax === 0) return 0;
  return ((1 + BETA ** 2) * pMax * rMax) / (rMax + BETA ** 2 * pMax);
}

/** ROUGE-L of one hypothesis against its references. */
export function rougeL(hyp: string, refs: readonly string[]): number {
  // split(" ") keeps empty strings, as upstream does ("" is a one-token caption there)
  const c = prepareCorpus([hyp], [refs], 1);
  return rougeFrom(c, c.hyps[0], c.refs[0], { prev: new Int32Array(0), cur: new Int32Array(0) });
}

/** ROUGE-L of a prepared corpus. */
export function rougeOf(c: PreparedCorpus): { corpus: number; items: number[] } {
  const rows = { prev: new Int32Array(64), cur: new Int32Array(64) };
  const items = c.hyps.map((h, i) => rougeFrom(c, h, c.refs[i], rows));
  return { corpus: mean(items), items };
}

export function rouge(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
): { corpus: number; items: number[] } {
  return rougeOf(prepareCorpus(hyps, refs, 1));
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
