// Balance and text-only baselines for a question set: letters per option count, two heuristics (longest
// option; option sharing most words with the question) and a trained text-only model, each against chance.

export interface QuestionLike {
  type: string;
  question: string;
  options: string[];
  answer: number;
}

export interface SynthReport {
  questions: number;
  perCategory: Record<string, number>;
  /** Per option count: share (0–100) of answers at each letter, and the largest deviation from uniform. */
  letters: Record<string, { n: number; share: Record<string, number>; maxDeviation: number }>;
  /** Accuracy (0–100) with fractional credit on ties, the chance level, and the gap in points. */
  heuristics: Record<"longest" | "overlap", { score: number; chance: number; gap: number }>;
  /** Per category: a text-only model's held-out accuracy against chance (see textOnlyReport). */
  textOnly: Record<string, TextOnlyCategory>;
}

const words = (s: string) => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
const round = (x: number) => Math.round(x * 100) / 100;

/** Credit of picking the max-scoring option: 1/ties if the answer is among the best, else 0. */
function credit(scores: number[], answer: number): number {
  const best = Math.max(...scores);
  const ties = scores.filter((s) => s === best).length;
  return scores[answer] === best ? 1 / ties : 0;
}

export function synthReport(qs: (QuestionLike & { clip?: string })[]): SynthReport {
  const perCategory: Record<string, number> = {};
  const byK = new Map<number, number[]>();
  let longest = 0;
  let overlap = 0;
  let chance = 0;
  for (const q of qs) {
    perCategory[q.type] = (perCategory[q.type] ?? 0) + 1;
    const k = q.options.length;
    const row = byK.get(k) ?? new Array(k).fill(0);
    row[q.answer]++;
    byK.set(k, row);
    longest += credit(
      q.options.map((o) => o.length),
      q.answer,
    );
    const qw = new Set(words(q.question));
    overlap += credit(
      q.options.map((o) => words(o).filter((w) => qw.has(w)).length),
      q.answer,
    );
    chance += 1 / k;
  }
  const n = Math.max(1, qs.length);
  const letters: SynthReport["letters"] = {};
  for (const [k, row] of [...byK].sort((a, b) => a[0] - b[0])) {
    const tot = row.reduce((a, b) => a + b, 0);
    const share: Record<string, number> = {};
    row.forEach((c, i) => (share[String.fromCharCode(65 + i)] = round((100 * c) / tot)));
    letters[String(k)] = {
      n: tot,
      share,
      maxDeviation: round(Math.max(...row.map((c) => Math.abs((100 * c) / tot - 100 / k)))),
    };
  }
  const h = (x: number) => ({
    score: round((100 * x) / n),
    chance: round((100 * chance) / n),
    gap: round((100 * (x - chance)) / n),
  });
  return {
    questions: qs.length,
    perCategory,
    letters,
    heuristics: { longest: h(longest), overlap: h(overlap) },
    textOnly: textOnlyReport(qs),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A text-only learner: what can be had from the questions and options alone, without the video.

export interface TextOnlyCategory {
  n: number;
  /** Held-out accuracy (0–100) of the text-only model (2-fold cross-fitting over clips). */
  acc: number;
  /** Mean 1/options (0–100) and the 95% interval of a guesser's accuracy at this n. */
  chance: number;
  ci95: [number, number];
  /** acc lies inside ci95. */
  atChance: boolean;
}

const HASH_DIM = 1 << 15;
function hashFeature(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % HASH_DIM;
}

/** Sparse features of one option in its question: its words and word pairs, the question's words crossed
 * with the option's, its letter, the option count, its length, and its numeric value (the value-frequency
 * prior of count options). */
function optionFeatures(q: QuestionLike, i: number): number[] {
  const ow = words(q.options[i]);
  const qw = words(q.question);
  const f = new Set<number>();
  const add = (s: string) => f.add(hashFeature(s));
  add(`letter:${i}/${q.options.length}`);
  add(`len:${Math.min(12, ow.length)}`);
  add(`opt:${ow.join(" ")}`);
  if (/^\d+$/.test(q.options[i].trim())) {
    const v = Number(q.options[i]);
    const vals = q.options.map(Number);
    add(`num:${v}`);
    add(`numrank:${vals.filter((x) => x < v).length}/${vals.length}`);
  }
  ow.forEach((w, j) => {
    add(`w:${w}`);
    add(`pos:${j}:${w}`);
    if (j > 0) add(`bi:${ow[j - 1]}_${w}`);
    for (const x of qw) add(`qx:${x}|${w}`);
  });
  return [...f];
}

/** Softmax regression over options on hashed features; SGD, a few epochs, deterministic. */
function fitTextOnly(train: QuestionLike[], epochs = 12, lr = 0.2, l2 = 1e-4): Float64Array {
  const w = new Float64Array(HASH_DIM);
  const feats = train.map((q) => q.options.map((_, i) => optionFeatures(q, i)));
  for (let e = 0; e < epochs; e++) {
    const step = lr / (1 + e * 0.3);
    train.forEach((q, n) => {
      const s = feats[n].map((fs) => fs.reduce((a, j) => a + w[j], 0));
      const mx = Math.max(...s);
      const ex = s.map((x) => Math.exp(x - mx));
      const z = ex.reduce((a, b) => a + b, 0);
      feats[n].forEach((fs, i) => {
        const g = ex[i] / z - (i === q.answer ? 1 : 0);
        for (const j of fs) w[j] -= step * (g + l2 * w[j]);
      });
    });
  }
  return w;
}

function predictTextOnly(w: Float64Array, q: QuestionLike): number {
  let best = 0;
  let bestS = -Infinity;
  q.options.forEach((_, i) => {
    const s = optionFeatures(q, i).reduce((a, j) => a + w[j], 0);
    if (s > bestS + 1e-12) {
      bestS = s;
      best = i;
    }
  });
  return best;
}

/**
 * Per category: a text-only model trained on half the clips' questions (words, word pairs, question×option
 * words, letters, numeric values) and scored on the other half, both ways round, against chance and the 95%
 * interval a blind guesser would land in at this n.
 */
export function textOnlyReport(qs: (QuestionLike & { clip?: string })[]): Record<string, TextOnlyCategory> {
  const out: Record<string, TextOnlyCategory> = {};
  const cats = [...new Set(qs.map((q) => q.type))];
  for (const cat of cats) {
    const items = qs.filter((q) => q.type === cat);
    // Folds by clip (a clip's questions never sit on both sides).
    const clipIds = [...new Set(items.map((q, i) => q.clip ?? String(i)))];
    const foldOf = new Map(clipIds.map((c, i) => [c, i % 2]));
    let correct = 0;
    for (const fold of [0, 1]) {
      const tr = items.filter((q, i) => foldOf.get(q.clip ?? String(i)) !== fold);
      const te = items.filter((q, i) => foldOf.get(q.clip ?? String(i)) === fold);
      if (tr.length === 0) continue;
      const w = fitTextOnly(tr);
      for (const q of te) if (predictTextOnly(w, q) === q.answer) correct++;
    }
    const n = items.length;
    const p = items.reduce((a, q) => a + 1 / q.options.length, 0) / n;
    const sd =
      Math.sqrt(items.reduce((a, q) => a + (1 / q.options.length) * (1 - 1 / q.options.length), 0)) / n;
    const acc = (100 * correct) / n;
    const ci95: [number, number] = [round(100 * (p - 1.96 * sd)), round(100 * (p + 1.96 * sd))];
    out[cat] = {
      n,
      acc: round(acc),
      chance: round(100 * p),
      ci95,
      atChance: acc >= ci95[0] && acc <= ci95[1],
    };
  }
  return out;
}
