// Times the caption metrics on 10,000 items with 5 references each.
// 1. In process: captionMetrics on raw text (PTB tokenization included).
// 2. With PYCOCOEVALCAP_DIR set to a checkout of salaniz/pycocoevalcap (the Python 3 port): the whole
//    `kinema caption-metrics --pretokenized` process (node start, reading the files, scoring, printing) on the
//    pre-tokenized captions, against pycocoevalcap's Bleu(4) + Rouge + Cider compute_score alone on the same
//    captions (its import and the file reading not counted), with the ratio and a check that the numbers agree.
// Usage: [PYCOCOEVALCAP_DIR=/path/to/pycocoevalcap] npx node perf/caption.ts [items]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captionMetrics, cocoTokenize } from "../src/metrics/caption/index.ts";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SUBJ = [
  "A man",
  "The woman",
  "Two dogs",
  "A child",
  "Someone",
  "A person's hand",
  "The red car",
  "A cat",
];
const VERB = [
  "is riding",
  "rides",
  "walks along",
  "isn't holding",
  "picks up",
  "slowly turns",
  "jumps over",
  "waves at",
];
const OBJ = [
  "a bike",
  "the ball",
  "a t-shirt",
  "the door (left)",
  "a cup of tea",
  "his friend",
  "a 3.5 m pole",
  '"the box"',
];
const TAIL = [
  "on the road.",
  "in the kitchen!",
  "at 5:30 p.m.",
  "near the U.S. border",
  "and/or smiles...",
  "",
  "-- quickly",
  ", then stops.",
];

function caption(r: () => number): string {
  const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)];
  return `${pick(SUBJ)} ${pick(VERB)} ${pick(OBJ)} ${pick(TAIL)}`.trim();
}

const n = Number(process.argv[2] ?? 10_000);
const r = rng(42);
const ids = Array.from({ length: n }, (_, i) => i);
const refs = ids.map(() => Array.from({ length: 5 }, () => caption(r)));
const hyps = ids.map(() => caption(r));
const t0 = performance.now();
const out = captionMetrics({ ids, refs, hyps }, { perItem: true });
const secs = (performance.now() - t0) / 1000;
const target = 10;
console.log(
  JSON.stringify({
    items: n,
    refs_per_item: 5,
    seconds: Number(secs.toFixed(3)),
    target_seconds: target,
    ratio_to_target: Number((secs / target).toFixed(3)),
    CIDEr: out.CIDEr,
    Bleu_4: out.Bleu_4,
  }),
);

/** pycocoevalcap's three pure-Python scorers on the files, timed around compute_score only. */
const PY = `
import json, sys, time, io, contextlib
sys.path.insert(0, sys.argv[1])
from bleu.bleu import Bleu
from rouge.rouge import Rouge
from cider.cider import Cider
gts_doc = json.load(open(sys.argv[2]))
res_doc = json.load(open(sys.argv[3]))
gts, res = {}, {}
for a in gts_doc["annotations"]:
    gts.setdefault(a["image_id"], []).append(a["caption"])
for a in res_doc:
    res[a["image_id"]] = [a["caption"]]
t0 = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    b, _ = Bleu(4).compute_score(gts, res)
    rl, _ = Rouge().compute_score(gts, res)
    c, _ = Cider().compute_score(gts, res)
secs = time.perf_counter() - t0
print(json.dumps({"seconds": secs, "Bleu_4": b[3], "ROUGE_L": rl, "CIDEr": c}))
`;

const pyDir = process.env.PYCOCOEVALCAP_DIR;
if (pyDir) {
  const dir = mkdtempSync(join(tmpdir(), "kinema-caption-perf-"));
  try {
    // Pre-tokenized captions: PTB-tokenized here, so both sides score the very same strings.
    const flat = cocoTokenize(refs.flat());
    const tokHyps = cocoTokenize(hyps);
    const gtsFile = join(dir, "gts.json");
    const resFile = join(dir, "res.json");
    writeFileSync(
      gtsFile,
      JSON.stringify({ annotations: flat.map((caption, k) => ({ image_id: Math.floor(k / 5), caption })) }),
    );
    writeFileSync(resFile, JSON.stringify(tokHyps.map((caption, i) => ({ image_id: i, caption }))));
    const python = process.env.PYTHON ?? "/usr/bin/python3";
    const py = JSON.parse(
      execFileSync(python, ["-c", PY, pyDir, gtsFile, resFile], { encoding: "utf8", maxBuffer: 1 << 26 }),
    ) as { seconds: number; Bleu_4: number; ROUGE_L: number; CIDEr: number };
    const bin = new URL("../bin/kinema.js", import.meta.url).pathname;
    const args = [bin, "caption-metrics", "--gts", gtsFile, "--res", resFile, "--pretokenized", "--json"];
    const runs: number[] = [];
    let ours: { Bleu_4: number; ROUGE_L: number; CIDEr: number } | undefined;
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      const text = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
      runs.push((performance.now() - t) / 1000);
      ours = JSON.parse(text);
    }
    const best = Math.min(...runs);
    const agree = (["Bleu_4", "ROUGE_L", "CIDEr"] as const).every(
      (k) => Math.abs((ours?.[k] ?? Number.NaN) - py[k]) <= 1e-12,
    );
    console.log(
      JSON.stringify({
        pretokenized: true,
        items: n,
        kinema_process_seconds: Number(best.toFixed(3)),
        kinema_process_runs: runs.map((s) => Number(s.toFixed(3))),
        pycocoevalcap_compute_seconds: Number(py.seconds.toFixed(3)),
        ratio: Number((py.seconds / best).toFixed(2)),
        target_ratio: 10,
        scores_agree: agree,
        kinema: { Bleu_4: ours?.Bleu_4, ROUGE_L: ours?.ROUGE_L, CIDEr: ours?.CIDEr },
        pycocoevalcap: { Bleu_4: py.Bleu_4, ROUGE_L: py.ROUGE_L, CIDEr: py.CIDEr },
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
