// `kinema score videorefer-q`: the upstream Bench-Q scorer on its prediction JSONL ({Answer, pred, type}).
import { readRecords } from "../prediction-files.ts";
import type { LoadIssue } from "../types.ts";
import { scoreVideoReferQ, type VideoReferQScore } from "./official.ts";

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
