"""Reads a shipped built-in's weights back out of its ONNX graph (no `onnx` package: a small protobuf reader), so
a built-in can serve as a pretrained part, e.g. the STAB study's teacher. Linear weights were exported as
MatMul initializers with generated names; each is the (in, out) transpose of the Linear whose bias the next Add
reads, which names it.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.onnx_weights --builtin models/none-k1   # checks the fixture
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.onnx_weights --builtin models/te-fusion-k4 --to-checkpoint te.pt
    # a trainer checkpoint (train.py --init / --base) of the shipped weights, so training can go on from a
    # built-in when its .pt files are gone; the per-frame auxiliary head is not in the graph and starts fresh
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

# ONNX TensorProto data types we read
_DTYPES = {1: np.float32, 7: np.int64}


def _varint(b: bytes, i: int) -> tuple[int, int]:
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def _fields(b: bytes):
    """(field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        f, t = key >> 3, key & 7
        if t == 0:
            v, i = _varint(b, i)
        elif t == 2:
            n, i = _varint(b, i)
            v, i = b[i : i + n], i + n
        elif t == 5:
            v, i = b[i : i + 4], i + 4
        elif t == 1:
            v, i = b[i : i + 8], i + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {t}")
        yield f, t, v


def read_graph(path: str) -> tuple[dict[str, np.ndarray], list[tuple[str, list[str]]]]:
    """-> (initializers by name, nodes as (op_type, inputs)) of ModelProto.graph (field 7)."""
    with open(path, "rb") as f:
        data = f.read()
    graphs = [v for f, _, v in _fields(data) if f == 7]
    if not graphs:
        raise ValueError(f"{path}: no graph in this ONNX file")
    inits: dict[str, np.ndarray] = {}
    nodes: list[tuple[str, list[str]]] = []
    for f, _, v in _fields(graphs[0]):
        if f == 5:  # TensorProto: dims 1, data_type 2, name 8, raw_data 9
            dims, name, raw, dt = [], "", None, 0
            for f2, t2, v2 in _fields(v):
                if f2 == 1 and t2 == 0:
                    dims.append(v2)
                elif f2 == 1:  # packed dims
                    j = 0
                    while j < len(v2):
                        d, j = _varint(v2, j)
                        dims.append(d)
                elif f2 == 2:
                    dt = v2
                elif f2 == 8:
                    name = v2.decode()
                elif f2 == 9:
                    raw = v2
            if raw is not None and dt in _DTYPES:
                inits[name] = np.frombuffer(raw, _DTYPES[dt]).reshape(dims).copy()
        elif f == 1:  # NodeProto: input 1, op_type 4
            ins, op = [], ""
            for f2, _, v2 in _fields(v):
                if f2 == 1:
                    ins.append(v2.decode())
                elif f2 == 4:
                    op = v2.decode()
            nodes.append((op, ins))
    return inits, nodes


def state_dict_from_onnx(path: str) -> dict[str, torch.Tensor]:
    """The PyTorch state_dict names and values recoverable from a kinema export."""
    inits, nodes = read_graph(path)
    sd = {k: torch.from_numpy(v) for k, v in inits.items() if not k.startswith("onnx::")}
    pending = None
    for op, ins in nodes:
        weights = [x for x in ins if x in inits and x.startswith("onnx::")]
        if op == "MatMul" and weights:
            pending = weights[0]
        elif op == "Add" and pending is not None:
            bias = [x for x in ins if x.endswith(".bias") and x in inits]
            if bias:
                sd[bias[0][: -len(".bias")] + ".weight"] = torch.from_numpy(inits[pending].T.copy())
            pending = None
    return sd


def load_builtin(stem: str):
    """models/NAME (no extension) -> (VideoQAModel with the shipped weights, its sidecar spec)."""
    from .model import ModelConfig, VideoQAModel

    with open(stem + ".json", encoding="utf8") as f:
        spec = json.load(f)
    # the per-frame auxiliary head trains the encoder and is not exported: build the model without it
    cfg = {**spec["config"], "aux_classes": 0, "aux_regs": 0}
    model = VideoQAModel(ModelConfig(**cfg)).eval()
    sd = state_dict_from_onnx(stem + ".onnx")
    missing = [k for k in model.state_dict() if k not in sd]
    if missing:
        raise ValueError(f"{stem}.onnx: cannot recover {', '.join(missing[:5])}")
    model.load_state_dict({k: sd[k] for k in model.state_dict()})
    return model, spec


def to_checkpoint(stem: str, out: str, seed: int = 0) -> dict:
    """models/NAME -> a trainer checkpoint at `out` with the shipped weights, the sidecar's config and vocabulary.
    The auxiliary head (aux_classes/aux_regs of the config) is initialised fresh from `seed`. Returns its meta."""
    from .checkpoint import save_checkpoint
    from .data import Tokenizer
    from .model import ModelConfig, VideoQAModel

    back, spec = load_builtin(stem)
    torch.manual_seed(seed)
    model = VideoQAModel(ModelConfig(**spec["config"]))
    own = model.state_dict()
    shipped = back.state_dict()
    fresh = [k for k in own if k not in shipped]
    if any(not k.startswith("aux") for k in fresh):
        raise ValueError(f"{stem}: parts other than the auxiliary head are missing: {[k for k in fresh if not k.startswith('aux')][:5]}")
    model.load_state_dict({**own, **shipped})
    meta = {
        "recovered_from": stem + ".onnx",
        "trained_on": spec.get("trained_on"),
        "steps": spec.get("train_steps"),
        "test_acc": spec.get("test_acc"),
        "per_category": spec.get("per_category"),
        "fresh": fresh,
        "fixture_max_abs_diff": fixture_error(back, stem),
    }
    save_checkpoint(out, model, Tokenizer(spec["vocab"]), meta)
    return meta


def fixture_error(model, stem: str) -> float:
    """max |logits - the fixture's PyTorch logits|: 0 up to float error when the weights were read back right."""
    import base64

    with open(stem + ".fixture.json", encoding="utf8") as f:
        fx = json.load(f)
    cfg = model.cfg
    shape = (cfg.n_frames, cfg.image_size, cfg.image_size, 3)
    frames = torch.stack([torch.from_numpy(np.frombuffer(base64.b64decode(s), np.uint8).reshape(shape).copy()) for s in fx["frames_b64"]])
    with torch.no_grad():
        got = model(frames, torch.tensor(fx["q_ids"]), torch.tensor(fx["opt_ids"]))
    want = torch.tensor(fx["logits"])
    present = want > -1e3
    return (got[present] - want[present]).abs().max().item()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="read a built-in's weights back from its ONNX graph")
    p.add_argument("--builtin", required=True, help="models/NAME, without extension")
    p.add_argument("--to-checkpoint", help="also write a trainer checkpoint (train.py --init/--base) here")
    a = p.parse_args(argv)
    if a.to_checkpoint:
        meta = to_checkpoint(a.builtin, a.to_checkpoint)
        print(json.dumps({"checkpoint": a.to_checkpoint, **{k: meta[k] for k in ("recovered_from", "fresh", "fixture_max_abs_diff")}}))
        return
    model, spec = load_builtin(a.builtin)
    print(json.dumps({"name": spec["name"], "params": model.num_params(), "fixture_max_abs_diff": fixture_error(model, a.builtin)}))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
