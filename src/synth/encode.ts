// Frames → mp4 (h264, yuv420p) by piping raw RGB into ffmpeg; flags chosen for byte-identical output.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { KinemaError } from "../util/errors.ts";
import { runTool } from "../video/tools.ts";

/** ffmpeg arguments for a deterministic encode: one thread, bitexact muxing, no metadata. */
export function encodeArgs(w: number, h: number, fps: number, out: string): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-s",
    `${w}x${h}`,
    "-r",
    String(fps),
    "-i",
    "-",
    "-an",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "16",
    "-pix_fmt",
    "yuv420p",
    "-threads",
    "1",
    "-fflags",
    "+bitexact",
    "-flags:v",
    "+bitexact",
    "-map_metadata",
    "-1",
    "-movflags",
    "+faststart",
    "-y",
    out,
  ];
}

/** Encodes `frames` (concatenated RGB24 frames) to `out`. Throws KinemaError on failure. */
export async function encodeMp4(
  frames: Buffer,
  w: number,
  h: number,
  fps: number,
  out: string,
): Promise<void> {
  if (w % 2 || h % 2)
    throw new KinemaError("bad_spec", `size ${w}x${h} must be even for yuv420p`, { field: "size" });
  mkdirSync(dirname(out), { recursive: true });
  const r = await runTool("ffmpeg", encodeArgs(w, h, fps, out), { input: frames, timeoutMs: 120_000 });
  if (r.code !== 0)
    throw new KinemaError(
      "decode_failed",
      `ffmpeg could not encode ${out}: ${r.stderr.trim().slice(0, 400)}`,
      {
        file: out,
      },
    );
}
