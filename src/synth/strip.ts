// Frame strip PNG of a planned clip (docs and eyeballing): N evenly spaced frames side by side.
import { createCanvas } from "@napi-rs/canvas";
import { renderFrame } from "./render.ts";
import type { ScenePlan } from "./world.ts";

/** `frames`: a count of evenly spaced frames, or the exact frame indices to show. */
export function frameStrip(scene: ScenePlan, frames: number | number[] = 8, scale = 2): Buffer {
  const { w, h } = scene.size;
  const picks =
    typeof frames === "number"
      ? Array.from({ length: frames }, (_, i) =>
          Math.round((i * (scene.frames - 1)) / Math.max(1, frames - 1)),
        )
      : frames;
  const count = picks.length;
  const canvas = createCanvas(w * count * scale + (count - 1) * 2, h * scale);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  for (let i = 0; i < count; i++) {
    const t = picks[i];
    const { rgb } = renderFrame(scene, t);
    const img = ctx.createImageData(w, h);
    for (let p = 0; p < w * h; p++) {
      img.data[p * 4] = rgb[p * 3];
      img.data[p * 4 + 1] = rgb[p * 3 + 1];
      img.data[p * 4 + 2] = rgb[p * 3 + 2];
      img.data[p * 4 + 3] = 255;
    }
    const tile = createCanvas(w, h);
    tile.getContext("2d").putImageData(img, 0, 0);
    ctx.drawImage(tile, i * (w * scale + 2), 0, w * scale, h * scale);
    ctx.fillStyle = "#000";
    ctx.font = "12px sans-serif";
    ctx.fillText(`f${t}`, i * (w * scale + 2) + 3, 12);
  }
  return canvas.toBuffer("image/png");
}
