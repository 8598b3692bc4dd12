# Video-Panda's STAB and the encoder baseline: shapes at every stage, α fusion, <row> placement, the distillation
# loss on hand-worked numbers, training with a teacher, checkpoints, and ONNX Runtime parity.
import json
import math
import os
import subprocess

import pytest
import torch

from kinema_py.checkpoint import load_checkpoint, save_checkpoint
from kinema_py.data import Tokenizer, read_shard
from kinema_py.export import describe, export_onnx, parity_fixture
from kinema_py.model import to_float
from kinema_py.stab import (
    AlphaFusion,
    DistillHead,
    STABConfig,
    STABVideoQA,
    cosine_distill_loss,
    decoder_states,
    teacher_targets,
    warm_start_decoder,
)
from kinema_py.stab_train import train_stab
from kinema_py.train import Encoded, config_for

SMALL = dict(dim=32, heads=4, enc_dim=32, enc_layers=1, dec_dim=32, dec_layers=2, vocab_size=20)


def frames(B, N=8, S=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (B, N, S, S, 3), dtype=torch.uint8, generator=g)


def test_stab_shapes_at_every_stage():
    cfg = STABConfig(method="stab", **SMALL)  # 32 px, patch 8: a 4x4 grid, LSD -> 2x2
    m = STABVideoQA(cfg).eval()
    B, N, C, E = 2, 8, 32, 32
    st = {}
    with torch.no_grad():
        out = m.visual_tokens(frames(B), st)
    assert st["patches"].shape == (B * N, C, 4, 4)  # patchify
    assert st["video"].shape == (B, 1, C)  # GSTRA: one video-level token per clip
    assert st["grid"].shape == (B * N, 2 * 2, C)  # LSD: spatial /2
    assert st["frame"].shape == (B * N, 1, C)  # FSRA: one token per frame
    assert st["context"].shape == (B * N, 1, C)  # α fusion
    assert st["tokens"].shape == (B * N, 1 + 2 * (2 + 1), C)  # [context; 2 rows of (2 grid + <row>)]
    assert out.shape == (B, N * 7, E) and cfg.decoder_tokens == 56  # projector
    assert m(frames(B), torch.ones(B, cfg.max_q, dtype=torch.long), torch.ones(B, 5, cfg.max_opt, dtype=torch.long)).shape == (B, 5)


def test_encoder_baseline_shapes_and_video_chatgpt_pooling():
    cfg = STABConfig(method="encoder-baseline", **SMALL)
    m = STABVideoQA(cfg).eval()
    st = {}
    with torch.no_grad():
        out = m.visual_tokens(frames(2), st)
    f = st["patch_features"]
    assert f.shape == (2, 8, 16, 32)  # (B, N, P, D)
    assert torch.allclose(st["pooled"][:, :8], f.mean(2))  # spatial mean: one token per frame
    assert torch.allclose(st["pooled"][:, 8:], f.mean(1))  # temporal mean: one token per patch position
    assert out.shape == (2, 8 + 16, 32) and cfg.decoder_tokens == 24


def test_lste_starts_as_the_identity_and_sees_neighbouring_frames():
    cfg = STABConfig(method="stab", **SMALL)
    m = STABVideoQA(cfg).eval()
    x = torch.randn(1, 32, 8, 4, 4)  # (B, C, N, g, g)
    assert torch.equal(m.vision.lste(x), torch.zeros_like(x))  # zero-initialised last conv
    torch.nn.init.normal_(m.vision.lste.up.weight)
    y = x.clone()
    y[:, :, 5] += 1.0  # change frame 5 only
    d = (m.vision.lste(y) - m.vision.lste(x)).abs().amax(dim=(0, 1, 3, 4))  # per frame
    assert (d[[4, 5, 6]] > 0).all() and (d[[0, 1, 2, 3, 7]] == 0).all()  # temporal kernel 3


def test_alpha_fusion_is_per_channel_and_alpha_zero_is_the_video_path():
    cfg = STABConfig(method="stab", **SMALL)
    fu = AlphaFusion(cfg).eval()
    assert fu.balance.shape == (32,) and torch.equal(fu.balance, torch.zeros(32))  # init 0: w = 0.5
    video, frame = torch.randn(3, 1, 32), torch.randn(3, 1, 32)
    assert torch.allclose(fu(video, frame, torch.zeros(32)), fu.proj(video))  # α = 0 -> the video token path
    assert torch.allclose(fu(video, frame, torch.ones(32)), fu.proj(frame))
    w = (torch.arange(32) % 2).float()  # odd channels from the frame token, even from the video token
    mixed = torch.where(w.bool(), frame, video)
    assert torch.allclose(fu(video, frame, w), fu.proj(mixed))
    assert torch.allclose(fu(video, frame), fu.proj(0.5 * video + 0.5 * frame))  # the init
    assert AlphaFusion(STABConfig(method="stab", alpha="scalar", **SMALL)).balance.shape == (1,)
    # in the model: w -> 0 (balance very negative) makes every context token the projected video token
    m = STABVideoQA(cfg).eval()
    with torch.no_grad():
        m.vision.fusion.balance.fill_(-1e4)
        st = {}
        m.visual_tokens(frames(2), st)
    assert torch.allclose(st["context"], m.vision.fusion.proj(st["video"]).repeat_interleave(8, 0), atol=1e-6)


def test_row_tokens_follow_each_grid_row():
    cfg = STABConfig(method="stab", **SMALL)
    m = STABVideoQA(cfg).eval()
    st = {}
    with torch.no_grad():
        m.visual_tokens(frames(1), st)
    t, grid = st["tokens"], st["grid"]  # (N, 7, C), (N, 4, C)
    row = m.vision.row
    for f in range(8):
        assert torch.equal(t[f, 0], st["context"][f, 0])  # context first
        assert torch.equal(t[f, 3], row) and torch.equal(t[f, 6], row)  # after row 0 and after row 1
        assert torch.equal(t[f, [1, 2, 4, 5]], grid[f])  # grid tokens in row-major order
    pos = m.vision.grid_positions()
    assert pos[:8].tolist() == [1, 2, 4, 5, 8, 9, 11, 12]  # frames 0 and 1: not context, not <row>
    flat = t.reshape(-1, t.shape[-1])
    assert torch.equal(flat[pos], grid.reshape(-1, grid.shape[-1]))
    no_rows = STABConfig(method="stab", row_tokens=False, **SMALL)
    assert no_rows.tokens_per_frame == 5 and STABVideoQA(no_rows).vision.row is None


def test_ablations_build_and_keep_their_token_count():
    for over in ({"lsd": "avg"}, {"gstra": False}, {"lste": False}, {"alpha": "scalar"}):
        cfg = STABConfig(method="stab", **SMALL, **over)
        m = STABVideoQA(cfg).eval()
        with torch.no_grad():
            assert m.visual_tokens(frames(1)).shape == (1, 56, 32), over
    assert STABVideoQA(STABConfig(method="stab", lsd="avg", **SMALL)).vision.lsd.mode == "avg"
    assert STABVideoQA(STABConfig(method="stab", gstra=False, **SMALL)).vision.gstra is None
    with pytest.raises(AssertionError, match="lsd"):
        STABConfig(lsd="max")


def test_cosine_loss_on_a_hand_worked_case():
    pred = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    teacher = torch.tensor([[2.0, 0.0], [1.0, 1.0]])
    # cos = 1 and 1/sqrt(2): loss = 1 - (1 + 0.70711)/2 = 0.146447
    assert cosine_distill_loss(pred, teacher).item() == pytest.approx(1 - (1 + 2**-0.5) / 2, abs=1e-6)


def test_distill_head_attends_across_layers_on_a_hand_worked_case():
    # One token, three states (input, block 1, block 2), width 2, one head; every Linear is the identity.
    head = DistillHead(dec_dim=2, teacher_dim=2, n_states=3, heads=1)
    assert head.idx == [2, 1, 0]  # the last state queries the others
    with torch.no_grad():
        for lin in [n[1] for n in head.norms] + [head.input_layer, head.output_layer]:
            lin.weight.copy_(torch.eye(2))
            if lin.bias is not None:
                lin.bias.zero_()
    states = torch.tensor([[5.0, 1.0], [0.0, 2.0], [3.0, 1.0]]).view(1, 1, 3, 2)  # (B, L, J, E)
    # LayerNorm of a 2-vector is (+-1, -+1): s2 -> (1,-1) = q; s1 -> (-1,1), s0 -> (1,-1) are the keys/values.
    # scores q.k * 2^-0.5 = (-sqrt2, +sqrt2); softmax -> w1 = 1/(1+e^(2 sqrt2)), w0 = 1 - w1
    w1 = 1 / (1 + math.exp(2 * math.sqrt(2)))
    fused = (1 - 2 * w1, -(1 - 2 * w1))  # w1*(-1,1) + w0*(1,-1)
    want = torch.tensor([3 + fused[0], 1 + fused[1]])  # input_layer(last raw state) + output_layer(fused)
    got = head(states)[0, 0]
    assert torch.allclose(got, want, atol=1e-4), (got, want)
    loss = cosine_distill_loss(head(states), torch.tensor([[[1.0, 0.0]]]))
    assert loss.item() == pytest.approx(1 - want[0].item() / want.norm().item(), abs=1e-4)


def test_decoder_states_are_the_scorer_inputs_and_block_outputs():
    cfg = STABConfig(method="stab", **SMALL)
    m = STABVideoQA(cfg).eval()
    f, q, o = frames(2), torch.randint(1, 20, (2, cfg.max_q)), torch.randint(1, 20, (2, 5, cfg.max_opt))
    with torch.no_grad():
        logits, states = decoder_states(m, f, q, o)
        assert torch.allclose(logits, m(f, q, o))
        assert states.shape == (2, 56, 3, 32)  # (B, L, J = dec_layers + 1, E)
        assert torch.allclose(states[:, :, 0], m.visual_tokens(f) + m.scorer.vis_pos)  # the input embeddings
    assert not m.scorer.blocks[0]._forward_pre_hooks and not m.scorer.blocks[1]._forward_hooks  # hooks removed


def test_teacher_targets_pool_patches_onto_the_stab_grid():
    cfg = STABConfig(method="encoder-baseline", **SMALL)
    teacher = STABVideoQA(cfg).eval()
    f = frames(1)
    t = teacher_targets(teacher, f, 2)
    pf = teacher.vision.patch_features(to_float(f))  # (1, 8, 16, 32), a 4x4 grid
    assert t.shape == (1, 8 * 4, 32)
    top_left = pf[0, 0, [0, 1, 4, 5]].mean(0)  # frame 0, window (0, 0)
    bottom_right = pf[0, 7, [10, 11, 14, 15]].mean(0)  # frame 7, window (1, 1)
    assert torch.allclose(t[0, 0], top_left, atol=1e-6) and torch.allclose(t[0, -1], bottom_right, atol=1e-6)


def test_distillation_trains_and_checkpoints_round_trip(toy_shards, tmp_path):
    tr = read_shard(toy_shards[0])
    base, tok = config_for(tr)
    shared = {f: getattr(base, f) for f in ("vocab_size", "image_size", "max_q", "max_opt", "max_options")}
    small = {**SMALL, **shared}
    tcfg = STABConfig(method="encoder-baseline", **small)
    data = Encoded(tr, tok, tcfg)
    teacher, _ = train_stab(tcfg, data, steps=4, batch=8)
    cfg = STABConfig(method="stab", **small)
    model, log = train_stab(cfg, data, steps=40, batch=8, lr=3e-3, init_decoder=teacher.state_dict(), teacher=teacher)
    first = sum(r["distill"] for r in log[:5]) / 5
    last = sum(r["distill"] for r in log[-5:]) / 5
    assert last < first - 0.05, f"distillation loss did not fall: {first:.3f} -> {last:.3f}"
    assert all(not p.requires_grad for p in teacher.parameters())  # the teacher stays frozen
    fresh = warm_start_decoder(STABVideoQA(cfg), teacher.state_dict())
    assert fresh == ["scorer.vis_pos"]  # 56 STAB tokens vs the encoder's 24
    _, plain = train_stab(cfg, data, steps=3, batch=8)
    assert all(r["distill"] == 0 for r in plain)
    save_checkpoint(str(tmp_path / "s.pt"), model, tok, {"trained_on": "toy"})
    m2, tok2, meta = load_checkpoint(str(tmp_path / "s.pt"))  # load_checkpoint dispatches on method
    assert isinstance(m2, STABVideoQA) and m2.cfg == cfg and meta["trained_on"] == "toy"
    x = data.frames_of(slice(0, 3)), data.q[:3], data.opts[:3]
    with torch.no_grad():
        assert torch.equal(m2(*x), model(*x))


@pytest.mark.filterwarnings("ignore")
def test_onnx_runtime_matches_pytorch(tmp_path):
    from test_onnx import NODE, ROOT, SCRIPT

    assert os.path.exists(NODE), f"{NODE} missing: run npm install"
    tok = Tokenizer.build(["which way does the red ball roll", "left right up down stays 1 2 3"])
    items = [
        {"question": "Which way does the red ball roll?", "options": ["left", "right", "up", "stays"]},
        {"question": "How many times?", "options": ["1", "2", "3"]},
    ]
    torch.manual_seed(0)
    names = []
    variants = {"stab": {}, "encoder-baseline": {}, "stab-ablated": {"lsd": "avg", "gstra": False, "lste": False}}
    for name, over in variants.items():
        method = "encoder-baseline" if name == "encoder-baseline" else "stab"
        cfg = STABConfig(method=method, **{**SMALL, "vocab_size": len(tok.vocab)}, **over)
        model = STABVideoQA(cfg)
        with torch.no_grad():  # non-trivial weights where the init is zero, and BatchNorm statistics
            for p in model.vision.parameters():
                p.add_(torch.randn_like(p) * 0.05)
            if cfg.lste and method == "stab":
                model.vision.lste.norm.running_mean.normal_()
                model.vision.lste.norm.running_var.uniform_(0.5, 2.0)
            model.scorer.head.weight.mul_(50)
        model.eval()
        fr = torch.randint(0, 256, (len(items), 8, 32, 32, 3), dtype=torch.uint8)
        export_onnx(model, str(tmp_path), f"t-{name}", vision=False)
        (tmp_path / f"t-{name}.json").write_text(json.dumps(describe(model, tok, f"t-{name}", {"trained_on": "none"})))
        (tmp_path / f"t-{name}.fixture.json").write_text(json.dumps(parity_fixture(model, tok, items, fr)))
        names.append(f"t-{name}")
    script = SCRIPT % os.path.join(ROOT, "src", "models", "builtin.ts")
    r = subprocess.run(
        [NODE, "--input-type=module", "-e", script, str(tmp_path), ",".join(names)],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    for name in names:
        fx = json.loads((tmp_path / f"{name}.fixture.json").read_text())
        want, ort = torch.tensor(fx["logits"]), torch.tensor(got[name]["logits"])
        present = want > -1e3
        diff = (want[present] - ort[present]).abs().max().item()
        assert diff <= 1e-4, f"{name}: max |PyTorch - ONNX Runtime| = {diff}"
        assert ort.argmax(-1).tolist() == fx["argmax"], name


MODELS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "models")


@pytest.mark.skipif(not os.path.exists(os.path.join(MODELS, "none-k1.onnx")), reason="no none-k1 built-in shipped")
def test_builtin_weights_read_back_from_onnx_and_make_the_teacher():
    from kinema_py.onnx_weights import fixture_error, load_builtin
    from kinema_py.stab import teacher_from_builtin

    stem = os.path.join(MODELS, "none-k1")
    src, spec = load_builtin(stem)
    assert fixture_error(src, stem) <= 1e-5  # the shipped fixture's PyTorch logits, from weights read off the graph
    teacher, tok, _ = teacher_from_builtin(stem, n_frames=8)
    assert teacher.cfg.method == "encoder-baseline" and tok.vocab == spec["vocab"]
    x = to_float(frames(2, S=src.cfg.image_size))
    with torch.no_grad():
        want = src.vision.encoder(src.vision.embed(x.flatten(0, 1))).view(2, 8, -1, src.cfg.dim)
        assert torch.equal(teacher.vision.patch_features(x), want)  # the teacher's patches are none-k1's encoder's
        assert torch.equal(teacher.scorer.blocks[0].attn.q.weight, src.scorer.blocks[0].attn.q.weight)
    stab = STABVideoQA(STABConfig(method="stab", vocab_size=teacher.cfg.vocab_size))
    assert teacher.vision_params() >= 6 * stab.vision_params()  # the paper's size ratio (307M vs 45M) or more


def test_bench_builds_configs_at_another_frame_size(tmp_path, capsys):
    """perf/models.ts --size: the same architecture at 64 px (bigger patch grid), vision-only ONNX exported."""
    import json
    import os

    from kinema_py import bench

    models = os.path.join(os.path.dirname(__file__), "..", "..", "models")
    bench.main(["--models", models, "--out", str(tmp_path), "--repeats", "1", "--image-size", "64",
                "--only", "stab,encoder-baseline"])
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert sorted(r["name"] for r in rows) == ["encoder-baseline", "stab"]
    by = {r["name"]: r for r in rows}
    assert all(r["image_size"] == 64 and os.path.exists(r["onnx"]) for r in rows)
    # STAB's vision part has no position table, so its size does not depend on the frame size; the encoder's does
    assert by["stab"]["vision_params"] == 11410
    assert by["encoder-baseline"]["vision_params"] > 71376
