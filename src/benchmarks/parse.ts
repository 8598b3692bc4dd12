// Shared answer parsing: Python str semantics for ports of upstream scorers, option blocks, and
// multiple-choice letter extraction (lmms-eval's and kinema's lenient one). Exists once; benchmarks import it.
import { createHash } from "node:crypto";
import type { PromptSpec } from "./types.ts";

/** Code points for which Python's `str.isspace()` is true (checked against CPython 3.11). Unlike JS
 *  `trim()`, it includes U+001C–U+001F and U+0085 and excludes U+FEFF (byte-order mark). */
export function isPySpace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    (cp >= 0x1c && cp <= 0x20) ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Python `s.strip()` with no argument. All Python whitespace is in the BMP, so UTF-16 indexing is safe. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/** Python `s[0]` (one code point, not one UTF-16 unit); "" for "". */
export function firstCodePoint(s: string): string {
  const cp = s.codePointAt(0);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}

/** Python `re.sub(r"\s+", " ", s.strip())` — whitespace collapsed the Python way. */
export function pyNormalizeSpace(s: string): string {
  let out = "";
  let inSpace = false;
  for (const ch of pyStrip(s)) {
    if (isPySpace(ch.codePointAt(0)!)) inSpace = true;
    else {
      if (inSpace) out += " ";
      inSpace = false;
      out += ch;
    }
  }
  return out;
}

/** Option letter of index i: 0 → "A". */
export function letterOf(i: number): string {
  return String.fromCharCode(65 + i);
}

export interface OptionLine {
  label: string;
  text: string;
  /** 0-based line inside the question string where the option starts. */
  line: number;
}

export interface OptionBlock {
  /** Question text before the first option line, as written (not normalised). */
  question: string;
  options: OptionLine[];
}

const OPTION_LINE = /^[ \t]*([A-Z])[.)][ \t]?(.*)$/;

/**
 * Splits "question\nA. first\nB. second" into the question and its labelled options. Options start at
 * the first line (after line 0) that reads "A." or "A)"; later lines starting with a capital letter and
 * "."/")" open the next option; any other line continues the previous option.
 */
export function splitOptions(text: string): OptionBlock {
  const lines = text.split("\n");
  let start = -1;
  for (let i = 1; i < lines.length; i++) {
    const m = OPTION_LINE.exec(lines[i]);
    if (m && m[1] === "A") {
      start = i;
      break;
    }
  }
  if (start < 0) return { question: text, options: [] };
  const options: OptionLine[] = [];
  for (let i = start; i < lines.length; i++) {
    const m = OPTION_LINE.exec(lines[i]);
    if (m) options.push({ label: m[1], text: m[2].trim(), line: i });
    else options[options.length - 1].text = `${options[options.length - 1].text}\n${lines[i]}`.trim();
  }
  return { question: lines.slice(0, start).join("\n"), options };
}

// Python's \w for str is [\p{L}\p{N}_]; JS \b is ASCII-only, so word boundaries are spelled out.
const NOT_WORD_BEFORE = "(?<![\\p{L}\\p{N}_])";
const NOT_WORD_AFTER = "(?![\\p{L}\\p{N}_])";

/**
 * lmms-eval's MotionBench letter extraction: text after the last </think>, upper-cased, answer
 * phrases removed, then the first standalone A–F, else the first A–F followed by . ) :, else any A–F.
 */
export function extractLmmsEval(raw: string): string {
  let s = raw;
  if (s.includes("</think>")) s = s.slice(s.lastIndexOf("</think>") + "</think>".length);
  s = pyStrip(s).toUpperCase();
  if (!s) return "";
  for (const p of ["THE BEST ANSWER IS", "THE CORRECT ANSWER IS", "THE ANSWER IS", "BEST ANSWER:", "ANSWER:"])
    s = s.split(p).join("");
  const m1 = new RegExp(`${NOT_WORD_BEFORE}([A-F])${NOT_WORD_AFTER}`, "u").exec(s);
  if (m1) return m1[1];
  const m2 = /([A-F])[.):]/.exec(s);
  if (m2) return m2[1];
  const m3 = /[A-F]/.exec(s);
  return m3 ? m3[0] : "";
}

/** Removes reasoning blocks: everything up to the last </think>, and any unclosed <think>… tail. */
export function stripThink(raw: string): string {
  let s = raw;
  const close = s.lastIndexOf("</think>");
  if (close >= 0) s = s.slice(close + "</think>".length);
  const open = s.indexOf("<think>");
  if (open >= 0) s = s.slice(0, open);
  return s;
}

function normText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * kinema's lenient multiple-choice parser. Returns the letter (upper case, one of the options' letters)
 * or "" when none can be found. Order: a bare letter ("b", "(B)", "B."), an explicit "answer is X" /
 * "option X" (last one wins: models restate at the end), the first "(X)", a leading "X." / "X)",
 * the option text itself, and finally a single standalone capital letter that is an option.
 */
export function extractLenient(raw: string, options: string[]): string {
  const n = options.length > 0 ? options.length : 6;
  const valid = (l: string | undefined) =>
    l !== undefined && l.length === 1 && l >= "A" && l < letterOf(n) ? l : undefined;
  let s = stripThink(raw)
    .replace(/\*\*|__|`/g, "")
    .trim();
  s = s.replace(/^(?:final\s+)?answer\s*[:：]\s*/i, "");

  const bare = /^[([]?\s*([A-Za-z])\s*[)\]]?\s*[.:)]?$/.exec(s);
  if (bare && valid(bare[1].toUpperCase())) return bare[1].toUpperCase();

  const explicit = [
    ...s.matchAll(
      /(?:answer|option|choice)\s*(?:is|would be|should be|:)?\s*[:-]?\s*(?:option\s*)?[([]?([A-Z])(?![\p{L}\p{N}_])/giu,
    ),
  ];
  for (let i = explicit.length - 1; i >= 0; i--) {
    const l = explicit[i][1];
    // Lower-case only counts when clearly marked ("answer: b"), not as the article "a".
    const up = l.toUpperCase();
    if (valid(up) && (l === up || /[:([]\s*$/.test(explicit[i][0].slice(0, -1)))) return up;
  }

  const paren = /\(([A-Z])\)/.exec(s);
  if (paren && valid(paren[1])) return paren[1];
  const lead = /^([A-Z])(?:[.):]|\s*$)/.exec(s);
  if (lead && valid(lead[1])) return lead[1];

  if (options.length > 0) {
    const said = normText(s);
    const texts = options.map(normText);
    const exact = texts.findIndex((t) => t !== "" && t === said);
    if (exact >= 0) return letterOf(exact);
    const inside = texts
      .map((t, i) => ({ t, i }))
      .filter(({ t }) => t !== "" && ` ${said} `.includes(` ${t} `));
    // The longest contained option wins only if no other contained option is as long (e.g. "Jump" vs "Jump twice").
    inside.sort((a, b) => b.t.length - a.t.length);
    if (inside.length === 1 || (inside.length > 1 && inside[0].t.length > inside[1].t.length))
      return letterOf(inside[0].i);
  }

  const singles = new Set(
    [...s.matchAll(new RegExp(`${NOT_WORD_BEFORE}([A-Z])${NOT_WORD_AFTER}`, "gu"))]
      // "I" and an article "A" ("A man jumps") are words, not answers.
      .filter((m) => !(m[1] === "A" && /^\s+[a-z]/.test(s.slice(m.index + 1))))
      .map((m) => m[1])
      .filter((l) => valid(l) && l !== "I"),
  );
  if (singles.size === 1) return [...singles][0];
  return "";
}

/** Stable identity of a prompt (preset, system and text): sha256 hex, first 16 characters. */
export function hashPrompt(spec: PromptSpec): string {
  const canonical = JSON.stringify([spec.preset, spec.system ?? null, spec.text]);
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
