// End to end: `kinema eval` (real runner, real decoder) against a loopback OpenAI-compatible server on a
// generated synthetic set, then the explorer: the frames it shows are the pixels the model was sent.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { openSqliteSource } from "../src/analysis/source-sqlite.ts";
import { defaultDeps } from "../src/run/deps.ts";
import { runEval } from "../src/run/runner.ts";
import { type ExplorerServer, startServer } from "../src/server/server.ts";
import { generateDataset } from "../src/synth/index.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-explorer-e2e-"));
let api: LoopbackServer;
let server: ExplorerServer;
let runId: string;

before(async () => {
  process.env.KINEMA_CACHE_DIR = join(dir, "cache");
  await generateDataset({ n: 4, seed: 3, out: join(dir, "synth") });
  api = await startLoopbackServer({ script: () => reply.answer("B") });
  const r = await runEval(
    {
      bench: `synth:${join(dir, "synth")}`,
      model: "openai:test-vlm",
      frames: "uniform:4",
      size: 64,
      fit: "pad",
      runDir: join(dir, "runs"),
      progress: false,
      modelOptions: { baseUrl: api.url, env: { OPENAI_API_KEY: "sk-test" } },
    },
    defaultDeps,
  );
  runId = r.run.id;
  server = await startServer({
    source: openSqliteSource(join(dir, "runs")),
    runDir: join(dir, "runs"),
    web: false,
  });
});

after(async () => {
  await server?.close();
  server?.explorer.source.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the sample view's frames are the images the model received (same indices, size and pixels)", async () => {
  const lb = await (await fetch(`${server.url}/api/leaderboard?bench=synth`)).json();
  assert.equal(lb.rows.length, 1);
  assert.equal(lb.rows[0].frames, "uniform:4");
  const page = await (await fetch(`${server.url}/api/runs/${runId}/samples?pageSize=10`)).json();
  assert.equal(page.total, 4);
  for (const row of page.rows) {
    const d = await (await fetch(`${server.url}/api/runs/${runId}/samples/${row.id}`)).json();
    assert.equal(d.frames.length, 4);
    assert.ok(d.frames.every((f: any) => typeof f.time === "number"));
    // the request the model got for this question (the question text is in the prompt)
    const req = api.requests.find((q) => q.text.includes(d.sample.question));
    assert.ok(req, `no request for ${row.id}`);
    const sent = req.body.messages
      .at(-1)
      .content.filter((p: any) => p.type === "image_url")
      .map((p: any) => Buffer.from(p.image_url.url.split(",")[1], "base64"));
    assert.equal(sent.length, 4);
    for (let k = 0; k < 4; k++) {
      const shown = Buffer.from(
        await (await fetch(`${server.url}/api/runs/${runId}/samples/${row.id}/frames/${k}`)).arrayBuffer(),
      );
      // same decoder, same size/fit, same encoder: the very bytes the model was sent
      assert.ok(shown.equals(sent[k]), `frame ${k} of ${row.id} differs from what the model received`);
    }
  }
});
