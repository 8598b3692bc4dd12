// Perception Test loader on the validation layout (mc_question_valid.json + videos/), prompt snapshot.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makePerceptionTestFixture } from "../../../test/helpers/general-fixtures.ts";
import { perceptionTestPrompt } from "./index.ts";
import { loadPerceptionTest } from "./load.ts";

let dir: string;
before(() => {
  dir = makePerceptionTestFixture(mkdtempSync(join(tmpdir(), "kinema-pt-")));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("loads mc_question items; answer_id becomes a letter; a bad item names its field", async () => {
  const { samples, issues } = await loadPerceptionTest(dir);
  assert.deepEqual(
    samples.map((s) => [s.id, s.answer, s.category]),
    [
      ["video_10909/0", "B", "Memory"],
      ["video_10909/1", "C", "Semantics"],
    ],
  );
  assert.match(samples[0].video.path, /videos\/video_10909\.mp4$/);
  const bad = issues.find((i) => i.field === "video_10909.mc_question[2].answer_id");
  assert.ok(bad && bad.line === 2, JSON.stringify(issues));
});

test("prompt snapshot (lmms-eval's doc_to_text)", async () => {
  const { samples } = await loadPerceptionTest(dir);
  assert.equal(
    perceptionTestPrompt(samples[0]).text,
    "What did the person pick up?\nA. a pen\nB. a cup\nC. a key\nAnswer with the option's letter from the given choices directly.",
  );
});
