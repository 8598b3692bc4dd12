// Seeded PRNG (mulberry32) passed explicitly everywhere in the synthetic world; never Math.random.

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  /** A new array with the elements in random order (Fisher–Yates). */
  shuffle<T>(xs: readonly T[]): T[];
  /** k distinct elements, in random order. */
  sample<T>(xs: readonly T[], k: number): T[];
  /** An independent stream derived from this one and a label (so adding draws in one part of the
   * generator does not shift every later clip). */
  fork(label: string): Rng;
}

function hashString(s: string, h = 2166136261): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function createRng(seed: number | string): Rng {
  let a = (typeof seed === "string" ? hashString(seed) : seed >>> 0) ^ 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    range: (lo, hi) => lo + next() * (hi - lo),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    shuffle: (xs) => {
      const out = xs.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
    sample: (xs, k) => rng.shuffle(xs).slice(0, k),
    fork: (label) => createRng(hashString(label, Math.floor(next() * 4294967296))),
  };
  return rng;
}

/** Stable 32-bit hash of integers (for textures and noise; no state). */
export function hash2(x: number, y: number, s = 0): number {
  let h = Math.imul(x | 0, 374761393) + Math.imul(y | 0, 668265263) + Math.imul(s | 0, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return (h ^ (h >>> 16)) >>> 0;
}
