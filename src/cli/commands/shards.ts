// `kinema shards`: decodes a synthetic set's clips into .npy shards for the PyTorch models.
import type { Command } from "commander";
import { type RegionShardResult, writeRegionShards } from "../../synth/region-shards.ts";
import { type ShardResult, writeShards } from "../../synth/shards.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText } from "../output.ts";

export async function shards(o: {
  data: string;
  frames: number;
  size: number;
  out: string;
  limit?: number;
}): Promise<ShardResult> {
  return writeShards(o);
}

export function register(program: Command): void {
  program
    .command("shards")
    .description(
      "decode every answered question's clip into OUT/frames.npy + OUT/questions.json (PyTorch training)",
    )
    .requiredOption("--data <dir>", "synthetic-world directory (kinema synth --out)")
    .option("--frames <n>", "frames per clip, uniformly sampled", "32")
    .option("--size <px>", "frames are resized to SIZE x SIZE", "32")
    .requiredOption("--out <dir>", "shard directory to write")
    .option("--limit <n>", "keep at most N questions")
    .option(
      "--kind <kind>",
      "motionbench | videorefer (frames and per-object masks as the object built-in gets them, both modes)",
      "motionbench",
    )
    .option("--objects <n>", "videorefer: object slots per question", "2")
    .option("--som", "videorefer: also write set-of-mark (contour) frames")
    .option("--json", "print the result as JSON")
    .action(
      async (opts: {
        data: string;
        frames: string;
        size: string;
        out: string;
        limit?: string;
        kind: string;
        objects: string;
        som?: boolean;
        json?: boolean;
      }) => {
        if (opts.kind !== "motionbench" && opts.kind !== "videorefer")
          throw new KinemaError("bad_spec", `--kind must be motionbench or videorefer, got "${opts.kind}"`, {
            field: "kind",
          });
        if (opts.kind === "videorefer") {
          const v: RegionShardResult = await writeRegionShards({
            data: opts.data,
            frames: Number(opts.frames),
            size: Number(opts.size),
            objects: Number(opts.objects),
            som: opts.som,
            out: opts.out,
            limit: opts.limit === undefined ? undefined : Number(opts.limit),
          });
          if (opts.json) printJson(v);
          else
            printText(
              `${v.questions} questions from ${v.clips} clips → ${v.out}; skipped ${v.skipped.length}`,
            );
          return;
        }
        const r = await shards({
          data: opts.data,
          frames: Number(opts.frames),
          size: Number(opts.size),
          out: opts.out,
          limit: opts.limit === undefined ? undefined : Number(opts.limit),
        });
        if (opts.json) printJson(r);
        else
          printText(
            `${r.questions} questions from ${r.clips} clips → ${r.out} (${r.n_frames} frames of ${r.size}x${r.size})` +
              (r.skipped.length ? `; skipped ${r.skipped.length}` : ""),
          );
      },
    );
}
