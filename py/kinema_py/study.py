"""MotionBench's compression study (seed 001 §5.2) at small scale: every method, two protocols, several seeds.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.study --train SHARD --test SHARD --out DIR [--quick]
      [--seeds 5] [--bases 2] [--base-steps 4000] [--base-frames 16] [--steps 400] [--start fair|plain|scratch]
      [--workers 2] [--save-builtins DIR]
Like the paper, which adds each compressor to the pretrained GLM-4V-9B and fine-tunes, the study first trains
base models without temporal compression (none, k = 1, N = --base-frames frames; DIR/base.pt, base-1.pt, ...;
one per --bases, each from its own seed), then warm-starts every cell from each base (train.warm_start) and
fine-tunes --steps with each training seed. The k = 1 baselines are fine-tuned from the base the same way.
Starts (--start): `fair` (default) also sets the new parts with an exact pass-through to it (train.pass_through:
kangaroo's temporal MLP is the mean of its k frames, TE Fusion's temporal position starts at 0; the Q-Former has
none and stays fresh, which the cell records); `plain` is the version-1 warm start; `scratch` trains every cell
from the same random initialisation (no base), which is fair by construction but needs more steps.
Protocol fixed-L: N/k = 4 (k = 1, 2, 4, 8 -> N = 4, 8, 16, 32), so every cell has the same decoder length.
Protocol fixed-N: N = 16 (k = 1, 2, 4, 8, 16). k = 1 is the uncompressed baseline (all methods coincide).
Results are appended run by run to DIR/runs.jsonl, each with its per-item correctness over the test shard (so a
cut-short study still has data and methods are compared paired, item by item), then summarised into
DIR/study.json (mean ± std per cell and per category; paired contrasts) and drawn into DIR/study.png.

Paired contrasts (kinema_py.paired): TE Fusion against every other method at k = 4, 8, 16 in each protocol, on
the seed-averaged per-item difference, with a 95% interval that resamples clips (questions of one clip are not
independent) and Holm-adjusted p-values over that family. Pre-registered main contrast (fixed before any v2
result, and never adjusted): at fixed N = 16, k = 16, on Repetition Count + Action Order, TE Fusion against the
best shallow method (pre-encoder, pllava, kangaroo or qformer), the best chosen by RC+AO accuracy on the `dev`
half of the test clips and the contrast measured on the other (`test`) half, so selection does not bias it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import time

METHODS = ("none", "pre-encoder", "pllava", "kangaroo", "qformer", "te-fusion")

# The paper's Table 4 (N/k = 4, GLM-4V-9B): MotionBench dev and MVBench accuracy, in percent.
PAPER_TABLE4 = {
    "baseline (k=1)": {"k": 1, "MotionBench": 47.6, "MVBench": 64.5},
    "te-fusion": {"k": 4, "MotionBench": 51.0, "MVBench": 72.1},
    "pllava": {"k": 4, "MotionBench": 50.5, "MVBench": 70.2},
    "kangaroo": {"k": 4, "MotionBench": 50.0, "MVBench": 69.8},
    "pre-encoder": {"k": 4, "MotionBench": 47.6, "MVBench": 65.6},
    "qformer": {"k": 4, "MotionBench": 44.3, "MVBench": 63.8},
}


def plan(quick: bool) -> list[dict]:
    """The cells to train: protocol, method, k, n_frames. k = 1 appears once per protocol (baseline)."""
    cells = []
    if quick:
        grid = {"fixed-L": [(1, 2), (2, 4)], "fixed-N": [(1, 8), (4, 8)]}
    else:
        grid = {
            "fixed-L": [(1, 4), (2, 8), (4, 16), (8, 32)],
            "fixed-N": [(1, 16), (2, 16), (4, 16), (8, 16), (16, 16)],
        }
    for protocol, ks in grid.items():
        for k, n in ks:
            methods = ["none"] if k == 1 else list(METHODS)
            if protocol == "fixed-L" and k > 1:
                # At fixed N/k, "none" keeps one frame in k: exactly the k = 1 baseline again.
                methods = [m for m in methods if m != "none"]
            for m in methods:
                cells.append({"protocol": protocol, "method": m, "k": k, "n_frames": n})
    return cells


def _run_one(job: dict) -> dict:
    import torch

    from .data import Tokenizer, read_shard
    from .model import ModelConfig, VideoQAModel
    from .checkpoint import save_checkpoint, study_meta
    from .train import Encoded, device, evaluate, pass_through, train, warm_start

    torch.set_num_threads(1)  # one thread per worker: on a shared 2-core machine 2 threads contend badly
    tr, te = read_shard(job["train"]), read_shard(job["test"])
    base = torch.load(job["base"], map_location="cpu")
    tok = Tokenizer(base["vocab"])
    cfg = ModelConfig(**{**base["config"], "method": job["method"], "k": job["k"], "n_frames": job["n_frames"]})
    start = job.get("start", "plain")
    # which of the cell's parameters start fresh (recorded: a fair comparison says what each method learns anew)
    probe = VideoQAModel(cfg)
    fresh = warm_start(probe, base["state_dict"]) if start != "scratch" else ["*"]
    if start == "fair":
        set_ = pass_through(probe)
        fresh = [n for n in fresh if not any(n.startswith(p) for p in set_)]
    del probe
    dev = device()
    t0 = time.time()
    model, losses = train(
        cfg,
        Encoded(tr, tok, cfg),
        job["steps"],
        job["batch"],
        job["lr"],
        job["seed"],
        init=None if start == "scratch" else base["state_dict"],
        fair=start == "fair",
        on=dev,
    )
    seconds = time.time() - t0
    r = evaluate(model, Encoded(te, tok, cfg))
    out = {
        **{k: job[k] for k in ("protocol", "protocols", "method", "k", "n_frames", "seed", "steps")},
        "base": job.get("base_index", 0),
        "start": start,
        "fresh": fresh,
        "device": str(dev),
        "decoder_tokens": cfg.decoder_tokens,
        "params": model.num_params(),
        "vision_params": sum(p.numel() for p in model.vision.parameters()),
        "correct": "".join("1" if p == y else "0" for p, y in zip(r["pred"], [it["answer"] for it in te.items])),
        "acc": r["acc"],
        "n_test": r["n"],
        "per_category": r["per_category"],
        "loss_first": sum(losses[:10]) / max(1, len(losses[:10])),
        "loss_last": sum(losses[-10:]) / max(1, len(losses[-10:])),
        "train_seconds": round(seconds, 1),
    }
    if job.get("save"):
        save_checkpoint(job["save"], model, tok, study_meta(job, r, base_steps=job["base_steps"]))
        out["checkpoint"] = job["save"]
    return out


def _mean_std(xs: list[float]) -> dict:
    return {
        "mean": statistics.fmean(xs),
        "std": statistics.stdev(xs) if len(xs) > 1 else 0.0,
        "n": len(xs),
    }


def summarise(runs: list[dict]) -> list[dict]:
    cells: dict[tuple, list[dict]] = {}
    for r in runs:
        for protocol in r.get("protocols", [r["protocol"]]):
            cells.setdefault((protocol, r["method"], r["k"], r["n_frames"]), []).append(r)
    out = []
    for (protocol, method, k, n), rs in cells.items():
        cats = sorted({c for r in rs for c in r["per_category"]})
        out.append(
            {
                "protocol": protocol,
                "method": method,
                "k": k,
                "n_frames": n,
                "decoder_tokens": rs[0]["decoder_tokens"],
                "params": rs[0]["params"],
                "vision_params": rs[0].get("vision_params"),
                "fresh": rs[0].get("fresh"),
                "seeds": sorted(r["seed"] for r in rs),
                "bases": sorted({r.get("base", 0) for r in rs}),
                "acc": _mean_std([r["acc"] for r in rs]),
                "per_category": {
                    c: _mean_std([r["per_category"][c] for r in rs if c in r["per_category"]]) for c in cats
                },
            }
        )
    out.sort(key=lambda c: (c["protocol"], c["k"], METHODS.index(c["method"])))
    return out


SHALLOW = ("pre-encoder", "pllava", "kangaroo", "qformer")
MOTION_CATEGORIES = ("Repetition Count", "Action Order")


def split_half(video_id: str) -> str:
    """`dev` or `test`: a fixed half of the clips (by a hash of the clip id), the same for every cell."""
    import hashlib

    return "dev" if hashlib.sha256(video_id.encode()).digest()[0] % 2 == 0 else "test"


def contrasts(runs: list[dict], test_items: list[dict], reps: int = 2000) -> dict:
    """Paired comparisons of TE Fusion against each method (module docstring), from the runs' per-item
    correctness. Runs without per-item records (version 1) are left out."""
    from .paired import holm, paired

    clusters = [it.get("video_id") or it["id"] for it in test_items]
    cats = [it["category"] for it in test_items]
    n = len(test_items)
    by: dict[tuple, list[list[int]]] = {}
    for r in runs:
        if len(r.get("correct", "")) != n:
            continue
        for protocol in r.get("protocols", [r["protocol"]]):
            by.setdefault((protocol, r["method"], r["k"]), []).append([int(c) for c in r["correct"]])

    def sub(rows: list[list[int]], keep: list[int]) -> list[list[int]]:
        return [[row[i] for i in keep] for row in rows]

    family = []
    for (protocol, method, k), te in sorted(by.items()):
        if method != "te-fusion" or k not in (4, 8, 16):
            continue
        for other in ("none", *SHALLOW):
            b = by.get((protocol, other, k))
            if not b:
                continue
            r = paired(te, b, clusters, reps)
            per_cat = {}
            for c in sorted(set(cats)):
                keep = [i for i in range(n) if cats[i] == c]
                x = paired(sub(te, keep), sub(b, keep), [clusters[i] for i in keep], reps)
                per_cat[c] = {"diff": x["diff"], "ci95": x["ci95"]}
            family.append({"protocol": protocol, "k": k, "a": "te-fusion", "b": other, **r, "per_category": per_cat})
    for f, p_adj in zip(family, holm([f["p"] for f in family])):
        f["p_holm"] = p_adj
    main = None
    te16 = by.get(("fixed-N", "te-fusion", 16))
    shallow = {m: by[("fixed-N", m, 16)] for m in SHALLOW if ("fixed-N", m, 16) in by}
    if te16 and shallow:
        motion = [i for i in range(n) if cats[i] in MOTION_CATEGORIES]
        dev = [i for i in motion if split_half(clusters[i]) == "dev"]
        test = [i for i in motion if split_half(clusters[i]) == "test"]

        def dev_acc(rows: list[list[int]]) -> float:
            return sum(sum(row[i] for i in dev) for row in rows) / max(1, len(rows) * len(dev))

        best = max(sorted(shallow), key=lambda m: dev_acc(shallow[m]))
        r = paired(sub(te16, test), sub(shallow[best], test), [clusters[i] for i in test], reps)
        main = {
            "preregistered": "fixed-N, k = 16, Repetition Count + Action Order: TE Fusion vs the best shallow method "
            "(chosen on the dev half of the clips), measured on the test half; not adjusted",
            "best_shallow": best,
            "dev_acc": {m: dev_acc(v) for m, v in shallow.items()},
            "dev_items": len(dev),
            **r,
        }
    return {"main": main, "family": family, "adjustment": "holm", "reps": reps}


# One colour per method in both panels (the fixed-L panel has no "none" curve).
COLORS = {m: f"C{i}" for i, m in enumerate(METHODS)}


def plot(summary: list[dict], path: str, chance: float | None = None) -> bool:
    """Accuracy vs k per method for both protocols; returns False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, protocol in zip(axes, ("fixed-L", "fixed-N")):
        cells = [c for c in summary if c["protocol"] == protocol]
        base = [c for c in cells if c["k"] == 1]
        for m in METHODS:
            pts = sorted((c["k"], c["acc"]["mean"] * 100, c["acc"]["std"] * 100) for c in cells if c["method"] == m and c["k"] > 1)
            if pts:
                ks, ys, es = zip(*pts)
                ax.errorbar(ks, ys, yerr=es, marker="o", capsize=3, label=m, color=COLORS[m])
        if base:
            b = base[0]["acc"]["mean"] * 100
            ax.axhline(b, color="#d48", ls=":", label=f"baseline k=1 (N={base[0]['n_frames']})")
        if chance is not None:
            ax.axhline(chance * 100, color="grey", ls="--", lw=0.8, label="chance")
        ax.set_xscale("log", base=2)
        ax.set_xticks([c["k"] for c in cells if c["k"] > 1])
        ax.set_xticklabels([str(c["k"]) for c in cells if c["k"] > 1])
        ax.minorticks_off()
        ax.set_xlabel("temporal compression ratio k")
        ax.set_title("fixed decoder length (N/k = 4)" if protocol == "fixed-L" else "fixed input (N = 16)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("held-out accuracy (%)")
    handles = {l: h for ax in axes for h, l in zip(*ax.get_legend_handles_labels())}
    axes[1].legend(handles.values(), handles.keys(), fontsize=7, loc="upper right", ncol=2)
    fig.suptitle("kinema compression study on the synthetic world (mean ± std over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def train_base(a: argparse.Namespace, path: str, index: int = 0) -> dict:
    """A pretrained stand-in: none, k = 1 at --base-frames N, trained from scratch with seed `index`."""
    import torch

    from .data import read_shard
    from .checkpoint import save_checkpoint
    from .train import Encoded, config_for, device, evaluate, train

    torch.set_num_threads(1)  # on 2 cores, 2 threads trained the base slower than 1 did
    tr, te = read_shard(a.train), read_shard(a.test)
    n = a.base_frames
    model_kw = (
        {"dim": 32, "dec_dim": 32, "enc_layers": 1, "dec_layers": 1}
        if a.quick
        else {"dim": a.dim, "dec_dim": a.dim, "enc_layers": a.enc_layers, "dec_layers": a.dec_layers}
    )
    cfg, tok = config_for(tr, [te], method="none", k=1, n_frames=n, **model_kw)
    t0 = time.time()
    model, losses = train(
        cfg, Encoded(tr, tok, cfg), a.base_steps, 8 if a.quick else a.batch, a.base_lr, index, on=device()
    )
    r = evaluate(model, Encoded(te, tok, cfg))
    info = {
        "method": "none",
        "k": 1,
        "n_frames": n,
        "steps": a.base_steps,
        "lr": a.base_lr,
        "seed": index,
        "params": model.num_params(),
        "acc": r["acc"],
        "per_category": r["per_category"],
        "loss_first": sum(losses[:10]) / max(1, len(losses[:10])),
        "loss_last": sum(losses[-10:]) / max(1, len(losses[-10:])),
        "train_seconds": round(time.time() - t0, 1),
    }
    save_checkpoint(path, model, tok, {"study_base": info})
    print(f"base {index} none k=1 N={n}: {a.base_steps} steps, held-out acc {r['acc']:.3f}", flush=True)
    return info


def chance_level(test_path: str) -> float:
    from .data import read_shard

    items = read_shard(test_path).items
    return sum(1 / len(it["options"]) for it in items) / len(items)


def chance_per_category(items: list[dict]) -> dict:
    per: dict[str, list[float]] = {}
    for it in items:
        per.setdefault(it["category"], []).append(1 / len(it["options"]))
    return {c: sum(v) / len(v) for c, v in sorted(per.items())}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="the compression study on kinema shards")
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true", help="tiny grid, few steps: checks the pipeline")
    p.add_argument("--seeds", type=int, help="training seeds per cell and base (default 5; 1 with --quick)")
    p.add_argument("--bases", type=int, help="base models, each from its own seed (default 2; 1 with --quick)")
    p.add_argument("--base-frames", type=int, help="frames the base is trained on (default 16; 2 with --quick)")
    p.add_argument("--start", choices=("fair", "plain", "scratch"), default="fair", help="how cells start")
    p.add_argument("--reps", type=int, default=2000, help="bootstrap resamples of the paired contrasts")
    p.add_argument("--base-steps", type=int, help="steps of the base model (default 4000; 12 with --quick)")
    p.add_argument("--base-lr", type=float, default=2e-3)
    p.add_argument("--steps", type=int, help="fine-tuning steps per cell (default 400; 12 with --quick)")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3, help="fine-tuning learning rate")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--dim", type=int, default=48, help="encoder and decoder width")
    p.add_argument("--enc-layers", type=int, default=2)
    p.add_argument("--dec-layers", type=int, default=2)
    p.add_argument("--save-builtins", help="directory for seed-0 checkpoints of the N=16, k=4 cells")
    p.add_argument("--train-source", default="")
    p.add_argument("--test-source", default="")
    a = p.parse_args(argv)
    a.seeds = a.seeds or (1 if a.quick else 5)
    a.bases = a.bases or (1 if a.quick else 2)
    a.base_frames = a.base_frames or (plan(True)[0]["n_frames"] if a.quick else 16)
    a.base_steps = a.base_steps or (12 if a.quick else 4000)
    a.steps = a.steps or (12 if a.quick else 400)
    os.makedirs(a.out, exist_ok=True)
    bases = []  # [(path, info)] per base index; base 0 keeps the version-1 names base.pt / base.json
    for b in range(a.bases):
        stem = "base" if b == 0 else f"base-{b}"
        base_path, base_json = os.path.join(a.out, f"{stem}.pt"), os.path.join(a.out, f"{stem}.json")
        if os.path.exists(base_path) and os.path.exists(base_json):  # resume: each base is trained once
            with open(base_json, encoding="utf8") as f:
                info = json.load(f)
        else:
            info = train_base(a, base_path, b)
            with open(base_json, "w", encoding="utf8") as f:
                json.dump(info, f, indent=1)
        bases.append((base_path, info))
    base_info = bases[0][1]
    runs_path = os.path.join(a.out, "runs.jsonl")
    done = set()
    runs: list[dict] = []
    if os.path.exists(runs_path):  # resume: a cut-short study continues where it stopped
        with open(runs_path, encoding="utf8") as f:
            for line in f:
                r = json.loads(line)
                runs.append(r)
                done.add((r["protocol"], r["method"], r["k"], r["n_frames"], r.get("base", 0), r["seed"]))
    jobs = []
    seen_builtin = set()
    by_config: dict[tuple, list[str]] = {}  # (method, k, N) -> protocols: fixed-L k=4 is fixed-N k=4
    for c in plan(a.quick):
        by_config.setdefault((c["method"], c["k"], c["n_frames"]), []).append(c["protocol"])
    # seed-major, then base: a partial study covers every cell before adding seeds
    for seed, b in ((s_, b_) for s_ in range(a.seeds) for b_ in range(a.bases)):
        base_path = bases[b][0]
        for c in plan(a.quick):
            protocols = by_config[(c["method"], c["k"], c["n_frames"])]
            if c["protocol"] != protocols[0]:
                continue  # the same model is trained once and reported under both protocols
            if (c["protocol"], c["method"], c["k"], c["n_frames"], b, seed) in done:
                continue
            c = {**c, "protocols": protocols}
            save = None
            key = (c["method"], c["k"], c["n_frames"])
            builtin = (c["n_frames"] == 16 and c["k"] == 4 and c["method"] != "none") or (c["k"] == 1 and c["n_frames"] == 4)
            if a.save_builtins and seed == 0 and b == 0 and builtin and key not in seen_builtin:
                seen_builtin.add(key)
                os.makedirs(a.save_builtins, exist_ok=True)
                save = os.path.join(a.save_builtins, f"{c['method']}-k{c['k']}.pt")
            jobs.append(
                {
                    **c,
                    "seed": seed,
                    "train": a.train,
                    "test": a.test,
                    "steps": a.steps,
                    "base": base_path,
                    "base_index": b,
                    "start": a.start,
                    "base_steps": a.base_steps,
                    "batch": 8 if a.quick else a.batch,
                    "lr": a.lr,
                    "save": save,
                    "train_source": a.train_source or a.train,
                    "test_source": a.test_source or a.test,
                }
            )
    t0 = time.time()
    with open(runs_path, "a", encoding="utf8") as log:
        if a.workers > 1 and len(jobs) > 1:
            with mp.get_context("fork").Pool(a.workers) as pool:
                for r in pool.imap_unordered(_run_one, jobs):
                    runs.append(r)
                    log.write(json.dumps(r) + "\n")
                    log.flush()
                    print(f"[{time.time() - t0:6.0f}s] {r['protocol']} {r['method']} k={r['k']} N={r['n_frames']} seed={r['seed']} acc={r['acc']:.3f}", flush=True)
        else:
            for j in jobs:
                r = _run_one(j)
                runs.append(r)
                log.write(json.dumps(r) + "\n")
                log.flush()
    from .data import read_shard

    summary = summarise(runs)
    chance = chance_level(a.test)
    test_items = read_shard(a.test).items
    result = {
        "version": 3,
        "quick": a.quick,
        "train": a.train_source or a.train,
        "test": a.test_source or a.test,
        "n_test": len(test_items),
        "seeds_planned": a.seeds,
        "bases_planned": a.bases,
        "start": a.start,
        "steps": a.steps,
        "lr": a.lr,
        "base": base_info,
        "bases": [info for _, info in bases],
        "chance": chance,
        "chance_per_category": chance_per_category(test_items),
        "runs": len(runs),
        "cells": summary,
        "contrasts": contrasts(runs, test_items, a.reps),
        "paper_table4": PAPER_TABLE4,
    }
    with open(os.path.join(a.out, "study.json"), "w", encoding="utf8") as f:
        json.dump(result, f, indent=1)
    plotted = plot(summary, os.path.join(a.out, "study.png"), chance)
    print(json.dumps({"out": a.out, "runs": len(runs), "cells": len(summary), "plot": plotted}))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
