# Runs the official MVBench notebook code (Ask-Anything video_chat2/mvbench.ipynb) and lmms-eval's
# mvbench utils on generated vectors; writes expected outputs.
import json, re, string, sys, types, random
nb = json.load(open('/tmp/mvbench.ipynb'))
cells = [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code']
def cell_with(name):
    return next(c for c in cells if name in c)
ns = {}
exec(cell_with('def check_ans'), ns)
check_ans = ns['check_ans']
# qa_template / get_index are methods of MVBench_dataset: pull the class source, exec without torch deps.
src = cell_with('class MVBench_dataset')
import numpy as np
cls_ns = {'Dataset': object, 'np': np, 'T': None, 'InterpolationMode': None, 'os': __import__('os'), 'json': json}
exec(src, cls_ns)
D = cls_ns['MVBench_dataset']
obj = D.__new__(D)
# lmms-eval
sys.modules['PIL'] = types.ModuleType('PIL'); sys.modules['yaml'] = types.ModuleType('yaml')
lm_src = open('lmms_mvbench_utils.py').read()
lm_src = lm_src[lm_src.index('def mvbench_doc_to_text'):]
lm = {'re': re, 'string': string}
exec(lm_src, lm)

random.seed(19)
cands_pool = [["yes", "no"], ["left.", "right.", "up.", "down."], ["The man opens the door", "The man closes the door", "Nothing"], ["1", "2", "3", "4", "5"], ["(A) odd", "B", "c d"], ["跳", "走", "跑"]]
raws = ["", " ", "A", "B", "b", "(B)", "B) the answer", "B. right.", "(C", "C)", "AB)", "A)B", "The answer is B", "Best option: (B)", "b)\nC) second line", " \n(B) lead newline", "(A)\tleft", "E", "e) five", ".", "(", ")", "B.", "b.", "((B))", "A or B", "b,", "Option B", "answer: c", "D) down", "d", "c d", "[B]", "B\u00a0right", "\u3000A)", "A.B", "1", "2)", "ab", "Ba"]
vectors = []
tasks = ["Action Sequence", "Episodic Reasoning", "Fine-grained Pose"]
for i, raw in enumerate(raws):
    for cands in random.sample(cands_pool, 2):
        ans = random.choice(cands + (["not-a-candidate"] if i % 11 == 0 else []))
        data = {"question": f"Q{i}?", "candidates": cands, "answer": ans}
        q, gt = obj.qa_template(data)
        pred = '(' + raw.strip().split('\n')[0]
        try:
            off = check_ans(pred=pred, gt=gt)
        except Exception as e:
            off = "error:" + type(e).__name__
        gt_letter = None
        for k, c in enumerate(cands):
            if c == ans:
                gt_letter = string.ascii_uppercase[k]; break
        try:
            lm_score = lm['mcq_acc'](gt_letter, raw)
        except Exception as e:
            lm_score = "error:" + type(e).__name__
        vectors.append({"task": tasks[len(vectors) % 3], "raw": raw, "question": data["question"], "candidates": cands, "answer": ans,
                        "prompt_question": q, "gt": gt, "pred": pred, "official_correct": off,
                        "lmms_gt_letter": gt_letter, "lmms_score": lm_score})
# aggregate as the notebook does (acc_dict in first-seen order; errors skipped from the aggregate set)
agg = [v for v in vectors if not str(v["official_correct"]).startswith("error")]
acc = {}
for v in agg:
    acc.setdefault(v["task"], [0, 0]); acc[v["task"]][1] += 1
    if v["official_correct"]: acc[v["task"]][0] += 1
final = {}; c = t = 0
for k, (a, b) in acc.items():
    final[k] = a / b * 100; c += a; t += b
final["Avg"] = c / t * 100
lm_ok = [v for v in vectors if not str(v["lmms_score"]).startswith("error")]
lm_agg = lm['mvbench_aggregate_results']([{"pred_answer": v["raw"], "score": v["lmms_score"]} for v in lm_ok])
# get_index vectors
gi = []
for (bound, fps, max_frame, first, n) in [(None, 30.0, 299, 0, 16), ((1.5, 4.2), 29.97, 450, 0, 16), ((0.0, 100.0), 25.0, 120, 0, 8), (None, 3.0, 57, 1, 16), ((2.0, 9.0), 3.0, 40, 1, 16), ((10.3, 10.9), 24.0, 1000, 0, 16), (None, 30.0, 5, 0, 16)]:
    obj.num_segments = n
    gi.append({"bound": bound, "fps": fps, "max_frame": max_frame, "first_idx": first, "n": n,
               "indices": [int(x) for x in obj.get_index(bound, fps, max_frame, first_idx=first)]})
json.dump({"vectors": vectors, "acc_dict": acc, "final_res": final, "lmms_eval_aggregate": lm_agg, "get_index": gi}, open('mvbench_vectors.json', 'w'), ensure_ascii=False, indent=1)
print(len(vectors), final, lm_agg, sum(1 for v in vectors if str(v["official_correct"]).startswith("error")))
