"""Vision-part latency in PyTorch for built-in configs, plus a vision-only ONNX export for ONNX Runtime timing.

Usage (perf/models.ts runs this):
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.bench --models models --out TMPDIR [--repeats 20]
Prints JSON: [{name, method, k, n_frames, params, vision_params, decoder_tokens, torch_ms, onnx}].
Weights are freshly initialised from each model's config: latency depends on the graph, not the values.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch

from .export import export_onnx
from .stab import model_from_config


def time_vision(model, repeats: int) -> float:
    cfg = model.cfg
    frames = torch.randint(0, 256, (1, cfg.n_frames, cfg.image_size, cfg.image_size, 3), dtype=torch.uint8)
    times = []
    with torch.no_grad():
        for i in range(repeats + 3):
            t = time.perf_counter()
            model.visual_tokens(frames)
            if i >= 3:  # warm-up runs are not counted
                times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="PyTorch vision-part latency of the built-in model configs")
    p.add_argument("--models", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--repeats", type=int, default=20)
    a = p.parse_args(argv)
    torch.set_num_threads(1)  # ONNX Runtime is timed with one intra-op thread too
    torch.manual_seed(0)
    with open(os.path.join(a.models, "index.json"), encoding="utf8") as f:
        entries = json.load(f)["models"]
    rows = []
    for e in entries:
        with open(os.path.join(a.models, f"{e['name']}.json"), encoding="utf8") as f:
            spec = json.load(f)
        model = model_from_config(spec["config"]).eval()
        paths = export_onnx(model, a.out, e["name"])
        rows.append(
            {
                **{k: e[k] for k in ("name", "method", "k", "n_frames", "params", "decoder_tokens")},
                "vision_params": sum(p.numel() for p in model.vision.parameters()),
                "torch_ms": time_vision(model, a.repeats),
                "onnx": paths["vision_onnx"],
                "image_size": model.cfg.image_size,
            }
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
