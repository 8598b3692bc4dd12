"""Export a checkpoint to ONNX for the TypeScript `builtin:` adapter, plus a parity fixture.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.export --ckpt ckpt.pt --name te-fusion-k4 --out models/
Writes OUT/NAME.onnx (frames uint8 (1,N,S,S,3), q_ids int64 (1,Tq), opt_ids int64 (1,M,To) -> logits (1,M)),
OUT/NAME.vision.onnx (frames -> visual tokens (1,L,E)), OUT/NAME.json (config, vocab, metadata) and,
with --fixture, a JSON of inputs and PyTorch outputs that the TypeScript parity test replays.
"""

from __future__ import annotations

import argparse
import base64
import json
import os

import torch

from .checkpoint import load_checkpoint
from .data import Tokenizer
from .model import VideoQAModel

OPSET = 14


class _Vision(torch.nn.Module):
    def __init__(self, model: VideoQAModel):
        super().__init__()
        self.model = model

    def forward(self, frames):
        return self.model.visual_tokens(frames)


def export_onnx(model: VideoQAModel, out_dir: str, name: str, vision: bool = True) -> dict[str, str]:
    cfg = model.cfg
    model.eval()
    frames = torch.zeros(1, cfg.n_frames, cfg.image_size, cfg.image_size, 3, dtype=torch.uint8)
    q = torch.ones(1, cfg.max_q, dtype=torch.long)
    o = torch.ones(1, cfg.max_options, cfg.max_opt, dtype=torch.long)
    full = os.path.join(out_dir, f"{name}.onnx")
    vision_path = os.path.join(out_dir, f"{name}.vision.onnx")
    with torch.no_grad():
        torch.onnx.export(
            model,
            (frames, q, o),
            full,
            input_names=["frames", "q_ids", "opt_ids"],
            output_names=["logits"],
            opset_version=OPSET,
            do_constant_folding=True,
        )
        if not vision:
            return {"onnx": full}
        torch.onnx.export(
            _Vision(model),
            (frames,),
            vision_path,
            input_names=["frames"],
            output_names=["visual_tokens"],
            opset_version=OPSET,
            do_constant_folding=True,
        )
    return {"onnx": full, "vision_onnx": vision_path}


def sidecar(
    model, tok: Tokenizer, name: str, meta: dict, method: str, k: int, after_k: dict | None = None, inputs: dict | None = None
) -> dict:
    """The sidecar JSON the TypeScript adapter reads (src/models/onnx.ts BuiltinSpec): everything needed to feed
    the graph. after_k: fields listed after k (the object model's u); inputs: more input sizes (max_objects)."""
    cfg = model.cfg
    return {
        "name": name,
        "method": method,
        "k": k,
        **(after_k or {}),
        "n_frames": cfg.n_frames,
        "image_size": cfg.image_size,
        "params": model.num_params(),
        "decoder_tokens": cfg.decoder_tokens,
        "max_q": cfg.max_q,
        "max_opt": cfg.max_opt,
        "max_options": cfg.max_options,
        **(inputs or {}),
        "config": cfg.to_dict(),
        "vocab": tok.vocab,
        **meta,
    }


def describe(model: VideoQAModel, tok: Tokenizer, name: str, meta: dict) -> dict:
    """The sidecar of a compression (or STAB) model."""
    return sidecar(model, tok, name, meta, model.cfg.method, model.cfg.k)


def parity_fixture(model: VideoQAModel, tok: Tokenizer, items: list[dict], frames: torch.Tensor) -> dict:
    """Inputs (as TS would build them from text) and PyTorch logits for a fixed batch, one clip each."""
    from .data import encode_items

    cfg = model.cfg
    q, o, _ = encode_items(tok, items, cfg.max_q, cfg.max_opt, cfg.max_options)
    with torch.no_grad():
        logits = model(frames, q, o)
        vis = model.visual_tokens(frames[:1])
    return {
        "items": [{"question": it["question"], "options": it["options"]} for it in items],
        # base64 of each clip's uint8 bytes (N, S, S, 3): compact, and Buffer.from(x, "base64") in TS
        "frames_b64": [base64.b64encode(f.numpy().tobytes()).decode() for f in frames],
        "q_ids": q.tolist(),
        "opt_ids": o.tolist(),
        "logits": logits.tolist(),
        "visual_tokens_0": vis.reshape(-1).tolist(),
        "argmax": logits.argmax(-1).tolist(),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="export a kinema checkpoint to ONNX")
    p.add_argument("--ckpt", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    model, tok, meta = load_checkpoint(a.ckpt)
    os.makedirs(a.out, exist_ok=True)
    paths = export_onnx(model, a.out, a.name)
    with open(os.path.join(a.out, f"{a.name}.json"), "w", encoding="utf8") as f:
        json.dump(describe(model, tok, a.name, meta), f)
    print(json.dumps(paths))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
