// End-to-end frame exactness: clips whose pixels carry their frame index, every strategy, every codec/rate.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { DecodeStats, RgbFrames } from "../src/video/index.ts";
import { decode, encodeImages, loadFrames, probe, probeDetail, sampleIndices } from "../src/video/index.ts";
import { indexFrame, makeIndexClip, readIndex } from "../src/video/testclip.ts";

const STRATEGIES = [
  "uniform:8",
  "uniform-inner:8",
  "fps:2",
  "fps:6,max=5",
  "segments:5",
  "indices:0,3,11,12,13,39,2,2",
  "none",
];

const CLIPS: {
  name: string;
  rate: string;
  fps: number;
  codec: "h264" | "vp9";
  gop?: number;
  vfr?: boolean;
  extra?: string[];
}[] = [];
for (const [rate, fps] of [
  ["24", 24],
  ["25", 25],
  ["30000/1001", 30000 / 1001],
  ["30", 30],
  ["60", 60],
] as const)
  for (const codec of ["h264", "vp9"] as const)
    CLIPS.push({ name: `${codec}-${fps.toFixed(2)}`, rate, fps, codec, gop: 12 });
CLIPS.push({ name: "h264-longgop", rate: "30", fps: 30, codec: "h264" });
CLIPS.push({ name: "h264-vfr", rate: "30", fps: 30, codec: "h264", gop: 12, vfr: true });
CLIPS.push({
  name: "h264-opengop",
  rate: "25",
  fps: 25,
  codec: "h264",
  gop: 12,
  extra: ["-x264-params", "open-gop=1"],
});

const FRAMES = 50; // 0.8–2.1 s per clip: short enough to keep the suite fast, long enough for several GOPs

function seen(rgb: RgbFrames): number[] {
  return rgb.frames.map((f) => readIndex(f, rgb.width, rgb.height));
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-video-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("video files: every strategy decodes exactly the sampled frames", () => {
  for (const clip of CLIPS) {
    test(clip.name, async () => {
      const file = join(dir, `${clip.name}.${clip.codec === "h264" ? "mp4" : "webm"}`);
      await makeIndexClip(file, {
        frames: FRAMES,
        rate: clip.rate,
        codec: clip.codec,
        gop: clip.gop,
        vfr: clip.vfr,
        extra: clip.extra,
      });
      const detail = await probeDetail(file);
      const { meta } = detail;
      assert.equal(meta.frames, FRAMES);
      assert.equal(meta.kind, "file");
      assert.equal(meta.codec, clip.codec);
      assert.deepEqual([meta.width, meta.height], [160, 96]);
      if (!clip.vfr) assert.ok(Math.abs(meta.fpsValue - clip.fps) < 1e-9, `fps ${meta.fpsValue}`);
      // One probe shared by the strategies keeps the suite fast; loadFrames is covered by the window case.
      for (const spec of STRATEGIES) {
        const indices = sampleIndices(spec, FRAMES, meta.fpsValue);
        const r = await decode(file, indices, { probe: detail });
        assert.deepEqual(seen(r), indices, `${clip.name} ${spec}`);
      }
      // Every decode path gives the same pixels: in-process (fast, then sequential), the ffmpeg CLI (H.264
      // through its reference-frames-only path) and the CLI's sequential decode, the reference.
      const some = sampleIndices("uniform-inner:7", FRAMES, meta.fpsValue);
      const pixels: Buffer[][] = [];
      for (const method of ["auto", "av-safe", "cli", "select"] as const) {
        const stats: DecodeStats = {};
        const r = await decode(file, some, { method, stats, probe: detail });
        assert.deepEqual(seen(r), some, `${clip.name} ${method}`);
        const expected = {
          // Open GOPs: a jump to a non-IDR keyframe makes the decoder complain about missing references,
          // so the fast attempt is redone sequentially.
          auto: clip.extra ? "av-safe" : "av-fast",
          "av-safe": "av-safe",
          cli: clip.codec === "h264" && !clip.extra ? "h264-refs" : "sequential",
          select: "sequential",
        }[method];
        assert.equal(stats.method, expected, `${clip.name} ${method}: ${stats.fallback ?? ""}`);
        pixels.push(r.frames);
      }
      for (let m = 1; m < pixels.length; m++)
        assert.ok(
          pixels[0].every((f, k) => f.equals(pixels[m][k])),
          `path ${m} gives bit-identical pixels`,
        );
      // Window: frames whose start time lies in [0.5, 1.2) s, sampled within it.
      const w = await loadFrames({ path: file, window: [0.5, 1.2] }, "uniform:4", { cache: false, size: 64 });
      const times = detail.pts ?? [];
      const first = times.findIndex((t) => t >= 0.5 - 1e-6);
      const end =
        times.findIndex((t) => t >= 1.2 - 1e-6) < 0 ? FRAMES : times.findIndex((t) => t >= 1.2 - 1e-6);
      if (!clip.vfr)
        assert.equal(first, Math.ceil(0.5 * meta.fpsValue - 1e-6), "CFR: timestamps agree with i/fps");
      assert.equal(w.indices[0], first);
      assert.equal(w.indices[3], end - 1);
      assert.deepEqual(seen(w.rgb), w.indices, `${clip.name} window`);
      assert.equal(w.timestamps.length, 4);
      assert.ok(w.timestamps[0] >= 0.5 - 1e-3 && w.timestamps[3] < 1.2, `timestamps ${w.timestamps}`);
      // Every frame, in one call, at a stretch size.
      const all = await decode(
        file,
        Array.from({ length: FRAMES }, (_, i) => i),
        { size: 48 },
      );
      assert.deepEqual(seen(all), all.indices);
    });
  }

  test("mkv and avi containers", async () => {
    const mp4 = join(dir, "src.mp4");
    await makeIndexClip(mp4, { frames: 40, rate: "25", codec: "h264", gop: 10 });
    const { runTool } = await import("../src/video/tools.ts");
    for (const ext of ["mkv", "avi"]) {
      const f = join(dir, `copy.${ext}`);
      const r = await runTool("ffmpeg", ["-v", "error", "-y", "-i", mp4, "-c", "copy", f]);
      assert.equal(r.code, 0, r.stderr);
      const m = await probe(f);
      assert.equal(m.frames, 40, ext);
      const got = await decode(f, [39, 0, 17, 18, 5], {});
      assert.deepEqual(seen(got), [39, 0, 17, 18, 5], ext);
    }
  });
});

describe("frame folders (DAVIS/MeViS layout)", () => {
  test("every strategy on a JPEG folder, natural sort, caller fps", async () => {
    const folder = join(dir, "frames");
    await mkdir(folder);
    const n = 40;
    const jpegs = await encodeImages(
      {
        width: 160,
        height: 96,
        frames: Array.from({ length: n }, (_, i) => indexFrame(i, 160, 96)),
        indices: [],
      },
      "jpeg",
      92,
    );
    // Unpadded names: natural order must put 2.jpg before 10.jpg.
    await Promise.all(jpegs.map((b, i) => writeFile(join(folder, `${i}.jpg`), b)));
    await writeFile(join(folder, "notes.txt"), "not a frame");
    const meta = await probe(folder, { fps: 24 });
    assert.equal(meta.kind, "frames");
    assert.equal(meta.frames, n);
    assert.deepEqual(meta.fps, { num: 24, den: 1 });
    assert.deepEqual([meta.width, meta.height, meta.codec], [160, 96, "jpeg"]);
    assert.equal((await probe(folder)).fpsValue, 30, "default fps for folders");
    for (const spec of STRATEGIES) {
      const r = await loadFrames({ path: folder, fps: 24 }, spec, { cache: false });
      assert.deepEqual(r.indices, sampleIndices(spec, n, 24), spec);
      assert.deepEqual(seen(r.rgb), r.indices, spec);
    }
    const w = await loadFrames({ path: folder, fps: 24, window: "0.5,1" }, "uniform:3", { cache: false });
    assert.deepEqual(w.indices, [12, 17, 23]);
    assert.deepEqual(seen(w.rgb), w.indices);
  });
});

describe("fits, images and cache", () => {
  test("fit modes give the promised sizes and keep the index readable where the frame is whole", async () => {
    const file = join(dir, "fit.mp4");
    await makeIndexClip(file, { frames: 10, rate: "30", codec: "h264" });
    const stretch = await decode(file, [7], { size: 64, fit: "stretch" });
    assert.deepEqual([stretch.width, stretch.height, seen(stretch)[0]], [64, 64, 7]);
    const maxSide = await decode(file, [7], { size: 80, fit: "max-side" });
    assert.deepEqual([maxSide.width, maxSide.height, seen(maxSide)[0]], [80, 48, 7]);
    const pad = await decode(file, [7], { size: 80, fit: "pad" });
    assert.deepEqual([pad.width, pad.height], [80, 80]);
    assert.equal(pad.frames[0][0], 0, "padding is black");
    const crop = await decode(file, [7], { size: 48, fit: "crop" });
    assert.deepEqual([crop.width, crop.height, crop.frames[0].length], [48, 48, 48 * 48 * 3]);
  });

  test("JPEG/PNG bytes come from the decoded pixels; the cache returns identical frames", async () => {
    const file = join(dir, "cache.mp4");
    await makeIndexClip(file, { frames: 30, rate: "30", codec: "h264", gop: 10 });
    const cacheDir = join(dir, "cache");
    const a = await loadFrames({ path: file }, "uniform:6", { size: 64, images: "jpeg", cacheDir });
    assert.equal(a.cached, false);
    assert.equal(a.images?.length, 6);
    for (const img of a.images ?? []) assert.deepEqual([...img.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    const b = await loadFrames({ path: file }, "uniform:6", { size: 64, images: "png", cacheDir });
    assert.equal(b.cached, true);
    assert.deepEqual(b.indices, a.indices);
    assert.deepEqual(b.timestamps, a.timestamps);
    assert.ok(b.rgb.frames.every((f, k) => f.equals(a.rgb.frames[k])));
    assert.equal(b.images?.[0].readUInt32BE(0), 0x89504e47);
    // A different size is a different entry.
    const c = await loadFrames({ path: file }, "uniform:6", { size: 32, cacheDir });
    assert.equal(c.cached, false);
  });
});

describe("H.264 fast path: two processes when the decoder is idle", () => {
  test("splitPoint cuts between keyframe groups, balancing the decoding work", async () => {
    const { splitPoint } = await import("../src/video/decode.ts");
    // groups: [0,5] work 6, [13,20] work 9, [26] work 3, [40] work 5 → cut after the second group
    assert.equal(
      splitPoint([0, 5, 13, 20, 26, 40], [0, 12, 24, 36], (f) => f),
      4,
    );
    assert.equal(
      splitPoint([0, 100, 240, 260], [0, 250], (f) => f),
      undefined,
      "one long group and a short one: a second process would not pay off",
    );
    assert.equal(
      splitPoint([1, 3, 9], [0, 12], (f) => f),
      undefined,
      "one group: no split",
    );
  });

  test("an idle decode splits a multi-GOP clip, concurrent decodes do not; frames stay exact", async () => {
    const { availableParallelism } = await import("node:os");
    const file = join(dir, "split.mp4");
    await makeIndexClip(file, { frames: 60, rate: "30", codec: "h264", gop: 10 });
    const detail = await probeDetail(file);
    const want = sampleIndices("uniform:9", 60, detail.meta.fpsValue);
    const ref = await decode(file, want, { probe: detail, method: "select" });
    for (const method of ["auto", "cli"] as const) {
      const stats: DecodeStats = {};
      const r = await decode(file, want, { probe: detail, stats, method });
      assert.deepEqual(seen(r), want);
      assert.equal(stats.method, method === "auto" ? "av-fast" : "h264-refs");
      assert.equal(stats.processes, availableParallelism() >= 2 ? 2 : 1, method);
      const both: DecodeStats[] = [{}, {}];
      const rs = await Promise.all(both.map((s) => decode(file, want, { probe: detail, stats: s, method })));
      for (const x of rs) assert.deepEqual(seen(x), want);
      assert.ok(
        both.some((s) => s.processes === 1),
        "a second concurrent decode keeps to one process",
      );
      assert.ok(
        r.frames.every((f, k) => f.equals(ref.frames[k])),
        `${method}: split output is bit-identical to the sequential reference`,
      );
    }
  });
});
