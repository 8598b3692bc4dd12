// Video-ChatGPT judge replies read as upstream reads them (ast.literal_eval, int(d['score']), d['pred']):
// vcgpt-replies.vectors.json was made by running those Python builtins on each reply
// (scripts/vectors/vcgpt-replies.py, CPython 3.11): Unicode digits in int(), \N{NAME} escapes (valid,
// unknown, case rules of CPython's name lookup, algorithmic CJK and Hangul names, aliases).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseVcgptReply } from "./parse.ts";

const vectors = JSON.parse(readFileSync(join(import.meta.dirname, "vcgpt-replies.vectors.json"), "utf8"));

test("every reply reads as CPython reads it: literal or not, int(score), pred's code points", () => {
  assert.ok(vectors.cases.length > 400);
  for (const c of vectors.cases) {
    const r = parseVcgptReply(c.reply);
    const what = JSON.stringify(c.reply);
    assert.equal(r.status, c.literal && c.dict ? "ok" : "unparsed", `${what}: ${r.reason}`);
    if (r.status !== "ok") continue;
    assert.equal(r.score ?? null, c.score, `${what}: score`);
    if (c.pred === null || c.reply.includes("b'")) continue; // bytes: upstream's pred.lower() would crash
    const pred = r.dict?.pred as string;
    assert.deepEqual(
      [...pred].map((ch) => ch.codePointAt(0)),
      c.pred_codepoints,
      `${what}: pred`,
    );
  }
});
