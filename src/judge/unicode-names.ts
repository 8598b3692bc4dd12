// Python's \N{NAME} escapes in string literals: the names CPython 3.11 accepts (unicode-names.txt.gz, made
// by scripts/gen-unicode-names.py from CPython itself) plus its two algorithmic families, CJK UNIFIED
// IDEOGRAPH-<HEX> and HANGUL SYLLABLE <name>, which CPython matches in upper case only. Loaded on first use.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

interface NameTable {
  names: Map<string, number>;
  runs: { prefix: string; first: number; last: number }[];
  cjk: [number, number][];
}

let table: NameTable | undefined;

function load(): NameTable {
  const text = gunzipSync(readFileSync(join(import.meta.dirname, "unicode-names.txt.gz"))).toString("utf8");
  const t: NameTable = { names: new Map(), runs: [], cjk: [] };
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [a, b, c] = line.split(";");
    if (a === "!cjk") t.cjk.push([Number.parseInt(b, 16), Number.parseInt(c, 16)]);
    else if (a.startsWith("="))
      t.runs.push({ prefix: a.slice(1), first: Number.parseInt(b, 16), last: Number.parseInt(c, 16) });
    else t.names.set(b, Number.parseInt(a, 16));
  }
  return t;
}

const JAMO_L = [
  "G",
  "GG",
  "N",
  "D",
  "DD",
  "R",
  "M",
  "B",
  "BB",
  "S",
  "SS",
  "",
  "J",
  "JJ",
  "C",
  "K",
  "T",
  "P",
  "H",
];
const JAMO_V = [
  "A",
  "AE",
  "YA",
  "YAE",
  "EO",
  "E",
  "YEO",
  "YE",
  "O",
  "WA",
  "WAE",
  "OE",
  "YO",
  "U",
  "WEO",
  "WE",
  "WI",
  "YU",
  "EU",
  "YI",
  "I",
];
const JAMO_T = [
  "",
  "G",
  "GG",
  "GS",
  "N",
  "NJ",
  "NH",
  "D",
  "L",
  "LG",
  "LM",
  "LB",
  "LS",
  "LT",
  "LP",
  "LH",
  "M",
  "B",
  "BS",
  "S",
  "SS",
  "NG",
  "J",
  "C",
  "K",
  "T",
  "P",
  "H",
];
let hangul: Map<string, number> | undefined;

/** The code point CPython's `\N{name}` gives, or undefined where it raises a SyntaxError. */
export function lookupPyName(name: string): number | undefined {
  if (name.startsWith("HANGUL SYLLABLE ")) {
    if (!hangul) {
      hangul = new Map();
      for (let l = 0; l < JAMO_L.length; l++)
        for (let v = 0; v < JAMO_V.length; v++)
          for (let t = 0; t < JAMO_T.length; t++)
            hangul.set(JAMO_L[l] + JAMO_V[v] + JAMO_T[t], 0xac00 + (l * 21 + v) * 28 + t);
    }
    return hangul.get(name.slice(16));
  }
  table ??= load();
  const cjk = /^CJK UNIFIED IDEOGRAPH-([0-9A-F]{4,5})$/.exec(name);
  if (cjk) {
    const cp = Number.parseInt(cjk[1], 16);
    return table.cjk.some(([a, b]) => cp >= a && cp <= b) ? cp : undefined;
  }
  // other names compare case-insensitively (ASCII), exactly as written otherwise
  const upper = name.replace(/[a-z]+/g, (s) => s.toUpperCase());
  const hit = table.names.get(upper);
  if (hit !== undefined) return hit;
  const m = /^(.+)-([0-9A-F]{4,6})$/.exec(upper);
  if (m) {
    const cp = Number.parseInt(m[2], 16);
    const hex = cp.toString(16).toUpperCase().padStart(4, "0");
    if (hex === m[2] && table.runs.some((r) => r.prefix === m[1] && cp >= r.first && cp <= r.last)) return cp;
  }
  return undefined;
}
