// The §9.2 prompt file is the paper's text byte for byte: compared with seed 001 (when present) and a pinned hash.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MOTIONBENCH_QA_PROMPT, MOTIONBENCH_QA_PROMPT_FILE, MOTIONBENCH_QA_PROMPT_SHA256 } from "./prompt.ts";

const SEED = [
  process.env.KINEMA_SHARED_SEEDS && join(process.env.KINEMA_SHARED_SEEDS, "001_b06ad638161d00b6.txt"),
  join(import.meta.dirname, "..", "..", "..", "shared", "seeds", "001_b06ad638161d00b6.txt"),
  "/work/shared/seeds/001_b06ad638161d00b6.txt",
].find((p): p is string => !!p && existsSync(p));

test("the prompt file is pinned byte for byte (sha256, length, ends)", () => {
  const bytes = readFileSync(MOTIONBENCH_QA_PROMPT_FILE);
  assert.equal(bytes.length, 4409);
  assert.equal(
    MOTIONBENCH_QA_PROMPT_SHA256,
    "18a648086780abbf6bf737fb5e3402580e5bd9b6605f55c9d773420c5d6b46fc",
  );
  assert.ok(
    MOTIONBENCH_QA_PROMPT.startsWith(
      "You are a professional question designer specializing in dynamic video details.",
    ),
  );
  assert.ok(
    MOTIONBENCH_QA_PROMPT.endsWith(
      "Ensure it can be parsed by json.loads() without returning anything outside the list.",
    ),
  );
  assert.ok(MOTIONBENCH_QA_PROMPT.includes("you’re viewing the video directly")); // typographic apostrophe kept
});

test("the prompt file is exactly the §9.2 text of seed 001 (when the seeds are present)", () => {
  if (!SEED) {
    console.log("shared/seeds not found: the prompt is checked by its sha256 pin only");
    return;
  }
  const seed = readFileSync(SEED, "utf8");
  const start = seed.indexOf("You are a professional question designer");
  const endMark = "without returning anything outside the list.";
  const end = seed.indexOf(endMark, start) + endMark.length;
  assert.ok(start > 0 && end > start);
  assert.ok(seed.slice(0, start).includes("### 9.2 Step2: Automatic QA generation"));
  assert.equal(MOTIONBENCH_QA_PROMPT, seed.slice(start, end));
});
