// `kinema score motionbench|videorefer-q|mvbench|videomme|lvbench|perception-test|tempcompass`: the official
// scorers on prediction files (each in its src/benchmarks/<name>/results.ts), printing exactly the upstream
// result (--json) or a readable table. Problems in the files are reported, never fatal per line.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { scoreLvbenchFiles } from "../../benchmarks/lvbench/results.ts";
import {
  type MotionBenchScore,
  PARSE_MODES,
  scoreMotionBenchFiles,
} from "../../benchmarks/motionbench/results.ts";
import { scoreMvbenchFile } from "../../benchmarks/mvbench/results.ts";
import { scorePerceptionTestFiles } from "../../benchmarks/perception-test/results.ts";
import { tempCompassFileJudge } from "../../benchmarks/tempcompass/file-judge.ts";
import { scoreTempCompassFile } from "../../benchmarks/tempcompass/results.ts";
import type { LoadIssue } from "../../benchmarks/types.ts";
import { printedReport } from "../../benchmarks/videomme/official.ts";
import { scoreVideoMmeFile } from "../../benchmarks/videomme/results.ts";
import { scoreVideoReferFiles } from "../../benchmarks/videorefer-q/results.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText, textTable } from "../output.ts";

const pct = (x: number) => (x * 100).toFixed(2);

function warn(issues: LoadIssue[]): void {
  for (const i of issues.slice(0, 20))
    process.stderr.write(
      `kinema: warning: ${[i.file, i.line].filter((x) => x !== undefined).join(":")}: ${i.field ? `${i.field}: ` : ""}${i.message}\n`,
    );
  if (issues.length > 20)
    process.stderr.write(`kinema: warning: ... and ${issues.length - 20} more problems\n`);
}

/** Prints a scorer's result: its problems as warnings first, then the result as JSON or as a text table. */
function report<T>(
  json: boolean | undefined,
  scored: { result: T; issues: LoadIssue[] },
  table: (r: T) => string,
) {
  warn(scored.issues);
  if (json) printJson(scored.result);
  else printText(table(scored.result));
}

function registerMotionbench(score: Command): void {
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
      report(o.json, scored, (result) => {
        const rows: (string | number)[][] = [["", "accuracy"]];
        for (const [k, v] of Object.entries(result))
          rows.push([k, k.startsWith("total") || k === "right_num" ? v : pct(v)]);
        return textTable(rows);
      });
    });
}

function registerVideoreferQ(score: Command): void {
  score
    .command("videorefer-q")
    .description("VideoRefer-Bench-Q scorer on upstream prediction JSONL (Answer, pred, type)")
    .requiredOption("--pred <file>", "predictions JSONL")
    .option("--json", 'print {"types": {type: {n, right, acc}}, "average": {n, right, acc}}')
    .action((o: { pred: string; json?: boolean }) => {
      report(o.json, scoreVideoReferFiles(o), (result) => {
        const rows: (string | number)[][] = [["type", "n", "right", "accuracy"]];
        for (const [t, s] of Object.entries(result.types)) rows.push([t, s.n, s.right, pct(s.acc)]);
        rows.push(["Average", result.average.n, result.average.right, pct(result.average.acc)]);
        return textTable(rows);
      });
    });
}

function registerMvbench(score: Command): void {
  score
    .command("mvbench")
    .description("MVBench notebook scoring (check_ans) on its saved results {acc_dict, res_list}")
    .requiredOption("--pred <file>", "the notebook's results JSON, or a list of {pred, gt, task_type}")
    .option("--json", "print exactly final_res (upload_leaderboard.json)")
    .action((o: { pred: string; json?: boolean }) => {
      report(o.json, scoreMvbenchFile(o.pred), (result) =>
        textTable([["task", "accuracy"], ...Object.entries(result).map(([k, v]) => [k, v.toFixed(2)])]),
      );
    });
}

function registerVideomme(score: Command): void {
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
}

function registerLvbench(score: Command): void {
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
      report(o.json, { result: o.leaderboard ? leaderboard : result, issues }, (r) =>
        textTable([["", "accuracy"], ...Object.entries(r).map(([k, v]) => [k, pct(v)])]),
      );
    });
}

function registerPerceptionTest(score: Command): void {
  score
    .command("perception-test")
    .description(
      "Perception Test multiple-choice top-1 accuracy on a {video_id: [{id, answer_id}]} result file",
    )
    .requiredOption("--annotations <file>", "mc_question_valid.json (or its folder)")
    .requiredOption("--pred <file>", "results JSON {video_id: [{id, answer_id}]}")
    .option("--json", "print {top1, area, reasoning, tag, n, answered}")
    .action((o: { annotations: string; pred: string; json?: boolean }) => {
      report(o.json, scorePerceptionTestFiles(o), (result) => {
        const rows: (string | number)[][] = [
          ["", "top-1"],
          ["all", pct(result.top1)],
        ];
        for (const [k, v] of Object.entries(result.area)) rows.push([`area: ${k}`, pct(v)]);
        for (const [k, v] of Object.entries(result.reasoning)) rows.push([`reasoning: ${k}`, pct(v)]);
        return textTable(rows);
      });
    });
}

function registerTempcompass(score: Command): void {
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
        const judge = await tempCompassFileJudge(o);
        const r = await scoreTempCompassFile({ ...o, judge: judge.call });
        for (const p of r.problems) process.stderr.write(`kinema: warning: ${o.meta}: ${p}\n`);
        if (o.out) writeFileSync(o.out, `${JSON.stringify(r.evalResults, null, 4)}\n`);
        const judgeRecord = judge.record(o.task);
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
            `judge: ${judgeRecord.spec} (served ${judgeRecord.servedModels.join(", ") || "?"}), ${judge.calls} calls, ${judge.failed} failed`,
          );
      },
    );
}

export function register(program: Command): void {
  const score = program.command("score").description("official scorers on prediction files");
  registerMotionbench(score);
  registerVideoreferQ(score);
  registerMvbench(score);
  registerVideomme(score);
  registerLvbench(score);
  registerPerceptionTest(score);
  registerTempcompass(score);
}
