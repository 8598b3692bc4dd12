// --judge-reparse K against a loopback judge: an unreadable reply is asked again up to K times (upstream
// Video-ChatGPT loops until ast.literal_eval succeeds; kinema bounds it), through `kinema judge` too.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { judgeCommand } from "../src/cli/commands/judge.ts";
import { judgeRun } from "../src/judge/index.ts";
import { createAdapter } from "../src/models/index.ts";

let server: LoopbackServer;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "kinema-reparse-"));
  // each question's first two replies are prose; the third is the dict upstream expects
  server = await startLoopbackServer({
    script: (r) =>
      r.attempt <= 2
        ? reply.answer("Sure! The prediction is right.")
        : reply.answer("{'pred': 'yes', 'score': 4}"),
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const items = (tag: string) => [
  { id: "a", question: `${tag} q1?`, answer: "x", pred: "x" },
  { id: "b", question: `${tag} q2?`, answer: "y", pred: "y" },
];

test("reparse 0 asks once; reparse K re-asks an unreadable reply up to K times", async () => {
  const adapter = await createAdapter("openai:judge", { baseUrl: server.url, env: { OPENAI_API_KEY: "k" } });
  const once = await judgeRun("vcgpt-qa", items("r0"), adapter, {});
  assert.equal(server.count("r0"), 2);
  assert.deepEqual(
    once.judgements.map((j) => j.status),
    ["unparsed", "unparsed"],
  );
  const short = await judgeRun("vcgpt-qa", items("r1"), adapter, { reparse: 1 });
  assert.equal(server.count("r1"), 4, "one re-ask each, still prose");
  assert.deepEqual(
    short.judgements.map((j) => [j.status, j.reasks]),
    [
      ["unparsed", 1],
      ["unparsed", 1],
    ],
  );
  const enough = await judgeRun("vcgpt-qa", items("r5"), adapter, { reparse: 5 });
  assert.equal(server.count("r5"), 6, "stops at the first reply that parses");
  assert.deepEqual(
    enough.judgements.map((j) => [j.status, j.reasks, j.score]),
    [
      ["ok", 2, 4],
      ["ok", 2, 4],
    ],
  );
  assert.equal((enough.aggregate as { accuracy: number }).accuracy, 1);
  await assert.rejects(judgeRun("vcgpt-qa", items("bad"), adapter, { reparse: -1 }), /--judge-reparse/);
});

test("kinema judge --judge-reparse on a predictions file", async () => {
  const pred = join(dir, "pred.json");
  writeFileSync(pred, JSON.stringify(items("cli").map((x) => ({ ...x, id: x.id }))));
  const r = await judgeCommand(
    "vcgpt-qa",
    { pred, judge: "openai:judge", judgeBaseUrl: server.url, judgeReparse: 2, cache: false },
    { OPENAI_API_KEY: "k" },
  );
  assert.equal(r.accuracy, 1);
  assert.equal(server.count("cli"), 6);
});
