"""The frames a tracker is unsure of: where a person's look pays most.

- a track that starts or ends inside the clip (an object entering or leaving, or the tracker losing
  it): its first or last frame;
- a track lost for a few frames and found again (a gap): the frame it comes back;
- a possible identity switch: one track ends and another of the same label starts within
  ``switch_gap`` frames near where the first was last seen: the frame the second starts;
- a run of boxes below ``low_conf``: the run's first frame. The run ends only when a box is back at
  ``recover_conf`` or above (hysteresis), so a track whose confidence flickers around ``low_conf`` is
  one run, not a flag every few frames.

Two flagged frames are at least ``min_spacing`` frames apart: a frame right after a flagged one joins
it, reason and all. The person looks at the first, and the correction there carries to the next
(``tracking.propagation``), so a second look one frame later is mostly the same look.

``item_confidence`` turns them into the loop's one number per clip: the tracks' mean box confidence,
times the share of frames not flagged. A clip the tracker follows cleanly is sure; one with many
flags goes to people first.
"""

from __future__ import annotations

from dataclasses import dataclass

from activelabel.types import Track, Tracks


@dataclass(frozen=True)
class FlagSettings:
    low_conf: float = 0.5
    switch_gap: int = 4  # frames
    switch_dist: float = 1.5  # in box diagonals: how near the new track must start
    recover_conf: float = 0.6  # a weak run ends at a box this confident
    min_spacing: int = 2  # frames between two flags at least (1: every flagged frame)


@dataclass(frozen=True)
class Flag:
    frame: int
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"frame": self.frame, "reason": self.reason}


def _centre(b: object) -> tuple[float, float, float]:
    x0, y0, x1, y1 = (float(getattr(b, k)) for k in ("x0", "y0", "x1", "y1"))
    return (x0 + x1) / 2, (y0 + y1) / 2, ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5


def _switch(a: Track, b: Track, s: FlagSettings) -> bool:
    if a.label != b.label or not a.boxes or not b.boxes:
        return False
    gap = b.boxes[0].frame - a.boxes[-1].frame
    if not 0 < gap <= s.switch_gap:
        return False
    (ax, ay, ad), (bx, by, _) = _centre(a.boxes[-1]), _centre(b.boxes[0])
    return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 <= s.switch_dist * max(ad, 1.0)


def flagged_frames(tracks: Tracks, n_frames: int, settings: FlagSettings | None = None) -> list[Flag]:
    """Every flagged frame once (the first reason found), in frame order."""
    s = settings or FlagSettings()
    found: dict[int, str] = {}
    for t in tracks.tracks:
        if not t.boxes:
            continue
        first, last = t.boxes[0].frame, t.boxes[-1].frame
        for other in tracks.tracks:
            if other is not t and _switch(other, t, s):
                found.setdefault(first, f"possible identity switch: #{other.id} ends, #{t.id} starts")
        if first > 0:
            found.setdefault(first, f"#{t.id} ({t.label}) starts")
        if last < n_frames - 1:
            found.setdefault(last, f"#{t.id} ({t.label}) ends")
        for prev, cur in zip(t.boxes, t.boxes[1:]):
            if cur.frame - prev.frame > 1:
                found.setdefault(cur.frame, f"#{t.id} ({t.label}) found again after {cur.frame - prev.frame - 1} frames")
        low = False
        for b in t.boxes:
            if b.confidence is None:
                continue
            if not low and b.confidence < s.low_conf:
                found.setdefault(b.frame, f"#{t.id} ({t.label}) at confidence {b.confidence:.2f}")
                low = True
            elif low and b.confidence >= s.recover_conf:
                low = False
    return _spaced([Flag(f, found[f]) for f in sorted(found)], s.min_spacing)


def _spaced(flags: list[Flag], spacing: int) -> list[Flag]:
    """Flags at least ``spacing`` frames apart: one closer to the last kept joins it, its reason added."""
    kept: list[Flag] = []
    for f in flags:
        if kept and f.frame - kept[-1].frame < spacing:
            kept[-1] = Flag(kept[-1].frame, f"{kept[-1].reason}; frame {f.frame}: {f.reason}")
        else:
            kept.append(f)
    return kept


def item_confidence(tracks: Tracks, flags: list[Flag], n_frames: int) -> float:
    """Mean box confidence times the share of frames not flagged; 0 for a clip with no track at all
    (a young model that sees nothing has usually missed something)."""
    confs = [b.confidence for t in tracks.tracks for b in t.boxes if b.confidence is not None]
    if not confs:
        return 0.0
    return float(sum(confs) / len(confs)) * (1.0 - len(flags) / max(n_frames, 1))
