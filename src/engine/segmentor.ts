// Segmentor adapters for the VideoRefer engine: an object's box on the first frame → mask → masklet over the
// clip. `synth-oracle` returns the synthetic world's exact masks of the object the box points at; `http:URL`
// talks to a segmentation service (wire format in docs/engines.md, shaped for a SAM 2 server).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { bbox, type Rle } from "../masks/rle.ts";
import { KinemaError } from "../util/errors.ts";

/** Box in pixels of the first frame: [x0, y0, x1, y1]. */
export type Box = [number, number, number, number];

export interface SegmentRequest {
  clip: string;
  /** Decoded frame indices the masklet should cover. */
  indices: number[];
  /** PNG bytes of those frames (HTTP services need them; the oracle does not). */
  frames?: Buffer[];
  width: number;
  height: number;
  box: Box;
}

/** frame index → mask (null: object absent on that frame). */
export type Masklet = Record<string, Rle | null>;

export interface Segmentor {
  readonly spec: string;
  readonly needsFrames: boolean;
  describe(): Record<string, unknown>;
  segment(req: SegmentRequest, signal?: AbortSignal): Promise<{ masklet: Masklet; calls: number }>;
}

const iouBox = (a: Box, b: Box) => {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return u > 0 ? inter / u : 0;
};

/** Truth masks of a `kinema synth --kind videorefer` folder: clip → object id → per-frame RLE. */
export function readSynthMasks(dir: string, clip: string): { id: string; frames: (Rle | null)[] }[] {
  const file = join(dir, "masks", `${clip}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")).objects;
  } catch (e) {
    throw new KinemaError("not_found", `no synthetic masks for ${clip}: ${(e as Error).message}`, { file });
  }
}

/** The oracle: the true object whose first-frame box overlaps the given box best (IoU > 0.1), its exact masks. */
export function createSynthOracle(synthDir: string): Segmentor {
  return {
    spec: "synth-oracle",
    needsFrames: false,
    describe: () => ({ kind: "synth-oracle", dir: synthDir }),
    async segment(req) {
      const objs = readSynthMasks(synthDir, req.clip);
      let best: { id: string; frames: (Rle | null)[] } | undefined;
      let bestIou = 0.1;
      for (const o of objs) {
        const first = req.indices.map((i) => o.frames[i]).find((m) => m);
        if (!first) continue;
        const [x, y, w, h] = bbox(first);
        if (w === 0) continue;
        const v = iouBox([x, y, x + w, y + h], req.box);
        if (v > bestIou) {
          bestIou = v;
          best = o;
        }
      }
      if (!best)
        throw new KinemaError("bad_response", "synth-oracle: the box covers no object", { box: req.box });
      const masklet: Masklet = {};
      for (const i of req.indices) masklet[String(i)] = best.frames[i] ?? null;
      return { masklet, calls: 1 };
    },
  };
}

const RleZ = z.object({
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
});
const SegmentReply = z.object({ segmentation: RleZ, score: z.number().optional() });
const PropagateReply = z.object({ masks: z.record(z.string(), RleZ.nullable()) });

async function post(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (signal?.aborted)
      throw new KinemaError("timeout", `segmentation request to ${url} timed out`, { url });
    throw new KinemaError("network", `cannot reach ${url}: ${(e as Error).message}`, { url });
  }
  const text = await res.text();
  if (!res.ok)
    throw new KinemaError("http_status", `HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`, {
      status: res.status,
      url,
    });
  try {
    return JSON.parse(text);
  } catch {
    throw new KinemaError("bad_response", `reply from ${url} is not JSON: ${text.slice(0, 120)}`, { url });
  }
}

/** `http:<base>`: POST <base>/segment then POST <base>/propagate (docs/engines.md). */
export function createHttpSegmentor(base: string): Segmentor {
  const root = base.replace(/\/+$/, "");
  return {
    spec: `http:${root}`,
    needsFrames: true,
    describe: () => ({ kind: "http", baseUrl: root }),
    async segment(req, signal) {
      if (!req.frames || req.frames.length !== req.indices.length)
        throw new KinemaError("internal", "http segmentor needs one PNG per frame index");
      const seg = SegmentReply.safeParse(
        await post(
          `${root}/segment`,
          {
            image: req.frames[0].toString("base64"),
            frame: req.indices[0],
            width: req.width,
            height: req.height,
            box: req.box,
          },
          signal,
        ),
      );
      if (!seg.success)
        throw new KinemaError(
          "bad_response",
          `${root}/segment: ${seg.error.issues[0].path.join(".")}: ${seg.error.issues[0].message}`,
        );
      const prop = PropagateReply.safeParse(
        await post(
          `${root}/propagate`,
          {
            frames: req.frames.map((f) => f.toString("base64")),
            indices: req.indices,
            start: req.indices[0],
            segmentation: seg.data.segmentation,
          },
          signal,
        ),
      );
      if (!prop.success)
        throw new KinemaError(
          "bad_response",
          `${root}/propagate: ${prop.error.issues[0].path.join(".")}: ${prop.error.issues[0].message}`,
        );
      const masklet: Masklet = {};
      for (const i of req.indices)
        masklet[String(i)] = (prop.data.masks[String(i)] as Rle | null | undefined) ?? null;
      masklet[String(req.indices[0])] ??= seg.data.segmentation as Rle;
      return { masklet, calls: 2 };
    },
  };
}

export function createSegmentor(spec: string, opts: { synthDir?: string }): Segmentor {
  if (spec === "synth-oracle") {
    if (!opts.synthDir)
      throw new KinemaError("bad_spec", "--segmentor synth-oracle needs --synth DIR", { field: "segmentor" });
    return createSynthOracle(opts.synthDir);
  }
  if (spec.startsWith("http:")) return createHttpSegmentor(spec.slice(5));
  throw new KinemaError("bad_spec", `unknown segmentor "${spec}" (use synth-oracle or http:URL)`, {
    field: "segmentor",
  });
}
