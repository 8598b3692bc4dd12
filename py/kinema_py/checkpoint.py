"""Checkpoints of kinema's video QA models: each stores its config, vocabulary, weights and metadata, and any
checkpoint's config builds its model again (the compression models of model.py, or STAB and the encoder
baseline of stab.py).
"""

from __future__ import annotations

from dataclasses import fields

import torch
import torch.nn as nn

from .data import Tokenizer
from .model import ModelConfig, VideoQAModel
from .stab import METHODS, STABConfig, STABVideoQA


def model_from_config(config: dict) -> nn.Module:
    """Any kinema checkpoint's config -> its (freshly initialised) model: STAB/encoder-baseline or a compressor."""
    if config.get("method") in METHODS:
        names = {f.name for f in fields(STABConfig)}
        return STABVideoQA(STABConfig(**{k: v for k, v in config.items() if k in names}))
    return VideoQAModel(ModelConfig(**config))


def save_checkpoint(path: str, model: VideoQAModel, tok: Tokenizer, meta: dict) -> None:
    torch.save(
        {"config": model.cfg.to_dict(), "vocab": tok.vocab, "state_dict": model.state_dict(), "meta": meta},
        path,
    )


def load_checkpoint(path: str) -> tuple[VideoQAModel, Tokenizer, dict]:
    ck = torch.load(path, map_location="cpu")
    model = model_from_config(ck["config"])
    sd = ck["state_dict"]
    if "scorer.match.weight" in sd and "scorer.match.bias" not in sd:  # saved before the match head had a bias
        sd = {**sd, "scorer.match.bias": torch.zeros(sd["scorer.match.weight"].shape[0])}
    model.load_state_dict(sd)
    model.eval()
    return model, Tokenizer(ck["vocab"]), ck.get("meta", {})


def study_meta(job: dict, r: dict, **more) -> dict:
    """The metadata a study stores in a checkpoint it saves (what it was trained and tested on, its score)."""
    return {
        "trained_on": job["train_source"],
        "test_on": job["test_source"],
        "test_acc": r["acc"],
        "per_category": r["per_category"],
        "seed": job["seed"],
        "steps": job["steps"],
        **more,
    }
