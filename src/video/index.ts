// Public entry of the video layer: probe, sample, decode, encode, cache, loadFrames.
export * from "./cache.ts";
export { type DecodeOptions, type DecodeStats, decode, fitFilter } from "./decode.ts";
export { encodeImages, type ImageFormat, MIME } from "./encode.ts";
export { type LoadedFrames, type LoadOptions, loadFrames, type VideoRef } from "./load.ts";
export { closeDecoders, engineAvailable } from "./pool.ts";
export {
  DEFAULT_FOLDER_FPS,
  fpsRational,
  listFrameFiles,
  type ProbeDetail,
  type ProbeOptions,
  probe,
  probeDetail,
} from "./probe.ts";
export * from "./sample.ts";
export { resolveTool, runTool, type ToolInfo, type ToolName } from "./tools.ts";
export * from "./types.ts";
