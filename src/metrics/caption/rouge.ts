// ROUGE-L exactly as pycocoevalcap's Rouge: tokens split on " ", LCS per reference, separate maxima of P and R.

const BETA = 1.2;

function lcs(a: readonly string[], b: readonly string[]): number {
  if (a.length < b.length) [a, b] = [b, a];
  let prev = new Array(b.length + 1).fill(0);
  let cur = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/** ROUGE-L of one hypothesis against its references. */
export function rougeL(hyp: string, refs: readonly string[]): number {
  // split(" ") keeps empty strings, as upstream does ("" is a one-token caption there)
  const c = hyp.split(" ");
  let pMax = 0;
  let rMax = 0;
  for (const ref of refs) {
    const r = ref.split(" ");
    const l = lcs(r, c);
    pMax = Math.max(pMax, l / c.length);
    rMax = Math.max(rMax, l / r.length);
  }
  if (pMax === 0 || rMax === 0) return 0;
  return ((1 + BETA ** 2) * pMax * rMax) / (rMax + BETA ** 2 * pMax);
}

export function rouge(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
): { corpus: number; items: number[] } {
  const items = hyps.map((h, i) => rougeL(h, refs[i]));
  return { corpus: mean(items), items };
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
