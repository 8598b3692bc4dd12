// Synthetic clips whose frames carry their own index as big black/white blocks (tests, perf, doctor).
import { runTool } from "./tools.ts";

/** Bits of the index drawn per frame (frames 0..1023), plus two calibration cells (white, black). */
const BITS = 10;
const COLS = 4;
const ROWS = 3;

/** One RGB24 frame of width×height showing `index` as a 4×3 grid of cells (bit k → cell k). */
export function indexFrame(index: number, width: number, height: number): Buffer {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = Math.min(ROWS - 1, Math.floor((y * ROWS) / height));
    for (let x = 0; x < width; x++) {
      const cell = row * COLS + Math.min(COLS - 1, Math.floor((x * COLS) / width));
      const on = cell < BITS ? (index >> cell) & 1 : cell === BITS ? 1 : 0;
      // A faint moving gradient keeps the encoder honest (real motion vectors, non-trivial P/B frames).
      const v = on ? 235 - ((x + index) % 16) : 20 + ((y + index) % 16);
      buf.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return buf;
}

/**
 * Reads the index back from a decoded RGB24 frame drawn by indexFrame (at any stretch of its size).
 * Returns -1 when the calibration cells are not white/black (not one of our frames, or mangled).
 */
export function readIndex(rgb: Buffer, width: number, height: number): number {
  const cellValue = (cell: number): number => {
    const cx = Math.floor(((cell % COLS) + 0.5) * (width / COLS));
    const cy = Math.floor((Math.floor(cell / COLS) + 0.5) * (height / ROWS));
    let sum = 0;
    let n = 0;
    const r = Math.max(1, Math.floor(Math.min(width / COLS, height / ROWS) / 6));
    for (let y = cy - r; y <= cy + r; y++)
      for (let x = cx - r; x <= cx + r; x++) {
        const p = (y * width + x) * 3;
        sum += (rgb[p] + rgb[p + 1] + rgb[p + 2]) / 3;
        n++;
      }
    return sum / n;
  };
  if (cellValue(BITS) < 160 || cellValue(BITS + 1) > 96) return -1;
  let index = 0;
  for (let k = 0; k < BITS; k++) if (cellValue(k) > 128) index |= 1 << k;
  return index;
}

export interface ClipOptions {
  frames: number;
  /** Frame rate as ffmpeg reads it: "30", "30000/1001". */
  rate: string;
  codec: "h264" | "vp9";
  width?: number;
  height?: number;
  /** Keyframe interval; small values exercise seeking. */
  gop?: number;
  /** Make the clip variable-frame-rate: a 0.4 s pause in timestamps after frame 20. */
  vfr?: boolean;
  /** More encoder options, e.g. ["-x264-params", "open-gop=1"]. */
  extra?: string[];
  timeoutMs?: number;
}

/** Encodes an index clip to `out` (.mp4/.mkv for h264, .webm/.mkv for vp9) with one ffmpeg process. */
export async function makeIndexClip(out: string, o: ClipOptions): Promise<void> {
  const width = o.width ?? 160;
  const height = o.height ?? 96;
  const raw = Buffer.concat(Array.from({ length: o.frames }, (_, i) => indexFrame(i, width, height)));
  const codec =
    o.codec === "h264"
      ? ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
      : ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "0", "-crf", "40"];
  const args = ["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${width}x${height}`];
  args.push("-framerate", o.rate, "-i", "pipe:0", ...codec, "-threads", "1");
  if (o.gop) args.push("-g", String(o.gop));
  if (o.extra) args.push(...o.extra);
  if (o.vfr) args.push("-vf", "setpts='PTS+if(gte(N,20),0.4/TB,0)'", "-vsync", "vfr");
  args.push(out);
  const r = await runTool("ffmpeg", args, { input: raw, timeoutMs: o.timeoutMs ?? 60_000 });
  if (r.code !== 0) throw new Error(`making ${out} failed: ${r.stderr.trim()}`);
}
