// Queries behind the explorer and the report: leaderboards, filtered/paginated samples, diffs, plot data.
import { partialOf, type RunPartial } from "../run/failures.ts";
import { KinemaError } from "../util/errors.ts";
import { type Accuracy, accuracy } from "./stats.ts";
import type { RunInfo, RunSource, SampleRecord } from "./types.ts";

export type Outcome = "correct" | "wrong" | "failed" | "unparsed" | "unscored";
export const OUTCOMES: Outcome[] = ["correct", "wrong", "failed", "unparsed", "unscored"];

export interface SampleFilter {
  category?: string;
  outcome?: Outcome;
  /** Wrong (or unparsed) in every run on the same benchmark that scored it. */
  allWrong?: boolean;
  /** Runs on the same benchmark gave different answers. */
  disagree?: boolean;
  /** Case-insensitive text search over id, question, options, raw output and parsed answer. */
  q?: string;
}

/** MotionBench's Table 3 column abbreviations, in the paper's order. */
export const MOTIONBENCH_ABBR: Record<string, string> = {
  "Motion Recognition": "MR",
  "Location-related Motion": "LM",
  "Camera Motion": "CM",
  "Motion-related Objects": "MO",
  "Action Order": "AO",
  "Repetition Count": "RC",
};
const VIDEOREFER_ORDER = [
  "Basic Questions",
  "Sequential Questions",
  "Relationship Questions",
  "Reasoning Questions",
  "Future Predictions",
];

export function outcomeOf(s: SampleRecord): Outcome {
  if (s.status === "failed") return "failed";
  if (s.status === "unparsed") return "unparsed";
  const c = scoredCorrect(s);
  if (c === null) return "unscored";
  return c ? "correct" : "wrong";
}

/** Correctness used for accuracy: failed and pending excluded; unparsed with ground truth counts as wrong. */
export function scoredCorrect(s: SampleRecord): boolean | null {
  if (s.status === "failed" || s.status === "pending") return null;
  // a judge's rating where the official score takes it (TempCompass: unmatched replies and captions)
  if (typeof s.judge?.rating === "number") return s.judge.rating === 1;
  if (s.correct !== null && s.correct !== undefined) return s.correct;
  if (s.status === "unparsed" && s.answer && s.answer !== "NA") return false;
  return null;
}

export function orderCategories(benchmark: string, cats: Iterable<string>): string[] {
  const set = new Set(cats);
  const fixed = [...Object.keys(MOTIONBENCH_ABBR), ...VIDEOREFER_ORDER].filter((c) => set.has(c));
  const rest = [...set].filter((c) => !fixed.includes(c)).sort();
  void benchmark;
  return [...fixed, ...rest];
}

export interface RunSummary extends RunInfo {
  counts: { total: number; ok: number; failed: number; unparsed: number; pending: number; scored: number };
  /** Dev questions (everything not in the test split), as `kinema eval`'s `overall` (Table 3's Dev AVG). */
  overall: Accuracy;
  /** Test-split questions that have ground truth (synthetic sets); null when none. */
  test: Accuracy | null;
  /** Dev accuracy per category. */
  categories: Record<string, Accuracy>;
  /** failed / answered (ok + failed + unparsed), as `kinema eval` reports it. */
  failureRate: number;
  unparsedRate: number;
  judgeScore: number | null;
  /** Set when the run covers part of its benchmark (--limit) or has pending samples; null when complete. */
  partial: RunPartial | null;
}

export interface Leaderboard {
  benchmark: string;
  categories: string[];
  abbreviations: Record<string, string>;
  rows: RunSummary[];
}

export interface SampleRow {
  id: string;
  videoId: string;
  category: string;
  question: string;
  answer: string;
  parsed: string | null;
  status: string;
  outcome: Outcome;
  raw: string;
}

export interface SamplePage {
  run: string;
  /** The run's categories in table order (for the filter menu, without waiting for the summary). */
  categories: string[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  rows: SampleRow[];
}

export interface OtherAnswer {
  run: string;
  model: string;
  frames: string;
  parsed: string | null;
  status: string;
  outcome: Outcome;
}

export interface SampleDetail {
  run: RunInfo;
  sample: SampleRecord;
  outcome: Outcome;
  position: number;
  total: number;
  prev: string | null;
  next: string | null;
  others: OtherAnswer[];
}

interface RunCache {
  version: string;
  samples: SampleRecord[];
  categories?: string[];
  byId: Map<string, number>;
  hay: (string | undefined)[];
  summary?: RunSummary;
}

interface CrossIndex {
  key: string;
  /** sample id → [scored runs, wrong runs] */
  wrong: Map<string, [number, number]>;
  /** sample id → distinct answers among runs that answered */
  answers: Map<string, Set<string>>;
}

export interface Explorer {
  source: RunSource;
  runs(): RunInfo[];
  run(id: string): RunInfo;
  benchmarks(): string[];
  summary(id: string): RunSummary;
  leaderboard(benchmark: string): Leaderboard;
  filtered(runId: string, f: SampleFilter): SampleRecord[];
  page(runId: string, f: SampleFilter, page: number, pageSize: number): SamplePage;
  sample(runId: string, sampleId: string, f: SampleFilter): SampleDetail;
  categoryPlot(
    runId: string,
  ): { category: string; acc: number | null; ci95: [number, number] | null; n: number }[];
  letterBias(runId: string): { letters: string[]; predicted: number[]; truth: number[] };
}

function toRow(s: SampleRecord): SampleRow {
  const raw = s.raw ?? s.error ?? "";
  return {
    id: s.id,
    videoId: s.videoId,
    category: s.category,
    question: s.question,
    answer: s.answer,
    parsed: s.parsed,
    status: s.status,
    outcome: outcomeOf(s),
    raw: raw.length > 300 ? `${raw.slice(0, 300)}…` : raw,
  };
}

/** A run's counts and accuracies (overall, test split, per category), as `kinema eval` reports them. */
function summarize(info: RunInfo, samples: SampleRecord[]): RunSummary {
  const counts = { total: 0, ok: 0, failed: 0, unparsed: 0, pending: 0, scored: 0 };
  const all: { videoId: string; correct: boolean }[] = [];
  const test: { videoId: string; correct: boolean }[] = [];
  const perCat = new Map<string, { videoId: string; correct: boolean }[]>();
  let judgeSum = 0;
  let judgeN = 0;
  for (const s of samples) {
    counts.total++;
    counts[s.status]++;
    if (typeof s.judge?.score === "number") {
      judgeSum += s.judge.score;
      judgeN++;
    }
    const k = scoredCorrect(s);
    if (k === null) continue;
    counts.scored++;
    const item = { videoId: s.videoId, correct: k };
    if (s.split === "test") {
      test.push(item);
      continue;
    }
    all.push(item);
    const list = perCat.get(s.category) ?? [];
    list.push(item);
    perCat.set(s.category, list);
  }
  const categories: Record<string, Accuracy> = {};
  for (const cat of orderCategories(info.benchmark, perCat.keys()))
    categories[cat] = accuracy(perCat.get(cat)!);
  const answered = counts.ok + counts.unparsed;
  return {
    ...info,
    counts,
    overall: accuracy(all),
    test: test.length ? accuracy(test) : null,
    categories,
    failureRate: answered + counts.failed ? counts.failed / (answered + counts.failed) : 0,
    unparsedRate: answered ? counts.unparsed / answered : 0,
    judgeScore: judgeN ? judgeSum / judgeN : null,
    partial: partialOf(counts, info.config?.benchItems),
  };
}

/** Per sample id across runs: [scored runs, wrong runs], and the distinct answers of runs that answered. */
function crossAnswers(runs: SampleRecord[][]): Omit<CrossIndex, "key"> {
  const wrong = new Map<string, [number, number]>();
  const answers = new Map<string, Set<string>>();
  for (const samples of runs) {
    for (const s of samples) {
      const k = scoredCorrect(s);
      if (k !== null) {
        const w = wrong.get(s.id) ?? [0, 0];
        w[0]++;
        if (!k) w[1]++;
        wrong.set(s.id, w);
      }
      if (s.status === "ok" || s.status === "unparsed") {
        const a = answers.get(s.id) ?? new Set<string>();
        a.add(s.parsed ?? "");
        answers.set(s.id, a);
      }
    }
  }
  return { wrong, answers };
}

/** Runs of one benchmark, best overall first, with the union of their categories in table order. */
function leaderboardOf(benchmark: string, rows: RunSummary[]): Leaderboard {
  const cats = orderCategories(
    benchmark,
    rows.flatMap((r) => Object.keys(r.categories)),
  );
  const abbreviations: Record<string, string> = {};
  for (const c of cats) abbreviations[c] = MOTIONBENCH_ABBR[c] ?? c.replace(/ Questions?$/, "");
  rows.sort((a, b) => (b.overall.acc ?? -1) - (a.overall.acc ?? -1));
  return { benchmark, categories: cats, abbreviations, rows };
}

/** How often each option letter was predicted and was the truth (a model's letter bias). */
function letterBias(samples: SampleRecord[]): { letters: string[]; predicted: number[]; truth: number[] } {
  const letters = new Set<string>();
  const pred = new Map<string, number>();
  const truth = new Map<string, number>();
  for (const s of samples) {
    if (s.options.length === 0) continue;
    for (let k = 0; k < s.options.length; k++) letters.add(String.fromCharCode(65 + k));
    if (s.answer && s.answer !== "NA") truth.set(s.answer, (truth.get(s.answer) ?? 0) + 1);
    if (s.status === "ok" && s.parsed) pred.set(s.parsed, (pred.get(s.parsed) ?? 0) + 1);
  }
  const ls = [...letters].sort();
  return {
    letters: ls,
    predicted: ls.map((l) => pred.get(l) ?? 0),
    truth: ls.map((l) => truth.get(l) ?? 0),
  };
}

export function createExplorer(source: RunSource): Explorer {
  const cache = new Map<string, RunCache>();
  const cross = new Map<string, CrossIndex>();
  const filterCache = new Map<string, { version: string; idx: number[] }>();

  function run(id: string): RunInfo {
    const r = source.listRuns().find((x) => x.id === id);
    if (!r) throw new KinemaError("not_found", `no run ${id}`, { run: id });
    return r;
  }

  function load(runId: string): RunCache {
    const v = source.version(runId);
    const hit = cache.get(runId);
    if (hit && hit.version === v) return hit;
    const samples = source.runSamples(runId);
    const c: RunCache = {
      version: v,
      samples,
      byId: new Map(samples.map((s, i) => [s.id, i])),
      hay: new Array(samples.length),
    };
    cache.set(runId, c);
    return c;
  }

  function summary(id: string): RunSummary {
    const info = run(id);
    const c = load(id);
    c.summary ??= summarize(info, c.samples);
    return c.summary;
  }

  function crossIndex(benchmark: string): CrossIndex {
    const runs = source.listRuns().filter((r) => r.benchmark === benchmark);
    const key = runs.map((r) => `${r.id}@${load(r.id).version}`).join("|");
    const hit = cross.get(benchmark);
    if (hit && hit.key === key) return hit;
    const idx = { key, ...crossAnswers(runs.map((r) => load(r.id).samples)) };
    cross.set(benchmark, idx);
    return idx;
  }

  function filterIndices(runId: string, f: SampleFilter): number[] {
    const info = run(runId);
    const c = load(runId);
    const fkey = `${runId}\u0000${JSON.stringify([f.category, f.outcome, !!f.allWrong, !!f.disagree, f.q])}`;
    const needCross = f.allWrong || f.disagree;
    const x = needCross ? crossIndex(info.benchmark) : null;
    const version = x ? x.key : c.version;
    const hit = filterCache.get(fkey);
    if (hit && hit.version === version) return hit.idx;
    const q = f.q?.trim().toLowerCase();
    const out: number[] = [];
    for (let i = 0; i < c.samples.length; i++) {
      const s = c.samples[i];
      if (f.category && s.category !== f.category) continue;
      if (f.outcome && outcomeOf(s) !== f.outcome) continue;
      if (f.allWrong) {
        const w = x!.wrong.get(s.id);
        if (!w || w[0] === 0 || w[1] !== w[0]) continue;
      }
      if (f.disagree && (x!.answers.get(s.id)?.size ?? 0) < 2) continue;
      if (q) {
        let h = c.hay[i];
        if (h === undefined)
          h = c.hay[i] = [s.id, s.question, ...s.options, s.raw ?? "", s.parsed ?? ""]
            .join("\n")
            .toLowerCase();
        if (!h.includes(q)) continue;
      }
      out.push(i);
    }
    if (filterCache.size > 64) filterCache.delete(filterCache.keys().next().value!);
    filterCache.set(fkey, { version, idx: out });
    return out;
  }

  /** What the other runs on the same benchmark answered for this sample. */
  function otherAnswers(info: RunInfo, sampleId: string): OtherAnswer[] {
    const others: OtherAnswer[] = [];
    for (const r of source.listRuns()) {
      if (r.benchmark !== info.benchmark || r.id === info.id) continue;
      const oc = load(r.id);
      const j = oc.byId.get(sampleId);
      if (j === undefined) continue;
      const s = oc.samples[j];
      others.push({
        run: r.id,
        model: r.model,
        frames: r.frames,
        parsed: s.parsed,
        status: s.status,
        outcome: outcomeOf(s),
      });
    }
    return others;
  }

  return {
    source,
    runs: () => source.listRuns(),
    run,
    benchmarks: () => [...new Set(source.listRuns().map((r) => r.benchmark))].sort(),
    summary,
    leaderboard: (benchmark) =>
      leaderboardOf(
        benchmark,
        source
          .listRuns()
          .filter((r) => r.benchmark === benchmark)
          .map((r) => summary(r.id)),
      ),
    filtered(runId, f) {
      const c = load(runId);
      return filterIndices(runId, f).map((i) => c.samples[i]);
    },
    page(runId, f, page, pageSize) {
      const c = load(runId);
      const idx = filterIndices(runId, f);
      const size = Math.max(1, Math.min(500, Math.floor(pageSize) || 50));
      const pages = Math.max(1, Math.ceil(idx.length / size));
      const p = Math.max(1, Math.min(pages, Math.floor(page) || 1));
      const rows = idx.slice((p - 1) * size, p * size).map((i) => toRow(c.samples[i]));
      c.categories ??= orderCategories(run(runId).benchmark, new Set(c.samples.map((s) => s.category)));
      return {
        run: runId,
        categories: c.categories,
        total: idx.length,
        page: p,
        pageSize: size,
        pages,
        rows,
      };
    },
    sample(runId, sampleId, f) {
      const info = run(runId);
      const c = load(runId);
      const i = c.byId.get(sampleId);
      if (i === undefined)
        throw new KinemaError("not_found", `no sample ${sampleId} in run ${runId}`, { run: runId });
      const idx = filterIndices(runId, f);
      const pos = idx.indexOf(i);
      const s = c.samples[i];
      return {
        run: info,
        sample: s,
        outcome: outcomeOf(s),
        position: pos,
        total: idx.length,
        prev: pos > 0 ? c.samples[idx[pos - 1]].id : null,
        next: pos >= 0 && pos < idx.length - 1 ? c.samples[idx[pos + 1]].id : null,
        others: otherAnswers(info, sampleId),
      };
    },
    categoryPlot(runId) {
      const s = summary(runId);
      return Object.entries(s.categories).map(([category, a]) => ({
        category,
        acc: a.acc,
        ci95: a.ci95,
        n: a.n,
      }));
    },
    letterBias: (runId) => letterBias(load(runId).samples),
  };
}

/** Parses filter state from URL query parameters (the web UI keeps its state in the URL). */
export function filterFromQuery(q: URLSearchParams): SampleFilter {
  const f: SampleFilter = {};
  const cat = q.get("category");
  if (cat) f.category = cat;
  const o = q.get("outcome");
  if (o) {
    if (!OUTCOMES.includes(o as Outcome))
      throw new KinemaError("bad_input", `outcome must be one of ${OUTCOMES.join(", ")}`, {
        field: "outcome",
      });
    f.outcome = o as Outcome;
  }
  if (q.get("allWrong") === "1") f.allWrong = true;
  if (q.get("disagree") === "1") f.disagree = true;
  const text = q.get("q");
  if (text) f.q = text;
  return f;
}
