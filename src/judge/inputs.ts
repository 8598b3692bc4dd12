// Prediction files for the judges (the upstream formats), read into typed items; a bad record is listed
// as an issue with its file, line and field and skipped, never stopping the others.
//   vcgpt-qa      Video-ChatGPT QA: JSON list or JSONL of {id, question, answer, pred}
//   vcgpt-gen     generic/temporal: {video_name, Q, A, pred}; consistency: {video_name, Q1, Q2, A, pred1, pred2}
//   videorefer-d  JSON list or JSONL of {id?, video?, caption, pred}
import { readFile } from "node:fs/promises";
import type { LoadIssue } from "../benchmarks/types.ts";
import { KinemaError } from "../util/errors.ts";

export type JudgeKind = "vcgpt-qa" | "vcgpt-gen" | "videorefer-d";
export const JUDGE_KINDS: readonly JudgeKind[] = ["vcgpt-qa", "vcgpt-gen", "videorefer-d"];

/** One question-answer prediction (vcgpt-qa, and generic/temporal vcgpt-gen). */
export interface QaItem {
  id: string;
  question: string;
  answer: string;
  pred: string;
}
/** One consistency prediction: two phrasings of a question answered separately, judged in one call. */
export interface ConsistencyItem {
  id: string;
  question1: string;
  question2: string;
  answer: string;
  pred1: string;
  pred2: string;
}
/** One VideoRefer-Bench-D description. */
export interface BenchDItem {
  id: string;
  caption: string;
  pred: string;
}
export type JudgeItem = QaItem | ConsistencyItem | BenchDItem;

export const isConsistency = (x: JudgeItem): x is ConsistencyItem => "pred1" in x;

/** Python's str() of a JSON scalar as upstream formats it into the prompt. */
function pyStr(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  return undefined;
}

function pick(rec: Record<string, unknown>, names: string[]): { name: string; value: string } | undefined {
  for (const n of names) {
    if (rec[n] === undefined) continue;
    const s = pyStr(rec[n]);
    if (s !== undefined) return { name: n, value: s };
  }
  return undefined;
}

/** Turns parsed records into items; `where(i)` gives the file/line of record i for issues. */
export function itemsFromRecords(
  kind: JudgeKind,
  records: unknown[],
  where: (i: number) => { file: string; line?: number },
): { items: JudgeItem[]; issues: LoadIssue[] } {
  const items: JudgeItem[] = [];
  const issues: LoadIssue[] = [];
  const seen = new Map<string, number>();
  records.forEach((raw, i) => {
    const at = where(i);
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
      issues.push({ ...at, message: "record is not an object" });
      return;
    }
    const rec = raw as Record<string, unknown>;
    const need = (field: string, names: string[]) => {
      const v = pick(rec, names);
      if (!v) issues.push({ ...at, field, message: `missing or not a string: ${names.join(" | ")}` });
      return v?.value;
    };
    const idRaw = pick(rec, ["id", "question_id", "video_name", "video"])?.value ?? String(i);
    // upstream numbers repeated ids (several questions per video) so each keeps its own result
    const k = (seen.get(idRaw) ?? 0) + 1;
    seen.set(idRaw, k);
    const id = k === 1 ? idRaw : `${idRaw}_${k}`;
    if (kind === "videorefer-d") {
      const caption = need("caption", ["caption"]);
      const pred = need("pred", ["pred"]);
      if (caption !== undefined && pred !== undefined) items.push({ id, caption, pred });
      return;
    }
    const consistency = kind === "vcgpt-gen" && (rec.pred1 !== undefined || rec.Q1 !== undefined);
    if (consistency) {
      const question1 = need("Q1", ["Q1", "question1"]);
      const question2 = need("Q2", ["Q2", "question2"]);
      const answer = need("A", ["A", "answer"]);
      const pred1 = need("pred1", ["pred1"]);
      const pred2 = need("pred2", ["pred2"]);
      if ([question1, question2, answer, pred1, pred2].every((x) => x !== undefined))
        items.push({
          id,
          question1: question1!,
          question2: question2!,
          answer: answer!,
          pred1: pred1!,
          pred2: pred2!,
        });
      return;
    }
    const question = need("question", ["question", "Q"]);
    const answer = need("answer", ["answer", "A"]);
    const pred = need("pred", ["pred"]);
    if (question !== undefined && answer !== undefined && pred !== undefined)
      items.push({ id, question, answer, pred });
  });
  return { items, issues };
}

/** Reads a prediction file: a JSON list, or JSONL (one object per line; bad lines become issues). */
export async function loadPredictions(
  kind: JudgeKind,
  file: string,
): Promise<{ items: JudgeItem[]; issues: LoadIssue[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read predictions ${file}`, { file }, { cause: e });
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (e) {
      throw new KinemaError("bad_input", `not valid JSON: ${(e as Error).message}`, { file });
    }
    return itemsFromRecords(kind, list as unknown[], (i) => ({ file, field: `[${i}]` }) as { file: string });
  }
  const records: unknown[] = [];
  const lines: number[] = [];
  const issues: LoadIssue[] = [];
  text.split("\n").forEach((l, i) => {
    if (!l.trim()) return;
    try {
      records.push(JSON.parse(l));
      lines.push(i + 1);
    } catch (e) {
      issues.push({ file, line: i + 1, message: `not valid JSON: ${(e as Error).message}` });
    }
  });
  const r = itemsFromRecords(kind, records, (i) => ({ file, line: lines[i] }));
  return { items: r.items, issues: [...issues, ...r.issues] };
}
