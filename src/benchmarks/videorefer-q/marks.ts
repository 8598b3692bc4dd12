// Set-of-mark drawing for models without region input: each object's mask, decoded and resized
// (nearest) to the frame, is drawn as a coloured contour or a tinted fill, one colour per object. Pure.
import { decodeMask } from "../../masks/rle.ts";
import type { Rle } from "../types.ts";

/** Object colours in order; names are what the set-of-mark prompt says. */
export const MARK_COLORS: readonly { name: string; rgb: [number, number, number] }[] = [
  { name: "red", rgb: [255, 0, 0] },
  { name: "green", rgb: [0, 255, 0] },
  { name: "blue", rgb: [0, 0, 255] },
  { name: "yellow", rgb: [255, 255, 0] },
  { name: "magenta", rgb: [255, 0, 255] },
  { name: "cyan", rgb: [0, 255, 255] },
  { name: "orange", rgb: [255, 128, 0] },
  { name: "purple", rgb: [128, 0, 255] },
];

export type MarkStyle = "contour" | "fill";

/** A mask: COCO RLE, an already decoded row-major 0/1 array, or null (nothing to draw). */
export type MaskInput = Rle | { data: Uint8Array; height: number; width: number } | null;

export interface RgbImages {
  width: number;
  height: number;
  /** width*height*3 bytes (RGB24) per frame. */
  frames: Buffer[];
}

export interface MarkOptions {
  /** Contour width in pixels (default: 1/100 of the shorter side, at least 1). */
  thickness?: number;
  /** Weight of the colour in a fill (default 0.5). */
  alpha?: number;
}

/** Decodes `m` and resizes it nearest-neighbour to width×height (cv2 INTER_NEAREST: src = floor(dst·scale)). */
export function maskToFrame(m: Exclude<MaskInput, null>, width: number, height: number): Uint8Array {
  const src = "counts" in m ? decodeMask(m) : m.data;
  const [h, w] = "counts" in m ? m.size : [m.height, m.width];
  if (h === height && w === width) return src;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.floor((y * h) / height));
    for (let x = 0; x < width; x++)
      out[y * width + x] = src[sy * w + Math.min(w - 1, Math.floor((x * w) / width))];
  }
  return out;
}

/** Mask pixels within `t` 4-connected steps of the outside (pixels beyond the image count as outside). */
export function contourOf(mask: Uint8Array, width: number, height: number, t: number): Uint8Array {
  let inner = mask;
  for (let k = 0; k < t; k++) {
    const next = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        next[i] =
          inner[i] &&
          x > 0 &&
          inner[i - 1] &&
          x < width - 1 &&
          inner[i + 1] &&
          y > 0 &&
          inner[i - width] &&
          y < height - 1 &&
          inner[i + width]
            ? 1
            : 0;
      }
    inner = next;
  }
  const ring = new Uint8Array(width * height);
  for (let i = 0; i < ring.length; i++) ring[i] = mask[i] && !inner[i] ? 1 : 0;
  return ring;
}

/**
 * Returns copies of the frames with every object's mask drawn: `masksPerFrame[f][o]` is object o's mask on
 * frame f (null: none). Later objects are drawn over earlier ones. Input buffers are not modified.
 */
export function drawMarks(
  rgb: RgbImages,
  masksPerFrame: readonly (readonly MaskInput[])[],
  style: MarkStyle,
  opts: MarkOptions = {},
): RgbImages {
  const { width, height } = rgb;
  const t = opts.thickness ?? Math.max(1, Math.round(Math.min(width, height) / 100));
  const alpha = opts.alpha ?? 0.5;
  const frames = rgb.frames.map((frame, f) => {
    const out = Buffer.from(frame);
    (masksPerFrame[f] ?? []).forEach((m, o) => {
      if (!m) return;
      const [r, g, b] = MARK_COLORS[o % MARK_COLORS.length].rgb;
      const full = maskToFrame(m, width, height);
      const paint = style === "contour" ? contourOf(full, width, height, t) : full;
      for (let i = 0; i < paint.length; i++) {
        if (!paint[i]) continue;
        const p = i * 3;
        if (style === "contour") {
          out[p] = r;
          out[p + 1] = g;
          out[p + 2] = b;
        } else {
          out[p] = Math.round((1 - alpha) * out[p] + alpha * r);
          out[p + 1] = Math.round((1 - alpha) * out[p + 1] + alpha * g);
          out[p + 2] = Math.round((1 - alpha) * out[p + 2] + alpha * b);
        }
      }
    });
    return out;
  });
  return { width, height, frames };
}
