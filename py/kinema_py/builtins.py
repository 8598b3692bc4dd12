"""Turn study checkpoints into the shipped built-in models: models/NAME.onnx + NAME.json + NAME.fixture.json
and the manifest models/index.json that `kinema models` lists.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.builtins --ckpts results/ckpt --test SHARD --out models
"""

from __future__ import annotations

import argparse
import glob
import json
import os

import torch

from .data import read_shard, select_frames
from .export import describe, export_onnx, parity_fixture
from .checkpoint import load_checkpoint

FIXTURE_CLIPS = 3  # clips per parity fixture: enough to compare answers, small enough to ship


def build(ckpts: list[str], test: str, out: str) -> list[dict]:
    os.makedirs(out, exist_ok=True)
    shard = read_shard(test)
    entries = []
    for path in sorted(ckpts):
        name = os.path.splitext(os.path.basename(path))[0]
        model, tok, meta = load_checkpoint(path)
        export_onnx(model, out, name, vision=False)
        info = describe(model, tok, name, {})
        info.update(trained_on=meta.get("trained_on", ""), test_acc=meta.get("test_acc"), test_on=meta.get("test_on"))
        info["per_category"] = meta.get("per_category", {})
        info["train_steps"] = meta.get("steps")
        with open(os.path.join(out, f"{name}.json"), "w", encoding="utf8") as f:
            json.dump(info, f)
        frames = select_frames(shard, model.cfg.n_frames)[:FIXTURE_CLIPS]
        fx = parity_fixture(model, tok, shard.items[:FIXTURE_CLIPS], frames)
        with open(os.path.join(out, f"{name}.fixture.json"), "w", encoding="utf8") as f:
            json.dump(fx, f)
        entries.append({k: info[k] for k in MANIFEST_KEYS})
    write_manifest(out)
    return entries


MANIFEST_KEYS = ("name", "method", "k", "n_frames", "params", "decoder_tokens", "trained_on", "test_acc")


def write_manifest(out: str) -> list[dict]:
    """models/index.json lists every model in the folder (NAME.onnx beside its NAME.json sidecar), so models
    exported by separate runs (the compression built-ins, STAB) share one manifest."""
    entries = []
    for path in sorted(glob.glob(os.path.join(out, "*.onnx"))):
        side = path[: -len(".onnx")] + ".json"
        if path.endswith(".vision.onnx") or not os.path.exists(side):
            continue
        with open(side, encoding="utf8") as f:
            info = json.load(f)
        entry = {k: info.get(k) for k in MANIFEST_KEYS}
        if "u" in info:  # object models (object_model.py): the TTM union
            entry["u"] = info["u"]
        entries.append(entry)
    with open(os.path.join(out, "index.json"), "w", encoding="utf8") as f:
        json.dump({"version": 1, "models": entries}, f, indent=1)
    return entries


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="export study checkpoints as kinema built-in models")
    p.add_argument("--ckpts", required=True, help="directory of NAME.pt checkpoints")
    p.add_argument("--test", required=True, help="held-out shard for the parity fixtures")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    print(json.dumps(build(glob.glob(os.path.join(a.ckpts, "*.pt")), a.test, a.out), indent=1))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
