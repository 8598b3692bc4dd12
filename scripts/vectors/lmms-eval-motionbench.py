"""Test vectors for kinema's `lmms-eval` MotionBench prompt, made by running lmms-eval's own functions.

Usage: /usr/bin/python3 scripts/vectors/lmms-eval-motionbench.py UTILS_PY OUT.json
UTILS_PY is lmms_eval/tasks/motionbench/utils.py from EvolvingLMMs-Lab/lmms-eval (its `datasets` and `loguru`
imports are stubbed: only the pure text functions run). For each raw meta `question` string the vector holds
what lmms-eval builds: _split_question_and_options on the stripped text, then motionbench_doc_to_text with the
task's default post_prompt; `kept` says whether lmms-eval would ask it at all.
"""
import importlib.util, json, random, sys, types

sys.modules["datasets"] = types.SimpleNamespace(Dataset=object)
sys.modules["loguru"] = types.SimpleNamespace(logger=None)
spec = importlib.util.spec_from_file_location("mb_utils", sys.argv[1])
mb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mb)
KWARGS = {"default": {"pre_prompt": "", "post_prompt": "Answer with only the option letter (A, B, C, D, E, or F)."}}


def build(raw):
    question, options = mb._split_question_and_options(str(raw).strip())
    doc = {"question": question, "options": options}
    return {"raw": raw, "text": mb.motionbench_doc_to_text(doc, KWARGS), "options": options}


def cases():
    fixed = [
        "What does the man do?\nA. Jump\nB. Sit\nC. Run",
        "  Where is the ball?  \n  A.  left  \n B) right\nC: up\nD. down  ",
        "\nA. Jump\nB. Sit",  # empty question line
        "A. Jump\nB. Sit\nC. Run",  # text starting with an option
        "Q?\nA. Jump\nB. \nC. Run\nD. ",  # empty options
        "Q?\nA. one\nB. two\nG. seven\nH) eight",  # labels outside A-F
        "Q?\nA.x\nB.y\nC. z",  # "A.x" without a space
        "Q?\nA.x",
        "Q?",
        "",
        "   ",
        "Q?\na. lower\nb. case",
        "Q\u00a0with\u3000spaces?\nA.\u00a0left\u2003side\nB. right",
        "Q?\n\nA. one\n\n\nB. two\n",
        "Q?\nA. multi\nline option\nB. two",
        "Q? A. inline B. options",
        "Q?\nA) one\nB) two\nC) three\nD) four\nE) five\nF) six",
        "Q?\nA: one\nB: two",
        "Q?\nB. starts at B\nC. then C",
        "Q?\nA. one\nA. again",
        "Q?\n A . spaced\nB. two",
        "Q?\r\nA. crlf\r\nB. two",
        "Q?\nA.\tTab\nB.\x1cgroup sep",
        "Q?\nA. one\nB.two\nC. three",
        "Q?\nF. six\nE. five",
        "Q?\nA. ",
    ]
    yield from fixed
    rnd = random.Random(3)
    atoms = ["A", "B", "C", "D", "E", "F", "G", "a", ".", ")", ":", " ", "  ", "\n", "\n ", "x", "Jump", "\u00a0", "\t", "?"]
    for _ in range(300):
        yield "".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 24)))


def main():
    with open(sys.argv[2], "w") as fh:
        json.dump({"source": "EvolvingLMMs-Lab/lmms-eval lmms_eval/tasks/motionbench/utils.py", "commit": sys.argv[3] if len(sys.argv) > 3 else "",
                   "python": sys.version.split()[0], "cases": [build(r) for r in cases()]}, fh, ensure_ascii=True, indent=1)


main()
