// VideoRefer-Bench-Q on a real temporary layout: loading with broken items, single/multi modes, prompt
// snapshots per preset, set-of-mark drawing touching only mask pixels, and the run summary.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { encodeMask } from "../../masks/rle.ts";
import { MAX_ITEM_CHARS } from "../limits.ts";
import {
  annotatedFrames,
  masksAtFrames,
  summarizeVideoReferQ,
  videoReferPrompt,
  videoreferQ,
} from "./index.ts";
import { contourOf, drawMarks, MARK_COLORS } from "./marks.ts";

const dir = mkdtempSync(join(tmpdir(), "kinema-vrq-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An 8×6 mask with a filled rectangle x∈[x0,x1), y∈[y0,y1). */
function rect(x0: number, y0: number, x1: number, y1: number, w = 8, h = 6) {
  const m = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
  return m;
}
const seg = (m: Uint8Array) => ({ segmentation: encodeMask(m, 6, 8) });

const OPTS = ["(A) A helmet", "(B) A hat", "(C) Sunglasses", "(D) A watch"];
const ITEMS = [
  {
    id: 0,
    video: "DAVIS/JPEGImages/480p/aerobatics",
    Question: "What is <object3><region> not wearing?",
    type: "Basic Questions",
    options: OPTS,
    Answer: "(A) A helmet",
    frame_idx: "1",
    annotation: [{ "0": seg(rect(1, 1, 4, 4)), "1": seg(rect(2, 1, 5, 4)), "5": { segmentation: null } }],
  },
  {
    id: 1,
    video: "clips/two.mp4",
    Question:
      "There are two objects: <object0><region>, <object1><region>. What is the relationship between <object0> and <object1>?",
    type: "Relationship Questions",
    options: ["(A) x", "(B) y"],
    Answer: "(B) y",
    frame_idx: 2,
    annotation: [{ "2": seg(rect(0, 0, 3, 3)) }, { "2": seg(rect(4, 2, 8, 6)) }],
  },
  {
    id: 2,
    video: "DAVIS/JPEGImages/480p/aerobatics",
    Question: "Q <region>?",
    options: OPTS,
    type: "Basic Questions",
  }, // no Answer
  {
    id: 3,
    video: "missing/video.mp4",
    Question: "Where does <object0><region> go?",
    type: "Future Predictions",
    options: OPTS,
    Answer: "(E) nowhere",
    frame_idx: "0",
    annotation: [{ "0": { segmentation: [[1, 2, 3, 4, 5, 6]] } }],
  },
  {
    id: 4,
    video: "clips/two.mp4",
    Question: "What is <object0><region> doing?",
    type: "Sequential Questions",
    options: OPTS,
    Answer: "(C) Sunglasses",
    frame_idx: "9",
    annotation: [{ "3": seg(rect(0, 0, 2, 2)) }], // no mask on frame_idx 9
  },
];
mkdirSync(join(dir, "DAVIS/JPEGImages/480p/aerobatics"), { recursive: true });
writeFileSync(join(dir, "DAVIS/JPEGImages/480p/aerobatics/00000.jpg"), "x");
mkdirSync(join(dir, "clips"));
writeFileSync(join(dir, "clips/two.mp4"), "x");
writeFileSync(join(dir, "VideoRefer-Bench-Q.json"), JSON.stringify(ITEMS));

test("loads, reporting broken items by field; single vs multi mode", async () => {
  const { samples, issues } = await videoreferQ.load(dir);
  assert.deepEqual(
    samples.map((s) => s.id),
    ["0", "1", "3"],
  );
  assert.deepEqual(
    issues.map((i) => [i.field, i.action]),
    [
      ["[2].Answer", "skipped"],
      ["[3].Answer", "kept"], // (E) is not one of A–D
      ["[3].annotation[0].0.segmentation", "kept"], // polygon
      ["[3].video", "kept"],
      ["[4].annotation[0]", "skipped"], // single mode needs a mask on frame_idx
    ],
  );
  assert.ok(issues.every((i) => i.file === join(dir, "VideoRefer-Bench-Q.json")));
  const s0 = samples[0];
  assert.deepEqual(s0.options, ["A helmet", "A hat", "Sunglasses", "A watch"]);
  assert.equal(s0.answer, "A");
  assert.equal(s0.frameIdx, 1);
  assert.deepEqual(Object.keys(s0.masks![0]), ["1"]);
  assert.equal(s0.video.path, join(dir, "DAVIS/JPEGImages/480p/aerobatics"));
  const multi = await videoreferQ.load(join(dir, "VideoRefer-Bench-Q.json"), { mode: "multi" });
  assert.deepEqual(annotatedFrames(multi.samples[0]), [0, 1, 5]);
  assert.deepEqual(
    multi.samples.map((s) => s.id),
    ["0", "1", "3", "4"],
  );
});

test("prompt snapshots per preset", async () => {
  const { samples } = await videoreferQ.load(dir);
  assert.equal(
    videoReferPrompt(samples[0]).text,
    "What is <object3>[<region>] not wearing? (A) A helmet (B) A hat (C) Sunglasses (D) A watch. " +
      "Answer with the option's letter from the given choices directly.",
  );
  assert.equal(
    videoReferPrompt(samples[0], "som-contour").text,
    "I have outlined an object with a red contour in the video. What is the object outlined in red not wearing? " +
      "(A) A helmet (B) A hat (C) Sunglasses (D) A watch. Answer with the option's letter from the given choices directly.",
  );
  assert.equal(
    videoReferPrompt(samples[1], "som-fill").text,
    "I have highlighted 2 objects in the video, with a red mask and a green mask. There are two objects: " +
      "the object highlighted in red, the object highlighted in green. What is the relationship between the object " +
      "highlighted in red and the object highlighted in green? (A) x (B) y. Answer with the option's letter from the " +
      "given choices directly.",
  );
  assert.notEqual(
    videoreferQ.promptHash!(samples[0], "upstream"),
    videoreferQ.promptHash!(samples[0], "som-fill"),
  );
});

test("drawMarks changes only contour pixels / only mask pixels, one colour per object", () => {
  const W = 16;
  const H = 12; // masks are 8×6: resized ×2 nearest
  const frame = Buffer.alloc(W * H * 3, 100);
  const a = encodeMask(rect(1, 1, 5, 5), 6, 8); // → x∈[2,10), y∈[2,10) at 16×12
  const b = encodeMask(rect(6, 0, 8, 2), 6, 8); // → x∈[12,16), y∈[0,4)
  const inA = (x: number, y: number) => x >= 2 && x < 10 && y >= 2 && y < 10;
  const inB = (x: number, y: number) => x >= 12 && y < 4;
  const ringA = (x: number, y: number) => inA(x, y) && (x === 2 || x === 9 || y === 2 || y === 9);
  // B touches the image edge: pixels beyond the frame count as outside, so its ring includes x=15 and y=0.
  const ringB = (x: number, y: number) => inB(x, y) && (x === 12 || x === 15 || y === 0 || y === 3);

  const contour = drawMarks({ width: W, height: H, frames: [frame] }, [[a, b]], "contour", { thickness: 1 });
  const fill = drawMarks({ width: W, height: H, frames: [frame] }, [[a, null, b]], "fill");
  assert.ok(
    frame.every((v) => v === 100),
    "input untouched",
  );
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      const c = [...contour.frames[0].subarray(p, p + 3)];
      const f = [...fill.frames[0].subarray(p, p + 3)];
      if (ringA(x, y)) assert.deepEqual(c, MARK_COLORS[0].rgb, `contour A at ${x},${y}`);
      else if (ringB(x, y)) assert.deepEqual(c, MARK_COLORS[1].rgb, `contour B at ${x},${y}`);
      else assert.deepEqual(c, [100, 100, 100], `untouched at ${x},${y}`);
      // fill: object 0 red, object 2 (index 2) blue; 0.5·100 + 0.5·255 = 177.5 → 178
      if (inA(x, y)) assert.deepEqual(f, [178, 50, 50]);
      else if (inB(x, y)) assert.deepEqual(f, [50, 50, 178]);
      else assert.deepEqual(f, [100, 100, 100]);
    }
  // Thickness 2 on the full 8×6 frame: eroding twice leaves the 4×2 centre, so the ring has 48 − 8 pixels,
  // all inside the mask.
  const full = rect(0, 0, 8, 6);
  const thick = contourOf(full, 8, 6, 2);
  assert.equal(
    thick.reduce((s, v) => s + v, 0),
    40,
  );
  assert.equal(thick[2 * 8 + 3], 0); // (3,2) is in the centre
  assert.ok(thick.every((v, i) => !v || full[i]));
});

test("masksAtFrames and the run summary", async () => {
  const { samples } = await videoreferQ.load(dir);
  const m = masksAtFrames(samples[1], [0, 2]);
  assert.equal(m.length, 2);
  assert.deepEqual(m[0], [null, null]);
  assert.ok(m[1][0] && m[1][1]);
  const s = summarizeVideoReferQ(
    [
      { sample: samples[0], status: "ok", raw: "(A)" }, // right
      { sample: samples[1], status: "ok", raw: "b" }, // right (case-insensitive)
      { sample: samples[2], status: "failed" }, // excluded
    ],
    { resamples: 100 },
  );
  assert.deepEqual(s.counts, { total: 3, ok: 2, failed: 1, unparsed: 0, scored: 2, noGroundTruth: 0 });
  assert.equal(s.overall.acc, 1);
  assert.deepEqual(s.official, {
    types: {
      "Basic Questions": { n: 1, right: 1, acc: 1 },
      "Relationship Questions": { n: 1, right: 1, acc: 1 },
    },
    average: { n: 2, right: 2, acc: 1 },
  });
});

test("broken RLE masks are rejected at load time, naming the item, object and frame", async () => {
  const d = join(dir, "bad-rle");
  mkdirSync(d, { recursive: true });
  const good = encodeMask(rect(1, 1, 4, 4), 6, 8);
  const item = (id: number, annotation: unknown[]) => ({
    id,
    video: "v.mp4",
    Question: `Q${id} ${annotation.map(() => "<region>").join(" ")}?`,
    type: "Basic Questions",
    options: ["(A) x", "(B) y"],
    Answer: "(A) x",
    frame_idx: "0",
    annotation,
  });
  const items = [
    item(0, [{ "0": { segmentation: good } }]),
    // a run of -5 pixels (sum still 48)
    item(1, [{ "0": { segmentation: { size: [6, 8], counts: [10, -5, 43] } } }]),
    // runs cover 40 of 48 pixels
    item(2, [{ "0": { segmentation: { size: [6, 8], counts: [10, 30] } } }]),
    // 2 KB that claims a 40000×40000 frame (1.6 GB once decoded)
    item(3, [{ "0": { segmentation: { size: [40000, 40000], counts: `${"0".repeat(2000)}` } } }]),
    // the second object's mask is for another frame size than the first's
    item(4, [
      { "0": { segmentation: good } },
      { "0": { segmentation: encodeMask(new Uint8Array(12), 3, 4) } },
    ]),
    // a truncated pycocotools string
    item(5, [{ "0": { segmentation: { size: [6, 8], counts: "3b" } } }]),
  ];
  writeFileSync(join(d, "VideoRefer-Bench-Q.json"), JSON.stringify(items));
  const t0 = process.memoryUsage().rss;
  const { samples, issues } = await videoreferQ.load(d, { checkVideos: false });
  assert.ok(process.memoryUsage().rss - t0 < 200 * 2 ** 20, "no mask is decoded to its claimed size");
  assert.deepEqual(
    samples.map((s) => s.id),
    ["0"],
  );
  const file = join(d, "VideoRefer-Bench-Q.json");
  assert.deepEqual(
    issues.map((i) => [i.file, i.id, i.field, i.action]),
    [
      [file, "1", "[1].annotation[0].0.segmentation", "skipped"],
      [file, "2", "[2].annotation[0].0.segmentation", "skipped"],
      [file, "3", "[3].annotation[0].0.segmentation", "skipped"],
      [file, "4", "[4].annotation[1].0.segmentation", "skipped"],
      [file, "5", "[5].annotation[0].0.segmentation", "skipped"],
    ],
  );
  assert.match(issues[0].message, /object 0, frame 0: run 1 is negative/);
  assert.match(issues[1].message, /runs cover 40 pixels, size says 6x8=48/);
  assert.match(issues[2].message, /40000x40000 exceeds the limit/);
  assert.match(issues[3].message, /object 1, frame 0: size 3x4 differs from the item's other masks \(6x8\)/);
  assert.match(issues[4].message, /truncated/);
});

test("masks whose size is not the video's frame size are rejected at load time (mp4 and frame folder)", async () => {
  const d = join(dir, "misfit");
  mkdirSync(join(d, "frames"), { recursive: true });
  // real 8×6 (width × height) media: an H.264 mp4 and a JPEG frame folder
  const lavfi = ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=8x6:rate=5:duration=1"];
  execFileSync("ffmpeg", [...lavfi, "-pix_fmt", "yuv420p", "-c:v", "libx264", join(d, "v.mp4")]);
  execFileSync("ffmpeg", [...lavfi, join(d, "frames", "%05d.jpg")]);
  const fits = encodeMask(rect(1, 1, 4, 4), 6, 8); // size [6, 8] = height × width: fits
  const turned = encodeMask(new Uint8Array(48), 8, 6); // [8, 6]: the transposed size
  const item = (id: number, video: string, masks: unknown[]) => ({
    id,
    video,
    Question: `Q${id} ${masks.map(() => "<region>").join(" ")}?`,
    type: "Basic Questions",
    options: ["(A) x", "(B) y"],
    Answer: "(A) x",
    frame_idx: "0",
    annotation: masks.map((m) => ({ "0": { segmentation: m } })),
  });
  const items = [
    item(0, "v.mp4", [fits]),
    item(1, "v.mp4", [turned]),
    item(2, "frames", [fits, fits]),
    item(3, "frames", [turned, turned]),
  ];
  const file = join(d, "VideoRefer-Bench-Q.json");
  writeFileSync(file, JSON.stringify(items));
  const { samples, issues } = await videoreferQ.load(d);
  assert.deepEqual(
    samples.map((s) => s.id),
    ["0", "2"],
  );
  assert.deepEqual(
    issues.map((i) => [i.file, i.id, i.field, i.action]),
    [
      [file, "1", "[1].annotation[0].0.segmentation", "skipped"],
      [file, "3", "[3].annotation[0].0.segmentation", "skipped"],
    ],
  );
  assert.match(issues[0].message, /object 0, frame 0: mask size 8x6 does not match the video's frames \(6x8/);
});

test("an item over the size limit is a bad item, the others load", async () => {
  const d = join(dir, "big-item");
  mkdirSync(d, { recursive: true });
  const base = {
    video: "v.mp4",
    Question: "Q <region>?",
    type: "Basic Questions",
    options: ["(A) x", "(B) y"],
    Answer: "(A) x",
    frame_idx: "0",
  };
  const items = [
    { id: 0, ...base, annotation: [{ "0": seg(rect(1, 1, 4, 4)) }] },
    { id: 1, ...base, annotation: [{ "0": seg(rect(1, 1, 4, 4)) }], note: "x".repeat(MAX_ITEM_CHARS) },
  ];
  writeFileSync(join(d, "VideoRefer-Bench-Q.json"), JSON.stringify(items));
  const { samples, issues } = await videoreferQ.load(d, { checkVideos: false });
  assert.deepEqual(
    samples.map((s) => s.id),
    ["0"],
  );
  assert.deepEqual(
    issues.map((i) => [i.field, i.action]),
    [["[1].", "skipped"]],
  );
  assert.match(issues[0].message, /over the \d+ limit/);
});
