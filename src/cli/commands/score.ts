// `kinema score motionbench|videorefer-q`: the official scorers on prediction files, printing exactly the
// upstream result (--json) or a readable table. Problems in the files are reported, never fatal per line.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { scoreLvbenchFiles } from "../../benchmarks/lvbench/results.ts";
import { metaRows, parseJsonl } from "../../benchmarks/motionbench/load.ts";
import { computeAccuracy, constructAnswers } from "../../benchmarks/motionbench/official.ts";
import { scoreMvbenchFile } from "../../benchmarks/mvbench/results.ts";
import { extractLenient, extractLmmsEval, splitOptions } from "../../benchmarks/parse.ts";
import { scorePerceptionTestFiles } from "../../benchmarks/perception-test/results.ts";
import {
  captionJudgeUserPrompt,
  JUDGE_PARAMS,
  JUDGE_SYSTEM,
  judgeUserPrompt,
} from "../../benchmarks/tempcompass/official.ts";
import { scoreTempCompassFile } from "../../benchmarks/tempcompass/results.ts";
import type { LoadIssue } from "../../benchmarks/types.ts";
import { printedReport } from "../../benchmarks/videomme/official.ts";
import { scoreVideoMmeFile } from "../../benchmarks/videomme/results.ts";
import { scoreVideoReferQ, type VideoReferQScore } from "../../benchmarks/videorefer-q/official.ts";
import { createAdapter } from "../../models/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText, textTable } from "../output.ts";

function readText(file: string, field: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read ${file}: ${(e as Error).message}`, { file, field });
  }
}

/** A prediction file: one JSON object/array, or JSONL of objects (upstream's answer file format). */
function readRecords(file: string): {
  records: { obj: Record<string, unknown>; line: number }[];
  issues: LoadIssue[];
} {
  const text = readText(file, "pred");
  try {
    // one JSON document (a kinema extension); upstream's JSONL is read as jsonlines reads it (below)
    const whole: unknown = JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text);
    const list = Array.isArray(whole) ? whole : [whole];
    const records: { obj: Record<string, unknown>; line: number }[] = [];
    const issues: LoadIssue[] = [];
    list.forEach((obj, i) => {
      if (obj && typeof obj === "object" && !Array.isArray(obj)) records.push({ obj, line: i + 1 });
      else issues.push({ file, line: i + 1, message: "not a JSON object", action: "skipped" });
    });
    return { records, issues };
  } catch {
    const { lines, issues } = parseJsonl(text, file);
    return { records: lines.map((l) => ({ obj: l.value, line: l.line })), issues };
  }
}

export const PARSE_MODES = ["official", "lenient", "lmms-eval"] as const;
export type ScoreParseMode = (typeof PARSE_MODES)[number];

export interface MotionBenchScore {
  /** Exactly the upstream compute_accuracy result: each category, acc, answered_acc, totals. */
  result: Record<string, number>;
  issues: LoadIssue[];
}

/**
 * Scores a MotionBench prediction file against the meta file like upstream's construct_answer +
 * compute_accuracy. `lenient`/`lmms-eval` replace polish_answer by those extractors (options from the meta).
 */
export function scoreMotionBenchFiles(opts: {
  meta: string;
  pred: string;
  parse?: string;
}): MotionBenchScore {
  const mode = opts.parse ?? "official";
  if (!(PARSE_MODES as readonly string[]).includes(mode))
    throw new KinemaError("bad_spec", `--parse must be one of ${PARSE_MODES.join(", ")}, got "${mode}"`, {
      field: "parse",
    });
  const meta = parseJsonl(readText(opts.meta, "meta"), opts.meta);
  const { rows, issues: rowIssues } = metaRows(meta.lines, opts.meta);
  const optionsByUid = new Map<string, string[]>();
  if (mode === "lenient")
    for (const { value } of meta.lines)
      for (const qa of Array.isArray(value.qa) ? value.qa : [])
        if (qa && typeof qa.question === "string")
          optionsByUid.set(
            String(qa.uid),
            splitOptions(qa.question).options.map((o) => o.text),
          );
  const pred = readRecords(opts.pred);
  const polish =
    mode === "lenient"
      ? (raw: string, uid: string) => extractLenient(raw, optionsByUid.get(uid) ?? [])
      : mode === "lmms-eval"
        ? (raw: string) => extractLmmsEval(raw)
        : undefined;
  const { answers, issues } = constructAnswers(pred.records, opts.pred, polish);
  const all = [...meta.issues, ...rowIssues, ...pred.issues, ...issues];
  try {
    return { result: computeAccuracy(answers, rows), issues: all };
  } catch (e) {
    // the problems found on the way explain the failure: they travel with it and are printed first
    if (e instanceof KinemaError) throw new KinemaError(e.code, e.message, { ...e.fields, issues: all });
    throw e;
  }
}

/** Scores upstream VideoRefer-Bench-Q prediction JSONL ({Answer, pred, type} per line). */
export function scoreVideoReferFiles(opts: { pred: string }): {
  result: VideoReferQScore;
  issues: LoadIssue[];
} {
  const { records, issues } = readRecords(opts.pred);
  const { score, issues: more } = scoreVideoReferQ(
    records.map((r) => ({ rec: r.obj, line: r.line })),
    opts.pred,
  );
  return { result: score, issues: [...issues, ...more] };
}

const pct = (x: number) => (x * 100).toFixed(2);

function warn(issues: LoadIssue[]): void {
  for (const i of issues.slice(0, 20))
    process.stderr.write(
      `kinema: warning: ${[i.file, i.line].filter((x) => x !== undefined).join(":")}: ${i.field ? `${i.field}: ` : ""}${i.message}\n`,
    );
  if (issues.length > 20)
    process.stderr.write(`kinema: warning: ... and ${issues.length - 20} more problems\n`);
}

export function register(program: Command): void {
  const score = program.command("score").description("official scorers on prediction files");
  score
    .command("motionbench")
    .description("MotionBench compute_accuracy on {uid: answer} predictions (JSON or upstream JSONL)")
    .requiredOption("--meta <file>", "video_info.meta.jsonl")
    .requiredOption("--pred <file>", "predictions: JSON {uid: raw} or JSONL of {uid: raw} lines")
    .option("--parse <mode>", `answer parsing: ${PARSE_MODES.join(" | ")}`, "official")
    .option("--json", "print exactly the upstream result object")
    .action((o: { meta: string; pred: string; parse: string; json?: boolean }) => {
      let scored: MotionBenchScore;
      try {
        scored = scoreMotionBenchFiles(o);
      } catch (e) {
        if (e instanceof KinemaError && Array.isArray(e.fields.issues)) warn(e.fields.issues as LoadIssue[]);
        throw e;
      }
      const { result, issues } = scored;
      warn(issues);
      if (o.json) return printJson(result);
      const rows: (string | number)[][] = [["", "accuracy"]];
      for (const [k, v] of Object.entries(result))
        rows.push([k, k.startsWith("total") || k === "right_num" ? v : pct(v)]);
      printText(textTable(rows));
    });
  score
    .command("videorefer-q")
    .description("VideoRefer-Bench-Q scorer on upstream prediction JSONL (Answer, pred, type)")
    .requiredOption("--pred <file>", "predictions JSONL")
    .option("--json", 'print {"types": {type: {n, right, acc}}, "average": {n, right, acc}}')
    .action((o: { pred: string; json?: boolean }) => {
      const { result, issues } = scoreVideoReferFiles(o);
      warn(issues);
      if (o.json) return printJson(result);
      const rows: (string | number)[][] = [["type", "n", "right", "accuracy"]];
      for (const [t, s] of Object.entries(result.types)) rows.push([t, s.n, s.right, pct(s.acc)]);
      rows.push(["Average", result.average.n, result.average.right, pct(result.average.acc)]);
      printText(textTable(rows));
    });
  score
    .command("mvbench")
    .description("MVBench notebook scoring (check_ans) on its saved results {acc_dict, res_list}")
    .requiredOption("--pred <file>", "the notebook's results JSON, or a list of {pred, gt, task_type}")
    .option("--json", "print exactly final_res (upload_leaderboard.json)")
    .action((o: { pred: string; json?: boolean }) => {
      const { result, issues } = scoreMvbenchFile(o.pred);
      warn(issues);
      if (o.json) return printJson(result);
      printText(
        textTable([["task", "accuracy"], ...Object.entries(result).map(([k, v]) => [k, v.toFixed(2)])]),
      );
    });
  score
    .command("videomme")
    .description("Video-MME eval_your_results on its results JSON (videos with questions and responses)")
    .requiredOption("--pred <file>", "results JSON in the script's input format")
    .option(
      "--duration <list>",
      "video_duration_type: comma-separated short,medium,long",
      "short,medium,long",
    )
    .option("--categories", "return_categories_accuracy")
    .option("--sub-categories", "return_sub_categories_accuracy")
    .option("--task-types", "return_task_types_accuracy")
    .option("--skip-missing", "skip videos marked missing (and do not require 300 per duration)")
    .option(
      "--json",
      "print every block's numbers unrounded: {<duration>|entire: {Video Categories, ..., Overall}}",
    )
    .action(
      (o: {
        pred: string;
        duration: string;
        categories?: boolean;
        subCategories?: boolean;
        taskTypes?: boolean;
        skipMissing?: boolean;
        json?: boolean;
      }) => {
        const durations = o.duration.split(",");
        const { score: s, issues } = scoreVideoMmeFile(o.pred, { durations, skipMissing: o.skipMissing });
        warn(issues);
        if (o.json) return printJson(s);
        process.stdout.write(printedReport(s, durations, o));
      },
    );
  score
    .command("lvbench")
    .description("LVBench compute_accuracy on an {uid: answer} file against video_info.meta.jsonl")
    .requiredOption("--meta <file>", "video_info.meta.jsonl")
    .requiredOption("--pred <file>", "answers JSON {uid: answer}")
    .option("--polish", "apply polish_answer to each answer first (raw model replies)")
    .option("--leaderboard", "print result.json's names (KIR, EU, Sum, ER, Rea, TG, Overall) instead")
    .option("--json", "print exactly compute_accuracy's result")
    .action((o: { meta: string; pred: string; polish?: boolean; leaderboard?: boolean; json?: boolean }) => {
      const { result, leaderboard, issues } = scoreLvbenchFiles(o);
      warn(issues);
      const r = o.leaderboard ? leaderboard : result;
      if (o.json) return printJson(r);
      printText(textTable([["", "accuracy"], ...Object.entries(r).map(([k, v]) => [k, pct(v)])]));
    });
  score
    .command("perception-test")
    .description(
      "Perception Test multiple-choice top-1 accuracy on a {video_id: [{id, answer_id}]} result file",
    )
    .requiredOption("--annotations <file>", "mc_question_valid.json (or its folder)")
    .requiredOption("--pred <file>", "results JSON {video_id: [{id, answer_id}]}")
    .option("--json", "print {top1, area, reasoning, tag, n, answered}")
    .action((o: { annotations: string; pred: string; json?: boolean }) => {
      const { result, issues } = scorePerceptionTestFiles(o);
      warn(issues);
      if (o.json) return printJson(result);
      const rows: (string | number)[][] = [
        ["", "top-1"],
        ["all", pct(result.top1)],
      ];
      for (const [k, v] of Object.entries(result.area)) rows.push([`area: ${k}`, pct(v)]);
      for (const [k, v] of Object.entries(result.reasoning)) rows.push([`reasoning: ${k}`, pct(v)]);
      printText(textTable(rows));
    });
  score
    .command("tempcompass")
    .description(
      "TempCompass eval script (rules, then the LLM judge for unmatched replies) on a predictions file",
    )
    .requiredOption("--task <task>", "multi-choice | yes_no | caption_matching | captioning (needs --judge)")
    .requiredOption(
      "--pred <file>",
      "predictions JSON {video_id: {aspect: [{question, answer, prediction}]}}",
    )
    .requiredOption("--meta <file>", "meta_info.json")
    .option(
      "--mc-questions <file>",
      "captioning: questions/multi-choice.json (default: questions/multi-choice.json beside --meta)",
    )
    .option(
      "--judge <spec>",
      "judge model for unmatched replies, e.g. openai:gpt-3.5-turbo-1106 (absent: --disable_llm)",
    )
    .option("--judge-base-url <url>", "OpenAI-compatible server root for the judge")
    .option("--judge-api-key-env <name>", "env var holding the judge's API key (default OPENAI_API_KEY)")
    .option("--out <file>", "write the eval_results JSON (the scripts' auto_eval_results file)")
    .option("--json", "print {task, disable_llm, judge, result, problems}")
    .action(
      async (o: {
        task: string;
        pred: string;
        meta: string;
        mcQuestions?: string;
        judge?: string;
        judgeBaseUrl?: string;
        judgeApiKeyEnv?: string;
        out?: string;
        json?: boolean;
      }) => {
        const served = new Set<string>();
        const fingerprints = new Set<string>();
        let calls = 0;
        let failed = 0;
        let judge: ((user: string) => Promise<string | null>) | undefined;
        if (o.judge) {
          const adapter = await createAdapter(o.judge, {
            baseUrl: o.judgeBaseUrl,
            apiKeyEnv: o.judgeApiKeyEnv,
          });
          judge = async (user) => {
            calls++;
            try {
              const r = await adapter.generate(
                {
                  messages: [
                    { role: "system", content: JUDGE_SYSTEM },
                    { role: "user", content: user },
                  ],
                  images: [],
                  params: {
                    temperature: JUDGE_PARAMS.temperature,
                    maxTokens: JUDGE_PARAMS.max_tokens,
                    topP: JUDGE_PARAMS.top_p,
                    presencePenalty: JUDGE_PARAMS.presence_penalty,
                  },
                },
                AbortSignal.timeout(120_000),
              );
              if (r.servedModel) served.add(r.servedModel);
              if (r.systemFingerprint) fingerprints.add(r.systemFingerprint);
              return r.text; // stripped as upstream strips it, by the protocol
            } catch {
              failed++;
              return null;
            }
          };
        }
        const r = await scoreTempCompassFile({ ...o, judge });
        for (const p of r.problems) process.stderr.write(`kinema: warning: ${o.meta}: ${p}\n`);
        if (o.out) writeFileSync(o.out, `${JSON.stringify(r.evalResults, null, 4)}\n`);
        const judgeRecord = o.judge
          ? {
              spec: o.judge,
              servedModels: [...served].sort(),
              systemFingerprints: [...fingerprints].sort(),
              temperature: JUDGE_PARAMS.temperature,
              maxTokens: JUDGE_PARAMS.max_tokens,
              system: JUDGE_SYSTEM,
              top_p: JUDGE_PARAMS.top_p,
              presence_penalty: JUDGE_PARAMS.presence_penalty,
              promptTemplate:
                o.task === "captioning"
                  ? captionJudgeUserPrompt("{prediction}", "{mc_question}")
                  : judgeUserPrompt(o.task as never, "{question}", "{answer}", "{prediction}"),
              calls,
              failedCalls: failed,
            }
          : null;
        if (o.json)
          return printJson({
            task: o.task,
            disable_llm: !o.judge,
            judge: judgeRecord,
            result: r.result,
            problems: r.problems,
          });
        process.stdout.write(r.text);
        if (judgeRecord)
          printText(
            `judge: ${judgeRecord.spec} (served ${judgeRecord.servedModels.join(", ") || "?"}), ${calls} calls, ${failed} failed`,
          );
      },
    );
}
