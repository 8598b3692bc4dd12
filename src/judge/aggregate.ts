// Aggregation exactly as upstream, over judgements that kinema also accounts for strictly: failed calls and
// unparsed replies are counted and listed, never dropped silently. With K judge samples per item each
// sample index is one upstream-style run; the reported value is the mean over runs (runs listed too).
import { BENCH_D_DIMENSIONS, type BenchDDimension, parseBenchDReply } from "./parse.ts";

/** One judge call's outcome for one item (and metric, and sample index). */
export interface Judgement {
  kind: "vcgpt-qa" | "vcgpt-gen" | "videorefer-d";
  /** open_ended_qa | correctness | detail | context | temporal | consistency | bench_d */
  metric: string;
  id: string;
  /** 0-based judge sample index (--judge-samples K gives 0..K-1). */
  sample: number;
  /** ok: the reply parsed as upstream reads it; unparsed: it did not; failed: no reply after bounded retries. */
  status: "ok" | "unparsed" | "failed";
  reply?: string;
  reason?: string;
  error?: { code: string; message: string; [k: string]: unknown };
  /** Video-ChatGPT: int(score) (absent when int() would raise) and the yes/no class. */
  score?: number;
  pred?: "yes" | "no" | "neither";
  /** Bench-D: dimension scores that parsed, and the missing ones. */
  dims?: Partial<Record<BenchDDimension, number>>;
  missing?: BenchDDimension[];
  judge: JudgeRecord;
  /** The reply was longer than the adapter keeps: its full size and the bytes kept in `reply`. */
  truncated?: { bytes: number; kept: number };
  cached: boolean;
  attempts: number;
  /** Times the judge was asked again because its reply did not parse (--judge-reparse); absent when 0. */
  reasks?: number;
  cacheKey: string;
}

/** Everything that identifies the judge behind a judgement (drift is traced with it). */
export interface JudgeRecord {
  spec: string;
  /** Model name the server reported (the snapshot, e.g. gpt-4o-2024-08-06); null when not reported. */
  servedModel: string | null;
  systemFingerprint: string | null;
  /** null: not sent, so the server default applies (1.0 on OpenAI, as upstream). */
  temperature: number | null;
  seed: number | null;
  maxTokens: number | null;
  promptSha256: string;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const sampleIndices = (js: Judgement[]) => [...new Set(js.map((j) => j.sample))].sort((a, b) => a - b);
const itemRef = (j: Judgement) => ({
  id: j.id,
  metric: j.metric,
  sample: j.sample,
  ...(j.error ? { error: j.error } : {}),
  ...(j.reason ? { reason: j.reason } : {}),
  ...(j.reply !== undefined ? { reply: j.reply } : {}),
  ...(j.missing?.length ? { missing: j.missing } : {}),
});

export interface QaRun {
  sample: number;
  accuracy: number | null;
  average_score: number | null;
  yes: number;
  no: number;
  judged: number;
}

export interface QaAggregate {
  accuracy: number | null;
  average_score: number | null;
  /** Items judged (per sample). */
  n: number;
  yes: number;
  no: number;
  failed: number;
  unparsed: number;
  /** Replies that parsed as dicts (upstream's `count`, the average_score denominator). */
  judged: number;
  /** Parsed dicts whose score int() rejects: upstream counts them in `count` with 0 and skips yes/no. */
  bad_score: number;
  /** Parsed dicts whose pred contains neither "yes" nor "no" (in neither count, as upstream). */
  neither: number;
  samples: number;
  runs?: QaRun[];
  failed_items: ReturnType<typeof itemRef>[];
  unparsed_items: ReturnType<typeof itemRef>[];
  bad_score_items: ReturnType<typeof itemRef>[];
}

/** Video-ChatGPT open-ended QA: accuracy = yes/(yes+no), average score = sum int(score) / count. */
export function aggregateQa(js: Judgement[], nItems: number): QaAggregate {
  const runs: QaRun[] = [];
  const tot = { yes: 0, no: 0, judged: 0, bad: 0, neither: 0 };
  for (const k of sampleIndices(js)) {
    let count = 0;
    let sum = 0;
    let yes = 0;
    let no = 0;
    for (const j of js) {
      if (j.sample !== k || j.status !== "ok") continue;
      count += 1; // upstream increments before int(score) can raise
      if (j.score === undefined) {
        tot.bad++;
        continue; // int() raised: nothing else of this item counts
      }
      sum += j.score;
      if (j.pred === "yes") yes++;
      else if (j.pred === "no") no++;
      else if (j.pred === "neither") tot.neither++;
    }
    runs.push({
      sample: k,
      accuracy: yes + no > 0 ? yes / (yes + no) : null,
      average_score: count > 0 ? sum / count : null,
      yes,
      no,
      judged: count,
    });
    tot.yes += yes;
    tot.no += no;
    tot.judged += count;
  }
  const defined = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  return {
    accuracy: mean(defined(runs.map((r) => r.accuracy))),
    average_score: mean(defined(runs.map((r) => r.average_score))),
    n: nItems,
    yes: tot.yes,
    no: tot.no,
    failed: js.filter((j) => j.status === "failed").length,
    unparsed: js.filter((j) => j.status === "unparsed").length,
    judged: tot.judged,
    bad_score: tot.bad,
    neither: tot.neither,
    samples: runs.length,
    ...(runs.length > 1 ? { runs } : {}),
    failed_items: js.filter((j) => j.status === "failed").map(itemRef),
    unparsed_items: js.filter((j) => j.status === "unparsed").map(itemRef),
    bad_score_items: js.filter((j) => j.status === "ok" && j.score === undefined).map(itemRef),
  };
}

export interface GenMetric {
  score: number | null;
  judged: number;
  failed: number;
  /** Not a dict, or no score int() accepts (upstream would crash on those). */
  unparsed: number;
  runs?: { sample: number; score: number | null; judged: number }[];
}

export type GenAggregate = Record<string, unknown> & {
  n: number;
  failed: number;
  unparsed: number;
  samples: number;
  per_metric: Record<string, GenMetric>;
  failed_items: ReturnType<typeof itemRef>[];
  unparsed_items: ReturnType<typeof itemRef>[];
};

/** Video-ChatGPT generative metrics: each = mean of int(score) over its judged items. */
export function aggregateGen(js: Judgement[], metrics: string[], nItems: number): GenAggregate {
  const per: Record<string, GenMetric> = {};
  const unparsedOf = (j: Judgement) =>
    j.status === "unparsed" || (j.status === "ok" && j.score === undefined);
  for (const m of metrics) {
    const mj = js.filter((j) => j.metric === m);
    const runs = sampleIndices(mj).map((k) => {
      const scores = mj
        .filter((j) => j.sample === k && j.status === "ok" && j.score !== undefined)
        .map((j) => j.score!);
      return { sample: k, score: mean(scores), judged: scores.length };
    });
    per[m] = {
      score: mean(runs.map((r) => r.score).filter((x): x is number => x !== null)),
      judged: runs.reduce((a, r) => a + r.judged, 0),
      failed: mj.filter((j) => j.status === "failed").length,
      unparsed: mj.filter(unparsedOf).length,
      ...(runs.length > 1 ? { runs } : {}),
    };
  }
  const out: GenAggregate = {
    ...Object.fromEntries(metrics.map((m) => [m, per[m].score])),
    n: nItems,
    failed: js.filter((j) => j.status === "failed").length,
    unparsed: js.filter(unparsedOf).length,
    samples: sampleIndices(js).length,
    per_metric: per,
    failed_items: js.filter((j) => j.status === "failed").map(itemRef),
    unparsed_items: js
      .filter(unparsedOf)
      .map((j) => ({ ...itemRef(j), ...(j.status === "ok" ? { reason: "no score int() accepts" } : {}) })),
  };
  return out;
}

/**
 * How Bench-D judgements are averaged. `official` (upstream 2.extract_re.py + 3.analyze_score.py): a reply in
 * which any "N. name: value" value fails float() drops the whole item; a dimension absent from a reply skips
 * only that dimension. `per-dimension` (kinema's former rule): a failed value drops only its own dimension.
 */
export const BENCH_D_AGGREGATES = ["official", "per-dimension"] as const;
export type BenchDAggregateMode = (typeof BENCH_D_AGGREGATES)[number];

export type BenchDAggregate = Record<BenchDDimension | "Avg", number | null> & {
  mode: BenchDAggregateMode;
  n: number;
  failed: number;
  /** Replies missing at least one of the four dimensions (each dimension's mean skips them). */
  unparsed: number;
  /** Replies dropped whole because a value failed float() (official mode; 0 in per-dimension mode). */
  dropped: number;
  judged: Record<BenchDDimension, number>;
  samples: number;
  runs?: ({ sample: number } & Record<BenchDDimension | "Avg", number | null>)[];
  failed_items: ReturnType<typeof itemRef>[];
  unparsed_items: ReturnType<typeof itemRef>[];
  dropped_items: ReturnType<typeof itemRef>[];
};

/**
 * VideoRefer-Bench-D: per-dimension means over the items where it counts; Avg = mean of the four means.
 * Replies are re-read (parseBenchDReply) so stored judgements follow the current parsing and `mode`.
 */
export function aggregateBenchD(
  js: Judgement[],
  nItems: number,
  mode: BenchDAggregateMode = "official",
): BenchDAggregate {
  const answered = js.filter((j) => j.status !== "failed");
  const read = new Map(
    answered.map((j) => {
      if (j.reply === undefined) return [j, { dims: j.dims ?? {}, dropped: false }];
      const p = parseBenchDReply(j.reply);
      const dropped = mode === "official" && p.floatErrors.length > 0;
      return [j, { dims: dropped ? {} : p.scores, dropped }];
    }),
  );
  const runs = sampleIndices(js).map((k) => {
    const row = { sample: k } as { sample: number } & Record<BenchDDimension | "Avg", number | null>;
    for (const d of BENCH_D_DIMENSIONS) {
      const xs = answered
        .filter((j) => j.sample === k && read.get(j)!.dims[d] !== undefined)
        .map((j) => read.get(j)!.dims[d]!);
      row[d] = mean(xs);
    }
    const four = BENCH_D_DIMENSIONS.map((d) => row[d]);
    row.Avg = four.every((x) => x !== null) ? mean(four as number[]) : null;
    return row;
  });
  const judged = Object.fromEntries(
    BENCH_D_DIMENSIONS.map((d) => [d, answered.filter((j) => read.get(j)!.dims[d] !== undefined).length]),
  ) as Record<BenchDDimension, number>;
  const avgOver = (key: BenchDDimension | "Avg") =>
    mean(runs.map((r) => r[key]).filter((x): x is number => x !== null));
  const unparsedOf = (j: Judgement) => j.status === "unparsed";
  const dropped = answered.filter((j) => read.get(j)!.dropped);
  return {
    "Subject Correspondence": avgOver("Subject Correspondence"),
    "Appearance Description": avgOver("Appearance Description"),
    "Temporal Description": avgOver("Temporal Description"),
    "Hallucination Detection": avgOver("Hallucination Detection"),
    Avg: avgOver("Avg"),
    mode,
    n: nItems,
    failed: js.filter((j) => j.status === "failed").length,
    unparsed: js.filter(unparsedOf).length,
    dropped: dropped.length,
    judged,
    samples: runs.length,
    ...(runs.length > 1 ? { runs } : {}),
    failed_items: js.filter((j) => j.status === "failed").map(itemRef),
    unparsed_items: js.filter(unparsedOf).map(itemRef),
    dropped_items: dropped.map((j) => ({ ...itemRef(j), reason: "a value float() rejects drops the item" })),
  };
}
