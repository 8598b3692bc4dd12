# Runs TempCompass's eval_multi-choice.py / eval_yes_no.py / eval_caption_matching.py main() with
# --disable_llm semantics and a stubbed judge (get_eval_result), utils/eval_utils.py print_result and
# llm_output_to_rating (llyx97/TempCompass@e1b4631) on generated predictions; then the judge's retry loop
# (get_eval_result over a scripted get_llm_output: unparsable replies and raised calls) and eval_captioning.py
# main() / parse_llm_output on scripted judge replies.
# Usage (in a checkout of llyx97/TempCompass@e1b4631): /usr/bin/python3 gen_vectors.py OUT.json
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

# --- the judge's retry loop: a scripted get_llm_output per marker ("!raise" raises, as a failed request does)
import time
time.sleep = lambda s: None
RULE_SEQ = {
  "SEQ-A": ["maybe", "Correct"],
  "SEQ-B": ["!raise", "!raise", "Incorrect"],
  "SEQ-C": ["maybe"] * 11,
  "SEQ-D": ["maybe"] + ["!raise"] * 10,
  "SEQ-E": ["!raise"] * 11,
  "SEQ-F": ["  Correct, it matches  "],
  "SEQ-G": ["correct", "Incorrect"],
  "SEQ-H": ["The prediction is Correct. Not Incorrect."],
}
SEQ = dict(RULE_SEQ)
pos = {}
tries = {}
def scripted(prompt):
    for k, outs in SEQ.items():
        if k in prompt:
            i = pos.get(k, 0); pos[k] = i + 1; tries[k] = i + 1
            o = outs[i] if i < len(outs) else "!exhausted"
            if o == "!raise": raise RuntimeError("scripted failure")
            return o
    return "Incorrect"
def rule_llm(prompt, sys_prompt, max_tokens=128):
    return scripted(prompt).strip()
EU.get_llm_output = rule_llm
retry_preds = spread([{"question": mc_q, "answer": "A. dunking", "prediction": f"I pick {k}"} for k in [*SEQ, "none-1", "none-2", "none-3"]])
m = load("mc2", "eval_multi-choice.py")
out = {}
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    m.main(json.loads(json.dumps(retry_preds)), out, '/tmp/vec/tc/out.json', False)
res["mc_retry"] = {"predictions": retry_preds, "eval_results": out, "stdout": "Accuracy Results:" + buf.getvalue().split("Accuracy Results:")[-1], "tries": dict(tries)}

# --- captioning: eval_captioning.py main() with a scripted get_llm_output, questions/multi-choice.json pairing
CAP = {
  "CAP-01": ["Reasoning: It dunks.\nAnswer: A. dunking"],
  "CAP-02": ["Reasoning: both\nAnswer: A. dunking, B. dribbling"],
  "CAP-03": [""],
  "CAP-04": ["invalid_request_error"],
  "CAP-05": ["A. dunking"],
  "CAP-06": ["Reasoning: the Answer is A.\nAnswer: B. dribbling"],
  "CAP-07": ["Answer: A.dunking"],
  "CAP-08": ["Answer: A"],
  "CAP-09": ["Reasoning: not said.\nAnswer: None of the choices are correct"],
  "CAP-10": ["  Reasoning:  x  \n   Answer:   A. dunking   \n"],
  "CAP-11": ["Answer: A. dunking. Also A. again"],
  "CAP-12": ["Answer: A. dunking\nAnswer: B. dribbling"],
  "CAP-13": ["Reasoning: only a reason"],
  "CAP-14": ["answer: A. dunking"],
  "CAP-15": ["Answer:\u00a0A. dunking\u00a0"],
  "CAP-16": ["Answer: A. D.C. dunk"],
  "CAP-17": ["!raise", "!raise", "Answer: A. dunking"],
  "CAP-18": ["!raise"] * 11,
  "CAP-19": ["   "],
  "CAP-20": ["Reasoning: Answer: B. dribbling\nAnswer: A. dunking"],
  "CAP-21": ["Answer: A. dunking\nReasoning: after"],
  "CAP-22": ["Answer: a. dunking"],
  "CAP-23": ["Answer: C. passing"],
  "CAP-24": ["Answer: Option A. dunking"],
  "CAP-25": ["Reasoning: r\nAnswer: A. dunking a ball"],
}
SEQ.clear(); SEQ.update(CAP); pos.clear(); tries.clear()
cap_prompts = []
def cap_llm(prompt):
    cap_prompts.append(prompt)
    return scripted(prompt).strip(), {"total_tokens": 1}
cm = load("cap", "eval_captioning.py")
cm.args = types.SimpleNamespace(video_llm="kinema")
cm.get_llm_output = cap_llm
cap_q = "You will be presented with a video...\nInformation A: {'subject': 'man', 'action': 'dunking'}\nGenerated Caption:"
cap_items = [{"question": cap_q, "answer": "B. dunking", "prediction": f"A man is dunking {k}."} for k in CAP] + [{"question": cap_q, "answer": "B. dunking", "prediction": None}, {"question": cap_q, "answer": "B. dunking", "prediction": "The man dunks CAP-25</s>"}]
cap_preds = spread(cap_items)
mc_questions = {vid: {asp: [{"question": mc_q, "answer": "A. dunking"}, {"question": "other", "answer": "B. x"}]} for vid, (asp, _) in zip(VIDS, FINE)}
out = {}
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    cm.main(json.loads(json.dumps(cap_preds)), out, '/tmp/vec/tc/cap.json', mc_questions)
for dims in out.values():
    for lst in dims.values():
        for e in lst: e.pop("token_count", None)
res["captioning"] = {"predictions": cap_preds, "mc_questions": mc_questions, "eval_results": out, "stdout": "Accuracy Results:" + buf.getvalue().split("Accuracy Results:")[-1], "judge_prompts": cap_prompts, "tries": dict(tries)}
import prompt_templates as PT
json.dump({"meta_info": meta, "runs": res, "ratings": ratings, "system_prompt": "You are an AI assistant for question answering.", "caption_evaluation_prompt": PT.caption_evaluation_prompt, "sequences": {"rule": RULE_SEQ, "captioning": CAP}}, open(sys.argv[1] if len(sys.argv) > 1 else 'tc_vectors.json', 'w'), indent=1, ensure_ascii=False)
print(res["mc_rule"]["stdout"]); print(res["cm_judge"]["stdout"])
