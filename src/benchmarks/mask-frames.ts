// Masks must cover the frames they mark: after a benchmark file is read, each video is probed once (headers
// only: the in-process mp4 reader, one JPEG/PNG header of a frame folder, or ffprobe) and every item whose
// RLE size differs from its video's upright frame size is rejected, naming the item, object and frame.
// Shared by the benchmarks that carry masks (videorefer-q, videorefer-d, caption-ref).
import { probe } from "../video/probe.ts";
import type { LoadIssue, LoadResult, Rle, Sample } from "./types.ts";

/** Videos probed at once. */
const PROBES_AT_ONCE = 4;

/**
 * Drops the samples whose masks do not match their video's frame size (skipped issues); `fieldOf(sample)`
 * gives the item's field prefix in the file (e.g. `[12]` or `videos[3]`). A video that cannot be probed is
 * not judged here: it fails (or is reported missing) on its own.
 */
export async function rejectMisfitMasks(
  result: LoadResult,
  file: string,
  fieldOf: (s: Sample) => string,
): Promise<LoadResult> {
  const paths = [...new Set(result.samples.filter((s) => s.masks?.length).map((s) => s.video.path))];
  const size = new Map<string, [number, number] | null>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PROBES_AT_ONCE, paths.length) }, async () => {
      while (next < paths.length) {
        const p = paths[next++];
        try {
          const m = await probe(p);
          size.set(p, [m.height, m.width]);
        } catch {
          size.set(p, null);
        }
      }
    }),
  );
  const issues: LoadIssue[] = [...result.issues];
  const samples = result.samples.filter((s) => {
    const hw = size.get(s.video.path);
    if (!hw || !s.masks) return true;
    for (const [k, om] of s.masks.entries())
      for (const [frame, rle] of Object.entries(om ?? {})) {
        const sz = (rle as Rle | null)?.size;
        if (sz && (sz[0] !== hw[0] || sz[1] !== hw[1])) {
          issues.push({
            file,
            field: `${fieldOf(s)}.annotation[${k}].${frame}.segmentation`,
            id: s.id,
            message: `object ${k}, frame ${frame}: mask size ${sz[0]}x${sz[1]} does not match the video's frames (${hw[0]}x${hw[1]}, height x width): ${s.video.path}`,
            action: "skipped",
          });
          return false;
        }
      }
    return true;
  });
  return { ...result, samples, issues };
}

/** Index of the first record with each id (`{id}` objects in a JSON list), for naming items in issues. */
export function firstIndexById(records: unknown[]): Map<string, number> {
  const at = new Map<string, number>();
  records.forEach((r, i) => {
    const id = (r as { id?: unknown } | null)?.id;
    if ((typeof id === "string" || typeof id === "number") && !at.has(String(id))) at.set(String(id), i);
  });
  return at;
}
