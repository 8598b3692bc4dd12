// A small parser for Python literals (what upstream's ast.literal_eval accepts in judge replies): dicts,
// lists, tuples, sets, strings (single/double/triple quotes, r/u/b prefixes, escapes, implicit
// concatenation, \N{NAME}), ints, floats, True/False/None and unary +/-. Never evaluates code.
import { PY_DIGIT_CLASS, PY_SPACE_CLASS, pyDigitsToAscii } from "../util/pytext.ts";
import { lookupPyName } from "./unicode-names.ts";

export type PyValue =
  | null
  | boolean
  | number
  | string
  | { py: "int"; value: bigint }
  | { py: "complex"; text: string }
  | PyValue[]
  | { py: "tuple"; items: PyValue[] }
  | { py: "set"; items: PyValue[] }
  | PyDict;

/** A dict keeps Python's key order; keys are the parsed literals (strings in practice). */
export interface PyDict {
  py: "dict";
  entries: [PyValue, PyValue][];
}

export class PyLiteralError extends Error {
  readonly pos: number;
  constructor(message: string, pos: number) {
    super(`${message} at offset ${pos}`);
    this.name = "PyLiteralError";
    this.pos = pos;
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

class Parser {
  private i = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  fail(msg: string): never {
    throw new PyLiteralError(msg, this.i);
  }

  ws(): void {
    // inside brackets Python ignores newlines too; a backslash-newline is a line continuation
    for (;;) {
      const c = this.s[this.i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.i++;
      else if (c === "\\" && this.s[this.i + 1] === "\n") this.i += 2;
      else if (c === "#") while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++;
      else return;
    }
  }

  parseTop(): PyValue {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail("unexpected text after the literal");
    return v;
  }

  value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) this.fail("unexpected end");
    if (c === "{") return this.dictOrSet();
    if (c === "[") return this.seq("]");
    if (c === "(") {
      this.i++;
      this.ws();
      if (this.s[this.i] === ")") {
        this.i++;
        return { py: "tuple", items: [] };
      }
      const first = this.value();
      this.ws();
      if (this.s[this.i] === ")") {
        this.i++;
        return first; // parenthesised expression, not a tuple
      }
      if (this.s[this.i] !== ",") this.fail("expected ',' or ')'");
      const items = [first];
      this.i++;
      for (;;) {
        this.ws();
        if (this.s[this.i] === ")") break;
        items.push(this.value());
        this.ws();
        if (this.s[this.i] === ",") this.i++;
        else if (this.s[this.i] !== ")") this.fail("expected ',' or ')'");
      }
      this.i++;
      return { py: "tuple", items };
    }
    if (c === "+" || c === "-") {
      this.i++;
      const v = this.value();
      if (typeof v === "number") return c === "-" ? -v : v;
      if (v && typeof v === "object" && "py" in v && v.py === "int")
        return { py: "int", value: c === "-" ? -v.value : v.value };
      if (v && typeof v === "object" && "py" in v && v.py === "complex")
        return { py: "complex", text: c + v.text };
      this.fail("unary sign on a non-number"); // literal_eval rejects -True too
    }
    if (/[0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0];
    if (word) {
      const q = this.s[this.i + word.length];
      if (/^[rRuUbB]{1,2}$/.test(word) && (q === "'" || q === '"')) return this.strings();
      this.i += word.length;
      if (word === "True") return true;
      if (word === "False") return false;
      if (word === "None") return null;
      this.i -= word.length;
      this.fail(`name "${word}" is not a literal`);
    }
    if (c === "'" || c === '"') return this.strings();
    this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  dictOrSet(): PyValue {
    this.i++; // {
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return { py: "dict", entries: [] };
    }
    const first = this.value();
    this.ws();
    if (this.s[this.i] === ":") {
      const entries: [PyValue, PyValue][] = [];
      let key = first;
      for (;;) {
        this.i++; // :
        const v = this.value();
        const k = entries.findIndex(([ek]) => pyEquals(ek, key));
        if (k >= 0)
          entries[k][1] = v; // a repeated key keeps its first position, last value (as Python)
        else entries.push([key, v]);
        this.ws();
        if (this.s[this.i] === ",") {
          this.i++;
          this.ws();
          if (this.s[this.i] === "}") break;
          key = this.value();
          this.ws();
          if (this.s[this.i] !== ":") this.fail("expected ':'");
          continue;
        }
        if (this.s[this.i] !== "}") this.fail("expected ',' or '}'");
        break;
      }
      this.i++;
      return { py: "dict", entries };
    }
    const items = [first];
    for (;;) {
      if (this.s[this.i] === ",") {
        this.i++;
        this.ws();
        if (this.s[this.i] === "}") break;
        items.push(this.value());
        this.ws();
        continue;
      }
      if (this.s[this.i] !== "}") this.fail("expected ',' or '}'");
      break;
    }
    this.i++;
    return { py: "set", items };
  }

  seq(close: string): PyValue[] {
    this.i++;
    const items: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.s[this.i] === close) break;
      items.push(this.value());
      this.ws();
      if (this.s[this.i] === ",") this.i++;
      else if (this.s[this.i] !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.i++;
    return items;
  }

  number(): PyValue {
    const rest = this.s.slice(this.i);
    const m =
      /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)/.exec(rest) ??
      /^(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?[jJ]?/.exec(
        rest,
      );
    if (!m || m[0] === ".") this.fail("bad number");
    const t = m[0].replaceAll("_", "");
    this.i += m[0].length;
    if (/[jJ]$/.test(t)) return { py: "complex", text: t };
    if (/^0[xXoObB]/.test(t)) return { py: "int", value: BigInt(t.toLowerCase()) };
    if (/[.eE]/.test(t)) return Number(t);
    if (/^0+[1-9]/.test(t)) this.fail("leading zeros in an int");
    return { py: "int", value: BigInt(t) };
  }

  strings(): string {
    // adjacent string literals concatenate ('a' 'b' == 'ab')
    let out = this.string();
    for (;;) {
      const save = this.i;
      this.ws();
      const c = this.s[this.i];
      const pre = /^[rRuUbB]{0,2}['"]/.exec(this.s.slice(this.i));
      if (pre && (c === "'" || c === '"' || /[rRuUbB]/.test(c))) out += this.string();
      else {
        this.i = save;
        return out;
      }
    }
  }

  string(): string {
    const pm = /^[rRuUbB]{0,2}/.exec(this.s.slice(this.i))![0];
    const raw = /[rR]/.test(pm);
    const bytes = /[bB]/.test(pm);
    this.i += pm.length;
    const q = this.s[this.i];
    if (q !== "'" && q !== '"') this.fail("expected a quote");
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const delim = triple ? q.repeat(3) : q;
    this.i += delim.length;
    let out = "";
    for (;;) {
      if (this.i >= this.s.length) this.fail("unterminated string");
      if (this.s.startsWith(delim, this.i)) {
        this.i += delim.length;
        return out;
      }
      const c = this.s[this.i];
      if (!triple && c === "\n") this.fail("newline in a string");
      if (c === "\\") {
        const n = this.s[this.i + 1];
        if (n === undefined) this.fail("unterminated string");
        if (raw) {
          out += c + n;
          this.i += 2;
          continue;
        }
        if (n in SIMPLE_ESCAPES) {
          out += SIMPLE_ESCAPES[n];
          this.i += 2;
          continue;
        }
        if (n === "N" && !bytes) {
          // \N{NAME}: the character of that Unicode name; an unknown name is a SyntaxError in Python
          const close = this.s.indexOf("}", this.i + 2);
          if (this.s[this.i + 2] !== "{" || close < 0) this.fail("malformed \\N character escape");
          const cp = lookupPyName(this.s.slice(this.i + 3, close));
          if (cp === undefined) this.fail("unknown Unicode character name");
          out += String.fromCodePoint(cp);
          this.i = close + 1;
          continue;
        }
        const hex = { x: 2, u: 4, U: 8 }[n as "x" | "u" | "U"];
        if (hex) {
          const h = this.s.slice(this.i + 2, this.i + 2 + hex);
          if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(h)) this.fail("bad escape");
          out += String.fromCodePoint(Number.parseInt(h, 16));
          this.i += 2 + hex;
          continue;
        }
        const oct = /^[0-7]{1,3}/.exec(this.s.slice(this.i + 1));
        if (oct) {
          out += String.fromCodePoint(Number.parseInt(oct[0], 8));
          this.i += 1 + oct[0].length;
          continue;
        }
        out += c + n; // unknown escapes stay as written in Python
        this.i += 2;
        continue;
      }
      out += c;
      this.i++;
    }
  }
}

function pyEquals(a: PyValue, b: PyValue): boolean {
  return JSON.stringify(a, big) === JSON.stringify(b, big);
}
const big = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/**
 * `ast.literal_eval(text)`: Python strips leading spaces and tabs first; anything that is not one literal
 * (prose around it, code fences, a second literal) is an error.
 */
export function parsePyLiteral(text: string): PyValue {
  return new Parser(text.replace(/^[ \t]+/, "")).parseTop();
}

export function isPyDict(v: PyValue): v is PyDict {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as PyDict).py === "dict";
}

/** `d[key]` for a string key; undefined when absent. */
export function pyGet(d: PyDict, key: string): PyValue | undefined {
  const e = d.entries.find(([k]) => k === key);
  return e ? e[1] : undefined;
}

const PY_INT_STR = new RegExp(
  `^[${PY_SPACE_CLASS}]*([+-]?)([${PY_DIGIT_CLASS}](?:_?[${PY_DIGIT_CLASS}])*)[${PY_SPACE_CLASS}]*$`,
  "u",
);

/** Python's int(v) for the values a judge returns: truncates floats, parses int strings; else undefined. */
export function pyInt(v: PyValue | undefined): number | undefined {
  if (typeof v === "boolean") return Number(v);
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) + 0 : undefined;
  if (typeof v === "string") {
    // int("4"), int(" 4 "), int("٤") and int("４") work (any Unicode decimal digits, Unicode spaces around,
    // single underscores between digits); int("4.8") raises ValueError
    const m = PY_INT_STR.exec(v);
    return m ? Number(`${m[1]}${pyDigitsToAscii(m[2]).replaceAll("_", "")}`) + 0 : undefined;
  }
  if (v && typeof v === "object" && "py" in v && v.py === "int") return Number(v.value);
  return undefined;
}

/** Python's str.lower() on a value that must be a str (upstream calls pred.lower()). */
export function pyLowerStr(v: PyValue | undefined): string | undefined {
  return typeof v === "string" ? v.toLowerCase() : undefined;
}

/** A JSON view of a parsed literal (ints as numbers; tuples/sets as lists; dicts as objects). */
export function pyToJson(v: PyValue): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(pyToJson);
  if (v.py === "int") return Number(v.value);
  if (v.py === "complex") return v.text;
  if (v.py === "tuple" || v.py === "set") return v.items.map(pyToJson);
  return Object.fromEntries(
    v.entries.map(([k, x]) => [typeof k === "string" ? k : JSON.stringify(pyToJson(k)), pyToJson(x)]),
  );
}
