// Real-footage corpus: videos nobody on the project made (shipped in Debian packages, fetched by .ci/run) and
// re-encodes of them, each decoded through every path, alone and concurrently, against a sequential decode.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type DecodeStats,
  decode,
  fitFilter,
  loadFrames,
  probeDetail,
  runTool,
  sampleIndices,
} from "../src/video/index.ts";

const SIZE = 96;
const CORPUS_DIR = process.env.KINEMA_CORPUS_DIR || "/var/cache/kinema/corpus";
/** Where each package puts its file; the corpus folder mirrors these paths (.ci/run extracts them there). */
const SHIPPED: Record<string, string> = {
  "cockatoo.mp4": "/usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4",
  "realshort.mp4": "/usr/lib/python3/dist-packages/imageio/resources/images/realshort.mp4",
  "Megamind.avi": "/usr/share/doc/opencv-doc/examples/data/Megamind.avi",
  "vtest.avi": "/usr/share/doc/opencv-doc/examples/data/vtest.avi",
  "tree.avi": "/usr/share/doc/opencv-doc/examples/data/tree.avi",
  "oa4_launch.webm": "/usr/share/games/renpy/demo/game/oa4_launch.webm",
};

function shipped(name: string): string {
  const path = SHIPPED[name];
  for (const p of [path, join(CORPUS_DIR, path)]) if (existsSync(p)) return p;
  throw new Error(
    `corpus video ${name} not found at ${path} or under ${CORPUS_DIR}: run .ci/run (it extracts the videos of ` +
      "python3-imageio, opencv-doc and renpy-demo there) or apt-get install those packages",
  );
}

/** Every frame of a sequential decode by the ffmpeg CLI, the reference (`-vsync passthrough`). */
async function reference(file: string, width: number, height: number): Promise<Buffer[]> {
  const { filter } = fitFilter(width, height, SIZE, "stretch");
  const r = await runTool(
    "ffmpeg",
    ["-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-vf", `${filter},format=rgb24`].concat([
      "-vsync",
      "passthrough",
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "pipe:1",
    ]),
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const bytes = SIZE * SIZE * 3;
  return Array.from({ length: r.stdout.length / bytes }, (_, i) =>
    r.stdout.subarray(i * bytes, (i + 1) * bytes),
  );
}

/** Largest per-channel difference between two frames. */
function maxDiff(a: Buffer, b: Buffer): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > m) m = d;
  }
  return m;
}

interface Clip {
  name: string;
  /** Builds the file (a shipped one, or a re-encode into dir). */
  make: (dir: string) => Promise<string>;
  /** Extra specs for this clip (every clip gets the common ones). */
  specs?: string[];
  /** Replaces the common specs (long clips that only decode sequentially, to keep the suite short). */
  only?: string[];
}

async function ffmpeg(args: string[]): Promise<void> {
  const r = await runTool("ffmpeg", ["-v", "error", "-nostdin", "-y", ...args], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
}

/** A 4 s excerpt of the cockatoo footage at 256×144, the source of the re-encodes. */
async function excerpt(dir: string): Promise<string> {
  const out = join(dir, "excerpt.mkv");
  if (!existsSync(out))
    await ffmpeg(["-i", shipped("cockatoo.mp4"), "-t", "4", "-vf", "scale=256:144", "-c:v", "ffv1", out]);
  return out;
}

const reencode =
  (name: string, args: string[]) =>
  async (dir: string): Promise<string> => {
    const out = join(dir, name);
    await ffmpeg(["-i", await excerpt(dir), "-threads", "1", ...args, out]);
    return out;
  };

const CLIPS: Clip[] = [
  // H.264 High 4:4:4 from x264 build 142; keyframes 0, 76, 145. Decodes right only after the SEI in packet 0.
  {
    name: "cockatoo 4:4:4 old x264",
    make: async () => shipped("cockatoo.mp4"),
    specs: ["indices:80,150,200", "indices:279"],
  },
  { name: "realshort h264", make: async () => shipped("realshort.mp4") },
  // MPEG-4 Part 2 (ASP, B-frames) in AVI: most packets carry no timestamp.
  { name: "Megamind mpeg4 avi, no timestamps", make: async () => shipped("Megamind.avi") },
  // 795 frames of a codec kinema decodes sequentially only: one spec keeps the suite short.
  { name: "vtest msmpeg4v3 avi", make: async () => shipped("vtest.avi"), only: ["uniform:16"] },
  // Cinepak, 68 frames spread irregularly over 29.6 s.
  { name: "tree cinepak avi, irregular frames", make: async () => shipped("tree.avi") },
  // VP8 in WebM, first frame at 3 ms.
  { name: "oa4_launch vp8 webm", make: async () => shipped("oa4_launch.webm") },
  {
    name: "h264 B-frames, open GOP",
    make: reencode("opengop.mp4", [
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-bf",
      "3",
      "-x264-params",
      "open-gop=1:keyint=20",
    ]),
  },
  {
    name: "h264 B-frames in mkv",
    make: reencode("bframes.mkv", ["-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "15"]),
  },
  {
    name: "h264 4:4:4 new x264",
    make: reencode("h444.mp4", ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv444p", "-g", "25"]),
  },
  {
    name: "vp9 webm",
    make: reencode("vp9.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "20"]),
  },
  {
    name: "hevc mp4 with B-frames",
    make: reencode("hevc.mp4", [
      "-c:v",
      "libx265",
      "-preset",
      "ultrafast",
      "-x265-params",
      "keyint=20:bframes=3:log-level=error",
      "-tag:v",
      "hvc1",
    ]),
  },
  {
    name: "mpeg4 part 2 with B-frames",
    make: reencode("mpeg4.avi", ["-c:v", "mpeg4", "-bf", "2", "-g", "15", "-q:v", "4"]),
  },
  { name: "mjpeg", make: reencode("mjpeg.avi", ["-c:v", "mjpeg", "-q:v", "4"]) },
  {
    // Variable frame rate: the irregular AVI's timestamps carried into mp4.
    name: "h264 vfr mp4 from tree.avi",
    make: async (dir) => {
      const out = join(dir, "vfr.mp4");
      await ffmpeg([
        "-i",
        shipped("tree.avi"),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-vsync",
        "passthrough",
        out,
      ]);
      return out;
    },
  },
  {
    // MPEG-TS starts at 1.4 s.
    name: "h264 mpegts, non-zero start",
    make: reencode("start.ts", ["-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "20"]),
  },
  {
    // Cut off a keyframe with stream copy: an edit list hides the first decoded frames.
    name: "h264 mp4 with an edit list",
    make: async (dir) => {
      const src = await reencode("editsrc.mp4", [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-bf",
        "2",
        "-g",
        "30",
      ])(dir);
      const out = join(dir, "edit.mp4");
      await ffmpeg(["-ss", "0.73", "-i", src, "-c", "copy", "-t", "2.5", out]);
      return out;
    },
  },
  {
    name: "h264 mp4 rotated 90 (phone video)",
    make: async (dir) => {
      const src = await reencode("rotsrc.mp4", ["-c:v", "libx264", "-preset", "veryfast", "-g", "20"])(dir);
      const out = join(dir, "rotated.mp4");
      await ffmpeg(["-i", src, "-c", "copy", "-metadata:s:v:0", "rotate=90", out]);
      return out;
    },
  },
];

const COMMON = ["uniform:16", "fps:1"];
/** Largest difference allowed between FFmpeg 8 (in-process) and the CLI's frames: scaler rounding. */
const TOL = 3;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-corpus-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("real-footage corpus: every path equals a sequential decode", () => {
  for (const clip of CLIPS) {
    test(clip.name, async () => {
      const file = await clip.make(dir);
      const detail = await probeDetail(file);
      const { meta } = detail;
      const ref = await reference(file, meta.width, meta.height);
      assert.equal(meta.frames, ref.length, "the probe counts the frames a sequential decode gives");
      const specs = [...(clip.only ?? COMMON), ...(clip.specs ?? [])];
      const sample = (spec: string) => sampleIndices(spec, meta.frames, meta.fpsValue, undefined, detail.pts);
      // The CLI paths must match the CLI's sequential decode bit for bit; the in-process decoder is FFmpeg 8,
      // whose decoders and scaler may round a few values differently from Debian's 5.1, so its frames may
      // differ by the scaler's rounding (a wrong or damaged frame differs by far more), and its fast path
      // must match its own sequential decode bit for bit.
      const check = (label: string, indices: number[], frames: Buffer[], tol: number) => {
        indices.forEach((i, k) => {
          const d = maxDiff(frames[k], ref[i]);
          assert.ok(d <= tol, `${clip.name} ${label}: frame ${i} differs from the sequential decode by ${d}`);
        });
      };
      const tolOf = (method: string) => (method === "cli" ? 0 : TOL);
      const all = sample("uniform:16");
      const safe = await decode(file, all, { probe: detail, size: SIZE, method: "av-safe" });
      check("uniform:16 av-safe", all, safe.frames, TOL);
      const runs: [string, "auto" | "cli"][] = [
        ...specs.map((spec) => [spec, "auto"] as [string, "auto"]),
        ["uniform:16", "cli"],
      ];
      for (const [spec, method] of runs) {
        const indices = sample(spec);
        const stats: DecodeStats = {};
        const r = await decode(file, indices, { probe: detail, size: SIZE, method, stats });
        const how = `${spec} ${method} (${stats.method}${stats.fallback ? `: ${stats.fallback}` : ""})`;
        check(how, indices, r.frames, tolOf(method));
        if (spec === "uniform:16" && method === "auto")
          assert.ok(
            r.frames.every((f, k) => f.equals(safe.frames[k])),
            `${how}: equal to the in-process sequential decode`,
          );
      }
      // Concurrently: several specs and paths at once (the split, the pool's queue and the CLI together).
      const together: [string, "auto" | "cli"][] = [...runs, ["segments:5", "auto"]];
      await Promise.all(
        together.map(async ([spec, method]) => {
          const indices = sample(spec);
          const r = await decode(file, indices, { size: SIZE, method });
          check(`${spec} ${method} concurrent`, indices, r.frames, tolOf(method));
        }),
      );
      // Through the cache: a cold and a warm read agree with the reference.
      const cacheDir = join(dir, `cache-${clip.name.replace(/\W+/g, "-")}`);
      for (const pass of ["cold", "warm"]) {
        const l = await loadFrames({ path: file }, "uniform:8", { size: SIZE, cacheDir });
        assert.equal(l.cached, pass === "warm");
        check(`loadFrames ${pass}`, l.indices, l.rgb.frames, TOL);
        assert.equal(l.timestamps[0], 0, "timestamps start at 0 for the first frame");
      }
      assert.ok((await readdir(cacheDir)).length > 0);
    });
  }
});
