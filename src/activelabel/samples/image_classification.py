"""The image-classification sample: scikit-learn's bundled 8x8 handwritten digits as small PNGs.

``load_digits`` ships 1,797 real digit scans (10 classes) with scikit-learn, so the sample needs no
download. Each 8x8 image (ink 0..16) is written dark on white and upscaled to ``size`` px (32 by
default), a size Ultralytics' classifiers train on quickly on a CPU. Files are named
``digit_<index>.png`` by the image's index in ``load_digits``, so ``label_of`` gives the truth back
for scripted demos, simulations and tests. The labels are
the digits' names (``zero`` .. ``nine``).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from activelabel.metrics_text import DIGIT_WORDS

LABELS = list(DIGIT_WORDS)  # words, not digits: the editor's number keys 1-9 would read as the digits
SIZE = 32
# the demo project's [model.params]: train at the images' own size; a mirrored digit is another shape
MODEL_PARAMS = {"imgsz": SIZE, "epochs": 20, "train_args": {"fliplr": 0.0}}


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.images, data.target


def digit_png(image: np.ndarray, size: int = SIZE) -> bytes:
    """One 8x8 digit (ink 0..16) as PNG bytes: dark ink on white, ``size`` px a side (bilinear)."""
    from PIL import Image

    grey = (255 - np.clip(image, 0, 16) * 255 / 16).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(grey, "L").resize((size, size), Image.Resampling.BILINEAR).save(out, format="PNG")
    return out.getvalue()


def file_name(index: int) -> str:
    return f"digit_{index:04d}.png"


def label_of(name: str) -> str:
    """The true digit of a sample file, from its name: 'digit_0042.png' -> 'one'."""
    _images, target = _digits()
    return LABELS[int(target[int(Path(name).stem.split("_")[-1])])]


def labeled_images(n: int | None = None, seed: int = 0, size: int = SIZE) -> list[tuple[str, bytes, str]]:
    """(file name, PNG bytes, label) for ``n`` digits drawn with ``seed`` (all 1,797 when None)."""
    images, target = _digits()
    order = np.arange(len(target)) if n is None else np.sort(
        np.random.default_rng(seed).choice(len(target), size=min(n, len(target)), replace=False))
    return [(file_name(int(i)), digit_png(images[i], size), LABELS[int(target[i])]) for i in order]


def make_sample(folder: Path, n: int | None = 200, seed: int = 0, with_labels: bool = False,
                size: int = SIZE) -> Path:
    """Write ``n`` digit PNGs under ``folder/digits``: flat (to pre-label) or, ``with_labels``, one
    ImageNet-style folder per digit (``digits/<label>/digit_<index>.png``). Returns the folder to import."""
    root = Path(folder) / "digits"
    for name, data, label in labeled_images(n, seed, size):
        target = root / label if with_labels else root
        target.mkdir(parents=True, exist_ok=True)
        (target / name).write_bytes(data)
    return root
