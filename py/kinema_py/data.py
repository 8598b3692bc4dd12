"""Shards written by `kinema shards` (frames.npy + questions.json), the word-level tokenizer, and batching.

Shard layout (one directory):
  frames.npy      uint8 (Q, N, S, S, 3): N uniformly sampled RGB frames of each question's clip
  questions.json  {"version": 1, "n_frames": N, "size": S, "items": [{"id", "video_id", "question",
                   "options": [...], "answer": <index>, "category"}, ...]}  (item i <-> frames[i])
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

import numpy as np
import torch

PAD, UNK = "<pad>", "<unk>"
# The TypeScript adapter tokenizes with the same rule: lowercase, then runs of [a-z0-9].
WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


class Tokenizer:
    """Word-level vocabulary over the synthetic world's questions and options; id 0 is padding."""

    def __init__(self, vocab: list[str]):
        assert vocab[:2] == [PAD, UNK], "vocab must start with <pad>, <unk>"
        self.vocab = vocab
        self.index = {w: i for i, w in enumerate(vocab)}

    @classmethod
    def build(cls, texts: list[str]) -> "Tokenizer":
        seen = sorted({w for t in texts for w in words(t)})
        return cls([PAD, UNK, *seen])

    def encode(self, text: str, length: int) -> list[int]:
        ids = [self.index.get(w, 1) for w in words(text)][:length]
        return ids + [0] * (length - len(ids))


@dataclass
class Shard:
    frames: np.ndarray  # (Q, N, S, S, 3) uint8
    items: list[dict]
    path: str

    @property
    def n_frames(self) -> int:
        return self.frames.shape[1]


def read_shard(path: str, mmap: bool = True) -> Shard:
    qpath = os.path.join(path, "questions.json")
    fpath = os.path.join(path, "frames.npy")
    with open(qpath, encoding="utf8") as f:
        meta = json.load(f)
    frames = np.load(fpath, mmap_mode="r" if mmap else None)
    items = meta["items"]
    if frames.ndim != 5 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"{fpath}: expected uint8 (Q, N, S, S, 3), got {frames.dtype} {frames.shape}")
    if frames.shape[0] != len(items):
        raise ValueError(f"{fpath}: {frames.shape[0]} clips but {qpath} has {len(items)} items")
    for i, it in enumerate(items):
        for key in ("question", "options", "answer", "category"):
            if key not in it:
                raise ValueError(f"{qpath}: items[{i}].{key} is missing")
        if not 0 <= it["answer"] < len(it["options"]):
            raise ValueError(f"{qpath}: items[{i}].answer {it['answer']} is not an option index")
    return Shard(frames=frames, items=items, path=path)


def frame_indices(stored: int, wanted: int) -> list[int]:
    """Uniformly subsample `wanted` of `stored` frames (segment centres), as the TS sampler does."""
    assert wanted <= stored, f"shard has {stored} frames, model wants {wanted}"
    return [int((i + 0.5) * stored / wanted) for i in range(wanted)]


def encode_items(tok: Tokenizer, items: list[dict], max_q: int, max_opt: int, max_options: int):
    """-> q_ids (Q, max_q), opt_ids (Q, max_options, max_opt), labels (Q,) as int64 tensors."""
    q = torch.tensor([tok.encode(it["question"], max_q) for it in items], dtype=torch.long)
    opts = []
    for it in items:
        assert len(it["options"]) <= max_options, f"{len(it['options'])} options > max_options"
        rows = [tok.encode(o, max_opt) for o in it["options"]]
        rows = [r if any(r) else [1] + r[1:] for r in rows]  # an option with no known word is still present
        opts.append(rows + [[0] * max_opt] * (max_options - len(rows)))
    return q, torch.tensor(opts, dtype=torch.long), torch.tensor([it.get("answer", -1) for it in items])


def select_frames(shard: Shard, n_frames: int) -> torch.Tensor:
    """All clips with n_frames uniformly sampled frames: uint8 (Q, n_frames, S, S, 3)."""
    idx = frame_indices(shard.n_frames, n_frames)
    return torch.from_numpy(np.ascontiguousarray(shard.frames[:, idx]))
