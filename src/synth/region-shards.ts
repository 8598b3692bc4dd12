// Training shards for the object model (py/kinema_py/object_model.py): for every VideoRefer-Q question, the
// frames and per-object masks exactly as `kinema eval --model builtin:<object model>` feeds them, in both
// Bench-Q modes. The frames sent are chosen by the benchmark's own rule (videoReferFramesFor) and packed by
// the adapter's own functions (packFrames, packMasks), so training and evaluation inputs cannot drift apart.
//
// Layout (one directory): frames.npy uint8 (Q, N, S, S, 3) and masks.npy uint8 (Q, O, N, S, S) for multi-frame
// mode; frames_single.npy (Q, S, S, 3) and masks_single.npy (Q, O, S, S) for single-frame mode (the model
// repeats that frame N times, as the adapter does); with `som`, frames_som.npy and frames_single_som.npy hold
// the same frames with set-of-mark contours drawn; questions.json as for `kinema shards`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Rle, Sample } from "../benchmarks/types.ts";
import { annotatedFrames, videoReferFramesFor } from "../benchmarks/videorefer-q/index.ts";
import { loadVideoReferQ } from "../benchmarks/videorefer-q/load.ts";
import { drawMarks } from "../benchmarks/videorefer-q/marks.ts";
import { packMasks } from "../models/object.ts";
import { packFrames } from "../models/onnx.ts";
import { clipMeta } from "../run/deps.ts";
import { KinemaError } from "../util/errors.ts";
import { loadFrames } from "../video/index.ts";
import { parseSampleSpec, sampleIndices } from "../video/sample.ts";
import type { RgbFrames } from "../video/types.ts";
import { answerIndex, npyHeader, questionRecord } from "./shards.ts";

export interface RegionShardOptions {
  /** A VideoRefer-layout directory (kinema synth --kind videorefer --out). */
  data: string;
  /** N: frames the model takes; S: their side. */
  frames: number;
  size: number;
  /** O: object slots (questions with more objects are skipped). */
  objects: number;
  out: string;
  /** Frame spec of multi-frame mode before the annotated frames are merged in (eval's default). */
  spec?: string;
  /** Also write set-of-mark frames (contours), for the backbone without region input. */
  som?: boolean;
  limit?: number;
}

export interface RegionShardResult {
  out: string;
  questions: number;
  clips: number;
  skipped: { id: string; reason: string }[];
}

const masksAt = (s: Sample, idx: readonly number[]): (Rle | null)[][] =>
  (s.masks ?? []).map((om) => idx.map((f) => om[String(f)] ?? null));

export async function writeRegionShards(o: RegionShardOptions): Promise<RegionShardResult> {
  const spec = o.spec ?? "uniform:16";
  const { samples: all, issues } = await loadVideoReferQ(o.data, { mode: "multi" });
  const skipped: RegionShardResult["skipped"] = issues
    .filter((i) => i.action === "skipped")
    .map((i) => ({ id: i.id ?? "?", reason: i.message }));
  let samples = all.filter((s) => {
    if (answerIndex(s) < 0) skipped.push({ id: s.id, reason: `no usable answer ("${s.answer}")` });
    else if ((s.masks?.length ?? 0) > o.objects)
      skipped.push({ id: s.id, reason: "more objects than slots" });
    else return true;
    return false;
  });
  if (o.limit !== undefined) samples = samples.slice(0, o.limit);
  // Every frame of a clip decoded once, at its own size (as eval decodes without --size).
  type Clip = RgbFrames & { total: number; fps: number };
  const clips = new Map<string, Promise<Clip>>();
  const clipOf = (s: Sample): Promise<Clip> => {
    let p = clips.get(s.video.path);
    if (!p) {
      p = (async () => {
        const meta = await clipMeta(s.video);
        const f = await loadFrames(s.video, `indices:${[...Array(meta.frames).keys()].join(",")}`, {
          cache: false,
          images: false,
        });
        return { ...f.rgb, total: meta.frames, fps: meta.fps };
      })();
      clips.set(s.video.path, p);
    }
    return p;
  };
  const N = o.frames;
  const S = o.size;
  const parts = { frames: [] as Buffer[], masks: [] as Buffer[], f1: [] as Buffer[], m1: [] as Buffer[] };
  const som = { frames: [] as Buffer[], f1: [] as Buffer[] };
  const items: Record<string, unknown>[] = [];
  for (const s of samples) {
    let clip: Clip;
    try {
      clip = await clipOf(s);
    } catch (e) {
      skipped.push({ id: s.id, reason: (e as Error).message });
      continue;
    }
    if (clips.size > 4) clips.delete(clips.keys().next().value as string); // questions come clip by clip
    const info = { meta: async () => ({ frames: clip.total, fps: clip.fps }) };
    const multiSpec = await videoReferFramesFor(s, spec, info);
    const parsed = parseSampleSpec(multiSpec);
    const idx = parsed.kind === "indices" ? parsed.indices : sampleIndices(multiSpec, clip.total, clip.fps);
    const single = s.frameIdx !== undefined ? [s.frameIdx] : [annotatedFrames(s)[0] ?? 0];
    const pick = (ix: readonly number[]): RgbFrames => ({
      ...clip,
      frames: ix.map((i) => {
        const f = clip.frames[Math.min(i, clip.frames.length - 1)];
        if (!f) throw new KinemaError("internal", `frame ${i} missing`, { file: s.video.path });
        return f;
      }),
      indices: [...ix],
    });
    const rgbM = pick(idx);
    const rgb1 = pick(single);
    parts.frames.push(Buffer.from(packFrames(rgbM, N, S)));
    parts.masks.push(Buffer.from(packMasks(masksAt(s, idx), idx.length, N, S, o.objects)));
    parts.f1.push(Buffer.from(packFrames(rgb1, 1, S)));
    parts.m1.push(Buffer.from(packMasks(masksAt(s, single), 1, 1, S, o.objects)));
    if (o.som) {
      const draw = (rgb: RgbFrames, ix: number[]): RgbFrames => ({
        ...rgb,
        frames: drawMarks(
          rgb,
          ix.map((f) => (s.masks ?? []).map((om) => om[String(f)] ?? null)),
          "contour",
        ).frames,
      });
      som.frames.push(Buffer.from(packFrames(draw(rgbM, idx), N, S)));
      som.f1.push(Buffer.from(packFrames(draw(rgb1, single), 1, S)));
    }
    items.push({
      ...questionRecord(s),
      frame_idx: s.frameIdx,
      multi_indices: idx,
    });
  }
  if (items.length === 0)
    throw new KinemaError("bad_input", "no answered question with a decodable clip to write", {
      file: o.data,
    });
  mkdirSync(o.out, { recursive: true });
  const Q = items.length;
  const write = (name: string, shape: number[], chunks: Buffer[]) =>
    writeFileSync(join(o.out, name), Buffer.concat([npyHeader(shape), ...chunks]));
  write("frames.npy", [Q, N, S, S, 3], parts.frames);
  write("masks.npy", [Q, o.objects, N, S, S], parts.masks);
  write("frames_single.npy", [Q, S, S, 3], parts.f1);
  write("masks_single.npy", [Q, o.objects, S, S], parts.m1);
  if (o.som) {
    write("frames_som.npy", [Q, N, S, S, 3], som.frames);
    write("frames_single_som.npy", [Q, S, S, 3], som.f1);
  }
  writeFileSync(
    join(o.out, "questions.json"),
    `${JSON.stringify({ version: 1, kind: "videorefer-regions", source: o.data, n_frames: N, size: S, objects: o.objects, spec, items })}\n`,
  );
  return { out: o.out, questions: Q, clips: new Set(items.map((i) => i.video_id)).size, skipped };
}
