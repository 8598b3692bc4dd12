// The in-process mp4 reader must agree with ffprobe exactly, and step aside for files it does not handle.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { probeMp4 } from "./mp4.ts";
import { probeDetail } from "./probe.ts";
import { makeIndexClip } from "./testclip.ts";
import { runTool } from "./tools.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-mp4-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ffmpeg(args: string[]): Promise<void> {
  const r = await runTool("ffmpeg", ["-v", "error", "-y", ...args]);
  assert.equal(r.code, 0, r.stderr);
}

async function agrees(file: string): Promise<void> {
  const ours = await probeDetail(file);
  const theirs = await probeDetail(file, { parser: false });
  assert.equal(ours.source, "mp4", file);
  assert.equal(theirs.source, "ffprobe");
  const { duration: d1, ...m1 } = ours.meta;
  const { duration: d2, ...m2 } = theirs.meta;
  assert.deepEqual(m1, m2, file);
  assert.ok(Math.abs(d1 - d2) < 1 / m1.fpsValue, `duration ${d1} vs ${d2}`);
  assert.deepEqual(ours.keyframes, theirs.keyframes);
  assert.deepEqual(ours.packets, theirs.packets);
  assert.deepEqual(ours.avc, theirs.avc);
  assert.ok(
    ours.pts?.every((t, i) => Math.abs(t - (theirs.pts?.[i] ?? Number.NaN)) < 1e-6),
    "timestamps",
  );
}

test("agrees with ffprobe: B-frames, 29.97, VFR, faststart, an audio track, a rotated track", async () => {
  const base = join(dir, "base.mp4");
  await makeIndexClip(base, { frames: 40, rate: "30000/1001", codec: "h264", gop: 10 });
  await agrees(base);
  const vfr = join(dir, "vfr.mp4");
  await makeIndexClip(vfr, { frames: 40, rate: "30", codec: "h264", gop: 10, vfr: true });
  await agrees(vfr);
  const fast = join(dir, "fast.mp4");
  await ffmpeg(["-i", base, "-c", "copy", "-movflags", "+faststart", fast]);
  await agrees(fast);
  const audio = join(dir, "audio.mp4");
  await ffmpeg([
    "-i",
    base,
    "-f",
    "lavfi",
    "-i",
    "sine=d=1.3",
    "-c:v",
    "copy",
    "-c:a",
    "aac",
    "-shortest",
    audio,
  ]);
  await agrees(audio);
  const rotated = join(dir, "rotated.mp4");
  await ffmpeg(["-i", base, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated]);
  const r = await probeDetail(rotated);
  assert.deepEqual([r.meta.width, r.meta.height], [96, 160], "portrait after autorotation");
});

test("steps aside for what it does not read: vp9 in mp4, fragmented, cut short, not mp4", async () => {
  const vp9 = join(dir, "vp9.mp4");
  await makeIndexClip(vp9, { frames: 20, rate: "25", codec: "vp9" });
  assert.equal(await probeMp4(vp9), undefined);
  assert.equal((await probeDetail(vp9)).source, "ffprobe");
  const base = join(dir, "base2.mp4");
  await makeIndexClip(base, { frames: 30, rate: "25", codec: "h264", gop: 10 });
  const frag = join(dir, "frag.mp4");
  await ffmpeg(["-i", base, "-c", "copy", "-movflags", "frag_keyframe+empty_moov", frag]);
  assert.equal(await probeMp4(frag), undefined);
  const fastStart = join(dir, "fs.mp4");
  await ffmpeg(["-i", base, "-c", "copy", "-movflags", "+faststart", fastStart]);
  const whole = await readFile(fastStart);
  const cut = join(dir, "cut.mp4");
  await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
  assert.equal(await probeMp4(cut), undefined);
  const text = join(dir, "text.mp4");
  await writeFile(text, "not a video at all");
  assert.equal(await probeMp4(text), undefined);
});
