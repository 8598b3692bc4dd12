"""Test vectors for kinema's reading of Video-ChatGPT judge replies, as upstream reads them: ast.literal_eval
of the reply, then int(d['score']) and d['pred'] (evaluate_activitynet_qa.py and the generative scripts).

Usage: /usr/bin/python3 scripts/vectors/vcgpt-replies.py OUT.json
"""
import ast, json, random, sys, unicodedata

def read(reply):
    try:
        d = ast.literal_eval(reply)
    except Exception as e:
        return {"literal": False}
    out = {"literal": True, "dict": isinstance(d, dict)}
    if isinstance(d, dict):
        try:
            out["score"] = int(d["score"])
        except Exception:
            out["score"] = None
        p = d.get("pred")
        out["pred"] = p if isinstance(p, str) else None
    return out

def main():
    rnd = random.Random(5)
    replies = [
        "{'pred': 'yes', 'score': 4}",
        "{'pred': 'yes', 'score': '\u0664'}",  # Arabic-Indic four
        "{'pred': 'no', 'score': '\uff13'}",  # full-width three
        "{'pred': 'no', 'score': ' \u0663\u0665 '}",
        "{'pred': 'no', 'score': '\u00a05\u3000'}",
        "{'pred': 'no', 'score': '4_0'}",
        "{'pred': 'no', 'score': '_4'}",
        "{'pred': 'no', 'score': '4.0'}",
        "{'pred': 'no', 'score': 4.9}",
        "{'pred': 'no', 'score': '\u0664.5'}",
        "{'pred': 'no', 'score': '+\u0667'}",
        "{'pred': 'no', 'score': '\ufeff4'}",
        "{'pred': 'no', 'score': '\U0001D7D2'}",  # mathematical bold digit four
        "{'pred': 'yes', 'score': True}",
        "{'pred': '\\N{LATIN SMALL LETTER Y}\\N{latin small letter e}\\N{Latin Small Letter S}', 'score': 3}",
        "{'pred': 'n\\N{LATIN SMALL LETTER O}', 'score': 2}",
        "{'pred': 'yes\\N{NO SUCH CHARACTER NAME}', 'score': 3}",
        "{'pred': 'yes\\N{EM DASH}', 'score': '\\N{DIGIT FOUR}'}",
        "{'pred': 'yes\\N{LF}\\N{BYTE ORDER MARK}', 'score': 1}",
        "{'pred': '\\N{CJK UNIFIED IDEOGRAPH-4E00}', 'score': 1}",
        "{'pred': '\\N{cjk unified ideograph-4e00}', 'score': 1}",
        "{'pred': '\\N{CJK UNIFIED IDEOGRAPH-04E00}', 'score': 1}",
        "{'pred': '\\N{HANGUL SYLLABLE GAG}', 'score': 1}",
        "{'pred': '\\N{hangul syllable ga}', 'score': 1}",
        "{'pred': '\\N{cjk compatibility ideograph-f900}', 'score': 1}",
        "{'pred': '\\N{TANGUT IDEOGRAPH-17000}', 'score': 1}",
        "{'pred': '\\N{}', 'score': 1}",
        "{'pred': '\\N{LATIN SMALL LETTER A', 'score': 1}",
        "{'pred': r'\\N{NOT A NAME}', 'score': 5}",
        "{'pred': b'\\N{NOT A NAME}', 'score': 5}",
        "{'pred': 'no', 'score': '\\N{ARABIC-INDIC DIGIT FIVE}'}",
    ]
    names = [unicodedata.name(chr(cp), None) for cp in range(0x110000)]
    names = [n for n in names if n]
    for n in rnd.sample(names, 400):
        form = rnd.choice([n, n.lower(), n.title()])
        replies.append("{'pred': '\\N{%s}yes', 'score': 1}" % form)
    vectors = [{"reply": r, **read(r)} for r in replies]
    for v in vectors:
        if v.get("pred") is not None:
            v["pred_codepoints"] = [ord(c) for c in v["pred"]]
    with open(sys.argv[1], "w") as fh:
        json.dump({"python": sys.version.split()[0], "unicode": unicodedata.unidata_version, "cases": vectors},
                  fh, ensure_ascii=True, indent=1)

main()
