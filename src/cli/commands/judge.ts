// `kinema judge vcgpt-qa|vcgpt-gen|videorefer-d --pred FILE --judge SPEC`: re-judge saved predictions with
// an LLM judge (upstream prompts and parsing, strict accounting, replies cached beside the predictions);
// `kinema judge <kind>|tempcompass --run RUN`: judge a stored run's answers into its store.
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Command } from "commander";
import type { LoadIssue, SampleOutcome } from "../../benchmarks/types.ts";
import { GEN_FILES } from "../../benchmarks/vcgpt-gen/index.ts";
import {
  JUDGE_KINDS,
  type JudgeItem,
  type JudgeKind,
  type JudgeRunResult,
  judgeItemsFromOutcomes,
  judgeRun,
  loadPredictions,
} from "../../judge/index.ts";
import { createAdapter } from "../../models/index.ts";
import { judgedSummary, judgeStoredRun } from "../../run/judging.ts";
import { sampleFromRow } from "../../run/report.ts";
import { openStore } from "../../store/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { acquireLock, runLockPath } from "../../util/lock.ts";
import { printJson, printText, textTable } from "../output.ts";
import { int, type JudgeClientCliOptions, judgeClientOptions, judgeSettingsOf } from "../parsers.ts";

export interface JudgeCliOptions extends JudgeClientCliOptions {
  pred?: string;
  run?: string;
  runDir?: string;
  judge?: string;
  metrics?: string;
  concurrency?: number;
  retries?: number;
  timeoutMs?: number;
  cache?: string | false;
  out?: string;
  json?: boolean;
  /** false (--no-preflight): do not check the judge server first. */
  preflight?: boolean;
}

export type JudgeCommandResult = Record<string, unknown> & {
  judge: Pick<JudgeRunResult["judge"], "spec" | "servedModel" | "temperature" | "seed"> &
    Record<string, unknown>;
  load_issues: LoadIssue[];
};

/** The command as a plain function: returns the aggregate with counts, the judge record and load issues. */
export async function judgeCommand(
  kind: string,
  o: JudgeCliOptions,
  env = process.env,
): Promise<JudgeCommandResult> {
  if (kind === "tempcompass" && o.pred)
    throw new KinemaError(
      "bad_spec",
      "kinema judge tempcompass takes --run RUN; a predictions file is scored by kinema score tempcompass --task T --pred FILE --judge SPEC",
      { field: "pred" },
    );
  if (!(JUDGE_KINDS as readonly string[]).includes(kind) && kind !== "tempcompass")
    throw new KinemaError(
      "bad_spec",
      `unknown judge kind "${kind}" (use ${JUDGE_KINDS.join(", ")}, tempcompass)`,
      { field: "kind" },
    );
  if (!o.pred === !o.run)
    throw new KinemaError("bad_spec", "give exactly one of --pred FILE or --run RUN", { field: "pred" });
  if (!o.judge)
    throw new KinemaError("bad_spec", "--judge SPEC is required (e.g. openai:gpt-4o)", { field: "judge" });
  // TempCompass picks its own items from the run (the replies no rule matched, and captions)
  const loaded =
    kind === "tempcompass"
      ? null
      : o.pred
        ? await loadPredictions(kind as JudgeKind, o.pred)
        : itemsFromRun(kind as JudgeKind, o.run!, o.runDir);
  const items: JudgeItem[] = loaded?.items ?? [];
  const issues: LoadIssue[] = loaded?.issues ?? [];
  const metrics = o.metrics
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const where = o.pred ?? `run ${o.run}`;
  if (loaded && items.length === 0)
    throw new KinemaError("bad_input", `no usable predictions in ${where}`, {
      file: where,
      issues: issues.slice(0, 5),
    });
  const adapter = await createAdapter(o.judge, {
    baseUrl: o.judgeBaseUrl,
    apiKeyEnv: o.judgeApiKeyEnv,
    env,
  });
  // One cheap request first: a judge server that cannot answer stops here with its cause.
  if (o.preflight !== false)
    await adapter.preflight?.("judge", undefined, (w) => process.stderr.write(`kinema: warning: ${w}\n`));
  const retry = o.retries !== undefined ? { retries: o.retries, baseMs: 1000, capMs: 60_000 } : undefined;
  if (o.run) {
    // A stored run: judgements go into its store (under this judge's key, beside other judges'), so
    // re-running asks nothing again and `kinema show` / the explorer see them.
    const store = openStore(o.runDir ?? "runs");
    let release: (() => void) | undefined;
    try {
      const stored = store.getRun(o.run);
      // One writer per run: an eval or another judge of this run must finish first.
      if (stored) release = acquireLock(runLockPath(store.dir, stored.configHash), `run ${o.run}`);
      const r = await judgeStoredRun(
        store,
        o.run,
        outcomesFromRun(store, kind as JudgeKind | "tempcompass", o.run),
        adapter,
        {
          spec: o.judge,
          samples: o.judgeSamples,
          temperature: o.judgeTemperature,
          seed: o.judgeSeed,
          maxTokens: o.judgeMaxTokens,
          reparse: o.judgeReparse,
          concurrency: o.concurrency,
          retry,
          timeoutMs: o.timeoutMs,
          metrics,
        },
      );
      const s = judgedSummary(store, o.run, {
        judgeKey: r.judgeKey,
        samples: o.judgeSamples,
        aggregate: o.judgeAggregate,
      });
      if (!s) throw new KinemaError("bad_input", `nothing was judged in run ${o.run}`, { field: "run" });
      const { kind: _k, judgeKey: _jk, unanswered: _u, judge, ...aggregate } = s;
      if (o.out)
        await writeFile(
          o.out,
          `${store
            .judgements(o.run, r.judgeKey)
            .map((j) => JSON.stringify(j.judgement))
            .join("\n")}\n`,
        );
      return { ...aggregate, judge, load_issues: issues };
    } finally {
      release?.();
      store.close();
      await adapter.close?.();
    }
  }
  const r = await judgeRun(kind as JudgeKind, items, adapter, {
    metrics,
    ...judgeSettingsOf(o),
    concurrency: o.concurrency,
    retry,
    timeoutMs: o.timeoutMs,
    cache:
      o.cache === false
        ? undefined
        : (o.cache ?? join(o.pred ? dirname(o.pred) : (o.runDir ?? "runs"), "judge-cache.sqlite")),
  });
  await adapter.close?.();
  if (o.out) await writeFile(o.out, r.judgements.map((j) => JSON.stringify(j)).join("\n") + "\n");
  return { ...r.aggregate, judge: r.judge, load_issues: issues };
}

/**
 * A stored run's answered samples as judge items (re-judging needs no model calls). Consistency pairs are
 * recognised by the vcgpt-gen loader's ids (<group>/q1, <group>/q2); unanswered samples are load issues.
 */
export function itemsFromRun(kind: JudgeKind, runId: string, runDir = "runs") {
  const store = openStore(runDir);
  try {
    const outcomes = outcomesFromRun(store, kind, runId);
    const j = judgeItemsFromOutcomes(outcomes);
    const issues: LoadIssue[] = j.unanswered.map((id) => ({
      file: store.path,
      id,
      message: "sample has no model answer in this run",
      action: "skipped",
    }));
    return { items: j.items, issues };
  } finally {
    store.close();
  }
}

/**
 * A stored run's samples as judge outcomes: the protocol is the one asked for; vcgpt-gen sets come from the
 * category (generic/temporal/consistency, as its loader stores it) and consistency pairs from the ids.
 */
export function outcomesFromRun(
  store: ReturnType<typeof openStore>,
  kind: JudgeKind | "tempcompass",
  runId: string,
): SampleOutcome[] {
  if (!store.getRun(runId))
    throw new KinemaError("not_found", `no run ${runId} in ${store.path}`, {
      file: store.path,
      field: "run",
    });
  if (kind === "tempcompass") {
    // the stored labels (task, question_text, mc_question) are all the TempCompass judge needs
    if (store.getRun(runId)!.benchmark !== "tempcompass")
      throw new KinemaError("bad_input", `run ${runId} is not a tempcompass run`, { field: "run" });
    return store.samples(runId).map((r) => ({
      sample: { ...sampleFromRow(r), scoring: { judge: "tempcompass" as const } },
      status: r.status === "pending" ? "failed" : r.status,
      raw: r.raw ?? undefined,
    }));
  }
  return store.samples(runId).map((r) => {
    const pair = /^(.*)\/q([12])$/.exec(r.sampleId);
    const set = Object.hasOwn(GEN_FILES, r.category) ? GEN_FILES[r.category as keyof typeof GEN_FILES] : null;
    return {
      sample: {
        ...sampleFromRow(r),
        scoring: {
          judge: kind,
          ...(kind === "vcgpt-gen" && set ? { metrics: [...set.metrics] } : {}),
          ...(kind === "vcgpt-gen" && pair
            ? { pair: { group: pair[1], part: Number(pair[2]) as 1 | 2 } }
            : {}),
        },
      },
      status: r.status === "pending" ? "failed" : r.status,
      raw: r.raw ?? undefined,
    };
  });
}

const fmt = (x: unknown) => (typeof x === "number" ? x.toFixed(4) : "n/a");

export function register(program: Command): void {
  judgeClientOptions(
    program
      .command("judge")
      .description(
        "judge saved predictions with an LLM: vcgpt-qa | vcgpt-gen | videorefer-d (tempcompass: --run only)",
      )
      .argument("<kind>", `${JUDGE_KINDS.join(" | ")} | tempcompass`)
      .option("--pred <file>", "predictions (JSON list or JSONL; see README 'Judged benchmarks')")
      .option(
        "--run <id>",
        "re-judge a stored run's answers instead of --pred (no model calls; judgements stored with the run)",
      )
      .option("--run-dir <dir>", "where runs and kinema.db live (with --run)", "runs")
      .option("--judge <spec>", "judge model, e.g. openai:gpt-3.5-turbo"),
  )
    .option("--metrics <list>", "vcgpt-gen: correctness,detail,context,temporal,consistency")
    .option("--concurrency <n>", "judge calls in flight (default 4)", int("--concurrency", 1))
    .option("--retries <n>", "retries of a failed call (default 4; never unbounded)", int("--retries", 0))
    .option("--timeout-ms <n>", "per-attempt timeout (default 120000)", int("--timeout-ms", 1))
    .option("--cache <file>", "reply cache (default judge-cache.sqlite beside --pred)")
    .option("--no-cache", "do not read or write the reply cache")
    .option("--out <file>", "write every judgement (reply, parse, judge record) as JSONL")
    .option("--no-preflight", "do not check the judge server (GET /models or a 1-token request) first")
    .option("--json", "print JSON")
    .action(async (kind: string, opts: JudgeCliOptions) => {
      const r = await judgeCommand(kind, opts);
      if (opts.json) return printJson(r);
      const skip = new Set([
        "judge",
        "load_issues",
        "failed_items",
        "unparsed_items",
        "bad_score_items",
        "per_metric",
        "runs",
        "judged",
      ]);
      printText(
        textTable([
          ["", "value"],
          ...Object.entries(r)
            .filter(([k]) => !skip.has(k))
            .map(([k, v]) => [
              k,
              // accuracy is a fraction in JSON and a percentage for people; scores keep their 0–5 scale
              k === "accuracy" && typeof v === "number"
                ? `${(100 * v).toFixed(1)}%`
                : typeof v === "number" && !Number.isInteger(v)
                  ? fmt(v)
                  : String(v),
            ]),
        ]),
      );
      printText(
        `judge ${r.judge.spec} served by ${r.judge.servedModel ?? "unknown"}; temperature ${r.judge.temperature ?? "server default"}, seed ${r.judge.seed ?? "none"}`,
      );
      if (r.load_issues.length)
        printText(`${r.load_issues.length} prediction record(s) skipped (see --json load_issues)`);
    });
}
