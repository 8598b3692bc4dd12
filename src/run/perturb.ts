// Frame perturbations for `kinema audit`: pure rearrangements of the planned frames (shuffled, reversed, first
// or last frame only, none), applied by the runner where it picks the decoded frames a request carries.
import { createHash } from "node:crypto";
import { z } from "zod";
import { mulberry32 } from "../benchmarks/stats.ts";
import { KinemaError } from "../util/errors.ts";

/** The audit's conditions, in the order they are run and printed (`ordered` is the unperturbed plan). */
export const PERTURBATIONS = ["ordered", "shuffled", "reversed", "first", "last", "none"] as const;
export type PerturbationKind = (typeof PERTURBATIONS)[number];

export const FramePerturbationSchema = z.object({
  kind: z.enum(PERTURBATIONS),
  /** Seed of `shuffled` (each sample's permutation is derived from it and the sample id). */
  seed: z.number().int().nonnegative().optional(),
});
/** A perturbation as stored in a run's identity; `seed` only for `shuffled`. */
export type FramePerturbation = z.infer<typeof FramePerturbationSchema>;

/** Canonical form: `ordered` is no perturbation at all (undefined), so it is the plain `kinema eval` run. */
export function normalizePerturbation(p: FramePerturbation | undefined): FramePerturbation | undefined {
  if (!p) return undefined;
  const r = FramePerturbationSchema.safeParse(p);
  if (!r.success)
    throw new KinemaError("bad_spec", `bad frame perturbation ${JSON.stringify(p)}: ${r.error.message}`, {
      field: "framePerturbation",
    });
  if (r.data.kind === "ordered") return undefined;
  return r.data.kind === "shuffled" ? { kind: "shuffled", seed: r.data.seed ?? 0 } : { kind: r.data.kind };
}

/** What a perturbation makes of `n` planned frames. */
export interface PerturbedPlan {
  /** Positions into the planned frames, in the order they are sent (repeats allowed). */
  positions: number[];
  /** true: send blank (all-zero) frames in place of these positions (`none` for fixed-count models). */
  blank: boolean;
}

/** A seeded permutation of 0..n-1 for one sample: Fisher–Yates on mulberry32, seeded by (seed, key). */
export function shuffledPositions(n: number, seed: number, key: string): number[] {
  const h = createHash("sha256").update(`${seed}\u0000${key}`).digest();
  const rand = mulberry32(h.readUInt32LE(0));
  // A permutation that leaves the order as it was would be an `ordered` sample in disguise: draw again
  // (for n = 2 the one other order is the swap; the chance of 20 identity draws in a row is ≤ 2^-20).
  for (let attempt = 0; ; attempt++) {
    const p = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [p[i], p[j]] = [p[j], p[i]];
    }
    if (n < 2 || attempt >= 20 || p.some((v, i) => v !== i)) return p;
  }
}

/**
 * Rearranges `n` planned frames. `fixedCount`: the model's input holds a fixed number of frames (the
 * built-ins), so `first`/`last` repeat that frame `n` times and `none` sends `n` blank frames; other models
 * get one frame for `first`/`last` and no image at all for `none`.
 */
export function perturbFrames(
  n: number,
  p: FramePerturbation | undefined,
  opts: { key: string; fixedCount: boolean },
): PerturbedPlan {
  const all = [...Array(n).keys()];
  if (!p || n === 0) return { positions: all, blank: false };
  switch (p.kind) {
    case "ordered":
      return { positions: all, blank: false };
    case "shuffled":
      return { positions: shuffledPositions(n, p.seed ?? 0, opts.key), blank: false };
    case "reversed":
      return { positions: all.reverse(), blank: false };
    case "first":
    case "last": {
      const at = p.kind === "first" ? 0 : n - 1;
      return { positions: opts.fixedCount ? all.map(() => at) : [at], blank: false };
    }
    case "none":
      return opts.fixedCount ? { positions: all, blank: true } : { positions: [], blank: false };
  }
}
