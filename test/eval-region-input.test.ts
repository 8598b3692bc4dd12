// Region input end to end: `kinema eval --bench videorefer-q:DIR --model openai:loop --region-input masks`
// sends, for each object and each frame sent, a text label and the object's mask as a PNG part; the loopback
// server decodes every PNG and compares it with the annotation in the Bench-Q file. Without the flag no mask
// parts go out, and the flag (hence the masks) changes the request cache key.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type LoopbackServer, reply, startLoopbackServer } from "../devkit/loopback-server.ts";
import type { Rle } from "../src/benchmarks/types.ts";
import { decodeMaskPng } from "../src/masks/png.ts";
import { decodeMask } from "../src/masks/rle.ts";
import { cliRunner } from "./helpers/cli.ts";

let tmp: string;
let data: string;
let server: LoopbackServer;
const { kinema, children } = cliRunner(() => tmp);

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kinema-region-"));
  data = join(tmp, "vr");
  const g = await kinema(["synth", "--kind", "videorefer", "--n", "5", "--seed", "3", "--out", data]);
  assert.equal(g.code, 0, g.stderr);
  server = await startLoopbackServer({ script: () => reply.answer("(A)") });
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Q {
  id: number;
  Question: string;
  frame_idx: string;
  annotation: Record<string, { segmentation: Rle | null }>[];
}
const questions = (): Q[] => JSON.parse(readFileSync(join(data, "VideoRefer-Bench-Q.json"), "utf8"));

async function run(extra: string[]) {
  const from = server.requests.length;
  const r = await kinema([
    "eval",
    ...["--bench", `videorefer-q:${data}`, "--model", "openai:loop", "--base-url", server.url],
    ...["--run-dir", join(tmp, "runs"), "--no-progress", "--json", ...extra],
  ]);
  assert.equal(r.code, 0, r.stderr);
  return { j: JSON.parse(r.stdout), requests: server.requests.slice(from) };
}

/** The last user message's parts: frame images, then (label, mask PNG) pairs, then the prompt. */
function parts(req: { body: any }) {
  return req.body.messages.at(-1).content as any[];
}

test("--region-input masks sends each object's mask on each frame sent, labelled, as PNG", async () => {
  const { j, requests } = await run(["--mode", "single", "--region-input", "masks"]);
  const qs = questions();
  assert.equal(j.counts.ok, qs.length);
  assert.equal(requests.length, qs.length);
  let checked = 0;
  for (const req of requests) {
    const p = parts(req);
    const prompt = p.at(-1).text as string;
    const q = qs.find((x) => prompt.startsWith(x.Question.replaceAll("<region>", "[<region>]")))!;
    assert.ok(q, prompt);
    // single mode: one frame (frame_idx), then one label + mask per object
    assert.equal(p[0].type, "image_url");
    assert.match(p[0].image_url.url, /^data:image\/jpeg;base64,/);
    const tags = [...q.Question.matchAll(/<object(\d+)><region>/g)].map((m) => `<object${m[1]}>`);
    assert.equal(tags.length, q.annotation.length);
    let at = 1;
    q.annotation.forEach((ann, k) => {
      const label = p[at++];
      assert.equal(label.type, "text");
      assert.equal(label.text, `Mask of ${tags[k]} on frame 1 of 1 (video frame ${q.frame_idx}):`);
      const seg = ann[q.frame_idx].segmentation;
      assert.ok(seg, "the synthetic set's frame_idx always shows the first object");
      const img = p[at++];
      assert.match(img.image_url.url, /^data:image\/png;base64,/);
      const got = decodeMaskPng(Buffer.from(img.image_url.url.split(",")[1], "base64"));
      assert.deepEqual([got.h, got.w], seg.size);
      assert.deepEqual(got.mask, decodeMask(seg));
      checked++;
    });
    assert.equal(at, p.length - 1);
  }
  assert.ok(checked >= qs.length);
});

test("multi mode: one mask per object per frame sent; frames without a mask say so", async () => {
  const { requests } = await run(["--mode", "multi", "--region-input", "masks"]);
  const qs = questions();
  for (const req of requests) {
    const p = parts(req);
    const prompt = p.at(-1).text as string;
    const q = qs.find((x) => prompt.startsWith(x.Question.replaceAll("<region>", "[<region>]")))!;
    const frames = p.filter(
      (x) => x.type === "image_url" && x.image_url.url.startsWith("data:image/jpeg"),
    ).length;
    const labels = p.filter((x) => x.type === "text" && x.text.startsWith("Mask of "));
    assert.equal(labels.length, frames * q.annotation.length);
    for (const l of labels) {
      const m = /^Mask of (<object\d+>) on frame (\d+) of (\d+) \(video frame (\d+)\):( \(no mask\))?$/.exec(
        l.text,
      );
      assert.ok(m, l.text);
      assert.equal(Number(m[3]), frames);
      const k = [...q.Question.matchAll(/<object(\d+)><region>/g)].findIndex(
        (x) => `<object${x[1]}>` === m[1],
      );
      const seg = q.annotation[k][m[4]]?.segmentation ?? null;
      assert.equal(Boolean(m[5]), seg === null, l.text);
      if (seg) {
        const img = p[p.indexOf(l) + 1];
        const got = decodeMaskPng(Buffer.from(img.image_url.url.split(",")[1], "base64"));
        assert.deepEqual(got.mask, decodeMask(seg));
      }
    }
  }
});

test("without --region-input no mask goes out, and the two are different requests (cache key)", async () => {
  const a = await run(["--mode", "single"]);
  for (const req of a.requests)
    assert.ok(!parts(req).some((x) => x.type === "text" && x.text.startsWith("Mask of ")));
  assert.equal(a.requests.length, questions().length, "not answered from the region-input run's cache");
  const b = await run(["--mode", "single", "--region-input", "masks"]);
  assert.equal(b.requests.length, 0, "the same region-input run again is answered from the cache");
  const bad = await kinema([
    "eval",
    "--bench",
    `videorefer-q:${data}`,
    "--model",
    "openai:loop",
    "--region-input",
    "boxes",
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--region-input must be masks/);
});
