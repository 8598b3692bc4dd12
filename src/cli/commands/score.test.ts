// `kinema score` end to end through the real CLI process: exact upstream keys and values on edge-case
// prediction files (expected values worked out by hand from the upstream rules, one comment per line).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { scoreMotionBenchFiles } from "../../benchmarks/motionbench/results.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-score-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const MAIN = join(import.meta.dirname, "..", "main.ts");

function kinema(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const Q = "Q?\nA. a\nB. b\nC. c\nD. d";
const qaLine = (qt: string, uid: string, answer: string) =>
  JSON.stringify({
    question_type: qt,
    key: uid,
    video_path: `${uid}.mp4`,
    qa: [{ uid, answer, question: Q }],
  });
const meta = join(dir, "video_info.meta.jsonl");
writeFileSync(
  meta,
  [
    qaLine("Motion Recognition", "m1", "A"),
    qaLine("Motion Recognition", "m2", "B"),
    qaLine("Location-related Motion", "l1", "C"),
    qaLine("Camera Motion", "c1", "D"),
    qaLine("Action Order", "t1", "NA"),
    qaLine("Action Order", "t2", "NA"),
    qaLine("Repetition Count", "r1", "A"),
    qaLine("Motion-related Objects", "o1", "B"),
    qaLine("Motion-related Objects", "o2", "C"),
  ].join("\n"),
);
const predJsonl = join(dir, "pred.jsonl");
writeFileSync(
  predJsonl,
  [
    { m1: "(A) Jump" }, // → "A" (right)
    { m1: "B" }, // duplicate: old "A" holds a letter → stays "A"
    { m2: "b" }, // → "b": lower case is wrong upstream
    { l1: "The answer is C" }, // → "T"
    { l1: "C" }, // duplicate: old "T" holds no A–D → "C" (right)
    { c1: null }, // None → ""
    { c1: "\u3000D\u00a0" }, // duplicate: old "" → new; Unicode spaces stripped → "D" (right)
    { t1: "A" }, // answered test question: answered_num +1, not in total_qa_num
    { r1: "\uFEFFA" }, // BOM survives strip() → "\uFEFF" (wrong)
    { o1: "", zz: "A" }, // o1 answered with "" (wrong); zz is not in the meta: ignored
    // t2 (test) and o2 (dev) unanswered: both count in total_qa_num
  ]
    .map((o) => JSON.stringify(o))
    .join("\n"),
);

test("score motionbench --json prints exactly upstream's result (official parse)", () => {
  const r = kinema("score", "motionbench", "--meta", meta, "--pred", predJsonl, "--json");
  assert.equal(r.code, 0, r.err);
  const got = JSON.parse(r.out);
  // Walk: m1 ✓ m2 ✗ l1 ✓ c1 ✓ (t1 continue) t2 unanswered, r1 ✗ o1 ✗, o2 unanswered.
  // total_qa_num = 7 dev + 1 unanswered test = 8; answered = 7; right = 3.
  assert.deepEqual(Object.keys(got), [
    "Motion Recognition",
    "Location-related Motion",
    "Camera Motion",
    "Repetition Count",
    "Motion-related Objects",
    "acc",
    "answered_acc",
    "total_qa_num",
    "total_answered_num",
    "right_num",
  ]);
  assert.deepEqual(got, {
    "Motion Recognition": 0.5,
    "Location-related Motion": 1,
    "Camera Motion": 1,
    "Repetition Count": 0,
    "Motion-related Objects": 0,
    acc: 3 / 8,
    answered_acc: 3 / 7,
    total_qa_num: 8,
    total_answered_num: 7,
    right_num: 3,
  });
});

test("lenient parse and a plain JSON {uid: raw} file", () => {
  // Lenient: m2 "b" → B ✓, l1 "The answer is C" → C ✓ (then kept), r1 BOM+A → A ✓, o1 "" → "" ✗: right 5.
  const lenient = scoreMotionBenchFiles({ meta, pred: predJsonl, parse: "lenient" }).result;
  assert.equal(lenient.right_num, 5);
  assert.equal(lenient.acc, 5 / 8);
  assert.equal(lenient["Repetition Count"], 1);
  const predJson = join(dir, "pred.json");
  writeFileSync(predJson, JSON.stringify({ m1: "A", m2: "B", t2: "C" }, null, 2)); // pretty-printed, one object
  const r = kinema("score", "motionbench", "--meta", meta, "--pred", predJson, "--json");
  // m1 ✓ m2 ✓; t2 answered test → not counted; total_qa = 9 − 1 = 8; answered 3.
  assert.deepEqual(JSON.parse(r.out), {
    "Motion Recognition": 1,
    acc: 2 / 8,
    answered_acc: 2 / 3,
    total_qa_num: 8,
    total_answered_num: 3,
    right_num: 2,
  });
});

test("bad lines warn with file:line and the run goes on; table without --json", () => {
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, ['{"m1": "A"}', "{oops", '{"m2": 7}'].join("\n"));
  const r = kinema("score", "motionbench", "--meta", meta, "--pred", bad);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: invalid JSON`));
  assert.match(r.err, /bad\.jsonl:3: m2: answer is number/);
  assert.match(r.out, /Motion Recognition\s+100\.00/);
  assert.match(r.out, /total_qa_num\s+9/);
  const none = kinema("score", "motionbench", "--meta", meta, "--pred", bad, "--parse", "nope");
  assert.equal(none.code, 2);
  assert.match(none.err, /--parse must be one of/);
});

test("score videorefer-q --json", () => {
  const pred = join(dir, "vrq.jsonl");
  writeFileSync(
    pred,
    [
      { video: "a", Answer: "(A) x", pred: "A", type: "Basic Questions" }, // ✓
      { video: "a", Answer: "(B) y", pred: "(b)", type: "Basic Questions" }, // "(" ✗
      { video: "b", Answer: "(C) z", pred: "C) z", type: "Future Predictions" }, // ✓
    ]
      .map((o) => JSON.stringify(o))
      .join("\n"),
  );
  const r = kinema("score", "videorefer-q", "--pred", pred, "--json");
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    types: {
      "Basic Questions": { n: 2, right: 1, acc: 0.5 },
      "Future Predictions": { n: 1, right: 1, acc: 1 },
    },
    average: { n: 3, right: 2, acc: 2 / 3 },
  });
  const t = kinema("score", "videorefer-q", "--pred", pred);
  assert.match(t.out, /Average\s+3\s+2\s+66\.67/);
});
