# Runs Video-MME's evaluation/eval_your_results.py (BradyFU/Video-MME@4e7566d, deleted from the repo in
# 49a2e67; the README now links a copy) on generated results; writes vectors and the script's exact stdout.
import io, json, random, contextlib, sys
sys.path.insert(0, '.')
import videomme_eval_your_results as E
random.seed(19)
responses = ["", "A", "b", "C.", "D. Brown.", "The best answer is B", "The best option is C", "Best option: D",
  "Best answer: A", "The correct option is B", "The answer is (C)", "The answer: D", "I think it is E", "none of these",
  "one two three four five six seven eight nine ten eleven", "one two three four five six seven eight nine ten eleven A",
  "  \n A \n", "a. apples", "(B)", "Answer: B", "BD", "The correct answer is D.", "Best answer:Best option: C", "The best option isThe correct option is A",
  "\u3000C", "x" * 3, "Based on the video, the answer is B.", "ABCD"]
vectors = [{"response": r, "extracted": E.extract_characters_regex(r)} for r in responses]
results = []
vid = 0
for dur in ["short", "medium", "long"]:
    for _ in range(5):
        vid += 1
        cat = random.choice(E.CATEGORIES[:3])
        sub = random.choice(E.SUB_CATEGORIES[:6])
        qs = []
        for q in range(3):
            qs.append({"question_id": f"{vid:03d}-{q+1}", "task_type": random.choice(E.TASK_CATEGORIES[:5]),
                       "question": "Q?", "options": ["A. a", "B. b", "C. c", "D. d"], "answer": random.choice("ABCD"),
                       "response": random.choice(responses)})
        results.append({"video_id": f"{vid:03d}", "duration_category": dur, "video_category": cat,
                        "video_subcategory": sub, "missing": vid % 7 == 0, "questions": qs})
json.dump(results, open('videomme_results.json', 'w'), indent=1)
outs = {}
for name, kw in {"all_flags": dict(return_categories_accuracy=True, return_sub_categories_accuracy=True, return_task_types_accuracy=True),
                 "defaults": dict()}.items():
    for skip in (True,):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            E.eval_your_results('videomme_results.json', video_types="short,medium,long", skip_missing=skip, **kw)
        outs[name] = buf.getvalue()
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    E.eval_your_results('videomme_results.json', video_types="long,short", skip_missing=True, return_task_types_accuracy=True)
outs["long_short_tasks"] = buf.getvalue()
json.dump({"extract": vectors, "results": results, "stdout": outs}, open('videomme_vectors.json', 'w'), indent=1, ensure_ascii=False)
print(outs["all_flags"][-400:])
