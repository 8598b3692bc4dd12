"""VideoRefer's object-level model at small scale: mask pooling, Temporal Token Merge (TTM), region tokens.

Reads top to bottom: the question encoding shared with TypeScript, the two VideoRefer parts (the spatial token
extractor and TTM, both pure functions first, then modules), the option-scoring decoder with region tokens,
and the full model last. The vision encoder and decoder blocks are the ones of the compression models
(model.py), so `kinema study object` compares region tokens against set-of-mark frames on one backbone.

Shape letters: B batch, N frames (= k, the per-object frame tokens before TTM), S frame side, g patch grid side,
P = g*g patches, D encoder width, E decoder width, O object slots, u TTM union, Tq question slots, M options.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .data import Tokenizer, words
from .model import NEG, Block, Encoder, PatchEmbed, init_weights, to_float

SIM_SCALE = 1e4  # TTM similarities are compared at this resolution (see ttm_groups)
REGION = "<region>"  # vocabulary word of a region slot (never produced by `words`, which keeps [a-z0-9])
# `<objectN><region>` with the upstream bracket form `[<region>]` accepted too.
REGION_RE = re.compile(r"(?:<object(\d+)>)?\s*\[?<region>\]?")


@dataclass
class ObjectConfig:
    n_frames: int = 8  # N: frames of the clip the encoder sees; also k, the object's frame tokens before TTM
    u: int = 4  # TTM union: tokens per object after merging (paper Table 7: u = 4 best)
    image_size: int = 32  # frames (and masks) are image_size x image_size
    patch: int = 4  # patch side; the mask is resized to the (image_size/patch)^2 patch grid
    stem: str = "patch"  # patch embedding, as model.ModelConfig.stem (the object model trains with the linear one)
    dim: int = 48  # encoder width D
    enc_layers: int = 2
    heads: int = 4
    dec_dim: int = 64  # decoder width E
    dec_layers: int = 2
    global_grid: int = 2  # global visual tokens: each frame's patch features average-pooled to this grid
    max_objects: int = 2  # O: object slots (the synthetic set refers to at most two objects)
    regions: bool = True  # False: the same backbone without region input (set-of-mark frames, text only)
    # How the mask reaches the patch grid before "> 0": "bilinear" is VideoRefer's rule (F.interpolate without
    # antialiasing reads only the 2x2 pixels around each cell centre, so an object smaller than a patch often
    # vanishes: on the synthetic test set it dropped 2,746 of 5,492 present masks at 64px/patch 8); "area"
    # averages the whole cell (any pixel counts) and is the default at this scale.
    mask_resize: str = "area"
    vocab_size: int = 64
    max_q: int = 24  # question slots, region slots included
    max_opt: int = 8
    max_options: int = 5

    def __post_init__(self) -> None:
        assert 1 <= self.u <= self.n_frames, f"u={self.u} must lie in 1..k={self.n_frames}"
        assert self.image_size % self.patch == 0, "image_size must be a multiple of patch"
        assert self.grid % self.global_grid == 0, "global_grid must divide the patch grid"
        assert self.dim % self.heads == 0 and self.dec_dim % self.heads == 0, "widths must divide by heads"
        assert self.mask_resize in ("area", "bilinear"), f"mask_resize must be area or bilinear, got {self.mask_resize!r}"

    @property
    def grid(self) -> int:
        return self.image_size // self.patch

    @property
    def patches(self) -> int:
        return self.grid * self.grid

    @property
    def global_tokens(self) -> int:
        return self.n_frames * self.global_grid * self.global_grid

    @property
    def decoder_tokens(self) -> int:
        """Visual tokens at the decoder: the global ones plus u region tokens per object slot."""
        return self.global_tokens + (self.max_objects * self.u if self.regions else 0)

    def to_dict(self) -> dict:
        return {**asdict(self), "method": "videorefer", "k": self.n_frames}


# ---------------------------------------------------------------------------------------------------------
# Question encoding (src/models/object.ts implements the same rule)


def encode_question(tok: Tokenizer, question: str, u: int, length: int, regions: bool = True):
    """-> (ids, region) lists of `length`. Text words map to vocabulary ids; the n-th `<objectN><region>`
    (n counted in order of appearance, as Bench-Q's annotation list is) keeps the word `objectN` and, with
    regions, becomes u slots with id of REGION and region index n*u + j (the j-th merged token of object
    slot n); region is -1 on text and padding. Truncates at `length`."""
    ids: list[int] = []
    reg: list[int] = []
    rid = tok.index.get(REGION, 1)
    pos = 0
    for n, m in enumerate(REGION_RE.finditer(question)):
        tag = [f"object{m.group(1)}"] if m.group(1) is not None else []
        for w in words(question[pos : m.start()]) + tag:
            ids.append(tok.index.get(w, 1))
            reg.append(-1)
        if regions:
            for j in range(u):
                ids.append(rid)
                reg.append(n * u + j)
        pos = m.end()
    for w in words(question[pos:]):
        ids.append(tok.index.get(w, 1))
        reg.append(-1)
    ids, reg = ids[:length], reg[:length]
    pad = length - len(ids)
    return ids + [0] * pad, reg + [-1] * pad


def objects_in(question: str) -> int:
    """Object slots a question refers to: its `<objectN><region>` count."""
    return len(REGION_RE.findall(question))


# ---------------------------------------------------------------------------------------------------------
# The spatial token extractor and Temporal Token Merge as plain functions


def mask_to_grid(masks: torch.Tensor, grid: int, resize: str = "bilinear") -> torch.Tensor:
    """Masks (..., S, S) of 0/1 -> (..., grid*grid) booleans: resized to the patch grid, then binarised
    (> 0). "bilinear" is VideoRefer's rule for SigLIP's 27x27 grid; "area" averages each cell (S must be a
    multiple of grid), so any pixel of the cell counts."""
    *lead, S, S2 = masks.shape
    m = masks.reshape(-1, 1, S, S2).float()
    if resize == "area":
        m = F.avg_pool2d(m, int(S) // grid)  # (B', 1, g, g); int(): a constant in the exported graph
    else:
        m = F.interpolate(m, size=(grid, grid), mode="bilinear", align_corners=False)  # (B', 1, g, g)
    return (m > 0).reshape(*lead, grid * grid)


def masked_pool(feats: torch.Tensor, grid_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """feats (B, N, P, D), grid_mask (B, O, N, P) -> pooled (B, O, N, D), present (B, O, N).
    The average of the patch features under the mask; an empty mask pools to zeros and is not present."""
    w = grid_mask.float()  # (B, O, N, P)
    area = w.sum(-1)  # (B, O, N)
    pooled = torch.einsum("bonp,bnpd->bond", w, feats) / area.clamp(min=1.0).unsqueeze(-1)
    return pooled, area > 0


def ttm_groups(tokens: torch.Tensor, u: int) -> torch.Tensor:
    """Temporal Token Merge's grouping. tokens (..., k, C) -> group id (..., k) int64 in 0..u-1.

    sim_i = cos(token_i, token_{i+1}) for the k-1 adjacent pairs; threshold = the r-th largest sim with
    r = k - u; scanning left to right, a new group starts after pair i when sim_i < threshold. With distinct
    sims exactly u groups come out; ties at the threshold keep more pairs together, so fewer. u = k: every
    token its own group (r = 0, no threshold); u = 1: threshold = the smallest sim, one group."""
    k = tokens.shape[-2]
    assert 1 <= u <= k, f"u={u} must lie in 1..k={k}"
    lead = tokens.shape[:-2]
    if u == k:
        return torch.arange(k, device=tokens.device).expand(*lead, k)
    a = F.normalize(tokens[..., :-1, :], dim=-1)
    b = F.normalize(tokens[..., 1:, :], dim=-1)
    # Quantised to 1e-4: identical tokens (single-frame mode repeats one frame k times) must tie in PyTorch and
    # in ONNX Runtime alike, whose float noise differs; unquantised, ORT split such runs into several groups.
    sim = torch.round((a * b).sum(-1) * SIM_SCALE) / SIM_SCALE  # (..., k-1)
    thr = torch.topk(sim, k - u, dim=-1).values[..., -1:]  # (..., 1): the r-th largest
    cut = (sim < thr).long()  # (..., k-1)
    start = torch.zeros(*lead, 1, dtype=torch.long, device=tokens.device)
    return torch.cat([start, torch.cumsum(cut, -1)], -1)  # (..., k)


def ttm(tokens: torch.Tensor, u: int, present: torch.Tensor | None = None):
    """tokens (..., k, C) -> merged (..., u, C), valid (..., u). Each group's mean over its present tokens
    (frames where the object has no mask are skipped); slots with no group (ties) or no present token are
    zeros and not valid."""
    gid = ttm_groups(tokens, u)  # (..., k)
    onehot = (gid.unsqueeze(-1) == torch.arange(u, device=tokens.device)).float()  # (..., k, u)
    if present is not None:
        onehot = onehot * present.float().unsqueeze(-1)
    count = onehot.sum(-2)  # (..., u)
    merged = (onehot.transpose(-1, -2) @ tokens) / count.clamp(min=1.0).unsqueeze(-1)  # (..., u, C)
    return merged, count > 0


# ---------------------------------------------------------------------------------------------------------
# Modules


class SpatialTokenExtractor(nn.Module):
    """Masked average pool of the encoder's patch features, then Linear -> GELU -> Linear to the decoder."""

    def __init__(self, cfg: ObjectConfig):
        super().__init__()
        self.grid = cfg.grid
        self.resize = cfg.mask_resize
        self.fc1 = nn.Linear(cfg.dim, cfg.dec_dim)
        self.fc2 = nn.Linear(cfg.dec_dim, cfg.dec_dim)

    def forward(self, feats, masks):  # feats (B, N, P, D), masks (B, O, N, S, S) -> (B, O, N, E), (B, O, N)
        pooled, present = masked_pool(feats, mask_to_grid(masks, self.grid, self.resize))
        return self.fc2(F.gelu(self.fc1(pooled))), present


class RegionScorer(nn.Module):
    """The option scorer of model.py with region tokens: per option the decoder reads [readout; global
    visual tokens; question slots, where region slots hold the object's merged tokens; option tokens]."""

    def __init__(self, cfg: ObjectConfig):
        super().__init__()
        E = cfg.dec_dim
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, E, padding_idx=0)
        self.readout = nn.Parameter(torch.randn(1, 1, E) * 0.02)
        self.vis_pos = nn.Parameter(torch.randn(1, cfg.global_tokens, E) * 0.02)
        self.q_pos = nn.Parameter(torch.randn(1, cfg.max_q, E) * 0.02)
        self.opt_pos = nn.Parameter(torch.randn(1, cfg.max_opt, E) * 0.02)
        self.blocks = nn.ModuleList(Block(E, cfg.heads) for _ in range(cfg.dec_layers))
        self.ln = nn.LayerNorm(E)
        self.head = nn.Linear(E, 1)

    def forward(self, vis, regions, region_valid, q_ids, q_region, opt_ids):
        # vis (B, L, E); regions (B, O*u, E); region_valid (B, O*u); q_ids, q_region (B, Tq); opt_ids (B, M, To)
        B, L, E = vis.shape
        M, To = opt_ids.shape[1:]
        Tq = q_ids.shape[1]
        is_reg = q_region >= 0  # (B, Tq)
        idx = q_region.clamp(min=0)  # (B, Tq)
        reg = torch.gather(regions, 1, idx.unsqueeze(-1).expand(B, Tq, E))  # (B, Tq, E)
        q = torch.where(is_reg.unsqueeze(-1), reg, self.tok(q_ids)) + self.q_pos  # (B, Tq, E)
        # which slots attend: a region slot when its merged token exists, a text slot when it is not padding
        # (arithmetic, not Where: onnxruntime has no Where on booleans)
        isr = is_reg.float()
        reg_ok = torch.gather(region_valid.float(), 1, idx)  # (B, Tq)
        q_keep = (isr * reg_ok + (1 - isr) * (q_ids != 0).float()) > 0.5  # (B, Tq)
        shared = torch.cat([self.readout.expand(B, 1, E), vis + self.vis_pos, q], 1)  # (B, 1+L+Tq, E)
        shared = shared.unsqueeze(1).expand(B, M, 1 + L + Tq, E).reshape(B * M, 1 + L + Tq, E)
        o_ids = opt_ids.reshape(B * M, To)
        x = torch.cat([shared, self.tok(o_ids) + self.opt_pos], 1)  # (B*M, 1+L+Tq+To, E)
        q_keep = q_keep.unsqueeze(1).expand(B, M, Tq).reshape(B * M, Tq)
        keep = torch.cat([torch.ones(B * M, 1 + L, dtype=torch.bool, device=vis.device), q_keep, o_ids != 0], 1)
        bias = ((~keep).float() * NEG).view(B * M, 1, 1, -1)
        for b in self.blocks:
            x = b(x, bias)
        x = self.ln(x)
        w = (o_ids != 0).float().unsqueeze(-1)
        rep = x[:, 0] + (x[:, 1 + L + Tq :] * w).sum(1) / w.sum(1).clamp(min=1.0)  # (B*M, E)
        logits = self.head(rep).view(B, M)
        present = (opt_ids != 0).any(-1)
        return torch.where(present, logits, torch.full_like(logits, NEG))


class ObjectQAModel(nn.Module):
    """frames (B, N, S, S, 3) uint8, masks (B, O, N, S, S) uint8 0/1, q_ids and q_region (B, Tq),
    opt_ids (B, M, To) -> option logits (B, M)."""

    def __init__(self, cfg: ObjectConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = PatchEmbed(cfg, 3)  # PatchEmbed/Encoder read only the fields ObjectConfig shares
        self.encoder = Encoder(cfg)
        self.global_proj = nn.Linear(cfg.dim, cfg.dec_dim)
        self.extractor = SpatialTokenExtractor(cfg)
        self.scorer = RegionScorer(cfg)
        self.apply(init_weights)


    def patch_features(self, frames):  # (B, N, S, S, 3) -> (B, N, P, D)
        B, N, S = frames.shape[:3]
        assert N == self.cfg.n_frames and S == self.cfg.image_size, f"expected {self.cfg.n_frames} frames of {S}px"
        x = self.encoder(self.embed(to_float(frames).flatten(0, 1)))  # (B*N, P, D)
        return x.view(B, N, x.shape[1], x.shape[2])

    def global_tokens(self, feats):  # (B, N, P, D) -> (B, N*gg*gg, E)
        B, N, P, D = feats.shape
        g, gg = self.cfg.grid, self.cfg.global_grid
        x = feats.reshape(B * N, g, g, D).permute(0, 3, 1, 2)  # (B*N, D, g, g)
        x = F.avg_pool2d(x, g // gg).flatten(2).transpose(1, 2)  # (B*N, gg*gg, D)
        return self.global_proj(x).reshape(B, N * gg * gg, -1)

    def region_tokens(self, feats, masks):
        """-> merged (B, O*u, E), valid (B, O*u): each object's k frame tokens merged to u by TTM."""
        B = feats.shape[0]
        tokens, present = self.extractor(feats, masks)  # (B, O, N, E), (B, O, N)
        merged, valid = ttm(tokens, self.cfg.u, present)  # (B, O, u, E), (B, O, u)
        return merged.reshape(B, -1, merged.shape[-1]), valid.reshape(B, -1)

    def forward(self, frames, masks, q_ids, q_region, opt_ids):
        feats = self.patch_features(frames)
        vis = self.global_tokens(feats)
        if self.cfg.regions:
            regions, valid = self.region_tokens(feats, masks)
        else:  # no region input: the masks are ignored (the frames carry set-of-mark drawings instead)
            regions = torch.zeros(vis.shape[0], 1, vis.shape[-1])
            valid = torch.zeros(vis.shape[0], 1, dtype=torch.bool)
            q_region = torch.full_like(q_region, -1)
        return self.scorer(vis, regions, valid, q_ids, q_region, opt_ids)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def config_from_dict(d: dict) -> ObjectConfig:
    keys = ObjectConfig.__dataclass_fields__.keys()
    return ObjectConfig(**{k: v for k, v in d.items() if k in keys})


