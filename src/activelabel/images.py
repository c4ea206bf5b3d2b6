"""Decode and check image files before they enter a project.

Every problem becomes an ``InvalidImageError`` whose message names the file and says what is wrong
(empty, not an image, truncated, too large), so that an importer can reject that one file and go on.
The size limit is checked from the header before any pixel is decoded, so a 20000 x 20000 image
costs nothing. EXIF orientation is applied, so that width, height and boxes mean what a person sees.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from activelabel.errors import ActiveLabelError, MissingDependencyError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
DEFAULT_MAX_PIXELS = 40_000_000  # about 7700 x 5200; config: extra.max_image_pixels
DEFAULT_MAX_SIDE = 12_000  # config: extra.max_image_side
EXIF_ORIENTATION = 0x0112
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"RIFF", b"II*\0", b"MM\0*")  # JPEG PNG GIF BMP WEBP TIFF


class InvalidImageError(ActiveLabelError):
    """An image file that cannot be used; the message names the file and the reason."""


@dataclass(frozen=True, slots=True)
class ImageLimits:
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_side: int = DEFAULT_MAX_SIDE

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any] | None) -> ImageLimits:
        """Read ``max_image_pixels`` / ``max_image_side`` from the project's ``[extra]`` table."""
        extra = extra or {}
        try:
            return cls(int(extra.get("max_image_pixels", DEFAULT_MAX_PIXELS)),
                       int(extra.get("max_image_side", DEFAULT_MAX_SIDE)))
        except (TypeError, ValueError) as exc:
            raise ActiveLabelError(f"extra.max_image_pixels / max_image_side must be integers: {exc}") from exc


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """What an importer needs to know about a good image."""

    path: Path
    width: int  # after EXIF orientation
    height: int
    format: str  # "JPEG", "PNG", ...
    orientation: int  # EXIF orientation tag, 1 when upright or absent
    data: bytes  # the file's bytes, as read once

    @property
    def needs_rotation(self) -> bool:
        return self.orientation not in (0, 1)


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - Pillow comes with the image extra
        raise MissingDependencyError("Pillow", "image") from exc
    return Image


def _looks_like_text(data: bytes) -> bool:
    head = data[:512]
    if not head or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_image(path: Path, limits: ImageLimits | None = None) -> CheckedImage:
    """Open, size-check and fully decode one image; raise InvalidImageError with the reason."""
    limits = limits or ImageLimits()
    Image = _pil()
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidImageError(f"{where}: cannot read the file ({exc.strerror or exc})") from exc
    if not data:
        raise InvalidImageError(f"{where}: empty file (0 bytes)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidImageError(f"{where}: image too large to open safely ({exc})") from exc
        except Exception as exc:  # PIL raises UnidentifiedImageError, SyntaxError, ValueError...
            if data.startswith(SIGNATURES):
                what = "truncated or corrupt image data"
            elif _looks_like_text(data):
                what = "a text file, not an image"
            else:
                what = "not a readable image"
            raise InvalidImageError(f"{where}: {what} ({type(exc).__name__})") from exc
        width, height = img.size
        if width <= 0 or height <= 0:
            raise InvalidImageError(f"{where}: the header gives a size of {width}x{height}")
        if width * height > limits.max_pixels or max(width, height) > limits.max_side:
            raise InvalidImageError(
                f"{where}: {width}x{height} is over the size limit ({limits.max_pixels:,} pixels, "
                f"{limits.max_side} px a side; set extra.max_image_pixels / max_image_side to change it)")
        try:
            img.load()
        except Exception as exc:  # truncated data: OSError; corrupt streams: SyntaxError, ValueError
            raise InvalidImageError(f"{where}: truncated or corrupt image data ({exc})") from exc
    orientation = int(img.getexif().get(EXIF_ORIENTATION, 1) or 1)
    if orientation in (5, 6, 7, 8):  # rotated by 90 degrees: sides swap
        width, height = height, width
    return CheckedImage(Path(path), width, height, str(img.format or ""), orientation, data)


def upright_bytes(checked: CheckedImage) -> bytes:
    """The image with its EXIF orientation applied to the pixels (and the tag removed), same format."""
    if not checked.needs_rotation:
        return checked.data
    Image = _pil()
    from PIL import ImageOps

    img = ImageOps.exif_transpose(Image.open(io.BytesIO(checked.data)))
    out = io.BytesIO()
    fmt = checked.format if checked.format in ("JPEG", "PNG", "WEBP", "BMP", "TIFF") else "PNG"
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(out, format=fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def is_image_name(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def load_rgb(path: Path) -> Any:
    """An upright RGB numpy array (H, W, 3) for models and previews."""
    import numpy as np

    Image = _pil()
    from PIL import ImageOps

    with Image.open(path) as img:
        return np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
