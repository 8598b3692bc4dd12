"""A tiny hand-made motion world written straight into the shard format, for tests that must not depend on
the TypeScript synthetic world: a square that moves (MR: direction), changes colour in an order (AO), or
blinks a number of times (RC). One frame cannot answer any of the questions.
"""

from __future__ import annotations

import json
import os

import numpy as np

DIRS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
COLORS = {"red": (230, 40, 40), "green": (40, 200, 60), "blue": (50, 80, 230), "yellow": (230, 220, 40)}


def _square(frame: np.ndarray, x: float, y: float, color, r: int = 3) -> None:
    S = frame.shape[0]
    x0, y0 = int(round(x)), int(round(y))
    frame[max(0, y0 - r) : min(S, y0 + r), max(0, x0 - r) : min(S, x0 + r)] = color


def make_clip(rng: np.random.Generator, n: int, size: int) -> tuple[np.ndarray, dict]:
    frames = np.full((n, size, size, 3), 20, np.uint8)
    frames += rng.integers(0, 12, (1, size, size, 1), dtype=np.uint8)  # static background texture
    kind = rng.integers(0, 3)
    cx, cy = rng.uniform(size * 0.3, size * 0.7, 2)
    if kind == 0:
        d = list(DIRS)[rng.integers(0, 4)]
        dx, dy = DIRS[d]
        color = COLORS[list(COLORS)[rng.integers(0, 4)]]
        for t in range(n):
            s = (t / (n - 1) - 0.5) * size * 0.4
            _square(frames[t], cx + dx * s, cy + dy * s, color)
        q = {"question": "Which direction does the square move?", "options": list(DIRS), "category": "MR"}
        q["answer"] = list(DIRS).index(d)
    elif kind == 1:
        a, b = rng.choice(list(COLORS), 2, replace=False)
        for t in range(n):
            _square(frames[t], cx, cy, COLORS[a] if t < n // 2 else COLORS[b])
        opts = [f"{a} then {b}", f"{b} then {a}", f"{a} only", f"{b} only"]
        q = {"question": "In what order does the square change colour?", "options": opts, "category": "AO"}
        q["answer"] = 0
    else:
        count = int(rng.integers(1, 5))
        period = n / count
        color = COLORS[list(COLORS)[rng.integers(0, 4)]]
        for t in range(n):
            if (t % period) < period / 2:
                _square(frames[t], cx, cy, color)
        q = {"question": "How many times does the square appear?", "options": ["1", "2", "3", "4"], "category": "RC"}
        q["answer"] = count - 1
    # shuffle options so the answer index carries no information
    perm = rng.permutation(len(q["options"]))
    q["options"] = [q["options"][i] for i in perm]
    q["answer"] = int(np.where(perm == q["answer"])[0][0])
    return frames, q


def write_toy_shard(out: str, count: int, n_frames: int = 16, size: int = 32, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    os.makedirs(out, exist_ok=True)
    clips, items = [], []
    for i in range(count):
        f, q = make_clip(rng, n_frames, size)
        clips.append(f)
        items.append({"id": f"toy-{seed}-{i}", "video_id": f"toy-{seed}-{i}", **q})
    np.save(os.path.join(out, "frames.npy"), np.stack(clips))
    with open(os.path.join(out, "questions.json"), "w", encoding="utf8") as fh:
        json.dump({"version": 1, "n_frames": n_frames, "size": size, "items": items}, fh)
    return out
