# label_probe: R^2 per frame-label column from a model's aux head; a label the head fits well scores near 1.
import json

import numpy as np
import torch

from kinema_py.data import read_shard
from kinema_py.label_probe import label_fit
from kinema_py.train import Encoded, config_for, train

TINY = dict(dim=32, dec_dim=32, enc_layers=1, dec_layers=1)


def _shard(tmp_path, n_options=2):
    rng = np.random.default_rng(0)
    Q, N, S = 40, 4, 16
    frames = np.zeros((Q, N, S, S, 3), np.uint8)
    items = []
    for i in range(Q):
        b = rng.uniform(0, 1, N)  # per-frame brightness: the "bright" label is visible in each frame
        frames[i] = (b[:, None, None, None] * 255).astype(np.uint8)
        labels = [[int(i % 3), float(2 * x - 1), 0.0] for x in b]  # class, bright, a column with no variance
        items.append({"video_id": f"v{i}", "question": "how bright", "options": ["a", "b", "c"][:n_options],
                      "answer": i % 2, "category": "MR", "frame_labels": labels})
    np.save(tmp_path / "frames.npy", frames)
    (tmp_path / "questions.json").write_text(
        json.dumps({"items": items, "frame_label_names": ["action", "bright", "flat"]})
    )
    return str(tmp_path)


def test_label_fit_scores_a_learnable_column_above_a_constant_one(tmp_path):
    Q, N = 40, 4
    sh = read_shard(_shard(tmp_path))
    cfg, tok = config_for(sh, method="te-fusion", k=2, n_frames=N, aux_classes=3, aux_regs=2, **TINY)
    data = Encoded(sh, tok, cfg)
    torch.manual_seed(0)
    model, _ = train(cfg, data, steps=150, batch=16, lr=3e-3, seed=0, aux_weight=1.0)
    fit = label_fit(model, data, ["action", "bright", "flat"], list(range(Q)))
    assert fit["bright"]["r2"] > 0.5, fit
    assert fit["flat"]["r2"] is None  # no variance: R^2 is undefined, never printed as a number
    assert 0 <= fit["action"]["acc"] <= 1 and abs(fit["action"]["majority"] - 14 / 40) < 1e-9


def test_cli_reads_a_test_shard_with_more_options_than_the_model(tmp_path, capsys):
    """A model trained on 2-option questions is probed on clips whose questions have 3 options."""
    from kinema_py.checkpoint import save_checkpoint
    from kinema_py.label_probe import main

    (tmp_path / "tr").mkdir()
    (tmp_path / "te").mkdir()
    tr = read_shard(_shard(tmp_path / "tr"))
    cfg, tok = config_for(tr, method="pllava", k=2, n_frames=4, aux_classes=3, aux_regs=2, **TINY)
    model, _ = train(cfg, Encoded(tr, tok, cfg), steps=3, batch=8, aux_weight=1.0)
    save_checkpoint(str(tmp_path / "m.pt"), model, tok, {})
    main(["--ckpt", str(tmp_path / "m.pt"), "--test", _shard(tmp_path / "te", n_options=3), "--threads", "1"])
    out = json.loads(capsys.readouterr().out)
    assert out["clips"] == 40 and set(out["labels"]) == {"action", "bright", "flat"}
