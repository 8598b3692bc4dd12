// Benchmark specs → benchmark modules. Multiple choice: `motionbench:PATH`, `videorefer-q:PATH`, `synth:DIR`
// (the synthetic world's output, MotionBench's layout). Judged (Video-ChatGPT protocol / Bench-D judge):
// `activitynet-qa:DIR`, `msvd-qa:DIR`, `msrvtt-qa:DIR`, `tgif-qa:DIR` (test_q.json + test_a.json + videos),
// `vcgpt-gen:DIR` (generic_qa.json, temporal_qa.json, consistency_qa.json), `videorefer-d:PATH`
// (VideoRefer-Bench-D.json or its folder). Caption metrics: `caption-ref:PATH` (captions.json or its folder).
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { KinemaError } from "../util/errors.ts";
import { captionRef } from "./caption-ref/index.ts";
import { lvbench } from "./lvbench/index.ts";
import { motionbench } from "./motionbench/index.ts";
import { mvbench } from "./mvbench/index.ts";
import { activitynetQa, msrvttQa, msvdQa, tgifQa } from "./openqa/index.ts";
import { perceptionTest } from "./perception-test/index.ts";
import { tempcompass } from "./tempcompass/index.ts";
import type { Benchmark, Sample } from "./types.ts";
import { vcgptGen } from "./vcgpt-gen/index.ts";
import { videomme } from "./videomme/index.ts";
import { videoreferD } from "./videorefer-d/index.ts";
import { videoReferFramesFor, videoReferMarkFrames, videoreferQ } from "./videorefer-q/index.ts";

/**
 * Describing a masked object (Bench-D, captioned referring sets): the run's frame spec sampled over the
 * whole clip with the annotated frames merged in (VideoRefer-Q's multi-frame rule), so the set-of-mark
 * presets draw the object on the frames that carry its mask; `region` draws nothing.
 */
function withMarks(b: Benchmark): Benchmark {
  const multi = (s: Sample): Sample => ({ ...s, raw: { mode: "multi" } });
  return {
    ...b,
    framesFor: (s, spec, clip) => (s.masks?.length ? videoReferFramesFor(multi(s), spec, clip) : spec),
    markFrames: (s, preset, rgb) => (s.masks?.length ? videoReferMarkFrames(s, preset, rgb) : null),
  };
}

/** VideoRefer-Bench-D's `video` names are relative to a video folder: `videos/` beside the JSON when present
 *  (the synthetic videorefer layout), else the JSON's folder (the loader's default). */
function withVideoFolder(b: Benchmark): Benchmark {
  const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  return {
    ...b,
    load: (path, opts) => {
      const videos = join(isDir(path) ? path : dirname(path), "videos");
      return b.load(path, { ...(isDir(videos) ? { videoRoot: videos } : {}), ...opts });
    },
  };
}

const BY_PREFIX: Record<string, Benchmark> = {
  motionbench,
  "videorefer-q": videoreferQ,
  synth: motionbench,
  "activitynet-qa": activitynetQa,
  "msvd-qa": msvdQa,
  "msrvtt-qa": msrvttQa,
  "tgif-qa": tgifQa,
  "vcgpt-gen": vcgptGen,
  "videorefer-d": withMarks(withVideoFolder(videoreferD)),
  "caption-ref": withMarks(captionRef),
  mvbench,
  videomme,
  lvbench,
  "perception-test": perceptionTest,
  tempcompass,
};

/** The spec prefixes `getBenchmark` understands. */
export function benchmarkPrefixes(): string[] {
  return Object.keys(BY_PREFIX);
}

/** Resolves `PREFIX:PATH` to its module and the path to load (the path is not checked here). */
export function getBenchmark(spec: string): { benchmark: Benchmark; path: string; prefix: string } {
  const i = spec.indexOf(":");
  const prefix = i > 0 ? spec.slice(0, i) : spec;
  const path = i > 0 ? spec.slice(i + 1) : "";
  const benchmark = Object.hasOwn(BY_PREFIX, prefix) ? BY_PREFIX[prefix] : undefined;
  if (!benchmark)
    throw new KinemaError(
      "bad_spec",
      `unknown benchmark "${prefix}" (known: ${benchmarkPrefixes().join(", ")})`,
      {
        field: "bench",
      },
    );
  if (path === "")
    throw new KinemaError("bad_spec", `benchmark spec "${spec}" needs a path, e.g. ${prefix}:PATH`, {
      field: "bench",
    });
  return { benchmark, path, prefix };
}
