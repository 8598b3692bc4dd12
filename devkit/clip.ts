// A testsrc clip made by one ffmpeg call (H.264 in mp4, yuv420p): the clip every fixture of the tests and
// perf/ is built from.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { resolveTool } from "../src/video/tools.ts";

export interface TestClip {
  seconds?: number;
  rate?: number;
  /** WxH (default 64x64). */
  size?: string;
  /** Keyframe interval in frames (libx264 -g); ffmpeg's default when absent. */
  gop?: number;
}

/** Writes `file` (its folder made as needed); returns it. */
export function testClip(file: string, o: TestClip = {}): string {
  mkdirSync(dirname(file), { recursive: true });
  const src = `testsrc=duration=${o.seconds ?? 1}:size=${o.size ?? "64x64"}:rate=${o.rate ?? 8}`;
  const codec = o.gop === undefined ? [] : ["-c:v", "libx264", "-g", String(o.gop)];
  execFileSync(
    resolveTool("ffmpeg").path,
    ["-v", "error", "-y", "-f", "lavfi", "-i", src, "-pix_fmt", "yuv420p", ...codec, file],
    { stdio: "ignore" },
  );
  return file;
}
