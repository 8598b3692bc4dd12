"""MotionBench's compression study (seed 001 §5.2) at small scale: every method, two protocols, several seeds.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.study --train SHARD --test SHARD --out DIR [--quick]
      [--seeds 3] [--base-steps 4000] [--steps 400] [--workers 2] [--save-builtins DIR]
Like the paper, which adds each compressor to the pretrained GLM-4V-9B and fine-tunes, the study first trains
one base model without temporal compression (none, k = 1, N = 4 frames; DIR/base.pt), then warm-starts every
cell from it (train.warm_start) and fine-tunes --steps with each training seed. The k = 1 baselines are
fine-tuned from the base the same way, so every cell has had the same training.
Protocol fixed-L: N/k = 4 (k = 1, 2, 4 -> N = 4, 8, 16), so every cell has the same decoder length.
Protocol fixed-N: N = 16 (k = 1, 2, 4, 8, 16). k = 1 is the uncompressed baseline (all methods coincide).
Results are appended run by run to DIR/runs.jsonl (so a cut-short study still has data), then summarised
into DIR/study.json (mean ± std per cell and per category) and drawn into DIR/study.png.
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
        # k = 8 at fixed L needs N = 32 frames through the encoder: not affordable on 2 CPU cores in 2 h
        grid = {"fixed-L": [(1, 4), (2, 8), (4, 16)], "fixed-N": [(1, 16), (2, 16), (4, 16), (8, 16), (16, 16)]}
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
    from .model import ModelConfig
    from .train import Encoded, evaluate, save_checkpoint, train

    torch.set_num_threads(1)  # one thread per worker: on a shared 2-core machine 2 threads contend badly
    tr, te = read_shard(job["train"]), read_shard(job["test"])
    base = torch.load(job["base"], map_location="cpu")
    tok = Tokenizer(base["vocab"])
    cfg = ModelConfig(**{**base["config"], "method": job["method"], "k": job["k"], "n_frames": job["n_frames"]})
    t0 = time.time()
    model, losses = train(
        cfg, Encoded(tr, tok, cfg), job["steps"], job["batch"], job["lr"], job["seed"], init=base["state_dict"]
    )
    seconds = time.time() - t0
    r = evaluate(model, Encoded(te, tok, cfg))
    out = {
        **{k: job[k] for k in ("protocol", "protocols", "method", "k", "n_frames", "seed", "steps")},
        "decoder_tokens": cfg.decoder_tokens,
        "params": model.num_params(),
        "acc": r["acc"],
        "n_test": r["n"],
        "per_category": r["per_category"],
        "loss_first": sum(losses[:10]) / max(1, len(losses[:10])),
        "loss_last": sum(losses[-10:]) / max(1, len(losses[-10:])),
        "train_seconds": round(seconds, 1),
    }
    if job.get("save"):
        meta = {
            "trained_on": job["train_source"],
            "test_on": job["test_source"],
            "test_acc": r["acc"],
            "per_category": r["per_category"],
            "seed": job["seed"],
            "steps": job["steps"],
            "base_steps": job["base_steps"],
        }
        save_checkpoint(job["save"], model, tok, meta)
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
                "seeds": sorted(r["seed"] for r in rs),
                "acc": _mean_std([r["acc"] for r in rs]),
                "per_category": {
                    c: _mean_std([r["per_category"][c] for r in rs if c in r["per_category"]]) for c in cats
                },
            }
        )
    out.sort(key=lambda c: (c["protocol"], c["k"], METHODS.index(c["method"])))
    return out


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


def train_base(a: argparse.Namespace, path: str) -> dict:
    """The pretrained stand-in: none, k = 1 at the fixed-L baseline's N, trained from scratch once."""
    import torch

    from .data import read_shard
    from .train import Encoded, config_for, evaluate, save_checkpoint, train

    torch.set_num_threads(1)  # on 2 cores, 2 threads trained the base slower than 1 did
    tr, te = read_shard(a.train), read_shard(a.test)
    n = plan(a.quick)[0]["n_frames"]
    model_kw = (
        {"dim": 32, "dec_dim": 32, "enc_layers": 1, "dec_layers": 1}
        if a.quick
        else {"dim": a.dim, "dec_dim": a.dim, "enc_layers": a.enc_layers, "dec_layers": a.dec_layers}
    )
    cfg, tok = config_for(tr, [te], method="none", k=1, n_frames=n, **model_kw)
    t0 = time.time()
    model, losses = train(cfg, Encoded(tr, tok, cfg), a.base_steps, 8 if a.quick else a.batch, a.base_lr, 0)
    r = evaluate(model, Encoded(te, tok, cfg))
    info = {
        "method": "none",
        "k": 1,
        "n_frames": n,
        "steps": a.base_steps,
        "lr": a.base_lr,
        "seed": 0,
        "acc": r["acc"],
        "per_category": r["per_category"],
        "loss_first": sum(losses[:10]) / max(1, len(losses[:10])),
        "loss_last": sum(losses[-10:]) / max(1, len(losses[-10:])),
        "train_seconds": round(time.time() - t0, 1),
    }
    save_checkpoint(path, model, tok, {"study_base": info})
    print(f"base none k=1 N={n}: {a.base_steps} steps, held-out acc {r['acc']:.3f}", flush=True)
    return info


def chance_level(test_path: str) -> float:
    from .data import read_shard

    items = read_shard(test_path).items
    return sum(1 / len(it["options"]) for it in items) / len(items)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="the compression study on kinema shards")
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true", help="tiny grid, few steps: checks the pipeline")
    p.add_argument("--seeds", type=int, help="training seeds per cell (default 3; 1 with --quick)")
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
    a.seeds = a.seeds or (1 if a.quick else 3)
    a.base_steps = a.base_steps or (12 if a.quick else 4000)
    a.steps = a.steps or (12 if a.quick else 400)
    os.makedirs(a.out, exist_ok=True)
    base_path = os.path.join(a.out, "base.pt")
    base_json = os.path.join(a.out, "base.json")
    if os.path.exists(base_path) and os.path.exists(base_json):  # resume: the base is trained once
        with open(base_json, encoding="utf8") as f:
            base_info = json.load(f)
    else:
        base_info = train_base(a, base_path)
        with open(base_json, "w", encoding="utf8") as f:
            json.dump(base_info, f, indent=1)
    runs_path = os.path.join(a.out, "runs.jsonl")
    done = set()
    runs: list[dict] = []
    if os.path.exists(runs_path):  # resume: a cut-short study continues where it stopped
        with open(runs_path, encoding="utf8") as f:
            for line in f:
                r = json.loads(line)
                runs.append(r)
                done.add((r["protocol"], r["method"], r["k"], r["n_frames"], r["seed"]))
    jobs = []
    seen_builtin = set()
    by_config: dict[tuple, list[str]] = {}  # (method, k, N) -> protocols: fixed-L k=4 is fixed-N k=4
    for c in plan(a.quick):
        by_config.setdefault((c["method"], c["k"], c["n_frames"]), []).append(c["protocol"])
    for seed in range(a.seeds):  # seed-major: a partial study covers every cell before adding seeds
        for c in plan(a.quick):
            protocols = by_config[(c["method"], c["k"], c["n_frames"])]
            if c["protocol"] != protocols[0]:
                continue  # the same model is trained once and reported under both protocols
            if (c["protocol"], c["method"], c["k"], c["n_frames"], seed) in done:
                continue
            c = {**c, "protocols": protocols}
            save = None
            key = (c["method"], c["k"], c["n_frames"])
            builtin = (c["n_frames"] == 16 and c["k"] == 4 and c["method"] != "none") or (c["k"] == 1 and c["n_frames"] == 4)
            if a.save_builtins and seed == 0 and builtin and key not in seen_builtin:
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
    summary = summarise(runs)
    chance = chance_level(a.test)
    result = {
        "version": 2,
        "quick": a.quick,
        "train": a.train_source or a.train,
        "test": a.test_source or a.test,
        "seeds_planned": a.seeds,
        "steps": a.steps,
        "lr": a.lr,
        "base": base_info,
        "chance": chance,
        "runs": len(runs),
        "cells": summary,
        "paper_table4": PAPER_TABLE4,
    }
    with open(os.path.join(a.out, "study.json"), "w", encoding="utf8") as f:
        json.dump(result, f, indent=1)
    plotted = plot(summary, os.path.join(a.out, "study.png"), chance)
    print(json.dumps({"out": a.out, "runs": len(runs), "cells": len(summary), "plot": plotted}))


if __name__ == "__main__":
    main()
