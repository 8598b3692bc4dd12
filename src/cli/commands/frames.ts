// `kinema frames`: writes the sampled frames of a video as PNGs, to see exactly what a model sees.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { KinemaError } from "../../util/errors.ts";
import { encodeImages, FITS, type Fit, loadFrames, SPEC_GRAMMAR } from "../../video/index.ts";
import { printJson, printText } from "../output.ts";

export interface FramesOptions {
  sample: string;
  window?: string;
  size?: number;
  fit?: Fit;
  out: string;
  /** Frame-folder frame rate. */
  fps?: number;
  cache?: boolean;
}

export interface FramesResult {
  indices: number[];
  files: string[];
  /** The video's frame rate as a number. */
  fps: number;
  /** The video's total frame count. */
  frames: number;
  /** Presentation time of each sampled frame, seconds from the first frame (which is at 0). */
  timestamps: number[];
  width: number;
  height: number;
  /** Degrees clockwise the video is turned to come out upright (its display matrix). */
  rotation: number;
  /** What the decoder complained about (absent when nothing). */
  warnings?: string[];
}

export async function frames(video: string, o: FramesOptions): Promise<FramesResult> {
  if (o.fit && !FITS.includes(o.fit))
    throw new KinemaError("bad_spec", `--fit must be one of ${FITS.join(", ")}, got "${o.fit}"`, {
      field: "fit",
    });
  const r = await loadFrames({ path: video, window: o.window, fps: o.fps }, o.sample, {
    size: o.size,
    fit: o.fit,
    cache: o.cache ?? false,
  });
  const pngs = await encodeImages(r.rgb, "png");
  const out = resolve(o.out);
  await mkdir(out, { recursive: true });
  const digits = Math.max(5, String(r.meta.frames).length);
  const files: string[] = [];
  for (let k = 0; k < pngs.length; k++) {
    const file = join(
      out,
      `${String(k).padStart(3, "0")}_frame${String(r.indices[k]).padStart(digits, "0")}.png`,
    );
    await writeFile(file, pngs[k]);
    files.push(file);
  }
  return {
    indices: r.indices,
    files,
    fps: r.meta.fpsValue,
    frames: r.meta.frames,
    timestamps: r.timestamps,
    width: r.rgb.width,
    height: r.rgb.height,
    rotation: r.meta.rotation ?? 0,
    ...(r.warnings ? { warnings: r.warnings } : {}),
  };
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 2)
    throw new KinemaError("bad_spec", `--size must be an integer ≥ 2, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  program
    .command("frames")
    .description("write the sampled frames of a video (file or JPEG/PNG folder) as PNGs")
    .argument("<video>", "video file (mp4/webm/mkv/avi) or folder of frame images")
    .requiredOption("--sample <spec>", `sampling spec: ${SPEC_GRAMMAR}`)
    .option("--window <start,end>", "restrict sampling to this window, in seconds")
    .option("--size <n>", "resize to n×n (max-side: longer side n)", positiveInt)
    .option("--fit <fit>", `how to fit the size: ${FITS.join(" | ")}`, "stretch")
    .option("--fps <f>", "frame rate of a frame folder (default 30)", Number)
    .option("--cache", "read/write the frame cache")
    .requiredOption("--out <dir>", "folder for the PNGs")
    .option("--json", "print the result as JSON")
    .action(async (video: string, opts: FramesOptions & { json?: boolean }) => {
      const r = await frames(video, opts);
      for (const w of r.warnings ?? []) process.stderr.write(`kinema: decoder warning: ${w}\n`);
      if (opts.json)
        printJson({
          indices: r.indices,
          files: r.files,
          fps: r.fps,
          frames: r.frames,
          timestamps: r.timestamps,
          rotation: r.rotation,
          ...(r.warnings ? { warnings: r.warnings } : {}),
        });
      else
        printText(
          `${r.files.length} frames (${r.width}×${r.height}) of ${r.frames} at ${r.fps.toFixed(3)} fps → ${resolve(opts.out)}\nindices: ${r.indices.join(", ")}`,
        );
    });
}
