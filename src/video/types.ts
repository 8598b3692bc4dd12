// Shared video types: what a probe reports and what decoding returns. Other folders import these from here.

/** What `probe` reports about a video file or a folder of frame images. */
export interface VideoMeta {
  /** The path as given by the caller. */
  path: string;
  /** `file`: a container (mp4/webm/mkv/avi); `frames`: a folder of JPEG/PNG frames (DAVIS/MeViS layout). */
  kind: "file" | "frames";
  /** Seconds. For frame folders: frames / fps. */
  duration: number;
  /** Frame rate as a reduced rational (29.97 is {num: 30000, den: 1001}). */
  fps: { num: number; den: number };
  /** fps.num / fps.den. */
  fpsValue: number;
  /** Exact number of decodable frames (counted, not read from a header that may lie). */
  frames: number;
  width: number;
  height: number;
  /** Codec name as ffprobe spells it (`h264`, `vp9`, ...), or `jpeg`/`png` for frame folders. */
  codec: string;
  /**
   * Degrees clockwise (0, 90, 180, 270) that the container's display matrix turns the picture; decoded
   * frames come out upright, as ffmpeg shows them, and width/height are the upright size.
   */
  rotation?: number;
}

/** Decoded RGB frames for models that read pixels directly (built-in ONNX models). */
export interface RgbFrames {
  width: number;
  height: number;
  /** One Buffer of width*height*3 bytes (RGB24) per frame. */
  frames: Buffer[];
  /** The frame index (into the whole video) of each entry of `frames`. */
  indices: number[];
  /** What the decoder complained about while producing these frames (absent when nothing). */
  warnings?: string[];
}

/** How decoded frames are fitted into the requested size. */
export type Fit = "stretch" | "pad" | "crop" | "max-side";
export const FITS: readonly Fit[] = ["stretch", "pad", "crop", "max-side"];

/** A clip window in seconds, [start, end). */
export type Window = [start: number, end: number];

/** Parsed sampling spec (see sample.ts for the grammar). */
export type SampleSpec =
  | { kind: "uniform"; n: number }
  | { kind: "uniform-inner"; n: number }
  | { kind: "fps"; fps: number; max?: number }
  | { kind: "segments"; n: number }
  | { kind: "indices"; indices: number[] }
  | { kind: "none" };
