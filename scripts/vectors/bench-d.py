"""Test vectors for kinema's VideoRefer-Bench-D aggregation, made by running upstream's own scripts.

Usage: python3 scripts/vectors/bench-d.py UPSTREAM_DIR OUT.json
UPSTREAM_DIR holds 2.extract_re.py and 3.analyze_score.py from DAMO-NLP-SG/VideoRefer
(videorefer/eval/videorefer_bench_d/). Each case is a list of judge replies; the scripts run on it as
they do upstream (extract rewrites the file, analyze prints each dimension's mean and count, then Avg).
"""
import json, os, random, subprocess, sys, tempfile

DIMS = ["Subject Correspondence", "Appearance Description", "Temporal Description", "Hallucination Detection"]


def reply(scores, sep=" ", num=str, extra=""):
    return "\n".join(f"{i + 1}.{sep}{d}:{sep}{num(s)}\nExplanation: x" for i, (d, s) in enumerate(zip(DIMS, scores))) + extra


def cases():
    rnd = random.Random(11)
    fixed = [
        # plain replies
        [reply([5, 4, 3, 2]), reply([1, 2, 3, 4]), reply([0, 5, 5, 1])],
        # one item's extra line "5. Note: ." makes float('.') raise: upstream drops the whole item
        [reply([5, 4, 3, 2]), reply([1, 1, 1, 1], extra="\n5. Note: ."), reply([2, 3, 4, 5])],
        # a dimension's own value fails ("4.5.1"): the item is dropped, not only that dimension
        [reply([5, 4, 3, 2]), reply([3, "4.5.1", 3, 3]), reply([4, 4, 4, 4])],
        # a missing dimension skips only that dimension (the others keep the item)
        [reply([5, 4, 3, 2]), "1. Subject Correspondence: 3\n2. Appearance Description: 2", reply([1, 1, 1, 1])],
        # Unicode digits (Arabic-Indic, full-width) and Unicode spaces, as Python's \d and \s read them
        [
            reply([5, 4, 3, 2]),
            reply(["\u0664", "\uff13", "\u0663.\u0665", "2"]),
            reply([1, 2, 3, 4], sep="\u00a0"),
            reply([2, 2, 2, 2], sep="\u3000"),
            reply([3, 3, 3, 3], sep="\x1c"),
            reply([4, 4, 4, 4], sep="\ufeff"),
            "\u0661. Subject Correspondence: 5\n\uff12. Appearance Description:\u20034\n3. Temporal Description: 4.\n4. Hallucination Detection: .5",
        ],
        # later mentions override earlier ones; \r inside a name is part of Python's "."
        [reply([5, 4, 3, 2]) + "\n1. Subject Correspondence: 1", "1. Subject\rCorrespondence: 5\n" + reply([2, 2, 2, 2])],
    ]
    for c in fixed:
        yield c
    for _ in range(6):
        items = []
        for _ in range(rnd.randint(3, 8)):
            s = [rnd.choice([0, 1, 2, 3, 4, 5, "4.5", "3.", "."]) for _ in DIMS]
            items.append(reply(s, sep=rnd.choice([" ", "  ", "\t", "\u00a0"]), extra=rnd.choice(["", "", "\n7. Other: ."])))
        items.append(reply([1, 2, 3, 4]))  # every dimension has at least one item (upstream divides by it)
        yield items


def run(upstream, replies):
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "judged.json")
        with open(f, "w") as fh:
            json.dump([{"id": i, "caption": "c", "pred": "p", "gpt": r} for i, r in enumerate(replies)], fh)
        subprocess.run([sys.executable, os.path.join(upstream, "2.extract_re.py"), "--input-file", f], check=True, capture_output=True)
        out = subprocess.run([sys.executable, os.path.join(upstream, "3.analyze_score.py"), "--input-file", f], check=True, capture_output=True, text=True).stdout
    lines = out.strip().split("\n")
    means, counts = {}, {}
    for k, d in enumerate(DIMS):
        name, value = lines[2 * k].split(" :  ")
        assert name == d
        means[d] = float(value)
        counts[d] = int(lines[2 * k + 1])
    assert lines[8] == "all...."
    return {"means": means, "counts": counts, "avg": float(lines[9])}


def main():
    upstream, out = sys.argv[1], sys.argv[2]
    vectors = [{"replies": c, **run(upstream, c)} for c in cases()]
    with open(out, "w") as fh:
        json.dump({"source": "DAMO-NLP-SG/VideoRefer videorefer/eval/videorefer_bench_d/{2.extract_re,3.analyze_score}.py",
                   "commit": os.environ.get("UPSTREAM_COMMIT", ""), "python": sys.version.split()[0], "cases": vectors},
                  fh, ensure_ascii=True, indent=1)


if __name__ == "__main__":
    main()
