// Perception Test multiple-choice scoring: the benchmark's metric is top-1 accuracy over every question
// (google-deepmind/perception_test README, "Metrics"); letter extraction as lmms-eval's perceptiontest/val
// utils does it (process_results_mc: the first standalone A–D, case-sensitive). Reimplemented.
// The benchmark's own evaluation code could not be run: google-deepmind/perception_test @ 6bd0642dd2d3 has no
// python scorer (README: "Metrics code to evaluate performance for the different tasks coming soon"), and its
// multiple-choice baseline notebook baselines/mc_vqa.ipynb (blob df4902361671) is absent from the fetched
// snapshot (`git ls-tree -l` lists it without a size, `git cat-file` cannot read it) and from the code index.
import { pyStrip } from "../parse.ts";

const W = "[\\p{L}\\p{N}_]";
const LETTER = new RegExp(`(?<!${W})([A-D])(?!${W})`, "u");

/** process_results_mc's pred_id: 0–3 for the first standalone A–D of the stripped reply, -1 for none. */
export function predId(raw: string): number {
  const m = LETTER.exec(pyStrip(raw));
  return m ? m[1].charCodeAt(0) - 65 : -1;
}

/** Top-1 accuracy: right / all questions (an unanswered or unmatched question is wrong). */
export function top1(items: readonly { predId: number; answerId: number }[]): number {
  if (items.length === 0) return 0;
  return items.filter((i) => i.predId === i.answerId).length / items.length;
}

export interface PtQuestion {
  videoId: string;
  id: string;
  answerId: number;
  area: string;
  reasoning: string;
  tags: string[];
}

/** The challenge's result shape {video_id: [{id, answer_id}]} scored against the annotations: top-1 overall
 *  and per area, reasoning type and tag (a question counts under each of its tags). */
export function scoreSubmission(
  questions: readonly PtQuestion[],
  answers: ReadonlyMap<string, number>,
): {
  top1: number;
  area: Record<string, number>;
  reasoning: Record<string, number>;
  tag: Record<string, number>;
  n: number;
  answered: number;
} {
  const by = (key: (q: PtQuestion) => string[]) => {
    const groups = new Map<string, { predId: number; answerId: number }[]>();
    for (const q of questions)
      for (const k of key(q)) {
        const g = groups.get(k) ?? [];
        g.push({ predId: answers.get(`${q.videoId}/${q.id}`) ?? -1, answerId: q.answerId });
        groups.set(k, g);
      }
    return Object.fromEntries([...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, g]) => [k, top1(g)]));
  };
  const all = questions.map((q) => ({
    predId: answers.get(`${q.videoId}/${q.id}`) ?? -1,
    answerId: q.answerId,
  }));
  return {
    top1: top1(all),
    area: by((q) => [q.area]),
    reasoning: by((q) => [q.reasoning]),
    tag: by((q) => q.tags),
    n: questions.length,
    answered: questions.filter((q) => answers.has(`${q.videoId}/${q.id}`)).length,
  };
}
