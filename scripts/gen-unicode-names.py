"""Writes src/judge/unicode-names.txt.gz: the names Python 3.11's string literals accept in \\N{...}.

Usage: /usr/bin/python3 scripts/gen-unicode-names.py [NameAliases.txt]
Every name (and alias) is checked by compiling a literal with it, so the table is what CPython accepts,
not what the Unicode files say. Lines: "hex;NAME" (matched case-insensitively, as CPython does) and
"=PREFIX;first;last" for runs named PREFIX-<hex>. CJK UNIFIED IDEOGRAPH-<hex> and HANGUL SYLLABLE <name>
are algorithmic (upper case only) and computed in src/judge/unicode-names.ts; "!cjk;first;last" lists the
unified ideograph runs.
"""
import ast, gzip, sys, unicodedata

def accepted(name):
    try:
        return ast.literal_eval("'\\N{%s}'" % name)
    except Exception:
        return None

def main():
    lines, cjk = [], []
    run = None  # (prefix, first, last)
    def flush():
        nonlocal run
        if run:
            lines.append("=%s;%x;%x" % run)
            run = None
    for cp in range(0x110000):
        name = unicodedata.name(chr(cp), None)
        if not name:
            continue
        if name.startswith("CJK UNIFIED IDEOGRAPH-"):
            if cjk and cjk[-1][1] == cp - 1: cjk[-1][1] = cp
            else: cjk.append([cp, cp])
            continue
        if name.startswith("HANGUL SYLLABLE "):
            continue
        if accepted(name) != chr(cp):
            continue
        head, sep, tail = name.rpartition("-")
        if sep and tail == "%04X" % cp and head.isupper():
            if run and run[0] == head and run[2] == cp - 1:
                run = (head, run[1], cp)
            else:
                flush(); run = (head, cp, cp)
            continue
        flush()
        lines.append("%x;%s" % (cp, name))
    flush()
    if len(sys.argv) > 1:
        for line in open(sys.argv[1], encoding="utf8"):
            if not line.strip() or line.startswith("#"):
                continue
            cp, alias = line.split(";")[:2]
            if accepted(alias) == chr(int(cp, 16)):
                lines.append("%s;%s" % (cp.lower().lstrip("0") or "0", alias))
    lines += ["!cjk;%x;%x" % (a, b) for a, b in cjk]
    with gzip.GzipFile("src/judge/unicode-names.txt.gz", "wb", mtime=0) as f:
        f.write(("# Python %s, Unicode %s\n" % (sys.version.split()[0], unicodedata.unidata_version) + "\n".join(lines) + "\n").encode())

main()
