// probe(): frame-exact facts about a video file (one ffprobe call) or a folder of JPEG/PNG frames.
import { open, readdir, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { isKinemaError, KinemaError } from "../util/errors.ts";
import { type AvcConfig, type Packet, parseAvcC, parseHexDump } from "./h264.ts";
import { probeMp4 } from "./mp4.ts";
import { runTool } from "./tools.ts";
import type { VideoMeta } from "./types.ts";

/** Frame rate assumed for frame folders when the caller gives none (DAVIS and MeViS are shot at ~24–30). */
export const DEFAULT_FOLDER_FPS = 30;
const FRAME_FILE = /\.(jpe?g|png)$/i;

export interface ProbeOptions {
  /** Frame rate of a frame folder (ignored for video files, which carry their own). */
  fps?: number;
  timeoutMs?: number;
  /** Read H.264 mp4 headers in-process instead of starting ffprobe (default true; falls back by itself). */
  parser?: boolean;
}

/** What decode needs beyond VideoMeta: where each frame and keyframe lies. */
export interface ProbeDetail {
  meta: VideoMeta;
  /** Presentation time of each frame in seconds, relative to the file's start; absent when unknown. */
  pts?: number[];
  /** Presentation indices of keyframes, ascending (seek points). */
  keyframes?: number[];
  /** Frame folders: the frame files in frame order (absolute paths). */
  files?: string[];
  /** Coded frames in decode order with their file positions (when the container gives them). */
  packets?: Packet[];
  /** H.264 in mp4/mkv: the avcC configuration, enabling the reference-frames-only fast path. */
  avc?: AvcConfig;
  /** Who probed: the in-process mp4 reader (timestamps relative to the first frame) or ffprobe. */
  source?: "mp4" | "ffprobe";
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function rational(text: string | undefined): { num: number; den: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? "");
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = Number(m[2]);
  if (num <= 0 || den <= 0) return undefined;
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** A caller's fps number as a rational: 29.97 → 30000/1001 when that is what it means. */
export function fpsRational(fps: number): { num: number; den: number } {
  if (Math.abs(fps - 30000 / 1001) < 5e-3) return { num: 30000, den: 1001 };
  if (Math.abs(fps - 24000 / 1001) < 5e-3) return { num: 24000, den: 1001 };
  if (Math.abs(fps - 60000 / 1001) < 5e-3) return { num: 60000, den: 1001 };
  for (const den of [1, 2, 4, 5, 10, 100, 1000]) {
    const num = Math.round(fps * den);
    if (Math.abs(num / den - fps) < 1e-9) {
      const g = gcd(num, den);
      return { num: num / g, den: den / g };
    }
  }
  return { num: Math.round(fps * 1000), den: 1000 };
}

/** Frame files of a folder in frame order: natural sort, so `2.jpg` precedes `10.jpg` (DAVIS pads anyway). */
export async function listFrameFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => FRAME_FILE.test(n) && !n.startsWith("."));
  const collator = new Intl.Collator("en", { numeric: true });
  // Absolute: the ffconcat list that decodes them lives in a temp folder, and relative entries resolve there.
  return names.sort(collator.compare).map((n) => resolve(dir, n));
}

/** Width and height from a JPEG SOF or PNG IHDR header, without decoding the image. */
async function imageSize(file: string): Promise<{ width: number; height: number; codec: string }> {
  const fh = await open(file, "r");
  try {
    const buf = Buffer.alloc(256 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const b = buf.subarray(0, bytesRead);
    if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47)
      return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), codec: "png" };
    if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
      let p = 2;
      while (p + 9 < b.length) {
        if (b[p] !== 0xff) break;
        const marker = b[p + 1];
        const len = b.readUInt16BE(p + 2);
        const isSof =
          marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
        if (isSof) return { width: b.readUInt16BE(p + 7), height: b.readUInt16BE(p + 5), codec: "jpeg" };
        p += 2 + len;
      }
    }
  } finally {
    await fh.close();
  }
  if ((await stat(file)).size === 0)
    throw new KinemaError("empty_file", `frame file ${file} is empty`, { file });
  throw new KinemaError("not_a_video", `frame file ${file} is not a readable JPEG or PNG`, { file });
}

async function probeFolder(path: string, opts: ProbeOptions): Promise<ProbeDetail> {
  const files = await listFrameFiles(path);
  if (files.length === 0)
    throw new KinemaError("not_a_video", `folder ${path} holds no .jpg/.jpeg/.png frames`, { file: path });
  const { width, height, codec } = await imageSize(files[0]);
  const fpsValueIn = opts.fps ?? DEFAULT_FOLDER_FPS;
  if (!(fpsValueIn > 0))
    throw new KinemaError("bad_input", `fps for frame folder ${path} must be positive`, { file: path });
  const fps = fpsRational(fpsValueIn);
  const fpsValue = fps.num / fps.den;
  const meta: VideoMeta = {
    path,
    kind: "frames",
    duration: files.length / fpsValue,
    fps,
    fpsValue,
    frames: files.length,
    width,
    height,
    codec,
  };
  return { meta, files, pts: files.map((_, i) => i / fpsValue) };
}

/** Container signatures, to tell a cut-off video (truncated) from something that never was one. */
function looksLikeContainer(head: Buffer): boolean {
  if (head.length >= 8 && head.toString("latin1", 4, 8) === "ftyp") return true; // mp4/mov
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return true; // mkv/webm (EBML)
  if (
    head.length >= 12 &&
    head.toString("latin1", 0, 4) === "RIFF" &&
    head.toString("latin1", 8, 11) === "AVI"
  )
    return true;
  return false;
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

interface FfprobeJson {
  streams?: {
    codec_name?: string;
    width?: number;
    height?: number;
    r_frame_rate?: string;
    avg_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
    time_base?: string;
    side_data_list?: { rotation?: number }[];
    extradata?: string;
  }[];
  packets?: { pts?: number; flags?: string; pos?: string; size?: string }[];
  format?: { duration?: string; start_time?: string; format_name?: string; nb_streams?: number };
}

async function probeFile(path: string, opts: ProbeOptions): Promise<ProbeDetail> {
  if (opts.parser !== false && looksLikeContainer(await readHead(path))) {
    const fast = await probeMp4(path).catch(() => undefined);
    if (fast) return { ...fast, meta: { ...fast.meta, path }, source: "mp4" };
  }
  const args = [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    "-show_entries",
    "stream=codec_name,width,height,r_frame_rate,avg_frame_rate,nb_frames,duration,time_base,extradata:" +
      "stream_side_data=rotation:format=duration,start_time,format_name,nb_streams:packet=pts,flags,pos,size",
    "-show_data", // prints the stream's extradata (avcC); packet payloads are not listed, so not printed
    "-of",
    "json=c=1",
    path,
  ];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let r: Awaited<ReturnType<typeof runTool>>;
  try {
    r = await runTool("ffprobe", args, { timeoutMs });
  } catch (e) {
    if (isKinemaError(e, "timeout"))
      throw new KinemaError("timeout", `probing ${path} took longer than ${timeoutMs} ms`, { file: path });
    throw e;
  }
  const stderr = r.stderr.trim();
  if (r.code !== 0) {
    // ffprobe picks the demuxer by extension, so a text file named .mp4 also reports "moov atom not found":
    // only a real container signature makes a failure "truncated".
    if (looksLikeContainer(await readHead(path)))
      throw new KinemaError("truncated", `${path} is truncated or damaged: ${lastLine(stderr)}`, {
        file: path,
      });
    throw new KinemaError("not_a_video", `${path} is not a readable video: ${lastLine(stderr)}`, {
      file: path,
    });
  }
  let info: FfprobeJson;
  try {
    info = JSON.parse(r.stdout.toString("utf8")) as FfprobeJson;
  } catch {
    throw new KinemaError("decode_failed", `ffprobe printed unreadable output for ${path}`, { file: path });
  }
  const stream = info.streams?.[0];
  if (!stream)
    throw new KinemaError(
      "no_video_stream",
      `${path} has no video stream (${info.format?.nb_streams ?? 0} other streams)`,
      {
        file: path,
      },
    );
  // Packets flagged D are decoded for reference but never shown (mp4 edit lists): not frames.
  const shown = (info.packets ?? []).filter((p) => !p.flags?.includes("D"));
  const frames = shown.length;
  // mp4/mov headers list every sample, so fewer readable packets means the file was cut; AVI headers over-count.
  // Samples hidden by an edit list are still listed and read (flag D), so compare against all packets.
  const read = (info.packets ?? []).length;
  const declared = /mp4|mov/.test(info.format?.format_name ?? "")
    ? Number(stream.nb_frames ?? Number.NaN)
    : Number.NaN;
  if (frames === 0 || /partial file|truncat|end of file/i.test(stderr) || declared > read)
    throw new KinemaError(
      "truncated",
      `${path} is truncated: ${read} readable frames${declared > read ? ` of ${declared} declared` : ""}`,
      { file: path, frames },
    );

  const r1 = rational(stream.r_frame_rate);
  const avg = rational(stream.avg_frame_rate);
  let fps = r1 ?? avg;
  // Prefer the exact nominal rate (30000/1001) unless the average says the file is really VFR.
  if (r1 && avg && Math.abs(r1.num / r1.den - avg.num / avg.den) > 0.01 * (avg.num / avg.den)) fps = avg;
  const duration = Number(stream.duration ?? info.format?.duration ?? Number.NaN);
  if (!fps) fps = fpsRational(Number.isFinite(duration) && duration > 0 ? frames / duration : 25);
  const fpsValue = fps.num / fps.den;

  let pts: number[] | undefined;
  let keyframes: number[] | undefined;
  let packets: Packet[] | undefined;
  let avc: AvcConfig | undefined;
  const tb = rational(stream.time_base);
  if (tb && shown.every((p) => typeof p.pts === "number")) {
    const order = shown.map((_, i) => i).sort((a, b) => (shown[a].pts as number) - (shown[b].pts as number));
    // Presentation times relative to the first shown frame, computed in integer ticks: the first is 0 exactly,
    // whatever the container's start time.
    const first = shown[order[0]].pts as number;
    pts = order.map((i) => (((shown[i].pts as number) - first) * tb.num) / tb.den);
    keyframes = [];
    order.forEach((pkt, rank) => {
      if (shown[pkt].flags?.includes("K")) keyframes?.push(rank);
    });
    const all = info.packets ?? [];
    const format = info.format?.format_name ?? "";
    if (
      stream.codec_name === "h264" &&
      /mp4|mov/.test(format) && // matroska's pos points at the block header, not the payload
      shown.length === all.length &&
      all.every((p) => p.pos !== undefined && Number(p.pos) >= 0 && Number(p.size) > 0)
    ) {
      const frameOf = new Map<number, number>();
      order.forEach((pkt, rank) => frameOf.set(pkt, rank));
      packets = all.map((p, i) => ({
        frame: frameOf.get(i) as number,
        pos: Number(p.pos),
        size: Number(p.size),
      }));
      avc = stream.extradata ? parseAvcC(parseHexDump(stream.extradata)) : undefined;
    }
  }

  let { width = 0, height = 0 } = stream;
  // ffprobe prints the display matrix's counter-clockwise angle; ffmpeg turns the picture the other way.
  const ccw = stream.side_data_list?.find((s) => typeof s.rotation === "number")?.rotation ?? 0;
  const rotation = ((-Math.round(ccw) % 360) + 360) % 360;
  if (rotation === 90 || rotation === 270) [width, height] = [height, width]; // ffmpeg autorotates on decode
  const meta: VideoMeta = {
    path,
    kind: "file",
    duration: Number.isFinite(duration) && duration > 0 ? duration : frames / fpsValue,
    fps,
    fpsValue,
    frames,
    width,
    height,
    codec: stream.codec_name ?? "unknown",
    rotation,
  };
  return { meta, pts, keyframes, packets, avc, source: "ffprobe" };
}

function lastLine(text: string): string {
  const lines = text.split("\n").filter((l) => l.trim());
  return (lines[lines.length - 1] ?? "no details").trim().slice(0, 300);
}

/** Checks the path exists and is non-empty; tells a frame folder from a file. */
async function classify(path: string): Promise<"file" | "frames"> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new KinemaError("not_found", `${path} does not exist`, { file: path });
    throw new KinemaError("bad_input", `cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  if (st.isDirectory()) return "frames";
  if (st.size === 0) throw new KinemaError("empty_file", `${path} is empty (0 bytes)`, { file: path });
  return "file";
}

/** Full probe with frame timestamps and keyframes; decode() uses it to seek. */
export async function probeDetail(path: string, opts: ProbeOptions = {}): Promise<ProbeDetail> {
  return (await classify(path)) === "frames" ? probeFolder(path, opts) : probeFile(path, opts);
}

/** Duration, rational fps, exact frame count, size and codec of a video file or frame folder. */
export async function probe(path: string, opts: ProbeOptions = {}): Promise<VideoMeta> {
  return (await probeDetail(path, opts)).meta;
}
