// `kinema score lvbench`: compute_accuracy on an answer file ({uid: answer} JSON, as test_acc.py reads it)
// against video_info.meta.jsonl, optionally polishing raw replies first; the leaderboard's result.json names.
import { readFileSync } from "node:fs";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue } from "../types.ts";
import { lvQas } from "./load.ts";
import { computeAccuracyLv, LEADERBOARD_NAMES, polishAnswer } from "./official.ts";

function read(file: string, field: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read ${file}: ${(e as Error).message}`, { file, field });
  }
}

export function scoreLvbenchFiles(o: { meta: string; pred: string; polish?: boolean }) {
  const { qas, issues } = lvQas(read(o.meta, "meta"), o.meta);
  let data: unknown;
  try {
    data = JSON.parse(read(o.pred, "pred"));
  } catch (e) {
    throw new KinemaError("bad_input", `${o.pred}: invalid JSON: ${(e as Error).message}`, { file: o.pred });
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new KinemaError("bad_input", 'expected a JSON object {"<uid>": "<answer>"}', { file: o.pred });
  const answers = new Map<string, unknown>();
  const more: LoadIssue[] = [];
  for (const [uid, v] of Object.entries(data)) {
    if (o.polish && typeof v !== "string") {
      more.push({ file: o.pred, field: uid, message: "not a string; cannot polish", action: "skipped" });
      continue;
    }
    answers.set(uid, o.polish ? polishAnswer(v as string) : v);
  }
  const result = computeAccuracyLv(answers, qas);
  const leaderboard: Record<string, number> = {};
  for (const [k, v] of Object.entries(result))
    if (LEADERBOARD_NAMES[k]) leaderboard[LEADERBOARD_NAMES[k]] = v;
  return { result, leaderboard, issues: [...issues, ...more] };
}
