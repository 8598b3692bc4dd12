// lmms-eval's MotionBench prompt (lmms_eval/tasks/motionbench/utils.py), reimplemented with Python's str
// semantics: its own option-block regex on the raw meta question (so "A.x", labels past F, empty options, a
// question that starts with an option and blank lines come out as lmms-eval builds them), then doc_to_text.
import { PY_SPACE_CLASS } from "../../util/pytext.ts";
import { pyNormalizeSpace, pyStrip } from "../parse.ts";

/** lmms-eval's post_prompt for task motionbench, byte for byte (its fixed A–F list included). */
export const LMMS_EVAL_SUFFIX = "Answer with only the option letter (A, B, C, D, E, or F).";

const S = `[${PY_SPACE_CLASS}]`;
// _OPTION_BLOCK_PATTERN with re.DOTALL; `$` is the end (the text is stripped, so Python's "before a final
// newline" case cannot arise).
const OPTION_BLOCK = new RegExp(
  `(^|\\n)${S}*([A-F])[.):]${S}*(.*?)${S}*(?=(\\n${S}*[A-F][.):]${S})|$)`,
  "gsu",
);

/** _split_question_and_options: the question stem and the non-empty options, as lmms-eval splits them. */
export function lmmsEvalSplit(questionWithOptions: string): {
  question: string;
  options: { label: string; text: string }[];
} {
  const raw = pyStrip(questionWithOptions);
  if (!raw) return { question: "", options: [] };
  const matches = [...raw.matchAll(OPTION_BLOCK)];
  if (matches.length === 0) return { question: pyNormalizeSpace(raw), options: [] };
  let question = pyNormalizeSpace(raw.slice(0, matches[0].index));
  const options: { label: string; text: string }[] = [];
  for (const m of matches) {
    const text = pyNormalizeSpace(m[3]);
    if (text) options.push({ label: m[2].toUpperCase(), text });
  }
  // a text that starts with its first option has no stem: lmms-eval uses the whole text as the question
  if (!question) question = pyNormalizeSpace(raw);
  return { question, options };
}

/** motionbench_doc_to_text with the task's default kwargs (empty pre_prompt) for one raw meta question. */
export function lmmsEvalPrompt(questionWithOptions: string): string {
  const { question, options } = lmmsEvalSplit(questionWithOptions);
  const block = options
    .filter((o) => o.label && o.text)
    .map((o) => `${o.label}. ${o.text}`)
    .join("\n");
  const q = pyStrip(question);
  const body = block ? `${q}\n${block}` : q;
  return pyStrip(`${body}\n${LMMS_EVAL_SUFFIX}`);
}
