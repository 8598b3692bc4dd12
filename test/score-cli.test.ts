// `kinema score motionbench` and `kinema eval` print the problems they found in the files even when the
// command then fails.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { makeMotionBenchFixture } from "../devkit/motionbench-fixture.ts";
import { cliRunner } from "./helpers/cli.ts";

const tmp = mkdtempSync(join(tmpdir(), "kinema-scorecli-"));
const { kinema } = cliRunner(() => tmp);
after(() => rmSync(tmp, { recursive: true, force: true }));

test("warnings about skipped lines come out before the error that ends the run", async () => {
  const meta = join(tmp, "meta.jsonl");
  const pred = join(tmp, "pred.jsonl");
  const qa = { uid: "u1", answer: "A", question: "Q?\nA. x\nB. y" };
  writeFileSync(
    meta,
    `${JSON.stringify({ question_type: "Camera Motion", qa: [qa], video_path: "v.mp4" })}\n{oops\n`,
  );
  // a prediction line that is not JSON, and no prediction for u1: upstream divides by zero
  writeFileSync(pred, `{"u9": "A"}\n{not json\n`);
  const r = await kinema(["score", "motionbench", "--meta", meta, "--pred", pred]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /warning: .*meta\.jsonl:2: invalid JSON/);
  assert.match(r.stderr, /warning: .*pred\.jsonl:2: invalid JSON/);
  assert.match(r.stderr, /no prediction matches a question uid/);
  assert.ok(r.stderr.indexOf("warning") < r.stderr.indexOf("no prediction matches"));
});

test("kinema eval prints the skipped lines at once, before an error stops it", async () => {
  const bench = makeMotionBenchFixture(join(tmp, "mb"), [{ uid: "u1", text: "q", answer: "A" }], 1);
  appendFileSync(join(bench, "video_info.meta.jsonl"), "{broken\n");
  const r = await kinema([
    "eval",
    "--bench",
    `motionbench:${bench}`,
    "--model",
    "nosuch:x",
    "--run-dir",
    tmp,
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /warning: .*video_info\.meta\.jsonl:2: invalid JSON.*\(skipped\)/);
  assert.ok(r.stderr.indexOf("warning") < r.stderr.lastIndexOf("nosuch"), r.stderr);
});
