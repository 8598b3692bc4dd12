// `kinema report RUN... --out report.html`: one self-contained HTML report (tables, plots, failure gallery).
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { defaultBenchmarkLoader } from "../../analysis/bench-loader.ts";
import { buildReport } from "../../analysis/report.ts";
import { openSqliteSource } from "../../analysis/source-sqlite.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

export interface ReportCliOptions {
  runs: string[];
  runDir?: string;
  out?: string;
  gallery?: number;
  title?: string;
}

export async function report(
  o: ReportCliOptions,
): Promise<{ out: string; runs: string[]; gallery: number; thumbnails: number; bytes: number }> {
  if (!o.out)
    throw new KinemaError("bad_spec", "--out FILE is required (e.g. --out report.html)", { field: "out" });
  const source = openSqliteSource(resolve(o.runDir ?? "runs"), { loadBenchmark: defaultBenchmarkLoader });
  try {
    await source.prepare(o.runs);
    const r = await buildReport(source, o.runs, { gallery: o.gallery, title: o.title });
    const out = resolve(o.out);
    writeFileSync(out, r.html);
    return {
      out,
      runs: r.runs,
      gallery: r.gallery,
      thumbnails: r.thumbnails,
      bytes: Buffer.byteLength(r.html),
    };
  } finally {
    source.close();
  }
}

export function register(program: Command): void {
  program
    .command("report")
    .description(
      "write one self-contained HTML report of runs (tables, plots, a failure gallery with frames)",
    )
    .argument("<runs...>", "run ids (see `kinema runs`)")
    .option("--run-dir <dir>", "the run store, as in `kinema eval`", "runs")
    .option("--out <file>", "HTML file to write")
    .option("--gallery <n>", "failures shown per benchmark", (v) => Number(v), 24)
    .option("--title <text>", "report title")
    .option("--json", "print {out, runs, gallery, thumbnails, bytes}")
    .action(async (runs: string[], opts: Omit<ReportCliOptions, "runs"> & { json?: boolean }) => {
      const r = await report({ ...opts, runs });
      if (opts.json) printJson(r);
      else
        printText(
          `wrote ${r.out} (${(r.bytes / 1024).toFixed(0)} KiB, ${r.runs.length} runs, ${r.gallery} failures, ${r.thumbnails} thumbnails)`,
        );
    });
}
