# Shapes and ratios of every compressor: decoder tokens L = N*l/k, and each stage's documented shape.
import pytest
import torch

from kinema_py.model import COMPRESSORS, METHODS, ModelConfig, VideoQAModel, merge_2x2, to_float


def frames(B, N, S=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (B, N, S, S, 3), dtype=torch.uint8, generator=g)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("k,n", [(1, 4), (2, 8), (4, 8), (8, 16)])
def test_decoder_tokens_are_N_l_over_k(method, k, n):
    cfg = ModelConfig(method=method, k=k, n_frames=n, dim=32, dec_dim=32, enc_layers=1, dec_layers=1, vocab_size=20)
    vis = COMPRESSORS[method](cfg)
    out = vis(to_float(frames(2, n)))
    l = cfg.patches // 4
    assert out.shape == (2, n // k, l, cfg.dec_dim)  # (B, G, l, E)
    assert out.shape[1] * out.shape[2] == cfg.decoder_tokens == n * l // k


def test_equal_decoder_length_across_methods_at_equal_k():
    lengths = {m: ModelConfig(method=m, k=4, n_frames=16).decoder_tokens for m in METHODS}
    assert set(lengths.values()) == {16 * 4 // 4}


def test_full_model_scores_options_and_masks_empty_slots():
    cfg = ModelConfig(method="te-fusion", k=2, n_frames=4, dim=32, dec_dim=32, vocab_size=20, max_options=5)
    m = VideoQAModel(cfg).eval()
    q = torch.randint(1, 20, (3, cfg.max_q))
    o = torch.randint(1, 20, (3, 5, cfg.max_opt))
    o[:, 3:] = 0  # only 3 options
    logits = m(frames(3, 4), q, o)
    assert logits.shape == (3, 5)
    assert (logits[:, 3:] <= -1e3).all() and (logits[:, :3] > -1e3).all()


def test_merge_2x2_groups_spatial_neighbours():
    x = torch.arange(16.0).view(1, 16, 1)  # a 4x4 grid, one channel
    y = merge_2x2(x, 4)  # (1, 4, 4)
    assert y.shape == (1, 4, 4)
    assert y[0, 0].tolist() == [0, 1, 4, 5] and y[0, 3].tolist() == [10, 11, 14, 15]


def test_te_fusion_attends_across_frames_but_kangaroo_does_not_before_fusion():
    # Changing frame 1 changes TE Fusion's encoder output for frame 0's tokens; a per-frame encoder can't.
    torch.manual_seed(0)
    for method, mixes in (("te-fusion", True), ("kangaroo", False)):
        cfg = ModelConfig(method=method, k=2, n_frames=2, dim=32, dec_dim=32, vocab_size=20)
        vis = COMPRESSORS[method](cfg).eval()
        a = to_float(frames(1, 2))
        b = a.clone()
        b[:, 1] = -b[:, 1]
        x = vis.embed(a.flatten(0, 1))
        xb = vis.embed(b.flatten(0, 1))
        if method == "te-fusion":
            P, D = x.shape[1:]
            ea = vis.encoder((x.view(1, 2, P, D) + vis.temporal_pos).reshape(1, 2 * P, D))[:, :P]
            eb = vis.encoder((xb.view(1, 2, P, D) + vis.temporal_pos).reshape(1, 2 * P, D))[:, :P]
        else:
            ea, eb = vis.encoder(x)[0], vis.encoder(xb)[0]
        assert (not torch.allclose(ea, eb)) == mixes


def test_config_rejects_bad_ratio():
    with pytest.raises(AssertionError, match="must divide"):
        ModelConfig(k=3, n_frames=16)
    with pytest.raises(AssertionError, match="method"):
        ModelConfig(method="bogus")


@pytest.mark.parametrize("head", ["joint", "match"])
def test_each_option_is_scored_on_its_own(head):
    # The multiple-choice head: option i's logit depends on the clip, the question and option i only, so
    # editing option 2 leaves the other logits alone and permuting the options permutes the logits.
    torch.manual_seed(0)
    cfg = ModelConfig(method="pllava", k=2, n_frames=4, dim=32, dec_dim=32, vocab_size=20, max_options=4, head=head)
    m = VideoQAModel(cfg).eval()
    q = torch.randint(1, 20, (2, cfg.max_q))
    o = torch.randint(1, 20, (2, 4, cfg.max_opt))
    o[:, :, 5:] = 0  # padded option words
    f = frames(2, 4)
    with torch.no_grad():
        base = m(f, q, o)
        o2 = o.clone()
        o2[:, 2, :3] = torch.tensor([7, 8, 9])
        edited = m(f, q, o2)
        perm = torch.tensor([3, 1, 0, 2])
        permuted = m(f, q, o[:, perm])
    assert base.shape == (2, 4)
    keep = [0, 1, 3]
    assert torch.allclose(base[:, keep], edited[:, keep], atol=1e-5)
    assert not torch.allclose(base[:, 2], edited[:, 2], atol=1e-5)
    assert torch.allclose(base[:, perm], permuted, atol=1e-5)


def test_match_head_reads_the_groups_in_time_order():
    # the temporal read-out sees the groups' tokens in order: swapping two groups changes the logits even with
    # the joint decoder's visual positions zeroed (so only the read-out can tell), and it is trained
    torch.manual_seed(0)
    cfg = ModelConfig(method="pllava", k=2, n_frames=4, dim=32, dec_dim=32, vocab_size=20, max_options=3, head="match")
    m = VideoQAModel(cfg).eval()
    with torch.no_grad():
        m.scorer.vis_pos.zero_()
    q = torch.randint(1, 20, (2, cfg.max_q))
    o = torch.randint(1, 20, (2, 3, cfg.max_opt))
    f = frames(2, 4)
    swapped = f[:, [2, 3, 0, 1]]
    with torch.no_grad():
        a, b = m(f, q, o), m(swapped, q, o)
    assert not torch.allclose(a, b, atol=1e-5)
    m.train()
    m(f, q, o).logsumexp(-1).sum().backward()
    assert m.scorer.match.weight.grad.abs().sum() > 0 and m.scorer.temporal[1].weight.grad.abs().sum() > 0
    with pytest.raises(AssertionError):
        ModelConfig(head="late")


@pytest.mark.parametrize("method", METHODS)
def test_conv_stem_keeps_the_patch_grid_and_decoder_length(method):
    kw = dict(method=method, k=2, n_frames=4, dim=32, dec_dim=32, enc_layers=1, dec_layers=1, vocab_size=20, patch=8)
    outs = {}
    for stem in ("patch", "conv"):
        cfg = ModelConfig(stem=stem, **kw)
        outs[stem] = COMPRESSORS[method](cfg)(to_float(frames(2, 4)))
    assert outs["conv"].shape == outs["patch"].shape == (2, 2, cfg.patches // 4, 32)


def test_conv_stem_sees_a_two_pixel_line_that_moves_within_one_patch():
    # two frames that differ only by a 2 px bar shifted inside one 8 px patch: the conv stem's tokens differ
    torch.manual_seed(0)
    cfg = ModelConfig(stem="conv", method="none", k=1, n_frames=1, dim=32, dec_dim=32, enc_layers=1, patch=8)
    emb = COMPRESSORS["none"](cfg).embed
    a = torch.zeros(1, 3, 32, 32)
    b = a.clone()
    a[:, :, 8:16, 9:11] = 1.0
    b[:, :, 8:16, 12:14] = 1.0
    assert not torch.allclose(emb(a), emb(b), atol=1e-6)


def test_config_rejects_bad_stem():
    with pytest.raises(AssertionError, match="stem"):
        ModelConfig(stem="resnet")
    with pytest.raises(AssertionError, match="divisible by 4"):
        ModelConfig(stem="conv", patch=6, image_size=24)
