// `kinema study compression`: MotionBench's compression study at small scale on the synthetic world.
import type { Command } from "commander";
import { compressionStudy, type StudyResult, studyMarkdown } from "../../study/compression.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

export interface StudyCliOptions {
  quick?: boolean;
  out?: string;
  seeds?: string;
  steps?: string;
  baseSteps?: string;
  workers?: string;
  trainN?: string;
  testN?: string;
  preset?: string;
  saveBuiltins?: string;
  json?: boolean;
}

const int = (v: string | undefined, field: string) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new KinemaError("bad_spec", `--${field} must be a positive integer, got "${v}"`, { field });
  return Number(v);
};

export async function study(which: string, o: StudyCliOptions, onLine?: (l: string) => void) {
  if (which !== "compression")
    throw new KinemaError("bad_spec", `unknown study "${which}" (known: compression)`, { field: "study" });
  return compressionStudy({
    quick: o.quick,
    out: o.out ?? (o.quick ? "results/study-quick" : "results/study-compression"),
    seeds: int(o.seeds, "seeds"),
    steps: int(o.steps, "steps"),
    baseSteps: int(o.baseSteps, "base-steps"),
    workers: int(o.workers, "workers"),
    trainN: int(o.trainN, "train-n"),
    testN: int(o.testN, "test-n"),
    preset: o.preset as "easy" | undefined,
    saveBuiltins: o.saveBuiltins,
    onLine,
  });
}

export function register(program: Command): void {
  program
    .command("study")
    .description(
      "reproducible studies; `compression`: TE Fusion vs the compression baselines (MotionBench §5.2)",
    )
    .argument("<which>", "compression")
    .option("--quick", "tiny grid and data (a few minutes): checks the pipeline end to end")
    .option("--out <dir>", "output folder (default results/study-compression, or results/study-quick)")
    .option("--seeds <n>", "training seeds per cell (default 3; 1 with --quick)")
    .option("--base-steps <n>", "steps of the base model (none, k=1) every cell starts from (default 4000)")
    .option("--steps <n>", "fine-tuning steps per cell (default 400)")
    .option("--workers <n>", "parallel training processes (default 2)")
    .option("--train-n <n>", "training questions (default 6000)")
    .option("--test-n <n>", "held-out questions (default 600)")
    .option("--preset <p>", "synthetic-world preset: easy | motionbench | hard", "easy")
    .option("--save-builtins <dir>", "keep seed-0 checkpoints of the N=16, k=4 cells")
    .option("--json", "print the summary as JSON")
    .action(async (which: string, opts: StudyCliOptions) => {
      const r: StudyResult & { files: string[] } = await study(which, opts, (l) => {
        if (!opts.json) process.stderr.write(`${l}\n`);
      });
      if (opts.json) printJson(r);
      else printText(`${studyMarkdown(r)}\n\nwrote ${r.files.join(", ")}`);
    });
}
