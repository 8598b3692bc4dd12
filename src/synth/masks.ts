// Per-object masks from the renderer's id buffer, encoded as COCO RLE (pycocotools string form).
import { countsToString, type Rle } from "../masks/rle.ts";

/**
 * One RLE per requested object index for a row-major id buffer. Runs are column-major as in pycocotools.
 * One pass over the pixels serves every object: a change of id closes a run of the object left and of the
 * object entered, so the cost does not grow with the number of objects.
 */
export function idsToRles(ids: Uint8Array, w: number, h: number, indices: number[]): Rle[] {
  const slot = new Int16Array(256).fill(-1);
  indices.forEach((idx, i) => (slot[idx] = i));
  const counts: number[][] = indices.map(() => []);
  const last = new Float64Array(indices.length); // pixel position of each object's last toggle
  let cur = -1;
  let p = 0;
  for (let x = 0; x < w; x++) {
    for (let q = x, y = 0; y < h; y++, q += w, p++) {
      const v = ids[q];
      if (v === cur) continue;
      const a = cur >= 0 ? slot[cur] : -1;
      if (a >= 0) {
        counts[a].push(p - last[a]);
        last[a] = p;
      }
      const b = slot[v];
      if (b >= 0) {
        counts[b].push(p - last[b]);
        last[b] = p;
      }
      cur = v;
    }
  }
  const n = w * h;
  return indices.map((_, i) => {
    counts[i].push(n - last[i]);
    return { size: [h, w] as [number, number], counts: countsToString(counts[i]) };
  });
}
