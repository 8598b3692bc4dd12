// In-process probe of H.264 mp4/mov files from the moov box: frame count, timestamps, keyframes and sample
// positions without starting ffprobe (≈60–200 ms per call on these machines). Anything unusual → undefined,
// and the caller asks ffprobe instead, so this only ever speeds up the common case.
import { open, stat } from "node:fs/promises";
import { type AvcConfig, type Packet, parseAvcC } from "./h264.ts";
import type { VideoMeta } from "./types.ts";

interface Box {
  type: string;
  /** Content range (after the header) within the buffer. */
  start: number;
  end: number;
}

function* children(b: Buffer, start: number, end: number): Generator<Box> {
  let p = start;
  while (p + 8 <= end) {
    let size = b.readUInt32BE(p);
    const type = b.toString("latin1", p + 4, p + 8);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) return;
      size = Number(b.readBigUInt64BE(p + 8));
      header = 16;
    } else if (size === 0) size = end - p;
    if (size < header || p + size > end) return;
    yield { type, start: p + header, end: p + size };
    p += size;
  }
}

function child(b: Buffer, box: Box, type: string): Box | undefined {
  for (const c of children(b, box.start, box.end)) if (c.type === type) return c;
  return undefined;
}

function path(b: Buffer, box: Box, ...types: string[]): Box | undefined {
  let cur: Box | undefined = box;
  for (const t of types) {
    if (!cur) return undefined;
    cur = child(b, cur, t);
  }
  return cur;
}

/** Finds and reads the top-level moov box without reading mdat. */
async function readMoov(file: string): Promise<Buffer | undefined> {
  const fh = await open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(16);
    let p = 0;
    while (p + 8 <= size) {
      const { bytesRead } = await fh.read(head, 0, 16, p);
      if (bytesRead < 8) return undefined;
      let box = head.readUInt32BE(0);
      const type = head.toString("latin1", 4, 8);
      let header = 8;
      if (box === 1) {
        if (bytesRead < 16) return undefined;
        box = Number(head.readBigUInt64BE(8));
        header = 16;
      } else if (box === 0) box = size - p;
      if (box < header) return undefined;
      if (type === "moov") {
        if (p + box > size || box > 512 * 1024 * 1024) return undefined;
        const buf = Buffer.alloc(box - header);
        const r = await fh.read(buf, 0, buf.length, p + header);
        return r.bytesRead === buf.length ? buf : undefined;
      }
      p += box;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export interface Mp4Probe {
  meta: VideoMeta;
  pts: number[];
  keyframes: number[];
  packets: Packet[];
  avc: AvcConfig;
}

/** Probes an H.264 mp4 in-process, or returns undefined (not mp4, not H.264, fragmented, odd edits...). */
export async function probeMp4(file: string): Promise<Mp4Probe | undefined> {
  const moov = await readMoov(file);
  if (!moov) return undefined;
  const root: Box = { type: "moov", start: 0, end: moov.length };
  if (child(moov, root, "mvex")) return undefined; // fragmented: samples live in moof boxes
  let found: Mp4Probe | undefined;
  for (const trak of children(moov, 0, moov.length)) {
    if (trak.type !== "trak") continue;
    const hdlr = path(moov, trak, "mdia", "hdlr");
    if (!hdlr || moov.toString("latin1", hdlr.start + 8, hdlr.start + 12) !== "vide") continue;
    if (found) return undefined; // several video tracks: let ffprobe pick like ffmpeg does
    found = parseVideoTrak(moov, trak, file);
    if (!found) return undefined;
  }
  if (!found) return undefined;
  const last = found.packets.reduce((m, p) => Math.max(m, p.pos + p.size), 0);
  if (last > (await stat(file)).size) return undefined; // cut short: ffprobe explains it
  return found;
}

function parseVideoTrak(b: Buffer, trak: Box, file: string): Mp4Probe | undefined {
  const mdhd = path(b, trak, "mdia", "mdhd");
  const stbl = path(b, trak, "mdia", "minf", "stbl");
  const tkhd = child(b, trak, "tkhd");
  if (!mdhd || !stbl || !tkhd) return undefined;
  const v1 = b[mdhd.start] === 1;
  const timescale = b.readUInt32BE(mdhd.start + (v1 ? 20 : 12));
  if (!timescale) return undefined;

  // Sample description: H.264 only (avc1/avc3 with an avcC), its coded size.
  const stsd = child(b, stbl, "stsd");
  if (!stsd || b.readUInt32BE(stsd.start + 4) !== 1) return undefined;
  const entry = [...children(b, stsd.start + 8, stsd.end)][0];
  if (!entry || (entry.type !== "avc1" && entry.type !== "avc3")) return undefined;
  let width = b.readUInt16BE(entry.start + 24);
  let height = b.readUInt16BE(entry.start + 26);
  const avcC = [...children(b, entry.start + 78, entry.end)].find((c) => c.type === "avcC");
  const avc = avcC ? parseAvcC(b.subarray(avcC.start, avcC.end)) : undefined;
  if (!avc) return undefined;

  // Rotation from the track matrix: a 90/270° display matrix makes ffmpeg output portrait frames.
  const m = tkhd.start + (b[tkhd.start] === 1 ? 52 : 40);
  const [ma, mb, mc, md] = [
    b.readInt32BE(m),
    b.readInt32BE(m + 4),
    b.readInt32BE(m + 12),
    b.readInt32BE(m + 16),
  ];
  // Only plain quarter turns (ffmpeg's get_rotation: clockwise = -atan2(b, a)); mirrors go to ffprobe.
  let rotation: number;
  if (ma === 0 && md === 0 && Math.abs(mb) === 65536 && mc === -mb) {
    rotation = mb > 0 ? 90 : 270;
    [width, height] = [height, width];
  } else if (mb === 0 && mc === 0 && Math.abs(ma) === 65536 && md === ma) rotation = ma > 0 ? 0 : 180;
  else return undefined;

  // Edit list: none, or one plain edit that starts the media at `mediaTime` (B-frame delay).
  let mediaTime = 0;
  const elst = path(b, trak, "edts", "elst");
  if (elst) {
    const ev1 = b[elst.start] === 1;
    const n = b.readUInt32BE(elst.start + 4);
    if (n !== 1) return undefined;
    const e = elst.start + 8;
    mediaTime = ev1 ? Number(b.readBigInt64BE(e + 8)) : b.readInt32BE(e + 4);
    const rate = b.readInt32BE(e + (ev1 ? 16 : 8));
    if (mediaTime < 0 || rate !== 0x10000) return undefined;
  }

  // Decode times (stts), composition offsets (ctts), sizes (stsz), chunks (stsc + stco/co64), sync (stss).
  const stsz = child(b, stbl, "stsz");
  const stts = child(b, stbl, "stts");
  const stsc = child(b, stbl, "stsc");
  const stco = child(b, stbl, "stco") ?? child(b, stbl, "co64");
  if (!stsz || !stts || !stsc || !stco) return undefined;
  const count = b.readUInt32BE(stsz.start + 8);
  const fixed = b.readUInt32BE(stsz.start + 4);
  if (count === 0) return undefined;
  const sizes = Array.from({ length: count }, (_, i) => fixed || b.readUInt32BE(stsz.start + 12 + 4 * i));

  const dts: number[] = [];
  const deltas = new Map<number, number>();
  let t = 0;
  for (let i = 0, n = b.readUInt32BE(stts.start + 4); i < n; i++) {
    const c = b.readUInt32BE(stts.start + 8 + 8 * i);
    const d = b.readUInt32BE(stts.start + 12 + 8 * i);
    deltas.set(d, (deltas.get(d) ?? 0) + c);
    for (let k = 0; k < c; k++, t += d) dts.push(t);
  }
  if (dts.length !== count) return undefined;
  const trackTicks = t;
  const cts = new Array<number>(count).fill(0);
  const ctts = child(b, stbl, "ctts");
  if (ctts) {
    let s = 0;
    for (let i = 0, n = b.readUInt32BE(ctts.start + 4); i < n; i++) {
      const c = b.readUInt32BE(ctts.start + 8 + 8 * i);
      const off = b.readInt32BE(ctts.start + 12 + 8 * i);
      for (let k = 0; k < c && s < count; k++) cts[s++] = off;
    }
  }
  const pts = dts.map((d, i) => d + cts[i] - mediaTime);
  if (pts.some((p) => p < 0)) return undefined; // samples before the edit are hidden: ffprobe handles those

  const pos: number[] = [];
  const co64 = stco.type === "co64";
  const chunks = b.readUInt32BE(stco.start + 4);
  const chunkOffset = (c: number) =>
    co64 ? Number(b.readBigUInt64BE(stco.start + 8 + 8 * c)) : b.readUInt32BE(stco.start + 8 + 4 * c);
  const runs = Array.from({ length: b.readUInt32BE(stsc.start + 4) }, (_, i) => ({
    first: b.readUInt32BE(stsc.start + 8 + 12 * i) - 1,
    per: b.readUInt32BE(stsc.start + 12 + 12 * i),
  }));
  for (let r = 0, s = 0; r < runs.length && s < count; r++) {
    const endChunk = r + 1 < runs.length ? runs[r + 1].first : chunks;
    for (let c = runs[r].first; c < endChunk && s < count; c++) {
      let off = chunkOffset(c);
      for (let k = 0; k < runs[r].per && s < count; k++, s++) {
        pos.push(off);
        off += sizes[s];
      }
    }
  }
  if (pos.length !== count) return undefined;

  const stss = child(b, stbl, "stss");
  const sync = new Set<number>();
  if (stss)
    for (let i = 0, n = b.readUInt32BE(stss.start + 4); i < n; i++)
      sync.add(b.readUInt32BE(stss.start + 8 + 4 * i) - 1);
  const order = pts.map((_, i) => i).sort((x, y) => pts[x] - pts[y]);
  const frameOf = new Array<number>(count);
  order.forEach((s, rank) => (frameOf[s] = rank));
  const keyframes = order.map((s, rank) => (!stss || sync.has(s) ? rank : -1)).filter((r) => r >= 0);

  // Frame rate as ffprobe reports it: the most common frame duration (r_frame_rate) unless the average
  // (frames over track duration) differs by more than 1% (VFR).
  const common = [...deltas].sort((x, y) => y[1] - x[1])[0][0];
  if (!common) return undefined;
  const reduce = (num: number, den: number) => {
    const g = gcd(num, den);
    return { num: num / g, den: den / g };
  };
  let fps = reduce(timescale, common);
  const avg = reduce(count * timescale, trackTicks);
  if (Math.abs(fps.num / fps.den - avg.num / avg.den) > 0.01 * (avg.num / avg.den)) fps = avg;
  const fpsValue = fps.num / fps.den;
  const first = pts[order[0]];
  const meta: VideoMeta = {
    path: file,
    kind: "file",
    duration: trackTicks / timescale,
    fps,
    fpsValue,
    frames: count,
    width,
    height,
    codec: "h264",
    rotation,
  };
  return {
    meta,
    pts: order.map((s) => (pts[s] - first) / timescale),
    keyframes,
    packets: pos.map((p, s) => ({ frame: frameOf[s], pos: p, size: sizes[s] })),
    avc,
  };
}
