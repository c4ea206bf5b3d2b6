"""A correction on one frame carries along its track until the next keyframe.

A person checks a few frames (keyframes) and leaves each as it should be: boxes with track ids. On
each keyframe, the person's boxes are matched to the proposal's boxes of that frame (same label,
IoU >= ``MATCH_IOU``, one to one; else the same id, for a box dragged far; then, for a box the person
gave another label, the same two without the label); until the next keyframe:

- a matched proposal track takes the person's id (an identity switch fixed once stays fixed) and the
  person's offset: each later box is the proposal's box moved by the difference the person made on
  the keyframe, so the tracker's motion is kept and its drift corrected. Where the next keyframe
  matches the same track to the same id, the offset goes linearly from this keyframe's to that
  one's, as CVAT interpolates between keyframes: the boxes meet both corrections without a jump,
  and a one-frame slip of the tracker fixed on a keyframe is not carried to the frames after it;
- a proposal box the person deleted stays deleted;
- a box the person added (no proposal box under it) stays where it was put, or, where the next
  keyframe has a box of the same id, moves linearly to it;
- a proposal track that starts after the keyframe is kept as proposed.

Frames before the first keyframe keep the proposal, except that identities the person fixed on the
first keyframe apply to them as well (an id is one object for the whole clip). A track has one label:
the one the person gave its id on the last keyframe it is on applies to all its frames, before the
keyframe too (the editor relabels a track on every keyframe at once), and the model's confidences go
from the boxes whose label changed (they were for the model's label).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from activelabel.types import Track, TrackBox, Tracks

MATCH_IOU = 0.3


@dataclass(frozen=True)
class FrameBox:
    """One box a person left on a keyframe: its track id and label, in pixels."""

    id: int
    label: str
    x0: float
    y0: float
    x1: float
    y1: float


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _by_frame(tracks: Tracks) -> dict[int, list[tuple[int, str, TrackBox]]]:
    out: dict[int, list[tuple[int, str, TrackBox]]] = {}
    for t in tracks.tracks:
        for b in t.boxes:
            out.setdefault(b.frame, []).append((t.id, t.label, b))
    return out


def _match(person: Sequence[FrameBox], proposed: Sequence[tuple[int, str, TrackBox]]
           ) -> dict[int, tuple[FrameBox, TrackBox]]:
    """proposal track id -> (the person's box, the proposal's box) on one keyframe: greedily by IoU, then
    by id (a box dragged far from where the tracker had it keeps its own id), first with the same label,
    then with any (a box the person relabelled keeps its track)."""
    used_p: set[int] = set()
    used_q: set[int] = set()
    out: dict[int, tuple[FrameBox, TrackBox]] = {}

    def take(i: int, j: int) -> None:
        used_p.add(i)
        used_q.add(j)
        out[proposed[j][0]] = (person[i], proposed[j][2])

    for same_label in (True, False):
        pairs = sorted(((iou((p.x0, p.y0, p.x1, p.y1), (b.x0, b.y0, b.x1, b.y1)), i, j)
                        for i, p in enumerate(person) for j, (_, lab, b) in enumerate(proposed)
                        if lab == p.label or not same_label), reverse=True)
        for score, i, j in pairs:
            if score >= MATCH_IOU and i not in used_p and j not in used_q:
                take(i, j)
        for i, p in enumerate(person):
            same = next((k for k, (qid, lab, _) in enumerate(proposed)
                         if qid == p.id and (lab == p.label or not same_label)), None)
            if i not in used_p and same is not None and same not in used_q:
                take(i, same)
    return out


Quad = tuple[float, float, float, float]


def _offset(person: FrameBox, proposed: TrackBox) -> Quad:
    """What the person changed on a keyframe: each edge's move from the proposal's box."""
    return person.x0 - proposed.x0, person.y0 - proposed.y0, person.x1 - proposed.x1, person.y1 - proposed.y1


def _blend(a: Quad, b: Quad, w: float) -> Quad:
    """``a`` moved the share ``w`` of the way to ``b``."""
    return a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w, a[2] + (b[2] - a[2]) * w, a[3] + (b[3] - a[3]) * w


def propagate(proposal: Tracks, corrections: Mapping[int, Sequence[FrameBox]], n_frames: int) -> Tracks:
    """The tracks after the person's keyframe corrections, carried to the frames between keyframes;
    ``keyframes`` of the result are the corrected frames."""
    keys = sorted(int(f) for f in corrections)
    frames = _by_frame(proposal)
    labels = {t.id: t.label for t in proposal.tracks}
    # id -> frame -> (the label its confidence was for, box)
    out: dict[int, dict[int, tuple[str, TrackBox]]] = {}

    def put(tid: int, label: str, box: TrackBox) -> None:
        out.setdefault(tid, {})[box.frame] = (label, box)

    matches = {k: _match(corrections[k], frames.get(k, [])) for k in keys}
    first_map = {qid: p.id for qid, (p, _) in matches[keys[0]].items()} if keys else {}
    for f in range(0, keys[0] if keys else n_frames):  # before the first keyframe: the proposal, ids fixed
        for qid, _lab, b in frames.get(f, []):
            tid = first_map.get(qid, qid)
            put(tid, labels[qid], b)
    for n, k in enumerate(keys):
        person = list(corrections[k])
        matched = matches[k]
        for p in person:
            put(p.id, p.label, TrackBox(k, p.x0, p.y0, p.x1, p.y1))
        added = [p for p in person if all(p is not m[0] for m in matched.values())]
        last = n + 1 == len(keys)
        end = n_frames if last else keys[n + 1]
        on_key = {qid for qid, _, _ in frames.get(k, [])}
        next_match = {} if last else matches[end]
        next_box = {} if last else {p.id: p for p in corrections[end]}  # the next keyframe's boxes
        for f in range(k + 1, end):
            for qid, lab, b in frames.get(f, []):
                if qid not in matched:
                    if qid not in on_key:  # a track that starts after the keyframe: as proposed
                        put(qid, labels[qid], b)
                    continue  # else the person deleted it on the keyframe
                p, at_key = matched[qid]
                shift = _offset(p, at_key)
                if qid in next_match and next_match[qid][0].id == p.id:
                    shift = _blend(shift, _offset(*next_match[qid]), (f - k) / (end - k))
                x0, y0, x1, y1 = b.x0 + shift[0], b.y0 + shift[1], b.x1 + shift[2], b.y1 + shift[3]
                if x1 > x0 and y1 > y0:
                    put(p.id, lab, TrackBox(f, round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2), b.confidence))
            for p in added:
                to = next_box.get(p.id)
                if to is None:
                    put(p.id, p.label, TrackBox(f, p.x0, p.y0, p.x1, p.y1))
                    continue
                x0, y0, x1, y1 = _blend((p.x0, p.y0, p.x1, p.y1), (to.x0, to.y0, to.x1, to.y1), (f - k) / (end - k))
                put(p.id, p.label, TrackBox(f, round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)))
    given = {p.id: p.label for k in keys for p in corrections[k]}  # a track's label: the person's, last keyframe on
    tracks = []
    for tid in sorted(out):
        boxes = [out[tid][f] for f in sorted(out[tid])]
        label = given.get(tid, boxes[-1][0])
        tracks.append(Track(tid, label, tuple(b if lab == label else replace(b, confidence=None) for lab, b in boxes)))
    return Tracks(tuple(tracks), tuple(keys))


def clip_to_frame(tracks: Tracks, width: float | None, height: float | None) -> Tracks:
    """Without confidences, each box clipped to the frame: a correction carried along a track may push
    a box past the edge, as an object leaves the view (a box left with no area goes)."""
    out = []
    for t in tracks.tracks:
        boxes = []
        for b in t.boxes:
            x0, y0, x1, y1 = b.x0, b.y0, b.x1, b.y1
            if width is not None and height is not None:
                x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
            if x1 > x0 and y1 > y0:
                boxes.append(TrackBox(b.frame, x0, y0, x1, y1))
        if boxes:
            out.append(Track(t.id, t.label, tuple(boxes)))
    return Tracks(tuple(out), tracks.keyframes)
