"""Video items: a video file (decoded with PyAV) or a folder of frame images (a MOT sequence's
``img1/``), read the same way, frame by frame, as RGB arrays.

Frame numbers are 0-based everywhere inside activelabel (MOT files count from 1; their reader and
writer convert). PyAV is imported lazily: ``import activelabel`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from activelabel.errors import ActiveLabelError
from activelabel.images import is_image_name

VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".mov", ".webm", ".m4v")


class InvalidVideoError(ActiveLabelError):
    """A video that cannot be decoded, or a frame folder without frames."""


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    n_frames: int
    fps: float


def is_video(path: Path) -> bool:
    """A video file by its suffix, or a folder that holds frame images."""
    path = Path(path)
    if path.is_dir():
        return any(is_image_name(p) for p in path.iterdir())
    return path.suffix.lower() in VIDEO_SUFFIXES


def frame_files(folder: Path) -> list[Path]:
    """A frame folder's images in frame order (by name: MOT's 000001.jpg, 000002.jpg, ...)."""
    return sorted((p for p in Path(folder).iterdir() if is_image_name(p)), key=lambda p: p.name)


def probe(path: Path, fps: float = 0.0) -> VideoInfo:
    """Size, frame count and rate; a frame folder's rate is ``fps`` (MOT's seqinfo.ini gives it)."""
    path = Path(path)
    if path.is_dir():
        from PIL import Image

        files = frame_files(path)
        if not files:
            raise InvalidVideoError(f"{path}: a frame folder without frame images")
        try:
            with Image.open(files[0]) as im:
                w, h = im.size
        except OSError as exc:
            raise InvalidVideoError(f"{files[0]}: cannot read the first frame ({exc})") from exc
        return VideoInfo(w, h, len(files), fps or 25.0)
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            n = int(stream.frames or 0)
            if n <= 0:  # containers that do not store the count: decode to count
                n = sum(1 for _ in container.decode(stream))
            rate = float(stream.average_rate or stream.guessed_rate or 0) or fps or 25.0
            return VideoInfo(int(stream.codec_context.width), int(stream.codec_context.height), n, rate)
    except (av.FFmpegError, IndexError, OSError) as exc:
        raise InvalidVideoError(f"{path}: cannot decode this video ({exc})") from exc


def read_frames(path: Path, frames: Iterable[int] | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """(frame number, H x W x 3 uint8 RGB) for every frame, or only for ``frames``, in order."""
    wanted = None if frames is None else set(int(f) for f in frames)
    path = Path(path)
    if path.is_dir():
        from PIL import Image

        for n, file in enumerate(frame_files(path)):
            if wanted is None or n in wanted:
                with Image.open(file) as im:
                    yield n, np.asarray(im.convert("RGB"))
        return
    import av

    try:
        with av.open(str(path)) as container:
            last = max(wanted) if wanted else None
            for n, frame in enumerate(container.decode(video=0)):
                if last is not None and n > last:
                    break
                if wanted is None or n in wanted:
                    yield n, frame.to_ndarray(format="rgb24")
    except av.FFmpegError as exc:
        raise InvalidVideoError(f"{path}: cannot decode this video ({exc})") from exc


def write_video(path: Path, frames: Sequence[np.ndarray] | Iterable[np.ndarray], fps: float = 25.0,
                codec: str = "libx264", quality: int = 18) -> Path:
    """Encode RGB frames (H x W x 3 uint8, even sizes) into ``path`` (an .mp4 plays in browsers)."""
    import av

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream: Any = None
        for rgb in frames:
            if stream is None:
                stream = container.add_stream(codec, rate=round(fps))
                stream.height, stream.width = int(rgb.shape[0]), int(rgb.shape[1])
                stream.pix_fmt = "yuv420p"
                if codec == "libx264":
                    stream.options = {"crf": str(quality), "preset": "veryfast"}
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")):
                container.mux(packet)
        if stream is None:
            raise InvalidVideoError(f"{path}: no frames to write")
        for packet in stream.encode():
            container.mux(packet)
    return path
