// `kinema submit motionbench --run RUN --out FILE`: the {uid: letter} test-set submission from a run.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { openStore } from "../../store/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

export interface SubmitResult {
  out: string;
  /** Test questions written. */
  n: number;
  /** Test questions without an answer letter (failed, unparsed or pending); written as "". */
  missing: number;
}

export async function submitMotionBench(opts: {
  run: string;
  out: string;
  runDir?: string;
}): Promise<SubmitResult> {
  const store = openStore(opts.runDir ?? "runs");
  try {
    const run = store.getRun(opts.run);
    if (!run) throw new KinemaError("not_found", `no run "${opts.run}" in ${store.path}`, { field: "run" });
    if (!["motionbench", "synth"].includes(run.benchmark))
      throw new KinemaError("bad_spec", `run ${run.id} is a ${run.benchmark} run, not MotionBench`, {
        field: "run",
      });
    const answers: Record<string, string> = {};
    let missing = 0;
    // Test items are the ones whose ground truth is hidden ("NA") — or was filled in for scoring by
    // `--answers` (split "test"); the parsed letter is what upstream scores.
    for (const s of store.samples(run.id)) {
      if (s.answer !== "NA" && s.split !== "test") continue;
      const letter = s.status === "ok" || s.status === "unparsed" ? (s.parsed ?? "") : "";
      if (!letter) missing++;
      answers[s.sampleId] = letter;
    }
    writeFileSync(opts.out, `${JSON.stringify(answers, null, 1)}\n`);
    return { out: opts.out, n: Object.keys(answers).length, missing };
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  program
    .command("submit")
    .description("write a benchmark submission file from a run")
    .argument("<benchmark>", "motionbench")
    .requiredOption("--run <run>", "run id (see kinema runs)")
    .requiredOption("--out <file>", "submission JSON to write")
    .option("--run-dir <dir>", "where runs and kinema.db live", "runs")
    .option("--json", "print the result as JSON")
    .action(async (benchmark: string, opts: { run: string; out: string; runDir: string; json?: boolean }) => {
      if (benchmark !== "motionbench")
        throw new KinemaError("bad_spec", `submit supports motionbench, not "${benchmark}"`, {
          field: "benchmark",
        });
      const r = await submitMotionBench(opts);
      if (opts.json) return printJson(r);
      printText(
        `wrote ${r.n} test answers to ${r.out}${r.missing ? ` (${r.missing} without a letter)` : ""}`,
      );
    });
}
