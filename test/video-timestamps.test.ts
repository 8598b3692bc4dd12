// Presentation times, exactly: a VFR clip, clips that start late (MPEG-TS, an mp4 offset), rotated phone video.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decode, loadFrames, probeDetail, runTool } from "../src/video/index.ts";
import { indexFrame, readIndex } from "../src/video/testclip.ts";

const W = 160;
const H = 96;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-ts-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Encodes `n` index frames with ffmpeg, `args` between input and output. */
async function clip(name: string, n: number, args: string[]): Promise<string> {
  const out = join(dir, name);
  const raw = Buffer.concat(Array.from({ length: n }, (_, i) => indexFrame(i, W, H)));
  const r = await runTool(
    "ffmpeg",
    [
      "-v",
      "error",
      "-y",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-s",
      `${W}x${H}`,
      "-framerate",
      "10",
    ].concat(["-i", "pipe:0", ...args, out]),
    { input: raw, timeoutMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  return out;
}

const x264 = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "6", "-threads", "1"];
const near = (a: number[], b: number[]) =>
  assert.ok(a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-9), `${a} vs ${b}`);

describe("variable frame rate: sampling and windows follow presentation times", () => {
  // Frames 0–9 every 0.1 s, then 10–19 every 0.5 s: 0, 0.1, …, 0.9, 1.0, 1.5, …, 5.5.
  const times = Array.from({ length: 20 }, (_, i) => (i < 10 ? i * 0.1 : 1 + (i - 10) * 0.5));
  let file: string;
  before(async () => {
    file = await clip("vfr.mp4", 20, [
      ...x264,
      "-vf",
      "setpts='if(lt(N,10),N*0.1,1+(N-10)*0.5)/TB'",
      "-vsync",
      "passthrough",
      "-video_track_timescale",
      "1000",
    ]);
  });

  test("probe gives each frame's time", async () => {
    const d = await probeDetail(file);
    assert.equal(d.meta.frames, 20);
    near(d.pts ?? [], times);
  });

  for (const [spec, window, indices] of [
    ["fps:1", undefined, [0, 10, 12, 14, 16, 18]],
    ["fps:2", undefined, [0, 5, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
    ["fps:1,max=3", undefined, [0, 12, 18]],
    ["uniform:4", undefined, [0, 6, 12, 19]],
    ["uniform:3", "1.2,3.1", [11, 12, 14]],
    ["fps:2", "1.2,3.1", [11, 12, 13, 14]],
    ["fps:4", "0.25,1.6", [3, 5, 8, 10, 11]],
  ] as const) {
    test(`${spec}${window ? ` in ${window}` : ""}`, async () => {
      const r = await loadFrames({ path: file, window }, spec, { cache: false });
      assert.deepEqual(r.indices, indices);
      near(
        r.timestamps,
        indices.map((i) => times[i]),
      );
      assert.deepEqual(
        r.rgb.frames.map((f) => readIndex(f, r.rgb.width, r.rgb.height)),
        indices,
        "the pixels are those frames",
      );
    });
  }
});

describe("a non-zero start time: timestamps count from the first frame", () => {
  for (const [name, args] of [
    ["start.ts", [...x264, "-bf", "2"]], // MPEG-TS starts at 1.4 s
    ["offset.mp4", [...x264, "-output_ts_offset", "3"]],
    ["offset.mkv", [...x264, "-output_ts_offset", "2.5"]],
  ] as const) {
    test(name, async () => {
      const file = await clip(name, 30, [...args]);
      const d = await probeDetail(file);
      assert.equal(d.meta.frames, 30);
      near(
        d.pts ?? [],
        Array.from({ length: 30 }, (_, i) => i / 10),
      );
      // Through the CLI, as a user sees it: `frames --json` starts at 0.0.
      const out = join(dir, `${name}-png`);
      const r = spawnSync(
        process.execPath,
        ["src/cli/main.ts", "frames", file, "--sample", "fps:2", "--json", "--out", out],
        { encoding: "utf8", timeout: 60_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { indices: number[]; timestamps: number[] };
      assert.deepEqual(j.indices, [0, 5, 10, 15, 20, 25]);
      assert.equal(j.timestamps[0], 0);
      near(j.timestamps, [0, 0.5, 1, 1.5, 2, 2.5]);
      const w = await loadFrames({ path: file, window: [1, 2] }, "fps:4", { cache: false });
      assert.deepEqual(w.indices, [10, 12, 15, 17]);
    });
  }
});

/** Turns an RGB24 width×height frame clockwise by `deg` (90/180/270). */
function turn(src: Buffer, width: number, height: number, deg: number): Buffer {
  const w2 = deg === 180 ? width : height;
  const h2 = deg === 180 ? height : width;
  const out = Buffer.alloc(src.length);
  for (let y = 0; y < h2; y++)
    for (let x = 0; x < w2; x++) {
      // Source pixel shown at (x, y) after a clockwise turn.
      const [sx, sy] =
        deg === 90 ? [y, height - 1 - x] : deg === 180 ? [width - 1 - x, height - 1 - y] : [width - 1 - y, x];
      src.copy(out, (y * w2 + x) * 3, (sy * width + sx) * 3, (sy * width + sx) * 3 + 3);
    }
  return out;
}

describe("rotated video comes out upright, as ffmpeg shows it", () => {
  let plain: string;
  before(async () => {
    plain = await clip("plain.mp4", 12, x264);
  });
  // ffmpeg 5.1's `-metadata rotate=R` writes a matrix that ffprobe prints as rotation=R (counter-clockwise):
  // the CLI then turns the picture by R counter-clockwise, i.e. 360-R clockwise, which probe reports.
  for (const tag of [90, 180, 270]) {
    const deg = (360 - tag) % 360;
    test(`rotate=${tag}: turned ${deg}° clockwise`, async () => {
      const file = join(dir, `rot${tag}.mp4`);
      const r = await runTool(
        "ffmpeg",
        ["-v", "error", "-y", "-i", plain, "-c", "copy"].concat(["-metadata:s:v:0", `rotate=${tag}`, file]),
      );
      assert.equal(r.code, 0, r.stderr);
      const d = await probeDetail(file);
      assert.equal(d.meta.rotation, deg);
      const [w, h] = deg === 180 ? [W, H] : [H, W];
      assert.deepEqual([d.meta.width, d.meta.height], [w, h]);
      const ffprobed = await probeDetail(file, { parser: false });
      assert.equal(ffprobed.meta.rotation, deg, "ffprobe agrees");
      const want = [0, 5, 11];
      const upright = await decode(file, want, { probe: d });
      assert.deepEqual([upright.width, upright.height], [w, h]);
      const flat = await decode(plain, want);
      upright.frames.forEach((f, k) => {
        assert.ok(
          f.equals(turn(flat.frames[k], W, H, deg)),
          `frame ${want[k]} is the plain frame turned ${deg}°`,
        );
      });
      for (const method of ["cli", "select"] as const) {
        const other = await decode(file, want, { probe: d, method });
        assert.ok(
          other.frames.every((f, k) => f.equals(upright.frames[k])),
          `${method} agrees`,
        );
      }
    });
  }
});
