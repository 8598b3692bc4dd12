// The kinema CLI: one declarative command table; the only place that prints final errors and exits.
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { formatError, isKinemaError } from "../util/errors.ts";
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

/** Each command module exports `register(program)`. Add new commands here. */
const COMMANDS: { register(p: Command): void }[] = [
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
  const program = new Command("kinema")
    .description("fine-grained video understanding: benchmarks, synthetic motion world, reference models")
    .version(pkg.version)
    .exitOverride();
  for (const c of COMMANDS) c.register(program);
  // A usage error prints commander's message (with its "Did you mean" suggestion) and one usage line.
  const usageLine = (c: Command, path: string) => `usage: ${path} ${c.usage()}  (${path} --help for details)`;
  program.showHelpAfterError(usageLine(program, "kinema"));
  for (const c of program.commands) {
    c.showHelpAfterError(usageLine(c, `kinema ${c.name()}`));
    for (const sub of c.commands) sub.showHelpAfterError(usageLine(sub, `kinema ${c.name()} ${sub.name()}`));
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    // --help and --version end with 0; a usage error (unknown command or flag, bad value) is 2.
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`kinema: ${formatError(e)}\n`);
    if (!isKinemaError(e) && process.env.KINEMA_DEBUG) console.error(e);
    if (isKinemaError(e, "preflight")) return 3;
    return isKinemaError(e, "bad_spec") || isKinemaError(e, "bad_input") ? 2 : 1;
  }
}

if (import.meta.main) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
