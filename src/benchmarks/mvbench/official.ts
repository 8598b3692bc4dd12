// MVBench's official answer check and aggregation (OpenGVLab/Ask-Anything video_chat2/mvbench.ipynb), and
// lmms-eval's rule (lmms_eval/tasks/mvbench/utils.py) as a named mode. Reimplemented with Python str semantics.
import { isPySpace, pyStrip } from "../parse.ts";

/** Python's round() / numpy.round: halves go to the even neighbour. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The question block of qa_template: "Question: q\nOptions:\n(A) a\n(B) b" (rstripped), and the ground truth
 *  "(X) answer" — "(@) answer" when the answer is not a candidate (the notebook's answer_idx = -1). */
export function qaTemplate(question: string, candidates: readonly string[], answer: string) {
  let q = `Question: ${question}\nOptions:\n`;
  let idx = -1;
  candidates.forEach((c, i) => {
    q += `(${String.fromCharCode(65 + i)}) ${c}\n`;
    if (c === answer) idx = i;
  });
  return { question: pyRstrip(q), gt: `(${String.fromCharCode(65 + idx)}) ${answer}` };
}

/** Python `s.rstrip()`. */
export function pyRstrip(s: string): string {
  let b = s.length;
  while (b > 0 && isPySpace(s.charCodeAt(b - 1))) b--;
  return s.slice(0, b);
}

/** What the notebook scores: return_prompt "(" + the reply stripped, first line only. */
export function officialPred(raw: string): string {
  return `(${pyStrip(raw).split("\n")[0]}`;
}

/**
 * check_ans(pred, gt): lower-case both, split on single spaces; correct when the prediction's first token
 * without "." is a substring of the ground truth's first token ("(b)"), or that token is inside the
 * prediction's. Quirks kept: "(" alone (an empty reply) is a substring of every "(x)", so it counts as right;
 * a ground truth with empty text raises IndexError upstream (returned here as null).
 */
export function checkAns(pred: string, gt: string): boolean | null {
  const predList = pred.toLowerCase().split(" ");
  const gtList = gt.toLowerCase().split(" ");
  const gtContent = gtList.slice(1).join(" ");
  if (gtContent === "") return null; // upstream: gt_content[-1] raises IndexError
  const predOption = predList[0];
  const gtOption = gtList[0];
  return gtOption.includes(predOption.split(".").join("")) || predOption.includes(gtOption);
}

/** The notebook's final_res: per task 100·correct/total in first-seen order, then "Avg" over all items. */
export function finalRes(accDict: ReadonlyMap<string, [number, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  let correct = 0;
  let total = 0;
  for (const [task, [c, t]] of accDict) {
    out[task] = (c / t) * 100;
    correct += c;
    total += t;
  }
  if (total > 0) out.Avg = (correct / total) * 100;
  return out;
}

// lmms-eval's mcq_acc, step by step. Python's \b and \s are Unicode-aware for str patterns.
const PUNCT = [
  ";",
  "/",
  "[",
  "]",
  '"',
  "{",
  "}",
  "(",
  ")",
  "=",
  "+",
  "\\",
  "_",
  "-",
  ">",
  "<",
  "@",
  "`",
  ",",
  "?",
  "!",
];
const COMMA_STRIP = /(\p{Nd})(,)(\p{Nd})/u;

function processPunctuation(inText: string): string {
  let out = inText;
  for (const p of PUNCT) {
    if (inText.includes(`${p} `) || inText.includes(` ${p}`) || COMMA_STRIP.test(inText))
      out = out.split(p).join("");
    else out = out.split(p).join(" ");
  }
  // periodStrip is "(?!<=\d)(\.)(?!\d)" — its "lookbehind" is a lookahead that never fires — and is called
  // as sub("", text, re.UNICODE), so re.UNICODE (32) is the count: at most 32 periods are removed.
  let n = 0;
  return out.replace(/\.(?!\p{Nd})/gu, (m) => (n++ < 32 ? "" : m));
}

function pyStripChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Python's \w and \s for str patterns. */
const W = "[\\p{L}\\p{N}_]";
const PY_S = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
// Python "." matches anything but "\n"; the text is stripped, so "$" is the end.
const OPTION_RE = new RegExp(`^([A-E])\\.${PY_S}*([^\\n]+)$`, "iu");
const LETTER_RE = new RegExp(`(?<!${W})([A-E])(?!${W})`, "iu");

/** lmms-eval's process(): "X. text" → X; else punctuation-normalised, lower-cased text or its lone A–E letter. */
export function lmmsProcess(answer: string): string {
  const m = OPTION_RE.exec(pyStrip(answer));
  if (m) return m[1].toUpperCase();
  let a = answer.split("\n").join(" ").split("\t").join(" ");
  a = pyStrip(a);
  a = processPunctuation(a);
  a = pyStripChars(a, "'");
  a = pyStripChars(a, '"');
  a = pyStripChars(a, ")");
  a = pyStripChars(a, "(");
  a = pyStrip(a).toLowerCase();
  const l = LETTER_RE.exec(a);
  return l ? l[1].toUpperCase() : a;
}

/** mcq_acc(gt_letter, pred): 1 when both process() to the same string. */
export function mcqAcc(gtLetter: string, pred: string): 0 | 1 {
  return lmmsProcess(pred) === lmmsProcess(gtLetter) ? 1 : 0;
}

/** mvbench_aggregate_results: 100·correct/answered, where answered = non-empty raw predictions. */
export function lmmsAggregate(items: readonly { pred: string; score: number }[]): number {
  let answered = 0;
  let correct = 0;
  for (const it of items)
    if (it.pred !== "") {
      answered++;
      correct += it.score;
    }
  return answered > 0 ? (100 * correct) / answered : 0;
}

/** The notebook's MVBench_dataset.get_index: absolute frame indices of num_segments segment midpoints
 *  between the bound (seconds) — round() half-even, max_frame = last index, first_idx 1 for frame folders. */
export function getIndex(
  bound: [number, number] | null,
  fps: number,
  maxFrame: number,
  firstIdx: number,
  numSegments: number,
): number[] {
  const [start, end] = bound ?? [-100000, 100000];
  const startIdx = Math.max(firstIdx, pyRound(start * fps));
  const endIdx = Math.min(pyRound(end * fps), maxFrame);
  const seg = (endIdx - startIdx) / numSegments;
  return Array.from({ length: numSegments }, (_, i) => Math.trunc(startIdx + seg / 2 + pyRound(seg * i)));
}
