// The stored run config (runs.config): what the runner writes and every reader (report, show, runs, merge,
// the explorer) reads, as one zod schema. Every field is optional (runs written by older versions lack the
// newer ones) and unknown fields pass through untouched, so an old store reads and a new field is never lost.
import { z } from "zod";
import { KinemaError } from "../util/errors.ts";

const num = z.number().nullish();
const str = z.string().nullish();

export const RunConfigSchema = z.looseObject({
  // Identity (IDENTITY_KEYS in src/run/plan.ts): same identity → the same run continues.
  benchmark: z.string().optional(),
  benchPath: z.string().optional(),
  benchHash: z.string().optional(),
  model: z.string().optional(),
  /** adapter.describe(): base URL, header names, served model... */
  describe: z.record(z.string(), z.unknown()).nullish(),
  params: z.looseObject({ temperature: num, maxTokens: num, seed: num }).nullish(),
  /** The frame spec (written canonical: `fps:1`, never `fps:1.0`; older runs kept it as typed). */
  frames: z.string().optional(),
  benchOptions: z.record(z.string(), z.unknown()).nullish(),
  /** sha256 prefix of the answers file. */
  answers: str,
  errata: z.looseObject({ name: z.string(), sha256: z.string() }).nullish(),
  size: num,
  fit: str,
  prompt: str,
  promptHash: str,
  parse: str,
  framePerturbation: z.looseObject({ kind: z.string() }).nullish(),
  /** `i/N`. */
  shard: str,
  // Reproduction and reading.
  benchSpec: z.string().optional(),
  answersFile: str,
  errataFile: str,
  errataApplied: z.record(z.string(), z.unknown()).nullish(),
  modelOptions: z.record(z.string(), z.unknown()).nullish(),
  needs: z.looseObject({ images: z.boolean().optional(), rgb: z.boolean().optional() }).nullish(),
  judgeProtocol: str,
  kinemaVersion: str,
  node: str,
  /** The benchmark's size (a run covering part of it, --limit, is partial). */
  benchItems: num,
  /** `kinema merge`: the shard runs this run was joined from. */
  mergedFrom: z.array(z.looseObject({ run: z.string(), shard: z.unknown() })).nullish(),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Reads a stored config; a config that does not fit is a clear error naming the store, run and field. */
export function parseRunConfig(text: string, where: { file: string; run: string }): RunConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new KinemaError("bad_input", `run ${where.run}: config is not JSON: ${(e as Error).message}`, {
      file: where.file,
      field: "config",
    });
  }
  const r = RunConfigSchema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = ["config", ...issue.path.map(String)].join(".");
  throw new KinemaError("bad_input", `run ${where.run}: ${field}: ${issue.message}`, {
    file: where.file,
    field,
  });
}
