// Real vectors from TempCompass's own released results (llyx97/TempCompass@e1b463166400633e6061962d890a9ae85db29f70,
// predictions/ and auto_eval_results/ of video-llava, gemini and reka-core-20240501; upstream/gen_real_vectors.py
// with /usr/bin/python3): each rule task's predictions through upstream's main() with the judge replaying the reply
// upstream stored for the item; the stored captioning answers through parse_llm_output. Kinema must give upstream's
// eval_results and printed result exactly.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { evaluatePredictions } from "./evaluate.ts";
import { parseCaptionJudge, printResult, type TcTask } from "./official.ts";

const fx = JSON.parse(
  gunzipSync(readFileSync(new URL("./official.real.json.gz", import.meta.url))).toString("utf8"),
);

test("the vectors are upstream's commit", () => {
  assert.equal(fx.commit, "e1b463166400633e6061962d890a9ae85db29f70");
  assert.equal(Object.keys(fx.runs).length, 9);
});

for (const [name, r] of Object.entries(fx.runs as Record<string, any>))
  test(`${name}: eval_results and print_result equal upstream's on its released predictions`, async () => {
    const task = name.split("/")[1] as TcTask;
    const asked = new Set<string>();
    const judge = async (user: string) => {
      asked.add(user);
      return r.judge_replies[user] ?? null; // no stored reply: the call fails, as in upstream's replay
    };
    const got = await evaluatePredictions(task, r.predictions, judge);
    assert.deepEqual(got, r.eval_results);
    assert.equal(printResult(got, fx.meta_info).text, r.stdout);
    for (const p of Object.keys(r.judge_replies)) assert.ok(asked.has(p), "every prompt upstream sent");
  });

test("captioning: parse_llm_output's rating on the answers upstream's judge gave (3 models)", () => {
  assert.ok(fx.captioning_pairs.length > 300);
  for (const [answer, gt, rating] of fx.captioning_pairs)
    assert.equal(
      parseCaptionJudge(`Reasoning: r\nAnswer: ${answer}`, gt).rating,
      rating,
      `${answer} | ${gt}`,
    );
});
