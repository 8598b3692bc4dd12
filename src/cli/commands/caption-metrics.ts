// `kinema caption-metrics`: pycocoevalcap-compatible BLEU-1..4, ROUGE-L and CIDEr-D for COCO-style files
// (METEOR and SPICE print null: their Java reference implementations are not available here).
import type { Command } from "commander";
import { type CaptionMetricsResult, captionMetricsFromFiles } from "../../metrics/caption/index.ts";
import { KinemaError } from "../../util/errors.ts";
import { printJson, printText, textTable } from "../output.ts";

export interface CaptionMetricsCliOptions {
  gts?: string;
  res?: string;
  pretokenized?: boolean;
  perItem?: boolean;
  json?: boolean;
}

/** The command as a plain function (tests call it). */
export async function captionMetricsCommand(o: CaptionMetricsCliOptions): Promise<CaptionMetricsResult> {
  if (!o.gts) throw new KinemaError("bad_spec", "--gts FILE is required", { field: "gts" });
  if (!o.res) throw new KinemaError("bad_spec", "--res FILE is required", { field: "res" });
  return captionMetricsFromFiles(o.gts, o.res, { pretokenized: o.pretokenized, perItem: o.perItem });
}

const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(4));

export function register(program: Command): void {
  program
    .command("caption-metrics")
    .description("COCO caption metrics (BLEU-1..4, ROUGE-L, CIDEr-D as pycocoevalcap; METEOR/SPICE null)")
    .option("--gts <file>", 'references, COCO style {"annotations": [{"image_id", "caption"}]}')
    .option("--res <file>", 'hypotheses [{"image_id", "caption"}], one per image_id')
    .option("--pretokenized", "captions are already PTB-tokenized (skip the tokenizer)")
    .option("--per-item", "also print per-item scores")
    .option("--json", "print JSON")
    .action(async (opts: CaptionMetricsCliOptions) => {
      const r = await captionMetricsCommand(opts);
      if (opts.json) return printJson(r);
      const keys = ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr", "SPICE"] as const;
      printText(textTable([["metric", "score"], ...keys.map((k) => [k, fmt(r[k])])]));
      printText(`${r.n} items; METEOR and SPICE not computed (Java reference implementations unavailable)`);
      if (r.items)
        printText(
          textTable([
            ["image_id", "Bleu_4", "ROUGE_L", "CIDEr"],
            ...r.items.map((x) => [String(x.image_id), fmt(x.Bleu_4), fmt(x.ROUGE_L), fmt(x.CIDEr)]),
          ]),
        );
    });
}
