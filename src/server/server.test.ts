// The explorer's handler called without a socket: routes, status codes, headers and exports, as `kinema serve`
// answers them (test/explorer-api.test.ts covers the same over a real port and a real store).
import assert from "node:assert/strict";
import { test } from "node:test";
import { memorySource, type SampleRecord } from "../analysis/types.ts";
import type { ApiRequest } from "./http.ts";
import { API_ROUTES } from "./routes.ts";
import { createHandler } from "./server.ts";

function sample(i: number, correct: boolean): SampleRecord {
  return {
    id: `s${i}`,
    videoId: `v${i % 3}`,
    category: i % 2 ? "Camera Motion" : "Motion Recognition",
    question: `question ${i}`,
    options: ["A. left", "B. right"],
    answer: "A",
    raw: correct ? "A" : "B",
    parsed: correct ? "A" : "B",
    status: "ok",
    correct,
  };
}

const source = memorySource([
  {
    info: { id: "run/1", benchmark: "motionbench", model: "random:0", frames: "uniform:8", createdAt: "t" },
    samples: [0, 1, 2, 3].map((i) => sample(i, i !== 3)),
  },
]);

function get(url: string, headers: Record<string, string> = { host: "127.0.0.1:1" }): ApiRequest {
  return { method: "GET", url, headers, body: async () => "" };
}

test("the API answers through its route table without opening a port", async () => {
  const h = createHandler({ source, web: false });
  const ov = await h.handle(get("/api/overview"));
  assert.equal(ov.status, 200);
  assert.equal(ov.headers["content-type"], "application/json; charset=utf-8");
  assert.equal(ov.headers["x-content-type-options"], "nosniff");
  const body = JSON.parse(String(ov.body));
  assert.deepEqual(body.benchmarks, ["motionbench"]);
  assert.equal(body.runs[0].overall.acc, 3 / 4);
  assert.equal(body.runs[0].config, undefined);

  const run = JSON.parse(String((await h.handle(get("/api/runs/run%2F1"))).body));
  assert.equal(run.overall.n, 4);
  assert.ok(Array.isArray(run.plots.categories));

  const page = JSON.parse(String((await h.handle(get("/api/runs/run%2F1/samples?outcome=wrong"))).body));
  assert.deepEqual(
    page.rows.map((r: { id: string }) => r.id),
    ["s3"],
  );
  assert.equal(page.info.id, "run/1");

  const csv = await h.handle(get("/api/leaderboard.csv?bench=motionbench"));
  assert.equal(csv.status, 200);
  assert.match(String(csv.headers["content-disposition"]), /filename="leaderboard-motionbench\.csv"/);
  assert.match(String(csv.body), /^run,model,frames,judge,n,acc,ci_lo,ci_hi,/);
  h.close();
});

test("errors become JSON replies with the status of their kind", async () => {
  const h = createHandler({ source, web: false });
  const status = async (r: ApiRequest) => (await h.handle(r)).status;
  assert.equal(await status(get("/api/nope")), 404);
  assert.equal(await status(get("/api/runs/missing")), 404);
  assert.equal(await status(get("/api/sweeps")), 404);
  assert.equal(await status(get("/api/diff?a=run%2F1")), 400);
  assert.equal(await status(get("/api/overview", { host: "evil.example" })), 403);
  assert.equal(await status({ ...get("/api/overview"), method: "POST" }), 405);
  assert.equal(await status(get("/somewhere")), 404); // no web app on an API-only handler
  // inherited object keys are not routes
  assert.equal(await status(get("/api/constructor")), 404);
  const r = await h.handle(get("/api/runs/missing"));
  assert.equal(JSON.parse(String(r.body)).code, "not_found");
  h.close();
});

test("the route table names every API head the web app calls", () => {
  assert.deepEqual(Object.keys(API_ROUTES).sort(), [
    "diff",
    "diff.csv",
    "leaderboard",
    "leaderboard.csv",
    "overview",
    "runs",
    "study",
    "sweeps",
  ]);
});
