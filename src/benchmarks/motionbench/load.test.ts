// MotionBench loading on a real temporary release layout: broken items are reported with file, line
// and field, loading goes on; clip resolution; frozen prompt snapshots per preset; run summary.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SampleOutcome } from "../types.ts";
import { motionbench, motionbenchPrompt, parseMotionBench, summarizeMotionBench } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-mb-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const line = (o: unknown) => JSON.stringify(o);
const rec = (qt: string, video: string, qa: unknown[]) => ({
  question_type: qt,
  video_type: null,
  key: video.replace(".mp4", ""),
  qa,
  video_path: video,
  video_info: { duration: 2, fps: 30 },
});
const Q =
  "What does the person do?\nA. Jump, Lay down, Stand\nB. Jump, Stand, Lay down\nC. Lay down, Stand, Jump";

const META = [
  /* 1 */ line(
    rec("Motion Recognition", "abc123.mp4", [
      { uid: "u1", start: null, end: null, answer: "A", question: Q },
    ]),
  ),
  /* 2 */ line(rec("Camera Motion", "1111-2222_58_59.mp4", [{ uid: "u2", answer: "NA", question: Q }])),
  /* 3 */ "{not json",
  /* 4 */ line(rec("Action Order", "abc123.mp4", [{ uid: "u4", answer: "B", question: `${Q}\nD. ` }])),
  /* 5 */ line(rec("Repetition Count", "abc123.mp4", [{ uid: "u5", answer: "D", question: Q }])),
  /* 6 */ line({ question_type: "Camera Motion", qa: [{ uid: "u6", answer: "A", question: Q }] }),
  /* 7 */ line(
    rec("Motion-related Objects", "cut_1_3.mp4", [
      { uid: "u7", answer: "C", question: Q },
      { uid: "u8", answer: "A" },
      { uid: "u9", answer: "B", question: Q },
    ]),
  ),
  /* 8 */ "",
  /* 9 */ line(rec("Location-related Motion", "missing.mp4", [{ uid: "u10", answer: "B", question: Q }])),
].join("\n");

mkdirSync(join(dir, "self-collected"));
mkdirSync(join(dir, "public-dataset"));
writeFileSync(join(dir, "self-collected", "abc123.mp4"), "x");
writeFileSync(join(dir, "public-dataset", "1111-2222.mp4"), "x"); // uncut source only
writeFileSync(join(dir, "public-dataset", "cut_1_3.mp4"), "x"); // already cut
writeFileSync(join(dir, "public-dataset", "cut.mp4"), "x"); // its source too: the cut file wins
writeFileSync(join(dir, "video_info.meta.jsonl"), META);
const metaFile = join(dir, "video_info.meta.jsonl");

test("broken lines and items become issues with file, line and field; the rest loads", async () => {
  const { samples, issues } = await motionbench.load(dir);
  assert.deepEqual(
    samples.map((s) => s.id),
    ["u1", "u2", "u4", "u5", "u7", "u9", "u10"],
  );
  const brief = issues.map((i) => [i.file, i.line, i.field ?? null, i.action]);
  assert.deepEqual(brief, [
    [metaFile, 3, null, "skipped"], // invalid JSON
    [metaFile, 8, null, "skipped"], // blank line (upstream's jsonlines raises there)
    [metaFile, 4, "qa[0].question", "kept"], // empty option "D. "
    [metaFile, 5, "qa[0].answer", "kept"], // answer D is not one of A–C
    [metaFile, 6, "video_path", "skipped"], // missing field
    [metaFile, 7, "qa[1].question", "skipped"], // missing question; siblings still load
    [metaFile, 9, "video_path", "kept"], // clip not on disk
  ]);
  assert.match(issues[0].message, /invalid JSON/);
  assert.match(issues[1].message, /blank line/);
  assert.match(issues[2].message, /option D is empty/);
  assert.match(issues[3].message, /answer "D" is not one of the options ABC/);
});

test("dropBroken skips flawed items; split by NA; clip windows from uncut sources", async () => {
  const { samples } = await motionbench.load(metaFile, { dropBroken: true });
  assert.deepEqual(
    samples.map((s) => s.id),
    ["u1", "u2", "u7", "u9", "u10"],
  );
  const byId = Object.fromEntries(samples.map((s) => [s.id, s]));
  assert.equal(byId.u1.split, "dev");
  assert.equal(byId.u2.split, "test");
  assert.deepEqual(byId.u1.video, { path: join(dir, "self-collected", "abc123.mp4") });
  assert.deepEqual(byId.u2.video, { path: join(dir, "public-dataset", "1111-2222.mp4"), window: [58, 59] });
  assert.deepEqual(byId.u7.video, { path: join(dir, "public-dataset", "cut_1_3.mp4") });
  assert.equal(byId.u1.question, "What does the person do?");
  assert.deepEqual(byId.u1.options, [
    "Jump, Lay down, Stand",
    "Jump, Stand, Lay down",
    "Lay down, Stand, Jump",
  ]);
});

test("prompt snapshots of one frozen sample per preset", async () => {
  const { samples } = await motionbench.load(metaFile);
  const u1 = samples[0];
  assert.equal(
    motionbenchPrompt(u1, "lmms-eval").text,
    "What does the person do?\nA. Jump, Lay down, Stand\nB. Jump, Stand, Lay down\nC. Lay down, Stand, Jump\n" +
      "Answer with only the option letter (A, B, C, D, E, or F).",
  );
  assert.equal(
    motionbenchPrompt(u1, "kinema").text,
    "What does the person do?\nA. Jump, Lay down, Stand\nB. Jump, Stand, Lay down\nC. Lay down, Stand, Jump\n" +
      "Answer with the letter of the correct option (A, B or C) only.",
  );
  // lmms-eval drops the empty option D entirely.
  const u4 = samples.find((s) => s.id === "u4")!;
  assert.doesNotMatch(motionbenchPrompt(u4, "lmms-eval").text, /\nD\./);
  assert.equal(motionbench.prompt(u1).preset, "lmms-eval"); // default preset
  assert.equal(motionbench.promptHash!(u1, "lmms-eval"), motionbench.promptHash!(u1, "lmms-eval"));
  assert.notEqual(motionbench.promptHash!(u1, "lmms-eval"), motionbench.promptHash!(u1, "kinema"));
  assert.match(motionbench.promptHash!(u1), /^[0-9a-f]{16}$/);
});

test("parse modes and run summary: failed excluded, unparsed wrong, official block", async () => {
  const { samples } = await motionbench.load(metaFile);
  const u1 = samples[0];
  assert.deepEqual(parseMotionBench("The answer is B", u1, "official"), { answer: "T", ok: false });
  assert.deepEqual(parseMotionBench("The answer is B", u1, "lenient"), { answer: "B", ok: true });
  assert.deepEqual(parseMotionBench("(A)", u1, "official"), { answer: "A", ok: true });
  const byId = Object.fromEntries(samples.map((s) => [s.id, s]));
  const o = (id: string, status: SampleOutcome["status"], raw?: string): SampleOutcome => ({
    sample: byId[id],
    status,
    raw,
  });
  const outcomes = [
    o("u1", "ok", "A"), // right (MR)
    o("u2", "ok", "B"), // test: no ground truth
    o("u4", "ok", "B"), // right (AO)
    o("u5", "unparsed", "hmm"), // wrong (RC)
    o("u7", "failed"), // excluded
    o("u9", "ok", "(C)"), // wrong, gt B (MO)
    o("u10", "ok", "B"), // right (LM)
  ];
  const s = summarizeMotionBench(outcomes, { resamples: 200 });
  assert.deepEqual(s.counts, { total: 7, ok: 5, failed: 1, unparsed: 1, scored: 5, noGroundTruth: 1 });
  assert.equal(s.overall.n, 5);
  assert.equal(s.overall.right, 3);
  assert.equal(s.overall.acc, 0.6);
  assert.deepEqual(Object.keys(s.categories), [
    "Motion Recognition",
    "Location-related Motion",
    "Motion-related Objects",
    "Action Order",
    "Repetition Count",
  ]);
  // Official: answered = 6 (u7 failed → unanswered); u2 answered test → not in total_qa (7 - 1 = 6); right 3.
  assert.deepEqual(
    [s.official.total_answered_num, s.official.total_qa_num, s.official.right_num, s.official.acc],
    [6, 6, 3, 0.5],
  );
});

test("scorer view of the meta: every QA with a uid counts; multi-QA lines flagged", async () => {
  const { readFileSync } = await import("node:fs");
  const { parseJsonl, metaRows } = await import("./load.ts");
  const { lines, issues } = parseJsonl(readFileSync(metaFile, "utf8"), metaFile);
  assert.deepEqual(
    issues.map((i) => i.line),
    [3, 8],
  );
  const { rows, issues: more } = metaRows(lines, metaFile);
  // Upstream scores u8 too (it never reads the question), and the u4/u5 items the loader flags.
  assert.deepEqual(
    rows.flatMap((r) => r.qa.map((q) => q.uid)),
    ["u1", "u2", "u4", "u5", "u6", "u7", "u8", "u9", "u10"],
  );
  assert.deepEqual(
    more.map((i) => [i.line, i.field, i.action]),
    [[7, "qa", "kept"]],
  );
});
