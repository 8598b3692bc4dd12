// `kinema eval`: evaluate one model on one benchmark (resumable); prints the Table-3 row or the --json summary.
import type { Command } from "commander";
import { z } from "zod";
import type { LoadIssue } from "../../benchmarks/types.ts";
import { BENCH_D_AGGREGATES } from "../../judge/aggregate.ts";
import { elapsedText, failureLines, partialText, retryCommand, tokenText } from "../../run/failures.ts";
import { disableLlmNotice, evalJson, isOpenEnded, scoreLines, table3Text } from "../../run/report.ts";
import { type EvalOptions, type EvalResult, parseShard, runEval, type Shard } from "../../run/runner.ts";
import { KinemaError } from "../../util/errors.ts";
import { overConfig, readConfigFile } from "../config.ts";
import { runDeps } from "../deps.ts";
import { accuracyText, printJson, printText, textTable } from "../output.ts";
import {
  distributionOptions,
  int,
  type JudgeClientCliOptions,
  judgeClientOptions,
  judgeSettingsOf,
  modelOptionsOf,
  type RunCliOptions,
  runFlags,
  sharedRunOptions,
} from "../parsers.ts";

export interface EvalCliOptions extends RunCliOptions, JudgeClientCliOptions {
  frames?: string;
  /** VideoRefer-Q: single-frame (frame_idx, default) or multi-frame mode. */
  mode?: string;
  /** {uid: letter} JSON of hidden test answers (Test AVG). */
  answers?: string;
  runDir: string;
  errata?: string;
  regionInput?: string;
  resume?: string;
  retryFailed?: boolean;
  /** false (--no-preflight): do not check the endpoints before sending. */
  preflight?: boolean;
  adaptive?: boolean;
  prefetch?: number;
  /** Judged benchmarks: judge spec and its settings (see `kinema judge`). */
  judge?: string;
  judgeConcurrency?: number;
  judgeRetries?: number;
  judgeTimeoutMs?: number;
}

const count = (min: number) => z.number().int().min(min);

/**
 * Every `kinema eval` option with its type and range: what a `--config FILE` may hold (keys as the long flag
 * names, `max-tokens`), and what the flags and the file together must satisfy.
 */
export const EvalFlagsSchema = z.object({
  bench: z.union([z.string(), z.array(z.string())]).transform((b) => (Array.isArray(b) ? b : [b])),
  model: z.string(),
  frames: z.string(),
  mode: z.enum(["single", "multi"]),
  answers: z.string(),
  errata: z.string(),
  size: count(1),
  fit: z.string(),
  concurrency: count(1),
  limit: count(0),
  runDir: z.string(),
  prompt: z.string(),
  parse: z.string(),
  baseUrl: z.string(),
  apiKeyEnv: z.string(),
  header: z.record(z.string(), z.string()),
  maxFrames: count(1),
  maxFramesPolicy: z.enum(["subsample", "error"]),
  regionInput: z.literal("masks"),
  temperature: z.number(),
  maxTokens: count(1),
  seed: count(0),
  timeoutMs: count(1),
  retries: count(0),
  backoffMs: count(0),
  resume: z.string(),
  retryFailed: z.boolean(),
  preflight: z.boolean(),
  adaptive: z.boolean(),
  prefetch: count(1),
  progress: z.boolean(),
  json: z.boolean(),
  queue: z.string(),
  /** `i/N` in a file; the flag's parser gives {index, count}. */
  shard: z.unknown().transform((v, ctx): Shard => {
    try {
      if (v && typeof v === "object") return parseShard(`${(v as Shard).index}/${(v as Shard).count}`);
      return parseShard(String(v));
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  }),
  judge: z.string(),
  judgeBaseUrl: z.string(),
  judgeApiKeyEnv: z.string(),
  judgeSamples: count(1),
  judgeReparse: count(0),
  judgeAggregate: z.enum(BENCH_D_AGGREGATES),
  judgeTemperature: z.number(),
  judgeSeed: count(0),
  judgeMaxTokens: count(1),
  judgeConcurrency: count(1),
  judgeRetries: count(0),
  judgeTimeoutMs: count(1),
});

type EvalFlags = Omit<EvalCliOptions, "bench"> & { bench?: string[]; config?: string };

/** The flags, over a `--config FILE` when given; both checked by EvalFlagsSchema. */
export function evalFlags(cmd: Command, flags: EvalFlags): EvalFlags {
  if (!flags.config) return flags;
  const { config, ...merged } = overConfig(cmd, flags, readConfigFile(flags.config, EvalFlagsSchema));
  const r = EvalFlagsSchema.partial().safeParse(merged);
  if (!r.success) {
    const field = r.error.issues[0].path.join(".");
    throw new KinemaError("bad_spec", `--${field}: ${r.error.issues[0].message}`, { field });
  }
  return { ...merged, ...r.data } as EvalFlags;
}

/** The command as a plain function (tests and `kinema start` call it). */
export async function evalCommand(o: EvalCliOptions, extra: Partial<EvalOptions> = {}): Promise<EvalResult> {
  if (o.maxFramesPolicy && !["subsample", "error"].includes(o.maxFramesPolicy))
    throw new KinemaError("bad_spec", "--max-frames-policy must be subsample or error", {
      field: "max-frames-policy",
    });
  if (o.regionInput !== undefined && o.regionInput !== "masks")
    throw new KinemaError("bad_spec", `--region-input must be masks, got "${o.regionInput}"`, {
      field: "region-input",
    });
  if (o.mode !== undefined) {
    if (!["single", "multi"].includes(o.mode))
      throw new KinemaError("bad_spec", `--mode must be single or multi, got "${o.mode}"`, { field: "mode" });
    if (!o.bench?.startsWith("videorefer-q:") && !o.bench?.startsWith("videorefer-d:"))
      throw new KinemaError("bad_spec", "--mode applies to videorefer-q and videorefer-d benchmarks only", {
        field: "mode",
      });
  }
  const judgeFlags = [o.judgeBaseUrl, o.judgeApiKeyEnv, o.judgeSamples, o.judgeTemperature, o.judgeSeed];
  if (!o.judge && judgeFlags.some((v) => v !== undefined))
    throw new KinemaError("bad_spec", "--judge-* options need --judge SPEC", { field: "judge" });
  const ac = new AbortController();
  // Ctrl-C: stop taking samples, abort requests in flight (they stay pending), write outputs and exit.
  const onSig = () => ac.abort(new KinemaError("timeout", "interrupted"));
  process.once("SIGINT", onSig);
  try {
    return await runEval(
      {
        bench: o.bench,
        model: o.model,
        frames: o.frames,
        benchOptions: o.mode ? { mode: o.mode } : undefined,
        answers: o.answers,
        errata: o.errata,
        ...sharedRunOptions(o),
        resume: o.resume,
        retryFailed: o.retryFailed,
        preflight: o.preflight,
        notice: (line) => process.stderr.write(`kinema: ${line}\n`),
        adaptive: o.adaptive,
        prefetch: o.prefetch,
        modelOptions: {
          ...modelOptionsOf(o),
          ...(o.regionInput ? { regionInput: "masks" as const } : {}),
        },
        progress: o.progress !== false,
        signal: ac.signal,
        onLoadIssues: warnLoadIssues,
        judge: o.judge
          ? {
              spec: o.judge,
              baseUrl: o.judgeBaseUrl,
              apiKeyEnv: o.judgeApiKeyEnv,
              ...judgeSettingsOf(o),
              concurrency: o.judgeConcurrency,
              retry:
                o.judgeRetries !== undefined || o.backoffMs !== undefined
                  ? { retries: o.judgeRetries ?? 4, baseMs: o.backoffMs ?? 1000, capMs: 60_000 }
                  : undefined,
              timeoutMs: o.judgeTimeoutMs ?? o.timeoutMs,
            }
          : undefined,
        ...extra,
      },
      await runDeps(extra.queue ?? o.queue),
    );
  } finally {
    process.off("SIGINT", onSig);
  }
}

/** Load problems on stderr as soon as they are known (at most 10; all of them go to issues.json). */
function warnLoadIssues(issues: LoadIssue[]): void {
  for (const i of issues.slice(0, 10))
    process.stderr.write(
      `kinema: warning: ${[i.file, i.line].filter((x) => x !== undefined).join(":")}: ${i.field ? `${i.field}: ` : ""}${i.message} (${i.action ?? "skipped"})\n`,
    );
  if (issues.length > 10)
    process.stderr.write(`kinema: warning: ... and ${issues.length - 10} more problems (issues.json)\n`);
}

export function register(program: Command): void {
  judgeClientOptions(
    distributionOptions(
      runFlags(
        program
          .command("eval")
          .description("evaluate a model on a benchmark; re-running the same command continues the run")
          .option(
            "--bench <spec>",
            "NAME:PATH (see kinema benchmarks); repeat for several benchmarks: one run each, one summary table",
            (v: string, prev: string[] = []) => [...prev, v],
          )
          .option("--model <spec>", "openai:<model> | random[:seed] | builtin:<name>")
          .option(
            "--frames <spec>",
            "frame sampling (benchmark default; none = text only; indices:0 = first frame)",
          )
          .option(
            "--mode <mode>",
            "videorefer-q/-d: single (the frame_idx mask, default) or multi (every annotated mask)",
          )
          .option(
            "--answers <file>",
            "{uid: letter} JSON with hidden test answers, scored as Test AVG (synth:DIR uses DIR/answers.json)",
          )
          .option(
            "--errata <file>",
            "apply reviewed label corrections (kinema engine errata): a named scoring variant, recorded in the run",
          ),
      )
        .option(
          "--region-input <kind>",
          "masks: the OpenAI-compatible server takes region input (each object's mask per frame as a PNG part)",
        )
        .option("--resume <run>", "continue this run id with its stored settings")
        .option("--retry-failed", "ask the samples that failed before again (the default)")
        .option("--no-retry-failed", "keep the samples that failed before as they are")
        .option("--no-preflight", "do not check the server (GET /models or a 1-token request) before the run")
        .option("--adaptive", "adaptive concurrency: halve on 429, grow back to --concurrency")
        .option(
          "--prefetch <n>",
          "samples decoded ahead of requests (default 2 × concurrency)",
          int("--prefetch", 1),
        )
        .option(
          "--judge <spec>",
          "judged benchmarks: judge model, e.g. openai:gpt-3.5-turbo (not sent: no judging; tempcompass: unmatched replies rated 0, captioning not run)",
        ),
    ),
  )
    .option("--judge-concurrency <n>", "judge calls in flight (default 4)", int("--judge-concurrency", 1))
    .option("--judge-retries <n>", "retries of a failed judge call (default 4)", int("--judge-retries", 0))
    .option(
      "--judge-timeout-ms <n>",
      "per judge call timeout (default --timeout-ms)",
      int("--judge-timeout-ms", 1),
    )
    .option("--json", "print the summary as JSON")
    .option("--config <file>", "options as a JSON file of flag names and values (flags given here win)")
    .action(async (flags: EvalFlags, cmd: Command) => {
      const cli = evalFlags(cmd, flags);
      if (cli.bench && cli.bench.length > 1) return evalMany(cli as EvalCliOptions, cli.bench);
      const opts: EvalCliOptions = { ...cli, bench: cli.bench?.[0] };
      const t0 = performance.now();
      const r = await evalCommand(opts);
      const s = r.summary;
      if (opts.json) printJson(evalJson(s));
      else {
        if (!isOpenEnded(s)) printText(`${table3Text([s])}\n`);
        printText(
          `run ${s.run}: ${s.counts.total} samples, ok ${s.counts.ok}, failed ${s.counts.failed} (${(100 * s.failureRate).toFixed(1)}%), unparsed ${s.counts.unparsed}${s.pending ? `, pending ${s.pending}` : ""}` +
            (s.overall.ci95
              ? `\ndev accuracy ${accuracyText(s.overall.acc, s.overall.ci95, s.overall.n)}`
              : "") +
            (s.test?.ci95 ? `\ntest accuracy ${accuracyText(s.test.acc, s.test.ci95, s.test.n)}` : "") +
            (s.partial ? `\n${partialText(s.partial)}` : "") +
            (scoreLines(s) ? `\n${scoreLines(s)}` : "") +
            (r.judgeCalls
              ? `\njudge calls: asked ${r.judgeCalls.asked}, reused ${r.judgeCalls.cached}, items already judged ${r.judgeCalls.skipped}`
              : "") +
            `\noutputs: ${r.outDir}`,
        );
        if (r.issues.length)
          printText(`${r.issues.length} benchmark items had problems (see kinema show ${s.run})`);
      }
      // People read the rest on stderr, so --json output stays one JSON document.
      const err = (l: string) => process.stderr.write(`${l}\n`);
      if (s.failures.length) {
        err(`failures (${s.counts.failed} of ${s.counts.total} samples), by error:`);
        for (const l of failureLines(s.failures)) err(l);
        const headers = Object.keys(opts.header ?? {});
        err(
          `fix the cause, then re-run the same command (failed samples are asked again, completed ones kept), or:\n  ${retryCommand(s.run, opts.runDir, headers)}`,
        );
      }
      if (r.reasked) err(`asked again ${r.reasked} samples that had failed before`);
      const noJudge = disableLlmNotice(s);
      if (opts.json && noJudge) err(`kinema: ${noJudge}`);
      err(`elapsed ${elapsedText(performance.now() - t0)}; ${tokenText(r.tokens)}`);
      if (s.pending > 0) process.exitCode = 130;
      else if (s.counts.failed > 0 && s.counts.ok + s.counts.unparsed === 0) process.exitCode = 4;
      else if (s.judged && s.judged.n === 0 && Number(s.judged.failed) > 0) process.exitCode = 4;
    });
}

/** Several `--bench`: one run each, in order; a benchmark that cannot run is reported and the others go on. */
async function evalMany(o: EvalCliOptions, benches: string[]): Promise<void> {
  const results: { bench: string; summary?: EvalResult["summary"]; error?: string }[] = [];
  for (const bench of benches) {
    try {
      const r = await evalCommand({ ...o, bench });
      results.push({ bench, summary: r.summary });
      if (r.summary.pending > 0) break; // interrupted: the remaining benchmarks are not started
      if (r.issues.length && !o.json)
        process.stderr.write(
          `kinema: ${bench}: ${r.issues.length} benchmark items had problems (see kinema show ${r.summary.run})\n`,
        );
    } catch (e) {
      if (e instanceof KinemaError && e.code === "timeout") throw e; // interrupted: stop here
      results.push({ bench, error: e instanceof Error ? e.message : String(e) });
      process.stderr.write(`kinema: ${bench}: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (o.json)
    printJson(results.map((r) => (r.summary ? evalJson(r.summary) : { bench: r.bench, error: r.error })));
  else printText(multiTable(results));
  if (results.some((r) => r.error)) process.exitCode = 1;
  else if (results.some((r) => (r.summary?.pending ?? 0) > 0)) process.exitCode = 130;
}

/** Percent for people (JSON keeps fractions). */
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? "-" : `${(100 * x).toFixed(1)}%`;

/** One line per benchmark run: accuracy with its interval, counts, run id. */
export function multiTable(
  results: { bench: string; summary?: EvalResult["summary"]; error?: string }[],
): string {
  const rows: (string | number)[][] = [
    ["benchmark", "model", "accuracy", "95% CI", "n", "failed", "unparsed", "run"],
  ];
  for (const r of results) {
    const s = r.summary;
    if (!s) rows.push([r.bench, "-", "error", r.error ?? "", "-", "-", "-", "-"]);
    else
      rows.push([
        s.benchmark,
        s.model,
        pct(s.overall.acc),
        s.overall.ci95 ? `${pct(s.overall.ci95[0])}–${pct(s.overall.ci95[1])}` : "-",
        s.overall.n,
        s.counts.failed,
        s.counts.unparsed,
        s.run,
      ]);
  }
  return textTable(rows);
}
