"""Test vectors for reading MotionBench files as upstream does, made by running upstream's code.

Usage: PYTHONPATH=JSONLINES_SRC:MOTIONBENCH_SRC /usr/bin/python3 scripts/vectors/motionbench-files.py OUT.json
JSONLINES_SRC holds wbolster/jsonlines' package, MOTIONBENCH_SRC zai-org/MotionBench's `motionbench` package
(utils/answer_util.py: construct_answer; metrics/compute_accuracy.py). Each case is a meta file and a
prediction file (bytes); the vector holds what jsonlines yields line by line and what the scorer returns
(or the exception it raises).
"""
import base64, json, os, sys, tempfile

import jsonlines
from motionbench.metrics.compute_accuracy import compute_accuracy
from motionbench.utils.answer_util import construct_answer

Q = "What happens?\\nA. one\\nB. two\\nC. three"


def meta(uid, answer="A", qtype="Motion Recognition"):
    return '{"question_type": "%s", "video_type": null, "key": "k", "qa": [{"uid": %s, "start": null, "end": null, "answer": "%s", "question": "%s"}], "video_path": "v.mp4"}' % (qtype, uid, answer, Q)


UIDS = ["7.0", "7", "null", "true", "1e16", "1e-5", "-0", "-0.0", "12345678901234567890", "0.1", "100.0", "1E5",
        "2.5e-7", "NaN", "Infinity", "-Infinity", '[1, "a", 2.0]', '{"a": 1}', "1.0000000000000002", "1.2345678901234568e+20",
        "0.0001", "0.00001", "9999999999999998.0", "\"s\""]
KEYS = ["7.0", "7", "None", "True", "1e+16", "1e-05", "0", "-0.0", "12345678901234567890", "0.1", "100.0", "100000.0",
        "2.5e-07", "nan", "inf", "-inf", "[1, 'a', 2.0]", "{'a': 1}", "1.0000000000000002", "1.2345678901234568e+20",
        "0.0001", "1e-05", "9999999999999998.0", "s"]


def cases():
    plain = [meta('"u1"'), meta('"u2"', "B", "Camera Motion"), meta('"u3"', "NA")]
    pred = ['{"u1": "A"}', '{"u2": "(B) two"}', '{"u3": "C"}']
    yield "lf", "\n".join(plain) + "\n", "\n".join(pred) + "\n"
    yield "meta BOM", "\ufeff" + "\n".join(plain) + "\n", "\n".join(pred) + "\n"
    yield "pred BOM", "\n".join(plain) + "\n", "\ufeff" + "\n".join(pred) + "\n"
    yield "CR only", "\r".join(plain) + "\r", "\r".join(pred)
    yield "CRLF and mixed", "\r\n".join(plain[:2]) + "\n" + plain[2], "\r\n".join(pred) + "\r\n"
    yield "line BOM and RS", "\n".join([plain[0], "\ufeff" + plain[1], "\x1e" + plain[2]]), "\n".join(pred)
    yield "double BOM", "\ufeff\ufeff" + "\n".join(plain), "\ufeff\ufeff" + "\n".join(pred)
    yield "blank line", "\n".join([plain[0], "", plain[1]]), "\n".join(pred)
    yield "trailing blank", "\n".join(plain) + "\n\n", "\n".join(pred)
    yield "non-string uids", "\n".join(meta(u, "A" if i % 2 else "B") for i, u in enumerate(UIDS)), "\n".join(
        '{"%s": "A"}' % k.replace('"', '\\"') for k in KEYS)
    yield "duplicates, CR, BOM", "\ufeff" + "\r".join(plain), "\ufeff" + "\r".join(['{"u1": "none"}', '{"u1": "A"}', '{"u2": "D"}', '{"u2": "B"}'])
    yield "null answer", "\n".join(plain), '{"u1": null, "u2": "B"}'


def lines_of(path):
    out = []
    with jsonlines.open(path) as reader:
        while True:
            try:
                v = reader.read()
                uids = [str(qa["uid"]) for qa in v.get("qa", [])] if isinstance(v, dict) else None
                out.append({"ok": True, "keys": list(v.keys()) if isinstance(v, dict) else None, "uids": uids})
            except jsonlines.InvalidLineError as e:
                out.append({"ok": False, "line": e.lineno})
            except EOFError:
                break
    return out


def main():
    vectors = []
    for name, meta_text, pred_text in cases():
        with tempfile.TemporaryDirectory() as d:
            m, p, f = (os.path.join(d, x) for x in ("meta.jsonl", "pred.jsonl", "final.json"))
            with open(m, "wb") as fh:
                fh.write(meta_text.encode())
            with open(p, "wb") as fh:
                fh.write(pred_text.encode())
            try:
                construct_answer(p, f)
                result = {"result": dict(compute_accuracy(f, m))}
            except Exception as e:
                result = {"error": type(e).__name__}
            vectors.append({"name": name, "meta": base64.b64encode(meta_text.encode()).decode(),
                            "pred": base64.b64encode(pred_text.encode()).decode(),
                            "meta_lines": lines_of(m), **result})
    with open(sys.argv[1], "w") as fh:
        json.dump({"source": "wbolster/jsonlines + zai-org/MotionBench (construct_answer, compute_accuracy)",
                   "commits": sys.argv[2:], "python": sys.version.split()[0], "cases": vectors}, fh, indent=1)


main()
