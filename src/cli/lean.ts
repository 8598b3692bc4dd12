// The CLI with only the light commands whose start-up time is part of their measure (`caption-metrics` is timed
// as a whole process against pycocoevalcap, perf/caption.ts): bin/kinema.js routes them here, so they do not
// load the full command table (native video, canvas, queue and schema libraries). Same program, same output.
import * as captionMetrics from "./commands/caption-metrics.ts";
import { makeProgram, runProgram } from "./program.ts";

export function main(argv: string[]): Promise<number> {
  return runProgram(makeProgram([captionMetrics]), argv);
}
