"""Video-Panda's ablations (paper Tables 4, 5, 9) at small scale: STAB against an encoder baseline at one decoder.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.stab_study --train SHARD --test SHARD --out DIR [--quick]
      [--seeds 1] [--teacher-builtin models/none-k1] [--steps 150] [--save-builtins DIR]
First the teacher (DIR/teacher.pt): the encoder baseline (ViT per frame + Video-ChatGPT pooling) built from a
kinema encoder model trained first, the compression study's none-k1 built-in (--teacher-builtin models/none-k1:
its encoder and decoder read back from the ONNX graph), or trained from scratch without --teacher-builtin. It
stands in for both of the paper's pretrained parts: its decoder is the "LLM" every cell starts from, and its
encoder's patch features are the distillation target (the paper's LanguageBind). Then every cell is
trained --steps with each seed, one process at a time: `encoder-baseline` fine-tunes the whole teacher (an
encoder-based model keeps its pretrained encoder); the STAB cells get a fresh STAB, the teacher's decoder and the
distillation loss (weight 1) unless the cell drops it. Runs are appended to DIR/runs.jsonl (resumable) and
summarised into DIR/study.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

# name -> STABConfig overrides (+ "distill": False); paper Table 4 (modules), Table 9 (LSD), Table 5 (distillation)
CELLS: dict[str, dict] = {
    "encoder-baseline": {"method": "encoder-baseline"},
    "stab": {},
    "no-lsd": {"lsd": "avg"},
    "no-gstra": {"gstra": False},
    "no-lste": {"lste": False},
    "scalar-alpha": {"alpha": "scalar"},
    "no-distill": {"distill": False},
}

# The paper's accuracy (%) on MSVD-QA / ActivityNet-QA for the same rows; scalar α is not in the paper.
PAPER = {
    "stab": {"row": "Video-Panda", "MSVD-QA": 64.7, "ActivityNet-QA": 40.0},
    "no-lsd": {"row": "w/o LSD (avg pool), Tables 4 and 9", "MSVD-QA": 58.0, "ActivityNet-QA": 38.1},
    "no-gstra": {"row": "w/o GSTRA, Table 4", "MSVD-QA": 63.0, "ActivityNet-QA": 38.2},
    "no-lste": {"row": "w/o LSTE, Table 4", "MSVD-QA": 63.6, "ActivityNet-QA": 39.4},
    "no-distill": {"row": "w/o distillation, Table 5", "MSVD-QA": 63.1, "ActivityNet-QA": 39.8},
    "encoder-baseline": {"row": "Video-ChatGPT (307M encoder), Table 1", "MSVD-QA": 64.9, "ActivityNet-QA": 35.2},
}

QUICK_SIZES = dict(dim=16, heads=2, enc_dim=16, enc_layers=1, dec_dim=16, dec_layers=1)


def _shared(cfg) -> dict:
    return {f: getattr(cfg, f) for f in ("vocab_size", "image_size", "max_q", "max_opt", "max_options")}


def train_teacher(a: argparse.Namespace, path: str) -> dict:
    import torch

    from .data import read_shard
    from .checkpoint import save_checkpoint
    from .stab import STABConfig
    from .stab_train import train_stab
    from .train import Encoded, config_for, evaluate

    torch.set_num_threads(1)
    tr, te = read_shard(a.train), read_shard(a.test)
    base, tok = config_for(tr, [te])
    sizes = QUICK_SIZES if a.quick else {}
    cfg = STABConfig(method="encoder-baseline", n_frames=a.frames, **_shared(base), **sizes)
    t0 = time.time()
    model, log = train_stab(cfg, Encoded(tr, tok, cfg), a.teacher_steps, a.batch, a.teacher_lr, 0, log_every=a.log_every)
    r = evaluate(model, Encoded(te, tok, cfg))
    info = {
        "method": "encoder-baseline",
        "n_frames": cfg.n_frames,
        "steps": a.teacher_steps,
        "lr": a.teacher_lr,
        "acc": r["acc"],
        "per_category": r["per_category"],
        "params": model.num_params(),
        "vision_params": model.vision_params(),
        "loss_first": statistics.fmean(x["ce"] for x in log[:10]),
        "loss_last": statistics.fmean(x["ce"] for x in log[-10:]),
        "train_seconds": round(time.time() - t0, 1),
    }
    save_checkpoint(path, model, tok, {"study_teacher": info})
    print(f"teacher encoder-baseline: {a.teacher_steps} steps, held-out acc {r['acc']:.3f}", flush=True)
    return info


def builtin_teacher(a: argparse.Namespace, path: str) -> dict:
    """The teacher from a shipped built-in (none, k=1): its encoder and decoder, read from its ONNX graph."""
    import hashlib

    import torch

    from .checkpoint import save_checkpoint
    from .stab import teacher_from_builtin

    torch.set_num_threads(1)
    torch.manual_seed(0)  # the fresh Video-ChatGPT projector
    model, tok, spec = teacher_from_builtin(a.teacher_builtin, n_frames=a.frames)
    with open(a.teacher_builtin + ".onnx", "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()[:16]
    info = {
        "method": "encoder-baseline",
        "source": f"builtin:{spec['name']}",
        "weights": sha,
        "trained_on": spec.get("trained_on", ""),
        "builtin_test_acc": spec.get("test_acc"),
        "builtin_test_on": spec.get("test_on"),
        "n_frames": a.frames,
        "steps": 0,
        "acc": None,
        "params": model.num_params(),
        "vision_params": model.vision_params(),
    }
    save_checkpoint(path, model, tok, {"study_teacher": info})
    print(f"teacher: encoder and decoder of builtin:{spec['name']} ({sha})", flush=True)
    return info


def run_cell(job: dict) -> dict:
    import torch

    from .data import read_shard
    from .checkpoint import load_checkpoint, save_checkpoint, study_meta
    from .stab import STABConfig
    from .stab_train import train_stab
    from .train import Encoded, evaluate

    torch.set_num_threads(1)
    tr, te = read_shard(job["train"]), read_shard(job["test"])
    teacher, tok, _ = load_checkpoint(job["teacher"])
    over = dict(CELLS[job["cell"]])
    distill = over.pop("distill", True)
    if over.get("method") == "encoder-baseline":
        cfg, init, init_dec, t = teacher.cfg, teacher.state_dict(), None, None
    else:
        tc = teacher.cfg
        sizes = {f: getattr(tc, f) for f in ("heads", "dec_dim", "dec_layers")}
        if job["quick"]:
            sizes["dim"] = QUICK_SIZES["dim"]
        cfg = STABConfig(method="stab", n_frames=tc.n_frames, **_shared(tc), **sizes, **over)
        init, init_dec, t = None, teacher.state_dict(), (teacher if distill else None)
    t0 = time.time()
    model, log = train_stab(
        cfg, Encoded(tr, tok, cfg), job["steps"], job["batch"], job["lr"], job["seed"], init=init,
        init_decoder=init_dec, teacher=t, log_every=job["log_every"],
    )
    seconds = time.time() - t0
    r = evaluate(model, Encoded(te, tok, cfg))
    out = {
        "cell": job["cell"],
        "method": cfg.method,
        "seed": job["seed"],
        "steps": job["steps"],
        "distill": t is not None,
        "config": {k: getattr(cfg, k) for k in ("lsd", "gstra", "lste", "alpha", "row_tokens")} if cfg.method == "stab" else {},
        "decoder_tokens": cfg.decoder_tokens,
        "params": model.num_params(),
        "vision_params": model.vision_params(),
        "acc": r["acc"],
        "n_test": r["n"],
        "per_category": r["per_category"],
        "ce_first": statistics.fmean(x["ce"] for x in log[:10]),
        "ce_last": statistics.fmean(x["ce"] for x in log[-10:]),
        "distill_first": statistics.fmean(x["distill"] for x in log[:10]),
        "distill_last": statistics.fmean(x["distill"] for x in log[-10:]),
        "train_seconds": round(seconds, 1),
    }
    if job.get("save"):
        save_checkpoint(job["save"], model, tok, study_meta(job, r, teacher_steps=job["teacher_steps"]))
        out["checkpoint"] = job["save"]
    return out


def _mean_std(xs: list[float]) -> dict:
    return {"mean": statistics.fmean(xs), "std": statistics.stdev(xs) if len(xs) > 1 else 0.0, "n": len(xs)}


def summarise(runs: list[dict]) -> list[dict]:
    by: dict[str, list[dict]] = {}
    for r in runs:
        by.setdefault(r["cell"], []).append(r)
    out = []
    for name in CELLS:
        rs = by.get(name)
        if not rs:
            continue
        cats = sorted({c for r in rs for c in r["per_category"]})
        out.append(
            {
                "name": name,
                "method": rs[0]["method"],
                "distill": rs[0]["distill"],
                "config": rs[0]["config"],
                "params": rs[0]["params"],
                "vision_params": rs[0]["vision_params"],
                "decoder_tokens": rs[0]["decoder_tokens"],
                "seeds": sorted(r["seed"] for r in rs),
                "acc": _mean_std([r["acc"] for r in rs]),
                "per_category": {c: _mean_std([r["per_category"][c] for r in rs if c in r["per_category"]]) for c in cats},
            }
        )
    return out


def chance_level(test_path: str) -> float:
    from .data import read_shard

    items = read_shard(test_path).items
    return sum(1 / len(it["options"]) for it in items) / len(items)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Video-Panda's STAB ablations on kinema shards")
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true", help="tiny models, a few steps: checks the pipeline")
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--teacher-builtin", help="models/NAME of a none-k1 built-in: the teacher's encoder and decoder")
    p.add_argument("--teacher-steps", type=int, help="without --teacher-builtin: steps of the teacher from scratch (default 1500; 6 with --quick)")
    p.add_argument("--teacher-lr", type=float, default=2e-3)
    p.add_argument("--steps", type=int, help="steps per cell (default 150; 6 with --quick)")
    p.add_argument("--batch", type=int, help="default 16 (8 with --quick)")
    p.add_argument("--lr", type=float, default=1e-3, help="every cell's learning rate (the compression study's fine-tuning lr)")
    p.add_argument("--cells", help="comma-separated subset of " + ",".join(CELLS))
    p.add_argument("--save-builtins", help="directory for the seed-0 checkpoints of stab and encoder-baseline")
    p.add_argument("--train-source", default="")
    p.add_argument("--test-source", default="")
    p.add_argument("--log-every", type=int, default=0)
    a = p.parse_args(argv)
    a.teacher_steps = a.teacher_steps or (6 if a.quick else 1500)
    a.steps = a.steps or (6 if a.quick else 150)
    a.batch = a.batch or (8 if a.quick else 16)
    cells = a.cells.split(",") if a.cells else list(CELLS)
    for c in cells:
        if c not in CELLS:
            p.error(f"--cells: unknown cell {c!r} (known: {', '.join(CELLS)})")
    os.makedirs(a.out, exist_ok=True)
    teacher_path = os.path.join(a.out, "teacher.pt")
    teacher_json = os.path.join(a.out, "teacher.json")
    if os.path.exists(teacher_path) and os.path.exists(teacher_json):  # resume: the teacher is trained once
        with open(teacher_json, encoding="utf8") as f:
            teacher = json.load(f)
    else:
        teacher = builtin_teacher(a, teacher_path) if a.teacher_builtin else train_teacher(a, teacher_path)
        with open(teacher_json, "w", encoding="utf8") as f:
            json.dump(teacher, f, indent=1)
    runs_path = os.path.join(a.out, "runs.jsonl")
    runs: list[dict] = []
    if os.path.exists(runs_path):
        with open(runs_path, encoding="utf8") as f:
            runs = [json.loads(line) for line in f if line.strip()]
    done = {(r["cell"], r["seed"]) for r in runs}
    t0 = time.time()
    with open(runs_path, "a", encoding="utf8") as log:
        for seed in range(a.seeds):  # seed-major: a cut-short study has every cell once before repeats
            for c in cells:
                if (c, seed) in done:
                    continue
                save = None
                if a.save_builtins and seed == 0 and c in ("stab", "encoder-baseline"):
                    os.makedirs(a.save_builtins, exist_ok=True)
                    save = os.path.join(a.save_builtins, f"{c}.pt")
                r = run_cell(
                    {
                        "cell": c, "seed": seed, "train": a.train, "test": a.test, "teacher": teacher_path,
                        "steps": a.steps, "batch": a.batch, "lr": a.lr, "quick": a.quick, "save": save,
                        "teacher_steps": a.teacher_steps, "log_every": a.log_every,
                        "train_source": a.train_source or a.train, "test_source": a.test_source or a.test,
                    }
                )
                runs.append(r)
                log.write(json.dumps(r) + "\n")
                log.flush()
                print(f"[{time.time() - t0:6.0f}s] {c} seed={seed} acc={r['acc']:.3f} ({r['train_seconds']}s)", flush=True)
    result = {
        "version": 1,
        "quick": a.quick,
        "train": a.train_source or a.train,
        "test": a.test_source or a.test,
        "seeds_planned": a.seeds,
        "n_frames": a.frames,
        "steps": a.steps,
        "batch": a.batch,
        "lr": a.lr,
        "teacher": teacher,
        "chance": chance_level(a.test),
        "runs": len(runs),
        "cells": summarise(runs),
        "paper": PAPER,
    }
    with open(os.path.join(a.out, "study.json"), "w", encoding="utf8") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({"out": a.out, "runs": len(runs), "cells": len(result["cells"])}))


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
