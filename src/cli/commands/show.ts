// `kinema show RUN`: a run's summary recomputed from the store (current even for an interrupted run).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { resolveBenchmark } from "../../run/deps.ts";
import { failureLines, partialText, retryCommand } from "../../run/failures.ts";
import { captionSummary, judgedSummary } from "../../run/judging.ts";
import {
  type EvalSummary,
  isOpenEnded,
  scoreLines,
  summarizeRun,
  table3Text,
  writeRunOutputs,
} from "../../run/report.ts";
import { openStore } from "../../store/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { accuracyText, printJson, printText, textTable } from "../output.ts";

export interface ShowResult extends EvalSummary {
  status: string;
  outputs: string;
  /** Failed samples by error code. */
  errors: Record<string, number>;
  /** The benchmark's load problems (broken items, answers-file problems) as `eval` wrote them to issues.json. */
  loadIssues: Record<string, unknown>[];
}

export async function showRun(run: string, opts: { runDir?: string } = {}): Promise<ShowResult> {
  const dir = opts.runDir ?? "runs";
  if (!existsSync(join(dir, "kinema.db")))
    throw new KinemaError("not_found", `no run store in ${dir}`, { file: join(dir, "kinema.db") });
  const store = openStore(dir);
  try {
    const row = store.getRun(run);
    if (!row) throw new KinemaError("not_found", `no run "${run}" in ${store.path}`, { field: "run" });
    // The benchmark module holds the official scoring rules; without it, plain accuracy is shown.
    const rb = await resolveBenchmark(row.benchSpec).catch(() => undefined);
    const bench = rb?.benchmark;
    const summary = summarizeRun(store, row, bench);
    // The most recent judge's aggregate; caption metrics need the references, read from the benchmark.
    summary.judged = judgedSummary(store, row.id);
    if (rb?.name === "caption-ref") {
      const loaded = await rb.benchmark.load(rb.path, row.config.benchOptions ?? undefined).catch(() => null);
      if (loaded)
        summary.caption = captionSummary(
          store.samples(row.id),
          new Map(loaded.samples.map((x) => [x.id, x])),
        );
    }
    const outputs = writeRunOutputs(store, row, summary);
    const errors: Record<string, number> = {};
    for (const s of store.samples(row.id))
      if (s.status === "failed") {
        const code = String(s.error?.code ?? "unknown");
        errors[code] = (errors[code] ?? 0) + 1;
      }
    // issues.json is the load problems of the run's last invocation (written beside samples.jsonl).
    let loadIssues: Record<string, unknown>[] = [];
    const ip = join(outputs, "issues.json");
    if (existsSync(ip))
      try {
        const parsed = JSON.parse(readFileSync(ip, "utf8"));
        if (Array.isArray(parsed)) loadIssues = parsed;
      } catch {
        loadIssues = [{ message: `unreadable ${ip}` }];
      }
    return { ...summary, status: row.status, outputs, errors, loadIssues };
  } finally {
    store.close();
  }
}

export function register(program: Command): void {
  program
    .command("show")
    .description("show one run: Table-3 row, counts, failures by error, settings")
    .argument("<run>", "run id (see kinema runs)")
    .option("--run-dir <dir>", "where runs and kinema.db live", "runs")
    .option("--json", "print the summary as JSON")
    .action(async (run: string, opts: { runDir: string; json?: boolean }) => {
      const r = await showRun(run, opts);
      if (opts.json) return printJson(r);
      if (!isOpenEnded(r)) printText(`${table3Text([r])}\n`);
      printText(
        `run ${r.run} (${r.status}): ${r.counts.total} samples, ok ${r.counts.ok}, failed ${r.counts.failed} (${(100 * r.failureRate).toFixed(1)}%), unparsed ${r.counts.unparsed}, pending ${r.pending}`,
      );
      if (r.overall.ci95)
        printText(`dev accuracy ${accuracyText(r.overall.acc, r.overall.ci95, r.overall.n)}`);
      if (r.test?.ci95) printText(`test accuracy ${accuracyText(r.test.acc, r.test.ci95, r.test.n)}`);
      if (r.partial) printText(partialText(r.partial));
      if (scoreLines(r)) printText(scoreLines(r));
      if (r.failures.length) {
        printText(`\nfailures (${r.counts.failed} of ${r.counts.total} samples), by error:`);
        printText(failureLines(r.failures).join("\n"));
        const names = r.config.describe?.headerNames;
        const headers = Array.isArray(names) ? names.map(String) : [];
        printText(`retry them: ${retryCommand(r.run, opts.runDir, headers)}`);
      }
      if (r.loadIssues.length) {
        printText(
          `\n${r.loadIssues.length} benchmark items had load problems (${join(r.outputs, "issues.json")}):`,
        );
        for (const i of r.loadIssues.slice(0, 20)) printText(`  ${issueLine(i)}`);
        if (r.loadIssues.length > 20) printText(`  … ${r.loadIssues.length - 20} more`);
      }
      const c = r.config;
      printText(
        `\n${textTable([
          ["setting", "value"],
          ["benchmark", `${c.benchSpec} (sha256 ${String(c.benchHash).slice(0, 12)})`],
          ["model", `${c.model} ${JSON.stringify(c.describe)}`],
          ["params", JSON.stringify(c.params)],
          ["frames / size / fit", `${c.frames} / ${c.size ?? "-"} / ${c.fit ?? "-"}`],
          ["prompt / parse", `${c.prompt ?? "-"} (${c.promptHash ?? "-"}) / ${c.parse ?? "-"}`],
          ["kinema", String(c.kinemaVersion)],
        ])}\noutputs: ${r.outputs}`,
      );
    });
}

/** One load problem for people: `file:line: field: message (id)`. */
function issueLine(i: Record<string, unknown>): string {
  const where = [i.file, i.line].filter((x) => x !== undefined && x !== null).join(":");
  const field = i.field ? `${i.field}: ` : "";
  const id = i.id !== undefined ? ` (item ${i.id})` : "";
  const action = i.action ? ` [${i.action}]` : "";
  return `${where ? `${where}: ` : ""}${field}${String(i.message ?? JSON.stringify(i))}${id}${action}`;
}
