// Frame cache: round trip, concurrent writers, corrupt entries, LRU eviction under a cap.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type CacheEntry, cacheInfo, cacheKey, clearCache, evict, readCache, writeCache } from "./cache.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "kinema-cache-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entry(fill: number, indices = [3, 1, 3]): CacheEntry {
  const frame = (i: number) => Buffer.alloc(4 * 2 * 3, (fill + i) % 256);
  return {
    meta: {
      path: "x.mp4",
      kind: "file",
      duration: 1,
      fps: { num: 30, den: 1 },
      fpsValue: 30,
      frames: 30,
      width: 4,
      height: 2,
      codec: "h264",
    },
    indices,
    timestamps: indices.map((i) => i / 30),
    rgb: { width: 4, height: 2, frames: indices.map(frame), indices },
  };
}

test("round trip keeps order and repeats; keys differ by any part", async () => {
  const key = cacheKey({ identity: "a", spec: "uniform:3", size: 4 });
  assert.notEqual(key, cacheKey({ identity: "a", spec: "uniform:3", size: 8 }));
  assert.equal(await readCache(key, dir), undefined);
  await writeCache(key, entry(10), dir);
  const got = await readCache(key, dir);
  assert.ok(got);
  assert.deepEqual(got.indices, [3, 1, 3]);
  assert.deepEqual(
    got.rgb.frames.map((f) => f[0]),
    [13, 11, 13],
  );
  assert.deepEqual(got.timestamps, [0.1, 1 / 30, 0.1]);
});

test("concurrent writers of one key leave one whole entry and no temp files", async () => {
  const key = cacheKey({ identity: "b" });
  await Promise.all(Array.from({ length: 8 }, (_, k) => writeCache(key, entry(k * 20), dir)));
  const got = await readCache(key, dir);
  assert.ok(got, "a whole entry");
  const first = got.rgb.frames[1][0] - 1;
  assert.ok(
    got.rgb.frames.every((f, i) => f.every((b) => b === first + got.indices[i])),
    "not mixed",
  );
  const files = await readdir(join(dir, key.slice(0, 2)));
  assert.deepEqual(
    files.filter((f) => f.endsWith(".tmp")),
    [],
  );
});

test("a corrupt entry is a miss and is removed", async () => {
  const key = cacheKey({ identity: "c" });
  await writeCache(key, entry(1), dir);
  await writeFile(join(dir, key.slice(0, 2), `${key}.kfc`), "KFC1garbage");
  assert.equal(await readCache(key, dir), undefined);
  assert.equal(await readCache(key, dir), undefined);
});

test("eviction removes least recently used entries first; clear empties", async () => {
  const sub = join(dir, "lru");
  const keys = ["k1", "k2", "k3", "k4"].map((k) => cacheKey({ identity: k }));
  for (const k of keys) await writeCache(k, entry(0), sub);
  const size = (await cacheInfo(sub)).bytes / 4;
  // Ages: k1 oldest ... k4 newest; then k1 is read, which makes it the most recent.
  for (let i = 0; i < 4; i++) {
    const t = new Date(Date.now() - (10 - i) * 60_000);
    await utimes(join(sub, keys[i].slice(0, 2), `${keys[i]}.kfc`), t, t);
  }
  assert.ok(await readCache(keys[0], sub));
  const r = await evict(size * 2.5, sub);
  assert.equal(r.removed, 2);
  assert.equal(await readCache(keys[1], sub), undefined, "k2 was least recently used");
  assert.equal(await readCache(keys[2], sub), undefined);
  assert.ok(await readCache(keys[0], sub));
  assert.ok(await readCache(keys[3], sub));
  const c = await clearCache(sub);
  assert.equal(c.removed, 2);
  assert.equal((await cacheInfo(sub)).entries, 0);
});
