// The judge prompts are protocol constants: pinned by sha256 here, and compared byte for byte with the
// reference copies of the upstream files when the shared reference folder sits beside the repository.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { judgeMessages, promptHash, VCGPT_PROMPTS, VIDEOREFER_D_SYSTEM } from "../src/judge/index.ts";

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

// sha256 of [system, user template] as read from shared/reference/vcgpt_judge_prompts.json
const PINS: Record<string, [string, string]> = {
  open_ended_qa: [
    "12b9e42d120081bf1e7f1999bb09db2db250add544abd3c183d61a2f938c6510",
    "66490ee04d3bedaa932916173b5522bb8748c93d422666446671e2e2a965f3c0",
  ],
  correctness: [
    "d3e95c91b75d55f1697314779ea99483cf497e4dc5c801829086fb6da23b94a5",
    "b73821cf31e193f1bb627924c6cc946b7bc8b3cf1aee45797ed0c7a19b574d4e",
  ],
  detail: [
    "692afe543175215e773d22d66e479e9eba30ce2d8076d92d89c6f96fcc716d5d",
    "12a0945be9496cfb694fc31d3180fdbcd3475770f886ca334864feedfd21fcd4",
  ],
  context: [
    "ab6063175e1a35daec0b07fc8071bf1f6ae6ddcf65f4f82daee873de96e089c1",
    "c48840afd96688beb637d48d700269dd787f09414dfa3446630878d2d56604b8",
  ],
  temporal: [
    "2a0b0335b04144b933618382d211453e05d331ca52f0a75fe7606477356b34d0",
    "98f80acc48fefa7fd49b5c486412c752dddaf369dfc85cf1ef8008339038b65e",
  ],
  consistency: [
    "15f01dba1f255e7f676dc0e88eabea23dec7c1bfa102695dc21ceecacf5b204d",
    "45cb7a21eb8ae21429dc697102248d466dd3aa56bd79c25e13e1cc1eebc87788",
  ],
};
const BENCH_D_PIN = "39596092750e8982c35c54f2ac0116772741f116410f99f5e4d7d051b9d3b088";

test("judge prompts match their pinned sha256", () => {
  assert.deepEqual(Object.keys(VCGPT_PROMPTS).sort(), Object.keys(PINS).sort());
  for (const [k, [s, u]] of Object.entries(PINS)) {
    const p = VCGPT_PROMPTS[k as keyof typeof VCGPT_PROMPTS];
    assert.equal(sha(p.system), s, `${k}.system`);
    assert.equal(sha(p.user), u, `${k}.user`);
  }
  assert.equal(sha(VIDEOREFER_D_SYSTEM), BENCH_D_PIN);
  // the original typos are part of the protocol
  assert.ok(VCGPT_PROMPTS.correctness.user.includes("STRING.DO NOT PROVIDE"));
  assert.ok(VCGPT_PROMPTS.correctness.user.endsWith("{''score': 4.8}."));
  // upstream's file has a literal backslash-n and a no-break space before the last "xxx"
  assert.ok(VIDEOREFER_D_SYSTEM.endsWith("4. Hallucination Detection: 3\\nExplanation:\u00a0xxx"));
  assert.notEqual(promptHash(VCGPT_PROMPTS.detail), promptHash(VCGPT_PROMPTS.context));
});

test("judge prompts equal the reference files byte for byte (when shared/reference is present)", () => {
  const candidates = [
    process.env.KINEMA_SHARED_REFERENCE,
    new URL("../../shared/reference/", import.meta.url).pathname,
    "/work/shared/reference/",
  ].filter((x): x is string => !!x);
  const refDir = candidates.find((d) => existsSync(`${d}/vcgpt_judge_prompts.json`));
  if (!refDir) {
    // without the reference copies the pins above are the check; say so in the test output
    console.log("shared/reference not found: prompts checked by sha256 pins only");
    return;
  }
  const json = JSON.parse(readFileSync(`${refDir}/vcgpt_judge_prompts.json`, "utf8"));
  assert.deepEqual(json, VCGPT_PROMPTS);
  assert.equal(readFileSync(`${refDir}/videorefer_bench_d_judge_system.txt`, "utf8"), VIDEOREFER_D_SYSTEM);
});

test("a frozen sample's exact judge messages (prompt-stability snapshot)", () => {
  const m = judgeMessages("open_ended_qa", {
    id: "v_1",
    question: "what is the man doing",
    answer: "surfing",
    pred: "He is surfing {a wave}.",
  });
  assert.equal(
    sha(m.user),
    sha(
      "Please evaluate the following video-based question-answer pair:\n\nQuestion: what is the man doing\nCorrect Answer: surfing\nPredicted Answer: He is surfing {a wave}.\n\nProvide your evaluation only as a yes/no and score where the score is an integer value between 0 and 5, with 5 indicating the highest meaningful match. Please generate the response in the form of a Python dictionary string with keys 'pred' and 'score', where value of 'pred' is  a string of 'yes' or 'no' and value of 'score' is in INTEGER, not STRING.DO NOT PROVIDE ANY OTHER OUTPUT TEXT OR EXPLANATION. Only provide the Python dictionary string. For example, your response should look like this: {'pred': 'yes', 'score': 4.8}.",
    ),
  );
  assert.equal(m.system, VCGPT_PROMPTS.open_ended_qa.system);
});
