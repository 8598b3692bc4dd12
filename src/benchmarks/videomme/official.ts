// Video-MME's official scorer: extract_characters_regex and eval_your_results from the benchmark's own
// evaluation/eval_your_results.py (BradyFU/Video-MME@4e7566d), reimplemented with Python str semantics,
// including its printed report byte for byte.
import { pyStrip } from "../parse.ts";
import type { LoadIssue } from "../types.ts";

export const DURATIONS = ["short", "medium", "long"] as const;
export const CATEGORIES = [
  "Knowledge",
  "Film & Television",
  "Sports Competition",
  "Artistic Performance",
  "Life Record",
  "Multilingual",
];
export const SUB_CATEGORIES = [
  "Humanity & History",
  "Literature & Art",
  "Biology & Medicine",
  "Finance & Commerce",
  "Astronomy",
  "Geography",
  "Law",
  "Life Tip",
  "Technology",
  "Animation",
  "Movie & TV Show",
  "Documentary",
  "News Report",
  "Esports",
  "Basketball",
  "Football",
  "Athletics",
  "Other Sports",
  "Stage Play",
  "Magic Show",
  "Variety Show",
  "Acrobatics",
  "Handicraft",
  "Food",
  "Fashion",
  "Daily Life",
  "Travel",
  "Pet & Animal",
  "Exercise",
  "Multilingual",
];
export const TASK_CATEGORIES = [
  "Temporal Perception",
  "Spatial Perception",
  "Attribute Perception",
  "Action Recognition",
  "Object Recognition",
  "OCR Problems",
  "Counting Problem",
  "Temporal Reasoning",
  "Spatial Reasoning",
  "Action Reasoning",
  "Object Reasoning",
  "Information Synopsis",
];

/**
 * The prefix list as the script has it: two missing commas make Python concatenate neighbours, so
 * "The best option is", "The correct option is", "Best answer:" and "Best option:" are never removed (and
 * "Best option: D" extracts the "B" of "Best").
 */
export const OFFICIAL_PREFIXES = [
  "The best answer is",
  "The correct answer is",
  "The answer is",
  "The answer",
  "The best option isThe correct option is",
  "Best answer:Best option:",
];
/** The list as evidently intended (mode `fixed-prefixes`). */
export const FIXED_PREFIXES = [
  "The best answer is",
  "The correct answer is",
  "The answer is",
  "The answer",
  "The best option is",
  "The correct option is",
  "Best answer:",
  "Best option:",
];

/** extract_characters_regex: strip, remove each prefix, "" for a long reply without A–D, else the first A–D. */
export function extractCharacters(raw: string, prefixes: readonly string[] = OFFICIAL_PREFIXES): string {
  let s = pyStrip(raw);
  for (const p of prefixes) s = s.split(p).join("");
  // Python str.split() with no argument: runs of Python whitespace, ends ignored.
  const words = pyStrip(s).split(
    /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u,
  );
  const m = /[ABCD]/.exec(s);
  if (words.filter((w) => w !== "").length > 10 && !m) return "";
  return m ? m[0] : "";
}

/** One video of the results JSON as the script reads it. */
export interface ResultVideo {
  duration: string;
  category: string;
  subCategory: string;
  missing: boolean;
  questions: { taskType: string; answer: unknown; response: string }[];
}

type Cell = { correct: number; answered: number };
export interface VideoMmeScore {
  /** Per duration, then "entire" for the whole selection: each block the script prints. */
  [block: string]: {
    "Video Categories": Record<string, number>;
    "Video Sub Categories": Record<string, number>;
    "Task Categories": Record<string, number>;
    Overall: number;
    correct: number;
    answered: number;
  };
}

const pct = (c: Cell) => (c.answered > 0 ? (100 * c.correct) / c.answered : 0);

export interface EvalOptions {
  durations: string[];
  skipMissing?: boolean;
  prefixes?: readonly string[];
}

/**
 * eval_your_results: per duration, questions whose extraction is not "" are `answered`; correct when the
 * extraction equals the ground truth. Every accuracy is correct / answered (0 when nothing was answered).
 * Upstream crashes on a category or task type outside its lists (KeyError) and asserts 300 videos per
 * duration unless skip_missing; here those become issues and the item is left out / the run goes on.
 */
export function evalYourResults(
  videos: readonly ResultVideo[],
  opts: EvalOptions,
  file = "results",
): { score: VideoMmeScore; issues: LoadIssue[] } {
  const issues: LoadIssue[] = [];
  const blank = (names: readonly string[]) => new Map(names.map((n) => [n, { correct: 0, answered: 0 }]));
  const per = new Map<string, { q: Map<string, Cell>; v: Map<string, Cell>; s: Map<string, Cell> }>();
  for (const d of opts.durations) {
    const t = { q: blank(TASK_CATEGORIES), v: blank(CATEGORIES), s: blank(SUB_CATEGORIES) };
    per.set(d, t);
    const mine = videos.filter((v) => v.duration === d);
    if (!opts.skipMissing && mine.length !== 300)
      issues.push({
        file,
        field: "duration_category",
        message: `Number of files in ${d} is not 300 (${mine.length}); upstream asserts here`,
        action: "kept",
      });
    for (const v of mine) {
      if (opts.skipMissing && v.missing) continue;
      const vc = t.v.get(v.category);
      const sc = t.s.get(v.subCategory);
      for (const q of v.questions) {
        const qc = t.q.get(q.taskType);
        const ext = extractCharacters(q.response, opts.prefixes);
        if (ext === "") continue;
        if (!qc || !vc || !sc) {
          issues.push({
            file,
            field: !qc ? "task_type" : !vc ? "video_category" : "video_subcategory",
            message: `"${!qc ? q.taskType : !vc ? v.category : v.subCategory}" is not one of the script's names (upstream KeyError); question left out`,
            action: "skipped",
          });
          continue;
        }
        const ok = ext === q.answer ? 1 : 0;
        for (const c of [qc, vc, sc]) {
          c.answered++;
          c.correct += ok;
        }
      }
    }
  }
  const block = (cells: { q: Map<string, Cell>; v: Map<string, Cell>; s: Map<string, Cell> }[]) => {
    const sum = (names: readonly string[], key: "q" | "v" | "s") => {
      const out: Record<string, number> = {};
      for (const n of names) {
        const c = { correct: 0, answered: 0 };
        for (const t of cells) {
          c.correct += t[key].get(n)!.correct;
          c.answered += t[key].get(n)!.answered;
        }
        out[n] = pct(c);
      }
      return out;
    };
    let correct = 0;
    let answered = 0;
    for (const t of cells)
      for (const n of TASK_CATEGORIES) {
        correct += t.q.get(n)!.correct;
        answered += t.q.get(n)!.answered;
      }
    return {
      "Video Categories": sum(CATEGORIES, "v"),
      "Video Sub Categories": sum(SUB_CATEGORIES, "s"),
      "Task Categories": sum(TASK_CATEGORIES, "q"),
      Overall: pct({ correct, answered }),
      correct,
      answered,
    };
  };
  const score: VideoMmeScore = {};
  for (const d of opts.durations) score[d] = block([per.get(d)!]);
  score.entire = block(opts.durations.map((d) => per.get(d)!));
  return { score, issues };
}

/** Python's f"{x : .1f}": one decimal, round half to even on the exact binary value, a space before positives. */
export function pyFixed1(x: number): string {
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf(".");
  const head = exact.slice(0, dot + 2);
  const rest = exact.slice(dot + 2);
  let digits = BigInt(head.replace(".", ""));
  const up = rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || digits % 2n === 1n));
  if (up) digits += 1n;
  const s = digits.toString().padStart(2, "0");
  const body = `${s.slice(0, -1)}.${s.slice(-1)}`;
  return x < 0 && digits !== 0n ? `-${body}` : ` ${body}`;
}

export interface PrintFlags {
  categories?: boolean;
  subCategories?: boolean;
  taskTypes?: boolean;
}

/** The text eval_your_results prints, byte for byte, for the given return_* flags. */
export function printedReport(score: VideoMmeScore, durations: readonly string[], f: PrintFlags): string {
  const line = "-------------------------------------";
  const eq = "=====================================";
  let out = "";
  const p = (s: string) => {
    out += `${s}\n`;
  };
  const section = (title: string, rec: Record<string, number>) => {
    p(line);
    p(title);
    p(line);
    for (const [k, v] of Object.entries(rec)) p(`${k}: ${pyFixed1(v)}%`);
  };
  const body = (b: VideoMmeScore[string]) => {
    if (f.categories) section("Video Categories", b["Video Categories"]);
    if (f.subCategories) section("Video Sub Categories", b["Video Sub Categories"]);
    if (f.taskTypes) section("Task Categories", b["Task Categories"]);
    p(line);
    p("Overall Performance");
    p(line);
    p(`Overall: ${pyFixed1(b.Overall)}%`);
  };
  for (const d of durations) {
    p(eq);
    p(`Evaluation on video Type: ${d}`);
    p(eq);
    body(score[d]);
    p("\n");
  }
  p(eq);
  p("Evaluation on the entire dataset");
  p(eq);
  body(score.entire);
  return out;
}
