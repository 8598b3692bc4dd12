"""Video-Panda's encoder-free Spatio-Temporal Alignment Block (STAB, arXiv 2412.18609) as a vision front end for
kinema's tiny video-language model, an encoder-based baseline at the same decoder, and the distillation loss.

Reads top to bottom: the config, STAB's modules in the order the paper draws them (patchify, LSTE, DPE, GSTRA,
dense residual, LSD, FSRA, per-channel α fusion, <row> tokens, projector), the Video-ChatGPT-style encoder
baseline, the model (either front end + the compression models' OptionScorer), the distillation head and loss,
and its training in stab_train.py. Written from the paper and from reading upstream's `vision_tokenizer.py` (jh-yi/Video-Panda
@995a737); no upstream code is copied.

Shape letters: B batch, N frames, C STAB width, g patch grid side (g*g = P patches per frame), h = w = g/2 the
grid after LSD, D encoder (and teacher) width, E decoder width, L visual tokens at the decoder, J hidden states
used by the distillation head.

Usage:
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.stab_train --train SHARD --test SHARD --method encoder-baseline \\
      --steps 1500 --out teacher.pt
  PYTHONPATH=py /usr/bin/python3 -m kinema_py.stab_train --train SHARD --test SHARD --method stab \\
      --teacher teacher.pt --steps 600 --out stab.pt
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .model import MLP, Attention, Block, ModelConfig, OptionScorer, VideoQAModel, conv_stem, init_weights, to_float

METHODS = ("stab", "encoder-baseline")


@dataclass
class STABConfig:
    method: str = "stab"  # "stab" (encoder-free) or "encoder-baseline" (ViT + Video-ChatGPT pooling)
    n_frames: int = 8  # the paper feeds 8 frames
    image_size: int = 32
    patch: int = 8  # patchify kernel = stride (the paper: 14 on 448 px, a 32x32 grid; here a 4x4 grid)
    dim: int = 16  # STAB width C (vision params ~1/6 of the encoder's, as 45M vs 307M in the paper)
    heads: int = 4  # heads of every attention (STAB's and the decoder's)
    dw_reduction: float = 1.5  # LSTE bottleneck C -> C/1.5, as UniFormerV2's local MHRA
    mlp_factor: float = 1.0  # GSTRA's extractor MLP (upstream 4; 1 keeps STAB at 1/6 of the encoder's params)
    lsd_stride: int = 2  # LSD halves each spatial side
    # ablations (paper Tables 4 and 9); the defaults are Video-Panda
    lsd: str = "attention"  # "attention" (LSD) or "avg" (w/o LSD: average pooling)
    gstra: bool = True  # False: the context token is the frame token alone
    lste: bool = True  # False: no LSTE (DPE stays)
    alpha: str = "channel"  # "channel" (one fusion weight per channel) or "scalar"
    row_tokens: bool = True  # a learnable <row> token after each row of the grid
    # the encoder baseline: the compression models' ViT (2 layers of width 48), so a trained built-in can be its
    # pretrained encoder and the distillation teacher; about 6x STAB's vision params (paper: 307M / 425M vs 45M)
    enc_dim: int = 48
    enc_layers: int = 2
    stem: str = "patch"  # the encoder's patch embedding: "patch" (one linear map per patch) or "conv" (model.PatchEmbed's)
    # the decoder and option-scoring head, shared with the compression models (model.OptionScorer)
    dec_dim: int = 48
    dec_layers: int = 2
    vocab_size: int = 64
    max_q: int = 24
    max_opt: int = 8
    max_options: int = 5
    k: int = 1  # no temporal compression ratio; kept so the built-in sidecar and manifest read the same

    def __post_init__(self) -> None:
        assert self.method in METHODS, f"method must be one of {METHODS}, got {self.method!r}"
        assert self.image_size % self.patch == 0, "image_size must be a multiple of patch"
        assert self.grid % self.lsd_stride == 0, f"grid {self.grid} must divide by lsd_stride {self.lsd_stride}"
        assert self.lsd in ("attention", "avg"), f"lsd must be attention or avg, got {self.lsd!r}"
        assert self.alpha in ("channel", "scalar"), f"alpha must be channel or scalar, got {self.alpha!r}"
        for d in (self.dim, self.enc_dim, self.dec_dim):
            assert d % self.heads == 0, f"width {d} must divide by heads {self.heads}"

    @property
    def grid(self) -> int:  # g
        return self.image_size // self.patch

    @property
    def patches(self) -> int:  # P
        return self.grid * self.grid

    @property
    def lsd_grid(self) -> int:  # h = w
        return self.grid // self.lsd_stride

    @property
    def tokens_per_frame(self) -> int:  # STAB: context + h rows of (w grid tokens [+ <row>])
        h = self.lsd_grid
        return 1 + h * (h + (1 if self.row_tokens else 0))

    @property
    def decoder_tokens(self) -> int:  # L
        if self.method == "stab":
            return self.n_frames * self.tokens_per_frame
        return self.n_frames + self.patches  # Video-ChatGPT: one token per frame + one per patch position

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------------------------
# STAB modules


class LSTE(nn.Module):
    """Local Spatio-Temporal Encoding: BN3d -> 1x1x1 conv C->C' -> depthwise temporal conv (3,1,1) -> 1x1x1 conv
    back to C, zero-initialised so the block starts as the identity (used as x + LSTE(x))."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        C, Cr = cfg.dim, int(cfg.dim // cfg.dw_reduction)
        self.norm = nn.BatchNorm3d(C)
        self.down = nn.Conv3d(C, Cr, 1)
        self.temporal = nn.Conv3d(Cr, Cr, (3, 1, 1), padding=(1, 0, 0), groups=Cr)
        self.up = nn.Conv3d(Cr, C, 1)

    def reset(self) -> None:
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, x):  # (B, C, N, g, g)
        return self.up(self.temporal(self.down(self.norm(x))))  # (B, C, N, g, g)


class GSTRA(nn.Module):
    """Global Spatio-Temporal Relationship Aggregator: one learnable query attends to every token of the clip
    (UniFormerV2's extractor: cross-attention + MLP, both zero-initialised) -> one video-level token."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        C = cfg.dim
        self.query = nn.Parameter(torch.zeros(1, 1, C))
        self.ln_q = nn.LayerNorm(C)
        self.ln_kv = nn.LayerNorm(C)
        self.attn = Attention(C, cfg.heads)
        self.ln_mlp = nn.LayerNorm(C)
        self.mlp = MLP(C, C, hidden=round(cfg.mlp_factor * C))

    def reset(self) -> None:
        for m in (self.attn.out, self.mlp.proj):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, tokens):  # (B, N*g*g, C)
        q = self.query.expand(tokens.shape[0], 1, -1)  # (B, 1, C)
        q = q + self.attn(self.ln_q(q), ctx=self.ln_kv(tokens))
        return q + self.mlp(self.ln_mlp(q))  # (B, 1, C)


def windows(x: torch.Tensor, s: int) -> torch.Tensor:
    """(B', C, g, g) -> (B', h*w, s*s, C): the s x s windows of the grid, row-major, h = w = g/s."""
    Bp, C, g, _ = x.shape
    h = g // s
    x = x.reshape(Bp, C, h, s, h, s).permute(0, 2, 4, 3, 5, 1)  # (B', h, w, s, s, C)
    return x.reshape(Bp, h * h, s * s, C)


class LSD(nn.Module):
    """Local Spatial Downsampling: per s x s window, a query (LN + Linear of the window's average) attends to the
    window's s*s tokens (keys/values: LN + Linear); output = window average + projected attention. Spatial /s.
    With mode "avg" (the ablation) only the window average is kept."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        C = cfg.dim
        self.s, self.heads, self.mode = cfg.lsd_stride, cfg.heads, cfg.lsd
        self.scale = C**-0.5  # upstream scales by the full width, not the head width
        if self.mode == "attention":
            self.q = nn.Sequential(nn.LayerNorm(C), nn.Linear(C, C, bias=False))
            self.kv = nn.Sequential(nn.LayerNorm(C), nn.Linear(C, 2 * C, bias=False))
            self.proj = nn.Linear(C, C)

    def forward(self, x):  # (B', C, g, g), B' = B*N
        win = windows(x, self.s)  # (B', hw, s*s, C)
        avg = win.mean(2)  # (B', hw, C)
        if self.mode == "avg":
            return avg
        Bp, HW, W, C = win.shape
        h = self.heads
        q = self.q(avg).view(Bp, HW, 1, h, C // h)  # (B', hw, 1, h, C/h)
        k, v = self.kv(win).view(Bp, HW, W, 2, h, C // h).unbind(3)  # each (B', hw, s*s, h, C/h)
        att = ((q * k).sum(-1) * self.scale).softmax(2)  # (B', hw, s*s, h): over the window's tokens
        agg = (att.unsqueeze(-1) * v).sum(2)  # (B', hw, h, C/h)
        return avg + self.proj(agg.reshape(Bp, HW, C))  # (B', hw, C)


class FSRA(nn.Module):
    """Frame-wise Spatial Relationship Aggregator: a learnable query attends to one frame's LSD tokens -> one
    frame token (query + projected attention)."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        C = cfg.dim
        self.heads = cfg.heads
        self.scale = C**-0.5
        self.query = nn.Parameter(torch.randn(1, 1, C))
        self.q = nn.Sequential(nn.LayerNorm(C), nn.Linear(C, C, bias=False))
        self.kv = nn.Sequential(nn.LayerNorm(C), nn.Linear(C, 2 * C, bias=False))
        self.proj = nn.Linear(C, C)

    def forward(self, x):  # (B', hw, C)
        Bp, HW, C = x.shape
        h = self.heads
        q = self.q(self.query).view(1, 1, h, C // h)  # (1, 1, h, C/h)
        k, v = self.kv(x).view(Bp, HW, 2, h, C // h).unbind(2)  # each (B', hw, h, C/h)
        att = ((q * k).sum(-1) * self.scale).softmax(1)  # (B', hw, h): over the frame's tokens
        agg = (att.unsqueeze(-1) * v).sum(1)  # (B', h, C/h)
        return self.query + self.proj(agg.reshape(Bp, 1, C))  # (B', 1, C)


class AlphaFusion(nn.Module):
    """context = proj((1 - w) * video_token + w * frame_token), w = sigmoid(balance) per channel (or one scalar).
    balance starts at 0 as upstream (w = 0.5); w = 0 gives the video-token path exactly."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        C = cfg.dim
        self.balance = nn.Parameter(torch.zeros(C if cfg.alpha == "channel" else 1))
        self.proj = nn.Sequential(nn.LayerNorm(C), nn.Linear(C, C))

    def weight(self) -> torch.Tensor:  # (C,) or (1,)
        return torch.sigmoid(self.balance)

    def forward(self, video, frame, w: torch.Tensor | None = None):  # video (B', 1, C), frame (B', 1, C)
        w = self.weight() if w is None else w
        return self.proj((1 - w) * video + w * frame)  # (B', 1, C)


class STAB(nn.Module):
    """Normalised frames (B, N, 3, S, S) -> visual tokens (B, N*(1 + h*(w+1)), E): per frame [context; grid row 1,
    <row>; ...; grid row h, <row>], projected to the decoder width."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        C = cfg.dim
        self.cfg = cfg
        self.patchify = nn.Conv2d(3, C, cfg.patch, stride=cfg.patch, bias=False)
        self.lste = LSTE(cfg) if cfg.lste else None
        self.dpe = nn.Conv3d(C, C, 3, padding=1, groups=C)  # dynamic position encoding, depthwise 3x3x3
        self.gstra = GSTRA(cfg) if cfg.gstra else None
        self.lsd = LSD(cfg)
        self.fsra = FSRA(cfg)
        self.fusion = AlphaFusion(cfg) if cfg.gstra else None
        self.frame_proj = None if cfg.gstra else nn.Sequential(nn.LayerNorm(C), nn.Linear(C, C))
        self.row = nn.Parameter(torch.randn(C)) if cfg.row_tokens else None
        self.projector = MLP(C, cfg.dec_dim, hidden=cfg.dec_dim)  # the 2-layer MLP projector

    def reset(self) -> None:
        """The zero-inits the paper relies on (applied after the model-wide init)."""
        if self.lste is not None:
            self.lste.reset()
        if self.gstra is not None:
            self.gstra.reset()
        nn.init.zeros_(self.dpe.bias)

    def grid_positions(self) -> torch.Tensor:
        """Indices of the N*h*w grid tokens among the L visual tokens (not the context or <row> tokens), frame
        by frame, row-major: the positions the distillation loss reads."""
        cfg = self.cfg
        h, per = cfg.lsd_grid, cfg.tokens_per_frame
        wr = h + (1 if cfg.row_tokens else 0)
        return torch.tensor([f * per + 1 + r * wr + c for f in range(cfg.n_frames) for r in range(h) for c in range(h)])

    def forward(self, x: torch.Tensor, stages: dict | None = None) -> torch.Tensor:
        cfg = self.cfg
        B, N = x.shape[:2]
        C, g, h = cfg.dim, cfg.grid, cfg.lsd_grid
        raw = self.patchify(x.flatten(0, 1))  # (B*N, C, g, g)
        v = raw.view(B, N, C, g, g).transpose(1, 2)  # (B, C, N, g, g)
        if self.lste is not None:
            v = v + self.lste(v)  # (B, C, N, g, g)
        v = v + self.dpe(v)  # (B, C, N, g, g)
        if self.gstra is not None:
            video = self.gstra(v.flatten(2).transpose(1, 2))  # (B, 1, C) from all N*g*g tokens
        v = v.transpose(1, 2).reshape(B * N, C, g, g) + raw  # (B*N, C, g, g): dense residual to the patches
        grid = self.lsd(v)  # (B*N, h*w, C)
        frame = self.fsra(grid)  # (B*N, 1, C)
        if self.gstra is not None:
            ctx = self.fusion(video.repeat_interleave(N, 0), frame)  # (B*N, 1, C): frame-specific context
        else:
            ctx = self.frame_proj(frame)  # (B*N, 1, C)
        rows = grid.view(B * N, h, h, C)  # (B*N, h, w, C)
        if self.row is not None:
            rows = torch.cat([rows, self.row.view(1, 1, 1, C).expand(B * N, h, 1, C)], 2)  # (B*N, h, w+1, C)
        tokens = torch.cat([ctx, rows.reshape(B * N, -1, C)], 1)  # (B*N, 1 + h*(w+1), C)
        out = self.projector(tokens).reshape(B, -1, cfg.dec_dim)  # (B, L, E)
        if stages is not None:
            stages.update(patches=raw, grid=grid, frame=frame, context=ctx, tokens=tokens)
            if self.gstra is not None:
                stages["video"] = video
        return out


# ---------------------------------------------------------------------------------------------------------
# The encoder baseline


class EncoderBaseline(nn.Module):
    """A ViT-style encoder over each frame (patch embedding + spatial position + enc_layers pre-LN blocks), then
    Video-ChatGPT's pooling: the mean over each frame's patches (N tokens) and the mean over frames at each patch
    position (P tokens), projected: (B, N, 3, S, S) -> (B, N + P, E). Its per-frame patch features are the
    distillation teacher's."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        D = cfg.enc_dim
        self.cfg = cfg
        if cfg.stem == "conv":  # model.PatchEmbed's conv stem, so a conv-stem built-in loads
            self.embed = conv_stem(3, D, cfg.patch)
        else:
            self.embed = nn.Conv2d(3, D, cfg.patch, stride=cfg.patch)
        self.pos = nn.Parameter(torch.randn(1, cfg.patches, D) * 0.02)
        self.blocks = nn.ModuleList(Block(D, cfg.heads) for _ in range(cfg.enc_layers))
        self.ln = nn.LayerNorm(D)
        self.projector = MLP(D, cfg.dec_dim, hidden=cfg.dec_dim)

    def reset(self) -> None:
        pass

    def patch_features(self, x):  # (B, N, 3, S, S)
        B, N = x.shape[:2]
        t = self.embed(x.flatten(0, 1)).flatten(2).transpose(1, 2) + self.pos  # (B*N, P, D)
        for b in self.blocks:
            t = b(t)
        return self.ln(t).view(B, N, -1, t.shape[-1])  # (B, N, P, D)

    def forward(self, x, stages: dict | None = None):
        f = self.patch_features(x)  # (B, N, P, D)
        pooled = torch.cat([f.mean(2), f.mean(1)], 1)  # (B, N + P, D): spatial means, then temporal means
        if stages is not None:
            stages.update(patch_features=f, pooled=pooled)
        return self.projector(pooled)  # (B, N + P, E)


FRONT_ENDS: dict[str, type[nn.Module]] = {"stab": STAB, "encoder-baseline": EncoderBaseline}


class STABVideoQA(nn.Module):
    """frames (B, N, S, S, 3) 0..255 + question ids + option ids -> option logits (B, M): a STAB (or encoder)
    front end and the compression models' option-scoring decoder."""

    def __init__(self, cfg: STABConfig):
        super().__init__()
        self.cfg = cfg
        self.vision = FRONT_ENDS[cfg.method](cfg)
        self.scorer = OptionScorer(cfg)
        self.apply(init_weights)
        self.vision.reset()

    def visual_tokens(self, frames: torch.Tensor, stages: dict | None = None) -> torch.Tensor:
        B, N, S = frames.shape[:3]
        assert N == self.cfg.n_frames, f"expected {self.cfg.n_frames} frames, got {N}"
        assert S == self.cfg.image_size, f"expected {self.cfg.image_size}px frames, got {S}"
        v = self.vision(to_float(frames), stages)  # (B, L, E)
        assert v.shape[1] == self.cfg.decoder_tokens, "front end broke its token count"
        return v

    def forward(self, frames, q_ids, opt_ids):
        return self.scorer(self.visual_tokens(frames), q_ids, opt_ids)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def vision_params(self) -> int:
        return sum(p.numel() for p in self.vision.parameters())


def teacher_from_builtin(stem: str, n_frames: int = 8, **overrides):
    """A shipped compression built-in whose compressor is `none` (each frame encoded alone: models/none-k1) ->
    an encoder-baseline model holding its patch embedding, encoder and decoder (the Video-ChatGPT projector is
    fresh), its tokenizer and its sidecar. The pretrained encoder of the paper's encoder-based models, and the
    distillation teacher. Weights are read back from the ONNX graph (onnx_weights)."""
    from .data import Tokenizer
    from .onnx_weights import load_builtin

    src, spec = load_builtin(stem)
    c = src.cfg
    assert c.method == "none" and c.k == 1, f"{stem}: the teacher must encode frames alone (none, k=1)"
    cfg = STABConfig(
        method="encoder-baseline", n_frames=n_frames, image_size=c.image_size, patch=c.patch, heads=c.heads,
        enc_dim=c.dim, enc_layers=c.enc_layers, stem=c.stem, dec_dim=c.dec_dim, dec_layers=c.dec_layers,
        vocab_size=c.vocab_size, max_q=c.max_q, max_opt=c.max_opt, max_options=c.max_options, **overrides,
    )
    model = STABVideoQA(cfg)
    rename = {"vision.embed.conv.": "vision.embed.", "vision.embed.pos": "vision.pos", "vision.encoder.": "vision."}
    own = model.state_dict()
    missed = []
    with torch.no_grad():
        for name, p in src.state_dict().items():
            for a, b in rename.items():
                if name.startswith(a):
                    name = b + name[len(a):]
                    break
            if name in own and own[name].shape == p.shape:
                own[name].copy_(p)
            elif any(name.startswith(b) for b in rename.values()) and not name.startswith("vision.down."):
                missed.append(name)
    if missed:  # the teacher must hold the built-in's whole encoder, never part of it
        raise ValueError(f"{stem}: encoder weights with no place in the encoder-baseline: {', '.join(missed)}")
    model.eval()
    return model, Tokenizer(spec["vocab"]), spec


# ---------------------------------------------------------------------------------------------------------
# Distillation: the decoder's hidden states at the visual grid positions against a frozen teacher's patches


def decoder_states(model: STABVideoQA, frames, q_ids, opt_ids):
    """Runs the model once and returns (logits, states): states (B, L, J, E) are the decoder's input embeddings
    and every block's output at the visual positions, J = dec_layers + 1, read from the first option's row
    (every question has one; the visual tokens attend to the option words, so rows differ slightly)."""
    blocks = model.scorer.blocks
    got: list[torch.Tensor] = []
    hooks = [blocks[0].register_forward_pre_hook(lambda m, inp: got.append(inp[0]))]
    hooks += [b.register_forward_hook(lambda m, inp, out: got.append(out)) for b in blocks]
    try:
        logits = model(frames, q_ids, opt_ids)
    finally:
        for hk in hooks:
            hk.remove()
    B, M = opt_ids.shape[:2]
    L = model.cfg.decoder_tokens
    states = torch.stack([s.view(B, M, s.shape[1], -1)[:, 0, 1 : 1 + L] for s in got], 2)  # (B, L, J, E)
    return logits, states


class DistillHead(nn.Module):
    """Upstream's hidden-state head (training only, not exported): every used state gets LN + Linear to the
    teacher width; the last layer's one queries the others in a parameter-free multi-head attention across
    layers; feature = Linear(last state) + Linear(attended). layer_rate picks every rate-th state from the
    last, as upstream's `num_layer - arange(0, num_layer + 1, layer_rate)`."""

    def __init__(self, dec_dim: int, teacher_dim: int, n_states: int, heads: int = 4, layer_rate: int = 1):
        super().__init__()
        self.idx = [n_states - 1 - i for i in range(0, n_states, layer_rate)]  # last state first
        assert len(self.idx) >= 2, "the attention across layers needs at least two states"
        assert teacher_dim % heads == 0, "teacher width must divide by heads"
        self.heads = heads
        self.scale = teacher_dim**-0.5
        self.norms = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(dec_dim), nn.Linear(dec_dim, teacher_dim, bias=False)) for _ in self.idx
        )
        self.input_layer = nn.Linear(dec_dim, teacher_dim)
        self.output_layer = nn.Linear(teacher_dim, teacher_dim)

    def forward(self, states):  # (B, L', J, E)
        stack = torch.stack([n(states[:, :, j]) for n, j in zip(self.norms, self.idx)], 2)  # (B, L', J', Dt)
        *lead, Jp, Dt = stack.shape
        h = self.heads
        q = stack[:, :, :1].reshape(*lead, 1, h, Dt // h)  # (B, L', 1, h, Dt/h): the last layer
        kv = stack[:, :, 1:].reshape(*lead, Jp - 1, h, Dt // h)  # (B, L', J'-1, h, Dt/h): the other layers
        att = ((q * kv).sum(-1) * self.scale).softmax(2)  # (B, L', J'-1, h): over layers
        fused = (att.unsqueeze(-1) * kv).sum(2).reshape(*lead, Dt)  # (B, L', Dt)
        return self.input_layer(states[:, :, self.idx[0]]) + self.output_layer(fused)  # (B, L', Dt)


def cosine_distill_loss(pred: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """1 - cos(pred, teacher) along the last axis, averaged over every token (upstream's negative cosine)."""
    return 1 - F.cosine_similarity(pred, teacher, dim=-1).mean()


def teacher_targets(teacher: STABVideoQA, frames: torch.Tensor, lsd_grid: int) -> torch.Tensor:
    """A frozen encoder's patch features, average-pooled onto STAB's h x w grid: (B, N*h*w, D), frame by frame,
    row-major, the order of STAB.grid_positions()."""
    with torch.no_grad():
        f = teacher.vision.patch_features(to_float(frames))  # (B, N, P, D)
        B, N, P, D = f.shape
        g = int(math.isqrt(P))
        f = f.view(B * N, g, g, D).permute(0, 3, 1, 2)  # (B*N, D, g, g)
        f = F.adaptive_avg_pool2d(f, lsd_grid)  # (B*N, D, h, w)
        return f.flatten(2).transpose(1, 2).reshape(B, N * lsd_grid * lsd_grid, D)


# ---------------------------------------------------------------------------------------------------------
# Training


def warm_start_decoder(model: STABVideoQA, base: dict) -> list[str]:
    """Copies a trained model's decoder (the scorer, as Video-Panda starts from a pretrained LLM) where shapes
    agree; returns the scorer weights left fresh (vis_pos, whose length depends on the front end)."""
    own = model.state_dict()
    fresh = []
    with torch.no_grad():
        for name, p in own.items():
            if not name.startswith("scorer."):
                continue
            b = base.get(name)
            if b is not None and b.shape == p.shape:
                p.copy_(b)
            else:
                fresh.append(name)
    return fresh
