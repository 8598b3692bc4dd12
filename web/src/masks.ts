// Draws VideoRefer object masks (COCO RLE) over a frame: a tinted fill and a contour per object.
import { decodeMask } from "../../src/masks/rle.ts";
import type { Rle } from "./api.ts";

const TINTS: [number, number, number][] = [
  [255, 40, 40],
  [40, 200, 255],
  [255, 200, 0],
  [120, 255, 80],
  [220, 80, 255],
];

export function drawMask(ctx: CanvasRenderingContext2D, rle: Rle, object: number, w: number, h: number) {
  const [mh, mw] = rle.size;
  const m = decodeMask(rle as { size: [number, number]; counts: string | number[] });
  const [r, g, b] = TINTS[object % TINTS.length];
  const layer = new ImageData(mw, mh);
  for (let y = 0; y < mh; y++)
    for (let x = 0; x < mw; x++) {
      const on = m[y * mw + x];
      if (!on) continue;
      const edge =
        x === 0 ||
        y === 0 ||
        x === mw - 1 ||
        y === mh - 1 ||
        !m[y * mw + x - 1] ||
        !m[y * mw + x + 1] ||
        !m[(y - 1) * mw + x] ||
        !m[(y + 1) * mw + x];
      const o = (y * mw + x) * 4;
      layer.data[o] = r;
      layer.data[o + 1] = g;
      layer.data[o + 2] = b;
      layer.data[o + 3] = edge ? 255 : 90;
    }
  const tmp = document.createElement("canvas");
  tmp.width = mw;
  tmp.height = mh;
  tmp.getContext("2d")!.putImageData(layer, 0, 0);
  ctx.drawImage(tmp, 0, 0, w, h);
}
