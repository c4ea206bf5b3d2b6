"""Synthetic tracking data: clips of discs, squares and triangles moving across a noisy background.

Each shape moves on a straight line at its own speed and bounces off the edges, so the truth is
exact: its box on every frame. Shapes of the same colour cross each other now and then (where a
tracker may swap identities), and one may enter late or leave early (track starts and ends).
Written as one .mp4 per clip plus ``<clip>.txt`` beside it in the MOT format
(``frame,id,x,y,w,h,1,class,1``, frames counted from 1), so that it imports as-is;
``with_labels=False`` writes the videos only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

LABELS = ["disc", "square", "triangle"]
MODEL_PARAMS: dict[str, Any] = {"imgsz": 96, "epochs": 20}  # 96 px frames: train at that size
SIZE = 96
RADIUS = (7, 11)


def _draw(draw: Any, label: str, cx: float, cy: float, r: float, colour: tuple[int, int, int]) -> None:
    if label == "disc":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    elif label == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=colour)


def clip(rng: np.random.Generator, n_frames: int, n_objects: int, size: int = SIZE) -> tuple[list[np.ndarray],
                                                                                           list[dict[str, Any]]]:
    """The frames of one clip and its true tracks as stored values (id, label, a box per frame seen)."""
    from PIL import Image, ImageDraw

    base = rng.integers(40, 200, size=3)
    noise = rng.normal(0.0, 5.0, size=(n_frames, size, size, 3))
    objects: list[dict[str, Any]] = []
    for k in range(n_objects):
        r = float(rng.uniform(*RADIUS))
        start = 0 if k < 2 else int(rng.integers(0, n_frames // 2))  # later ones may enter late ...
        end = n_frames if k < 2 else int(rng.integers(start + n_frames // 4, n_frames + 1))  # ... and leave early
        objects.append({"id": k + 1, "label": LABELS[int(rng.integers(0, len(LABELS)))], "r": r,
                        "pos": rng.uniform(r + 1, size - r - 1, size=2), "vel": rng.uniform(-2.5, 2.5, size=2),
                        "colour": tuple(int(c) for c in (base + rng.choice([-1, 1]) * rng.integers(70, 110, size=3)) % 256),
                        "span": (start, end), "boxes": []})
    frames = []
    for f in range(n_frames):
        img = Image.fromarray(np.clip(base[None, None, :] + noise[f], 0, 255).astype(np.uint8), "RGB")
        draw = ImageDraw.Draw(img)
        for o in objects:
            r = o["r"]
            for axis in (0, 1):  # bounce off the edges
                if not r + 1 <= o["pos"][axis] + o["vel"][axis] <= size - r - 1:
                    o["vel"][axis] = -o["vel"][axis]
            o["pos"] = o["pos"] + o["vel"]
            if o["span"][0] <= f < o["span"][1]:
                cx, cy = (float(v) for v in o["pos"])
                _draw(draw, o["label"], cx, cy, r, o["colour"])
                o["boxes"].append({"frame": f, "x0": round(cx - r, 2), "y0": round(cy - r, 2),
                                   "x1": round(cx + r, 2), "y1": round(cy + r, 2)})
        frames.append(np.asarray(img))
    return frames, [{"id": o["id"], "label": o["label"], "boxes": o["boxes"]} for o in objects if o["boxes"]]


def mot_lines(tracks: list[dict[str, Any]]) -> list[str]:
    """MOT ``gt.txt`` lines: frame (from 1), id, x, y, w, h, 1, class (from 1), 1."""
    out = []
    for t in tracks:
        for b in t["boxes"]:
            out.append(f"{b['frame'] + 1},{t['id']},{b['x0']:.2f},{b['y0']:.2f},{b['x1'] - b['x0']:.2f},"
                       f"{b['y1'] - b['y0']:.2f},1,{LABELS.index(t['label']) + 1},1")
    return sorted(out, key=lambda s: (int(s.split(",")[0]), int(s.split(",")[1])))


def make_sample(folder: Path, n: int = 6, seed: int = 0, *, n_frames: int = 48, max_objects: int = 3,
                size: int = SIZE, with_labels: bool = True) -> Path:
    """Write ``n`` clips (``clip_<seed>_<k>.mp4``, and the MOT ``.txt`` beside each); returns the folder."""
    from activelabel.video import write_video

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        frames, tracks = clip(rng, n_frames, int(rng.integers(2, max_objects + 1)), size)
        name = f"clip_{seed}_{k:03d}"
        write_video(folder / f"{name}.mp4", frames, fps=12)
        if with_labels:
            (folder / f"{name}.txt").write_text("\n".join(mot_lines(tracks)) + "\n", encoding="utf-8")
    return folder


def truth(folder: Path) -> dict[str, dict[str, Any]]:
    """clip file name -> the stored value, from a sample written with labels (scripted demos, tests)."""
    out: dict[str, dict[str, Any]] = {}
    for txt in sorted(Path(folder).glob("*.txt")):
        tracks: dict[int, dict[str, Any]] = {}
        for line in txt.read_text(encoding="utf-8").splitlines():
            f, tid, x, y, w, h, _conf, cls, _vis = line.split(",")
            t = tracks.setdefault(int(tid), {"id": int(tid), "label": LABELS[int(cls) - 1], "boxes": []})
            t["boxes"].append({"frame": int(f) - 1, "x0": float(x), "y0": float(y), "x1": round(float(x) + float(w), 2),
                               "y1": round(float(y) + float(h), 2)})
        out[f"{txt.stem}.mp4"] = {"tracks": [tracks[k] for k in sorted(tracks)], "keyframes": []}
    return out
