"""The object-model study (VideoRefer Tables 5 and 7 at small scale, plus region tokens vs set-of-mark frames):
every cell is trained from scratch on one region shard and evaluated on a held-out one in both Bench-Q modes.

Cells: `u1`, `u2`, `u4`, `u8` (region tokens, TTM union u at fixed k = n_frames; Table 7) and `som` (the same
backbone without region input, on frames with set-of-mark contours; the paper's GPT-4o + SoM comparison).
Table 5 (single-frame vs multi-frame mode) is every cell's two evaluations.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.object_study --train SHARD --test SHARD --steps 400 --out study.json
"""

from __future__ import annotations

import argparse
import json
import os
import time

import torch

from .object_train import MODES, RegionShard, evaluate, make_config, train

CELLS = ("u1", "u2", "u4", "u8", "som")


def cell_kwargs(name: str, k: int) -> dict:
    if name == "som":
        return {"u": 1, "regions": False}
    u = int(name[1:])
    assert u <= k, f"cell {name}: u must be at most k={k}"
    return {"u": u, "regions": True}


def load_done(path: str | None, steps: int) -> list[dict]:
    """Records of cells already trained with these steps (one JSON line each), so a stopped study resumes."""
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    return [r for r in recs if r.get("steps_asked") == steps]


def run(train_path: str, test_path: str, cells: list[str], steps: int, seeds: list[int], batch: int, lr: float,
        model_kw: dict, max_seconds: float | None, log=print, resume: str | None = None) -> dict:
    tr, te = RegionShard(train_path), RegionShard(test_path)
    done = {(r["cell"], r["seed"]): r for r in load_done(resume, steps)}
    out = []
    for name in cells:
        for seed in seeds:
            if (name, seed) in done:
                out.append(done[(name, seed)])
                log(json.dumps({"cell": name, "seed": seed, "resumed": True}), flush=True)
                continue
            cfg, tok = make_config(tr, [te], **cell_kwargs(name, tr.n_frames), **model_kw)
            t0 = time.time()
            model, stats = train(cfg, tok, tr, steps, batch, lr, seed, MODES, max_seconds)
            ev = {m: evaluate(model, tok, te, m) for m in MODES}
            rec = {
                "cell": name,
                "seed": seed,
                "u": cfg.u if cfg.regions else None,
                "k": cfg.n_frames,
                "regions": cfg.regions,
                "params": model.num_params(),
                "decoder_tokens": cfg.decoder_tokens,
                **stats,
                "seconds": time.time() - t0,
                "eval": ev,
                "steps_asked": steps,
            }
            out.append(rec)
            if resume:
                with open(resume, "a", encoding="utf8") as f:
                    f.write(json.dumps(rec) + "\n")
            log(json.dumps({"cell": name, "seed": seed, **{m: round(ev[m]["acc"], 4) for m in MODES},
                            "steps": stats["steps_done"]}), flush=True)
    return {
        "train": train_path,
        "test": test_path,
        "n_train": len(tr.items),
        "n_test": len(te.items),
        "chance": evaluate_chance(te),
        "steps": steps,
        "batch": batch,
        "lr": lr,
        "model": model_kw,
        "runs": out,
    }


def evaluate_chance(shard: RegionShard) -> float:
    return sum(1 / len(it["options"]) for it in shard.items) / len(shard.items)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="VideoRefer object-model study cells")
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--cells", default=",".join(CELLS))
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--seeds", default="0")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--dim", type=int, default=48)
    p.add_argument("--dec-dim", type=int, default=64)
    p.add_argument("--patch", type=int, default=8)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--max-seconds", type=float)
    p.add_argument("--out", required=True)
    p.add_argument("--resume", help="JSON-lines file of finished cells: skipped on a rerun, new ones appended")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    kw = {"dim": a.dim, "dec_dim": a.dec_dim, "patch": a.patch, "enc_layers": a.layers, "dec_layers": a.layers}
    r = run(a.train, a.test, a.cells.split(","), a.steps, [int(s) for s in a.seeds.split(",")], a.batch, a.lr, kw,
            a.max_seconds, resume=a.resume)
    with open(a.out, "w", encoding="utf8") as f:
        json.dump(r, f, indent=1)


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
