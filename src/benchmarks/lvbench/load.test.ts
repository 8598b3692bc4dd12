// LVBench loader on its released layout (video_info.meta.jsonl + videos/<key>.mp4), prompt snapshot, summary.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeLvbenchFixture } from "../../../test/helpers/general-fixtures.ts";
import { lvbenchPrompt, parseLvbench, summarizeLvbench } from "./index.ts";
import { loadLvbench } from "./load.ts";

let dir: string;
before(() => {
  dir = makeLvbenchFixture(mkdtempSync(join(tmpdir(), "kinema-lvb-")));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("loads QAs with their (A)–(D) options; bad lines and items listed with file, line and field", async () => {
  const { samples, issues } = await loadLvbench(dir);
  assert.deepEqual(
    samples.map((s) => s.id),
    ["0", "1"],
  );
  assert.deepEqual(samples[0].options, ["red", "green", "blue", "white"]);
  assert.equal(samples[0].question, "What colour is the car?");
  assert.match(samples[0].video.path, /videos\/Cm73ma6Ibcs\.mp4$/);
  assert.ok(issues.some((i) => i.line === 1 && i.field === "qa[2].question"));
  assert.ok(issues.some((i) => i.line === 2 && /invalid JSON/.test(i.message)));
});

test("prompt snapshot: the stored question with its options and lmms-eval's post_prompt", async () => {
  const { samples } = await loadLvbench(dir);
  assert.equal(
    lvbenchPrompt(samples[0]).text,
    "What colour is the car?\n(A) red\n(B) green\n(C) blue\n(D) white\nAnswer the question with the option letter",
  );
});

test("a QA counts in each of its question types; overall counts it once", async () => {
  const { samples } = await loadLvbench(dir);
  const o = (i: number, raw: string) => ({
    sample: samples[i],
    status: "ok" as const,
    raw,
    parsed: parseLvbench(raw, samples[i]),
  });
  const s = summarizeLvbench([o(0, "(B) green"), o(1, "b")]);
  assert.equal(s.overall.n, 2);
  assert.equal(s.overall.right, 1); // "b" is not "C" (and polish_answer does not upper-case)
  assert.deepEqual(Object.keys(s.categories), [
    "entity recognition",
    "key information retrieval",
    "reasoning",
  ]);
  assert.deepEqual(s.official, {
    "entity recognition": 1,
    "key information retrieval": 1,
    reasoning: 0,
    acc: 0.5,
  });
});
