// TempCompass's official evaluation (llyx97/TempCompass: eval_multi-choice.py, eval_yes_no.py,
// eval_caption_matching.py, utils/eval_utils.py, prompt_templates.py), reimplemented: the hand-written match
// rules first, the LLM judge only for replies no rule matches, and print_result's aggregation.
import { pyStrip } from "../parse.ts";

export const TASKS = ["multi-choice", "yes_no", "caption_matching"] as const;
export type TcTask = (typeof TASKS)[number];
/** The four tasks as released; captioning is scored by the two-stage LLM evaluation (eval_captioning.py). */
export const ALL_TASKS = [...TASKS, "captioning"] as const;
export type TcAnyTask = (typeof ALL_TASKS)[number];
export const ASPECTS = ["action", "direction", "speed", "order", "attribute_change"];
export const FINE_ASPECTS = [
  "fine-grained action",
  "coarse-grained action",
  "object motion",
  "camera motion",
  "absolute speed",
  "relative speed",
  "order",
  "color & light change",
  "size & shape change",
  "combined change",
  "other change",
];

/** The inference prompts' answer cues (run_video_llava/inference_dataset.py answer_prompt). */
export const ANSWER_PROMPT: Record<TcAnyTask, string> = {
  "multi-choice": "\nPlease directly give the best option:",
  yes_no: "\nPlease answer yes or no:",
  caption_matching: "\nPlease directly give the best option:",
  captioning: "", // "Generated Caption:" already ends the question
};

/** A rule's verdict: 1/0, or "fail" when no rule matches (then the judge decides). */
export type Rating = 0 | 1 | "fail";

export function ruleMultiChoice(pred: string, answer: string): Rating {
  if (pred === answer) return 1;
  if (["A", "B", "C", "D"].includes(pred)) return pred === answer[0] ? 1 : 0;
  if (["A.", "B.", "C.", "D."].some((p) => pred.startsWith(p)))
    return pred.split(".")[0] === answer[0] ? 1 : 0;
  if (["A)", "B)", "C)", "D)"].some((p) => pred.startsWith(p)))
    return pred.split(")")[0] === answer[0] ? 1 : 0;
  return "fail";
}

/** extract_pred: the lower-cased reply starts with "yes" / "no". */
export function ruleYesNo(pred: string, answer: string): Rating {
  const p = pred.toLowerCase();
  const yn = p.startsWith("yes") ? "yes" : p.startsWith("no") ? "no" : null;
  if (!yn) return "fail";
  return yn === answer ? 1 : 0;
}

/** Python's `s.split(sep)[i]`, or undefined where Python raises IndexError. */
const part = (s: string, sep: string, i: number) => s.split(sep)[i];

/** eval_rule of eval_caption_matching.py (the last matching rule wins, as upstream's loops overwrite). A question
 *  line without ": " raises IndexError upstream; here it is "fail". */
export function ruleCaptionMatching(pred: string, question: string, answer: string): Rating {
  const optionStrs = question.split("\n").slice(1);
  const sents = optionStrs.map((o) => part(o, ": ", 1));
  if (sents.some((s) => s === undefined)) return "fail";
  const inds = [
    ...optionStrs.map((o) => o.split(": ")[0]),
    ...optionStrs.map((o) =>
      o.split(": ")[0].replace("Sentence ", "").replace("Option ", "").replace("Caption ", ""),
    ),
  ];
  let got: string | null = null;
  for (const o of optionStrs) if (o === pred) got = o;
  for (const s of sents as string[])
    if (s === pred || (pred.includes(") ") && s === pred.split(") ")[1])) got = s;
  for (const i of inds) if (i === pred || i === pred.split(".").join("")) got = i;
  if (got === null) return "fail";
  if (got === answer || got === answer.split(":")[0]) return 1;
  const a1 = part(answer, ": ", 1);
  if (a1 === undefined) return "fail"; // upstream IndexError
  if (got === a1) return 1;
  const w = answer
    .split(": ")[0]
    .split(/\s+/)
    .filter((x) => x !== "")[1];
  if (w === undefined) return "fail";
  return got === w ? 1 : 0;
}

/** The reply as the scripts score it: "</s>" removed, stripped; null (a refusal) stays null. */
export function prepPrediction(pred: string | null): string | null {
  return pred === null ? null : pyStrip(pred.split("</s>").join(""));
}

export function rule(task: TcTask, pred: string, question: string, answer: string): Rating {
  if (task === "multi-choice") return ruleMultiChoice(pred, answer);
  if (task === "yes_no") return ruleYesNo(pred, answer);
  return ruleCaptionMatching(pred, question, answer);
}

const EVAL_PROMPT_HEAD: Record<TcTask, string> = {
  "multi-choice": "multi-choice question",
  yes_no: "Yes/No question",
  caption_matching: "caption matching question",
};
const EVAL_PROMPT_LABEL: Record<TcTask, string> = {
  "multi-choice": "Multi-Choice Question",
  yes_no: "Yes/No Question",
  caption_matching: "Caption Matching Question",
};

/** prompt_templates.py's *_evaluation_prompt, byte for byte (a leading and a trailing newline). */
export function evaluationPrompt(task: TcTask): string {
  return `\nYou will receive a ${EVAL_PROMPT_HEAD[task]}, the ground-truth answer and the prediction from a question answering (QA) model. Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer. If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n`;
}

/** The judge's user message for one unmatched reply, and its fixed settings (utils/eval_utils.py). */
export function judgeUserPrompt(task: TcTask, question: string, answer: string, pred: string): string {
  return `${evaluationPrompt(task)}\n${EVAL_PROMPT_LABEL[task]}:\n${question}\nGround-Truth Answer: ${answer}\nModel Prediction: ${pred}`;
}
export const JUDGE_SYSTEM = "You are an AI assistant for question answering.";
export const JUDGE_PARAMS = {
  model: "gpt-3.5-turbo-1106",
  temperature: 1.0,
  top_p: 1,
  presence_penalty: 1,
  max_tokens: 128,
};

/** llm_output_to_rating; null where upstream's assert fails (neither word), which it retries, then rates 0. */
export function llmOutputToRating(out: string): 0 | 1 | null {
  if (!out.includes("Correct") && !out.includes("Incorrect")) return null;
  if (out.startsWith("Correct")) return 1;
  if (out.startsWith("Incorrect")) return 0;
  if (out.includes("Correct") && !out.includes("Incorrect")) return 1;
  return 0;
}

/** One eval_results entry as the scripts write it. */
export interface EvalEntry {
  question: string;
  "gt-answer": string;
  "video-llm-prediction": string | null;
  match_success: boolean;
  rating: number;
  "chatgpt-response"?: string | null;
}
export type EvalResults = Record<string, Record<string, EvalEntry[]>>;

/** Python round(x, 1) on the exact binary value (half-even on exact ties). */
export function pyRound1(x: number): number {
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf(".");
  let digits = BigInt(exact.slice(0, dot + 2).replace(".", ""));
  const rest = exact.slice(dot + 2);
  if (rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || digits % 2n === 1n))) digits += 1n;
  return (Math.sign(x) || 1) * (Number(digits) / 10);
}

export interface PrintResult {
  aspects: Record<string, number>;
  fine: Record<string, number>;
  matchRate: number;
}

/**
 * print_result: ratings summed per aspect and per fine-grained aspect (the video's meta_info eval_dim type;
 * "order" is its own), each 100·sum/count rounded to 0.1; "avg" over all questions; match rate in %. Upstream
 * divides by every aspect's count (ZeroDivisionError when one is absent); here an absent aspect is null.
 */
export function printResult(
  evalResults: EvalResults,
  meta: Record<string, { eval_dim?: Record<string, { type?: string } | null> }>,
): { result: PrintResult; text: string; problems: string[] } {
  const problems: string[] = [];
  const sum = new Map<string, number>(ASPECTS.map((a) => [a, 0]));
  const cnt = new Map<string, number>(ASPECTS.map((a) => [a, 0]));
  const fsum = new Map<string, number>(FINE_ASPECTS.map((a) => [a, 0]));
  const fcnt = new Map<string, number>(FINE_ASPECTS.map((a) => [a, 0]));
  let match = 0;
  for (const [id, dims] of Object.entries(evalResults))
    for (const [asp, results] of Object.entries(dims)) {
      const key = id.replace(".jpg", "").replace(".mp4", "");
      const fasp = asp !== "order" ? meta[key]?.eval_dim?.[asp]?.type : "order";
      if (!fasp || !fsum.has(fasp) || !sum.has(asp)) {
        problems.push(`${id}.${asp}: no meta_info eval_dim type (upstream KeyError/TypeError); left out`);
        continue;
      }
      for (const r of results) {
        sum.set(asp, sum.get(asp)! + r.rating);
        fsum.set(fasp, fsum.get(fasp)! + r.rating);
        cnt.set(asp, cnt.get(asp)! + 1);
        fcnt.set(fasp, fcnt.get(fasp)! + 1);
        if ("match_success" in r) match += r.match_success ? 1 : 0;
      }
    }
  const total = [...cnt.values()].reduce((a, b) => a + b, 0);
  const aspects: Record<string, number> = {};
  for (const a of ASPECTS)
    aspects[a] = cnt.get(a)! ? pyRound1((sum.get(a)! * 100) / cnt.get(a)!) : Number.NaN;
  aspects.avg = total ? pyRound1(([...sum.values()].reduce((a, b) => a + b, 0) * 100) / total) : Number.NaN;
  const fine: Record<string, number> = {};
  for (const a of FINE_ASPECTS)
    fine[a] = fcnt.get(a)! ? pyRound1((fsum.get(a)! * 100) / fcnt.get(a)!) : Number.NaN;
  const matchRate = total ? pyRound1((match / total) * 100) : Number.NaN;
  const pyf = (x: number) => (Number.isNaN(x) ? "nan" : Number.isInteger(x) ? `${x}.0` : String(x));
  const dict = (r: Record<string, number>) =>
    `{${Object.entries(r)
      .map(([k, v]) => `'${k}': ${pyf(v)}`)
      .join(", ")}}`;
  const text = `Accuracy Results:\n${dict(aspects)}\n${dict(fine)}\nMatch Success Rate=${pyf(matchRate)}\n`;
  const nul = (r: Record<string, number>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number.isNaN(v) ? null : v])) as Record<
      string,
      number
    >;
  return {
    result: {
      aspects: nul(aspects),
      fine: nul(fine),
      matchRate: Number.isNaN(matchRate) ? (null as unknown as number) : matchRate,
    },
    text,
    problems,
  };
}

/** prompt_templates.py caption_evaluation_prompt, byte for byte (its backslash-continued lines joined). */
export const CAPTION_EVALUATION_PROMPT =
  '\nYou will receive a video description and a multi-choice question. Your task is to choose the correct answer and briefly explain the reason why you choose the answer. If none of the choice candidates are correct or the video description lacks enough information to answer the question, just answer "None of the choices are correct". Please organize your response in this format:\n```\nReasoning: [Your reason to obtain the answer]\nAnswer: [Your answer]\n```\n\nHere are some examples of video description, multi-choice question and the expected answer:\n```\nVideo Description: A person is palying football.\nMulti-Choice Question:\nWhat is the person doing in the video?\nA. cooking\nB. palying football\nC. playing basketball\nD. reading book\nReasoning: The video description mentions that the person is playing football.\nAnswer: B. palying football\n\nVideo Description: A bird is flying clockwise.\nMulti-Choice Question:\nIn which direction is the bird flying?\nA. backwark\nB. counter-clockwise\nC. clockwise\nD. downward\nReasoning: The video description mentions that the bird is flying clockwise\nAnswer: C. clockwise\n\nVideo Description: An air balloon is inflating.\nMulti-Choice Question:\nWhat is happening to the air balloon?\nA. exploding\nB. getting smaller\nC. flying\nReasoning: The video description mentions that the air balloon is inflating, while none of the coices can be explained as inflating.\nAnswer: None of the choices are correct\n```\n';

/** eval_captioning.py's judge message: the caption and the video's first multi-choice question of the aspect. */
export function captionJudgeUserPrompt(caption: string, mcQuestion: string): string {
  return `${CAPTION_EVALUATION_PROMPT}\nVideo Description:${caption}\nMulti-Choice Question:\n${mcQuestion}\n`;
}

/** One captioning verdict as eval_captioning.py's parse_llm_output builds it. */
export interface CaptionVerdict {
  rating: -1 | 0 | 1;
  "chatgpt-answer": string | null;
  "chatgpt-reasoning": string | null;
}

/**
 * parse_llm_output of eval_captioning.py: an empty reply (or "invalid_request_error") is -1; else the last line
 * holding "Reasoning" / "Answer" gives the reasoning / answer (the whole reply when no line says "Answer"), and
 * the rating is 1 only when the answer's text before the first ". " equals the ground truth's and exactly one of
 * "A.", "B.", "C.", "D." occurs in it (non-overlapping counts, as str.count).
 */
export function parseCaptionJudge(llmOutput: string, gtAnswer: string): CaptionVerdict {
  if (llmOutput === "invalid_request_error" || !llmOutput)
    return { rating: -1, "chatgpt-answer": null, "chatgpt-reasoning": null };
  let answer: string | undefined;
  let reasoning: string | undefined;
  for (const raw of llmOutput.split("\n")) {
    const line = pyStrip(raw);
    if (line.includes("Reasoning")) reasoning = pyStrip(line.split("Reasoning:").join(""));
    if (line.includes("Answer")) answer = pyStrip(line.split("Answer:").join(""));
  }
  const a = answer ?? llmOutput;
  const counts = ["A.", "B.", "C.", "D."].reduce((n, p) => n + a.split(p).length - 1, 0);
  const rating = a.split(". ")[0] === gtAnswer.split(". ")[0] && counts === 1 ? 1 : 0;
  return { rating, "chatgpt-answer": a, "chatgpt-reasoning": reasoning ?? null };
}
