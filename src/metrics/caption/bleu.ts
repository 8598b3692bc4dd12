// BLEU-1..4 exactly as pycocoevalcap's BleuScorer (option "closest"): per-item and corpus scores.
import { type PreparedCorpus, prepareCorpus } from "./corpus.ts";

const TINY = 1e-15; // added to matches so a zero count still gives 0, never NaN
const SMALL = 1e-9; // added to guesses and the reference length to avoid division by zero

function bleuFrom(correct: number[], guess: number[], testlen: number, reflen: number, n: number): number[] {
  const out: number[] = [];
  let b = 1;
  for (let k = 0; k < n; k++) {
    b *= (correct[k] + TINY) / (guess[k] + SMALL);
    out.push(b ** (1 / (k + 1)));
  }
  const ratio = (testlen + TINY) / (reflen + SMALL);
  if (ratio < 1) for (let k = 0; k < n; k++) out[k] *= Math.exp(1 - 1 / ratio);
  return out;
}

/** BLEU of a prepared corpus (its n-gram order is BLEU's n). */
export function bleuOf(c: PreparedCorpus): { corpus: number[]; items: number[][] } {
  const { n, orderOf, gramIds, gramCounts } = c;
  const maxc = new Int32Array(c.grams);
  const stamp = new Int32Array(c.grams).fill(-1);
  const items: number[][] = [];
  let testlen = 0;
  let reflen = 0;
  const guess = new Array(n).fill(0);
  const correct = new Array(n).fill(0);
  for (let i = 0; i < c.hyps.length; i++) {
    // cook_refs: the largest count of each n-gram over the references; cook_test: clipped matches
    const reflens: number[] = [];
    for (const r of c.refs[i]) {
      reflens.push(r.words);
      for (let j = r.g0; j < r.g1; j++) {
        const g = gramIds[j];
        if (stamp[g] !== i) {
          stamp[g] = i;
          maxc[g] = gramCounts[j];
        } else if (maxc[g] < gramCounts[j]) maxc[g] = gramCounts[j];
      }
    }
    const h = c.hyps[i];
    const tl = h.words;
    // closest reference length; on a tie the shorter one (Python's min over (|l - testlen|, l))
    let rl = reflens[0];
    for (const l of reflens) {
      const d = Math.abs(l - tl);
      const bd = Math.abs(rl - tl);
      if (d < bd || (d === bd && l < rl)) rl = l;
    }
    const g4: number[] = [];
    const c4: number[] = new Array(n).fill(0);
    for (let k = 1; k <= n; k++) g4.push(Math.max(0, tl - k + 1));
    for (let j = h.g0; j < h.g1; j++) {
      const g = gramIds[j];
      c4[orderOf[g] - 1] += Math.min(stamp[g] === i ? maxc[g] : 0, gramCounts[j]);
    }
    testlen += tl;
    reflen += rl;
    for (let k = 0; k < n; k++) {
      guess[k] += g4[k];
      correct[k] += c4[k];
    }
    items.push(bleuFrom(c4, g4, tl, rl, n));
  }
  return { corpus: bleuFrom(correct, guess, testlen, reflen, n), items };
}

/** Returns corpus BLEU-1..n and, per item, BLEU-1..n (items in input order). */
export function bleu(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  n = 4,
): { corpus: number[]; items: number[][] } {
  return bleuOf(prepareCorpus(hyps, refs, n));
}
