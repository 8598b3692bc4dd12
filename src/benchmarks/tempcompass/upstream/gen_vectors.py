# Runs TempCompass's eval_multi-choice.py / eval_yes_no.py / eval_caption_matching.py main() with
# --disable_llm semantics and a stubbed judge (get_eval_result), utils/eval_utils.py print_result and
# llm_output_to_rating (llyx97/TempCompass@e1b4631) on generated predictions.
import json, io, contextlib, importlib.util, sys, types
sys.path.insert(0, '.')
sys.modules['requests'] = types.ModuleType('requests')
sys.modules['tqdm'] = types.SimpleNamespace(tqdm=lambda x: x)
def load(name, file):
    spec = importlib.util.spec_from_file_location(name, file); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m
import utils.eval_utils as EU
calls = []
def fake_eval(prompt, maxtry=10, sys_prompt=None):
    calls.append(prompt)
    reply = "Correct" if "JUDGE-YES" in prompt else "Incorrect, the answer differs."
    return reply, EU.llm_output_to_rating(reply)
FINE = [("action", "fine-grained action"), ("action", "coarse-grained action"), ("direction", "object motion"), ("direction", "camera motion"),
        ("speed", "absolute speed"), ("speed", "relative speed"), ("order", "order"), ("attribute_change", "color & light change"),
        ("attribute_change", "size & shape change"), ("attribute_change", "combined change"), ("attribute_change", "other change")]
VIDS = ["101", "102_reverse", "103", "104", "105_concat_0", "106_concat_1", "107_reverse", "108", "109", "110", "111_reverse"]
meta = {}
for vid, (asp, fine) in zip(VIDS, FINE):
    ed = {a: None for a in ["action", "direction", "speed", "order", "attribute_change"]}
    ed[asp] = {"type": fine}
    meta[vid] = {"eval_dim": ed}
json.dump(meta, open('meta_info.json', 'w'))
mc_q = "What is the man doing?\nA. dunking\nB. dribbling\nC. passing"
mc_preds = ["A. dunking", "A", "B", "A. dunking a ball", "B) dribbling", "C.", " A ", "The answer is A JUDGE-YES", "dunking", "a", "A)", "(A)", None, "D. none", "A</s>"]
yn_preds = ["yes", "Yes, he is.", "no", "No.", "NO", "nope", "y", "The answer is yes JUDGE-YES", "", None, " yes", "yes</s>"]
cm_q = "Which caption matches the video better?\nCaption A: A man runs.\nCaption B: A man walks."
cm_q2 = "Which description is a more suitable match for the video?\nOption 1: A ball rolls left.\nOption 2: A ball rolls right."
cm_preds = [("Caption A: A man runs.", cm_q, "Caption A: A man runs."), ("A man runs.", cm_q, "Caption A: A man runs."), ("Caption B", cm_q, "Caption A: A man runs."),
  ("A", cm_q, "Caption A: A man runs."), ("B.", cm_q, "Caption A: A man runs."), ("1", cm_q2, "Option 1: A ball rolls left."), ("Option 2", cm_q2, "Option 1: A ball rolls left."),
  ("(1) A ball rolls left.", cm_q2, "Option 1: A ball rolls left."), ("I think the first JUDGE-YES", cm_q2, "Option 1: A ball rolls left."), ("Caption A", cm_q, "Caption A: A man runs."), (None, cm_q, "Caption A: A man runs.")]
def run(modname, file, preds_by_vid, disable):
    m = load(modname, file)
    m.get_eval_result = fake_eval
    out = {}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        m.main(json.loads(json.dumps(preds_by_vid)), out, '/tmp/vec/tc/out.json', disable)
    return out, buf.getvalue()
def spread(items):
    # distribute over videos/dims that meta_info knows
    slots = [(vid, asp) for vid, (asp, _) in zip(VIDS, FINE)]
    d = {}
    for i, it in enumerate(items):
        vid, dim = slots[i % len(slots)]
        d.setdefault(vid, {}).setdefault(dim, []).append(it)
    return d
mc = spread([{"question": mc_q, "answer": "A. dunking", "prediction": p} for p in mc_preds])
yn = spread([{"question": "Is the man dunking?", "answer": "yes", "prediction": p} for p in yn_preds])
cm = spread([{"question": q, "answer": a, "prediction": p} for p, q, a in cm_preds])
res = {}
for name, file, data in [("mc", "eval_multi-choice.py", mc), ("yn", "eval_yes_no.py", yn), ("cm", "eval_caption_matching.py", cm)]:
    for disable in (True, False):
        calls.clear()
        out, printed = run(name, file, data, disable)
        res[f"{name}_{'rule' if disable else 'judge'}"] = {"predictions": data, "eval_results": out, "stdout": printed, "judge_prompts": list(calls)}
ratings = {r: EU.llm_output_to_rating(r) for r in ["Correct", "Incorrect", "The prediction is Correct.", "Correct. Incorrect", "It is Incorrect"]}
json.dump({"meta_info": meta, "runs": res, "ratings": ratings, "system_prompt": "You are an AI assistant for question answering."}, open('tc_vectors.json', 'w'), indent=1, ensure_ascii=False)
print(res["mc_rule"]["stdout"]); print(res["cm_judge"]["stdout"])
