// `kinema sweep`: the same model at several frame settings as linked runs (MotionBench's frame-rate finding
// made routine); prints accuracy per setting; the explorer plots accuracy vs frames.
import type { Command } from "commander";
import { type SweepResult, sweep } from "../../analysis/sweep.ts";
import { elapsedText } from "../../run/failures.ts";
import type { Shard } from "../../run/runner.ts";
import { KinemaError } from "../../util/errors.ts";
import { runDeps } from "../deps.ts";
import { printJson, printText, textTable } from "../output.ts";
import { distributionOptions, sharedRunOptions } from "../parsers.ts";

interface SweepCliOptions {
  bench?: string;
  model?: string;
  frames?: string[];
  size?: number;
  fit?: string;
  concurrency?: number;
  limit?: number;
  runDir?: string;
  prompt?: string;
  parse?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  header?: string[];
  maxFrames?: number;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  timeoutMs?: number;
  retries?: number;
  progress?: boolean;
  json?: boolean;
  queue?: string;
  shard?: Shard;
}

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new KinemaError("bad_spec", `${name} must be an integer ≥ ${min}, got "${v}"`, {
      field: name.slice(2),
    });
  return n;
};

function headers(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(":");
    if (i <= 0)
      throw new KinemaError("bad_spec", `--header must look like 'Name: value', got "${h}"`, {
        field: "header",
      });
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

export function sweepText(r: SweepResult): string {
  const pct = (x: number | null) => (x === null ? "-" : (x * 100).toFixed(1));
  return [
    `sweep ${r.sweep}: ${r.model} on ${r.benchmark}`,
    textTable([
      ["frames", "n", "dev acc %", "95% CI", "failed", "unparsed", "run"],
      ...r.points.map((p) => [
        p.frames,
        p.overall.n,
        pct(p.overall.acc),
        p.overall.ci95 ? `[${pct(p.overall.ci95[0])}, ${pct(p.overall.ci95[1])}]` : "-",
        p.counts.failed,
        p.counts.unparsed,
        p.run,
      ]),
    ]),
    `linked in ${r.file} (open \`kinema serve\` to plot accuracy vs frames)`,
  ].join("\n");
}

export function register(program: Command): void {
  distributionOptions(
    program
      .command("sweep")
      .description("evaluate one model at several frame settings as linked runs (accuracy vs frames)")
      .option("--bench <spec>", "motionbench:PATH | videorefer-q:PATH | synth:DIR")
      .option("--model <spec>", "openai:<model> | random[:seed] | builtin:<name>")
      .option("--frames <specs...>", "frame specs, e.g. uniform:4 uniform:8 uniform:16 fps:1")
      .option("--size <n>", "resize frames (see kinema eval)", int("--size", 1))
      .option("--fit <mode>", "how frames are fitted to --size")
      .option("--concurrency <n>", "requests in flight (default 4)", int("--concurrency", 1))
      .option("--limit <n>", "only the first N samples", int("--limit", 0))
      .option("--run-dir <dir>", "where runs and kinema.db live", "runs")
      .option("--prompt <preset>", "prompt preset (benchmark default)")
      .option("--parse <mode>", "answer parse mode (benchmark default)")
      .option("--base-url <url>", "OpenAI-compatible server root")
      .option("--api-key-env <name>", "env var holding the API key (default OPENAI_API_KEY)")
      .option(
        "--header <h>",
        "extra HTTP header 'Name: value' (repeatable; never stored)",
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option("--max-frames <n>", "most images per request", int("--max-frames", 1))
      .option("--temperature <t>", "sampling temperature (default 0)", (v) => Number(v))
      .option("--max-tokens <n>", "max new tokens (default 64)", int("--max-tokens", 1))
      .option("--seed <s>", "generation seed sent to the server", int("--seed", 0))
      .option("--timeout-ms <n>", "per-request timeout", int("--timeout-ms", 1))
      .option("--retries <n>", "retries after the first attempt", int("--retries", 0))
      .option("--no-progress", "no progress output on stderr")
      .option("--json", "print the sweep as JSON"),
  ).action(async (o: SweepCliOptions) => {
    if (!o.bench) throw new KinemaError("bad_spec", "--bench is required", { field: "bench" });
    if (!o.model) throw new KinemaError("bad_spec", "--model is required", { field: "model" });
    const ac = new AbortController();
    const onSig = () => ac.abort(new KinemaError("timeout", "interrupted"));
    process.once("SIGINT", onSig);
    const t0 = performance.now();
    try {
      const r = await sweep(
        {
          bench: o.bench,
          model: o.model,
          frames: o.frames ?? [],
          ...sharedRunOptions(o),
          modelOptions: {
            baseUrl: o.baseUrl,
            apiKeyEnv: o.apiKeyEnv,
            headers: headers(o.header),
            maxImages: o.maxFrames,
          },
          progress: o.progress !== false,
          signal: ac.signal,
          notice: (line) => process.stderr.write(`kinema: ${line}\n`),
        },
        await runDeps(o.queue),
      );
      if (o.json) printJson(r);
      else printText(sweepText(r));
      process.stderr.write(`elapsed ${elapsedText(performance.now() - t0)}\n`);
    } finally {
      process.off("SIGINT", onSig);
    }
  });
}
