// The explorer's handler called without a socket: routes, status codes, headers, exports and the review API's
// write checks, as `kinema serve` answers them (test/explorer-api.test.ts covers the same over a real port and a real store).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { memorySource, type SampleRecord } from "../analysis/types.ts";
import { openEngineStore } from "../store/engine.ts";
import { type ApiRequest, HttpError } from "./http.ts";
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

test("the review API's write checks, without a port: token, origin, JSON, size; a good decision is stored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-review-handler-"));
  const store = openEngineStore(dir);
  store.setMeta("kind", "motionbench-qa");
  store.putItem({
    id: "c1-q1",
    idx: 0,
    source: "c1",
    state: "kept",
    dropReason: null,
    filter: [],
    data: {
      kind: "motionbench-qa",
      question: "Which way does the figure walk?",
      options: ["left", "right", "nowhere", "up"],
      answer: 0,
      category: "Motion Recognition",
      video: join(dir, "none.mp4"),
    },
  });
  store.close();
  const h = createHandler({ source, web: false, review: { dir, token: "secret" } });
  try {
    const host = "127.0.0.1:1";
    const post = (body: string, headers: Record<string, string>): ApiRequest => ({
      method: "POST",
      url: "/api/review/decisions",
      headers: { host, ...headers },
      body: async (limit = Infinity) => {
        if (Buffer.byteLength(body) > limit) throw new HttpError(413, "body too large");
        return body;
      },
    });
    const json = { "content-type": "application/json" };
    const ok = JSON.stringify({ itemId: "c1-q1", decision: "accept", reviewer: "ana" });
    const q = await h.handle(get("/api/review/queue"));
    assert.equal(q.status, 200);
    assert.deepEqual(
      JSON.parse(String(q.body)).items.map((i: { id: string }) => i.id),
      ["c1-q1"],
    );
    assert.equal((await h.handle(post(ok, json))).status, 403); // no token
    assert.equal((await h.handle(post(ok, { ...json, "x-kinema-token": "nope" }))).status, 403);
    const tok = { ...json, "x-kinema-token": "secret" };
    assert.equal((await h.handle(post(ok, { ...tok, origin: "http://evil.example" }))).status, 403);
    assert.equal((await h.handle(post(ok, { ...tok, "sec-fetch-site": "cross-site" }))).status, 403);
    assert.equal((await h.handle(post(ok, { ...tok, "content-type": "text/plain" }))).status, 415);
    assert.equal((await h.handle(post("{", tok))).status, 400);
    assert.equal((await h.handle(post("x".repeat(70_000), tok))).status, 413);
    const bad = await h.handle(
      post(JSON.stringify({ itemId: "c1-q1", decision: "maybe", reviewer: "ana" }), tok),
    );
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(String(bad.body)).error, /decision/);
    const good = await h.handle(post(ok, { ...tok, origin: `http://${host}` }));
    assert.equal(good.status, 200, String(good.body));
    assert.equal(JSON.parse(String(good.body)).progress.accepted, 1);
  } finally {
    h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
