"""Train and evaluate one VideoQAModel on shards; checkpoints carry their config, vocabulary and metrics.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.train --train shards/train --test shards/test \\
      --method te-fusion --k 4 --frames 16 --steps 300 --seed 0 --out ckpt.pt
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from collections import defaultdict

import numpy as np
import torch
import torch.nn.functional as F

from .data import Shard, Tokenizer, encode_items, frame_indices, read_shard, words
from .checkpoint import save_checkpoint
from .model import ModelConfig, VideoQAModel


def frame_label_tensor(shard: Shard, n_frames: int) -> torch.Tensor | None:
    """Per-frame labels (Q, n_frames, 1 + R) subsampled like the frames; None when the shard has none."""
    if not all("frame_labels" in it for it in shard.items):
        return None
    lab = torch.tensor([it["frame_labels"] for it in shard.items], dtype=torch.float32)  # (Q, N_stored, 1+R)
    return lab[:, frame_indices(shard.n_frames, n_frames)]


def aux_loss(pred: torch.Tensor, target: torch.Tensor, classes: int) -> torch.Tensor:
    """Cross-entropy on the action class (column 0) plus mean squared error on the other columns."""
    ce = F.cross_entropy(pred[..., :classes].reshape(-1, classes), target[..., 0].long().reshape(-1))
    return ce + F.mse_loss(pred[..., classes:], target[..., 1:])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class Encoded:
    """A shard turned into tensors for one model config."""

    def __init__(self, shard: Shard, tok: Tokenizer, cfg: ModelConfig):
        # Questions on one clip share its frames: held once per clip (C, N, S, S, 3) uint8, and `clip` maps
        # each question to its row, so memory grows with clips, not questions (a shard stores per question).
        first: dict[str, int] = {}
        starts: list[int] = []  # the first question of each clip
        clip = []
        for i, it in enumerate(shard.items):
            key = it.get("video_id", f"#{i}")
            if key not in first:
                first[key] = len(starts)
                starts.append(i)
            clip.append(first[key])
        idx = frame_indices(shard.n_frames, cfg.n_frames)
        self.frames = torch.from_numpy(np.ascontiguousarray(shard.frames[starts][:, idx]))
        self.clip = torch.tensor(clip, dtype=torch.long)
        self.first = starts  # one question per clip: the index of each clip's first question
        assert self.frames.shape[2] == cfg.image_size, (
            f"{shard.path}: frames are {self.frames.shape[2]}px, model wants {cfg.image_size}px"
        )
        self.q, self.opts, self.labels = encode_items(tok, shard.items, cfg.max_q, cfg.max_opt, cfg.max_options)
        self.categories = [it["category"] for it in shard.items]
        self.frame_labels = frame_label_tensor(shard, cfg.n_frames)

    def __len__(self) -> int:
        return len(self.labels)

    def frames_of(self, idx) -> torch.Tensor:
        """uint8 frames (B, N, S, S, 3) of the questions at idx (a slice or an index tensor)."""
        return self.frames[self.clip[idx]]


def device() -> torch.device:
    """CUDA when present (KINEMA_DEVICE=cpu forces the CPU), else the CPU."""
    if os.environ.get("KINEMA_DEVICE", "") != "cpu" and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


@torch.no_grad()
def evaluate(model: VideoQAModel, data: Encoded, batch: int = 64) -> dict:
    """Accuracy overall and per category (the argmax option vs the labelled answer), and each item's pred."""
    model.eval()
    dev = next(model.parameters()).device
    preds = []
    for i in range(0, len(data), batch):
        s = slice(i, i + batch)
        preds.append(model(data.frames_of(s).to(dev), data.q[s].to(dev), data.opts[s].to(dev)).argmax(-1).cpu())
    pred = torch.cat(preds)
    correct = (pred == data.labels).tolist()
    per = defaultdict(list)
    for c, ok in zip(data.categories, correct):
        per[c].append(ok)
    return {
        "acc": float(np.mean(correct)) if correct else 0.0,
        "n": len(correct),
        "per_category": {c: float(np.mean(v)) for c, v in sorted(per.items())},
        "pred": pred.tolist(),
    }


def pass_through(model: VideoQAModel) -> list[str]:
    """Initialises a warm-started compressor's own new parts so that it starts as the base's function where
    an exact pass-through exists (study v2's fair start); returns the parts it set.
    - kangaroo: the temporal MLP (kD -> 2D -> D, GELU) outputs the mean of its k frames' tokens exactly, since
      GELU(x) - GELU(-x) = x: the first D hidden units compute +mean, the next D -mean, the output takes their
      difference.
    - te-fusion: the temporal position embedding starts at 0 (the k frames still attend to each other: no
      weights make that the identity).
    The Q-Former has no exact pass-through (its queries must learn where to look); it stays fresh."""
    cfg = model.cfg
    done = []
    with torch.no_grad():
        if cfg.method == "kangaroo":
            t = model.vision.temporal
            D, k = cfg.dim, cfg.k
            eye = torch.eye(D)
            mean = torch.cat([eye] * k, 1) / k  # (D, kD): the mean of the k frames' slices
            t.fc.weight.copy_(torch.cat([mean, -mean], 0))  # (2D, kD)
            t.fc.bias.zero_()
            t.proj.weight.copy_(torch.cat([eye, -eye], 1))  # (D, 2D)
            t.proj.bias.zero_()
            done += ["vision.temporal.fc", "vision.temporal.proj"]
        if cfg.method == "te-fusion":
            model.vision.temporal_pos.zero_()
            done.append("vision.temporal_pos")
    return done


def warm_start(model: VideoQAModel, base: dict) -> list[str]:
    """Initialises a model from a base checkpoint's state_dict (a none/k=1 model), the way the paper starts
    every compressor from the pretrained GLM-4V-9B: equal-shape weights are copied; weights that only grow
    with k are inflated so that the new model starts out averaging its k frames; the visual position
    embedding is interpolated along the frame-group axis when L differs. Returns the names left at their
    fresh initialisation (the compressor's own new parts)."""
    cfg = model.cfg
    own = model.state_dict()
    fresh = []
    with torch.no_grad():
        for name, p in own.items():
            b = base.get(name)
            if b is not None and b.shape == p.shape:
                p.copy_(b)
            elif b is not None and name in ("vision.embed.conv.weight", "vision.embed.conv.0.weight") and p.shape[1] == b.shape[1] * cfg.k:
                # pre-encoder: (D, 3k, p, p) from (D, 3, p, p), each frame's channels get 1/k of the weight
                p.copy_(b.repeat(1, cfg.k, 1, 1) / cfg.k)
            elif b is not None and name == "vision.down.proj.fc.weight" and p.shape[1] == b.shape[1] * cfg.k:
                # te-fusion: the 2x2 merge of k*D channels; every frame's slice gets 1/k of the base weight
                h, four_d = b.shape
                d = four_d // 4
                p.copy_(b.view(h, 4, 1, d).expand(h, 4, cfg.k, d).reshape(h, 4 * cfg.k * d) / cfg.k)
            elif (b is not None and name == "vision.down.proj.fc.weight" and b.shape[1] > p.shape[1]
                  and b.shape[1] % p.shape[1] == 0 and b.shape[0] == p.shape[0]):
                # from a te-fusion base (the merge of k_b*D channels) to a method that merges one D-wide map:
                # the sum of the frames' slices, i.e. the base's function on k_b copies of that map
                h, four_kd = b.shape
                kb = four_kd // p.shape[1]
                p.copy_(b.view(h, 4, kb, p.shape[1] // 4).sum(2).reshape(h, p.shape[1]))
            elif b is not None and name == "scorer.vis_pos":
                # (1, L, E) with L = G*l: interpolate over the G frame groups
                l, E = cfg.tokens_per_group, b.shape[-1]
                g_base, g = b.shape[1] // l, p.shape[1] // l
                src = b.view(1, g_base, l * E).transpose(1, 2)  # (1, l*E, G_base)
                dst = F.interpolate(src, size=g, mode="linear", align_corners=True) if g > 1 else src.mean(-1, keepdim=True)
                p.copy_(dst.transpose(1, 2).reshape(1, g * l, E))
            else:
                fresh.append(name)
    return fresh


def adamw_cosine(params, lr: float, steps: int):
    """The recipe every kinema trainer shares: AdamW (β2 = .95 as in the paper, weight decay .05), linear warm-up
    over the first 5% of steps, then cosine decay to 0. Returns (optimizer, scheduler)."""
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.95), weight_decay=0.05)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps))
    )
    return opt, sched


def optimizer_step(opt, sched, loss: torch.Tensor, params) -> None:
    """One update: backward, gradients clipped to norm 1, optimizer and schedule step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    sched.step()


def batch_shares(cats: list[str], batch: int, weights: dict[str, float] | None = None) -> list[int]:
    """How many items of each category one balanced batch draws. Without weights: batch // len(cats) each (at
    least 1). With weights (category -> weight, unlisted categories 1, 0 drops one): shares proportional to the
    weights by largest remainder, summing to `batch`."""
    if not weights:
        return [max(1, batch // len(cats))] * len(cats)
    unknown = set(weights) - set(cats)
    if unknown:
        raise ValueError(f"--weights names categories not in the training shard: {sorted(unknown)}")
    w = [max(0.0, float(weights.get(c, 1.0))) for c in cats]
    if sum(w) <= 0:
        raise ValueError("--weights: every category has weight 0")
    exact = [batch * x / sum(w) for x in w]
    shares = [int(e) for e in exact]
    for i in sorted(range(len(cats)), key=lambda i: exact[i] - shares[i], reverse=True)[: batch - sum(shares)]:
        shares[i] += 1
    return shares


def parse_weights(spec: str | None) -> dict[str, float] | None:
    """'Repetition Count=4,Motion Recognition=2' -> {category: weight}."""
    if not spec:
        return None
    out = {}
    for part in spec.split(","):
        name, sep, val = part.rpartition("=")
        if not sep or not name.strip():
            raise ValueError(f"--weights: expected CATEGORY=WEIGHT, got {part!r}")
        out[name.strip()] = float(val)
    return out


def train(
    cfg: ModelConfig,
    train_data: Encoded,
    steps: int = 300,
    batch: int = 32,
    lr: float = 2e-3,
    seed: int = 0,
    log_every: int = 0,
    init: dict | None = None,
    fair: bool = False,
    aux_weight: float = 0.0,
    balanced: bool = False,
    max_seconds: float | None = None,
    on: torch.device | None = None,
    eval_data: "Encoded | None" = None,
    eval_every: int = 0,
    history: list | None = None,
    weights: dict[str, float] | None = None,
    alternate: bool = False,
) -> tuple[VideoQAModel, list[float]]:
    """AdamW (β2 = .95 as in the paper), linear warm-up then cosine decay, grad clip 1; returns the model and
    losses. lr 2e-3 rather than 1e-3: at 1e-3 the per-option head sat at chance for 2,000 steps on the easy set
    (pre-encoder k=4 35.7%), at 2e-3 it reached 44% (Camera Motion 79%)."""
    seed_everything(seed)
    model = VideoQAModel(cfg)
    if init is not None:
        warm_start(model, init)
        if fair:
            pass_through(model)
    dev = on or torch.device("cpu")  # callers pass train.device() to use CUDA; the model comes back on the CPU
    model.to(dev)
    opt, sched = adamw_cosine(model.parameters(), lr, steps)
    gen = torch.Generator().manual_seed(seed)
    n = len(train_data)
    losses = []
    model.train()
    use_aux = aux_weight > 0 and model.aux is not None and train_data.frame_labels is not None
    by_cat: list[torch.Tensor] = []
    per_cat: list[int] = []
    if balanced:  # every batch draws each category equally often (or in proportion to `weights`)
        cats = sorted(set(train_data.categories))
        by_cat = [torch.tensor([i for i, c in enumerate(train_data.categories) if c == k]) for k in cats]
        per_cat = batch_shares(cats, batch, weights)
    t_start = time.time()
    for step in range(steps):
        if max_seconds is not None and time.time() - t_start > max_seconds:
            break
        if by_cat and alternate:  # the whole batch from one category, the categories in turn
            c = by_cat[step % len(by_cat)]
            idx = c[torch.randint(0, len(c), (batch,), generator=gen)]
        elif by_cat:
            idx = torch.cat([c[torch.randint(0, len(c), (k,), generator=gen)] for c, k in zip(by_cat, per_cat) if k])
        else:
            idx = torch.randint(0, n, (min(batch, n),), generator=gen)
        fr = train_data.frames_of(idx).to(dev)
        q, op, y = (t[idx].to(dev) for t in (train_data.q, train_data.opts, train_data.labels))
        aux_part = None
        if use_aux:
            logits, aux = model.forward_with_aux(fr, q, op)
            loss = F.cross_entropy(logits, y)
            answer_part = loss.item()
            aux_part = aux_loss(aux, train_data.frame_labels[idx].to(dev), cfg.aux_classes)
            loss = loss + aux_weight * aux_part
        else:
            logits = model(fr, q, op)
            loss = F.cross_entropy(logits, y)
            answer_part = loss.item()
        optimizer_step(opt, sched, loss, model.parameters())
        losses.append(loss.item())
        if log_every and (step % log_every == 0 or step == steps - 1):
            extra = f" (answers {answer_part:.4f}, frame labels {aux_part.item():.4f})" if aux_part is not None else ""
            print(f"step {step:5d} loss {loss.item():.4f}{extra}", flush=True)
        if eval_data is not None and eval_every and ((step + 1) % eval_every == 0 or step == steps - 1):
            r = evaluate(model, eval_data)
            model.train()
            row = {"step": step + 1, "acc": r["acc"], "per_category": r["per_category"]}
            if history is not None:
                history.append(row)
            cats = " ".join(f"{c[:3]} {100 * v:.1f}" for c, v in r["per_category"].items())
            print(f"eval step {step + 1:5d} acc {100 * r['acc']:.1f} | {cats}", flush=True)
    model.eval()
    return model.cpu(), losses


def only_categories(shard: Shard, keep: set[str]) -> Shard:
    """The shard's items of these categories (frames copied into memory)."""
    idx = [i for i, it in enumerate(shard.items) if it["category"] in keep]
    if not idx:
        raise SystemExit(f"{shard.path}: no items in categories {sorted(keep)}")
    return Shard(np.ascontiguousarray(shard.frames[idx]), [shard.items[i] for i in idx], shard.path)


def config_for(train: Shard, others: list[Shard] = (), **overrides) -> tuple[ModelConfig, Tokenizer]:
    """Builds the tokenizer from the training shard's text only (held-out words map to <unk>) and sizes
    the option slots to every shard."""
    tok = Tokenizer.build([t for it in train.items for t in (it["question"], *it["options"])])
    every = [it for s in [train, *others] for it in s.items]
    max_options = max(len(it["options"]) for it in every)
    # Text slots fit the longest question and option, so no option is cut (world v2's Action Order options
    # run to 11 words; a cut would drop the last move, the one that tells two orders apart).
    max_q = max(len(words(it["question"])) for it in every)
    max_opt = max(len(words(o)) for it in every for o in it["options"])
    cfg = ModelConfig(
        vocab_size=len(tok.vocab),
        image_size=train.frames.shape[2],
        max_options=max(max_options, overrides.pop("max_options", 0)),
        max_q=max(min(max_q, 48), overrides.pop("max_q", 0)),
        max_opt=max(min(max_opt, 32), overrides.pop("max_opt", 0)),
        **overrides,
    )
    return cfg, tok


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="train one tiny video QA model on kinema shards")
    p.add_argument("--train", required=True, help="shard directory for training")
    p.add_argument("--test", help="shard directory for held-out evaluation")
    p.add_argument("--method", default="te-fusion")
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--dim", type=int, help="encoder and decoder width (default: ModelConfig's)")
    p.add_argument("--patch", type=int)
    p.add_argument("--enc-layers", type=int)
    p.add_argument("--dec-layers", type=int)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--aux", type=float, default=0.0, help="weight of the dense per-frame loss (shards with frame labels)")
    p.add_argument("--aux-classes", type=int, default=23, help="action classes in the shard's frame labels")
    p.add_argument("--balanced", action="store_true", help="per-category balanced batches")
    p.add_argument("--max-seconds", type=float, help="stop training after this long")
    p.add_argument("--base", help="start --method/--k from this checkpoint (train.warm_start + pass_through)")
    p.add_argument("--init", help="checkpoint to continue from (its config and vocabulary are kept)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", help="checkpoint path")
    p.add_argument("--source", default="", help="how the training set was made (kept as trained_on)")
    p.add_argument("--head", choices=["joint", "match"], help="option head (model.ModelConfig.head)")
    p.add_argument("--stem", choices=["patch", "conv"], help="patch embedding (model.ModelConfig.stem)")
    p.add_argument("--eval-every", type=int, default=0, help="score the test shard every N steps (kept as history)")
    p.add_argument("--weights", help="with --balanced: per-category batch weights, e.g. 'Repetition Count=4' (others 1)")
    p.add_argument("--alternate", action="store_true", help="with --balanced: each batch from one category, in turn")
    p.add_argument("--categories", help="train and test on these categories only (comma-separated)")
    a = p.parse_args(argv)
    if (a.weights or a.alternate) and not a.balanced:
        raise SystemExit("--weights and --alternate shape balanced batches: add --balanced")
    try:
        weights = parse_weights(a.weights)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    torch.set_num_threads(a.threads)
    tr = read_shard(a.train)
    te = read_shard(a.test) if a.test else None
    if a.categories:
        keep = set(a.categories.split(","))
        tr = only_categories(tr, keep)
        te = only_categories(te, keep) if te else None
    init = None
    fair = False
    if a.init and a.base:
        raise SystemExit("--init continues a checkpoint as it is; --base starts another method from one: pick one")
    if a.base:  # another method (--method, --k) warm-started from this checkpoint, new parts passing through
        ck = torch.load(a.base, map_location="cpu")
        cfg = ModelConfig(**{**ck["config"], "method": a.method, "k": a.k})
        tok, init, fair = Tokenizer(ck["vocab"]), ck["state_dict"], True
    elif a.init:
        ck = torch.load(a.init, map_location="cpu")
        cfg, tok, init = ModelConfig(**ck["config"]), Tokenizer(ck["vocab"]), ck["state_dict"]
    else:
        extra = {k: v for k, v in (("dim", a.dim), ("dec_dim", a.dim), ("patch", a.patch),
                                   ("enc_layers", a.enc_layers), ("dec_layers", a.dec_layers), ("head", a.head),
                                   ("stem", a.stem))
                 if v is not None}
        if a.aux > 0 and all("frame_labels" in it for it in tr.items):
            extra.update(aux_classes=a.aux_classes, aux_regs=len(tr.items[0]["frame_labels"][0]) - 1)
        cfg, tok = config_for(tr, [te] if te else [], method=a.method, k=a.k, n_frames=a.frames, **extra)
    t0 = time.time()
    ete = Encoded(te, tok, cfg) if te else None
    history: list = []
    model, losses = train(cfg, Encoded(tr, tok, cfg), a.steps, a.batch, a.lr, a.seed, log_every=50, init=init, fair=fair,
                          aux_weight=a.aux, balanced=a.balanced, max_seconds=a.max_seconds, on=device(),
                          eval_data=ete, eval_every=a.eval_every, history=history,
                          weights=weights, alternate=a.alternate)
    meta = {"train": a.train, "trained_on": a.source or a.train, "seed": a.seed, "steps": len(losses), "train_seconds": time.time() - t0,
            "aux": a.aux, "balanced": a.balanced, "continued_from": a.init, "lr": a.lr}
    if a.base:
        meta["warm_started_from"] = a.base
    if a.categories:
        meta["categories"] = sorted(keep)
    if a.weights:
        meta["weights"] = weights
    if a.alternate:
        meta["alternate"] = True
    if history:
        meta["history"] = history
    if te:
        r = evaluate(model, ete)
        meta.update(test=a.test, test_on=a.test, test_acc=r["acc"], per_category=r["per_category"])
    print(json.dumps({k: v for k, v in meta.items()}, indent=1))
    if a.out:
        save_checkpoint(a.out, model, tok, meta)


if __name__ == "__main__":
    from kinema_py.heap import reuse_heap

    reuse_heap()
    main()
