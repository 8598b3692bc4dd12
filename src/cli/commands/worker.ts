// `kinema worker --queue URL`: answer work items from a `kinema eval --queue` coordinator until SIGTERM/SIGINT.
import { type Command, InvalidArgumentError } from "commander";
import { parseRate, runWorker, type WorkerOptions } from "../../queue/worker.ts";
import { printText } from "../output.ts";
import { int } from "../parsers.ts";

type WorkerCliOptions = Pick<
  WorkerOptions,
  "queue" | "concurrency" | "baseUrl" | "benchRoot" | "rate" | "stallMs"
> & { quiet?: boolean };

export function register(program: Command): void {
  program
    .command("worker")
    .description(
      "take `kinema eval --queue` work items from Redis: decode locally, ask the model, return results",
    )
    .requiredOption("--queue <url>", "redis://HOST:PORT[/DB]")
    .option("--concurrency <n>", "jobs in flight on this worker (default 4)", int("--concurrency", 1))
    .option("--base-url <url>", "this machine's model server (overrides the coordinator's --base-url)")
    .option("--bench-root <dir>", "this machine's copy of the benchmark folder the coordinator loaded")
    .option(
      "--rate <n/s>",
      "global limit, e.g. 20/s or 90/min: jobs started over all workers (give every worker the same)",
      (v: string) => {
        try {
          return parseRate(v);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      },
    )
    .option(
      "--stall-ms <n>",
      "a job whose worker is silent this long returns to the queue (default 30000)",
      int("--stall-ms", 100),
    )
    .option("--quiet", "no line per job on stderr")
    .action(async (o: WorkerCliOptions) => {
      const ac = new AbortController();
      // SIGTERM/SIGINT: stop taking jobs, finish the ones in flight, exit 0.
      const stop = () => ac.abort();
      process.once("SIGTERM", stop);
      process.once("SIGINT", stop);
      try {
        const r = await runWorker({
          queue: o.queue,
          concurrency: o.concurrency,
          baseUrl: o.baseUrl,
          benchRoot: o.benchRoot,
          rate: o.rate,
          stallMs: o.stallMs,
          env: process.env,
          signal: ac.signal,
          onReady: () =>
            process.stderr.write(`worker ready on ${o.queue} (concurrency ${o.concurrency ?? 4})\n`),
          onJob: o.quiet
            ? undefined
            : (j) =>
                process.stderr.write(
                  `${j.runId} ${j.sampleId} ${j.result.status}${j.fresh ? "" : " (cached)"}\n`,
                ),
        });
        printText(`worker stopped after ${r.processed} jobs`);
      } finally {
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
      }
    });
}
