// Shared pieces of the COCO scorers: Python's str.split() and n-gram counting in insertion order.

/** Python's whitespace for str.split() with no argument (str.isspace), which BLEU and CIDEr use. */
const PY_WS = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** `s.split()` in Python: runs of Unicode whitespace, no empty strings. */
export function pySplit(s: string): string[] {
  return s.split(PY_WS).filter((w) => w !== "");
}

/** Counts of all 1..n-grams (keys joined with U+0001, in first-seen order like Python's dict). */
export function ngramCounts(words: readonly string[], n = 4): Map<string, number> {
  const counts = new Map<string, number>();
  for (let k = 1; k <= n; k++) {
    for (let i = 0; i + k <= words.length; i++) {
      const g = k === 1 ? words[i] : words.slice(i, i + k).join("\u0001");
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  }
  return counts;
}

/** Order of an n-gram key made by ngramCounts (1-based). */
export function ngramOrder(key: string): number {
  let k = 1;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 1) k++;
  return k;
}
