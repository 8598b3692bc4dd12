// `kinema frames` and `kinema cache` through the real CLI entry: --json shapes, PNGs that show the right frames.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { encodeImages } from "../src/video/encode.ts";
import { indexFrame, makeIndexClip, readIndex } from "../src/video/testclip.ts";

const MAIN = join(import.meta.dirname, "..", "src", "cli", "main.ts");
let dir: string;
let clip: string;

function kinema(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, KINEMA_CACHE_DIR: join(dir, "cache"), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function pngIndex(file: string): Promise<number> {
  const img = await loadImage(await readFile(file));
  const ctx = createCanvas(img.width, img.height).getContext("2d");
  ctx.drawImage(img, 0, 0);
  const rgba = ctx.getImageData(0, 0, img.width, img.height).data;
  const rgb = Buffer.alloc(img.width * img.height * 3);
  for (let p = 0; p < img.width * img.height; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return readIndex(rgb, img.width, img.height);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-frames-cli-"));
  clip = join(dir, "clip.mp4");
  await makeIndexClip(clip, { frames: 60, rate: "30000/1001", codec: "h264", gop: 15 });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("kinema frames --json writes one PNG per sampled frame", async () => {
  const out = join(dir, "out");
  const r = kinema([
    "frames",
    clip,
    "--sample",
    "uniform:5",
    "--window",
    "0.5,1.5",
    "--size",
    "64",
    "--out",
    out,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { indices: number[]; files: string[]; fps: number; frames: number };
  assert.deepEqual(j.indices, [15, 22, 29, 36, 44]);
  assert.equal(j.frames, 60);
  assert.ok(Math.abs(j.fps - 29.97) < 0.01);
  assert.equal(j.files.length, 5);
  for (let k = 0; k < 5; k++) assert.equal(await pngIndex(j.files[k]), j.indices[k]);
});

test("kinema frames reports bad specs and bad files with exit codes and the file name", () => {
  const bad = kinema(["frames", clip, "--sample", "uniform:zero", "--out", join(dir, "x")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad_spec/);
  const missing = kinema(["frames", join(dir, "nope.mp4"), "--sample", "uniform:2", "--out", join(dir, "x")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.mp4.*\[not_found\]/);
});

test("kinema cache info and clear --json", () => {
  const fill = kinema([
    "frames",
    clip,
    "--sample",
    "uniform:3",
    "--cache",
    "--out",
    join(dir, "o2"),
    "--json",
  ]);
  assert.equal(fill.code, 0, fill.stderr);
  const info = JSON.parse(kinema(["cache", "info", "--json"]).stdout);
  assert.equal(info.dir, join(dir, "cache"));
  assert.equal(info.entries, 1);
  assert.ok(info.bytes > 0 && info.maxBytes > 0);
  const cleared = JSON.parse(kinema(["cache", "clear", "--json"]).stdout);
  assert.equal(cleared.removed, 1);
  assert.equal(JSON.parse(kinema(["cache", "info", "--json"]).stdout).entries, 0);
});

test("kinema frames reads a JPEG folder given by a relative path", async () => {
  const folder = join(dir, "rel-frames");
  await mkdir(folder);
  const [w, h] = [96, 64];
  const frames = Array.from({ length: 12 }, (_, i) => indexFrame(i, w, h));
  const jpegs = await encodeImages(
    { width: w, height: h, frames, indices: frames.map((_, i) => i) },
    "jpeg",
    95,
  );
  await Promise.all(jpegs.map((b, i) => writeFile(join(folder, `${String(i).padStart(5, "0")}.jpg`), b)));
  const r = kinema(["frames", "rel-frames", "--sample", "uniform:3", "--out", "rel-out", "--json"], {}, dir);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { indices: number[]; files: string[]; frames: number };
  assert.deepEqual(j.indices, [0, 5, 11]);
  assert.equal(j.frames, 12);
  for (let k = 0; k < 3; k++)
    assert.equal(await pngIndex(join(dir, "rel-out", j.files[k].split("/").pop()!)), j.indices[k]);
});
