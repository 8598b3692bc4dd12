# The shortcut probes' views of a clip, the chance interval, and the dense per-frame loss.
import torch

from kinema_py.model import ModelConfig, VideoQAModel
from kinema_py.shortcuts import chance_by_category, transform
from kinema_py.train import aux_loss


def _clip():
    f = torch.zeros(2, 4, 8, 8, 3, dtype=torch.uint8)
    for t in range(4):
        f[:, t] = 10 * (t + 1)
    return f


def test_probes_see_first_last_mean_or_shuffled_frames():
    f = _clip()
    assert (transform(f, "first", 0) == 10).all()
    assert (transform(f, "last", 0) == 40).all()
    assert (transform(f, "mean", 0) == 25).all()
    s = transform(f, "shuffled", 0)
    assert sorted(s[0, :, 0, 0, 0].tolist()) == [10, 20, 30, 40]
    assert torch.equal(transform(f, "ordered", 0), f)


def test_chance_interval_per_category():
    items = [{"category": "A", "options": ["x", "y"]}] * 100 + [{"category": "B", "options": ["1", "2", "3", "4"]}] * 50
    ch = chance_by_category(items)
    assert abs(ch["A"]["chance"] - 0.5) < 1e-9 and ch["B"]["n"] == 50
    lo, hi = ch["A"]["ci95"]
    assert abs((hi - lo) / 2 - 1.96 * 0.05) < 1e-9


def test_aux_head_predicts_every_input_frame_and_its_loss_falls():
    torch.manual_seed(0)
    cfg = ModelConfig(method="te-fusion", k=2, n_frames=4, dim=16, dec_dim=16, enc_layers=1, dec_layers=1,
                      heads=2, vocab_size=8, aux_classes=3, aux_regs=2)
    m = VideoQAModel(cfg)
    frames = torch.randint(0, 255, (4, 4, 32, 32, 3), dtype=torch.uint8)
    q = torch.ones(4, cfg.max_q, dtype=torch.long)
    o = torch.ones(4, cfg.max_options, cfg.max_opt, dtype=torch.long)
    target = torch.zeros(4, 4, 3)
    target[..., 0] = torch.arange(4).remainder(3).float()  # class per frame
    target[..., 1] = torch.linspace(-1, 1, 4)
    logits, aux = m.forward_with_aux(frames, q, o)
    assert logits.shape == (4, cfg.max_options) and aux.shape == (4, 4, 5)
    opt = torch.optim.Adam(m.parameters(), 1e-2)
    first = aux_loss(aux, target, 3).item()
    for _ in range(30):
        _, aux = m.forward_with_aux(frames, q, o)
        loss = aux_loss(aux, target, 3)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first * 0.5
    # The exported graph (forward) does not depend on the aux head.
    assert torch.equal(m(frames, q, o), m.scorer(m.visual_tokens(frames), q, o))
