// MotionBench's files as upstream reads them: `jsonlines.open(path)` (utf-8-sig, so one byte-order mark at
// the start of the file is dropped; universal newlines, so \r, \n and \r\n all end a line; one leading
// U+001E or U+FEFF skipped per line; then Python's json.loads, which also takes NaN and Infinity), and
// `str(qa["uid"])` for uids, which turns 7.0 into "7.0", null into "None" and true into "True".
import type { LoadIssue } from "../types.ts";

/** Longest JSONL line read (bytes of UTF-16 text); a longer line is a bad item, never parsed. */
export const MAX_LINE_CHARS = 1 << 20;

/** A number as written in the file, so str() can be applied to it as Python would. */
export class PyNumber {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
  /** Python's float() / int() value of the literal. */
  get value(): number {
    if (this.source === "NaN") return Number.NaN;
    if (this.source === "Infinity") return Number.POSITIVE_INFINITY;
    if (this.source === "-Infinity") return Number.NEGATIVE_INFINITY;
    return Number(this.source);
  }
  get isFloat(): boolean {
    return /[.eE]|^-?(?:NaN|Infinity)$/.test(this.source);
  }
}

/** Python's repr() of a float (the shortest round-trip digits, exponent form below 1e-4 and from 1e16). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, exp] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const decpt = Number(exp) + 1; // position of the decimal point relative to the digits
  const sign = x < 0 ? "-" : "";
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const rest = digits.slice(1);
    return `${sign}${digits[0]}${rest ? `.${rest}` : ""}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's repr() of a str (quote choice and escapes as CPython's unicode_repr). */
export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp < 0x7f || ch === " " || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + q;
}

/** Python's str() of a json.loads value (numbers revived as PyNumber keep their literal). */
export function pyStr(v: unknown, nested = false): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return nested ? pyStrRepr(v) : v;
  if (v instanceof PyNumber) return v.isFloat ? pyFloatRepr(v.value) : BigInt(v.source).toString();
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (Array.isArray(v)) return `[${v.map((x) => pyStr(x, true)).join(", ")}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pyStrRepr(k)}: ${pyStr(x, true)}`)
    .join(", ")}}`;
}

/** Every PyNumber turned back into a JS number (for the fields kinema uses as plain JSON). */
export function plainJson(v: unknown): unknown {
  if (v instanceof PyNumber) return v.value;
  if (Array.isArray(v)) return v.map(plainJson);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainJson(x)]));
  return v;
}

const SENTINEL = "\u0000kinema-py-number:";

/** Python's json.loads: JSON plus NaN, Infinity, -Infinity as values; numbers come back as PyNumber. */
export function pyJsonLoads(text: string): unknown {
  let src = text;
  if (/NaN|Infinity/.test(text)) {
    // outside strings, Python's extra constants become sentinel strings that the reviver turns back
    let out = "";
    let inString = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        out += c;
        if (c === "\\") out += text[++i] ?? "";
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') {
        inString = true;
        out += c;
        continue;
      }
      const m = /^(?:-?Infinity|NaN)/.exec(text.slice(i, i + 9));
      if (m) {
        out += JSON.stringify(SENTINEL + m[0]);
        i += m[0].length - 1;
        continue;
      }
      out += c;
    }
    src = out;
  }
  return JSON.parse(src, function revive(this: unknown, key, value, ctx?: { source?: string }) {
    if (key.startsWith(SENTINEL)) throw new SyntaxError("Expecting property name enclosed in double quotes");
    if (typeof value === "number") return new PyNumber(ctx?.source ?? String(value));
    if (typeof value === "string" && value.startsWith(SENTINEL))
      return new PyNumber(value.slice(SENTINEL.length));
    return value;
  });
}

export interface PyJsonLine {
  /** The parsed object, numbers as PyNumber. */
  value: Record<string, unknown>;
  /** 1-based line number (universal newlines). */
  line: number;
}

/**
 * The lines jsonlines would yield, numbered as it numbers them. Where jsonlines raises (invalid JSON, a blank
 * line, a null or non-object line) upstream stops with an error; kinema skips that line and reports it.
 */
export function readJsonLines(text: string, file: string): { lines: PyJsonLine[]; issues: LoadIssue[] } {
  const lines: PyJsonLine[] = [];
  const issues: LoadIssue[] = [];
  const body = text.startsWith("\ufeff") ? text.slice(1) : text; // utf-8-sig
  const parts = body.split(/\r\n|\r|\n/);
  if (parts.at(-1) === "") parts.pop(); // a final line ending does not start another line
  parts.forEach((raw, i) => {
    const line = i + 1;
    const skip = (message: string) => issues.push({ file, line, message, action: "skipped" });
    if (raw.length > MAX_LINE_CHARS)
      return void skip(`line is ${raw.length} characters, over the ${MAX_LINE_CHARS} limit`);
    const src = raw.startsWith("\u001e") || raw.startsWith("\ufeff") ? raw.slice(1) : raw;
    if (/^[ \t\n\r]*$/.test(src))
      return void skip("blank line (upstream's jsonlines stops here with InvalidLineError)");
    let value: unknown;
    try {
      value = pyJsonLoads(src);
    } catch (e) {
      return void skip(`invalid JSON: ${(e as Error).message}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof PyNumber)
      return void skip("line is not a JSON object");
    lines.push({ value: value as Record<string, unknown>, line });
  });
  return { lines, issues };
}
