// Equivalence with TempCompass's own evaluation (llyx97/TempCompass@e1b463166400633e6061962d890a9ae85db29f70:
// eval_multi-choice.py, eval_yes_no.py, eval_caption_matching.py main(), utils/eval_utils.py print_result and
// llm_output_to_rating), run with /usr/bin/python3 on the vectors in official.fixture.json with --disable_llm and
// with a stub judge (upstream/gen_vectors.py); the judge prompts it was sent are compared byte for byte. Also
// get_eval_result's retry loop and eval_captioning.py main() over a scripted get_llm_output (same commit).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { evaluateCaptioning, evaluatePredictions } from "./evaluate.ts";
import {
  CAPTION_EVALUATION_PROMPT,
  type EvalResults,
  llmOutputToRating,
  printResult,
  type TcTask,
} from "./official.ts";

const fx = JSON.parse(readFileSync(new URL("./official.fixture.json", import.meta.url), "utf8"));
const TASK: Record<string, TcTask> = { mc: "multi-choice", yn: "yes_no", cm: "caption_matching" };

for (const name of ["mc", "yn", "cm"])
  for (const mode of ["rule", "judge"])
    test(`${TASK[name]} (${mode}): eval_results and the printed result equal upstream's`, async () => {
      const r = fx.runs[`${name}_${mode}`];
      const prompts: string[] = [];
      const judge =
        mode === "judge"
          ? async (user: string) => {
              prompts.push(user);
              return user.includes("JUDGE-YES") ? "Correct" : "Incorrect, the answer differs.";
            }
          : undefined;
      const got = await evaluatePredictions(TASK[name], r.predictions, judge);
      assert.deepEqual(got, r.eval_results);
      // JS objects order integer-like keys ("101") first, so videos are visited in another order than Python's
      assert.deepEqual([...prompts].sort(), [...r.judge_prompts].sort());
      assert.equal(printResult(got, fx.meta_info).text, r.stdout);
    });

test("llm_output_to_rating", () => {
  for (const [k, v] of Object.entries(fx.ratings)) assert.equal(llmOutputToRating(k), v, k);
  assert.equal(llmOutputToRating("maybe"), null); // upstream's assert fails: retried
});

/** The vectors' scripted judge: per marker, the next scripted reply ("!raise": the call fails). */
function scripted(seqs: Record<string, string[]>) {
  const pos = new Map<string, number>();
  const tries: Record<string, number> = {};
  const prompts: string[] = [];
  const call = async (user: string): Promise<string | null> => {
    prompts.push(user);
    for (const [k, outs] of Object.entries(seqs))
      if (user.includes(k)) {
        const i = pos.get(k) ?? 0;
        pos.set(k, i + 1);
        tries[k] = i + 1;
        const o = i < outs.length ? outs[i] : "!exhausted";
        return o === "!raise" ? null : o;
      }
    return "Incorrect";
  };
  return { call, tries, prompts };
}

test("get_eval_result's retry loop: unparsable replies and failed calls are tries, 11 at most, then 0", async () => {
  const r = fx.runs.mc_retry;
  const j = scripted(fx.sequences.rule);
  const got = await evaluatePredictions("multi-choice", r.predictions, j.call);
  assert.deepEqual(got, r.eval_results);
  assert.deepEqual(j.tries, r.tries);
  assert.equal(printResult(got, fx.meta_info).text, r.stdout);
});

test("eval_captioning.py: judge prompt byte for byte, parse_llm_output's rating (-1 empty/invalid), print_result", async () => {
  const r = fx.runs.captioning;
  assert.equal(CAPTION_EVALUATION_PROMPT, fx.caption_evaluation_prompt);
  const j = scripted(fx.sequences.captioning);
  const { evalResults, problems } = await evaluateCaptioning(r.predictions, r.mc_questions, j.call);
  assert.deepEqual(problems, []);
  assert.deepEqual(evalResults, r.eval_results);
  assert.deepEqual(j.tries, r.tries);
  assert.deepEqual([...j.prompts].sort(), [...r.judge_prompts].sort());
  assert.equal(printResult(evalResults as EvalResults, fx.meta_info).text, r.stdout);
});
