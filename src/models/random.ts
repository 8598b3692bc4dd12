// `random[:seed]` adapter: a uniform guess over the question's options, deterministic per (seed, sample).
import { createHash } from "node:crypto";
import { KinemaError } from "../util/errors.ts";
import type { ModelAdapter, ModelRequest, ModelResponse } from "./types.ts";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function createRandomAdapter(seedText = "0"): ModelAdapter {
  if (!/^\d+$/.test(seedText))
    throw new KinemaError("bad_spec", `random: seed must be a non-negative integer, got "${seedText}"`, {
      field: "model",
    });
  const seed = Number(seedText);
  return {
    spec: `random:${seed}`,
    needs: { images: false, rgb: false },
    describe: () => ({ kind: "random", seed }),
    async generate(req: ModelRequest): Promise<ModelResponse> {
      const n = req.question?.options.length ?? 0;
      if (n === 0) return { text: "" };
      // Hash (seed, sample) rather than drawing from a stream, so the answer does not depend on order
      // or concurrency, and a resumed run answers exactly like an uninterrupted one.
      const key = req.sampleId ?? req.question?.text ?? "";
      const h = createHash("sha256").update(`${seed}\u0000${key}`).digest();
      return { text: LETTERS[h.readUInt32BE(0) % n] };
    },
  };
}
