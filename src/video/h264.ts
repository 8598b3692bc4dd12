// H.264 fast path: hand ffmpeg only the packets a set of frames needs (keyframe, reference frames, targets).
// Non-reference frames (most B-frames) that were not asked for are never decoded: for uniform sampling of
// x264 output that skips roughly half of the decoding work, while the decoded targets stay bit-identical.
import { open } from "node:fs/promises";

/** One coded frame in decode order, as ffprobe reports it. */
export interface Packet {
  /** Presentation index of the frame this packet carries. */
  frame: number;
  /** Byte offset and size of the packet in the file. */
  pos: number;
  size: number;
}

export interface AvcConfig {
  /** Bytes of the NAL length prefix (1, 2 or 4). */
  lengthSize: number;
  /** SPS and PPS NAL units, to start the Annex B stream with. */
  paramSets: Buffer[];
}

/** Parses an avcC box (ISO 14496-15), the extradata of H.264 in mp4/mkv. */
export function parseAvcC(b: Buffer): AvcConfig | undefined {
  if (b.length < 7 || b[0] !== 1) return undefined;
  const lengthSize = (b[4] & 3) + 1;
  if (lengthSize === 3) return undefined;
  const paramSets: Buffer[] = [];
  let p = 5;
  const take = (count: number): boolean => {
    for (let i = 0; i < count; i++) {
      if (p + 2 > b.length) return false;
      const len = b.readUInt16BE(p);
      if (p + 2 + len > b.length) return false;
      paramSets.push(b.subarray(p + 2, p + 2 + len));
      p += 2 + len;
    }
    return true;
  };
  if (!take(b[p++] & 0x1f)) return undefined;
  if (p >= b.length || !take(b[p++])) return undefined;
  return paramSets.length >= 2 ? { lengthSize, paramSets } : undefined;
}

/** ffprobe's `-show_data` hex dump ("00000000: 0164 000b ...  ascii") back to bytes. */
export function parseHexDump(text: string): Buffer {
  const hex = text
    .split("\n")
    .map((line) => /^[0-9a-f]{8}: ((?:[0-9a-f]{2,4} ?)+)/i.exec(line)?.[1] ?? "")
    .join("")
    .replace(/ /g, "");
  return Buffer.from(hex, "hex");
}

/** NAL units of one AVCC packet, or undefined when the lengths do not add up. */
function nalUnits(data: Buffer, lengthSize: number): Buffer[] | undefined {
  const out: Buffer[] = [];
  let p = 0;
  while (p < data.length) {
    if (p + lengthSize > data.length) return undefined;
    const len = lengthSize === 4 ? data.readUInt32BE(p) : lengthSize === 2 ? data.readUInt16BE(p) : data[p];
    p += lengthSize;
    if (len === 0 || p + len > data.length || data[p] & 0x80) return undefined;
    out.push(data.subarray(p, p + len));
    p += len;
  }
  return out;
}

const START = Buffer.from([0, 0, 0, 1]);
const AUD = Buffer.from([0, 0, 0, 1, 0x09, 0xf0]); // access unit delimiter: makes frame boundaries explicit

export interface H264Plan {
  /** Annex B stream to pipe into `ffmpeg -f h264`. */
  stream: Buffer;
  /** Positions of the targets among the frames the stream decodes to (for select on `n`). */
  ns: number[];
}

/** Refuse to buffer more than this (long clips sampled densely): the caller falls back to seeking. */
const MAX_STREAM_BYTES = 256 * 1024 * 1024;

/**
 * Builds the reduced stream for `targets` (ascending presentation indices). For each target: its
 * keyframe, every reference frame decoded between the keyframe and the target, and the target itself.
 * Returns undefined whenever anything is unexpected (then the caller decodes the ordinary way).
 */
export async function planH264(
  path: string,
  packets: Packet[],
  keyframes: number[],
  avc: AvcConfig,
  targets: number[],
): Promise<H264Plan | undefined> {
  const dpos = new Map<number, number>(); // presentation index → decode position
  packets.forEach((p, i) => dpos.set(p.frame, i));
  const keySet = new Set(keyframes);
  // Decode-order ranges [from, to], one per keyframe group of targets.
  const ranges = new Map<number, number>();
  let k = 0;
  for (const t of targets) {
    while (k + 1 < keyframes.length && keyframes[k + 1] <= t) k++;
    const key = keyframes[k];
    if (key === undefined || key > t || !keySet.has(key)) return undefined;
    const from = dpos.get(key);
    const to = dpos.get(t);
    if (from === undefined || to === undefined || to < from) return undefined;
    ranges.set(from, Math.max(ranges.get(from) ?? from, to));
  }
  // Packet 0 always goes first: some decoders keep state from it (old x264 writes its build number in an
  // SEI there, and FFmpeg decodes 4:4:4 from such encoders differently depending on it).
  if (!ranges.has(0)) ranges.set(0, 0);
  const targetSet = new Set(targets);
  const parts: Buffer[] = avc.paramSets.flatMap((ps) => [START, ps]);
  const kept: number[] = [];
  let total = 0;
  const fh = await open(path, "r");
  try {
    for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
      const seg = packets.slice(from, to + 1);
      // Open GOPs: frames decoded after the keyframe but shown before it may be dropped by the decoder,
      // which would shift `n`; give up rather than risk a wrong frame.
      if (seg.some((p) => p.frame < seg[0].frame)) return undefined;
      const lo = Math.min(...seg.map((p) => p.pos));
      const hi = Math.max(...seg.map((p) => p.pos + p.size));
      total += hi - lo;
      if (total > MAX_STREAM_BYTES) return undefined;
      const buf = Buffer.alloc(hi - lo);
      const { bytesRead } = await fh.read(buf, 0, buf.length, lo);
      if (bytesRead !== buf.length) return undefined;
      for (const p of seg) {
        const nals = nalUnits(buf.subarray(p.pos - lo, p.pos - lo + p.size), avc.lengthSize);
        if (!nals) return undefined;
        // Only IDR pictures restart the decoder: after a jump to a non-IDR keyframe (open GOPs) the output
        // order, which `ns` counts on, is not the presentation order.
        if (p === seg[0] && !nals.some((n) => (n[0] & 0x1f) === 5)) return undefined;
        const slices = nals.filter((n) => (n[0] & 0x1f) === 1 || (n[0] & 0x1f) === 5);
        if (slices.length === 0) return undefined;
        const isRef = slices.some((n) => (n[0] & 0x60) !== 0);
        if (!isRef && !targetSet.has(p.frame)) continue;
        kept.push(p.frame);
        parts.push(AUD);
        for (const n of nals) if ((n[0] & 0x1f) !== 9) parts.push(START, n);
      }
    }
  } finally {
    await fh.close();
  }
  kept.sort((a, b) => a - b);
  const rank = new Map<number, number>();
  kept.forEach((f, i) => rank.set(f, i));
  const ns = targets.map((t) => rank.get(t) as number);
  return { stream: Buffer.concat(parts), ns };
}
