// Disk cache of decoded frames: atomic writes (temp + rename), LRU eviction under a size cap.
import { createHash, randomBytes } from "node:crypto";
import {
  mkdir,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { RgbFrames, VideoMeta } from "./types.ts";

const MAGIC = "KFC1";
const EXT = ".kfc";
const DEFAULT_MAX_MB = 2048;

/** `$KINEMA_CACHE_DIR`, else `~/.cache/kinema/frames`. */
export function cacheDir(): string {
  return process.env.KINEMA_CACHE_DIR || join(homedir(), ".cache", "kinema", "frames");
}

/** `$KINEMA_CACHE_MAX_MB` (default 2048) in bytes. */
export function cacheMaxBytes(): number {
  const mb = Number(process.env.KINEMA_CACHE_MAX_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MAX_MB) * 1024 * 1024;
}

/**
 * Identity of a video without hashing its content: real path + size + mtime for files; for frame folders
 * the same for every frame file (a re-extracted folder gets new mtimes, so stale frames are never served).
 */
export async function fileIdentity(path: string): Promise<string> {
  const real = await realpath(path);
  const st = await stat(real);
  if (!st.isDirectory()) return `file:${real}:${st.size}:${st.mtimeMs}`;
  const h = createHash("sha256");
  for (const name of (await readdir(real)).sort()) {
    const s = await stat(join(real, name));
    h.update(`${name}:${s.size}:${s.mtimeMs}\n`);
  }
  return `frames:${real}:${h.digest("hex")}`;
}

/**
 * Version 2: frames are exact on every stream (v1 entries could hold wrong frames of old-x264 4:4:4 clips)
 * and fps:F follows presentation times.
 */
export function cacheKey(parts: Record<string, unknown>): string {
  return createHash("sha256")
    .update(JSON.stringify({ v: 2, ...parts }))
    .digest("hex");
}

export interface CacheEntry {
  meta: VideoMeta;
  /** Requested indices in request order (repeats included); rgb.frames parallels them. */
  indices: number[];
  timestamps: number[];
  rgb: RgbFrames;
}

interface Header {
  key: string;
  meta: VideoMeta;
  indices: number[];
  timestamps: number[];
  width: number;
  height: number;
  /** Distinct frames stored; `order[k]` says which stored frame answers indices[k]. */
  stored: number;
  order: number[];
  /** The decoder's complaints when the frames were decoded. */
  warnings?: string[];
}

function entryPath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}${EXT}`);
}

/** Reads an entry, or undefined on a miss or an unreadable (then removed) file. Marks it recently used. */
export async function readCache(key: string, dir = cacheDir()): Promise<CacheEntry | undefined> {
  const file = entryPath(dir, key);
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    if (buf.toString("latin1", 0, 4) !== MAGIC) throw new Error("bad magic");
    const hlen = buf.readUInt32LE(4);
    const h = JSON.parse(buf.toString("utf8", 8, 8 + hlen)) as Header;
    const frameBytes = h.width * h.height * 3;
    const body = 8 + hlen;
    if (h.key !== key || buf.length !== body + h.stored * frameBytes) throw new Error("bad size");
    const stored = Array.from({ length: h.stored }, (_, k) =>
      buf.subarray(body + k * frameBytes, body + (k + 1) * frameBytes),
    );
    const now = new Date();
    await utimes(file, now, now).catch(() => {}); // LRU clock; a concurrent eviction may have removed it
    return {
      meta: h.meta,
      indices: h.indices,
      timestamps: h.timestamps,
      rgb: {
        width: h.width,
        height: h.height,
        frames: h.order.map((k) => stored[k]),
        indices: h.indices,
        ...(h.warnings ? { warnings: h.warnings } : {}),
      },
    };
  } catch {
    await unlink(file).catch(() => {});
    return undefined;
  }
}

/** Writes an entry atomically (concurrent writers of one key both succeed; readers never see half a file). */
export async function writeCache(key: string, entry: CacheEntry, dir = cacheDir()): Promise<void> {
  const file = entryPath(dir, key);
  await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
  const slots = new Map<number, number>();
  const frames: Buffer[] = [];
  const order = entry.indices.map((idx, k) => {
    let s = slots.get(idx);
    if (s === undefined) {
      s = frames.length;
      slots.set(idx, s);
      frames.push(entry.rgb.frames[k]);
    }
    return s;
  });
  const header: Header = {
    key,
    meta: entry.meta,
    indices: entry.indices,
    timestamps: entry.timestamps,
    width: entry.rgb.width,
    height: entry.rgb.height,
    stored: frames.length,
    order,
    ...(entry.rgb.warnings ? { warnings: entry.rgb.warnings } : {}),
  };
  const hbuf = Buffer.from(JSON.stringify(header), "utf8");
  const pre = Buffer.alloc(8);
  pre.write(MAGIC, 0, "latin1");
  pre.writeUInt32LE(hbuf.length, 4);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([pre, hbuf, ...frames]));
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await evict(cacheMaxBytes(), dir);
}

interface FileStat {
  path: string;
  size: number;
  mtimeMs: number;
}

async function listEntries(dir: string): Promise<{ entries: FileStat[]; temps: FileStat[] }> {
  const entries: FileStat[] = [];
  const temps: FileStat[] = [];
  let subs: string[];
  try {
    subs = await readdir(dir);
  } catch {
    return { entries, temps };
  }
  for (const sub of subs) {
    let names: string[];
    try {
      names = await readdir(join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, sub, name);
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) continue;
      const rec = { path, size: st.size, mtimeMs: st.mtimeMs };
      if (name.endsWith(EXT)) entries.push(rec);
      else if (name.endsWith(".tmp")) temps.push(rec);
    }
  }
  return { entries, temps };
}

/** Removes least recently used entries until the cache is at most 90% of maxBytes; drops stale temps. */
export async function evict(
  maxBytes = cacheMaxBytes(),
  dir = cacheDir(),
): Promise<{ removed: number; bytes: number }> {
  const { entries, temps } = await listEntries(dir);
  const hourAgo = Date.now() - 3_600_000;
  for (const t of temps) if (t.mtimeMs < hourAgo) await unlink(t.path).catch(() => {});
  let total = entries.reduce((s, e) => s + e.size, 0);
  let removed = 0;
  let bytes = 0;
  if (total <= maxBytes) return { removed, bytes };
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const e of entries) {
    if (total <= maxBytes * 0.9) break;
    await unlink(e.path).catch(() => {});
    total -= e.size;
    removed++;
    bytes += e.size;
  }
  return { removed, bytes };
}

export interface CacheInfo {
  dir: string;
  entries: number;
  bytes: number;
  maxBytes: number;
}

export async function cacheInfo(dir = cacheDir()): Promise<CacheInfo> {
  const { entries } = await listEntries(dir);
  return {
    dir,
    entries: entries.length,
    bytes: entries.reduce((s, e) => s + e.size, 0),
    maxBytes: cacheMaxBytes(),
  };
}

/** Deletes every entry (and temp file) under the cache folder; the folder itself stays. */
export async function clearCache(dir = cacheDir()): Promise<{ dir: string; removed: number; bytes: number }> {
  const { entries, temps } = await listEntries(dir);
  let bytes = 0;
  for (const e of [...entries, ...temps]) {
    await rm(e.path, { force: true });
    bytes += e.size;
  }
  return { dir, removed: entries.length, bytes };
}
