# Training on a toy shard: the loss falls, training is deterministic per seed, checkpoints describe themselves.
import torch

from kinema_py.data import Tokenizer, frame_indices, read_shard
from kinema_py.train import Encoded, config_for, evaluate, load_checkpoint, save_checkpoint, train

TINY = dict(dim=32, dec_dim=32, enc_layers=1, dec_layers=1)


def test_loss_falls_on_a_tiny_config(toy_shards):
    tr = read_shard(toy_shards[0])
    cfg, tok = config_for(tr, method="pllava", k=2, n_frames=4, **TINY)
    model, losses = train(cfg, Encoded(tr, tok, cfg), steps=120, batch=16, lr=3e-3, seed=0)
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    assert last < first - 0.1, f"loss did not fall: {first:.3f} -> {last:.3f}"


def test_same_seed_same_model(toy_shards):
    tr = read_shard(toy_shards[0])
    cfg, tok = config_for(tr, method="te-fusion", k=2, n_frames=4, **TINY)
    data = Encoded(tr, tok, cfg)
    _, a = train(cfg, data, steps=5, batch=8, seed=3)
    _, b = train(cfg, data, steps=5, batch=8, seed=3)
    _, c = train(cfg, data, steps=5, batch=8, seed=4)
    assert a == b and a != c


def test_checkpoint_round_trip(toy_shards, tmp_path):
    tr, te = read_shard(toy_shards[0]), read_shard(toy_shards[1])
    cfg, tok = config_for(tr, [te], method="qformer", k=2, n_frames=4, **TINY)
    model, _ = train(cfg, Encoded(tr, tok, cfg), steps=3, batch=8)
    save_checkpoint(str(tmp_path / "m.pt"), model, tok, {"trained_on": "toy"})
    m2, tok2, meta = load_checkpoint(str(tmp_path / "m.pt"))
    assert m2.cfg == cfg and tok2.vocab == tok.vocab and meta["trained_on"] == "toy"
    r1 = evaluate(model, Encoded(te, tok, cfg))
    r2 = evaluate(m2, Encoded(te, tok2, cfg))
    assert r1["pred"] == r2["pred"] and set(r1["per_category"]) == {"AO", "MR", "RC"}


def test_tokenizer_and_sampling_rules():
    tok = Tokenizer.build(["Which way? Left, RIGHT", "3 times"])
    assert tok.vocab == ["<pad>", "<unk>", "3", "left", "right", "times", "way", "which"]
    assert tok.encode("Right then up", 4) == [4, 1, 1, 0]
    assert frame_indices(32, 4) == [4, 12, 20, 28] and frame_indices(8, 8) == list(range(8))


def test_bad_shard_is_reported(tmp_path):
    import json

    import numpy as np
    import pytest

    np.save(tmp_path / "frames.npy", np.zeros((2, 4, 8, 8, 3), np.uint8))
    (tmp_path / "questions.json").write_text(json.dumps({"items": [{"question": "q", "options": ["a"], "answer": 0}]}))
    with pytest.raises(ValueError, match="2 clips but"):
        read_shard(str(tmp_path))
