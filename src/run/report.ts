// Run reports from the store: the summary (exact --json shape + details), MotionBench Table-3 rows and the
// per-run output files (samples.jsonl, summary.json, table.md).
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Benchmark, Sample, SampleOutcome } from "../benchmarks/types.ts";
import type { RunConfig, RunRow, SampleRow, Store } from "../store/index.ts";
import { markdownTable, textTable } from "../util/table.ts";
import { type FailureGroup, groupFailures, partialOf, partialText, type RunPartial } from "./failures.ts";
import { type JudgedSummary, rowOutcome } from "./judging.ts";

/** Exactly what `kinema eval --json` prints. `overall` is dev only; `test` is there only when test answers
 *  were supplied (`--answers`, or a synthetic set's answers.json). */
export interface EvalJson {
  run: string;
  benchmark: string;
  model: string;
  overall: { acc: number | null; n: number; ci95: [number, number] | null };
  categories: Record<string, { acc: number | null; n: number }>;
  counts: { total: number; ok: number; failed: number; unparsed: number };
  test?: { acc: number | null; n: number; ci95: [number, number] | null };
  /** Judged benchmarks: the judge's aggregate with `kinema judge`'s keys for the kind, the judge record and
   *  `unanswered` (samples without a model answer); present once the run was judged. */
  judged?: JudgedSummary;
  /** Caption-scored benchmarks: COCO caption metrics (METEOR/SPICE null, see notes) with n and failed. */
  caption?: Record<string, unknown>;
}

/** summary.json: the --json object plus everything a report needs. */
export interface EvalSummary extends Omit<EvalJson, "test" | "judged" | "caption"> {
  /** The judged aggregate (null: not a judged benchmark, or not judged yet: `kinema judge <kind> --run`). */
  judged: JudgedSummary | null;
  /** COCO caption metrics (null: not a caption-scored benchmark). */
  caption: Record<string, unknown> | null;
  /** Samples not answered yet (an interrupted run). */
  pending: number;
  /** failed / (ok + failed + unparsed); failed samples are excluded from every accuracy. */
  failureRate: number;
  /** Test-split questions scored with supplied answers (`--answers`; MotionBench Test AVG); null when none. */
  test: { acc: number | null; n: number; ci95: [number, number] | null } | null;
  /** Dev categories with their CI, by question_type/type. */
  categoryDetail: Record<
    string,
    { acc: number | null; n: number; right: number; ci95: [number, number] | null }
  >;
  /** The upstream scorer's result on the same outputs, when the benchmark provides one. */
  official: Record<string, unknown> | null;
  frames: string;
  /** Model names/snapshots the server reported, and token usage summed over answered samples. */
  servedModels: string[];
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  /** The run's stored config (src/store/run-config.ts). */
  config: RunConfig;
  /** Set when the run covers part of its benchmark (--limit) or has pending samples; null when complete. */
  partial: RunPartial | null;
  /** Failed samples grouped by error code and HTTP status (count, one sample id, its message). */
  failures: FailureGroup[];
}

/** MotionBench question_type → Table 3 column. */
export const MOTIONBENCH_COLUMNS: [string, string][] = [
  ["Motion Recognition", "MR"],
  ["Location-related Motion", "LM"],
  ["Camera Motion", "CM"],
  ["Motion-related Objects", "MO"],
  ["Action Order", "AO"],
  ["Repetition Count", "RC"],
];

/** Rebuilds the benchmark sample a stored row came from (enough for parse/score/summarize). */
export function sampleFromRow(r: SampleRow): Sample {
  return {
    id: r.sampleId,
    videoId: r.videoId,
    video: r.video,
    category: r.category,
    question: r.question,
    options: r.options,
    answer: r.answer,
    split: r.split ?? undefined,
    labels: r.labels as Sample["labels"],
  };
}

export function outcomesFromRows(rows: SampleRow[]): SampleOutcome[] {
  const out: SampleOutcome[] = [];
  for (const r of rows) {
    if (r.status === "pending") continue;
    const o = rowOutcome(sampleFromRow(r), r);
    out.push(o.status !== "failed" && r.judge ? { ...o, judge: r.judge } : o);
  }
  return out;
}

type Cell = { acc: number | null; n: number; right: number; ci95: [number, number] | null };

/** Accuracy without an interval, for benchmarks that do not summarize themselves. */
function plainSummary(rows: SampleRow[]): { overall: Cell; categories: Record<string, Cell> } {
  const cell = (rs: SampleRow[]): Cell => {
    const scored = rs.filter((r) => r.status !== "pending" && r.status !== "failed" && r.correct !== null);
    const right = scored.filter((r) => r.correct).length;
    return { acc: scored.length ? right / scored.length : null, n: scored.length, right, ci95: null };
  };
  const cats: Record<string, Cell> = {};
  for (const c of [...new Set(rows.map((r) => r.category))].sort())
    cats[c] = cell(rows.filter((r) => r.category === c));
  return { overall: cell(rows), categories: cats };
}

function scoreSubset(rows: SampleRow[], bench: Benchmark | undefined, parseMode: string | undefined) {
  if (bench?.summarize) {
    const s = bench.summarize(outcomesFromRows(rows), { parseMode });
    return {
      overall: s.overall as Cell,
      categories: s.categories as Record<string, Cell>,
      official: s.official,
    };
  }
  return { ...plainSummary(rows), official: null };
}

const isTest = (r: SampleRow) => r.split === "test";

/** Summarizes a run from the store. `bench` is the benchmark module (for its official scoring rules). */
export function summarizeRun(store: Store, run: RunRow, bench?: Benchmark): EvalSummary {
  const rows = store.samples(run.id);
  const parseMode = run.config.parse as string | undefined;
  const dev = rows.filter((r) => !isTest(r));
  const test = rows.filter(isTest);
  const d = scoreSubset(dev, bench, parseMode);
  const testScored = test.some((r) => r.answer !== "NA" && r.answer !== "");
  const t = testScored ? scoreSubset(test, bench, parseMode) : null;
  // The upstream scorer sees dev and test together (answered test questions count in answered_acc), with
  // the test answers hidden as released ("NA"), even when they were supplied for Test AVG.
  const released = rows.map((r) => (isTest(r) ? { ...r, answer: "NA" } : r));
  const official = bench?.summarize ? scoreSubset(released, bench, parseMode).official : null;
  const counts = { total: rows.length, ok: 0, failed: 0, unparsed: 0 };
  let pending = 0;
  for (const r of rows) {
    if (r.status === "pending") pending++;
    else counts[r.status]++;
  }
  const answered = counts.ok + counts.failed + counts.unparsed;
  const servedModels = [
    ...new Set(rows.map((r) => r.servedModel).filter((m): m is string => Boolean(m))),
  ].sort();
  const usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  for (const r of rows)
    if (r.usage) {
      usage.promptTokens += r.usage.promptTokens ?? 0;
      usage.completionTokens += r.usage.completionTokens ?? 0;
      usage.totalTokens += r.usage.totalTokens ?? 0;
    }
  const categories: EvalJson["categories"] = {};
  for (const [k, v] of Object.entries(d.categories)) categories[k] = { acc: v.acc, n: v.n };
  return {
    run: run.id,
    benchmark: run.benchmark,
    model: run.model,
    overall: { acc: d.overall.acc, n: d.overall.n, ci95: d.overall.ci95 },
    categories,
    counts,
    pending,
    failureRate: answered ? counts.failed / answered : 0,
    test: t ? { acc: t.overall.acc, n: t.overall.n, ci95: t.overall.ci95 } : null,
    categoryDetail: d.categories,
    official: official ?? null,
    // A model that reads no pixels (random) used no frames, whatever the spec said.
    frames:
      run.config.needs && !run.config.needs.images && !run.config.needs.rgb
        ? "-"
        : String(run.config.frames ?? ""),
    servedModels,
    usage,
    config: run.config,
    partial: partialOf({ total: counts.total, pending }, run.config.benchItems),
    failures: groupFailures(rows),
    judged: null,
    caption: null,
  };
}

/** The --json object: exactly the documented keys, in order. */
export function evalJson(s: EvalSummary): EvalJson {
  return {
    run: s.run,
    benchmark: s.benchmark,
    model: s.model,
    overall: s.overall,
    categories: s.categories,
    counts: s.counts,
    ...(s.test ? { test: s.test } : {}),
    ...(s.judged ? { judged: s.judged } : {}),
    ...(s.caption ? { caption: s.caption } : {}),
  };
}

/** Accuracies in tables are percentages, as in every human-readable output (JSON keeps fractions). */
const fmt = (x: number | null | undefined) => (x === null || x === undefined ? "-" : (100 * x).toFixed(1));

/** The line under a Table-3-style table: unit and the MotionBench abbreviations spelled out. */
export function table3Legend(summaries: EvalSummary[]): string {
  const isMb = summaries.every((s) => s.benchmark === "motionbench" || s.benchmark === "synth");
  const unit = `accuracy in %${isMb ? `; ${MOTIONBENCH_COLUMNS.map(([c, a]) => `${a} ${c}`).join(", ")}` : ""}`;
  return [unit, sizeLine(summaries)].filter(Boolean).join("\n");
}

/** How many questions each average is over, and how wide the 95% intervals are at that n. */
function sizeLine(summaries: EvalSummary[]): string {
  const part = (name: string, cells: ({ n: number; ci95: [number, number] | null } | null | undefined)[]) => {
    const got = cells.filter((c): c is { n: number; ci95: [number, number] | null } => !!c && c.n > 0);
    if (!got.length) return "";
    const ns = [...new Set(got.map((c) => c.n))].sort((a, b) => a - b);
    const half = got.filter((c) => c.ci95).map((c) => (100 * (c.ci95![1] - c.ci95![0])) / 2);
    const n = ns.length === 1 ? `${ns[0]}` : `${ns[0]}–${ns.at(-1)}`;
    const w = half.length
      ? `, 95% interval ±${Math.min(...half).toFixed(1)}${half.length > 1 ? `–${Math.max(...half).toFixed(1)}` : ""} points`
      : "";
    return `${name} over ${n} questions${w}`;
  };
  const parts = [
    part(
      "Dev AVG",
      summaries.map((s) => s.overall),
    ),
    part(
      "Test AVG",
      summaries.map((s) => s.test),
    ),
  ].filter(Boolean);
  return parts.length ? `n: ${parts.join("; ")} (per model and category: kinema show RUN)` : "";
}

/** Rows in MotionBench Table 3's layout (header first); other benchmarks get one column per category. */
export function table3Rows(summaries: EvalSummary[]): string[][] {
  const isMb = summaries.every((s) => s.benchmark === "motionbench" || s.benchmark === "synth");
  const cats = isMb
    ? MOTIONBENCH_COLUMNS
    : [...new Set(summaries.flatMap((s) => Object.keys(s.categories)))]
        .sort()
        .map((c) => [c, c] as [string, string]);
  const head = ["Model", "Frames", "Dev AVG", "Test AVG", ...cats.map(([, a]) => a)];
  const rows = summaries.map((s) => [
    s.model,
    s.frames,
    fmt(s.overall.acc),
    fmt(s.test?.acc),
    ...cats.map(([c]) => fmt(s.categories[c]?.acc)),
  ]);
  return [head, ...rows];
}

export function table3Text(summaries: EvalSummary[]): string {
  return `${textTable(table3Rows(summaries))}\n${table3Legend(summaries)}`;
}

export function table3Markdown(summaries: EvalSummary[]): string {
  return `${markdownTable(table3Rows(summaries))}\n\n${table3Legend(summaries)}`;
}

/** One line per sample: inputs, frames, raw output, parsed answer, correctness, status, error. */
export function sampleRecord(r: SampleRow): Record<string, unknown> {
  return {
    id: r.sampleId,
    video_id: r.videoId,
    category: r.category,
    split: r.split,
    video: r.video,
    question: r.question,
    options: r.options,
    prompt: r.prompt,
    frame_indices: r.frameIndices,
    answer: r.answer,
    raw: r.raw,
    parsed: r.parsed,
    correct: r.correct,
    status: r.status,
    error: r.error,
    attempts: r.attempts,
    latency_ms: r.latencyMs,
    usage: r.usage,
    served_model: r.servedModel,
    request_key: r.requestKey,
    ...(r.judge ? { judge: r.judge } : {}),
    ...(r.flags ? { flags: r.flags } : {}),
  };
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const num4 = (x: unknown) => (typeof x === "number" ? (Number.isInteger(x) ? String(x) : x.toFixed(4)) : "-");
/** Judged accuracies are fractions in JSON and percentages for people. */
const PERCENT_KEYS = new Set(["accuracy"]);
const shown = (k: string, x: unknown) =>
  PERCENT_KEYS.has(k) && typeof x === "number" ? `${(100 * x).toFixed(1)}%` : num4(x);
const HEADLINE: Record<string, string[]> = {
  "vcgpt-qa": ["accuracy", "average_score"],
  "vcgpt-gen": ["correctness", "detail", "context", "temporal", "consistency"],
  "videorefer-d": [
    "Subject Correspondence",
    "Appearance Description",
    "Temporal Description",
    "Hallucination Detection",
    "Avg",
  ],
};

/** Open-ended runs (judged or caption-scored) have no accuracy table: their numbers are in scoreLines.
 *  TempCompass is multiple choice whose unmatched replies (and captions) a judge may rate: it keeps its table. */
export function isOpenEnded(s: EvalSummary): boolean {
  if (s.judged?.kind === "tempcompass" || s.benchmark === "tempcompass") return false;
  return Boolean(s.judged || s.caption || s.config?.judgeProtocol);
}

/** Runs whose official score folds a judge in but had none (TempCompass --disable_llm): what that did. */
export function disableLlmNotice(s: EvalSummary): string | null {
  const off = s.official as { disable_llm?: boolean; judge_counts?: Record<string, number> } | null;
  const c = off?.judge_counts;
  if (!c?.unmatched_rated_0_without_judge) return null;
  return `${c.unmatched_rated_0_without_judge} of ${c.rule_matched + c.rule_unmatched} replies matched no rule and were rated 0 (official --disable_llm); add --judge SPEC (upstream: openai:gpt-3.5-turbo-1106) to have the LLM judge rate them`;
}

/** TempCompass's official lines: print_result's avg per task, and what the judge did. */
function tempCompassLines(s: EvalSummary): string[] {
  const off = (s.official ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  const avgs = ["multi-choice", "yes_no", "caption_matching", "captioning"]
    .filter((t) => off[t])
    .map((t) => `${t} ${num1((off[t] as { avg?: number }).avg)}`);
  if (avgs.length)
    out.push(
      `official print_result avg (%, ${off.disable_llm ? "--disable_llm" : "rules + judge"}): ${avgs.join(", ")}`,
    );
  const j = s.judged;
  if (j?.kind === "tempcompass")
    out.push(
      `judged by ${j.judge.spec} (served ${j.judge.servedModel ?? "unknown"}, temperature ${j.judge.temperature}, max_tokens ${j.judge.maxTokens}, top_p ${j.judge.top_p}, presence_penalty ${j.judge.presence_penalty}): ` +
        `${j.match} unmatched replies, ${j.captioning} captions; judge unparsed ${j.unparsed} (upstream's fallback rating), judge failed ${j.failed} (asked again on a re-run); model failures not judged ${j.unanswered}`,
    );
  const c = (off.judge_counts ?? {}) as Record<string, number>;
  if (c.captions_not_judged)
    out.push(`${c.captions_not_judged} captions not judged yet (left out of captioning)`);
  const n = disableLlmNotice(s);
  if (n) out.push(n);
  return out;
}
const num1 = (x: unknown) => (typeof x === "number" ? x.toFixed(1) : "-");

/** Text lines for the judged aggregate and caption metrics (empty for multiple-choice runs). */
export function scoreLines(s: EvalSummary): string {
  const out: string[] = [];
  if (s.judged?.kind === "tempcompass" || s.benchmark === "tempcompass")
    return tempCompassLines(s).join("\n");
  const j = s.judged;
  if (j) {
    const keys = (HEADLINE[j.kind] ?? []).filter((k) => k in j);
    out.push(
      `judged by ${j.judge.spec} (served ${j.judge.servedModel ?? "unknown"}, temperature ${j.judge.temperature ?? "server default"}, seed ${j.judge.seed ?? "none"}): ` +
        keys.map((k) => `${k} ${shown(k, j[k])}`).join(", "),
      `judge counts: items ${j.n}` +
        (j.kind === "vcgpt-qa" ? `, yes ${j.yes}, no ${j.no}` : "") +
        `, judge failed ${j.failed}, judge unparsed ${j.unparsed}; model failures not judged ${j.unanswered}`,
    );
  } else if (s.config?.judgeProtocol)
    out.push(
      `not judged yet: kinema eval ... --judge SPEC, or kinema judge ${s.config.judgeProtocol} --run ${s.run} --judge SPEC`,
    );
  const c = s.caption;
  if (c)
    out.push(
      `caption metrics (n ${c.n}, failed ${c.failed}): ` +
        ["Bleu_1", "Bleu_4", "ROUGE_L", "CIDEr", "METEOR", "SPICE"]
          .map((k) => `${k} ${num4(c[k])}`)
          .join(", "),
    );
  return out.join("\n");
}

/** Writes <runDir>/<run>/{samples.jsonl, summary.json, table.md}; returns that folder. */
export function writeRunOutputs(store: Store, run: RunRow, summary: EvalSummary): string {
  const dir = join(store.dir, run.id);
  mkdirSync(dir, { recursive: true });
  const lines = store.samples(run.id).map((r) => JSON.stringify(sampleRecord(r)));
  writeAtomic(join(dir, "samples.jsonl"), lines.length ? `${lines.join("\n")}\n` : "");
  writeAtomic(join(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomic(
    join(dir, "table.md"),
    `${isOpenEnded(summary) ? `# ${summary.benchmark} × ${summary.model}` : table3Markdown([summary])}\n\nfailed ${summary.counts.failed} of ${summary.counts.total} (${(100 * summary.failureRate).toFixed(1)}%), unparsed ${summary.counts.unparsed}, pending ${summary.pending}\n${summary.partial ? `\n**${partialText(summary.partial)}**\n` : ""}${scoreLines(summary) ? `\n${scoreLines(summary)}\n` : ""}`,
  );
  return dir;
}
