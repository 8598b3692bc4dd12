// TempCompass loader on its released layout; conflicting-video structure in the labels; prompt snapshots;
// the run summary's rule-only (disable_llm) print_result block.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeTempCompassFixture } from "../../../test/helpers/general-fixtures.ts";
import { parseTempCompass, summarizeTempCompass, tempCompassPrompt } from "./index.ts";
import { loadTempCompass } from "./load.ts";

let dir: string;
before(() => {
  dir = makeTempCompassFixture(mkdtempSync(join(tmpdir(), "kinema-tc-")));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("loads four tasks; conflicting videos keep their source; bad items are listed", async () => {
  const { samples, issues } = await loadTempCompass(dir);
  assert.deepEqual(
    samples.map((s) => s.id),
    [
      "multi-choice/1034419625/action/0",
      "multi-choice/1034419625/direction/0",
      "multi-choice/1034419625_reverse/direction/0",
      "yes_no/1034419625/action/0",
      "caption_matching/1034419625_reverse/direction/0",
      "captioning/1034419625/action/0",
      "captioning/1034419625/action/1",
    ],
  );
  // a caption is judged against the video's first multi-choice question of its aspect, whose answer is the truth
  const cap = samples[6];
  assert.equal(cap.answer, "A. dunking a basketball");
  assert.equal(cap.labels?.caption_answer, "B. dunking a basketball");
  assert.match(String(cap.labels?.mc_question), /^What is the man doing in the video\?\nA\. dunking/);
  assert.deepEqual(cap.scoring, { judge: "tempcompass", judgeRequired: true });
  assert.match(tempCompassPrompt(cap).text, /\nGenerated Caption:$/); // upstream's captioning cue is ""
  assert.ok(
    issues.some(
      (i) =>
        i.file.endsWith("captioning.json") &&
        i.field === "1034419625_reverse.action" &&
        i.action === "skipped",
    ),
  );
  const rev = samples[2];
  assert.equal(rev.videoId, "1034419625");
  assert.deepEqual(
    [rev.labels?.video_id, rev.labels?.variant, rev.labels?.fine_aspect],
    ["1034419625_reverse", "reverse", "object motion"],
  );
  assert.match(rev.video.path, /videos\/1034419625_reverse\.mp4$/);
  assert.ok(issues.some((i) => i.field === "1034419625.action[1]" && i.file.endsWith("yes_no.json")));
});

test("prompt snapshots: the question and the authors' answer cue", async () => {
  const { samples } = await loadTempCompass(dir);
  assert.equal(
    tempCompassPrompt(samples[0]).text,
    "What is the man doing in the video?\nA. dunking a basketball\nB. dribbling a basketball\nC. passing a basketball\nPlease directly give the best option:",
  );
  assert.equal(tempCompassPrompt(samples[3]).text, "Is the man dunking?\nPlease answer yes or no:");
});

test("summary: rules decide, unmatched replies are unparsed and rated 0; print_result per task", async () => {
  const { samples } = await loadTempCompass(dir);
  const replies = ["A", "I would say left to right", "B. right to left", "Yes.", "Caption B"];
  const outcomes = samples.slice(0, 5).map((s, i) => {
    const parsed = parseTempCompass(replies[i], s);
    return {
      sample: s,
      status: parsed.ok ? ("ok" as const) : ("unparsed" as const),
      raw: replies[i],
      parsed,
    };
  });
  assert.equal(outcomes[1].status, "unparsed");
  const sum = summarizeTempCompass(outcomes);
  assert.equal(sum.overall.right, 4);
  const mc = (sum.official as Record<string, Record<string, unknown>>)["multi-choice"];
  assert.equal(mc.action, 100);
  assert.equal(mc.direction, 50);
  assert.equal(mc.match_success_rate, 66.7);
  assert.equal((sum.official as Record<string, unknown>).disable_llm, true);
});

test("summary: judge digests rate the unmatched replies and the captions (-1 kept), print_result over both", async () => {
  const { samples } = await loadTempCompass(dir);
  const replies = [
    "A",
    "I would say left to right",
    "B. right to left",
    "Yes.",
    "Caption B",
    "cap 1",
    "cap 2",
  ];
  const judge: Record<number, Record<string, unknown>> = {
    1: { rating: 1, reply: "Correct", status: "ok", judge: { spec: "openai:j" } },
    5: { rating: 1, reply: "Answer: A. dunking", status: "ok", answer: "A. dunking", reasoning: null },
    6: { rating: -1, reply: "", status: "unparsed", answer: null, reasoning: null },
  };
  const outcomes = samples.map((s, i) => {
    const parsed = parseTempCompass(replies[i], s);
    return {
      sample: s,
      status: parsed.ok ? ("ok" as const) : ("unparsed" as const),
      raw: replies[i],
      parsed,
      ...(judge[i] ? { judge: judge[i] } : {}),
    };
  });
  const sum = summarizeTempCompass(outcomes);
  const off = sum.official as Record<string, Record<string, unknown>>;
  assert.equal(off.disable_llm as unknown, false);
  assert.equal(off["multi-choice"].direction, 100);
  assert.equal(off["multi-choice"].match_success_rate, 66.7); // the judge does not make a match
  assert.equal(off.captioning.action, 0); // (1 + -1) / 2
  assert.equal(off.captioning.match_success_rate, 0); // captioning entries carry no match_success
  assert.deepEqual((off.judge_counts as unknown as Record<string, number>).captions_judged, 2);
  assert.equal(sum.overall.n, 7);
  assert.equal(sum.overall.right, 6);
});
