// encodeImages(): JPEG/PNG bytes (what API models receive) from already-decoded RGB frames, no second decode.
import { createCanvas } from "@napi-rs/canvas";
import { KinemaError } from "../util/errors.ts";
import type { RgbFrames } from "./types.ts";

export type ImageFormat = "jpeg" | "png";

/** RGB24 → RGBA (opaque), the layout skia's ImageData wants. */
function toRgba(rgb: Buffer, pixels: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0, q = 0; p < pixels; p++, q += 4) {
    const s = p * 3;
    out[q] = rgb[s];
    out[q + 1] = rgb[s + 1];
    out[q + 2] = rgb[s + 2];
    out[q + 3] = 255;
  }
  return out;
}

/**
 * Encodes each frame with @napi-rs/canvas (skia, off the main thread, in parallel). In-process encoding is
 * faster than a second ffmpeg process (≈60 ms just to start Debian's ffmpeg). `quality` is 1–100 (JPEG only).
 */
export async function encodeImages(rgb: RgbFrames, format: ImageFormat, quality = 90): Promise<Buffer[]> {
  if (format !== "jpeg" && format !== "png")
    throw new KinemaError("bad_input", `image format must be jpeg or png, got ${format as string}`, {
      field: "images",
    });
  const { width, height } = rgb;
  const pixels = width * height;
  return Promise.all(
    rgb.frames.map((frame) => {
      if (frame.length !== pixels * 3)
        throw new KinemaError("bad_input", `frame has ${frame.length} bytes, expected ${pixels * 3}`);
      const canvas = createCanvas(width, height);
      const ctx = canvas.getContext("2d");
      const img = ctx.createImageData(width, height);
      img.data.set(toRgba(frame, pixels));
      ctx.putImageData(img, 0, 0);
      return format === "jpeg" ? canvas.encode("jpeg", quality) : canvas.encode("png");
    }),
  );
}

export const MIME: Record<ImageFormat, "image/jpeg" | "image/png"> = { jpeg: "image/jpeg", png: "image/png" };
