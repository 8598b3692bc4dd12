// loadFrames' in-memory encoded-image cache: the same clip and options give the same bytes without a second
// encode; any change of options, or of the file, gives its own bytes.
import assert from "node:assert/strict";
import { mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { encodeImages } from "./encode.ts";
import { clearEncodedImages, loadFrames } from "./load.ts";
import { makeIndexClip } from "./testclip.ts";

let dir: string;
let clip: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-load-"));
  clip = join(dir, "a.mp4");
  await makeIndexClip(clip, { frames: 30, rate: "30", codec: "h264" });
});
after(async () => {
  clearEncodedImages();
  await rm(dir, { recursive: true, force: true });
});

test("encoded images of cached frames are kept in memory, keyed by every option and the file", async () => {
  const cacheDir = join(dir, "cache");
  const o = { size: 64, images: "jpeg" as const, cacheDir };
  const a = await loadFrames({ path: clip }, "uniform:4", o);
  const b = await loadFrames({ path: clip }, "uniform:4", o);
  assert.equal(b.cached, true);
  assert.ok(a.images && b.images);
  for (let i = 0; i < 4; i++) assert.equal(b.images[i], a.images[i]); // the same Buffer: no second encode
  // and they are what encoding the frames gives
  assert.deepEqual(await encodeImages(b.rgb, "jpeg"), a.images);

  const q = await loadFrames({ path: clip }, "uniform:4", { ...o, quality: 50 });
  assert.notEqual(q.images?.[0], a.images[0]);
  assert.notDeepEqual(q.images, a.images);
  const png = await loadFrames({ path: clip }, "uniform:4", { ...o, images: "png" });
  assert.equal(png.images?.[0].subarray(1, 4).toString(), "PNG");
  const other = await loadFrames({ path: clip }, "uniform:3", o);
  assert.equal(other.images?.length, 3);
  const bigger = await loadFrames({ path: clip }, "uniform:4", { ...o, size: 32 });
  assert.notDeepEqual(bigger.images, a.images);

  // the file changes (new mtime): its frames and images are its own again
  const later = new Date(Date.now() + 5_000);
  await utimes(clip, later, later);
  const c = await loadFrames({ path: clip }, "uniform:4", o);
  assert.equal(c.cached, false);
  assert.notEqual(c.images?.[0], a.images[0]);

  // without the frame cache nothing is kept either
  const n1 = await loadFrames({ path: clip }, "uniform:4", { ...o, cache: false });
  const n2 = await loadFrames({ path: clip }, "uniform:4", { ...o, cache: false });
  assert.notEqual(n1.images?.[0], n2.images?.[0]);
  assert.deepEqual(n1.images, n2.images);
});

test("decoded frames are kept in memory too: a second load reads neither the disk cache nor the file", async () => {
  const cacheDir = join(dir, "cache-mem");
  const o = { size: 48, cacheDir };
  const a = await loadFrames({ path: clip }, "uniform:5", o);
  assert.equal(a.cached, false);
  await rm(cacheDir, { recursive: true, force: true }); // the disk entry is gone
  const b = await loadFrames({ path: clip }, "uniform:5", o);
  assert.equal(b.cached, true);
  assert.equal(b.rgb.frames[0], a.rgb.frames[0]);
  assert.deepEqual(b.indices, a.indices);
  // another cache folder is another cache
  const c = await loadFrames({ path: clip }, "uniform:5", { ...o, cacheDir: join(dir, "cache-other") });
  assert.equal(c.cached, false);
});
