// COCO caption metrics (pycocoevalcap-compatible BLEU-1..4, ROUGE-L, CIDEr-D) over image/video ids,
// with the PTB tokenization upstream applies first. METEOR and SPICE are Java programs that cannot run
// here, so they are reported as null rather than approximated under their names.
import { readFile } from "node:fs/promises";
import { KinemaError } from "../../util/errors.ts";
import { bleuOf } from "./bleu.ts";
import { ciderOf } from "./cider.ts";
import { prepareCorpus } from "./corpus.ts";
import { cocoTokenize } from "./ptb.ts";
import { rougeOf } from "./rouge.ts";

export { bleu } from "./bleu.ts";
export { ciderD } from "./cider.ts";
export { cocoTokenize, PTB_PUNCTUATIONS, ptbTokenizeLines } from "./ptb.ts";
export { rouge, rougeL } from "./rouge.ts";

export const CAPTION_METRIC_KEYS = [
  "Bleu_1",
  "Bleu_2",
  "Bleu_3",
  "Bleu_4",
  "METEOR",
  "ROUGE_L",
  "CIDEr",
  "SPICE",
] as const;
export type CaptionMetricKey = (typeof CAPTION_METRIC_KEYS)[number];
export type CaptionScores = Record<CaptionMetricKey, number | null>;

export interface CaptionItemScore {
  image_id: string | number;
  Bleu_1: number;
  Bleu_2: number;
  Bleu_3: number;
  Bleu_4: number;
  ROUGE_L: number;
  CIDEr: number;
}

export interface CaptionMetricsResult extends CaptionScores {
  n: number;
  /** Why a metric is null. */
  notes: Record<string, string>;
  items?: CaptionItemScore[];
}

export interface CaptionInput {
  /** Item ids in scoring order. */
  ids: (string | number)[];
  /** References per item (same order as ids). */
  refs: string[][];
  /** One hypothesis per item. */
  hyps: string[];
}

export const NOT_COMPUTED_NOTES = {
  METEOR: "not computed: METEOR 1.5 is a Java program (with a paraphrase table) that is not available here",
  SPICE: "not computed: SPICE needs Java scene-graph parsing (CoreNLP 3.6), not available here",
};

/**
 * Scores hypotheses against references like pycocoevalcap's COCOEvalCap: PTB-tokenize references and
 * hypotheses (unless `pretokenized`), then BLEU-1..4 (closest reference length), ROUGE-L and CIDEr-D.
 */
export function captionMetrics(
  input: CaptionInput,
  opts: { pretokenized?: boolean; perItem?: boolean } = {},
): CaptionMetricsResult {
  const { ids } = input;
  if (input.refs.length !== ids.length || input.hyps.length !== ids.length)
    throw new KinemaError("bad_input", "ids, refs and hyps must have the same length");
  if (ids.length === 0) throw new KinemaError("bad_input", "no items to score");
  let refs = input.refs;
  let hyps = input.hyps;
  if (!opts.pretokenized) {
    // upstream tokenizes all references in one document and all hypotheses in another
    const flat = cocoTokenize(refs.flat());
    let k = 0;
    refs = refs.map((rs) => rs.map(() => flat[k++]));
    hyps = cocoTokenize(hyps);
  }
  // one preparation (split, interned words and 1..4-grams) serves the three scorers
  const prepared = prepareCorpus(hyps, refs, 4);
  const b = bleuOf(prepared);
  const r = rougeOf(prepared);
  const c = ciderOf(prepared);
  const out: CaptionMetricsResult = {
    Bleu_1: b.corpus[0],
    Bleu_2: b.corpus[1],
    Bleu_3: b.corpus[2],
    Bleu_4: b.corpus[3],
    METEOR: null,
    ROUGE_L: r.corpus,
    CIDEr: c.corpus,
    SPICE: null,
    n: ids.length,
    notes: { ...NOT_COMPUTED_NOTES },
  };
  if (opts.perItem) {
    out.items = ids.map((id, i) => ({
      image_id: id,
      Bleu_1: b.items[i][0],
      Bleu_2: b.items[i][1],
      Bleu_3: b.items[i][2],
      Bleu_4: b.items[i][3],
      ROUGE_L: r.items[i],
      CIDEr: c.items[i],
    }));
  }
  return out;
}

interface Ann {
  image_id: string | number;
  caption: string;
}

/** The annotation itself once checked; its field (`<list>[<index>]`) is spelled out only in an error. */
function checkAnn(a: unknown, file: string, list: string, index: number): Ann {
  const o = a as Record<string, unknown>;
  if (o && typeof o === "object" && typeof o.caption === "string")
    if (typeof o.image_id === "string" || typeof o.image_id === "number") return o as unknown as Ann;
  const field = `${list}[${index}]`;
  if (!o || typeof o !== "object") throw new KinemaError("bad_input", "expected an object", { file, field });
  if (typeof o.image_id !== "string" && typeof o.image_id !== "number")
    throw new KinemaError("bad_input", "image_id must be a string or number", {
      file,
      field: `${field}.image_id`,
    });
  if (typeof o.caption !== "string")
    throw new KinemaError("bad_input", "caption must be a string", { file, field: `${field}.caption` });
  return o as unknown as Ann;
}

/**
 * Builds scoring input from a COCO-style ground-truth object ({annotations: [{image_id, caption}]},
 * optionally {images: [{id}]}) and a result list ([{image_id, caption}]). Item order follows
 * gts.images when present (as pycocoevalcap's loadRes), else first appearance in gts.annotations;
 * only ids present in the results are scored, and every result id must have references.
 */
export function captionInputFromCoco(
  gts: unknown,
  res: unknown,
  files = { gts: "gts", res: "res" },
): CaptionInput {
  const g = gts as { annotations?: unknown; images?: unknown };
  if (!g || typeof g !== "object" || !Array.isArray(g.annotations))
    throw new KinemaError("bad_input", 'ground truth must be an object with an "annotations" list', {
      file: files.gts,
      field: "annotations",
    });
  if (!Array.isArray(res))
    throw new KinemaError("bad_input", "results must be a list of {image_id, caption}", { file: files.res });
  const refs = new Map<string, { id: string | number; caps: string[] }>();
  const anns: unknown[] = g.annotations;
  for (let i = 0; i < anns.length; i++) {
    const ann = checkAnn(anns[i], files.gts, "annotations", i);
    const key = typeof ann.image_id === "string" ? ann.image_id : String(ann.image_id);
    const e = refs.get(key);
    if (e) e.caps.push(ann.caption);
    else refs.set(key, { id: ann.image_id, caps: [ann.caption] });
  }
  const hyp = new Map<string, string>();
  res.forEach((a, i) => {
    const ann = checkAnn(a, files.res, "", i);
    const key = String(ann.image_id);
    if (hyp.has(key))
      throw new KinemaError(
        "bad_input",
        `more than one caption for image_id ${key} (BLEU needs exactly one)`,
        {
          file: files.res,
          field: `[${i}].image_id`,
        },
      );
    if (!refs.has(key))
      throw new KinemaError("bad_input", `image_id ${key} has no reference captions`, {
        file: files.res,
        field: `[${i}].image_id`,
      });
    hyp.set(key, ann.caption);
  });
  let order = [...refs.keys()];
  if (Array.isArray(g.images)) {
    const imgs = g.images.map((im) => String((im as { id?: unknown })?.id));
    const listed = new Set(imgs);
    order = [...imgs.filter((k) => refs.has(k)), ...order.filter((k) => !listed.has(k))];
  }
  order = order.filter((k) => hyp.has(k));
  return {
    ids: order.map((k) => refs.get(k)!.id),
    refs: order.map((k) => refs.get(k)!.caps),
    hyps: order.map((k) => hyp.get(k)!),
  };
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new KinemaError("not_found", `cannot read ${file}`, { file }, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new KinemaError("bad_input", `not valid JSON: ${(e as Error).message}`, { file }, { cause: e });
  }
}

/** Reads GTS/RES files and scores them (the caption-metrics command). */
export async function captionMetricsFromFiles(
  gtsFile: string,
  resFile: string,
  opts: { pretokenized?: boolean; perItem?: boolean } = {},
): Promise<CaptionMetricsResult> {
  const [gts, res] = await Promise.all([readJson(gtsFile), readJson(resFile)]);
  return captionMetrics(captionInputFromCoco(gts, res, { gts: gtsFile, res: resFile }), opts);
}
