# Runs LVBench's lvbench/utils/answer_util.py polish_answer and lvbench/metrics/compute_accuracy.py
# (THUDM/LVBench@f998d95) on generated vectors. `jsonlines` is shimmed with a minimal reader.
import json, random, sys, types
class _Reader:
    def __init__(self, path): self.f = open(path)
    def __enter__(self): return (json.loads(l) for l in self.f if l.strip())
    def __exit__(self, *a): self.f.close()
sys.modules['jsonlines'] = types.SimpleNamespace(open=lambda p: _Reader(p))
sys.path.insert(0, '.')
from lvbench.utils.answer_util import polish_answer
from lvbench.metrics.compute_accuracy import compute_accuracy
random.seed(19)
raws = ["A", "(B)", "b", "The answer is C", "", " (D) because", "C.", "(A", "x (B) y", "()", "D) no", "\u3000B", "😀", "answer: (c)"]
polish = [{"raw": r, "polished": polish_answer(r)} for r in raws]
types_ = ["key information retrieval", "event understanding", "summarization", "entity recognition", "reasoning", "temporal grounding"]
meta = []
uid = 0
for v in range(6):
    qa = []
    for q in range(4):
        qa.append({"uid": uid, "question": f"Q{uid}?\n(A) a\n(B) b\n(C) c\n(D) d", "answer": random.choice("ABCD"),
                   "question_type": random.sample(types_, random.choice([1, 2, 3])), "time_reference": "00:01-00:05"})
        uid += 1
    meta.append({"key": f"vid{v}", "type": "cartoon", "video_info": {"duration_minutes": 60}, "qa": qa})
with open("meta.jsonl", "w") as f:
    for m in meta: f.write(json.dumps(m) + "\n")
answers = {}
for m in meta:
    for qa in m["qa"]:
        if random.random() < 0.8:
            answers[str(qa["uid"])] = polish_answer(random.choice(raws))
json.dump(answers, open("answers.json", "w"))
res = compute_accuracy("answers.json", "meta.jsonl")
json.dump({"polish": polish, "meta": meta, "answers": answers, "result": list(res.items())}, open("lvbench_vectors.json", "w"), indent=1, ensure_ascii=False)
print(res)
