# Runs lmms-eval's perceptiontest/val utils (EvolvingLMMs-Lab/lmms-eval@75571cf: doc_to_text,
# process_results_mc, aggregate_accuracy) on generated vectors.
import json, re, random
src = open('lmms_pt_utils.py').read()
src = src[src.index('def perceptiontest_val_doc_to_text'):]
ns = {'re': re}
exec(src, ns)
random.seed(19)
preds = ["A", " b ", "C.", "(B)", "The answer is B", "D", "", "AB", "A or C", "Answer: C", "a", "I think (A) is right", "E", "\nB\n", "B) tears", "Ä", "1"]
docs = []
for i, p in enumerate(preds):
    doc = {"video_name": f"video_{i % 5}", "question": f"Q{i}?", "question_id": i, "options": ["x", "y", "z"],
           "answer_id": random.choice([0, 1, 2]), "area": random.choice(["Memory", "Physics"]), "reasoning": "Descriptive", "tag": ["Motion"]}
    r = ns['perceptiontest_val_process_results_mc'](doc, [p])["accuracy"]
    docs.append({"pred": p, "doc": doc, "text": ns['perceptiontest_val_doc_to_text'](doc, {"pre_prompt": "", "post_prompt": ""}), "pred_id": r["pred_id"], "correct": r["correct"]})
agg = ns['perceptiontest_val_aggregate_accuracy']([{"correct": d["correct"]} for d in docs], None)
json.dump({"vectors": docs, "accuracy": agg}, open('pt_vectors.json', 'w'), indent=1, ensure_ascii=False)
print(agg)
