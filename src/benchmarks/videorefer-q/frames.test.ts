// VideoRefer-Q's frame rule: single mode → frame_idx; multi mode → the spec's frames merged with the
// frames that carry masks, so set-of-mark prompting always shows the marks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeMask } from "../../masks/rle.ts";
import type { ClipInfo, Sample } from "../types.ts";
import { markedFrames, mergeMarkedFrames, videoReferFramesFor, videoreferQ } from "./index.ts";

const full = encodeMask(new Uint8Array(4).fill(1), 2, 2);
const empty = encodeMask(new Uint8Array(4), 2, 2);

function sample(
  mode: "single" | "multi",
  keys: number[],
  extra: Record<string, null | typeof full> = {},
): Sample {
  const om = { ...Object.fromEntries(keys.map((k) => [String(k), full])), ...extra };
  return {
    id: "0",
    videoId: "v",
    video: { path: "/v.mp4" },
    category: "Basic Questions",
    question: "What is <object0><region> doing?",
    options: ["a", "b"],
    answer: "A",
    masks: [om],
    frameIdx: keys[0],
    raw: { mode },
  };
}

const clip = (frames: number, asked: { n: number } = { n: 0 }): ClipInfo => ({
  meta: async () => {
    asked.n++;
    return { frames, fps: 10 };
  },
});

test("mergeMarkedFrames: few annotated frames all replace their nearest slot; many fill every slot", () => {
  assert.deepEqual(mergeMarkedFrames([0, 10, 20, 30], [12]), [0, 12, 20, 30]);
  assert.deepEqual(mergeMarkedFrames([0, 10, 20, 30], [11, 12]), [0, 11, 12, 30]);
  assert.deepEqual(mergeMarkedFrames([0, 10, 20, 30], [1, 2, 3, 4, 5, 6, 7, 8]), [2, 4, 6, 8]);
  assert.deepEqual(mergeMarkedFrames([0, 5], []), [0, 5]);
  assert.deepEqual(mergeMarkedFrames([], [3]), []);
});

test("markedFrames skips null and empty masks", () => {
  assert.deepEqual(markedFrames(sample("multi", [9, 3], { 5: null, 7: empty })), [3, 9]);
});

test("single mode sends frame_idx only and probes nothing", async () => {
  const asked = { n: 0 };
  assert.equal(
    await videoReferFramesFor(sample("single", [42]), "uniform:16", clip(60, asked)),
    "indices:42",
  );
  assert.equal(asked.n, 0);
});

test("multi mode: uniform:16 over the clip, always including the annotated frames", async () => {
  // 3 annotated frames, 60-frame clip: 16 frames, the 3 annotated ones among them.
  const few = await videoReferFramesFor(sample("multi", [7, 30, 59]), "uniform:16", clip(60));
  const got = few.replace("indices:", "").split(",").map(Number);
  assert.equal(got.length, 16);
  for (const a of [7, 30, 59]) assert.ok(got.includes(a), `${a} in ${got}`);
  assert.deepEqual(
    got,
    [...got].sort((a, b) => a - b),
  );
  // 32 annotated frames (the synthetic and upstream layout): every frame sent is annotated.
  const keys = Array.from({ length: 32 }, (_, i) => Math.round((i * 59) / 31));
  const many = (await videoReferFramesFor(sample("multi", keys), "uniform:16", clip(60)))
    .replace("indices:", "")
    .split(",")
    .map(Number);
  assert.equal(many.length, 16);
  assert.ok(many.every((f) => keys.includes(f)));
  // Annotations past the clip's end are dropped rather than failing the decode.
  assert.equal(await videoReferFramesFor(sample("multi", [5, 99]), "indices:0", clip(60)), "indices:5");
  // The hook is the module's, so the runner uses it.
  assert.equal(videoreferQ.framesFor, videoReferFramesFor);
});
