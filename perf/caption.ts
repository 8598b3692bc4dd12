// Times the caption metrics on 10,000 items with 5 references each (raw text, so PTB tokenization included).
// Usage: npx node perf/caption.ts [items]
import { captionMetrics } from "../src/metrics/caption/index.ts";

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
