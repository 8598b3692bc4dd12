// The captions of one scoring call, prepared once for BLEU, CIDEr-D and ROUGE-L: words interned to integers,
// every 1..n-gram interned to an integer id (a trie: an n-gram's id from its (n-1)-gram prefix and its last
// word, in an open-addressing table), and each caption's n-gram counts kept in the order Python's dict would
// hold them (orders 1..n, then position), so floating-point sums run in upstream's order and give its digits.
// Everything lives in a few growing Int32Array pools: scoring 50,000 captions allocates almost nothing.
import { KinemaError } from "../../util/errors.ts";

/** One caption: its Python-split word count and where its n-grams and its ROUGE tokens lie in the pools. */
export interface CaptionGrams {
  words: number;
  /** [g0, g1): the caption's n-grams in `gramIds`/`gramCounts` (first-seen order, orders ascending). */
  g0: number;
  g1: number;
  /** [t0, t1): ROUGE-L's tokens (str.split(" "), empty strings kept) as word ids in `tokens`. */
  t0: number;
  t1: number;
}

export interface PreparedCorpus {
  n: number;
  hyps: CaptionGrams[];
  refs: CaptionGrams[][];
  gramIds: Int32Array;
  gramCounts: Int32Array;
  tokens: Int32Array;
  /** Order (1..n) of each gram id. */
  orderOf: Uint8Array;
  /** Number of distinct gram ids. */
  grams: number;
}

/** Python's str.isspace() characters (str.split() with no argument splits on runs of them). */
function isPySpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** A growing Int32Array with room made before writing (`reserve`), so writers index it directly. */
class Pool {
  a = new Int32Array(1 << 12);
  n = 0;
  reserve(more: number): Int32Array {
    if (this.n + more > this.a.length) {
      const b = new Int32Array(Math.max(this.a.length * 4, this.n + more));
      b.set(this.a.subarray(0, this.n));
      this.a = b;
    }
    return this.a;
  }
}

const grow = (a: Int32Array, size: number, fill = 0) => {
  const b = new Int32Array(size).fill(fill);
  b.set(a);
  return b;
};

/** Interns words and n-grams of a set of captions. */
class GramTable {
  readonly n: number;
  readonly ids = new Pool();
  readonly counts = new Pool();
  readonly tokens = new Pool();
  orders = new Uint8Array(1 << 12);
  grams = 0;
  // words: open addressing on a hash of the characters, so no substring is made for a word already seen
  private words: string[] = [];
  private wh = new Int32Array(1 << 12).fill(-1);
  // n-grams: open addressing on (prefix gram + 1, word) → gram id
  private hp = new Int32Array(1 << 16);
  private hw = new Int32Array(1 << 16);
  private hv = new Int32Array(1 << 16).fill(-1);
  // per-caption scratch: the slot of a gram in the caption, valid where stamp = the caption's round
  private slot = new Int32Array(1 << 12);
  private stamp = new Int32Array(1 << 12);
  private round = 0;
  private w = new Int32Array(256);
  private prev = new Int32Array(256);

  constructor(n: number) {
    this.n = n;
  }

  /** The id of text[start, end), whose FNV-1a hash is `hash`. */
  private word(text: string, start: number, end: number, hash: number): number {
    const mask = this.wh.length - 1;
    const len = end - start;
    for (let h = hash & mask; ; h = (h + 1) & mask) {
      const id = this.wh[h];
      if (id < 0) {
        const nid = this.words.length;
        this.words.push(text.slice(start, end));
        this.wh[h] = nid;
        if (nid * 2 >= this.wh.length) this.rehashWords();
        return nid;
      }
      const s = this.words[id];
      if (s.length !== len) continue;
      let k = 0;
      while (k < len && s.charCodeAt(k) === text.charCodeAt(start + k)) k++;
      if (k === len) return id;
    }
  }

  private rehashWords(): void {
    this.wh = new Int32Array(this.wh.length * 2).fill(-1);
    const mask = this.wh.length - 1;
    this.words.forEach((s, id) => {
      let h = fnv(s, 0, s.length) & mask;
      while (this.wh[h] >= 0) h = (h + 1) & mask;
      this.wh[h] = id;
    });
  }

  private rehashGrams(): void {
    const { hp, hw, hv } = this;
    const size = hv.length * 2;
    this.hp = new Int32Array(size);
    this.hw = new Int32Array(size);
    this.hv = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let i = 0; i < hv.length; i++) {
      if (hv[i] < 0) continue;
      let h = gramHash(hp[i], hw[i]) & mask;
      while (this.hv[h] >= 0) h = (h + 1) & mask;
      this.hp[h] = hp[i];
      this.hw[h] = hw[i];
      this.hv[h] = hv[i];
    }
  }

  private gram(prefix: number, word: number, order: number): number {
    const p = prefix + 1;
    const mask = this.hv.length - 1;
    let h = gramHash(p, word) & mask;
    for (;;) {
      const v = this.hv[h];
      if (v < 0) break;
      if (this.hp[h] === p && this.hw[h] === word) return v;
      h = (h + 1) & mask;
    }
    const id = this.grams++;
    if (id >= 2 ** 30) throw new KinemaError("bad_input", "too many distinct n-grams to score");
    this.hp[h] = p;
    this.hw[h] = word;
    this.hv[h] = id;
    if (id * 2 >= this.hv.length) this.rehashGrams();
    if (id >= this.slot.length) {
      const size = this.slot.length * 2;
      this.slot = grow(this.slot, size);
      this.stamp = grow(this.stamp, size);
      const orders = new Uint8Array(size);
      orders.set(this.orders);
      this.orders = orders;
    }
    this.orders[id] = order;
    return id;
  }

  /** text.split(" ") (empty strings kept) as word ids, appended to the token pool. */
  private spaceTokens(text: string): void {
    let start = 0;
    let hash = FNV_BASIS;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 32;
      if (c === 32 && i <= text.length) {
        const t = this.tokens.reserve(1);
        t[this.tokens.n++] = this.word(text, start, i, hash);
        start = i + 1;
        hash = FNV_BASIS;
      } else hash = Math.imul(hash ^ c, FNV_PRIME);
    }
  }

  caption(text: string): CaptionGrams {
    // Python's text.split() as word ids; `plain`: single spaces only, so text.split(" ") is the same list
    let len = 0;
    let plain = text.length > 0;
    let start = -1;
    let hash = FNV_BASIS;
    for (let i = 0; i <= text.length; i++) {
      const c = i < text.length ? text.charCodeAt(i) : 32;
      if (isPySpace(c)) {
        if (start >= 0) {
          if (len === this.w.length) {
            this.w = grow(this.w, len * 2);
            this.prev = new Int32Array(len * 2);
          }
          this.w[len++] = this.word(text, start, i, hash);
          start = -1;
          hash = FNV_BASIS;
        } else if (i < text.length) plain = false; // leading or repeated separator
        if (c !== 32) plain = false;
      } else {
        if (start < 0) start = i;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
    }
    if (text.length > 0 && isPySpace(text.charCodeAt(text.length - 1))) plain = false;
    const t0 = this.tokens.n;
    if (plain) {
      const t = this.tokens.reserve(len);
      for (let i = 0; i < len; i++) t[this.tokens.n++] = this.w[i];
    } else this.spaceTokens(text);
    const t1 = this.tokens.n;
    const g0 = this.ids.n;
    const round = ++this.round;
    const { w, prev } = this;
    prev.fill(-1, 0, len);
    const ids = this.ids.reserve(len * this.n);
    const counts = this.counts.reserve(len * this.n);
    let m = g0;
    for (let k = 1; k <= this.n; k++) {
      for (let i = 0; i + k <= len; i++) {
        const g = this.gram(prev[i], w[i + k - 1], k);
        prev[i] = g;
        if (this.stamp[g] === round) counts[this.slot[g]]++;
        else {
          this.stamp[g] = round;
          this.slot[g] = m;
          ids[m] = g;
          counts[m] = 1;
          m++;
        }
      }
    }
    this.ids.n = m;
    this.counts.n = m;
    return { words: len, g0, g1: m, t0, t1 };
  }
}

const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

function fnv(s: string, start: number, end: number): number {
  let h = FNV_BASIS;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function gramHash(p: number, w: number): number {
  return Math.imul(p, 0x9e3779b1) ^ Math.imul(w + 0x632be5ab, 0x85ebca77);
}

/** Prepares hypotheses and their references (references first, in input order, as upstream cooks them). */
export function prepareCorpus(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  n = 4,
): PreparedCorpus {
  const t = new GramTable(n);
  const preparedRefs = refs.map((rs) => rs.map((r) => t.caption(r)));
  const preparedHyps = hyps.map((h) => t.caption(h));
  return {
    n,
    hyps: preparedHyps,
    refs: preparedRefs,
    gramIds: t.ids.a,
    gramCounts: t.counts.a,
    tokens: t.tokens.a,
    orderOf: t.orders,
    grams: t.grams,
  };
}
