// BLEU-1..4 exactly as pycocoevalcap's BleuScorer (option "closest"): per-item and corpus scores.
import { ngramCounts, ngramOrder, pySplit } from "./ngrams.ts";

const TINY = 1e-15; // added to matches so a zero count still gives 0, never NaN
const SMALL = 1e-9; // added to guesses and the reference length to avoid division by zero

interface Cooked {
  testlen: number;
  reflen: number;
  guess: number[];
  correct: number[];
}

function cook(hyp: string, refs: readonly string[], n: number): Cooked {
  const reflens: number[] = [];
  const maxcounts = new Map<string, number>();
  for (const r of refs) {
    const words = pySplit(r);
    reflens.push(words.length);
    for (const [g, c] of ngramCounts(words, n)) if ((maxcounts.get(g) ?? 0) < c) maxcounts.set(g, c);
  }
  const words = pySplit(hyp);
  const testlen = words.length;
  // closest reference length; on a tie the shorter one (Python's min over (|l - testlen|, l))
  let reflen = reflens[0];
  for (const l of reflens) {
    const d = Math.abs(l - testlen);
    const bd = Math.abs(reflen - testlen);
    if (d < bd || (d === bd && l < reflen)) reflen = l;
  }
  const guess: number[] = [];
  const correct: number[] = new Array(n).fill(0);
  for (let k = 1; k <= n; k++) guess.push(Math.max(0, testlen - k + 1));
  for (const [g, c] of ngramCounts(words, n))
    correct[ngramOrder(g) - 1] += Math.min(maxcounts.get(g) ?? 0, c);
  return { testlen, reflen, guess, correct };
}

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

/** Returns corpus BLEU-1..n and, per item, BLEU-1..n (items in input order). */
export function bleu(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  n = 4,
): { corpus: number[]; items: number[][] } {
  const items: number[][] = [];
  let testlen = 0;
  let reflen = 0;
  const guess = new Array(n).fill(0);
  const correct = new Array(n).fill(0);
  for (let i = 0; i < hyps.length; i++) {
    const c = cook(hyps[i], refs[i], n);
    testlen += c.testlen;
    reflen += c.reflen;
    for (let k = 0; k < n; k++) {
      guess[k] += c.guess[k];
      correct[k] += c.correct[k];
    }
    items.push(bleuFrom(c.correct, c.guess, c.testlen, c.reflen, n));
  }
  return { corpus: bleuFrom(correct, guess, testlen, reflen, n), items };
}
