# Training on a toy shard: the loss falls, training is deterministic per seed, checkpoints describe themselves.
import torch

from kinema_py.data import Tokenizer, frame_indices, read_shard
from kinema_py.checkpoint import load_checkpoint, save_checkpoint
from kinema_py.train import Encoded, config_for, evaluate, train

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


def test_warm_start_keeps_the_base_function_on_repeated_frames(toy_shards):
    """Warm-started from a none/k=1 base on N/k frames, the averaging compressors reproduce the base's logits
    exactly when each frame is repeated k times (their new parts start neutral); kangaroo and qformer get
    fresh temporal modules, and the frame-group position embedding is interpolated when L changes."""
    from dataclasses import replace

    from kinema_py.model import VideoQAModel
    from kinema_py.train import warm_start

    tr = read_shard(toy_shards[0])
    base_cfg, tok = config_for(tr, method="none", k=1, n_frames=2, **TINY)
    base, _ = train(base_cfg, Encoded(tr, tok, base_cfg), steps=20, batch=8, seed=0)
    data = Encoded(tr, tok, base_cfg)
    frames, q, opts = data.frames_of(slice(0, 6)), data.q[:6], data.opts[:6]
    want = base(frames, q, opts)
    k = 4
    repeated = frames.repeat_interleave(k, dim=1)  # (B, 2k, S, S, 3): each base frame k times
    for method in ("none", "pre-encoder", "pllava", "te-fusion"):
        m = VideoQAModel(replace(base_cfg, method=method, k=k, n_frames=2 * k)).eval()
        fresh = warm_start(m, base.state_dict())
        if method == "te-fusion":
            assert fresh == ["vision.temporal_pos"]
            with torch.no_grad():
                m.vision.temporal_pos.zero_()
        else:
            assert fresh == [], f"{method}: {fresh}"
        got = m(repeated, q, opts)
        assert torch.allclose(got, want, atol=1e-4), f"{method}: {(got - want).abs().max():.2e}"
    for method in ("kangaroo", "qformer"):
        m = VideoQAModel(replace(base_cfg, method=method, k=k, n_frames=2 * k))
        fresh = warm_start(m, base.state_dict())
        assert fresh and all(n.startswith("vision.") for n in fresh), fresh
    # fixed N: N=8, k=2 gives L = 4 groups x l; the base has 2 groups, so vis_pos is interpolated
    m = VideoQAModel(replace(base_cfg, method="pllava", k=2, n_frames=8))
    assert warm_start(m, base.state_dict()) == []
    l = base_cfg.tokens_per_group
    ends = m.scorer.vis_pos[0, :l], m.scorer.vis_pos[0, -l:]
    assert torch.allclose(ends[0], base.scorer.vis_pos[0, :l]) and torch.allclose(ends[1], base.scorer.vis_pos[0, -l:])


def test_fair_start_kangaroo_is_the_base_on_repeated_frames(toy_shards):
    """Study v2's fair start (train.pass_through): after warm_start + pass_through, kangaroo's temporal MLP is
    the exact mean of its k frames, so on frames repeated k times it reproduces the base's logits like the
    averaging compressors do; te-fusion's temporal position starts at 0; the Q-Former stays fresh."""
    from dataclasses import replace

    from kinema_py.model import VideoQAModel
    from kinema_py.train import pass_through, warm_start

    tr = read_shard(toy_shards[0])
    base_cfg, tok = config_for(tr, method="none", k=1, n_frames=2, **TINY)
    base, _ = train(base_cfg, Encoded(tr, tok, base_cfg), steps=20, batch=8, seed=0)
    data = Encoded(tr, tok, base_cfg)
    frames, q, opts = data.frames_of(slice(0, 6)), data.q[:6], data.opts[:6]
    want = base(frames, q, opts)
    k = 4
    m = VideoQAModel(replace(base_cfg, method="kangaroo", k=k, n_frames=2 * k)).eval()
    warm_start(m, base.state_dict())
    assert pass_through(m) == ["vision.temporal.fc", "vision.temporal.proj"]
    got = m(frames.repeat_interleave(k, dim=1), q, opts)
    assert torch.allclose(got, want, atol=1e-4), f"kangaroo: {(got - want).abs().max():.2e}"
    # on distinct frames the temporal MLP is exactly the mean of the k frames' encoder tokens
    x = torch.randn(3, 5, k * base_cfg.dim)
    mean = x.view(3, 5, k, base_cfg.dim).mean(2)
    assert torch.allclose(m.vision.temporal(x), mean, atol=1e-5)
    te = VideoQAModel(replace(base_cfg, method="te-fusion", k=k, n_frames=2 * k))
    warm_start(te, base.state_dict())
    assert pass_through(te) == ["vision.temporal_pos"] and torch.count_nonzero(te.vision.temporal_pos) == 0
    qf = VideoQAModel(replace(base_cfg, method="qformer", k=k, n_frames=2 * k))
    warm_start(qf, base.state_dict())
    assert pass_through(qf) == []


def test_cli_trains_then_continues_from_its_checkpoint(toy_shards, tmp_path, capsys):
    from kinema_py.checkpoint import load_checkpoint
    from kinema_py.train import main

    tr, te = toy_shards
    first, second = str(tmp_path / "a.pt"), str(tmp_path / "b.pt")
    common = ["--train", tr, "--test", te, "--frames", "8", "--k", "2", "--threads", "1", "--balanced"]
    src = "kinema synth --preset easy --n 24 --seed 1"
    main([*common, "--dim", "16", "--enc-layers", "1", "--dec-layers", "1", "--steps", "3", "--out", first,
          "--source", src, "--eval-every", "2"])
    m1, tok1, meta1 = load_checkpoint(first)
    assert (m1.cfg.dim, m1.cfg.enc_layers, meta1["steps"], meta1["balanced"]) == (16, 1, 3, True)
    assert meta1["trained_on"] == src and meta1["test_on"] == te  # what builtins.py ships as trained_on/test_on
    assert [h["step"] for h in meta1["history"]] == [2, 3]  # scored every 2 steps and at the end
    assert meta1["history"][-1]["acc"] == meta1["test_acc"]
    main([*common, "--init", first, "--steps", "2", "--lr", "1e-3", "--out", second])
    m2, tok2, meta2 = load_checkpoint(second)
    assert m2.cfg == m1.cfg and tok2.vocab == tok1.vocab  # config and vocabulary kept, not rebuilt
    assert meta2["continued_from"] == first and meta2["steps"] == 2
    changed = [k for k, v in m2.state_dict().items() if not torch.equal(v, m1.state_dict()[k])]
    assert changed, "continuing trained nothing"


def test_encoded_holds_each_clip_once(tmp_path):
    """Questions on one clip share one row of frames; frames_of gives each question its own clip's frames."""
    import json

    import numpy as np

    rng = np.random.default_rng(0)
    clips = rng.integers(0, 255, (3, 4, 16, 16, 3), dtype=np.uint8)
    order = [0, 1, 0, 2, 1, 0]  # question -> clip, as a shard stores them (one copy per question)
    np.save(tmp_path / "frames.npy", clips[order])
    items = [
        {"video_id": f"v{c}", "question": f"q {i}", "options": ["a", "b"], "answer": i % 2, "category": "MR"}
        for i, c in enumerate(order)
    ]
    (tmp_path / "questions.json").write_text(json.dumps({"items": items}))
    sh = read_shard(str(tmp_path))
    cfg, tok = config_for(sh, method="pllava", k=2, n_frames=2, **TINY)
    data = Encoded(sh, tok, cfg)
    assert data.frames.shape[0] == 3 and data.clip.tolist() == [0, 1, 0, 2, 1, 0]
    want = torch.from_numpy(clips[order][:, frame_indices(4, 2)])
    assert torch.equal(data.frames_of(slice(0, 6)), want)
    assert torch.equal(data.frames_of(torch.tensor([3, 5])), want[[3, 5]])


def test_batch_shares_follow_the_weights():
    import pytest
    from kinema_py.train import batch_shares, parse_weights

    cats = ["AO", "MR", "RC"]
    assert batch_shares(cats, 32) == [10, 10, 10]  # the unweighted rule, unchanged
    assert batch_shares(cats, 32, {"RC": 2}) == [8, 8, 16]
    assert sum(batch_shares(cats, 31, {"RC": 5})) == 31
    assert batch_shares(cats, 30, {"AO": 0}) == [0, 15, 15]
    assert parse_weights("Repetition Count=4, Motion Recognition=0.5") == {"Repetition Count": 4.0, "Motion Recognition": 0.5}
    with pytest.raises(ValueError, match="not in the training shard"):
        batch_shares(cats, 32, {"Camera Motion": 2})
    with pytest.raises(ValueError, match="CATEGORY=WEIGHT"):
        parse_weights("RC")


def record_batches(data, monkeypatch) -> list:
    """The index tensor of every batch train() draws from data, in order."""
    seen = []
    real = data.frames_of
    monkeypatch.setattr(data, "frames_of", lambda idx: (seen.append(idx.clone()), real(idx))[1])
    return seen


def test_weighted_batches_draw_the_weighted_category(toy_shards, monkeypatch):
    import kinema_py.train as T

    tr = read_shard(toy_shards[0])
    cfg, tok = config_for(tr, method="pllava", k=2, n_frames=4, **TINY)
    data = Encoded(tr, tok, cfg)
    seen = record_batches(data, monkeypatch)
    train(cfg, data, steps=3, batch=12, balanced=True, weights={"RC": 0, "AO": 3})
    drawn = [data.categories[i] for idx in seen for i in idx.tolist()]
    assert drawn.count("RC") == 0 and drawn.count("AO") == 3 * drawn.count("MR") == 27


def test_base_starts_another_method_from_a_te_fusion_checkpoint(toy_shards, tmp_path):
    """--base: kangaroo and pre-encoder (conv stem) from a te-fusion checkpoint; shared weights copied, the
    te-fusion merge summed over its frame slices, the kangaroo MLP set to its pass-through."""
    from kinema_py.checkpoint import load_checkpoint
    from kinema_py.model import VideoQAModel
    from kinema_py.train import main, warm_start

    tr, te = toy_shards
    base = str(tmp_path / "te.pt")
    common = ["--train", tr, "--test", te, "--frames", "8", "--k", "2", "--threads", "1", "--balanced"]
    main([*common, "--method", "te-fusion", "--stem", "conv", "--dim", "16", "--enc-layers", "1", "--dec-layers", "1",
          "--steps", "2", "--out", base])
    mb, tokb, _ = load_checkpoint(base)
    sd = mb.state_dict()
    for method in ("kangaroo", "pre-encoder"):
        cfg = type(mb.cfg)(**{**mb.cfg.__dict__, "method": method})
        m = VideoQAModel(cfg)
        fresh = warm_start(m, sd)
        own = m.state_dict()
        fc, fb = own["vision.down.proj.fc.weight"], sd["vision.down.proj.fc.weight"]
        h = fc.shape[0]
        assert torch.allclose(fc, fb.view(h, 4, 2, fc.shape[1] // 4).sum(2).reshape(h, -1))
        assert torch.equal(own["vision.encoder.blocks.0.attn.q.weight"], sd["vision.encoder.blocks.0.attn.q.weight"])
        assert "vision.down.proj.fc.weight" not in fresh and "scorer.vis_pos" not in fresh
        if method == "pre-encoder":  # first conv of the stem inflated over the k frames' channels
            w0 = own["vision.embed.conv.0.weight"]
            assert torch.allclose(w0, sd["vision.embed.conv.0.weight"].repeat(1, 2, 1, 1) / 2)
    out = str(tmp_path / "ka.pt")
    main([*common, "--method", "kangaroo", "--base", base, "--steps", "1", "--out", out])
    mk, tokk, meta = load_checkpoint(out)
    assert mk.cfg.method == "kangaroo" and mk.cfg.stem == "conv" and tokk.vocab == tokb.vocab
    assert meta["warm_started_from"] == base


def test_alternate_batches_take_one_category_each_in_turn(toy_shards, monkeypatch):
    tr = read_shard(toy_shards[0])
    cfg, tok = config_for(tr, method="pllava", k=2, n_frames=4, **TINY)
    data = Encoded(tr, tok, cfg)
    seen = record_batches(data, monkeypatch)
    train(cfg, data, steps=6, batch=8, balanced=True, alternate=True)
    per_step = [sorted({data.categories[i] for i in idx.tolist()}) for idx in seen]
    assert all(len(idx) == 8 for idx in seen)
    assert per_step == [["AO"], ["MR"], ["RC"], ["AO"], ["MR"], ["RC"]]


def test_cli_refuses_batch_shapes_without_balanced(toy_shards):
    import pytest
    from kinema_py.train import main

    tr, te = toy_shards
    with pytest.raises(SystemExit, match="add --balanced"):
        main(["--train", tr, "--weights", "RC=2", "--steps", "1"])
    with pytest.raises(SystemExit, match="CATEGORY=WEIGHT"):
        main(["--train", tr, "--balanced", "--weights", "RC", "--steps", "1"])
