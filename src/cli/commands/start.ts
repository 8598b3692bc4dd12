// `kinema start` (npm start): make a small synthetic MotionBench set if absent, evaluate every offline model
// on it (random and the built-ins) and print a MotionBench Table-3-style table. Works offline.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { type AuditItem, conditionStats } from "../../audit/stats.ts";
import { isObjectBuiltin } from "../../models/builtin.ts";
import { listOfflineModels } from "../../models/index.ts";
import { defaultDeps } from "../../run/deps.ts";
import { elapsedText } from "../../run/failures.ts";
import { type EvalSummary, MOTIONBENCH_COLUMNS, table3Legend, table3Rows } from "../../run/report.ts";
import { runEval } from "../../run/runner.ts";
import { generateDataset } from "../../synth/index.ts";
import { formatError } from "../../util/errors.ts";
import { markdownTable, textTable } from "../../util/table.ts";
import { printJson, printText } from "../output.ts";

/** Share of the generated questions in the hidden-answer test split. */
export const START_TEST_FRACTION = 0.5;
/** Questions generated when the set is absent: 100 per category on the dev split, so that a category's 95%
 *  interval is about ±10 points and a model 15 points above chance shows as above it. */
export const START_N = 1200;

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
  /** Per evaluated model: chance on its scored questions and where its 95% interval lies wholly above it. */
  vsChance: VsChance[];
}

export interface VsChance {
  model: string;
  /** Dev questions: accuracy, its 95% interval (videos resampled) and chance = mean of 1/#options. */
  dev: { acc: number | null; n: number; ci95: [number, number] | null; chance: number | null };
  /** Test questions scored with the generated answers: chance on them (null when none). */
  testChance: number | null;
  categories: Record<
    string,
    { acc: number | null; n: number; ci95: [number, number] | null; chance: number | null }
  >;
  /** Dev categories judged (questions from at least MIN_VIDEOS videos) and those whose 95% interval's lower end
   *  is above chance. */
  judged: string[];
  above: string[];
}

/** A video-resampled interval over fewer videos than this says little (one video gives a zero-width one). */
export const MIN_VIDEOS = 10;

/** Reads a run's samples.jsonl: its scored questions, split into dev and test. */
function scoredItems(outDir: string): { dev: AuditItem[]; test: AuditItem[] } {
  const dev: AuditItem[] = [];
  const test: AuditItem[] = [];
  const text = readFileSync(join(outDir, "samples.jsonl"), "utf8");
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as {
      id: string;
      video_id: string;
      category: string;
      split?: string;
      options?: unknown[];
      correct?: boolean | null;
    };
    if (typeof r.correct !== "boolean" || !Array.isArray(r.options) || !r.options.length) continue;
    const it = {
      sampleId: r.id,
      videoId: r.video_id,
      category: r.category,
      correct: r.correct,
      options: r.options.length,
    };
    (r.split === "test" ? test : dev).push(it);
  }
  return { dev, test };
}

export function vsChance(model: string, outDir: string): VsChance {
  const { dev, test } = scoredItems(outDir);
  const s = conditionStats(dev);
  const judged = Object.keys(s.categories).filter(
    (c) => new Set(dev.filter((x) => x.category === c).map((x) => x.videoId)).size >= MIN_VIDEOS,
  );
  const above = judged.filter((c) => {
    const x = s.categories[c];
    return x.ci95 !== null && x.chance !== null && x.ci95[0] > x.chance;
  });
  return {
    model,
    dev: s.overall,
    testChance: conditionStats(test).overall.chance,
    categories: s.categories,
    judged,
    above,
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? "-" : (100 * x).toFixed(1));

/** Table 3 with a chance row (mean 1/#options over the same questions) and a last column: in how many dev
 *  categories the model's 95% interval (videos resampled) lies wholly above chance. */
export function startTable(summaries: EvalSummary[], vs: VsChance[], markdown = false): string {
  const rows = table3Rows(summaries);
  const ref = vs[0];
  if (ref && vs.length === summaries.length) {
    const abbrev = new Map(MOTIONBENCH_COLUMNS.map(([c, a]) => [a, c]));
    const cats = rows[0].slice(4).map((a) => abbrev.get(String(a)) ?? String(a));
    rows[0].push("> chance");
    vs.forEach((v, i) => rows[i + 1].push(v.judged.length ? `${v.above.length}/${v.judged.length}` : "-"));
    rows.splice(1, 0, [
      "chance (1/options)",
      "-",
      pct(ref.dev.chance),
      pct(ref.testChance),
      ...cats.map((c) => pct(ref.categories[c]?.chance)),
      "-",
    ]);
  }
  const table = markdown ? markdownTable(rows) : textTable(rows);
  const note = ref
    ? `> chance: dev categories in which the model's 95% interval (videos resampled) lies wholly above chance, of those with questions from ≥ ${MIN_VIDEOS} videos ("-": none)`
    : "";
  return [table, table3Legend(summaries), note].filter(Boolean).join(markdown ? "\n\n" : "\n");
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
    await generateDataset({
      n: o.n ?? START_N,
      seed: o.seed ?? 0,
      out: data,
      testFraction: START_TEST_FRACTION,
    });
    generated = true;
  } else if (!existsSync(join(data, "answers.json")))
    log(`${data} has no answers.json (made before test splits): Test AVG shows "-"; delete it to regenerate`);
  // Object models (region input, VideoRefer) answer object-level questions, not MotionBench's: left out here.
  const models =
    o.models ??
    (await listOfflineModels()).filter((m) => !(m.startsWith("builtin:") && isObjectBuiltin(m.slice(8))));
  const summaries: EvalSummary[] = [];
  const skipped: StartResult["skipped"] = [];
  const vs: VsChance[] = [];
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
      vs.push(vsChance(r.summary.model, r.outDir));
    } catch (e) {
      // One model that cannot run (missing weights, say) must not hide the others' rows.
      skipped.push({ model, error: formatError(e) });
      log(`skipped ${model}: ${formatError(e)}`);
    }
  }
  return { dataset: data, generated, summaries, skipped, vsChance: vs };
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
    .option("--n <n>", `questions to generate when the set is absent (default ${START_N})`, (v) =>
      Number.parseInt(v, 10),
    )
    .option("--markdown", "print the table as Markdown")
    .option("--json", "print the summaries as JSON")
    .action(async (opts: StartCliOptions) => {
      const t0 = performance.now();
      const r = await start({ data: opts.data, runDir: opts.runDir, models: opts.model, n: opts.n });
      if (opts.json) return printJson(r);
      printText(startTable(r.summaries, r.vsChance, opts.markdown));
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
