"""Cheap appearance features of image files, for diversity strategies before any model is trained.

A 16x16 grey thumbnail (mean removed) and an 8-bin colour histogram per channel, L2-normalised:
enough to spread a cold-start selection over different-looking images, at a few milliseconds each.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


def appearance_features(paths: Sequence[Path]) -> np.ndarray:
    """One L2-normalised feature row per image file, ``(len(paths), 280)``."""
    from PIL import Image, ImageOps

    rows = []
    for path in paths:
        with Image.open(path) as img:
            rgb = ImageOps.exif_transpose(img).convert("RGB")
        thumb = np.asarray(rgb.convert("L").resize((16, 16)), dtype=float).ravel() / 255.0
        hist = np.concatenate([np.histogram(np.asarray(rgb)[..., c], bins=8, range=(0, 256))[0] for c in range(3)])
        feats = np.concatenate([thumb - thumb.mean(), hist / max(hist.sum(), 1)])
        rows.append(feats / max(float(np.linalg.norm(feats)), 1e-12))
    return np.array(rows).reshape(len(paths), -1)
