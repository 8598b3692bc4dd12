// loadFrames(): the runner's one call — probe, sample, decode, encode — with the disk frame cache in front.
import { isKinemaError, KinemaError } from "../util/errors.ts";
import { ByteLru } from "../util/lru.ts";
import { type CacheEntry, cacheDir, cacheKey, fileIdentity, readCache, writeCache } from "./cache.ts";
import { decode } from "./decode.ts";
import { encodeImages, type ImageFormat } from "./encode.ts";
import { probeDetail } from "./probe.ts";
import { formatSampleSpec, parseSampleSpec, parseWindow, sampleIndices } from "./sample.ts";
import type { Fit, RgbFrames, VideoMeta, Window } from "./types.ts";

export interface VideoRef {
  /** A video file or a folder of JPEG/PNG frames. */
  path: string;
  /** Restrict sampling to [start, end) seconds: a tuple or "START,END". */
  window?: Window | string;
  /** Frame rate of a frame folder (default 30). */
  fps?: number;
}

export interface LoadOptions {
  size?: number;
  fit?: Fit;
  /** Use the disk cache (default true). */
  cache?: boolean;
  /** Also return encoded images (default false). */
  images?: ImageFormat | false;
  /** JPEG quality 1–100 (default 90). */
  quality?: number;
  timeoutMs?: number;
  /** Cache folder (default cacheDir()). */
  cacheDir?: string;
}

export interface LoadedFrames {
  meta: VideoMeta;
  /** Sampled frame indices into the whole video, in spec order. */
  indices: number[];
  rgb: RgbFrames;
  images?: Buffer[];
  /** Presentation time in seconds of each sampled frame (from the container's timestamps). */
  timestamps: number[];
  /** Whether the frames came from the cache. */
  cached: boolean;
  /** What the decoder complained about while decoding these frames (absent when nothing). */
  warnings?: string[];
}

/**
 * Samples `spec` from a video and returns the frames (and optionally JPEG/PNG bytes).
 * @example const { images } = await loadFrames({ path: "clip.mp4" }, "uniform:16", { size: 448, images: "jpeg" });
 */
export async function loadFrames(ref: VideoRef, spec: string, opts: LoadOptions = {}): Promise<LoadedFrames> {
  const parsed = parseSampleSpec(spec);
  const window = typeof ref.window === "string" ? parseWindow(ref.window) : ref.window;
  const fit = opts.fit ?? "stretch";
  const useCache = opts.cache ?? true;
  let key: string | undefined;
  let memKey: string | undefined;
  let out: Omit<LoadedFrames, "images"> | undefined;
  if (useCache) {
    const identity = await fileIdentity(ref.path).catch(() => undefined); // missing path: probe says why
    if (identity) {
      key = cacheKey({
        identity,
        spec: formatSampleSpec(parsed),
        window,
        size: opts.size,
        fit,
        fps: ref.fps,
      });
      memKey = `${opts.cacheDir ?? cacheDir()}|${key}`;
      const mem = frameMemory.get(memKey);
      const hit = mem ?? (await readCache(key, opts.cacheDir));
      if (hit && !mem) frameMemory.set(memKey, hit, rgbBytes(hit.rgb));
      if (hit) {
        out = { ...hit, meta: { ...hit.meta, path: ref.path }, cached: true };
        if (hit.rgb.warnings) out.warnings = hit.rgb.warnings;
      }
    }
  }
  if (!out) {
    const detail = await probeDetail(ref.path, { fps: ref.fps, timeoutMs: opts.timeoutMs });
    const { meta } = detail;
    let indices: number[];
    try {
      indices = sampleIndices(parsed, meta.frames, meta.fpsValue, window, detail.pts);
    } catch (e) {
      if (isKinemaError(e) && e.fields.file === undefined)
        // name the video
        throw new KinemaError(e.code, `${ref.path}: ${e.message}`, { ...e.fields, file: ref.path });
      throw e;
    }
    const rgb = await decode(ref.path, indices, {
      probe: detail,
      size: opts.size,
      fit,
      timeoutMs: opts.timeoutMs,
    });
    const timestamps = indices.map((i) => detail.pts?.[i] ?? i / meta.fpsValue);
    out = { meta, indices, rgb, timestamps, cached: false };
    if (rgb.warnings) out.warnings = rgb.warnings;
    if (key && memKey) {
      await writeCache(key, out, opts.cacheDir).catch(() => {}); // a full disk must not fail the run
      frameMemory.set(memKey, { meta, indices, timestamps, rgb }, rgbBytes(rgb));
    }
  }
  const images = opts.images ? await encodedImages(key, out.rgb, opts.images, opts.quality) : undefined;
  return { ...out, images };
}

/**
 * Frames and encoded images of cached clips, also kept in memory (least recently used out first): a benchmark
 * asks several questions of one clip, and reading the disk cache and re-encoding the same frames to JPEG was
 * most of the runner's per-sample time. Keyed by the frame-cache key (file identity, spec, window, size, fit,
 * fps), and for images by format and quality too, so a changed file or option never gets another's bytes.
 */
const frameMemory = new ByteLru<CacheEntry>(128 << 20);
const encodedMemory = new ByteLru<Buffer[]>(64 << 20);

async function encodedImages(
  cacheKey: string | undefined,
  rgb: RgbFrames,
  format: ImageFormat,
  quality: number | undefined,
): Promise<Buffer[]> {
  if (!cacheKey) return encodeImages(rgb, format, quality);
  const k = `${cacheKey}|${format}|${quality ?? ""}`;
  const hit = encodedMemory.get(k);
  if (hit) return hit;
  const images = await encodeImages(rgb, format, quality);
  encodedMemory.set(
    k,
    images,
    images.reduce((n, b) => n + b.length, 0),
  );
  return images;
}

function rgbBytes(rgb: RgbFrames): number {
  return rgb.frames.reduce((n, f) => n + f.length, 0);
}

/** Empties the in-memory frame and image caches (tests). */
export function clearEncodedImages(): void {
  encodedMemory.clear();
  frameMemory.clear();
}
