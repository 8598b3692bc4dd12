// Caption metric tests: the public pycocoevalcap vector (corpus and per item, 1e-9), quirks, and file input.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isKinemaError } from "../../util/errors.ts";
import {
  captionInputFromCoco,
  captionMetrics,
  captionMetricsFromFiles,
  ciderD,
  cocoTokenize,
  rougeL,
} from "./index.ts";

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-9, `${what}: ${a} vs ${b}`);

const GTS = [
  ["a man is riding a bike on the road", "a person rides a bicycle", "a man rides a bike down the street"],
  ["a woman is cooking food in a kitchen", "a lady cooks in the kitchen"],
  ["two dogs play in the grass", "dogs are playing outside on grass", "two puppies run in a field"],
];
const RES = ["a man is riding a bike", "a woman cooks", "a dog"];

test("caption metrics reproduce the public vector (corpus and per item)", () => {
  const r = captionMetrics(
    { ids: ["v1", "v2", "v3"], refs: GTS, hyps: RES },
    { pretokenized: true, perItem: true },
  );
  close(r.Bleu_1 as number, 0.5268893443, "Bleu_1");
  close(r.Bleu_2 as number, 0.4785710129, "Bleu_2");
  close(r.Bleu_3 as number, 0.4735490348, "Bleu_3");
  close(r.Bleu_4 as number, 0.4980830262, "Bleu_4");
  close(r.CIDEr as number, 1.3156088993, "CIDEr");
  close(r.ROUGE_L as number, 0.4735730644, "ROUGE_L");
  const items = r.items!;
  [2.9520472917, 0.9947794062, 0.0].forEach((v, i) => close(items[i].CIDEr, v, `CIDEr[${i}]`));
  [0.7721518987, 0.4192439863, 0.2293233083].forEach((v, i) => close(items[i].ROUGE_L, v, `ROUGE_L[${i}]`));
  assert.deepEqual(
    items.map((x) => x.image_id),
    ["v1", "v2", "v3"],
  );
  assert.equal(r.METEOR, null);
  assert.equal(r.SPICE, null);
  assert.equal(r.n, 3);
});

test("per-item BLEU: cumulative product, brevity penalty per item (current pycocoevalcap)", () => {
  const r = captionMetrics(
    { ids: [1], refs: [["a b c d"]], hyps: ["a b"] },
    { pretokenized: true, perItem: true },
  );
  const bp = Math.exp(1 - 1 / ((2 + 1e-15) / (4 + 1e-9)));
  close(r.items![0].Bleu_1, ((2 + 1e-15) / (2 + 1e-9)) * bp, "b1");
  close(r.items![0].Bleu_2, (((2 + 1e-15) / (2 + 1e-9)) * ((1 + 1e-15) / (1 + 1e-9))) ** 0.5 * bp, "b2");
});

test("tokenization runs first unless --pretokenized", () => {
  const raw = captionMetrics({ ids: ["x"], refs: [["A Dog's ball."]], hyps: ["a dog 's ball"] });
  close(raw.Bleu_4 as number, 1, "identical after tokenization");
  const pre = captionMetrics(
    { ids: ["x"], refs: [["A Dog's ball."]], hyps: ["a dog 's ball"] },
    { pretokenized: true },
  );
  assert.ok((pre.Bleu_1 as number) < 0.5);
});

test("CIDEr-D quirks: df over references only, delta from bigram counts, log max(1, df)", () => {
  // one item: N = 1 so log N = 0 and every weight is 0 → score 0 (upstream divides nothing by a 0 norm)
  assert.deepEqual(ciderD(["a b"], [["a b"]]).items, [0]);
  // item 0: unigram cosine 1, higher orders empty → 10 · 1/4
  const two = ciderD(["a", "c"], [["a"], ["c d"]]);
  close(two.items[0], 10 * (1 / 4), "unigram cosine 1");
  // an empty hypothesis and a one-word reference both have 0 bigrams: delta 0 although lengths differ,
  // so the score equals that of a same-length pair (here 0 because the empty vector has norm 0)
  assert.equal(ciderD(["", "q"], [["z"], ["q"]]).items[0], 0);
});

test("ROUGE-L: P and R maxima are taken separately over references", () => {
  // ref1 gives the best precision, ref2 the best recall
  const s = rougeL("a b", ["a b c d e f", "a"]);
  const p = 1;
  const rr = 1;
  close(s, ((1 + 1.44) * p * rr) / (rr + 1.44 * p), "rouge");
});

test("COCO files: order, validation and errors naming file and field", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kinema-cap-"));
  try {
    const gts = join(dir, "gts.json");
    const res = join(dir, "res.json");
    writeFileSync(
      gts,
      JSON.stringify({
        annotations: GTS.flatMap((caps, i) => caps.map((caption) => ({ image_id: `v${i + 1}`, caption }))),
      }),
    );
    writeFileSync(res, JSON.stringify(RES.map((_, i) => ({ image_id: `v${3 - i}`, caption: RES[2 - i] }))));
    {
      const r = await captionMetricsFromFiles(gts, res, { pretokenized: true, perItem: true });
      close(r.CIDEr as number, 1.3156088993, "CIDEr from files");
      assert.deepEqual(
        r.items!.map((x) => x.image_id),
        ["v1", "v2", "v3"],
      );
      assert.throws(
        () =>
          captionInputFromCoco({ annotations: [{ image_id: 1, caption: 5 }] }, [], {
            gts: "g.json",
            res: "r.json",
          }),
        (e) =>
          isKinemaError(e, "bad_input") &&
          e.fields.file === "g.json" &&
          e.fields.field === "annotations[0].caption",
      );
      assert.throws(
        () =>
          captionInputFromCoco(
            { annotations: [{ image_id: 1, caption: "a" }] },
            [{ image_id: 2, caption: "b" }],
            {
              gts: "g.json",
              res: "r.json",
            },
          ),
        (e) =>
          isKinemaError(e, "bad_input") && e.fields.file === "r.json" && e.fields.field === "[0].image_id",
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("matches pycocoevalcap end to end (tokenizer + scorers) on 120 generated items, corpus and per item", () => {
  const fx = JSON.parse(readFileSync(new URL("./pycocoevalcap.fixture.json", import.meta.url), "utf8")) as {
    items: { id: string; refs: string[]; hyp: string }[];
    expected: {
      Bleu: number[];
      ROUGE_L: number;
      CIDEr: number;
      Bleu_items: number[][];
      ROUGE_items: number[];
      CIDEr_items: number[];
      tokenized_hyps: string[];
    };
  };
  const e = fx.expected;
  assert.deepEqual(cocoTokenize(fx.items.map((x) => x.hyp)), e.tokenized_hyps);
  const r = captionMetrics(
    { ids: fx.items.map((x) => x.id), refs: fx.items.map((x) => x.refs), hyps: fx.items.map((x) => x.hyp) },
    { perItem: true },
  );
  (["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"] as const).forEach((k, i) => close(r[k] as number, e.Bleu[i], k));
  close(r.ROUGE_L as number, e.ROUGE_L, "ROUGE_L");
  close(r.CIDEr as number, e.CIDEr, "CIDEr");
  r.items!.forEach((it, i) => {
    (["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"] as const).forEach((k, j) =>
      close(it[k], e.Bleu_items[j][i], `${it.image_id} ${k}`),
    );
    close(it.ROUGE_L, e.ROUGE_items[i], `${it.image_id} ROUGE_L`);
    close(it.CIDEr, e.CIDEr_items[i], `${it.image_id} CIDEr`);
  });
});
