"""Vision-part latency in PyTorch for built-in configs, plus a vision-only ONNX export for ONNX Runtime timing.

Usage (perf/models.ts runs this):
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.bench --models models --out TMPDIR [--repeats 20]
      [--image-size S] [--only name,name]
Prints JSON: [{name, method, k, n_frames, params, vision_params, decoder_tokens, torch_ms, onnx, image_size}].
Weights are freshly initialised from each model's config: latency depends on the graph, not the values.
--image-size builds each config at another frame size (the same architecture and widths; the patch grid grows,
so do position tables): the paper's efficiency claim is at 224 px, where compute, not per-node overhead, counts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch

from .export import export_onnx
from .checkpoint import model_from_config


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
    p.add_argument("--image-size", type=int, help="frame side to build every config at (default: its own)")
    p.add_argument("--only", default="", help="comma-separated model names (default: all)")
    a = p.parse_args(argv)
    only = {x for x in a.only.split(",") if x}
    torch.set_num_threads(1)  # ONNX Runtime is timed with one intra-op thread too
    torch.manual_seed(0)
    with open(os.path.join(a.models, "index.json"), encoding="utf8") as f:
        entries = json.load(f)["models"]
    rows = []
    for e in entries:
        if only and e["name"] not in only:
            continue
        with open(os.path.join(a.models, f"{e['name']}.json"), encoding="utf8") as f:
            spec = json.load(f)
        config = dict(spec["config"])
        if a.image_size:
            config["image_size"] = a.image_size
        model = model_from_config(config).eval()
        paths = export_onnx(model, a.out, e["name"])
        rows.append(
            {
                **{k: e[k] for k in ("name", "method", "k", "n_frames", "params", "decoder_tokens")},
                "params": sum(p.numel() for p in model.parameters()),
                "vision_params": sum(p.numel() for p in model.vision.parameters()),
                "torch_ms": time_vision(model, a.repeats),
                "onnx": paths["vision_onnx"],
                "image_size": model.cfg.image_size,
            }
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
