// Bad inputs get their typed error, naming the file, within a time bound, and leave no ffmpeg behind.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ErrorCode } from "../src/util/errors.ts";
import { isKinemaError } from "../src/util/errors.ts";
import { decode, loadFrames, probe, probeDetail } from "../src/video/index.ts";
import { makeIndexClip } from "../src/video/testclip.ts";
import { runTool } from "../src/video/tools.ts";

const BOUND_MS = 10_000;

/** Child processes of this test process, read from /proc (Linux). */
function children(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function expectError(code: ErrorCode, file: string, fn: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(isKinemaError(e), `expected KinemaError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.fields.file, file);
    assert.ok(e.message.includes(file), `message names the file: ${e.message}`);
    return true;
  });
  assert.ok(performance.now() - t0 < BOUND_MS, `took ${performance.now() - t0} ms`);
  assert.deepEqual(children(), [], "no child process remains");
}

let dir: string;
let good: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-video-err-"));
  good = join(dir, "good.mp4");
  await makeIndexClip(good, { frames: 40, rate: "25", codec: "h264", gop: 10 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("missing path → not_found", async () => {
  const f = join(dir, "nope.mp4");
  await expectError("not_found", f, () => probe(f));
  await expectError("not_found", f, () =>
    loadFrames({ path: f }, "uniform:4", { cache: true, cacheDir: dir }),
  );
});

test("a text file named .mp4 → not_a_video", async () => {
  const f = join(dir, "text.mp4");
  await writeFile(f, "hello, I am not a video\n".repeat(20));
  await expectError("not_a_video", f, () => probe(f));
  await expectError("not_a_video", f, () => decode(f, [0]));
});

test("an empty file → empty_file", async () => {
  const f = join(dir, "empty.mp4");
  await writeFile(f, "");
  await expectError("empty_file", f, () => probe(f));
});

test("a truncated file → truncated (moov at the end, and faststart)", async () => {
  const whole = await readFile(good);
  const f = join(dir, "cut.mp4");
  await writeFile(f, whole.subarray(0, Math.floor(whole.length / 2)));
  await expectError("truncated", f, () => probe(f));
  const fast = join(dir, "fast.mp4");
  const r = await runTool("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    good,
    "-c",
    "copy",
    "-movflags",
    "+faststart",
    fast,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const fastWhole = await readFile(fast);
  const g = join(dir, "cut-fast.mp4");
  await writeFile(g, fastWhole.subarray(0, Math.floor(fastWhole.length * 0.6)));
  await expectError("truncated", g, () => loadFrames({ path: g }, "uniform:8", { cache: false }));
});

test("an audio-only file → no_video_stream", async () => {
  const f = join(dir, "audio.m4a");
  const r = await runTool("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "sine=d=0.5",
    "-c:a",
    "aac",
    f,
  ]);
  assert.equal(r.code, 0, r.stderr);
  await expectError("no_video_stream", f, () => probe(f));
});

test("an index out of range → index_out_of_range", async () => {
  await expectError("index_out_of_range", good, () => decode(good, [0, 40]));
  await expectError("index_out_of_range", good, () =>
    loadFrames({ path: good }, "indices:3,99", { cache: false }),
  );
  await expectError("index_out_of_range", good, () =>
    loadFrames({ path: good, window: [5, 6] }, "uniform:4", { cache: false }),
  );
});

test("a decode past its time limit → timeout, and the ffmpeg child is gone", async () => {
  await expectError("timeout", good, () => decode(good, [0, 39], { timeoutMs: 1 })); // in the probe
  const detail = await probeDetail(good);
  await expectError("timeout", good, () => decode(good, [0, 39], { timeoutMs: 1, probe: detail })); // in ffmpeg
  // four keyframe groups of equal work: an idle decode runs two ffmpeg processes; both must be gone
  await expectError("timeout", good, () => decode(good, [5, 15, 25, 35], { timeoutMs: 1, probe: detail }));
  // the timed-out workers left the pool; the next decode gets a working one (and the process is still here:
  // ending a worker inside a native call used to abort it now and then)
  const again = await decode(good, [0, 39], { probe: detail });
  assert.equal(again.frames.length, 2);
});
