# ONNX export parity: the exported graph, run by onnxruntime-node from TypeScript (as the builtin: adapter
# runs it), gives PyTorch's logits within 1e-4 for every compressor.
import json
import os
import subprocess

import pytest
import torch

from kinema_py.data import Tokenizer
from kinema_py.export import describe, export_onnx, parity_fixture
from kinema_py.model import METHODS, ModelConfig, VideoQAModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE = os.path.join(ROOT, "node_modules", ".bin", "node")

SCRIPT = """
import { readFileSync } from "node:fs";
import { openBuiltin } from "%s";
const [dir, names] = [process.argv[1], process.argv[2].split(",")];
const out = {};
for (const name of names) {
  const fx = JSON.parse(readFileSync(`${dir}/${name}.fixture.json`, "utf8"));
  const s = await openBuiltin(name, dir);
  const logits = [];
  for (let i = 0; i < fx.frames_b64.length; i++)
    logits.push(await s.scoreIds(new Uint8Array(Buffer.from(fx.frames_b64[i], "base64")), fx.q_ids[i], fx.opt_ids[i]));
  // the text path too: tokenizing in TypeScript must give the ids Python gave
  const text = await s.score(new Uint8Array(Buffer.from(fx.frames_b64[0], "base64")), fx.items[0].question, fx.items[0].options);
  out[name] = { logits, text };
  await s.close();
}
console.log(JSON.stringify(out));
"""


@pytest.mark.filterwarnings("ignore")  # the tracer warns about shape asserts it cannot trace
def test_onnx_runtime_matches_pytorch(tmp_path):
    assert os.path.exists(NODE), f"{NODE} missing: run npm install"
    tok = Tokenizer.build(["which way does the red ball roll", "left right up down stays 1 2 3"])
    items = [
        {"question": "Which way does the red ball roll?", "options": ["left", "right", "up", "stays"]},
        {"question": "How many times?", "options": ["1", "2", "3"]},
        {"question": "Unknown words only", "options": ["zzz", "left"]},
    ]
    torch.manual_seed(0)
    names = []
    cases = [*((m, "joint", "patch") for m in METHODS), ("te-fusion", "match", "patch"), ("none", "match", "patch")]
    cases += [("te-fusion", "match", "conv"), ("none", "match", "conv")]
    for method, head, stem in cases:
        cfg = ModelConfig(
            method=method, k=2, n_frames=4, dim=32, dec_dim=32, vocab_size=len(tok.vocab), head=head, stem=stem
        )
        model = VideoQAModel(cfg).eval()
        # random init gives near-equal logits; scale the head so the argmax comparison means something
        with torch.no_grad():
            model.scorer.head.weight.mul_(50)
            if head == "match" and method == "none":  # trained-like weights: the exporter merges identical
                for prm in model.parameters():  # initializers (fresh LayerNorms are all ones), a trained model's differ
                    prm.add_(torch.randn_like(prm) * 0.01)
        frames = torch.randint(0, 256, (len(items), 4, 32, 32, 3), dtype=torch.uint8)
        name = f"t-{method}" if head == "joint" else f"t-{method}-{head}"
        name += "-conv" if stem == "conv" else ""
        export_onnx(model, str(tmp_path), name, vision=False)
        (tmp_path / f"{name}.json").write_text(json.dumps(describe(model, tok, name, {"trained_on": "none"})))
        (tmp_path / f"{name}.fixture.json").write_text(json.dumps(parity_fixture(model, tok, items, frames)))
        names.append(name)
    script = SCRIPT % os.path.join(ROOT, "src", "models", "builtin.ts")
    r = subprocess.run(
        [NODE, "--input-type=module", "-e", script, str(tmp_path), ",".join(names)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    for name in names:
        fx = json.loads((tmp_path / f"{name}.fixture.json").read_text())
        want = torch.tensor(fx["logits"])
        ort = torch.tensor(got[name]["logits"])
        present = want > -1e3
        diff = (want[present] - ort[present]).abs().max().item()
        assert diff <= 1e-4, f"{name}: max |PyTorch - ONNX Runtime| = {diff}"
        assert ort.argmax(-1).tolist() == fx["argmax"], name
        if name in ("t-none-match", "t-none-match-conv"):  # a none built-in (the STAB teacher) reads back off the graph, match head too
            from kinema_py.onnx_weights import fixture_error, load_builtin

            back, _ = load_builtin(str(tmp_path / name))
            assert fixture_error(back, str(tmp_path / name)) <= 1e-5
            # and back into a trainer checkpoint that train.py --init/--base reads (aux head fresh)
            from kinema_py.checkpoint import load_checkpoint
            from kinema_py.onnx_weights import to_checkpoint

            meta = to_checkpoint(str(tmp_path / name), str(tmp_path / f"{name}.pt"))
            again, tok, m2 = load_checkpoint(str(tmp_path / f"{name}.pt"))
            assert m2["recovered_from"].endswith(f"{name}.onnx") and all(k.startswith("aux") for k in meta["fresh"])
            assert len(tok.vocab) == again.cfg.vocab_size
            assert fixture_error(again, str(tmp_path / name)) <= 1e-5
        n0 = len(items[0]["options"])
        assert (torch.tensor(got[name]["text"]) - want[0, :n0]).abs().max().item() <= 1e-4
