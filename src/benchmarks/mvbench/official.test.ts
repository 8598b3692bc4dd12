// Equivalence of the MVBench scorer ports with the upstream code. official.fixture.json was produced by running
// OpenGVLab/Ask-Anything@4dd8210b030374bb0c510a57dfbe916f70d3ef71 video_chat2/mvbench.ipynb (check_ans,
// qa_template, get_index, final_res) and EvolvingLMMs-Lab/lmms-eval@75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3
// lmms_eval/tasks/mvbench/utils.py (mcq_acc, mvbench_aggregate_results) with /usr/bin/python3 on the
// generated vectors: see upstream/gen_vectors.py beside this file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  checkAns,
  finalRes,
  getIndex,
  lmmsAggregate,
  mcqAcc,
  officialPred,
  pyRound,
  qaTemplate,
} from "./official.ts";

interface Vector {
  task: string;
  raw: string;
  question: string;
  candidates: string[];
  answer: string;
  prompt_question: string;
  gt: string;
  pred: string;
  official_correct: boolean | string;
  lmms_gt_letter: string | null;
  lmms_score: number | string;
}
const fx = JSON.parse(readFileSync(new URL("./official.fixture.json", import.meta.url), "utf8")) as {
  vectors: Vector[];
  acc_dict: Record<string, [number, number]>;
  final_res: Record<string, number>;
  lmms_eval_aggregate: number;
  get_index: {
    bound: [number, number] | null;
    fps: number;
    max_frame: number;
    first_idx: number;
    n: number;
    indices: number[];
  }[];
};

test("qa_template and the official prediction match the notebook on every vector", () => {
  for (const v of fx.vectors) {
    const q = qaTemplate(v.question, v.candidates, v.answer);
    assert.equal(q.question, v.prompt_question);
    assert.equal(q.gt, v.gt);
    assert.equal(officialPred(v.raw), v.pred, JSON.stringify(v.raw));
  }
});

test("check_ans matches the notebook on every vector (an empty reply '(' counts as right)", () => {
  assert.ok(fx.vectors.length >= 60);
  for (const v of fx.vectors)
    assert.equal(checkAns(v.pred, v.gt), v.official_correct, `${JSON.stringify(v.pred)} vs ${v.gt}`);
  assert.equal(checkAns("(", "(B) no"), true);
  assert.equal(checkAns("(b", "(B) "), null); // upstream IndexError on an empty ground-truth text
});

test("final_res (per task and Avg) equals the notebook's numbers exactly", () => {
  const acc = new Map<string, [number, number]>();
  for (const v of fx.vectors) {
    const c = acc.get(v.task) ?? [0, 0];
    acc.set(v.task, [c[0] + (checkAns(v.pred, v.gt) ? 1 : 0), c[1] + 1]);
  }
  assert.deepEqual(Object.fromEntries(acc), fx.acc_dict);
  assert.deepEqual(finalRes(acc), fx.final_res);
  assert.deepEqual(Object.keys(finalRes(acc)), Object.keys(fx.final_res));
});

test("lmms-eval's mcq_acc and answered-denominator aggregate match lmms-eval", () => {
  const ok = fx.vectors.filter((v) => typeof v.lmms_score === "number");
  assert.ok(
    fx.vectors.length - ok.length > 0,
    "vectors include an answer outside the candidates (lmms-eval crashes)",
  );
  for (const v of ok) assert.equal(mcqAcc(v.lmms_gt_letter!, v.raw), v.lmms_score, JSON.stringify(v.raw));
  const agg = lmmsAggregate(ok.map((v) => ({ pred: v.raw, score: v.lmms_score as number })));
  assert.equal(agg, fx.lmms_eval_aggregate);
});

test("get_index reproduces the notebook's frame indices (half-even rounding, frame folders from 1)", () => {
  for (const g of fx.get_index)
    assert.deepEqual(getIndex(g.bound, g.fps, g.max_frame, g.first_idx, g.n), g.indices);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5].map(pyRound), [0, 2, 2, 0]);
});
