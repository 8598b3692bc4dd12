// MVBench loader on a fixture in the released layout (json/<task>.json, video/<source>/..., a TVQA frame
// folder), the prompt snapshot of one frozen item, and framesFor's official get_index.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeMvbenchFixture } from "../../../test/helpers/general-fixtures.ts";
import { mvbench, mvbenchFramesFor, mvbenchPrompt, parseMvbench, summarizeMvbench } from "./index.ts";
import { loadMvbench } from "./load.ts";

let dir: string;
before(() => {
  dir = makeMvbenchFixture(mkdtempSync(join(tmpdir(), "kinema-mvb-")));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("loads every task file present; a bad item is listed with file, line and field", async () => {
  const { samples, issues } = await loadMvbench(dir);
  assert.deepEqual(
    samples.map((s) => s.id),
    ["action_sequence/0", "action_sequence/1", "fine_grained_pose/0", "episodic_reasoning/0"],
  );
  assert.deepEqual(
    [...new Set(samples.map((s) => s.category))],
    ["Action Sequence", "Fine-grained Pose", "Episodic Reasoning"],
  );
  const bad = issues.find((i) => i.field === "[1].candidates");
  assert.ok(bad?.file.endsWith("fine_grained_pose.json") && bad.line === 11, JSON.stringify(issues));
  assert.equal(issues.filter((i) => /task file missing/.test(i.message)).length, 17);
  const s0 = samples[0];
  assert.equal(s0.answer, "B");
  assert.deepEqual((s0.raw as { bound: unknown }).bound, [0.5, 3.5]);
  const er = samples[3];
  assert.equal(er.video.fps, 3);
  assert.match(er.video.path, /tvqa\/frames_fps3_hq\/castle_s01e01_seg02_clip_00$/);
});

test("prompt snapshot: the notebook's system + qa_template + 'Only give the best option.', prefilled 'Best option:('", async () => {
  const { samples } = await loadMvbench(dir);
  const p = mvbenchPrompt(samples[0]);
  assert.equal(
    p.text,
    "Carefully watch the video and pay attention to the cause and sequence of events, the detail and movement of objects, and the action and pose of persons. Based on your observations, select the best option that accurately addresses the question.\n" +
      "Question: What happened after the person took the towel?\nOptions:\n(A) Put down the cup.\n(B) Opened the door.\n(C) Sat on the bed.\n(D) Took the shoe.\nOnly give the best option.",
  );
  assert.equal(p.prefill, "Best option:(");
  assert.equal(
    mvbenchPrompt(samples[0], "lmms-eval").text,
    "Question:What happened after the person took the towel?\nOption:\n(A) Put down the cup.\n(B) Opened the door.\n(C) Sat on the bed.\n(D) Took the shoe.\nOnly give the best option.\n",
  );
  assert.equal(mvbench.promptHash!(samples[0], "official"), mvbench.promptHash!(samples[0], "official"));
});

test("framesFor: segments:N is get_index inside start/end; frame folders count from 00001.jpg", async () => {
  const { samples } = await loadMvbench(dir);
  const meta = (frames: number, fps: number) => ({ meta: async () => ({ frames, fps }) });
  // bound [0.5, 3.5] at 8 fps: start_idx 4, end_idx 28, seg 6 → int(4 + 3 + round(6 i))
  assert.equal(await mvbenchFramesFor(samples[0], "segments:4", meta(32, 8)), "indices:7,13,19,25");
  // TVQA folder of 12 frames at 3 fps, bound [0.3, 3.6]: start_idx max(1, 1) = 1, end_idx min(11, 12) = 11,
  // seg 2.5 → 2, 4, 7, 10 (half-even round(2.5) = 2, round(7.5) = 8), file 00002.jpg = frame 1
  assert.equal(await mvbenchFramesFor(samples[3], "segments:4", meta(12, 3)), "indices:1,3,6,9");
  // other specs sample inside the bound
  assert.equal(await mvbenchFramesFor(samples[0], "uniform:2", meta(32, 8)), "indices:4,27");
  assert.equal(await mvbenchFramesFor(samples[2], "uniform:2", meta(16, 8)), "uniform:2");
});

test("summary: official counts every answered item (a bare '(' is right); lmms-eval divides by answered", async () => {
  const { samples } = await loadMvbench(dir);
  const out = (i: number, raw: string) => ({
    sample: samples[i],
    status: "ok" as const,
    raw,
    parsed: parseMvbench(raw, samples[i]),
  });
  const outcomes = [out(0, "B) Opened the door."), out(1, ""), out(2, "(A) sit down"), out(3, "A")];
  const off = summarizeMvbench(outcomes);
  assert.deepEqual(off.official, {
    "Action Sequence": 100,
    "Fine-grained Pose": 0,
    "Episodic Reasoning": 100,
    Avg: 75,
  });
  assert.equal(off.overall.right, 3);
  const lm = summarizeMvbench(outcomes, { parseMode: "lmms-eval" });
  assert.equal(lm.overall.n, 3); // the empty reply is unanswered
  assert.equal(lm.overall.right, 2);
});
