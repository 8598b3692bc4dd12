// Binary masks as 8-bit grayscale PNGs (0 background, 255 object): the wire form of region input for
// OpenAI-compatible servers. Written and read with node:zlib only (filter type 0 on every row).
import { crc32, deflateSync, inflateSync } from "node:zlib";
import { KinemaError } from "../util/errors.ts";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** Row-major 0/1 mask (h*w) -> PNG bytes, grayscale 8-bit, 255 where the mask is set. */
export function encodeMaskPng(mask: Uint8Array, h: number, w: number): Buffer {
  if (mask.length !== h * w)
    throw new KinemaError("bad_input", `mask has ${mask.length} pixels, expected ${h}x${w}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grayscale
  const raw = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = mask[y * w + x] ? 255 : 0;
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Reads a PNG written by encodeMaskPng (8-bit grayscale, filter 0) back to a 0/1 mask; for tests and servers. */
export function decodeMaskPng(png: Buffer): { mask: Uint8Array; h: number; w: number } {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new KinemaError("bad_input", "not a PNG");
  let p = 8;
  let w = 0;
  let h = 0;
  const idat: Buffer[] = [];
  while (p + 8 <= png.length) {
    const len = png.readUInt32BE(p);
    const type = png.toString("latin1", p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + len);
    if (type === "IHDR") {
      w = data.readUInt32BE(0);
      h = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 0)
        throw new KinemaError("bad_input", "only 8-bit grayscale mask PNGs are read");
    } else if (type === "IDAT") idat.push(data);
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const mask = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    if (raw[y * (w + 1)] !== 0) throw new KinemaError("bad_input", "only filter type 0 is read");
    for (let x = 0; x < w; x++) mask[y * w + x] = raw[y * (w + 1) + 1 + x] > 127 ? 1 : 0;
  }
  return { mask, h, w };
}
