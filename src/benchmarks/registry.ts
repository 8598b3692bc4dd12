// Benchmark specs → benchmark modules: `motionbench:PATH`, `videorefer-q:PATH`, and `synth:DIR` (the
// synthetic world's output, which uses MotionBench's layout and so loads through the same module).
import { KinemaError } from "../util/errors.ts";
import { motionbench } from "./motionbench/index.ts";
import type { Benchmark } from "./types.ts";
import { videoreferQ } from "./videorefer-q/index.ts";

const BY_PREFIX: Record<string, Benchmark> = {
  motionbench,
  "videorefer-q": videoreferQ,
  synth: motionbench,
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
