// The request cache key covers everything the model receives: on VideoRefer-Bench-D, the objects of one clip
// share the clip, the frame indices and the prompt, and differ only in the mask drawn on the frames. Each
// object must get its own request and its own answer (the loopback server answers with a digest of the
// images it received, so a shared cache entry would hand one object another object's description).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let data: string;
let server: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);

const imageDigest = (body: any): string => {
  const parts: any[] = body.messages.at(-1).content.filter((p: any) => p.type === "image_url");
  const h = createHash("sha256");
  for (const p of parts) h.update(p.image_url.url);
  return h.digest("hex").slice(0, 12);
};

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-cachekey-"));
  data = join(tmp, "vr");
  const g = await kinema(["synth", "--kind", "videorefer", "--n", "2", "--seed", "3", "--out", data]);
  assert.equal(g.code, 0, g.stderr);
  server = await startLoopbackServer({
    script: (r) => reply.answer(`object seen as ${imageDigest(r.body)}`),
  });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test("videorefer-d: two objects of one clip with the same frames get distinct requests and answers", async () => {
  const runDir = join(tmp, "runs");
  const r = await kinema([
    "eval",
    ...["--bench", `videorefer-d:${data}`, "--model", "openai:loop", "--base-url", server.url],
    ...["--prompt", "som-contour", "--size", "96", "--concurrency", "1"],
    ...["--run-dir", runDir, "--no-progress", "--json"],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const samples = readFileSync(join(runDir, j.run, "samples.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const byVideo = new Map<string, any[]>();
  for (const s of samples) byVideo.set(s.videoId, [...(byVideo.get(s.videoId) ?? []), s]);
  const shared = [...byVideo.values()].find((xs) => xs.length >= 2);
  assert.ok(shared, "the synthetic set describes several objects of one clip");
  // Same clip, same frame indices, same prompt: only the drawn mask differs.
  assert.deepEqual(shared[0].frameIndices, shared[1].frameIndices);
  assert.equal(shared[0].prompt, shared[1].prompt);
  assert.equal(server.requests.length, samples.length, "every object is asked once");
  const raws = shared.map((s) => s.raw);
  assert.equal(new Set(raws).size, raws.length, `answers are distinct per object: ${raws.join(" | ")}`);
  const keys = shared.map((s) => s.request_key);
  assert.equal(new Set(keys).size, keys.length, "request keys are distinct per object");
});
