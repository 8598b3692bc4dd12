"""Training of the STAB and encoder-baseline video QA models (py/kinema_py/stab.py): cross-entropy over the
options, plus the distillation loss from an encoder teacher, with train.py's recipe.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.stab_train --train SHARD --test SHARD --method encoder-baseline \\
      --steps 1500 --out teacher.pt
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.stab_train --train SHARD --test SHARD --method stab \\
      --teacher teacher.pt --steps 600 --out stab.pt
"""

from __future__ import annotations

import argparse
import json
import time

import torch
import torch.nn.functional as F

from .checkpoint import load_checkpoint, save_checkpoint
from .data import read_shard
from .stab import (
    METHODS,
    DistillHead,
    STABConfig,
    STABVideoQA,
    cosine_distill_loss,
    decoder_states,
    teacher_targets,
    warm_start_decoder,
)
from .train import Encoded, adamw_cosine, config_for, evaluate, optimizer_step, seed_everything


def train_stab(
    cfg: STABConfig,
    data,
    steps: int,
    batch: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    init: dict | None = None,
    init_decoder: dict | None = None,
    teacher: STABVideoQA | None = None,
    distill_weight: float = 1.0,
    log_every: int = 0,
) -> tuple[STABVideoQA, list[dict]]:
    """Cross-entropy over the options (+ distill_weight x the distillation loss when a teacher is given), AdamW
    β2 .95, warm-up + cosine, grad clip 1, the recipe of train.train. No augmentation: upstream's random
    horizontal flip would swap left and right in the motion labels. init: a whole state_dict (fine-tuning);
    init_decoder: only the decoder's weights. Returns the model and per-step losses."""
    seed_everything(seed)
    model = STABVideoQA(cfg)
    if init is not None:
        model.load_state_dict(init)
    elif init_decoder is not None:
        warm_start_decoder(model, init_decoder)
    head = None
    params = list(model.parameters())
    if teacher is not None and distill_weight > 0:
        assert cfg.method == "stab", "distillation targets STAB's grid tokens"
        teacher.eval()
        for p in teacher.parameters():
            p.requires_grad_(False)
        head = DistillHead(cfg.dec_dim, teacher.cfg.enc_dim, cfg.dec_layers + 1, heads=cfg.heads)
        params += list(head.parameters())
        pos = model.vision.grid_positions()
    opt, sched = adamw_cosine(params, lr, steps)
    gen = torch.Generator().manual_seed(seed)
    n = len(data)
    log = []
    model.train()
    for step in range(steps):
        idx = torch.randint(0, n, (min(batch, n),), generator=gen)
        frames, q, o, y = data.frames_of(idx), data.q[idx], data.opts[idx], data.labels[idx]
        if head is not None:
            logits, states = decoder_states(model, frames, q, o)
            dl = cosine_distill_loss(head(states[:, pos]), teacher_targets(teacher, frames, cfg.lsd_grid))
        else:
            logits, dl = model(frames, q, o), torch.zeros(())
        ce = F.cross_entropy(logits, y)
        loss = ce + distill_weight * dl
        optimizer_step(opt, sched, loss, params)
        log.append({"ce": ce.item(), "distill": dl.item()})
        if log_every and (step % log_every == 0 or step == steps - 1):
            print(f"step {step:5d} ce {ce.item():.4f} distill {dl.item():.4f}", flush=True)
    model.eval()
    return model, log


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="train a STAB or encoder-baseline video QA model on kinema shards")
    p.add_argument("--train", required=True)
    p.add_argument("--test")
    p.add_argument("--method", default="stab", choices=METHODS)
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--teacher", help="encoder-baseline checkpoint: distillation teacher and decoder to start from")
    p.add_argument("--distill-weight", type=float, default=1.0)
    p.add_argument("--finetune", help="checkpoint whose whole state starts this run (same config)")
    p.add_argument("--set", action="append", default=[], help="config override KEY=VALUE (ablations)")
    p.add_argument("--out")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    tr = read_shard(a.train)
    te = read_shard(a.test) if a.test else None
    base_cfg, tok = config_for(tr, [te] if te else [])
    over = {k: json.loads(v) if v not in ("attention", "avg", "channel", "scalar") else v for k, v in (s.split("=", 1) for s in a.set)}
    shared = {f: getattr(base_cfg, f) for f in ("vocab_size", "image_size", "max_q", "max_opt", "max_options")}
    teacher = None
    init = init_decoder = None
    if a.teacher:
        teacher, tok, _ = load_checkpoint(a.teacher)
        shared = {f: getattr(teacher.cfg, f) for f in ("vocab_size", "image_size", "max_q", "max_opt", "max_options")}
        init_decoder = teacher.state_dict()
    if a.finetune:
        ft, tok, _ = load_checkpoint(a.finetune)
        init = ft.state_dict()
        cfg = ft.cfg
    else:
        cfg = STABConfig(method=a.method, n_frames=a.frames, **shared, **over)
    t0 = time.time()
    model, log = train_stab(
        cfg, Encoded(tr, tok, cfg), a.steps, a.batch, a.lr, a.seed, init=init, init_decoder=init_decoder,
        teacher=teacher if a.method == "stab" else None, distill_weight=a.distill_weight, log_every=100,
    )
    meta = {"train": a.train, "seed": a.seed, "steps": a.steps, "train_seconds": round(time.time() - t0, 1)}
    if te:
        r = evaluate(model, Encoded(te, tok, cfg))
        meta.update(test=a.test, test_acc=r["acc"], per_category=r["per_category"])
    print(json.dumps({**meta, "params": model.num_params(), "vision_params": model.vision_params()}))
    if a.out:
        save_checkpoint(a.out, model, tok, meta)


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
