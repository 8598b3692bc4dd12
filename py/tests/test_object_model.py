# The object model (VideoRefer): TTM against hand-worked examples (ties included), mask pooling against a direct
# computation, region-token substitution, shapes, and ONNX parity with onnxruntime-node as the adapter runs it.
import base64
import json
import os
import subprocess

import numpy as np
import pytest
import torch

from kinema_py.data import Tokenizer
from kinema_py.object_model import (
    REGION,
    ObjectConfig,
    ObjectQAModel,
    encode_question,
    mask_to_grid,
    masked_pool,
    ttm,
    ttm_groups,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE = os.path.join(ROOT, "node_modules", ".bin", "node")


def T(*rows):
    return torch.tensor(rows, dtype=torch.float32)


def test_ttm_distinct_similarities():
    # sims: cos((1,0),(2,1)) = .894, cos((2,1),(0,1)) = .447, cos((0,1),(-1,1)) = .707
    x = T([1, 0], [2, 1], [0, 1], [-1, 1])
    # u = 2: r = 2, threshold = .707 (2nd largest); cut after pair 1 (.447 < .707) -> {0,1}, {2,3}
    assert ttm_groups(x, 2).tolist() == [0, 0, 1, 1]
    merged, valid = ttm(x, 2)
    assert torch.allclose(merged, T([1.5, 0.5], [-0.5, 1.0]))
    assert valid.tolist() == [True, True]
    # u = 3: r = 1, threshold = .894; cuts after pairs 1 and 2 -> {0,1}, {2}, {3}
    assert ttm_groups(x, 3).tolist() == [0, 0, 1, 2]
    assert ttm_groups(x, 4).tolist() == [0, 1, 2, 3]  # u = k: every token alone
    assert ttm_groups(x, 1).tolist() == [0, 0, 0, 0]  # u = 1: threshold = the smallest sim, one group
    assert torch.allclose(ttm(x, 1)[0], x.mean(0, keepdim=True))


def test_ttm_ties_give_fewer_groups():
    # sims [1, 0, 1, 0]
    x = T([1, 0], [1, 0], [0, 1], [0, 1], [-1, 0])
    # u = 3: r = 2, threshold = 1; cuts where sim < 1 (pairs 1 and 3) -> {0,1}, {2,3}, {4}
    assert ttm_groups(x, 3).tolist() == [0, 0, 1, 1, 2]
    # u = 4: r = 1, threshold = 1 again (a tie at the top): still 3 groups, the 4th slot empty
    assert ttm_groups(x, 4).tolist() == [0, 0, 1, 1, 2]
    merged, valid = ttm(x, 4)
    assert valid.tolist() == [True, True, True, False]
    assert torch.allclose(merged, T([1, 0], [0, 1], [-1, 0], [0, 0]))
    # u = 2: r = 3, threshold = 0 (3rd largest of [1,1,0,0]); nothing is below it -> one group
    assert ttm_groups(x, 2).tolist() == [0, 0, 0, 0, 0]
    merged, valid = ttm(x, 2)
    assert valid.tolist() == [True, False]
    assert torch.allclose(merged[0], torch.tensor([0.2, 0.4]))


def test_ttm_identical_tokens_form_one_group():
    x = torch.randn(1, 6).expand(8, 6) * (1 + 1e-7 * torch.arange(8.0)).unsqueeze(-1)  # float noise only
    for u in (1, 2, 4):
        assert ttm_groups(x, u).tolist() == [0] * 8
        assert ttm(x, u)[1].sum().item() == 1


def test_ttm_skips_frames_without_mask_in_the_means():
    x = T([1, 0], [1, 0], [0, 1])
    present = torch.tensor([True, False, True])
    merged, valid = ttm(x, 2, present)
    assert torch.allclose(merged, T([1, 0], [0, 1])) and valid.tolist() == [True, True]
    merged, valid = ttm(x, 3, torch.tensor([True, False, True]))
    assert valid.tolist() == [True, False, True]


def test_mask_pooling_matches_a_direct_computation():
    g = torch.Generator().manual_seed(0)
    S, grid, D = 16, 4, 5
    feats = torch.randn(1, 2, grid * grid, D, generator=g)  # (B, N, P, D)
    masks = torch.zeros(1, 1, 2, S, S)
    masks[0, 0, 0, 1, 1] = 1  # a corner pixel of cell (0, 0)
    masks[0, 0, 0, 5:7, 9:11] = 1  # cell (1, 2) at its centre
    masks[0, 0, 1, 15, 0] = 1  # a corner pixel of cell (3, 0)
    # area: any pixel of a 4x4 cell sets it
    area = mask_to_grid(masks, grid, "area")
    want = np.zeros((2, grid * grid), bool)
    for n in range(2):
        for i in range(grid):
            for j in range(grid):
                want[n, i * grid + j] = masks[0, 0, n, 4 * i : 4 * i + 4, 4 * j : 4 * j + 4].sum() > 0
    assert (area[0, 0].numpy() == want).all()
    # bilinear (VideoRefer's rule): with factor 4 each cell reads pixels 4i+1..4i+2 only, so corner pixels vanish
    bil = mask_to_grid(masks, grid, "bilinear")[0, 0]
    assert bil[0].nonzero().flatten().tolist() == [0 * grid + 0, 1 * grid + 2]  # (1,1) lies in 4i+1..4i+2
    assert bil[1].sum().item() == 0
    pooled, present = masked_pool(feats, area.unsqueeze(0) if area.dim() == 3 else area)
    for n in range(2):
        cells = [p for p in range(grid * grid) if want[n, p]]
        direct = sum(feats[0, n, p] for p in cells) / len(cells)
        assert torch.allclose(pooled[0, 0, n], direct, atol=1e-6)
    assert present.tolist() == [[[True, True]]]
    empty, none = masked_pool(feats, torch.zeros(1, 1, 2, grid * grid, dtype=torch.bool))
    assert empty.abs().sum() == 0 and not none.any()


def tok_for(questions, options):
    return Tokenizer([*Tokenizer.build(questions + options).vocab, REGION])


def test_region_slots_replace_each_object_region():
    tok = tok_for(["what does object0 do with object1"], ["kicks it"])
    ids, reg = encode_question(tok, "What does <object0><region> do with <object1>[<region>]?", 2, 12)
    words = [tok.vocab[i] for i in ids]
    assert words == ["what", "does", "object0", REGION, REGION, "do", "with", "object1", REGION, REGION, "<pad>", "<pad>"]
    assert reg == [-1, -1, -1, 0, 1, -1, -1, -1, 2, 3, -1, -1]
    # without region input the tags stay as words and no slot is made
    ids, reg = encode_question(tok, "What does <object0><region> do?", 2, 6, regions=False)
    assert [tok.vocab[i] for i in ids][:4] == ["what", "does", "object0", "do"] and set(reg) == {-1}
    # the n-th region is slot n whatever its tag number (Bench-Q: "<object3><region>" with one annotation)
    _, reg = encode_question(tok, "Is <object3><region> red?", 1, 5)
    assert reg == [-1, -1, 0, -1, -1]


def small_cfg(**kw):
    return ObjectConfig(n_frames=4, u=2, image_size=16, patch=4, dim=16, dec_dim=16, enc_layers=1, dec_layers=1,
                        heads=2, vocab_size=20, max_q=10, max_opt=3, max_options=3, **kw)


def test_shapes_and_that_regions_reach_the_logits():
    torch.manual_seed(0)
    cfg = small_cfg()
    model = ObjectQAModel(cfg)
    B = 2
    frames = torch.randint(0, 255, (B, 4, 16, 16, 3), dtype=torch.uint8)
    masks = torch.zeros(B, 2, 4, 16, 16, dtype=torch.uint8)
    masks[:, 0, :, 2:6, 2:6] = 1
    q = torch.tensor([[3, 4, 19, 19, 5, 0, 0, 0, 0, 0]] * B)
    r = torch.tensor([[-1, -1, 0, 1, -1, -1, -1, -1, -1, -1]] * B)
    o = torch.tensor([[[6, 0, 0], [7, 0, 0], [0, 0, 0]]] * B)
    feats = model.patch_features(frames)
    assert feats.shape == (B, 4, 16, 16)
    assert model.global_tokens(feats).shape == (B, cfg.global_tokens, 16)
    reg, valid = model.region_tokens(feats, masks)
    assert reg.shape == (B, 2 * 2, 16) and valid.shape == (B, 4)
    assert valid[:, :2].all() and not valid[:, 2:].any()  # object slot 1 has no mask
    logits = model(frames, masks, q, r, o)
    assert logits.shape == (B, 3) and logits[0, 2] < -1e3  # the empty option slot
    moved = masks.clone()
    moved[:, 0] = 0
    moved[:, 0, :, 10:14, 10:14] = 1
    assert not torch.allclose(logits, model(frames, moved, q, r, o))  # another region, another answer
    som = ObjectQAModel(small_cfg(regions=False))
    assert torch.allclose(som(frames, masks, q, r, o), som(frames, moved, q, r, o))  # masks unused there


SCRIPT = """
import { readFileSync } from "node:fs";
import { openObjectModel, encodeRegionQuestion } from "%s";
const [file, sidecar, fixture] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(sidecar, "utf8"));
const fx = JSON.parse(readFileSync(fixture, "utf8"));
const s = await openObjectModel(spec, file);
const vocab = new Map(spec.vocab.map((w, i) => [w, i]));
const out = { logits: [], q: [] };
for (let i = 0; i < fx.items.length; i++) {
  const b = (x) => new Uint8Array(Buffer.from(x, "base64"));
  out.logits.push(await s.score(b(fx.frames_b64[i]), b(fx.masks_b64[i]), fx.items[i].question, fx.items[i].options));
  out.q.push(encodeRegionQuestion(vocab, fx.items[i].question, spec.u, spec.max_q, spec.regions));
}
await s.close();
console.log(JSON.stringify(out));
"""


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("u", [1, 2, 4])
def test_onnx_runtime_matches_pytorch(tmp_path, u):
    from kinema_py.object_train import describe, export_onnx

    assert os.path.exists(NODE), f"{NODE} missing: run npm install"
    torch.manual_seed(u)
    questions = ["What does <object0><region> do with <object1><region>?", "What kind of object is <object0><region>?"]
    tok = tok_for(["what does object0 do with object1 kind of is"], ["kicks it", "a ball", "a cup"])
    cfg = ObjectConfig(n_frames=4, u=u, image_size=16, patch=4, dim=16, dec_dim=16, enc_layers=1, dec_layers=1,
                       heads=2, vocab_size=len(tok.vocab), max_q=14, max_opt=3, max_options=3)
    model = ObjectQAModel(cfg)
    for p in model.parameters():  # larger weights than the init, so parity is checked on non-trivial values
        p.data.normal_(0, 0.3)
    g = torch.Generator().manual_seed(1)
    frames = torch.randint(0, 255, (2, 4, 16, 16, 3), dtype=torch.uint8, generator=g)
    masks = (torch.rand(2, 2, 4, 16, 16, generator=g) > 0.9).to(torch.uint8)
    masks[1, 1] = 0
    masks[0, 0, 2] = 0  # a frame without mask
    # item 1 in single-frame mode: one frame and its masks repeated k times (all TTM similarities tie at 1)
    frames[1] = frames[1, :1].expand(4, -1, -1, -1)
    masks[1] = masks[1, :, :1].expand(-1, 4, -1, -1)
    options = [["kicks it", "a ball"], ["a ball", "a cup", "kicks it"]]
    qs = [encode_question(tok, q, u, cfg.max_q) for q in questions]
    q = torch.tensor([a for a, _ in qs])
    r = torch.tensor([b for _, b in qs])
    o = torch.zeros(2, 3, 3, dtype=torch.long)
    for i, opts in enumerate(options):
        for j, t in enumerate(opts):
            ids = tok.encode(t, 3)
            o[i, j] = torch.tensor(ids)
    with torch.no_grad():
        want = model(frames, masks, q, r, o)
    path = str(tmp_path / "m.onnx")
    export_onnx(model, path)
    with open(tmp_path / "m.json", "w") as f:
        json.dump(describe(model, tok, "m", {}), f)
    b64 = lambda t: base64.b64encode(t.numpy().tobytes()).decode()  # noqa: E731
    with open(tmp_path / "fx.json", "w") as f:
        json.dump({"items": [{"question": qq, "options": oo} for qq, oo in zip(questions, options)],
                   "frames_b64": [b64(frames[i]) for i in range(2)], "masks_b64": [b64(masks[i]) for i in range(2)]}, f)
    script = tmp_path / "parity.mts"
    script.write_text(SCRIPT % os.path.join(ROOT, "src", "models", "object.ts"))
    res = subprocess.run([NODE, str(script), path, str(tmp_path / "m.json"), str(tmp_path / "fx.json")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout)
    for i, opts in enumerate(options):
        assert got["q"][i]["ids"] == q[i].tolist() and got["q"][i]["region"] == r[i].tolist()
        diff = np.abs(np.array(got["logits"][i]) - want[i, : len(opts)].numpy()).max()
        assert diff <= 1e-4, f"u={u} item {i}: max |onnx - torch| = {diff}"
