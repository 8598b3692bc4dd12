// Scores the notebook's saved results ({"acc_dict": {task: [correct, total]}, "res_list": [{pred, gt}]}, in
// dataset order) again with check_ans: tasks are assigned by acc_dict's counts in order, as the notebook
// appended them; items may also carry their own "task_type". Prints final_res (upload_leaderboard.json).
import { readFileSync } from "node:fs";
import { KinemaError } from "../../util/errors.ts";
import type { LoadIssue } from "../types.ts";
import { checkAns, finalRes } from "./official.ts";

export interface MvbenchScore {
  /** final_res: per task 100·correct/total, then Avg. */
  result: Record<string, number>;
  /** The recomputed acc_dict. */
  accDict: Record<string, [number, number]>;
  issues: LoadIssue[];
}

export function scoreMvbenchFile(file: string): MvbenchScore {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new KinemaError("bad_input", `cannot read ${file}: ${(e as Error).message}`, {
      file,
      field: "pred",
    });
  }
  const d = (data ?? {}) as Record<string, unknown>;
  const list = Array.isArray(data) ? data : d.res_list;
  if (!Array.isArray(list))
    throw new KinemaError("bad_input", 'expected {"acc_dict", "res_list"} or a list of {pred, gt}', {
      file,
      field: "res_list",
    });
  const issues: LoadIssue[] = [];
  // Task of each position from acc_dict's totals, in order.
  const order: string[] = [];
  const stored = (d.acc_dict ?? {}) as Record<string, unknown>;
  for (const [task, v] of Object.entries(stored)) {
    const n = Array.isArray(v) ? Number(v[1]) : Number.NaN;
    if (!Number.isInteger(n) || n < 0) {
      issues.push({
        file,
        field: `acc_dict.${task}`,
        message: "expected [correct, total]",
        action: "skipped",
      });
      continue;
    }
    for (let i = 0; i < n; i++) order.push(task);
  }
  if (order.length && order.length !== list.length)
    issues.push({
      file,
      field: "acc_dict",
      message: `totals add up to ${order.length}, res_list has ${list.length}`,
      action: "kept",
    });
  const acc = new Map<string, [number, number]>();
  list.forEach((it: unknown, i: number) => {
    const r = (it ?? {}) as Record<string, unknown>;
    const task = typeof r.task_type === "string" ? r.task_type : order[i];
    if (typeof r.pred !== "string" || typeof r.gt !== "string" || task === undefined) {
      issues.push({
        file,
        field: `res_list[${i}]`,
        message: "needs string pred and gt, and a task (task_type or acc_dict)",
        action: "skipped",
      });
      return;
    }
    const ok = checkAns(r.pred, r.gt);
    if (ok === null)
      issues.push({
        file,
        field: `res_list[${i}].gt`,
        message: "empty answer text (upstream IndexError); counted wrong",
        action: "kept",
      });
    const c = acc.get(task) ?? [0, 0];
    acc.set(task, [c[0] + (ok ? 1 : 0), c[1] + 1]);
  });
  for (const [task, v] of Object.entries(stored))
    if (Array.isArray(v) && acc.has(task) && acc.get(task)![0] !== v[0])
      issues.push({
        file,
        field: `acc_dict.${task}`,
        message: `stored correct ${v[0]}, check_ans gives ${acc.get(task)![0]}`,
        action: "kept",
      });
  return { result: finalRes(acc), accDict: Object.fromEntries(acc), issues };
}
