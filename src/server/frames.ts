// The exact frames a model received for one stored sample: re-sampled through src/video's loadFrames (same
// spec, size and fit as the run, so the frame cache answers) and checked against the stored indices; the
// video path always comes from the store, never from a client. Small in-memory LRU of encoded images.
import type { RunInfo, SampleRecord } from "../analysis/types.ts";
import { KinemaError } from "../util/errors.ts";
import { decode, encodeImages, type Fit, loadFrames, probeDetail } from "../video/index.ts";

export interface FrameImage {
  data: Buffer;
  mime: "image/jpeg";
}

export interface FrameMeta {
  /** Position in what the model received (0-based). */
  k: number;
  /** Frame index into the decoded frame list of the video. */
  index: number;
  /** Presentation time in seconds from the start of the file (null when unknown). */
  time: number | null;
}

interface Decoded {
  images: Buffer[];
  times: (number | null)[];
}

export interface FrameStore {
  meta(run: RunInfo, s: SampleRecord): Promise<FrameMeta[]>;
  image(run: RunInfo, s: SampleRecord, k: number): Promise<FrameImage>;
}

function settings(run: RunInfo): { spec: string; size?: number; fit?: Fit } {
  const c = run.config ?? {};
  return {
    spec: typeof c.frames === "string" ? c.frames : run.frames,
    size: typeof c.size === "number" ? c.size : undefined,
    fit: typeof c.fit === "string" ? (c.fit as Fit) : undefined,
  };
}

export function createFrameStore(opts: { maxSamples?: number } = {}): FrameStore {
  const max = opts.maxSamples ?? 64;
  const lru = new Map<string, Promise<Decoded>>();

  async function decodeSample(run: RunInfo, s: SampleRecord): Promise<Decoded> {
    const video = s.video!;
    const want = s.frames!.indices;
    const { spec, size, fit } = settings(run);
    // 1. the run's own sampling (frame cache hit when the run decoded these frames)
    try {
      const got = await loadFrames(video, spec, { size, fit, images: "jpeg" }); // the runner's own encoding
      const pos = want.map((i) => got.indices.indexOf(i));
      if (pos.every((p) => p >= 0))
        return { images: pos.map((p) => got.images![p]), times: pos.map((p) => got.timestamps[p] ?? null) };
    } catch {
      // spec not reproducible here (e.g. renamed spec): decode the stored indices directly below
    }
    // 2. exactly the stored indices
    const detail = await probeDetail(video.path, { fps: video.fps });
    const rgb = await decode(video.path, want, { probe: detail, size, fit, fps: video.fps });
    const images = await encodeImages(rgb, "jpeg");
    return { images, times: want.map((i) => detail.pts?.[i] ?? i / detail.meta.fpsValue) };
  }

  function get(run: RunInfo, s: SampleRecord): Promise<Decoded> {
    if (!s.video || !s.frames || s.frames.indices.length === 0)
      throw new KinemaError("not_found", `no frames recorded for sample ${s.id}`, {});
    const key = `${run.id}\u0000${s.id}\u0000${s.frames.indices.join(",")}`;
    let p = lru.get(key);
    if (p) {
      lru.delete(key); // refresh recency
      lru.set(key, p);
      return p;
    }
    p = decodeSample(run, s);
    p.catch(() => lru.delete(key));
    if (lru.size >= max) lru.delete(lru.keys().next().value!);
    lru.set(key, p);
    return p;
  }

  return {
    async meta(run, s) {
      const indices = s.frames?.indices ?? [];
      if (indices.length === 0 || !s.video) return indices.map((index, k) => ({ k, index, time: null }));
      let times: (number | null)[] = [];
      try {
        times = (await get(run, s)).times;
      } catch {
        // the video is gone or unreadable: still show the indices; the images will 404
      }
      return indices.map((index, k) => ({ k, index, time: s.frames?.timestamps?.[k] ?? times[k] ?? null }));
    },
    async image(run, s, k) {
      const n = s.frames?.indices.length ?? 0;
      if (!Number.isInteger(k) || k < 0 || k >= n)
        throw new KinemaError("not_found", "no such frame", { index: k });
      const d = await get(run, s);
      return { data: d.images[k], mime: "image/jpeg" };
    },
  };
}
