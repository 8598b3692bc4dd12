// Commander argument parsers shared by the commands: a bad value is commander's own usage error.
import { type Command, InvalidArgumentError, Option } from "commander";
import { BENCH_D_AGGREGATES } from "../judge/aggregate.ts";
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

/** The request and run options that `kinema eval` and `kinema sweep` both take, passed on unchanged. */
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
  "queue",
  "shard",
] as const;
export type SharedRunOptions = Pick<EvalOptions, (typeof SHARED_RUN_KEYS)[number]>;

export function sharedRunOptions(o: SharedRunOptions): SharedRunOptions {
  return Object.fromEntries(SHARED_RUN_KEYS.map((k) => [k, o[k]])) as SharedRunOptions;
}
