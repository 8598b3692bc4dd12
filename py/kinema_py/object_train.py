"""Train, evaluate and export the object model on region shards (`kinema shards --kind videorefer`).

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.object_train --train SHARD --test SHARD --u 4 --steps 1500 \\
      --out ckpt.pt [--no-regions]   # --no-regions: same backbone on set-of-mark frames, masks unused
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.object_train --export ckpt.pt --name videorefer-u4 \\
      --test SHARD --models models/   # ONNX + sidecar + parity fixture, and models/index.json
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import time
from collections import defaultdict

import numpy as np
import torch
import torch.nn.functional as F

from .data import Tokenizer, words
from .export import sidecar
from .object_model import REGION, REGION_RE, ObjectConfig, ObjectQAModel, config_from_dict, encode_question
from .train import adamw_cosine, optimizer_step, seed_everything

MODES = ("single", "multi")


class RegionShard:
    """A region shard read into memory: both modes' frames and masks, questions encoded for one config."""

    def __init__(self, path: str):
        with open(os.path.join(path, "questions.json"), encoding="utf8") as f:
            meta = json.load(f)
        self.path = path
        self.items = meta["items"]
        self.n_frames = meta["n_frames"]
        self.size = meta["size"]
        self.objects = meta["objects"]
        load = lambda n: np.load(os.path.join(path, n)) if os.path.exists(os.path.join(path, n)) else None  # noqa: E731
        self.frames, self.masks = load("frames.npy"), load("masks.npy")
        self.frames1, self.masks1 = load("frames_single.npy"), load("masks_single.npy")
        self.frames_som, self.frames1_som = load("frames_som.npy"), load("frames_single_som.npy")
        Q = len(self.items)
        assert self.frames.shape[0] == Q and self.masks.shape[:3] == (Q, self.objects, self.n_frames), (
            f"{path}: frames/masks do not match questions.json"
        )

    def mode_tensors(self, mode: str, som: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """frames (Q, N, S, S, 3) and masks (Q, O, N, S, S) as the adapter feeds them in this mode."""
        if som and self.frames_som is None:
            raise ValueError(f"{self.path}: no set-of-mark frames (write the shard with --som)")
        if mode == "multi":
            f = self.frames_som if som else self.frames
            return torch.from_numpy(f), torch.from_numpy(self.masks)
        f1 = self.frames1_som if som else self.frames1
        N = self.n_frames
        f = torch.from_numpy(f1).unsqueeze(1).expand(-1, N, -1, -1, -1)
        m = torch.from_numpy(self.masks1).unsqueeze(2).expand(-1, -1, N, -1, -1)
        return f, m


def build_tokenizer(items: list[dict]) -> Tokenizer:
    texts = [REGION_RE.sub(lambda m: f" object{m.group(1) or ''} ", it["question"]) for it in items]
    texts += [o for it in items for o in it["options"]]
    tok = Tokenizer.build(texts)
    return Tokenizer([*tok.vocab, REGION])


def encode(tok: Tokenizer, cfg: ObjectConfig, items: list[dict]):
    """-> q_ids, q_region (Q, max_q), opt_ids (Q, max_options, max_opt), labels (Q,)."""
    qs = [encode_question(tok, it["question"], cfg.u, cfg.max_q, cfg.regions) for it in items]
    q = torch.tensor([a for a, _ in qs], dtype=torch.long)
    r = torch.tensor([b for _, b in qs], dtype=torch.long)
    opts = []
    for it in items:
        rows = [tok.encode(o, cfg.max_opt) for o in it["options"]]
        rows = [x if any(x) else [1] + x[1:] for x in rows]
        opts.append(rows + [[0] * cfg.max_opt] * (cfg.max_options - len(rows)))
    return q, r, torch.tensor(opts, dtype=torch.long), torch.tensor([it["answer"] for it in items])


def make_config(train: RegionShard, others: list[RegionShard], **kw) -> tuple[ObjectConfig, Tokenizer]:
    tok = build_tokenizer(train.items)
    every = [it for s in [train, *others] for it in s.items]
    u = kw.get("u", ObjectConfig.u)
    regions = kw.get("regions", True)
    max_q = max(
        sum(1 for x in encode_question(tok, it["question"], u, 256, regions)[0] if x != 0) for it in every
    )
    max_opt = max(len(words(o)) for it in every for o in it["options"])
    cfg = ObjectConfig(
        vocab_size=len(tok.vocab),
        n_frames=train.n_frames,
        image_size=train.size,
        max_objects=train.objects,
        max_q=max_q,
        max_opt=max(1, max_opt),
        max_options=max(len(it["options"]) for it in every),
        **kw,
    )
    return cfg, tok


@torch.no_grad()
def evaluate(model: ObjectQAModel, tok: Tokenizer, shard: RegionShard, mode: str, batch: int = 64) -> dict:
    model.eval()
    cfg = model.cfg
    frames, masks = shard.mode_tensors(mode, som=not cfg.regions)
    q, r, o, labels = encode(tok, cfg, shard.items)
    preds = []
    for i in range(0, len(labels), batch):
        s = slice(i, i + batch)
        preds.append(model(frames[s], masks[s], q[s], r[s], o[s]).argmax(-1))
    correct = (torch.cat(preds) == labels).tolist()
    per = defaultdict(list)
    for it, ok in zip(shard.items, correct):
        per[it["category"]].append(ok)
    chance = float(np.mean([1 / len(it["options"]) for it in shard.items]))
    return {
        "mode": mode,
        "acc": float(np.mean(correct)),
        "n": len(correct),
        "chance": chance,
        "per_category": {c: {"acc": float(np.mean(v)), "n": len(v)} for c, v in sorted(per.items())},
    }


def train(
    cfg: ObjectConfig,
    tok: Tokenizer,
    shard: RegionShard,
    steps: int,
    batch: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    modes: tuple[str, ...] = MODES,
    max_seconds: float | None = None,
    log_every: int = 0,
    init: dict | None = None,
) -> tuple[ObjectQAModel, dict]:
    """AdamW (β2 .95), warm-up then cosine, grad clip 1, as train.py; each batch draws its questions in one
    of `modes` in turn, so one model answers both Bench-Q modes. `init`: a state_dict to continue from."""
    seed_everything(seed)
    model = ObjectQAModel(cfg)
    if init is not None:
        model.load_state_dict(init)
    opt, sched = adamw_cosine(model.parameters(), lr, steps)
    data = {m: shard.mode_tensors(m, som=not cfg.regions) for m in modes}
    q, r, o, labels = encode(tok, cfg, shard.items)
    gen = torch.Generator().manual_seed(seed)
    n = len(labels)
    t0 = time.time()
    losses = []
    done = 0
    model.train()
    for step in range(steps):
        if max_seconds is not None and time.time() - t0 > max_seconds:
            break
        frames, masks = data[modes[step % len(modes)]]
        idx = torch.randint(0, n, (min(batch, n),), generator=gen)
        logits = model(frames[idx], masks[idx], q[idx], r[idx], o[idx])
        loss = F.cross_entropy(logits, labels[idx])
        optimizer_step(opt, sched, loss, model.parameters())
        losses.append(loss.item())
        done = step + 1
        if log_every and (step % log_every == 0 or step == steps - 1):
            print(f"step {step:5d} loss {np.mean(losses[-log_every:]):.4f} {time.time() - t0:.0f}s", flush=True)
    model.eval()
    return model, {"steps_done": done, "train_seconds": time.time() - t0, "final_loss": float(np.mean(losses[-50:]))}


def save(path: str, model: ObjectQAModel, tok: Tokenizer, meta: dict) -> None:
    torch.save({"config": model.cfg.to_dict(), "vocab": tok.vocab, "state_dict": model.state_dict(), "meta": meta}, path)


def load(path: str) -> tuple[ObjectQAModel, Tokenizer, dict]:
    ck = torch.load(path, map_location="cpu")
    model = ObjectQAModel(config_from_dict(ck["config"]))
    model.load_state_dict(ck["state_dict"])
    model.eval()
    return model, Tokenizer(ck["vocab"]), ck.get("meta", {})


# ---------------------------------------------------------------------------------------------------------
# ONNX export

OPSET = 14


def export_onnx(model: ObjectQAModel, path: str) -> None:
    cfg = model.cfg
    N, S, O = cfg.n_frames, cfg.image_size, cfg.max_objects
    args = (
        torch.zeros(1, N, S, S, 3, dtype=torch.uint8),
        torch.zeros(1, O, N, S, S, dtype=torch.uint8),
        torch.ones(1, cfg.max_q, dtype=torch.long),
        torch.full((1, cfg.max_q), -1, dtype=torch.long),
        torch.ones(1, cfg.max_options, cfg.max_opt, dtype=torch.long),
    )
    with torch.no_grad():
        torch.onnx.export(
            model,
            args,
            path,
            input_names=["frames", "masks", "q_ids", "q_region", "opt_ids"],
            output_names=["logits"],
            opset_version=OPSET,
            do_constant_folding=True,
        )


def describe(model: ObjectQAModel, tok: Tokenizer, name: str, meta: dict) -> dict:
    """The sidecar of an object model: k is its frame count; u, max_objects and regions are its own."""
    cfg = model.cfg
    return sidecar(
        model, tok, name, meta, "videorefer", cfg.n_frames,
        after_k={"u": cfg.u}, inputs={"max_objects": cfg.max_objects, "regions": cfg.regions},
    )


def parity_fixture(model: ObjectQAModel, tok: Tokenizer, shard: RegionShard, n: int = 3) -> dict:
    """Inputs and PyTorch logits for the first n questions in multi-frame mode (uint8 bytes as base64)."""
    cfg = model.cfg
    frames, masks = shard.mode_tensors("multi", som=not cfg.regions)
    items = shard.items[:n]
    q, r, o, _ = encode(tok, cfg, items)
    with torch.no_grad():
        logits = model(frames[:n], masks[:n], q, r, o)
    b64 = lambda t: base64.b64encode(np.ascontiguousarray(t.numpy()).tobytes()).decode()  # noqa: E731
    return {
        "items": [{"question": it["question"], "options": it["options"]} for it in items],
        "frames_b64": [b64(frames[i]) for i in range(len(items))],
        "masks_b64": [b64(masks[i]) for i in range(len(items))],
        "q_ids": q.tolist(),
        "q_region": r.tolist(),
        "opt_ids": o.tolist(),
        "logits": logits.tolist(),
    }


def export_builtin(ckpt: str, name: str, test: str, out: str) -> dict:
    from .builtins import write_manifest

    model, tok, meta = load(ckpt)
    os.makedirs(out, exist_ok=True)
    export_onnx(model, os.path.join(out, f"{name}.onnx"))
    info = describe(model, tok, name, {k: meta[k] for k in ("trained_on", "test_acc", "test_on", "eval", "steps") if k in meta})
    with open(os.path.join(out, f"{name}.json"), "w", encoding="utf8") as f:
        json.dump(info, f)
    with open(os.path.join(out, f"{name}.fixture.json"), "w", encoding="utf8") as f:
        json.dump(parity_fixture(model, tok, RegionShard(test)), f)
    write_manifest(out)
    return {k: info[k] for k in ("name", "method", "k", "u", "params", "decoder_tokens")}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="train / export the VideoRefer-style object model")
    p.add_argument("--train")
    p.add_argument("--test", help="held-out region shard (evaluated in both modes; parity fixture on export)")
    p.add_argument("--u", type=int, default=4)
    p.add_argument("--no-regions", action="store_true", help="no region input: set-of-mark frames only")
    p.add_argument("--modes", default="single,multi", help="modes the batches cycle through")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-seconds", type=float)
    p.add_argument("--dim", type=int, default=48)
    p.add_argument("--dec-dim", type=int, default=64)
    p.add_argument("--patch", type=int)
    p.add_argument("--trained-on", default="")
    p.add_argument("--out", help="checkpoint path")
    p.add_argument("--json", help="write the result JSON here")
    p.add_argument("--export", help="checkpoint to export as a built-in")
    p.add_argument("--name")
    p.add_argument("--models", help="built-in folder to export into")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--init", help="checkpoint to continue training from (same config and vocabulary)")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.export:
        print(json.dumps(export_builtin(a.export, a.name, a.test, a.models)))
        return
    tr = RegionShard(a.train)
    te = RegionShard(a.test) if a.test else None
    kw = dict(u=a.u, regions=not a.no_regions, dim=a.dim, dec_dim=a.dec_dim)
    if a.patch:
        kw["patch"] = a.patch
    cfg, tok = make_config(tr, [te] if te else [], **kw)
    init, before = None, 0
    if a.init:
        prev, tok, pmeta = load(a.init)
        cfg, init, before = prev.cfg, prev.state_dict(), pmeta.get("steps", 0)
    model, stats = train(cfg, tok, tr, a.steps, a.batch, a.lr, a.seed, tuple(a.modes.split(",")), a.max_seconds, 50,
                         init)
    meta = {"train": a.train, "trained_on": a.trained_on, "seed": a.seed, "steps": before + stats["steps_done"],
            **stats, **({"continued_from": a.init, "steps_before": before} if a.init else {})}
    meta["params"] = model.num_params()
    if te:
        ev = {m: evaluate(model, tok, te, m) for m in MODES}
        meta.update(test_on=a.test, eval=ev, test_acc=ev["multi"]["acc"])
    print(json.dumps({k: v for k, v in meta.items()}, indent=1))
    if a.json:
        with open(a.json, "w", encoding="utf8") as f:
            json.dump({"config": cfg.to_dict(), **meta}, f, indent=1)
    if a.out:
        save(a.out, model, tok, meta)


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
