// The kinema CLI: one declarative command table; the only place that prints final errors and exits.
import type { Command } from "commander";
import * as audit from "./commands/audit.ts";
import * as benchmarksCmd from "./commands/benchmarks.ts";
import * as cache from "./commands/cache.ts";
import * as captionMetrics from "./commands/caption-metrics.ts";
import * as compare from "./commands/compare.ts";
import * as doctor from "./commands/doctor.ts";
import * as engineCmd from "./commands/engine.ts";
import * as evalCmd from "./commands/eval.ts";
import * as frames from "./commands/frames.ts";
import * as judgeCmd from "./commands/judge.ts";
import * as mergeCmd from "./commands/merge.ts";
import * as modelsCmd from "./commands/models.ts";
import * as report from "./commands/report.ts";
import * as runs from "./commands/runs.ts";
import * as score from "./commands/score.ts";
import * as serve from "./commands/serve.ts";
import * as shardsCmd from "./commands/shards.ts";
import * as show from "./commands/show.ts";
import * as startCmd from "./commands/start.ts";
import * as studyCmd from "./commands/study.ts";
import * as submit from "./commands/submit.ts";
import * as sweep from "./commands/sweep.ts";
import * as synthCmd from "./commands/synth.ts";
import * as workerCmd from "./commands/worker.ts";
import { type CommandModule, makeProgram, runProgram } from "./program.ts";

/** Each command module exports `register(program)`. Add new commands here. */
const COMMANDS: CommandModule[] = [
  doctor,
  frames,
  cache,
  evalCmd,
  runs,
  show,
  submit,
  score,
  startCmd,
  sweep,
  compare,
  serve,
  report,
  synthCmd,
  modelsCmd,
  shardsCmd,
  studyCmd,
  captionMetrics,
  judgeCmd,
  benchmarksCmd,
  audit,
  workerCmd,
  mergeCmd,
  engineCmd,
];

export function buildProgram(): Command {
  return makeProgram(COMMANDS);
}

export function main(argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}

if (import.meta.main) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
