"""How much of each dense frame label a trained model's aux head recovers on a held-out shard.

  PYTHONPATH=py python3 -m kinema_py.label_probe --ckpt ck.pt --test SHARD [--json]

Per label column: R^2 of the aux head's prediction (1 = exact, 0 = no better than the column's mean) and
the share of frames where the predicted sign agrees (|target| < 0.05 counts as agreeing); for the action
class, accuracy against the majority class. One question per clip (labels are per clip). It tells a
perception failure (the encoder does not see the motion: low R^2) from a read-out failure (the labels are
recovered, the answers are not)."""

from __future__ import annotations

import argparse
import json

import torch

from .checkpoint import load_checkpoint
from .data import read_shard
from .train import Encoded


@torch.no_grad()
def label_fit(model, data: Encoded, names: list[str], rows: list[int], batch: int = 50) -> dict:
    assert model.aux is not None, "the checkpoint has no aux head (trained with --aux 0)"
    assert data.frame_labels is not None, "the shard has no frame labels"
    model.eval()
    preds, targets = [], []
    for s in range(0, len(rows), batch):
        ii = torch.tensor(rows[s : s + batch])
        _, aux = model.forward_with_aux(data.frames_of(ii), data.q[ii], data.opts[ii])
        preds.append(aux)
        targets.append(data.frame_labels[ii])
    p, t = torch.cat(preds), torch.cat(targets)
    C = model.cfg.aux_classes
    cls = t[..., 0].long().flatten()
    out = {
        "action": {
            "acc": round((p[..., :C].argmax(-1).flatten() == cls).float().mean().item(), 4),
            "majority": round((cls == cls.mode().values).float().mean().item(), 4),
        }
    }
    for j, name in enumerate(names[1:]):
        y, yh = t[..., 1 + j].flatten(), p[..., C + j].flatten()
        var = y.var().item()
        r2 = None if var < 1e-6 else 1 - ((y - yh) ** 2).mean().item() / var
        sign = ((y.sign() == yh.sign()) | (y.abs() < 0.05)).float().mean().item()
        out[name] = {"r2": None if r2 is None else round(r2, 4), "sign_agree": round(sign, 4)}
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ckpt", required=True)
    p.add_argument("--test", required=True, help="held-out shard with frame labels")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, tok, meta = load_checkpoint(a.ckpt)
    shard = read_shard(a.test)
    with open(f"{a.test}/questions.json", encoding="utf8") as f:
        names = json.load(f)["frame_label_names"]
    # Labels belong to clips, not questions: questions with more options than the model's slots (a model
    # trained on fewer categories) are cut to fit, since only the frames and labels matter here.
    M = model.cfg.max_options
    shard.items = [{**it, "options": it["options"][:M], "answer": 0} for it in shard.items]
    data = Encoded(shard, tok, model.cfg)
    fit = label_fit(model, data, names, data.first)
    print(json.dumps({"ckpt": a.ckpt, "test": a.test, "clips": len(data.first), "labels": fit}, indent=1))


if __name__ == "__main__":
    main()
