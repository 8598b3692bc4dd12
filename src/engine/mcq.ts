// Validation of a question generator's reply: a JSON list of multiple-choice questions → the usable questions
// (2–4 distinct options, the answer among them, one of MotionBench's six categories, no duplicate question)
// and, for each rejected one, the reason. The §9.2 prompt fixes no keys, so the accepted keys are listed here.

import {
  MOTIONBENCH_CATEGORY_NAMES as MB_CATEGORIES,
  type MotionBenchCategory as MbCategory,
  MOTIONBENCH_CATEGORIES,
} from "../benchmarks/motionbench/categories.ts";

export { MB_CATEGORIES, type MbCategory };

const ABBR: Record<string, MbCategory> = Object.fromEntries(
  MOTIONBENCH_CATEGORIES.map((c) => [c.abbrev, c.name]),
);

export interface Mcq {
  question: string;
  options: string[];
  /** Index of the right option. */
  answer: number;
  category: MbCategory;
  /** "model": the reply named one of the six; "mapped": derived from the prompt's two dimensions. */
  categorySource: "model" | "mapped";
}

export interface ValidatedReply {
  /** Reply-level problem (not JSON, not a list, nothing usable): the reply is re-asked. */
  error?: string;
  questions: Mcq[];
  /** One entry per rejected list element. */
  rejected: { index: number; reason: string }[];
  /** The reply was wrapped in a ``` fence (json.loads would fail on it; kinema strips it and counts it). */
  fenced: boolean;
}

const norm = (s: string) => s.trim().replace(/\s+/g, " ").toLowerCase();

/** One of the six names (exact, case-insensitive) or abbreviations; undefined otherwise. */
export function categoryOf(v: unknown): MbCategory | undefined {
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  if (ABBR[t.toUpperCase()]) return ABBR[t.toUpperCase()];
  return MB_CATEGORIES.find((c) => c.toLowerCase() === t.toLowerCase());
}

/**
 * kinema's mapping from the prompt's two dimensions (Content "1.1".."5.3", Question Logic "1".."4") to
 * MotionBench's six categories, used only when the reply names no category: camera movement (4.x) → CM;
 * movement count (logic 2) → RC; sequence (logic 3) → AO; position (1.4, 3.2) → LM; objects (2.x, 5.2) → MO;
 * anything else → MR. Undefined when no content dimension is readable.
 */
export function mapDimensions(content: unknown, logic: unknown): MbCategory | undefined {
  const c = String(content ?? "").match(/(\d)(?:\.(\d))?/);
  const l = String(logic ?? "").match(/(\d)/);
  const text = `${String(content ?? "")} ${String(logic ?? "")}`.toLowerCase();
  if (!c && !/camera|count|sequence|position|object|action|appearance/.test(text)) return undefined;
  const major = c ? c[1] : "";
  const full = c ? `${c[1]}.${c[2] ?? ""}` : "";
  if (major === "4" || text.includes("camera")) return "Camera Motion";
  if ((l && l[1] === "2") || text.includes("count")) return "Repetition Count";
  if ((l && l[1] === "3") || text.includes("sequence")) return "Action Order";
  if (full === "1.4" || full === "3.2" || text.includes("position")) return "Location-related Motion";
  if (major === "2" || full === "5.2" || text.includes("object")) return "Motion-related Objects";
  return "Motion Recognition";
}

const pick = (o: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
};

function options(v: unknown): string[] | string {
  if (Array.isArray(v)) {
    if (!v.every((x) => typeof x === "string")) return "options must be strings";
    return v.map((x) => x.replace(/^\s*\(?[A-Fa-f][.):]\s+/, "").trim());
  }
  if (v && typeof v === "object") {
    const ent = Object.entries(v as Record<string, unknown>);
    if (!ent.every(([k, x]) => /^[A-Fa-f]$/.test(k.trim()) && typeof x === "string"))
      return "options object must map letters to strings";
    return ent
      .sort((a, b) => a[0].trim().toUpperCase().localeCompare(b[0].trim().toUpperCase()))
      .map(([, x]) => (x as string).trim());
  }
  return "options missing (expected a list or an object of letters)";
}

function answerIndex(v: unknown, opts: string[]): number | string {
  if (typeof v === "number" && Number.isInteger(v))
    return v >= 0 && v < opts.length ? v : "answer index out of range";
  if (typeof v !== "string" || v.trim() === "") return "answer missing";
  const t = v.trim();
  const m = t.match(/^\(?([A-Fa-f])(?:[.):]|$)/);
  if (m && (t.length <= 3 || /^\(?[A-Fa-f][.):]\s/.test(t))) {
    const i = m[1].toUpperCase().charCodeAt(0) - 65;
    return i < opts.length ? i : `answer ${m[1].toUpperCase()} is not among the ${opts.length} options`;
  }
  const i = opts.findIndex((o) => norm(o) === norm(t));
  return i >= 0 ? i : "answer is not among the options";
}

/** Validates one element of the list; a string is the reason it was rejected. */
export function validateQuestion(el: unknown): Mcq | string {
  if (!el || typeof el !== "object" || Array.isArray(el)) return "element is not an object";
  const o = el as Record<string, unknown>;
  const q = pick(o, ["question", "Question", "q"]);
  if (typeof q !== "string" || q.trim() === "") return "question missing";
  const opts = options(pick(o, ["options", "Options", "choices", "Choices"]));
  if (typeof opts === "string") return opts;
  if (opts.length < 2 || opts.length > 4) return `${opts.length} options (need 2–4)`;
  if (opts.some((x) => x === "")) return "an option is empty";
  if (new Set(opts.map(norm)).size !== opts.length) return "duplicate options";
  const a = answerIndex(pick(o, ["answer", "Answer", "correct_answer", "correct"]), opts);
  if (typeof a === "string") return a;
  const named = pick(o, ["category", "question_type", "Category", "type"]);
  let category = categoryOf(named);
  let categorySource: Mcq["categorySource"] = "model";
  if (!category && named !== undefined && typeof named === "string" && !/\d/.test(named))
    return `category "${named}" is not one of the six`;
  if (!category) {
    category = mapDimensions(
      pick(o, [
        "content_dimension",
        "Content Dimension",
        "content",
        "dimension",
        ...(named ? ["category"] : []),
      ]),
      pick(o, ["question_logic_dimension", "logic_dimension", "Question Logic Dimension", "logic"]),
    );
    categorySource = "mapped";
  }
  if (!category) return "category missing (none of the six named, no dimensions given)";
  return { question: q.trim(), options: opts, answer: a, category, categorySource };
}

/** Validates a whole reply. */
export function validateReply(reply: string): ValidatedReply {
  let text = reply.trim();
  let fenced = false;
  const f = text.match(/^```[a-zA-Z]*\s*\n([\s\S]*?)\n?```$/);
  if (f) {
    text = f[1].trim();
    fenced = true;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON (${(e as Error).message.slice(0, 80)})`, questions: [], rejected: [], fenced };
  }
  if (!Array.isArray(parsed)) return { error: "not a JSON list", questions: [], rejected: [], fenced };
  const questions: Mcq[] = [];
  const rejected: ValidatedReply["rejected"] = [];
  const seen = new Set<string>();
  parsed.forEach((el, index) => {
    const v = validateQuestion(el);
    if (typeof v === "string") rejected.push({ index, reason: v });
    else if (seen.has(norm(v.question))) rejected.push({ index, reason: "duplicate question" });
    else {
      seen.add(norm(v.question));
      questions.push(v);
    }
  });
  if (questions.length === 0)
    return {
      error: parsed.length === 0 ? "empty list" : "no valid question in the list",
      questions,
      rejected,
      fenced,
    };
  return { questions, rejected, fenced };
}
