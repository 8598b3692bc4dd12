// `kinema start` (npm start): make a small synthetic MotionBench set if absent, evaluate every offline model
// on it (random and the built-ins) and print a MotionBench Table-3-style table. Works offline.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { isObjectBuiltin } from "../../models/builtin.ts";
import { listOfflineModels } from "../../models/index.ts";
import { defaultDeps } from "../../run/deps.ts";
import { elapsedText } from "../../run/failures.ts";
import { type EvalSummary, table3Markdown, table3Text } from "../../run/report.ts";
import { runEval } from "../../run/runner.ts";
import { generateDataset } from "../../synth/index.ts";
import { formatError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

/** Share of the generated questions in the hidden-answer test split. */
export const START_TEST_FRACTION = 0.5;

export interface StartOptions {
  data?: string;
  runDir?: string;
  n?: number;
  seed?: number;
  models?: string[];
  concurrency?: number;
  progress?: boolean;
  /** Where to report what is happening (stderr by default). */
  log?: (line: string) => void;
}

export interface StartResult {
  dataset: string;
  generated: boolean;
  summaries: EvalSummary[];
  /** Models that could not be evaluated, with the reason. */
  skipped: { model: string; error: string }[];
}

export async function start(o: StartOptions = {}): Promise<StartResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const data = resolve(o.data ?? join("data", "synth-default"));
  let generated = false;
  // The meta file is written last, so a dataset cut short by Ctrl-C is simply generated again.
  if (!existsSync(join(data, "video_info.meta.jsonl"))) {
    log(`generating a synthetic MotionBench set in ${data} ...`);
    // Half the answers hidden as "NA" (MotionBench: 4,020 dev / 4,034 test) and kept in answers.json,
    // which `synth:` picks up, so the table has both Dev AVG and Test AVG.
    await generateDataset({ n: o.n ?? 120, seed: o.seed ?? 0, out: data, testFraction: START_TEST_FRACTION });
    generated = true;
  } else if (!existsSync(join(data, "answers.json")))
    log(`${data} has no answers.json (made before test splits): Test AVG shows "-"; delete it to regenerate`);
  // Object models (region input, VideoRefer) answer object-level questions, not MotionBench's: left out here.
  const models =
    o.models ??
    (await listOfflineModels()).filter((m) => !(m.startsWith("builtin:") && isObjectBuiltin(m.slice(8))));
  const summaries: EvalSummary[] = [];
  const skipped: StartResult["skipped"] = [];
  for (const model of models) {
    try {
      const r = await runEval(
        {
          bench: `synth:${data}`,
          model,
          runDir: o.runDir ?? "runs",
          concurrency: o.concurrency ?? 2,
          progress: o.progress ?? true,
        },
        defaultDeps,
      );
      summaries.push(r.summary);
    } catch (e) {
      // One model that cannot run (missing weights, say) must not hide the others' rows.
      skipped.push({ model, error: formatError(e) });
      log(`skipped ${model}: ${formatError(e)}`);
    }
  }
  return { dataset: data, generated, summaries, skipped };
}

export function register(program: Command): void {
  program
    .command("start")
    .description(
      "offline demo: synthetic MotionBench set + every offline model, printed as MotionBench Table 3",
    )
    .option("--data <dir>", "synthetic dataset folder (generated if absent)", "data/synth-default")
    .option("--run-dir <dir>", "where runs and kinema.db live", "runs")
    .option("--model <spec...>", "models to evaluate (default: random and every built-in)")
    .option("--n <n>", "questions to generate when the set is absent (default 120)", (v) =>
      Number.parseInt(v, 10),
    )
    .option("--markdown", "print the table as Markdown")
    .option("--json", "print the summaries as JSON")
    .action(async (opts: StartCliOptions) => {
      const t0 = performance.now();
      const r = await start({ data: opts.data, runDir: opts.runDir, models: opts.model, n: opts.n });
      if (opts.json) return printJson(r);
      printText(opts.markdown ? table3Markdown(r.summaries) : table3Text(r.summaries));
      printText(
        `\nsynthetic MotionBench set: ${r.dataset}${r.generated ? " (generated now)" : ""}; runs in ${opts.runDir} (kinema runs / kinema show RUN)`,
      );
      process.stderr.write(`elapsed ${elapsedText(performance.now() - t0)}\n`);
      if (r.skipped.length) process.exitCode = 1;
    });
}

interface StartCliOptions {
  data: string;
  runDir: string;
  model?: string[];
  n?: number;
  markdown?: boolean;
  json?: boolean;
}
