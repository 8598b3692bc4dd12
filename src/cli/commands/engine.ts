// `kinema engine ...`: the data engines (MotionBench QA construction), their review decisions, report and export.
import type { Command } from "commander";
import { exportMotionbench, exportVideorefer } from "../../engine/export.ts";
import { openRun, runMotionbenchQa } from "../../engine/motionbench-qa.ts";
import { type MotionbenchQaReport, motionbenchQaReport } from "../../engine/report.ts";
import { decide } from "../../engine/review.ts";
import { buildSuspects, writeErrata } from "../../engine/suspects.ts";
import { runVideorefer, type VideoreferReport, videoreferReport } from "../../engine/videorefer.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText, textTable } from "../output.ts";
import { header, int } from "../parsers.ts";
import { reportText } from "./synth.ts";

const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function engineReportText(r: MotionbenchQaReport): string {
  const g = r.stages.generate;
  const f = r.stages.filter;
  const rv = r.stages.review;
  const stages = textTable([
    ["stage", "in", "out", "notes"],
    [
      "captions",
      r.stages.captions.read + r.stages.captions.badLines,
      r.stages.captions.read,
      `${r.stages.captions.badLines} bad lines`,
    ],
    [
      "generate",
      g.requests,
      g.questionsValid,
      `${g.ok} ok, ${g.invalid} invalid, ${g.failed} failed replies; ${g.questionsRejected} questions rejected; ${g.captionsGivenUp} captions given up; ${g.fenced} fenced`,
    ],
    [
      "first-frame filter",
      f.kept + f.dropped,
      f.kept,
      `${f.dropped} dropped; ${f.requests} requests (${f.unparsed} unparsed, ${f.failed} failed)`,
    ],
    [
      "review",
      rv.items,
      rv.accepted,
      `${rv.reviewed} reviewed: ${rv.accepted} accepted (${rv.edited} edited), ${rv.rejected} rejected`,
    ],
  ]);
  const reasons = Object.entries(r.reasons).flatMap(([stage, m]) =>
    Object.entries(m).map(([k, n]) => [stage, k, n]),
  );
  const rs = reasons.length ? textTable([["stage", "reason", "count"], ...reasons]) : "no drops or failures";
  const tok = textTable([
    ["stage", "prompt tokens", "completion tokens", "total"],
    ...Object.entries(r.tokens).map(([s, t]) => [
      s,
      t.promptTokens ?? "-",
      t.completionTokens ?? "-",
      t.totalTokens ?? "-",
    ]),
  ]);
  const fm = Object.keys(r.filterModels).length
    ? textTable([
        ["filter model", "answered", "right", "failed"],
        ...Object.entries(r.filterModels).map(([m, v]) => [m, v.answered, v.right, v.failed]),
      ])
    : "no filter models";
  return `${stages}\n\n${rs}\n\n${tok}\n\n${fm}\n\nkept questions (before review):\n${reportText(r.kept)}`;
}

export function videoreferReportText(r: VideoreferReport): string {
  const st = textTable([
    ["stage", "requests", "ok", "invalid", "failed", "tokens"],
    ...Object.entries(r.stages).map(([k, v]) => [
      k,
      v.requests,
      v.ok,
      v.invalid,
      v.failed,
      r.tokens[k]?.totalTokens ?? "-",
    ]),
  ]);
  const reasons = Object.entries({ ...r.reasons.steps, ...r.reasons.dropped });
  const rs = reasons.length ? textTable([["reason", "count"], ...reasons]) : "no drops or failures";
  const f = (x: number | null) => (x === null ? "-" : x.toFixed(3));
  const rv = r.reviewer
    ? `Reviewer against the synthetic truth (n=${r.reviewer.n}): precision ${f(r.reviewer.precision)}, recall ${f(r.reviewer.recall)} (tp ${r.reviewer.tp}, fp ${r.reviewer.fp}, fn ${r.reviewer.fn}, tn ${r.reviewer.tn})`
    : "no truth (not a synthetic set): Reviewer precision/recall and mask IoU not computed";
  const iou = r.iou
    ? textTable([
        ["clip", "object", "true object", "mask IoU"],
        ...r.iou.map((x) => [x.clip, x.object, x.named ?? "(none named)", f(x.iou)]),
      ])
    : "";
  return `objects ${r.items.objects}: ${r.items.kept} kept, ${r.items.dropped} dropped\n\n${st}\n\n${rs}\n\n${rv}${iou ? `\n\n${iou}` : ""}`;
}

/** The provider flags every engine command that asks models shares (values reach the adapters as given). */
function providerOptions(cmd: Command): void {
  cmd
    .option("--base-url <url>", "OpenAI-compatible server root, e.g. http://127.0.0.1:8000/v1")
    .option("--api-key-env <name>", "env var holding the API key (default OPENAI_API_KEY)")
    .option("--header <h>", "extra HTTP header 'Name: value' (repeatable; values never stored)", header)
    .option("--timeout-ms <n>", "per-request timeout (default 120000)", int("--timeout-ms", 1))
    .option("--retries <n>", "retries after the first attempt (default 4)", int("--retries", 0))
    .option("--backoff-ms <n>", "first retry backoff (default 1000)", int("--backoff-ms", 0))
    .option("--json", "print the report as JSON");
}

/** The retry policy and adapter options of `providerOptions`' flags. */
function providerOf(o: Record<string, any>) {
  return {
    timeoutMs: o.timeoutMs,
    retry: { retries: o.retries ?? 4, baseMs: o.backoffMs ?? 1000, capMs: 60_000 },
    adapterOptions: { baseUrl: o.baseUrl, apiKeyEnv: o.apiKeyEnv, headers: o.header },
  };
}

function registerMotionbenchQa(engine: Command): void {
  const cmd = engine
    .command("motionbench-qa")
    .description(
      "MotionBench QA construction: captions → MCQs (the §9.2 prompt) → first-frame filter → review queue",
    )
    .requiredOption(
      "--captions <file>",
      "JSONL of {video_path, motion_caption} (MotionBenchCaption-train format)",
    )
    .requiredOption("--videos <dir>", "folder the video_path values are relative to")
    .requiredOption("--model <spec>", "question generator, e.g. openai:gpt-4o")
    .option("--filter-models <a,b>", "models answering from the first frame (any model spec)", list, [])
    .requiredOption("--out <run>", "engine run folder (resumed when it exists)")
    .option(
      "--max-asks <n>",
      "generation requests per caption, re-asks included (default 3)",
      int("--max-asks", 1),
    )
    .option("--temperature <t>", "generation temperature (not sent when unset)", Number)
    .option("--max-tokens <n>", "generation max tokens (not sent when unset)", int("--max-tokens", 1));
  providerOptions(cmd);
  cmd.action(async (o: Record<string, any>) => {
    const c = await runMotionbenchQa({
      captions: o.captions,
      videos: o.videos,
      model: o.model,
      filterModels: o.filterModels,
      out: o.out,
      maxAsks: o.maxAsks,
      temperature: o.temperature,
      maxTokens: o.maxTokens,
      ...providerOf(o),
    });
    const store = openRun(o.out);
    try {
      const r = motionbenchQaReport(store);
      if (o.json)
        printJson({ run: o.out, asked: c.asked, reused: c.reused, badLines: c.badLines, report: r });
      else {
        for (const b of c.badLines)
          process.stderr.write(`kinema: ${b.file}:${b.line}: ${b.field || "line"}: ${b.message}\n`);
        printText(
          `engine run ${o.out}: ${c.asked} requests asked, ${c.reused} stored steps reused\n\n${engineReportText(r)}`,
        );
      }
    } finally {
      store.close();
    }
  });
}

function registerVideorefer(engine: Command): void {
  const cmd = engine
    .command("videorefer")
    .description(
      "VideoRefer's engine: Analyzer → Annotator → Segmentor → Reviewer → Refiner, stored and resumable",
    )
    .option(
      "--synth <dir>",
      "a `kinema synth --kind videorefer` folder (captions from its Bench-D; truth for the report)",
    )
    .option("--captions <file>", "JSONL of {video, caption} (instead of --synth)")
    .option("--videos <dir>", "folder the video values are relative to")
    .option("--model <spec>", "one model for every agent (overridden per agent below)")
    .option("--analyzer <spec>", "LLM listing a caption's objects")
    .option("--annotator <spec>", "VLM describing one object and boxing it on the first frame")
    .option("--reviewer <spec>", "VLM checking description and mask refer to the same object")
    .option("--refiner <spec>", "LLM writing detailed/short descriptions and QA")
    .requiredOption("--segmentor <spec>", "synth-oracle | http:URL (docs/engines.md)")
    .requiredOption("--out <run>", "engine run folder (resumed when it exists)")
    .option("--frames <n>", "frames sent to the VLMs and the segmentor (default 4)", int("--frames", 1))
    .option("--max-asks <n>", "requests per step, re-asks included (default 2)", int("--max-asks", 1));
  providerOptions(cmd);
  cmd.action(async (o: Record<string, any>) => {
    const agent = (k: string) => {
      const v = o[k] ?? o.model;
      if (!v) throw new KinemaError("bad_spec", `--${k} (or --model) is required`, { field: k });
      return v as string;
    };
    const c = await runVideorefer({
      synth: o.synth,
      captions: o.captions,
      videos: o.videos,
      analyzer: agent("analyzer"),
      annotator: agent("annotator"),
      reviewer: agent("reviewer"),
      refiner: agent("refiner"),
      segmentor: o.segmentor,
      out: o.out,
      frames: o.frames,
      maxAsks: o.maxAsks,
      ...providerOf(o),
    });
    const store = openRun(o.out);
    try {
      const r = videoreferReport(store);
      if (o.json) printJson({ run: o.out, ...c, report: r });
      else
        printText(
          `engine run ${o.out}: ${c.asked} steps asked, ${c.reused} stored steps reused\n\n${videoreferReportText(r)}`,
        );
    } finally {
      store.close();
    }
  });
}

function registerSuspects(engine: Command): void {
  engine
    .command("suspects")
    .description(
      'a "suspect labels" queue: items where several stored runs agree on one answer that differs from the ground truth',
    )
    .requiredOption("--bench <name>", "benchmark name as stored (e.g. motionbench)")
    .requiredOption(
      "--out <run>",
      "engine run folder for the queue (review it with kinema serve --review RUN)",
    )
    .option("--run-dir <dir>", "the run store", "runs")
    .option(
      "--min-runs <n>",
      "fewest runs agreeing on the same wrong answer (default 2)",
      int("--min-runs", 1),
    )
    .option("--json", "print JSON")
    .action((o: { bench: string; out: string; runDir: string; minRuns?: number; json?: boolean }) => {
      const r = buildSuspects({ runDir: o.runDir, bench: o.bench, out: o.out, minRuns: o.minRuns });
      if (o.json) printJson(r);
      else
        printText(
          `${r.suspects} suspect labels among ${r.samples} answered samples of ${r.runs} ${o.bench} runs → ${o.out}`,
        );
    });
}

function registerErrata(engine: Command): void {
  engine
    .command("errata")
    .description("write a suspects queue's review decisions as an errata file for kinema eval --errata")
    .requiredOption("--run <run>", "the suspects run folder")
    .requiredOption("--out <file>", "errata JSON to write")
    .option("--name <name>", "the variant's name, recorded in every run that applies it", "errata")
    .option("--json", "print JSON")
    .action((o: { run: string; out: string; name: string; json?: boolean }) => {
      const store = openRun(o.run);
      try {
        const r = writeErrata(store, o.out, o.name);
        if (o.json) printJson(r);
        else
          printText(
            `wrote ${o.out}: ${r.corrected} corrected, ${r.excluded} excluded, ${r.confirmed} confirmed`,
          );
      } finally {
        store.close();
      }
    });
}

function registerReport(engine: Command): void {
  engine
    .command("report")
    .description("print an engine run's report")
    .requiredOption("--run <run>", "engine run folder")
    .option("--json", "print JSON")
    .action((o: { run: string; json?: boolean }) => {
      const store = openRun(o.run);
      try {
        if (store.getMeta("kind") === "videorefer") {
          const r = videoreferReport(store);
          if (o.json) printJson(r);
          else printText(videoreferReportText(r));
          return;
        }
        const r = motionbenchQaReport(store);
        if (o.json) printJson(r);
        else printText(engineReportText(r));
      } finally {
        store.close();
      }
    });
}

function registerReview(engine: Command): void {
  engine
    .command("review")
    .description("record review decisions from the command line (the explorer's review page does the same)")
    .requiredOption("--run <run>", "engine run folder")
    .requiredOption("--reviewer <name>", "who decides")
    .option("--accept <ids>", "item ids to accept (comma-separated)", list, [])
    .option("--reject <ids>", "item ids to reject", list, [])
    .option(
      "--correct <id=L,...>",
      "correct an item's answer letter (an edit), e.g. motionbench:u1=B",
      list,
      [],
    )
    .option("--accept-all", "accept every kept item without a decision yet")
    .action(
      (o: {
        run: string;
        reviewer: string;
        accept: string[];
        reject: string[];
        correct: string[];
        acceptAll?: boolean;
      }) => {
        const store = openRun(o.run);
        try {
          const ids = new Set(o.accept);
          const corrections = o.correct.map((c) => {
            const m = c.match(/^(.+)=([A-D])$/);
            if (!m)
              throw new KinemaError("bad_spec", `--correct expects ID=LETTER, got "${c}"`, {
                field: "correct",
              });
            return { id: m[1], answer: m[2].charCodeAt(0) - 65 };
          });
          if (o.acceptAll) {
            const latest = store.latestDecisions();
            const skip = new Set([...o.reject, ...corrections.map((c) => c.id)]);
            for (const it of store.items())
              if (it.state === "kept" && !latest.has(it.id) && !skip.has(it.id)) ids.add(it.id);
          }
          for (const id of ids) decide(store, { itemId: id, decision: "accept", reviewer: o.reviewer });
          for (const id of o.reject) decide(store, { itemId: id, decision: "reject", reviewer: o.reviewer });
          for (const c of corrections)
            decide(store, {
              itemId: c.id,
              decision: "edit",
              reviewer: o.reviewer,
              edit: { answer: c.answer },
            });
          printText(
            `recorded ${ids.size} accepts, ${corrections.length} corrections and ${o.reject.length} rejects by ${o.reviewer}`,
          );
        } finally {
          store.close();
        }
      },
    );
}

function registerExport(engine: Command): void {
  engine
    .command("export")
    .description("write the accepted items: video_info.meta.jsonl in MotionBench's schema (+ videos/)")
    .requiredOption("--run <run>", "engine run folder")
    .requiredOption("--out <dir>", "output folder (then: kinema eval --bench motionbench:DIR)")
    .option("--json", "print JSON")
    .action(async (o: { run: string; out: string; json?: boolean }) => {
      const store = openRun(o.run);
      try {
        if (store.getMeta("kind") === "videorefer") {
          const r = exportVideorefer(store, o.out);
          if (o.json) printJson(r);
          else
            printText(
              `wrote ${r.records} VideoRefer-700K records, ${r.benchD} Bench-D and ${r.benchQ} Bench-Q items (accepted objects only) to ${o.out}`,
            );
          return;
        }
        const r = await exportMotionbench(store, o.out);
        if (o.json) printJson(r);
        else printText(`wrote ${r.questions} accepted questions on ${r.videos} videos to ${r.file}`);
      } finally {
        store.close();
      }
    });
}

export function register(program: Command): void {
  const engine = program
    .command("engine")
    .description("data engines: build benchmark items with models, review them, export");
  registerMotionbenchQa(engine);
  registerVideorefer(engine);
  registerSuspects(engine);
  registerErrata(engine);
  registerReport(engine);
  registerReview(engine);
  registerExport(engine);
}
