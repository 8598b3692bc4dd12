"""A tiny video-language model with interchangeable temporal compression (MotionBench §4, §5.2, §8).

Reads top to bottom: building blocks, the six temporal compressors (each maps a clip to decoder tokens),
the option-scoring decoder, and the full model last.

Shape letters: B batch, N input frames, k compression ratio, G = N/k frame groups, P patches per frame,
l decoder tokens per frame group (P/4 after the 2x2 spatial merge), D encoder width, E decoder width,
L = G*l visual tokens at the decoder, T text tokens, M options.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

METHODS = ("none", "pre-encoder", "pllava", "kangaroo", "qformer", "te-fusion")

# A large negative number instead of -inf: a fully masked row then gives a uniform softmax instead of NaN,
# and ONNX Runtime computes the same value as PyTorch.
NEG = -1e4


@dataclass
class ModelConfig:
    method: str = "te-fusion"  # one of METHODS
    k: int = 4  # temporal compression ratio: k neighbouring frames become one group of l decoder tokens
    n_frames: int = 16  # N_input, frames fed to the vision part
    image_size: int = 32  # frames are image_size x image_size RGB
    patch: int = 8  # patch side; (image_size/patch)^2 patches per frame, must form an even grid
    dim: int = 64  # encoder width D
    enc_layers: int = 2
    heads: int = 4
    dec_dim: int = 64  # decoder width E
    dec_layers: int = 2
    qformer_layers: int = 2  # Video-LLaMA's video Q-Former has 2 layers
    vocab_size: int = 64  # set from the tokenizer when training
    max_q: int = 24  # question tokens (padded/truncated)
    max_opt: int = 8  # tokens per option (padded/truncated)
    max_options: int = 5  # option slots; unused slots are all padding and get logit NEG
    # Dense per-frame auxiliary targets (training only; not part of the exported graph): the number of
    # action classes and of regression columns predicted for every input frame from its group's tokens.
    aux_classes: int = 0
    aux_regs: int = 0
    # Option head: "joint" scores each option from the decoder alone; "match" adds a temporal read-out (the
    # groups' mean tokens in order, with the question's words, through an MLP) matched bilinearly against each
    # option's token states, a direct path from "what happened when" to the option's words.
    head: str = "joint"
    # Patch embedding: "patch" is ViT's one linear map per patch; "conv" is a small convolutional stem (two
    # 3x3 stride-2 convolutions, then a (patch/4)-sized stride conv to the same patch grid), which sees
    # features a few pixels wide that one linear map of a whole patch blurs (Xiao et al. 2021, "Early
    # convolutions help transformers see better"). Same token count either way.
    stem: str = "patch"

    def __post_init__(self) -> None:
        assert self.method in METHODS, f"method must be one of {METHODS}, got {self.method!r}"
        assert self.k >= 1 and self.n_frames % self.k == 0, f"k={self.k} must divide n_frames={self.n_frames}"
        assert self.image_size % self.patch == 0, "image_size must be a multiple of patch"
        assert self.grid % 2 == 0, f"patch grid {self.grid} must be even for the 2x2 spatial merge"
        assert self.dim % self.heads == 0 and self.dec_dim % self.heads == 0, "widths must divide by heads"
        assert self.head in ("joint", "match"), f"head must be joint or match, got {self.head!r}"
        assert self.stem in ("patch", "conv"), f"stem must be patch or conv, got {self.stem!r}"
        assert self.stem == "patch" or self.patch % 4 == 0, "the conv stem needs a patch side divisible by 4"

    @property
    def grid(self) -> int:
        return self.image_size // self.patch

    @property
    def patches(self) -> int:  # P
        return self.grid * self.grid

    @property
    def tokens_per_group(self) -> int:  # l
        return self.patches // 4

    @property
    def decoder_tokens(self) -> int:  # L = N*l/k
        return self.n_frames * self.tokens_per_group // self.k

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------------------
# Building blocks


class Attention(nn.Module):
    """Multi-head attention written out (exports to plain ONNX ops). Self-attention when ctx is None."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, ctx: torch.Tensor | None = None, bias: torch.Tensor | None = None):
        ctx = x if ctx is None else ctx
        B, T, C = x.shape  # (B, T, C)
        S = ctx.shape[1]
        h = self.heads
        q = self.q(x).view(B, T, h, C // h).transpose(1, 2)  # (B, h, T, C/h)
        k, v = self.kv(ctx).view(B, S, 2, h, C // h).permute(2, 0, 3, 1, 4)  # each (B, h, S, C/h)
        # scale q (B, h, T, C/h), not the (B, h, T, S) scores: the same product, T*S/(T*C/h) times fewer divisions
        att = (q * (1.0 / math.sqrt(C // h))) @ k.transpose(-2, -1)  # (B, h, T, S)
        if bias is not None:
            att = att + bias  # bias (B, 1, 1, S): 0 for real keys, NEG for padding
        y = att.softmax(-1) @ v  # (B, h, T, C/h)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, d_in: int, d_out: int, hidden: int | None = None):
        super().__init__()
        hidden = hidden or 4 * d_out
        self.fc = nn.Linear(d_in, hidden)
        self.proj = nn.Linear(hidden, d_out)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x)))


class Block(nn.Module):
    """Pre-LN transformer block."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, dim)

    def forward(self, x, bias=None):
        x = x + self.attn(self.ln1(x), bias=bias)
        return x + self.mlp(self.ln2(x))


class CrossBlock(nn.Module):
    """Q-Former block: queries self-attend, then cross-attend to the frame tokens."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.self_attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.ln_ctx = nn.LayerNorm(dim)
        self.cross = Attention(dim, heads)
        self.ln3 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, dim)

    def forward(self, q, ctx):
        q = q + self.self_attn(self.ln1(q))
        q = q + self.cross(self.ln2(q), ctx=self.ln_ctx(ctx))
        return q + self.mlp(self.ln3(q))


def conv_stem(in_ch: int, dim: int, patch: int) -> nn.Sequential:
    """The convolutional stem (Xiao et al. 2021): two 3x3 stride-2 convolutions, then a (patch/4) stride one to
    the patch grid: (B', in_ch, S, S) -> (B', dim, S/patch, S/patch)."""
    c1, c2, r = max(16, dim // 4), max(32, dim // 2), patch // 4
    return nn.Sequential(
        nn.Conv2d(in_ch, c1, 3, stride=2, padding=1),  # (B', c1, S/2, S/2)
        nn.GELU(),
        nn.Conv2d(c1, c2, 3, stride=2, padding=1),  # (B', c2, S/4, S/4)
        nn.GELU(),
        nn.Conv2d(c2, dim, r, stride=r),  # (B', D, g, g)
    )


class PatchEmbed(nn.Module):
    """(B', C_in, S, S) -> (B', P, D) patches plus a learned spatial position embedding."""

    def __init__(self, cfg: ModelConfig, in_ch: int):
        super().__init__()
        if cfg.stem == "conv":
            self.conv = conv_stem(in_ch, cfg.dim, cfg.patch)
        else:
            self.conv = nn.Conv2d(in_ch, cfg.dim, cfg.patch, stride=cfg.patch)
        self.pos = nn.Parameter(torch.randn(1, cfg.patches, cfg.dim) * 0.02)

    def forward(self, x):
        x = self.conv(x)  # (B', D, g, g)
        return x.flatten(2).transpose(1, 2) + self.pos  # (B', P, D)


class Encoder(nn.Module):
    """The ViT-style encoder: a stack of blocks over whatever token sequence it is given."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.blocks = nn.ModuleList(Block(cfg.dim, cfg.heads) for _ in range(cfg.enc_layers))
        self.ln = nn.LayerNorm(cfg.dim)

    def forward(self, x):  # (B', T, D)
        for b in self.blocks:
            x = b(x)
        return self.ln(x)


def merge_2x2(x: torch.Tensor, grid: int) -> torch.Tensor:
    """Spatial downsample by concatenating each 2x2 patch neighbourhood: (..., P, C) -> (..., P/4, 4C)."""
    *lead, P, C = x.shape
    assert P == grid * grid, f"expected {grid}x{grid} patches, got {P}"
    g = grid // 2
    x = x.reshape(-1, g, 2, g, 2, C).permute(0, 1, 3, 2, 4, 5)  # (B', g, g, 2, 2, C)
    return x.reshape(*lead, g * g, 4 * C)


class SpatialDownsampleProj(nn.Module):
    """GLM-4V-style spatial downsample with projection: (..., P, C) -> (..., P/4, E)."""

    def __init__(self, cfg: ModelConfig, c_in: int):
        super().__init__()
        self.grid = cfg.grid
        self.proj = MLP(4 * c_in, cfg.dec_dim, hidden=cfg.dec_dim * 2)

    def forward(self, x):
        return self.proj(merge_2x2(x, self.grid))


def to_float(frames: torch.Tensor) -> torch.Tensor:
    """uint8 or float frames (B, N, S, S, 3) in 0..255 -> normalised float (B, N, 3, S, S)."""
    x = frames.float() / 255.0
    return ((x - 0.5) / 0.25).permute(0, 1, 4, 2, 3)


# ---------------------------------------------------------------------------------------------------------
# Temporal compressors: each maps normalised frames (B, N, 3, S, S) to decoder tokens (B, G, l, E), G = N/k.


class NoFusion(nn.Module):
    """Baseline, no temporal fusion: every frame encoded alone. At ratio k it keeps one frame in k, which
    is the paper's baseline at equal decoder length (N/k frames, uncompressed)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.embed = PatchEmbed(cfg, 3)
        self.encoder = Encoder(cfg)
        self.down = SpatialDownsampleProj(cfg, cfg.dim)

    def forward(self, x):
        x = x[:, :: self.k]  # (B, G, 3, S, S)
        B, G = x.shape[:2]
        x = self.down(self.encoder(self.embed(x.flatten(0, 1))))  # (B*G, l, E)
        return x.view(B, G, x.shape[1], x.shape[2])


class PreEncoderFusion(nn.Module):
    """Qwen2-VL style: k neighbouring frames concatenated along channels, patchified together."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.embed = PatchEmbed(cfg, 3 * cfg.k)
        self.encoder = Encoder(cfg)
        self.down = SpatialDownsampleProj(cfg, cfg.dim)

    def forward(self, x):
        B, N, C, S, _ = x.shape
        G = N // self.k
        x = x.reshape(B * G, self.k * C, S, S)  # (B*G, 3k, S, S): channels of k neighbours side by side
        x = self.encoder(self.embed(x))  # (B*G, P, D)
        x = self.down(x)  # (B*G, l, E)
        return x.view(B, G, x.shape[1], x.shape[2])


class PLLaVAPooling(nn.Module):
    """PLLaVA: frames encoded alone, spatially downsampled and projected, then adaptive average pooling
    over time (with k dividing N this is the mean of each k neighbours)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.embed = PatchEmbed(cfg, 3)
        self.encoder = Encoder(cfg)
        self.down = SpatialDownsampleProj(cfg, cfg.dim)

    def forward(self, x):
        B, N = x.shape[:2]
        x = self.down(self.encoder(self.embed(x.flatten(0, 1))))  # (B*N, l, E)
        x = x.view(B, N // self.k, self.k, x.shape[1], x.shape[2])  # (B, G, k, l, E)
        return x.mean(2)  # (B, G, l, E)


class KangarooFusion(nn.Module):
    """Kangaroo: frames encoded alone; k neighbours' tokens concatenated along hidden, MLP temporal
    downsample, then spatial downsample with projection."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.embed = PatchEmbed(cfg, 3)
        self.encoder = Encoder(cfg)
        self.temporal = MLP(cfg.k * cfg.dim, cfg.dim, hidden=2 * cfg.dim)
        self.down = SpatialDownsampleProj(cfg, cfg.dim)

    def forward(self, x):
        B, N = x.shape[:2]
        G = N // self.k
        x = self.encoder(self.embed(x.flatten(0, 1)))  # (B*N, P, D)
        P, D = x.shape[1:]
        x = x.view(B, G, self.k, P, D).permute(0, 1, 3, 2, 4).reshape(B, G, P, self.k * D)  # (B, G, P, kD)
        return self.down(self.temporal(x))  # (B, G, l, E)


class QFormerFusion(nn.Module):
    """Q-Former: frames encoded alone and projected; l learned queries cross-attend to the k frames'
    tokens (with a frame position embedding), giving l tokens per group."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.embed = PatchEmbed(cfg, 3)
        self.encoder = Encoder(cfg)
        self.down = SpatialDownsampleProj(cfg, cfg.dim)
        self.frame_pos = nn.Parameter(torch.randn(1, cfg.k, 1, cfg.dec_dim) * 0.02)
        self.queries = nn.Parameter(torch.randn(1, cfg.tokens_per_group, cfg.dec_dim) * 0.02)
        self.blocks = nn.ModuleList(CrossBlock(cfg.dec_dim, cfg.heads) for _ in range(cfg.qformer_layers))
        self.ln = nn.LayerNorm(cfg.dec_dim)

    def forward(self, x):
        B, N = x.shape[:2]
        G = N // self.k
        x = self.down(self.encoder(self.embed(x.flatten(0, 1))))  # (B*N, l, E)
        l, E = x.shape[1:]
        ctx = (x.view(B * G, self.k, l, E) + self.frame_pos).reshape(B * G, self.k * l, E)  # (B*G, k*l, E)
        q = self.queries.expand(B * G, -1, -1)  # (B*G, l, E)
        for b in self.blocks:
            q = b(q, ctx)
        return self.ln(q).view(B, G, l, E)


class TEFusion(nn.Module):
    """Through-Encoder Fusion: k neighbouring frames form ONE sequence (+ temporal position embedding) so
    self-attention spans the k frames through the whole encoder; then the k frames' tokens are concatenated
    along hidden, spatially downsampled and projected."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.embed = PatchEmbed(cfg, 3)
        self.temporal_pos = nn.Parameter(torch.randn(1, cfg.k, 1, cfg.dim) * 0.02)
        self.encoder = Encoder(cfg)
        self.down = SpatialDownsampleProj(cfg, cfg.k * cfg.dim)

    def forward(self, x):
        B, N = x.shape[:2]
        G = N // self.k
        x = self.embed(x.flatten(0, 1))  # (B*N, P, D), spatial position added
        P, D = x.shape[1:]
        x = x.view(B * G, self.k, P, D) + self.temporal_pos  # (B*G, k, P, D)
        x = self.encoder(x.reshape(B * G, self.k * P, D))  # (B*G, k*P, D): attention across k frames
        x = x.view(B, G, self.k, P, D).permute(0, 1, 3, 2, 4).reshape(B, G, P, self.k * D)  # (B, G, P, kD)
        return self.down(x)  # (B, G, l, E)


COMPRESSORS: dict[str, type[nn.Module]] = {
    "none": NoFusion,
    "pre-encoder": PreEncoderFusion,
    "pllava": PLLaVAPooling,
    "kangaroo": KangarooFusion,
    "qformer": QFormerFusion,
    "te-fusion": TEFusion,
}


# ---------------------------------------------------------------------------------------------------------
# The option-scoring decoder and the full model


class OptionScorer(nn.Module):
    """The standard multiple-choice head: each option is scored on its own. For option i the decoder reads
    [readout; visual tokens; question tokens; option_i tokens] and the readout's final state (plus the mean
    of option_i's token states) gives one scalar logit; the options then compete in one softmax. The M
    options run as M extra batch rows sharing the same visual and question tokens.

    Why not one sequence with all options: then the head must tell which option words belong to which slot
    and tie each to the pixels at once, which a 1-2 layer decoder learns far more slowly (issue 6's study)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        E = cfg.dec_dim
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, E, padding_idx=0)
        self.readout = nn.Parameter(torch.randn(1, 1, E) * 0.02)  # CLS-style readout token
        self.vis_pos = nn.Parameter(torch.randn(1, cfg.decoder_tokens, E) * 0.02)
        self.q_pos = nn.Parameter(torch.randn(1, cfg.max_q, E) * 0.02)
        self.opt_pos = nn.Parameter(torch.randn(1, cfg.max_opt, E) * 0.02)  # word order within the option
        self.blocks = nn.ModuleList(Block(E, cfg.heads) for _ in range(cfg.dec_layers))
        self.ln = nn.LayerNorm(E)
        self.head = nn.Linear(E, 1)
        self.match = None
        if getattr(cfg, "head", "joint") == "match":
            G = cfg.n_frames // cfg.k
            self.groups = G
            self.temporal = nn.Sequential(
                nn.LayerNorm((G + 1) * E), nn.Linear((G + 1) * E, 2 * E), nn.GELU(), nn.Linear(2 * E, E), nn.LayerNorm(E)
            )
            # with a bias (zero at init, as every Linear here): a bias-free MatMul's weight has no name in the
            # exported graph, and onnx_weights reads a built-in's weights back by MatMul + named bias
            self.match = nn.Linear(E, E)

    def forward(self, vis, q_ids, opt_ids):
        # vis (B, L, E); q_ids (B, Tq) int64; opt_ids (B, M, To) int64; id 0 is padding
        B, L, E = vis.shape
        M, To = opt_ids.shape[1:]
        Tq = q_ids.shape[1]
        shared = torch.cat(
            [self.readout.expand(B, 1, E), vis + self.vis_pos, self.tok(q_ids) + self.q_pos], 1
        )  # (B, 1+L+Tq, E)
        shared = shared.unsqueeze(1).expand(B, M, 1 + L + Tq, E).reshape(B * M, 1 + L + Tq, E)
        o_ids = opt_ids.reshape(B * M, To)  # (B*M, To): option i of clip b is row b*M + i
        x = torch.cat([shared, self.tok(o_ids) + self.opt_pos], 1)  # (B*M, S), S = 1+L+Tq+To
        q_keep = (q_ids != 0).unsqueeze(1).expand(B, M, Tq).reshape(B * M, Tq)
        keep = torch.cat(
            [torch.ones(B * M, 1 + L, dtype=torch.bool, device=vis.device), q_keep, o_ids != 0], 1
        )  # (B*M, S)
        bias = ((~keep).float() * NEG).view(B * M, 1, 1, -1)  # (B*M, 1, 1, S)
        for b in self.blocks:
            x = b(x, bias)
        x = self.ln(x)
        w = (o_ids != 0).float().unsqueeze(-1)  # (B*M, To, 1)
        # readout state plus the mean of the option's own token states: the mean gives the head a direct
        # path to the option's words, which have attended to the visual tokens
        rep = x[:, 0] + (x[:, 1 + L + Tq :] * w).sum(1) / w.sum(1).clamp(min=1.0)  # (B*M, E)
        logits = self.head(rep).view(B, M)  # (B, M)
        if self.match is not None:
            # temporal read-out: the G groups' mean tokens in time order plus the question's mean word embedding
            qw = (q_ids != 0).float().unsqueeze(-1)
            qm = (self.tok(q_ids) * qw).sum(1) / qw.sum(1).clamp(min=1.0)  # (B, E)
            g = vis.reshape(B, self.groups, L // self.groups, E).mean(2).reshape(B, self.groups * E)
            z = self.match(self.temporal(torch.cat([g, qm], 1)))  # (B, E)
            o = (x[:, 1 + L + Tq :] * w).sum(1) / w.sum(1).clamp(min=1.0)  # (B*M, E): option token states
            logits = logits + (o.view(B, M, E) * z.unsqueeze(1)).sum(-1) / math.sqrt(E)
        present = (opt_ids != 0).any(-1)  # (B, M): an option slot holds an option
        return torch.where(present, logits, torch.full_like(logits, NEG))


class AuxHead(nn.Module):
    """Per-frame predictions from the compressed tokens: the group's l tokens are averaged and mapped to k
    frames' worth of targets, so a compressor is rewarded for keeping what tells its k frames apart."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.k = cfg.k
        self.out = cfg.aux_classes + cfg.aux_regs
        self.ln = nn.LayerNorm(cfg.dec_dim)
        self.proj = nn.Linear(cfg.dec_dim, cfg.k * self.out)

    def forward(self, vis: torch.Tensor, groups: int) -> torch.Tensor:  # vis (B, L, E) -> (B, N, C+R)
        B, L, E = vis.shape
        x = self.ln(vis.view(B, groups, L // groups, E).mean(2))  # (B, G, E)
        return self.proj(x).view(B, groups * self.k, self.out)


def init_weights(m: nn.Module) -> None:
    """Every kinema model's init: Linear and Embedding weights normal(0, 0.02), biases zero (apply() it)."""
    if isinstance(m, (nn.Linear, nn.Embedding)):
        nn.init.normal_(m.weight, std=0.02)
        if getattr(m, "bias", None) is not None:
            nn.init.zeros_(m.bias)


class VideoQAModel(nn.Module):
    """frames (B, N, S, S, 3) 0..255 + question ids + option ids -> option logits (B, M)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.vision = COMPRESSORS[cfg.method](cfg)
        self.scorer = OptionScorer(cfg)
        self.aux = AuxHead(cfg) if cfg.aux_classes + cfg.aux_regs > 0 else None
        self.apply(init_weights)


    def visual_tokens(self, frames: torch.Tensor) -> torch.Tensor:
        B, N, S = frames.shape[:3]
        assert N == self.cfg.n_frames, f"expected {self.cfg.n_frames} frames, got {N}"
        assert S == self.cfg.image_size, f"expected {self.cfg.image_size}px frames, got {S}"
        v = self.vision(to_float(frames))  # (B, G, l, E)
        assert v.shape[1] * v.shape[2] == self.cfg.decoder_tokens, "compressor broke L = N*l/k"
        return v.reshape(B, -1, v.shape[-1])  # (B, L, E)

    def forward(self, frames, q_ids, opt_ids):
        return self.scorer(self.visual_tokens(frames), q_ids, opt_ids)

    def forward_with_aux(self, frames, q_ids, opt_ids):
        """Option logits and per-frame auxiliary predictions (B, N, C+R) from the same visual tokens."""
        vis = self.visual_tokens(frames)
        return self.scorer(vis, q_ids, opt_ids), self.aux(vis, self.cfg.n_frames // self.cfg.k)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
