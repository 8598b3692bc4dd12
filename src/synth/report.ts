// Balance and text-only baselines for a question set: letters per option count and two heuristics
// (longest option; option sharing most words with the question), each against chance.

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
}

const words = (s: string) => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];
const round = (x: number) => Math.round(x * 100) / 100;

/** Credit of picking the max-scoring option: 1/ties if the answer is among the best, else 0. */
function credit(scores: number[], answer: number): number {
  const best = Math.max(...scores);
  const ties = scores.filter((s) => s === best).length;
  return scores[answer] === best ? 1 / ties : 0;
}

export function synthReport(qs: QuestionLike[]): SynthReport {
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
  };
}
