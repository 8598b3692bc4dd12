// Commander argument parsers shared by the commands: a bad value is commander's own usage error.
import { type Command, InvalidArgumentError, Option } from "commander";
import { BENCH_D_AGGREGATES, type BenchDAggregateMode } from "../judge/aggregate.ts";
import type { AdapterOptions } from "../models/index.ts";
import { type EvalOptions, parseShard, type Shard } from "../run/runner.ts";

/** An integer option ≥ min. */
export const int =
  (name: string, min = 0) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };

/** A finite number option. */
export const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};

/** `--shard i/N` as a Shard (0 ≤ i < N). */
export const shardArg = (v: string): Shard => {
  try {
    return parseShard(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

/** Where a run's samples are asked: `--queue` (workers on other machines) and `--shard` (a static part). Shared
 *  by `kinema eval`, `kinema sweep` and `kinema audit`. */
export function distributionOptions(c: Command): Command {
  return c
    .option(
      "--queue <url>",
      "redis://HOST:PORT[/DB]: enqueue the samples for `kinema worker`s (docs/queue.md)",
    )
    .option(
      "--shard <i/N>",
      "only samples i, i+N, i+2N... in the benchmark's order (0 ≤ i < N); join with `kinema merge`",
      shardArg,
    );
}

/** A repeatable `Name: value` HTTP header option, collected into one record. */
export const header = (v: string, prev: Record<string, string> = {}) => {
  const i = v.indexOf(":");
  if (i <= 0) throw new InvalidArgumentError(`header must be "Name: value", got "${v}"`);
  return { ...prev, [v.slice(0, i).trim()]: v.slice(i + 1).trim() };
};

/** What the judge client's flags (judgeClientOptions) give a command. */
export interface JudgeClientCliOptions {
  judgeBaseUrl?: string;
  judgeApiKeyEnv?: string;
  judgeSamples?: number;
  judgeReparse?: number;
  judgeAggregate?: BenchDAggregateMode;
  judgeTemperature?: number;
  judgeSeed?: number;
  judgeMaxTokens?: number;
}

/** The judge's sampling, parsing and averaging settings from its flags, as judgeRun takes them. */
export function judgeSettingsOf(o: JudgeClientCliOptions) {
  return {
    samples: o.judgeSamples,
    temperature: o.judgeTemperature,
    seed: o.judgeSeed,
    maxTokens: o.judgeMaxTokens,
    reparse: o.judgeReparse,
    aggregate: o.judgeAggregate,
  };
}

/** The judge client's options, shared by `kinema eval --judge` and `kinema judge` (added after `--judge`). */
export function judgeClientOptions(c: Command): Command {
  return c
    .option("--judge-base-url <url>", "OpenAI-compatible server root for the judge")
    .option("--judge-api-key-env <name>", "env var holding the judge's API key (default OPENAI_API_KEY)")
    .option("--judge-samples <k>", "judgements per item, averaged (default 1)", int("--judge-samples", 1))
    .option(
      "--judge-temperature <t>",
      "judge temperature (default: not sent = server default, as upstream)",
      num("--judge-temperature"),
    )
    .option("--judge-seed <s>", "judge seed (sample k uses seed + k)", int("--judge-seed", 0))
    .option("--judge-max-tokens <n>", "judge max tokens (default: not sent)", int("--judge-max-tokens", 1))
    .option(
      "--judge-reparse <k>",
      "ask the judge again, up to K times, when its reply does not parse (default 0; upstream Video-ChatGPT retries without bound)",
      int("--judge-reparse", 0),
    )
    .addOption(
      new Option(
        "--judge-aggregate <mode>",
        "VideoRefer-Bench-D: official (an unreadable score drops the item, as upstream) or per-dimension",
      ).choices(BENCH_D_AGGREGATES),
    );
}

/** The request and run options that `kinema eval`, `kinema audit` and `kinema sweep` take, passed on unchanged. */
const SHARED_RUN_KEYS = [
  "size",
  "fit",
  "concurrency",
  "limit",
  "runDir",
  "prompt",
  "parse",
  "temperature",
  "maxTokens",
  "seed",
  "timeoutMs",
  "retries",
  "backoffMs",
  "queue",
  "shard",
] as const;
export type SharedRunOptions = Pick<EvalOptions, (typeof SHARED_RUN_KEYS)[number]>;

export function sharedRunOptions(o: SharedRunOptions): SharedRunOptions {
  return Object.fromEntries(SHARED_RUN_KEYS.map((k) => [k, o[k]])) as SharedRunOptions;
}

/** What the run commands (eval, audit, sweep) read from their shared flags (see runFlags). */
export interface RunCliOptions extends SharedRunOptions {
  bench?: string;
  model?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  header?: Record<string, string>;
  maxFrames?: number;
  maxFramesPolicy?: "subsample" | "error";
  progress?: boolean;
  json?: boolean;
}

/** The frame, request, model-server and store flags every run command takes (eval, audit, sweep). */
export function runFlags(c: Command): Command {
  return c
    .option(
      "--size <n>",
      "resize frames to this many pixels (short side / square, see --fit)",
      int("--size", 1),
    )
    .option("--fit <mode>", "how frames are fitted to --size: stretch | pad | crop | max-side")
    .option("--concurrency <n>", "requests in flight (default 4)", int("--concurrency", 1))
    .option("--limit <n>", "only the first N samples", int("--limit", 0))
    .option("--run-dir <dir>", "where runs and kinema.db live", "runs")
    .option("--prompt <preset>", "prompt preset (benchmark default)")
    .option("--parse <mode>", "answer parse mode (benchmark default)")
    .option("--base-url <url>", "OpenAI-compatible server root, e.g. http://127.0.0.1:8000/v1")
    .option("--api-key-env <name>", "env var holding the API key (default OPENAI_API_KEY)")
    .option("--header <h>", "extra HTTP header 'Name: value' (repeatable; values never stored)", header)
    .option("--max-frames <n>", "most images per request", int("--max-frames", 1))
    .addOption(
      new Option(
        "--max-frames-policy <p>",
        "subsample (evenly, default) or error when frames exceed --max-frames",
      ).choices(["subsample", "error"]),
    )
    .option("--temperature <t>", "sampling temperature (default 0)", num("--temperature"))
    .option(
      "--max-tokens <n>",
      "max new tokens (default: 64 for multiple choice, 256 open-ended QA, 512 descriptions)",
      int("--max-tokens", 1),
    )
    .option("--seed <s>", "generation seed sent to the server", int("--seed", 0))
    .option("--timeout-ms <n>", "per-request timeout (default 120000)", int("--timeout-ms", 1))
    .option("--retries <n>", "retries after the first attempt (default 4)", int("--retries", 0))
    .option(
      "--backoff-ms <n>",
      "first backoff ceiling in ms, doubling, full jitter (default 1000)",
      int("--backoff-ms", 0),
    )
    .option("--no-progress", "no progress output on stderr");
}

/** The model client's options from the shared flags (header values are sent, never stored). */
export function modelOptionsOf(o: RunCliOptions): AdapterOptions {
  return {
    baseUrl: o.baseUrl,
    apiKeyEnv: o.apiKeyEnv,
    headers: o.header,
    maxImages: o.maxFrames,
    maxImagesPolicy: o.maxFramesPolicy,
  };
}
