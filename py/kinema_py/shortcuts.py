"""Shortcut probes: how much of a question set can be answered without seeing motion.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.shortcuts --train SHARD --test SHARD --out DIR [--quick]
      [--method te-fusion] [--k 4] [--frames 32] [--steps 1500] [--aux 1.0] [--probes first,last,mean,...]
Trains the same model family on the same questions five times, each seeing the clip differently:
  first     the first frame only, repeated to the frame count
  last      the last frame only, repeated
  mean      the mean of the frames, repeated
  shuffled  the frames in a random order (a fixed permutation per clip)
  ordered   the frames in order (with --aux, also trained on the shard's dense per-frame labels)
and scores each on the held-out shard per category against chance (mean 1/options) and the 95% interval a
blind guesser would land in. An order-free probe inside that interval means the category has no static
shortcut that this model family can find; the ordered model above it means motion is learnable.
Each probe's result is written to DIR/probes.jsonl as it finishes (a cut-short run resumes), then DIR/shortcuts.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from collections import defaultdict

import torch

PROBES = ("first", "last", "mean", "shuffled", "ordered")


def transform(frames: torch.Tensor, probe: str, seed: int) -> torch.Tensor:
    """uint8 frames (C, N, S, S, 3), one row per clip, as the probe sees them."""
    Q, N = frames.shape[:2]
    if probe == "first":
        return frames[:, :1].expand(-1, N, -1, -1, -1).contiguous()
    if probe == "last":
        return frames[:, -1:].expand(-1, N, -1, -1, -1).contiguous()
    if probe == "mean":
        m = frames.float().mean(1, keepdim=True).round().to(torch.uint8)
        return m.expand(-1, N, -1, -1, -1).contiguous()
    if probe == "shuffled":
        g = torch.Generator().manual_seed(seed)
        idx = torch.argsort(torch.rand(Q, N, generator=g), 1)
        return frames[torch.arange(Q)[:, None], idx]
    if probe == "ordered":
        return frames
    raise ValueError(f"unknown probe {probe!r} (known: {', '.join(PROBES)})")


def chance_by_category(items: list[dict]) -> dict:
    """Per category: n, chance (mean 1/options) and the 95% interval of a blind guesser's accuracy."""
    per = defaultdict(list)
    for it in items:
        per[it["category"]].append(1 / len(it["options"]))
    out = {}
    for c, ps in sorted(per.items()):
        n = len(ps)
        p = sum(ps) / n
        sd = math.sqrt(sum(q * (1 - q) for q in ps)) / n
        out[c] = {"n": n, "chance": p, "ci95": [max(0.0, p - 1.96 * sd), min(1.0, p + 1.96 * sd)]}
    return out


def run_probe(a: argparse.Namespace, probe: str) -> dict:
    from .data import read_shard
    from .train import Encoded, config_for, device, evaluate, train

    tr, te = read_shard(a.train), read_shard(a.test)
    aux = probe == "ordered" and a.aux > 0 and all("frame_labels" in it for it in tr.items)
    extra = {}
    if aux:
        cols = len(tr.items[0]["frame_labels"][0])
        extra = {"aux_classes": a.aux_classes, "aux_regs": cols - 1}
    cfg, tok = config_for(
        tr,
        [te],
        method=a.method,
        k=a.k,
        n_frames=a.frames,
        dim=a.dim,
        dec_dim=a.dim,
        enc_layers=a.enc_layers,
        dec_layers=a.dec_layers,
        patch=a.patch,
        **({"head": a.head} if a.head else {}),
        **extra,
    )
    dtr, dte = Encoded(tr, tok, cfg), Encoded(te, tok, cfg)
    dtr.frames = transform(dtr.frames, probe, 1)
    dte.frames = transform(dte.frames, probe, 2)
    t0 = time.time()
    model, losses = train(
        cfg,
        dtr,
        a.steps,
        a.batch,
        a.lr,
        a.seed,
        aux_weight=a.aux if aux else 0.0,
        balanced=a.balanced,
        max_seconds=a.max_seconds,
        on=device(),
    )
    r = evaluate(model, dte)
    if probe == "ordered" and a.save_ordered:
        from .checkpoint import save_checkpoint

        meta = {"trained_on": a.source, "test_on": a.test, "test_acc": r["acc"], "per_category": r["per_category"],
                "seed": a.seed, "steps": len(losses), "aux": a.aux if aux else 0.0, "balanced": a.balanced}
        save_checkpoint(a.save_ordered, model, tok, meta)
    return {
        "probe": probe,
        "device": str(device()),
        "acc": r["acc"],
        "n": r["n"],
        "per_category": r["per_category"],
        "aux": aux,
        "steps_run": len(losses),
        "loss_last": sum(losses[-20:]) / max(1, len(losses[-20:])),
        "train_seconds": round(time.time() - t0, 1),
        "params": model.num_params(),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="order-free shortcut probes against the ordered model")
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true", help="tiny model and few steps: checks the pipeline")
    p.add_argument("--probes", default=",".join(PROBES))
    p.add_argument("--method", default="te-fusion")
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--frames", type=int, default=32)
    p.add_argument("--patch", type=int, default=8)
    p.add_argument("--dim", type=int, default=48)
    p.add_argument("--enc-layers", type=int, default=2)
    p.add_argument("--dec-layers", type=int, default=2)
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--aux", type=float, default=1.0, help="weight of the dense per-frame loss (ordered model)")
    p.add_argument("--aux-classes", type=int, default=23, help="action classes in the shard's frame labels")
    p.add_argument("--balanced", action="store_true", help="per-category balanced batches")
    p.add_argument("--head", choices=["joint", "match"], help="option head of every probe (model.ModelConfig.head)")
    p.add_argument("--max-seconds", type=float, help="stop each probe's training after this long")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--source", default="")
    p.add_argument("--save-ordered", help="checkpoint path for the ordered model (a built-in candidate)")
    a = p.parse_args(argv)
    if a.quick:
        a.steps, a.dim, a.enc_layers, a.dec_layers, a.batch = min(a.steps, 10), 16, 1, 1, 8
    torch.set_num_threads(a.threads)
    probes = [x for x in a.probes.split(",") if x]
    for x in probes:
        if x not in PROBES:
            raise SystemExit(f"unknown probe {x!r} (known: {', '.join(PROBES)})")
    os.makedirs(a.out, exist_ok=True)
    log_path = os.path.join(a.out, "probes.jsonl")
    done: dict[str, dict] = {}
    if os.path.exists(log_path):
        with open(log_path, encoding="utf8") as f:
            for line in f:
                r = json.loads(line)
                done[r["probe"]] = r
    with open(log_path, "a", encoding="utf8") as log:
        for x in probes:
            if x in done:
                continue
            r = run_probe(a, x)
            done[x] = r
            log.write(json.dumps(r) + "\n")
            log.flush()
            print(f"{x}: acc {r['acc']:.3f} in {r['train_seconds']}s ({r['steps_run']} steps)", flush=True)
    from .data import read_shard

    test_items = read_shard(a.test).items
    ch = chance_by_category(test_items)
    result = {
        "chance": {c: v["chance"] for c, v in ch.items()},
        "chance_ci95": {c: v["ci95"] for c, v in ch.items()},
        "n_per_category": {c: v["n"] for c, v in ch.items()},
        "probes": {x: done[x]["per_category"] for x in probes},
        "overall": {x: done[x]["acc"] for x in probes},
        "n": len(test_items),
        "within_chance": {
            x: {c: ch[c]["ci95"][0] <= acc <= ch[c]["ci95"][1] for c, acc in done[x]["per_category"].items()}
            for x in probes
        },
        "above_chance": {
            x: {c: acc > ch[c]["ci95"][1] for c, acc in done[x]["per_category"].items()} for x in probes
        },
        "config": {
            "method": a.method,
            "k": a.k,
            "frames": a.frames,
            "dim": a.dim,
            "steps": a.steps,
            "aux": a.aux,
            "balanced": a.balanced,
            "head": a.head or "joint",
            "quick": a.quick,
            "train": a.source or a.train,
        },
        "runs": {x: {k: v for k, v in done[x].items() if k != "per_category"} for x in probes},
    }
    with open(os.path.join(a.out, "shortcuts.json"), "w", encoding="utf8") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({"out": a.out, "probes": probes}))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
