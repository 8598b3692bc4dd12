// In-process decoding with FFmpeg's libraries (npm node-av): scan a file's packets, then decode exactly the
// frames asked for. Runs inside a decoder worker (pool.ts), synchronously; nothing here touches the CLI.
//
// Exactness: frame i is the i-th frame a sequential decode from packet 0 outputs. The safe mode IS that
// sequential decode (counted output frames). The fast mode starts each run of targets at a keyframe, skips
// H.264 frames nothing refers to, and names output frames by their timestamps; it is only used on streams
// whose structure makes that equivalent (see jumpSafe), and any decoder complaint during it means the job
// is redone in safe mode. Packet 0 is always decoded first, because some decoders keep state from it (old
// x264 streams carry the encoder build in an SEI of packet 0 that changes how 4:4:4 decodes).
import {
  AV_CODEC_ID_H264,
  AV_FRAME_FLAG_CORRUPT,
  AV_NOPTS_VALUE,
  AV_PKT_DATA_DISPLAYMATRIX,
  AV_PKT_FLAG_DISCARD,
  AV_PKT_FLAG_KEY,
  AVERROR_EAGAIN,
  AVERROR_EOF,
  AVMEDIA_TYPE_VIDEO,
} from "node-av/constants";
import {
  Codec,
  CodecContext,
  FFmpegError,
  type FilterContext,
  FilterGraph,
  FormatContext,
  Frame,
  Option,
  Packet,
  type Stream,
} from "node-av/lib";

/** Codecs whose keyframes restart decoding without history (given packet 0 was seen): fast mode allowed. */
const JUMP_CODECS = new Set([
  "h264",
  "hevc",
  "vp8",
  "vp9",
  "av1",
  "mpeg4",
  "mjpeg",
  "mpeg2video",
  "mpeg1video",
]);

/** One packet of the video stream in decode (file) order. */
export interface ScanPacket {
  /** Presentation timestamp in stream time-base ticks; null when the container gives none. */
  pts: number | null;
  key: boolean;
  /** Decoded for reference but never shown (edit lists). */
  discard: boolean;
}

/** What a scan of the container (no decoding) reports. */
export interface Scan {
  codec: string;
  width: number;
  height: number;
  /** Degrees clockwise ffmpeg turns the picture to show it upright (0, 90, 180, 270). */
  rotation: number;
  /** The display matrix also mirrors: ffmpeg and kinema then disagree too easily, so kinema uses the CLI. */
  mirrored: boolean;
  timeBase: [number, number];
  packets: ScanPacket[];
  /** Shown frames: packets not flagged discard. */
  frames: number;
  /** Why the fast mode may not be used on this stream; undefined when it may. */
  unsafe?: string;
}

/** Reads the display matrix as ffmpeg's CLI does (get_rotation): clockwise degrees, and whether it flips. */
function displayRotation(m: Buffer | null): { rotation: number; mirrored: boolean } {
  if (!m || m.length < 36) return { rotation: 0, mirrored: false };
  const v = (i: number) => m.readInt32LE(i * 4) / 65536;
  const s0 = Math.hypot(v(0), v(3));
  const s1 = Math.hypot(v(1), v(4));
  if (s0 === 0 || s1 === 0) return { rotation: 0, mirrored: false };
  // av_display_rotation_get is -atan2(m1, m0); the CLI's get_rotation negates it again.
  let theta = Math.round((Math.atan2(v(1) / s1, v(0) / s0) * 180) / Math.PI);
  theta = ((theta % 360) + 360) % 360;
  const det = v(0) * v(4) - v(1) * v(3);
  return { rotation: [0, 90, 180, 270].includes(theta) ? theta : -1, mirrored: det < 0 };
}

function openInput(path: string): { fc: FormatContext; stream: Stream } {
  const fc = new FormatContext();
  FFmpegError.throwIfError(fc.openInputSync(path), `open ${path}`);
  let si = fc.findBestStream(AVMEDIA_TYPE_VIDEO);
  if (si < 0 || (fc.streams[si]?.codecpar.width ?? 0) === 0) {
    // Some containers (MPEG-TS, raw streams) only know the stream after probing a few packets.
    FFmpegError.throwIfError(fc.findStreamInfoSync(), `probe ${path}`);
    si = fc.findBestStream(AVMEDIA_TYPE_VIDEO);
  }
  if (si < 0) {
    fc.closeInputSync();
    throw new Error(`${path} has no video stream`);
  }
  return { fc, stream: fc.streams[si] };
}

const num = (x: bigint): number | null => (x === AV_NOPTS_VALUE ? null : Number(x));

/** Lists the video stream's packets without decoding them. */
export function scan(path: string): Scan {
  const { fc, stream } = openInput(path);
  try {
    const par = stream.codecpar;
    const codec = Codec.findDecoder(par.codecId)?.name ?? "unknown";
    const { rotation, mirrored } = displayRotation(par.getCodedSideData(AV_PKT_DATA_DISPLAYMATRIX));
    const packets: ScanPacket[] = [];
    const pkt = new Packet();
    pkt.alloc();
    try {
      while (fc.readFrameSync(pkt) >= 0) {
        if (pkt.streamIndex === stream.index)
          packets.push({
            pts: num(pkt.pts),
            key: (pkt.flags & AV_PKT_FLAG_KEY) !== 0,
            discard: (pkt.flags & AV_PKT_FLAG_DISCARD) !== 0,
          });
        pkt.unref();
      }
    } finally {
      pkt.free();
    }
    const tb = stream.timeBase;
    const s: Scan = {
      codec,
      width: par.width,
      height: par.height,
      rotation,
      mirrored,
      timeBase: [tb.num, tb.den],
      packets,
      frames: packets.filter((p) => !p.discard).length,
    };
    s.unsafe = whyUnsafe(s);
    return s;
  } finally {
    fc.closeInputSync();
  }
}

/** The structural conditions under which naming frames by timestamp and starting at keyframes is exact. */
export function whyUnsafe(s: Scan): string | undefined {
  if (!JUMP_CODECS.has(s.codec)) return `codec ${s.codec} is not on the fast-path list`;
  if (s.packets.length === 0 || !s.packets[0].key) return "the stream does not start with a keyframe";
  const seen = new Set<number>();
  for (const p of s.packets) {
    if (p.pts === null) return "some packets have no timestamp";
    if (seen.has(p.pts)) return "two packets share a timestamp";
    seen.add(p.pts);
  }
  return undefined;
}

/** Presentation order of the shown packets: `frameOf[decodePos]` is the frame index (or -1 when hidden). */
export function frameIndex(s: Scan): { frameOf: number[]; ptsOf: number[] } {
  const shown = s.packets.map((_, i) => i).filter((i) => !s.packets[i].discard);
  shown.sort((a, b) => (s.packets[a].pts ?? 0) - (s.packets[b].pts ?? 0) || a - b);
  const frameOf = new Array<number>(s.packets.length).fill(-1);
  const ptsOf: number[] = [];
  shown.forEach((dpos, i) => {
    frameOf[dpos] = i;
    ptsOf.push(s.packets[dpos].pts ?? 0);
  });
  return { frameOf, ptsOf };
}

/** A run of packets to feed, in decode positions [from, to], started at keyframe `from`. */
export interface Range {
  from: number;
  to: number;
}

/**
 * Ranges of packets that decode `targets` (ascending frame indices) when starting at keyframes: each target
 * starts at the last keyframe before it in decode order that is not shown after it (open GOPs: frames shown
 * before their keyframe but decoded after it need the previous one). Overlapping ranges merge.
 */
export function planRanges(s: Scan, frameOf: number[], targets: number[]): Range[] {
  const dposOf = new Map<number, number>();
  frameOf.forEach((f, d) => {
    if (f >= 0) dposOf.set(f, d);
  });
  const raw: Range[] = [];
  for (const t of targets) {
    const d = dposOf.get(t);
    if (d === undefined) throw new Error(`frame ${t} is not in the stream`);
    const pt = s.packets[d].pts ?? 0;
    let k = d;
    while (k > 0 && !(s.packets[k].key && (s.packets[k].pts ?? 0) <= pt)) k--;
    raw.push({ from: k, to: d });
  }
  raw.sort((a, b) => a.from - b.from);
  const out: Range[] = [];
  for (const r of raw) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/** Decoding work of each range in packets, for splitting ranges over workers. */
export const rangeWork = (r: Range) => r.to - r.from + 1;

export interface DecodeJob {
  path: string;
  /** Filter chain after autorotation (fitFilter's chain plus format=rgb24). */
  chain: string;
  /** Rotation to undo first, from the scan. */
  rotation: number;
  /** Ascending frame indices. */
  targets: number[];
  /** fast: `ranges` with frames named by `targetPts`; safe: sequential from packet 0, frames counted. */
  mode: "fast" | "safe";
  ranges?: Range[];
  /** Timestamp of each target (parallel to targets), for fast mode. */
  targetPts?: number[];
  /** Skip H.264 packets nothing refers to (fast mode). */
  skipNonRef?: boolean;
  /** Decoder threads (0 = FFmpeg's choice). */
  threads?: number;
}

export interface DecodeOutput {
  width: number;
  height: number;
  /** RGB24 bytes of each target, ascending. */
  frames: Uint8Array[];
  /** Decoder complaints in safe mode (never in a returned fast result: those redo in safe mode). */
  warnings: string[];
  /** Packets sent to the decoder. */
  sent: number;
}

/** Thrown when fast mode cannot vouch for its result; the caller redoes the job in safe mode. */
export class Unsafe extends Error {}

const TRANSPOSE: Record<number, string> = {
  90: "transpose=clock,",
  180: "hflip,vflip,",
  270: "transpose=cclock,",
};

interface Graph {
  src: FilterContext;
  sink: FilterContext;
  graph: FilterGraph;
  key: string;
}

function buildGraph(f: Frame, chain: string): Graph {
  const graph = new FilterGraph();
  graph.alloc();
  graph.nbThreads = 1;
  const sar = f.sampleAspectRatio;
  const par = sar.num > 0 && sar.den > 0 ? `${sar.num}/${sar.den}` : "1/1";
  const desc =
    `buffer@in=video_size=${f.width}x${f.height}:pix_fmt=${f.format}:time_base=1/90000:pixel_aspect=${par}:` +
    `colorspace=${f.colorSpace}:range=${f.colorRange},${chain},buffersink@out`;
  FFmpegError.throwIfError(graph.parsePtr(desc), `filter graph ${desc}`);
  FFmpegError.throwIfError(graph.configSync(), `configure filter graph ${desc}`);
  const src = graph.getFilter("buffer@in");
  const sink = graph.getFilter("buffersink@out");
  if (!src || !sink) throw new Error("filter graph has no buffer/buffersink");
  return { src, sink, graph, key: `${f.width}x${f.height}:${f.format}:${f.colorSpace}:${f.colorRange}` };
}

/** H.264 packet whose slices all have nal_ref_idc 0 (no later frame refers to it). AVCC or Annex B. */
export function h264NonRef(data: Buffer, lengthSize: number): boolean {
  const types: number[] = [];
  if (lengthSize > 0) {
    let p = 0;
    while (p + lengthSize <= data.length) {
      let len = 0;
      for (let i = 0; i < lengthSize; i++) len = len * 256 + data[p + i];
      p += lengthSize;
      if (len === 0 || p + len > data.length) return false;
      types.push(data[p]);
      p += len;
    }
    if (p !== data.length) return false;
  } else {
    for (let i = 0; i + 3 < data.length; i++)
      if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) types.push(data[i + 3]);
  }
  const slices = types.filter((h) => (h & 0x1f) === 1 || (h & 0x1f) === 5);
  return slices.length > 0 && slices.every((h) => (h & 0x60) === 0);
}

/** Runs one decode job. Throws Unsafe (fast mode only) or Error with the decoder's words. */
export function decodeJob(job: DecodeJob): DecodeOutput {
  const { fc, stream } = openInput(job.path);
  const cc = new CodecContext();
  const pkt = new Packet();
  const frame = new Frame();
  const out = new Frame();
  let graph: Graph | undefined;
  pkt.alloc();
  frame.alloc();
  out.alloc();
  try {
    const par = stream.codecpar;
    const codec = Codec.findDecoder(par.codecId);
    if (!codec) throw new Error(`no decoder for codec id ${par.codecId}`);
    cc.allocContext3(codec);
    FFmpegError.throwIfError(cc.parametersToContext(par), "decoder parameters");
    cc.pktTimebase = stream.timeBase;
    cc.threadCount = job.threads ?? 1;
    const fast = job.mode === "fast";
    // Fast mode: a bitstream problem (a reference that is not there after a jump, ...) is an error, not a
    // concealed frame, so that the job is redone sequentially.
    if (fast)
      FFmpegError.throwIfError(Option.set(cc.getNative(), "err_detect", "explode"), "err_detect=explode");
    FFmpegError.throwIfError(cc.open2Sync(codec, null), `open ${codec.name} decoder`);
    const extra = par.extradata;
    const lengthSize = extra && extra.length > 4 && extra[0] === 1 ? (extra[4] & 3) + 1 : 0;
    const skipNonRef = fast && job.skipNonRef === true && par.codecId === AV_CODEC_ID_H264;
    const want = new Map<number, number>(); // fast: pts → slot; safe: frame index → slot
    job.targets.forEach((t, k) => {
      want.set(fast ? (job.targetPts?.[k] as number) : t, k);
    });
    const result: Uint8Array[] = new Array(job.targets.length);
    let got = 0;
    let shown = 0; // safe mode: frames output so far
    let width = 0;
    let height = 0;
    const warnings: string[] = [];
    const chain = `${TRANSPOSE[job.rotation] ?? ""}${job.chain}`;

    const emit = (slot: number) => {
      if (
        !graph ||
        graph.key !== `${frame.width}x${frame.height}:${frame.format}:${frame.colorSpace}:${frame.colorRange}`
      ) {
        graph?.graph.free();
        graph = buildGraph(frame, chain);
      }
      FFmpegError.throwIfError(graph.src.buffersrcAddFrameSync(frame), "filter input");
      while (graph.sink.buffersinkGetFrameSync(out) >= 0) {
        if (result[slot] === undefined) {
          result[slot] = new Uint8Array(out.toBuffer());
          width = out.width;
          height = out.height;
          got++;
        }
        out.unref();
      }
    };
    const complain = (what: string) => {
      if (fast) throw new Unsafe(what);
      if (warnings.length < 20) warnings.push(what);
    };
    const drain = () => {
      for (;;) {
        const r = cc.receiveFrameSync(frame);
        if (r === AVERROR_EAGAIN || r === AVERROR_EOF) return;
        if (r < 0) {
          complain(`decoder error ${FFmpegError.fromCode(r)?.message ?? r}`);
          return;
        }
        if (frame.decodeErrorFlags !== 0 || (frame.flags & AV_FRAME_FLAG_CORRUPT) !== 0)
          complain(
            `frame ${fast ? `at pts ${frame.pts}` : shown} decoded with errors (flags ${frame.decodeErrorFlags})`,
          );
        let slot: number | undefined;
        if (fast) {
          const ts = num(frame.pts) ?? num(frame.bestEffortTimestamp);
          slot = ts === null ? undefined : want.get(ts);
        } else slot = want.get(shown);
        shown++;
        if (slot !== undefined && result[slot] === undefined) emit(slot);
        frame.unref();
      }
    };
    let sent = 0;
    const send = (p: Packet | null) => {
      const r = cc.sendPacketSync(p);
      if (r < 0 && r !== AVERROR_EAGAIN && r !== AVERROR_EOF)
        complain(`decoder rejected a packet: ${FFmpegError.fromCode(r)?.message ?? r}`);
      if (p) sent++;
      drain();
    };

    if (!fast) {
      // Sequential from packet 0 until every target has come out.
      while (got < job.targets.length && fc.readFrameSync(pkt) >= 0) {
        if (pkt.streamIndex === stream.index) send(pkt);
        pkt.unref();
      }
      if (got < job.targets.length) send(null);
    } else {
      const ranges = job.ranges ?? [];
      // Feed packet 0 always (decoder state such as x264's build SEI), then each range from its keyframe.
      const feed = new Set<number>([0]);
      for (const r of ranges) for (let d = r.from; d <= r.to; d++) feed.add(d);
      let dpos = 0;
      let rangeKeyPts: number | null = null;
      const rangeStarts = new Set(ranges.map((r) => r.from));
      const last = Math.max(0, ...ranges.map((r) => r.to));
      while (dpos <= last && got < job.targets.length && fc.readFrameSync(pkt) >= 0) {
        if (pkt.streamIndex !== stream.index) {
          pkt.unref();
          continue;
        }
        const pts = num(pkt.pts);
        if (rangeStarts.has(dpos)) rangeKeyPts = pts;
        let use = feed.has(dpos);
        // Frames shown before the keyframe a range started at are open-GOP leftovers that need earlier
        // frames; no target is among them (planRanges), so they are not decoded.
        if (use && dpos !== 0 && rangeKeyPts !== null && pts !== null && pts < rangeKeyPts && !want.has(pts))
          use = false;
        if (
          use &&
          skipNonRef &&
          pts !== null &&
          !want.has(pts) &&
          dpos !== 0 &&
          pkt.data &&
          h264NonRef(pkt.data, lengthSize)
        )
          use = false;
        if (use && dpos !== 0 && rangeStarts.has(dpos) && !feed.has(dpos - 1)) {
          // A jump: drain what the decoder holds and reset it, as a seek does. Its references are gone (no
          // stale ones to mis-resolve), its stream-level state from packet 0 stays.
          send(null);
          cc.flushBuffers();
        }
        if (use) send(pkt);
        if (!feed.has(dpos + 1)) rangeKeyPts = null;
        pkt.unref();
        dpos++;
      }
      if (got < job.targets.length) send(null);
    }
    if (got < job.targets.length) {
      const missing = job.targets.filter((_, k) => result[k] === undefined);
      if (fast) throw new Unsafe(`fast decode did not produce frames ${missing.slice(0, 5).join(", ")}`);
      throw new Error(
        `the decoder gave ${shown} frames; frame ${missing[0]} never came out` +
          (warnings.length ? ` (${warnings[0]})` : ""),
      );
    }
    return { width, height, frames: result, warnings, sent };
  } finally {
    graph?.graph.free();
    out.free();
    frame.free();
    pkt.free();
    cc.freeContext();
    fc.closeInputSync();
  }
}
