// `kinema serve`: starts the run explorer (leaderboards, per-sample frames, plots, diffs) over a run store.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { defaultBenchmarkLoader } from "../../analysis/bench-loader.ts";
import { openSqliteSource } from "../../analysis/source-sqlite.ts";
import { type ExplorerServer, startServer } from "../../server/server.ts";
import { openStore } from "../../store/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

export interface ServeCliOptions {
  port?: number;
  host?: string;
  runDir?: string;
  study?: string;
  /** An engine run folder to review at /review. */
  review?: string;
}

/** Where the compression study's results JSON usually lives (first that exists wins). */
export function findStudy(runDir: string, given?: string): string | undefined {
  if (given) {
    if (!existsSync(given))
      throw new KinemaError("not_found", `no study results at ${given}`, { file: given });
    return resolve(given);
  }
  const root = join(import.meta.dirname, "..", "..", "..");
  // `kinema study compression` writes DIR/study.json (default results/study-compression)
  return [
    join(resolve("results"), "study-compression", "study.json"),
    join(root, "results", "study-compression", "study.json"),
    join(runDir, "study-compression", "study.json"),
  ].find((p) => existsSync(p));
}

export async function serve(o: ServeCliOptions = {}): Promise<ExplorerServer> {
  const runDir = resolve(o.runDir ?? "runs");
  const port = o.port ?? 8321;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new KinemaError("bad_spec", `--port must be 0..65535, got ${o.port}`, { field: "port" });
  // Reviewing an engine run needs no evaluation runs: start with an empty run store then.
  if (o.review && !existsSync(join(runDir, "kinema.db"))) openStore(runDir).close();
  const source = openSqliteSource(runDir, { loadBenchmark: defaultBenchmarkLoader });
  try {
    return await startServer({
      source,
      runDir,
      studyPath: findStudy(runDir, o.study),
      host: o.host ?? "127.0.0.1",
      port,
      review: o.review ? { dir: o.review } : undefined,
    });
  } catch (e) {
    source.close();
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command("serve")
    .description(
      "browse runs in a web app: leaderboards, per-sample frames and outputs, plots, diffs, exports",
    )
    .option("--port <n>", "port (0 = any free port)", (v) => Number(v), 8321)
    .option(
      "--host <addr>",
      "address to bind (only loopback is safe: the explorer has no login)",
      "127.0.0.1",
    )
    .option("--run-dir <dir>", "the run store, as in `kinema eval`", "runs")
    .option("--study <file>", "compression study results JSON (found automatically when present)")
    .option("--review <run>", "an engine run (kinema engine ...) to review at /review")
    .option("--json", "print {url, runDir} as JSON once listening")
    .action(async (opts: ServeCliOptions & { json?: boolean }) => {
      const s = await serve(opts);
      const reviewUrl = s.reviewToken ? `${s.url}/review#token=${s.reviewToken}` : undefined;
      if (opts.json)
        printJson({
          url: s.url,
          runDir: resolve(opts.runDir ?? "runs"),
          ...(reviewUrl ? { review: reviewUrl, token: s.reviewToken } : {}),
        });
      else {
        printText(`kinema explorer on ${s.url}  (Ctrl-C to stop)`);
        if (reviewUrl)
          printText(
            `review queue: ${reviewUrl}\n(the token in this link is needed to record decisions; keep it private)`,
          );
      }
      if (!["127.0.0.1", "localhost", "::1"].includes(opts.host ?? "127.0.0.1"))
        process.stderr.write(
          "kinema: warning: the explorer is reachable from other machines and has no login\n",
        );
      await new Promise<void>((done) => {
        const stop = () => void s.close().then(done);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
