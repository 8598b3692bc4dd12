// Upstream-compatible reading of judge replies: Video-ChatGPT replies are Python dict literals
// (ast.literal_eval, then int(score) and the substring yes/no rule); VideoRefer-Bench-D replies are read
// with the regex \d+\.\s+(.*?):\s+([\d.]+) (Python's Unicode \d and \s). Pure functions; the accounting
// lives in aggregate.ts.
import { PY_DIGIT_CLASS, PY_SPACE_CLASS, pyDigitsToAscii } from "../util/pytext.ts";
import { isPyDict, type PyValue, parsePyLiteral, pyGet, pyInt, pyLowerStr, pyToJson } from "./pyliteral.ts";

export type ReplyStatus = "ok" | "unparsed";

export interface VcgptReply {
  status: ReplyStatus;
  /** Why the reply is unparsed (not a Python literal, not a dict). */
  reason?: string;
  /** The parsed dict as JSON. */
  dict?: Record<string, unknown>;
  /** int(d['score']); undefined when upstream's int() would raise (or the key is missing). */
  score?: number;
  /** d['pred'] classified by the substring rule; "neither" when it contains neither; undefined when absent or not a str. */
  pred?: "yes" | "no" | "neither";
}

/** Reads one Video-ChatGPT judge reply. */
export function parseVcgptReply(text: string): VcgptReply {
  let v: PyValue;
  try {
    v = parsePyLiteral(text);
  } catch (e) {
    return { status: "unparsed", reason: `not a Python literal: ${(e as Error).message}` };
  }
  if (!isPyDict(v)) return { status: "unparsed", reason: "the literal is not a dict" };
  const out: VcgptReply = { status: "ok", dict: pyToJson(v) as Record<string, unknown> };
  const score = pyInt(pyGet(v, "score"));
  if (score !== undefined) out.score = score;
  const p = pyLowerStr(pyGet(v, "pred"));
  if (p !== undefined) out.pred = yesNo(p);
  return out;
}

/** Upstream's rule: "yes" if "yes" in pred.lower(), elif "no" in pred.lower() (so "not sure" counts as no). */
export function yesNo(predLower: string): "yes" | "no" | "neither" {
  if (predLower.includes("yes")) return "yes";
  if (predLower.includes("no")) return "no";
  return "neither";
}

export const BENCH_D_DIMENSIONS = [
  "Subject Correspondence",
  "Appearance Description",
  "Temporal Description",
  "Hallucination Detection",
] as const;
export type BenchDDimension = (typeof BENCH_D_DIMENSIONS)[number];

export interface BenchDReply {
  /** Scores of the dimensions that parsed (Python float() of the captured number). */
  scores: Partial<Record<BenchDDimension, number>>;
  /** Dimensions missing from the reply (or whose number float() rejects, like "."). */
  missing: BenchDDimension[];
  /** Every (name, value) pair the regex found, as upstream's re.findall returns them. */
  found: [string, string][];
  /**
   * Pairs (any name, not only the four dimensions) whose value float() rejects ("." or "4.5.1"). Upstream's
   * 2.extract_re.py builds all floats in one expression inside try/except, so one such pair drops the item.
   */
  floatErrors: [string, string][];
}

// Upstream's \d+\.\s+(.*?):\s+([\d.]+) with Python's str semantics: \d is any Unicode decimal digit, \s any
// str.isspace() character, and "." excludes only "\n" (JS's also excludes \r, \u2028, \u2029).
const D = `[${PY_DIGIT_CLASS}]`;
const S = `[${PY_SPACE_CLASS}]`;
const BENCH_D_RE = new RegExp(`${D}+\\.${S}+([^\\n]*?):${S}+([${PY_DIGIT_CLASS}.]+)`, "gu");
const PY_FLOAT = new RegExp(`^(?:${D}+\\.?${D}*|\\.${D}+)$`, "u");

/** Python float() of a string made of decimal digits and dots; undefined where float() raises. */
export function pyFloatOfDigits(value: string): number | undefined {
  // float() accepts "4", "4.", ".5", "4.5" in any script's digits, but not "." or "4.5.1"
  return PY_FLOAT.test(value) ? Number(pyDigitsToAscii(value)) : undefined;
}

/** Reads one VideoRefer-Bench-D judge reply; a later mention of a dimension overrides an earlier one (dict). */
export function parseBenchDReply(text: string): BenchDReply {
  const found: [string, string][] = [...text.matchAll(BENCH_D_RE)].map((m) => [m[1], m[2]]);
  const scores: Partial<Record<BenchDDimension, number>> = {};
  const floatErrors: [string, string][] = [];
  for (const [name, value] of found) {
    const v = pyFloatOfDigits(value);
    if (v === undefined) floatErrors.push([name, value]);
    if (!(BENCH_D_DIMENSIONS as readonly string[]).includes(name)) continue;
    if (v === undefined) {
      delete scores[name as BenchDDimension];
      continue;
    }
    scores[name as BenchDDimension] = v;
  }
  return { scores, missing: BENCH_D_DIMENSIONS.filter((d) => scores[d] === undefined), found, floatErrors };
}
