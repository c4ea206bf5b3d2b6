"""Image checks: every bad file gets a clear, per-file reason; good files come out upright."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from activelabel.images import ImageLimits, InvalidImageError, check_image, upright_bytes


def write_jpeg(path: Path, size: tuple[int, int] = (40, 20), orientation: int | None = None) -> Path:
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 2))  # a marker in the top-left corner
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    img.save(path, format="JPEG", quality=95, exif=exif.tobytes())
    return path


def write_huge_png(path: Path, side: int = 20000) -> Path:
    """A real, decodable side x side 1-bit PNG (about 50 KB on disk, 50 MB of pixels when decoded)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    comp = zlib.compressobj(9)
    row = b"\0" + b"\0" * ((side + 7) // 8)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


def bad_files(folder: Path) -> dict[str, Path]:
    """The bad inputs of the issue, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    good = write_jpeg(folder / "whole.jpg", (64, 64))
    truncated = folder / "truncated.jpg"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    empty = folder / "empty.jpg"
    empty.write_bytes(b"")
    text = folder / "notes.jpg"
    text.write_text("this is a shopping list, not a photo\n")
    return {"truncated": truncated, "empty": empty, "text": text, "huge": write_huge_png(folder / "huge.png")}


def test_good_jpeg_passes_with_its_size(tmp_path):
    checked = check_image(write_jpeg(tmp_path / "a.jpg", (40, 20)))
    assert (checked.width, checked.height, checked.format) == (40, 20, "JPEG")
    assert not checked.needs_rotation


@pytest.mark.parametrize("case, reason", [
    ("truncated", "truncated or corrupt"),
    ("empty", "empty file (0 bytes)"),
    ("text", "a text file, not an image"),
    ("huge", "20000x20000 is over the size limit"),
])
def test_each_bad_file_gets_its_own_reason(tmp_path, case, reason):
    path = bad_files(tmp_path)[case]
    with pytest.raises(InvalidImageError) as err:
        check_image(path)
    assert reason in str(err.value) or (case == "huge" and "too large" in str(err.value))
    assert str(path) in str(err.value)


def test_huge_png_is_a_real_image_that_decodes_under_a_raised_limit(tmp_path):
    path = write_huge_png(tmp_path / "big.png", side=3000)
    assert check_image(path, ImageLimits(max_pixels=10_000_000, max_side=5000)).width == 3000
    with pytest.raises(InvalidImageError, match="over the size limit"):
        check_image(path, ImageLimits(max_pixels=1_000_000, max_side=5000))


def test_size_limit_comes_from_config_extra():
    limits = ImageLimits.from_extra({"max_image_pixels": 5000, "max_image_side": 80})
    assert (limits.max_pixels, limits.max_side) == (5000, 80)


def test_exif_orientation_is_applied(tmp_path):
    path = write_jpeg(tmp_path / "rotated.jpg", (40, 20), orientation=6)  # stored landscape, shown portrait
    checked = check_image(path)
    assert checked.needs_rotation and (checked.width, checked.height) == (20, 40)
    upright = Image.open(io.BytesIO(upright_bytes(checked)))
    assert upright.size == (20, 40)
    assert upright.getexif().get(0x0112, 1) == 1
    # orientation 6 rotates 90 degrees clockwise: the top-left marker ends in the top-right corner
    r, g, b = upright.convert("RGB").getpixel((17, 2))
    assert b > 150 and r < 100
