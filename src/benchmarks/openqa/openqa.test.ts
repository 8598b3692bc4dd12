// Loader tests for the judged/captioned benchmarks on real files in temp dirs: index pairing of
// test_q/test_a, ActivityNet video names, consistency pairs, Bench-D modes, captioned referring sets.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { judgeItemsFromOutcomes } from "../../judge/index.ts";
import { encodeMask } from "../../masks/rle.ts";
import { captionRef, scoreCaptionRun } from "../caption-ref/index.ts";
import type { SampleOutcome } from "../types.ts";
import { vcgptGen } from "../vcgpt-gen/index.ts";
import { benchDSamples, videoreferD } from "../videorefer-d/index.ts";
import { activitynetQa, msvdQa, openQaPrompt } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-openqa-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (p: string, v: unknown) => {
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, typeof v === "string" ? v : JSON.stringify(v));
};

test("ActivityNet-QA: test_q/test_a paired by index, videos v_<name>.mp4, issues located", async () => {
  const d = join(dir, "anet");
  write(join(d, "test_q.json"), [
    { video_name: "abc", question: "what is he doing", question_id: "v_abc_0" },
    { video_name: "abc", question: "is he outside", question_id: "v_abc_1" },
    { video_name: "def", question_id: "v_def_0" },
    { video_name: "ghi", question: "how many", question_id: "v_ghi_0" },
  ]);
  write(join(d, "test_a.json"), [
    { answer: "surfing", type: 0, question_id: "v_abc_0" },
    { answer: "yes", type: 3, question_id: "v_abc_1" },
    { answer: "two", type: 1, question_id: "v_def_0" },
    { answer: 2, type: 5, question_id: "v_zzz_9" },
  ]);
  write(join(d, "videos", "v_abc.mp4"), "x");
  write(join(d, "videos", "v_ghi.mkv"), "x");
  const r = await activitynetQa.load(d);
  assert.deepEqual(
    r.samples.map((s) => [s.id, s.videoId, s.question, s.answer, s.category, s.options.length]),
    [
      ["v_abc_0", "abc", "what is he doing", "surfing", "0", 0],
      ["v_abc_1", "abc", "is he outside", "yes", "3", 0],
      ["v_ghi_0", "ghi", "how many", "2", "5", 0],
    ],
  );
  assert.equal(r.samples[0].video.path, join(d, "videos", "v_abc.mp4"));
  assert.equal(r.samples[2].video.path, join(d, "videos", "v_ghi.mkv"));
  assert.equal(r.samples[0].scoring?.judge, "vcgpt-qa");
  assert.deepEqual(
    r.issues.map((i) => [i.field, i.action]),
    [
      ["[2].question", "skipped"],
      ["[3].question_id", "kept"],
    ],
  );
  assert.equal(openQaPrompt(r.samples[0]).text, "what is he doing");
  assert.deepEqual(activitynetQa.parse(" surfing \n", r.samples[0]), { answer: "surfing", ok: true });
  assert.deepEqual(activitynetQa.parse("  ", r.samples[0]), { answer: "", ok: false });
});

test("MSVD-QA: video_name.avi; a missing video is kept with an issue", async () => {
  const d = join(dir, "msvd");
  write(join(d, "test_q.json"), [
    { video_name: "-4wsuPCjDBc_5_15", question: "who is cooking?", question_id: 1 },
  ]);
  write(join(d, "test_a.json"), [{ answer: "woman", question_id: 1 }]);
  const r = await msvdQa.load(d);
  assert.equal(r.samples[0].video.path, join(d, "-4wsuPCjDBc_5_15.avi"));
  assert.equal(r.issues[0].action, "kept");
  assert.match(r.issues[0].message, /video not found/);
});

test("Video-ChatGPT generative set: generic + consistency; pairs judged as one item", async () => {
  const d = join(dir, "gen");
  write(join(d, "generic_qa.json"), [
    { video_name: "v_1", Q: "Describe the video.", A: "A man surfs." },
    { video_name: "v_1", Q: "What color is the board?", A: "Red." },
  ]);
  write(join(d, "consistency_qa.json"), [
    { video_name: "v_2", Q1: "What is he doing?", Q2: "Which activity is shown?", A: "Skating." },
  ]);
  const r = await vcgptGen.load(d, { checkVideos: false });
  assert.deepEqual(
    r.samples.map((s) => [s.id, s.question, s.scoring?.metrics?.join(",")]),
    [
      ["generic/v_1_1", "Describe the video.", "correctness,detail,context"],
      ["generic/v_1_2", "What color is the board?", "correctness,detail,context"],
      ["consistency/v_2_1/q1", "What is he doing?", "consistency"],
      ["consistency/v_2_1/q2", "Which activity is shown?", "consistency"],
    ],
  );
  const outcomes: SampleOutcome[] = r.samples.map((s, i) => ({
    sample: s,
    status: i === 1 ? "failed" : "ok",
    raw: i === 1 ? undefined : `answer ${i}`,
  }));
  const j = judgeItemsFromOutcomes(outcomes);
  assert.equal(j.kind, "vcgpt-gen");
  assert.deepEqual(j.unanswered, ["generic/v_1_2"]);
  assert.deepEqual(j.items, [
    { id: "generic/v_1_1", question: "Describe the video.", answer: "A man surfs.", pred: "answer 0" },
    {
      id: "consistency/v_2_1",
      question1: "What is he doing?",
      question2: "Which activity is shown?",
      answer: "Skating.",
      pred1: "answer 2",
      pred2: "answer 3",
    },
  ]);
});

test("VideoRefer-Bench-D: single-frame keeps frame_idx's mask, multi-frame all annotated frames", async () => {
  const d = join(dir, "benchd");
  const rle = { size: [4, 4], counts: "448" };
  write(join(d, "VideoRefer-Bench-D.json"), [
    {
      id: 0,
      video: "a.mp4",
      caption: "The cub walks.",
      frame_idx: "2",
      annotation: [{ "2": { segmentation: rle }, "6": { segmentation: null } }],
    },
    {
      id: 1,
      video: "b.mp4",
      caption: "A bird.",
      frame_idx: "3",
      annotation: [{ "5": { segmentation: rle } }],
    },
    { id: 2, video: "c.mp4", frame_idx: "1", annotation: [{ "1": { segmentation: rle } }] },
  ]);
  const single = await videoreferD.load(d, { checkVideos: false });
  assert.deepEqual(
    single.samples.map((s) => [s.id, s.answer, Object.keys(s.masks![0]), s.frameIdx]),
    [["0", "The cub walks.", ["2"], 2]],
  );
  assert.deepEqual(
    single.issues.map((i) => i.field),
    ["[1].annotation[0]", "[2].caption"],
  );
  const multi = await videoreferD.load(d, { checkVideos: false, mode: "multi" });
  assert.deepEqual(Object.keys(multi.samples[0].masks![0]), ["2", "6"]);
  assert.equal(multi.samples[0].masks![0]["6"], null);
  assert.equal(multi.samples.length, 2);
  const j = judgeItemsFromOutcomes([{ sample: multi.samples[0], status: "ok", raw: "A lion cub walking." }]);
  assert.deepEqual(j.items, [{ id: "0", caption: "The cub walks.", pred: "A lion cub walking." }]);
  assert.match(videoreferD.prompt(multi.samples[0]).text, /outlined an object with a red contour/);
});

test("captioned referring set: references grouped by image_id, scored with the COCO metrics", async () => {
  const d = join(dir, "hcstvg");
  write(join(d, "captions.json"), {
    videos: [
      { id: "v1", video: "v1.mp4", window: [1, 3] },
      { id: "v2", video: "v2.mp4" },
      { id: "v3", video: "v3.mp4" },
    ],
    annotations: [
      { image_id: "v1", caption: "A man is riding a bike on the road." },
      { image_id: "v1", caption: "A person rides a bicycle." },
      { image_id: "v2", caption: "A woman cooks in a kitchen." },
    ],
  });
  const r = await captionRef.load(d, { checkVideos: false });
  assert.deepEqual(
    r.samples.map((s) => [s.id, s.scoring?.references?.length, s.video.window]),
    [
      ["v1", 2, [1, 3]],
      ["v2", 1, undefined],
    ],
  );
  assert.equal(r.issues[0].field, "videos[2].id");
  const m = scoreCaptionRun([
    { sample: r.samples[0], status: "ok", raw: "A man is riding a bike." },
    { sample: r.samples[1], status: "failed" },
  ]);
  assert.equal(m.n, 1);
  assert.equal(m.failed, 1);
  assert.ok((m.Bleu_1 as number) > 0.9);
  assert.equal(m.METEOR, null);
});

test("videorefer-d: a broken RLE drops its item with file, item, object and frame named", () => {
  const good = encodeMask(new Uint8Array(12).fill(1), 3, 4);
  const records = [
    { id: 0, video: "a.mp4", caption: "c", frame_idx: "1", annotation: [{ "1": { segmentation: good } }] },
    {
      id: 1,
      video: "a.mp4",
      caption: "c",
      frame_idx: "1",
      annotation: [{ "1": { segmentation: { size: [3, 4], counts: [2, -1, 11] } } }],
    },
  ];
  const r = benchDSamples(records, "/x/D.json", "multi", (v) => ({ path: v, found: true }));
  assert.deepEqual(
    r.samples.map((s) => s.id),
    ["0"],
  );
  assert.equal(r.issues.length, 1);
  assert.equal(r.issues[0].file, "/x/D.json");
  assert.equal(r.issues[0].field, "[1].annotation[0].1.segmentation");
  assert.equal(r.issues[0].id, "1");
  assert.match(r.issues[0].message, /object 0, frame 1: run 1 is negative/);
});
