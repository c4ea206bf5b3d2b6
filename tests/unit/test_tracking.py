"""Tracking unit tests: the answer's checks name the item and track, keyframe corrections carry along
their tracks, the flagged frames, and IDF1."""

from __future__ import annotations

import pytest

from activelabel.errors import InvalidLabelError
from activelabel.tasks import get_task
from activelabel.tracking.flags import FlagSettings, flagged_frames, item_confidence
from activelabel.tracking.identity import idf1
from activelabel.tracking.propagation import FrameBox, propagate
from activelabel.types import Item, Track, TrackBox, Tracks


def _track(tid: int, frames: range, x: float = 10.0, dx: float = 1.0, label: str = "disc",
           conf: float | None = 0.9, size: float = 10.0) -> Track:
    return Track(tid, label, tuple(TrackBox(f, x + dx * f, 10.0, x + dx * f + size, 10.0 + size, conf) for f in frames))


def test_checks_name_the_item_and_the_track() -> None:
    spec = get_task("tracking")
    item = Item("v1", "video", "media/v.mp4", {"width": 64, "height": 48, "n_frames": 10})
    spec.validate(Tracks((_track(1, range(10)),)), ["disc"], item)
    cases = [(Tracks((_track(1, range(12)),)), r"track 1 \(disc\) frame 10 .*frames 0..9"),
             (Tracks((_track(1, range(3), x=60.0),)), "outside the 64x48 frame"),
             (Tracks((_track(1, range(3)), _track(1, range(3)))), "two tracks have the id 1"),
             (Tracks((_track(1, range(3), label="blob"),)), "unknown label 'blob'"),
             (Tracks((_track(1, range(3)),), keyframes=(11,)), r"keyframes \[11\]")]
    for value, message in cases:
        with pytest.raises(InvalidLabelError, match=rf"item v1: .*{message}"):
            spec.validate(value, ["disc"], item)
    with pytest.raises(InvalidLabelError, match="malformed tracking value"):
        spec.payload({"tracks": [{"id": 1.5, "label": "disc", "boxes": []}]})


def test_a_correction_carries_along_its_track_until_the_next_keyframe() -> None:
    drifted = Tracks((_track(1, range(20)),))  # the truth is 6 px left of this from frame 0
    fix = {5: [FrameBox(1, "disc", 9.0, 10.0, 19.0, 20.0)]}  # proposal at frame 5: x0 = 15
    out = propagate(drifted, fix, 20)
    boxes = {b.frame: b for b in out.tracks[0].boxes}
    assert out.keyframes == (5,)
    assert boxes[4].x0 == pytest.approx(14.0)  # before the first keyframe: as proposed
    assert boxes[5].x0 == 9.0 and boxes[12].x0 == pytest.approx(16.0)  # the -6 px carried on, the motion kept
    again = propagate(drifted, {**fix, 10: [FrameBox(1, "disc", 20.0, 10.0, 30.0, 20.0)]}, 20)  # no fix needed at 10
    later = {b.frame: b for b in again.tracks[0].boxes}
    # between the keyframes the offset goes linearly from -6 px to 0 (no jump at 10), then 0 is carried on
    assert [later[f].x0 for f in (5, 6, 8, 9, 10, 11)] == pytest.approx([9.0, 11.2, 15.6, 17.8, 20.0, 21.0])
    assert later[8].x1 - later[8].x0 == pytest.approx(10.0)  # both keyframes kept the size


def test_a_box_added_on_two_keyframes_moves_linearly_between_them() -> None:
    missed = Tracks((_track(1, range(10)),))  # the tracker never saw a second object
    added = {2: [FrameBox(1, "disc", 12.0, 10.0, 22.0, 20.0), FrameBox(2, "square", 50.0, 40.0, 60.0, 50.0)],
             6: [FrameBox(1, "disc", 16.0, 10.0, 26.0, 20.0), FrameBox(2, "square", 58.0, 36.0, 70.0, 48.0)]}
    two = {b.frame: b for b in {t.id: t for t in propagate(missed, added, 10).tracks}[2].boxes}
    assert sorted(two) == list(range(2, 10))
    assert (two[4].x0, two[4].y0, two[4].x1, two[4].y1) == pytest.approx((54.0, 38.0, 65.0, 49.0))  # half way
    assert (two[8].x0, two[8].y1) == (58.0, 48.0)  # after the last keyframe: where it was put


def test_an_identity_switch_fixed_once_stays_fixed_and_deletions_stay() -> None:
    a, b = _track(1, range(10), x=5.0, dx=0.0), _track(2, range(10), x=40.0, dx=0.0)
    swapped = {3: [FrameBox(2, "disc", 5.0, 10.0, 15.0, 20.0), FrameBox(1, "disc", 40.0, 10.0, 50.0, 20.0)]}
    out = propagate(Tracks((a, b)), swapped, 10)
    by_id = {t.id: t for t in out.tracks}
    assert by_id[2].boxes[0].x0 == 5.0 and by_id[1].boxes[-1].x0 == 40.0  # ids swapped, before and after
    deleted = propagate(Tracks((a, b)), {4: [FrameBox(1, "disc", 5.0, 10.0, 15.0, 20.0)]}, 10)
    frames_of_2 = [x.frame for x in {t.id: t for t in deleted.tracks}[2].boxes]
    assert frames_of_2 == [0, 1, 2, 3]  # the person removed #2 on frame 4: gone from there on
    added = propagate(Tracks(()), {2: [FrameBox(7, "disc", 1.0, 1.0, 9.0, 9.0)]}, 6)
    assert [x.frame for x in added.tracks[0].boxes] == [2, 3, 4, 5]


def test_a_track_relabelled_on_a_keyframe_takes_the_label_on_all_its_frames() -> None:
    disc, other = _track(1, range(10)), _track(2, range(10), x=40.0, dx=0.0, label="square")
    relabelled = {4: [FrameBox(1, "square", 14.0, 10.0, 24.0, 20.0),  # where the tracker has it, another label
                      FrameBox(2, "square", 40.0, 10.0, 50.0, 20.0)]}
    out = propagate(Tracks((disc, other)), relabelled, 10)
    one = {t.id: t for t in out.tracks}[1]
    assert one.label == "square" and [b.frame for b in one.boxes] == list(range(10))  # one label, before and after
    assert [b.x0 for b in one.boxes] == [pytest.approx(10.0 + f) for f in range(10)]  # the tracker's motion kept
    assert all(b.confidence is None for b in one.boxes)  # the model's confidence was for its disc
    assert all(b.confidence == 0.9 for b in {t.id: t for t in out.tracks}[2].boxes if b.frame != 4)  # kept its label
    moved = propagate(Tracks((disc,)), {4: [FrameBox(1, "triangle", 60.0, 10.0, 70.0, 20.0)]}, 10)  # dragged far too
    (track,) = moved.tracks
    assert track.label == "triangle" and track.boxes[5].x0 == pytest.approx(61.0)
    # a track on two keyframes takes the label of the last (the editor relabels it on every keyframe at once)
    both = propagate(Tracks((disc,)), {2: [FrameBox(1, "disc", 12.0, 10.0, 22.0, 20.0)],
                                       6: [FrameBox(1, "square", 16.0, 10.0, 26.0, 20.0)]}, 10)
    assert [t.label for t in both.tracks] == ["square"] and len(both.tracks[0].boxes) == 10


def test_flags_mark_starts_ends_gaps_switches_and_weak_runs() -> None:
    first = _track(1, range(0, 8), dx=1.0)
    second = _track(2, range(10, 20), x=8.0, dx=1.0)  # starts 2 frames after #1 ends, near where it was
    gappy = Track(3, "square", tuple(TrackBox(f, 40, 30, 50, 40, 0.9 if f < 15 else 0.2)
                                     for f in list(range(0, 5)) + list(range(9, 20))))
    every = {f.frame: f.reason for f in flagged_frames(Tracks((first, second, gappy)), 20, FlagSettings(min_spacing=1))}
    assert "ends" in every[7] and "identity switch" in every[10]
    assert "found again after 4 frames" in every[9] and "confidence 0.20" in every[15]
    flags = {f.frame: f.reason for f in flagged_frames(Tracks((first, second, gappy)), 20)}
    assert sorted(flags) == [7, 9, 15]  # frame 10 joins frame 9, the frame before it, with its reason
    assert flags[9].startswith("#3 (square) found again after 4 frames; frame 10: possible identity switch")
    calm = Tracks((_track(1, range(20)),))
    assert flagged_frames(calm, 20) == []
    assert item_confidence(calm, [], 20) == pytest.approx(0.9)
    assert item_confidence(Tracks(()), [], 20) == 0.0


def test_a_weak_run_ends_only_when_the_confidence_is_back_above_recover_conf() -> None:
    confs = [0.9, 0.45, 0.55, 0.48, 0.58, 0.45, 0.7, 0.9, 0.4, 0.9]  # flickers around 0.5, then recovers
    track = Track(1, "disc", tuple(TrackBox(f, 10, 10, 20, 20, c) for f, c in enumerate(confs)))
    flags = flagged_frames(Tracks((track,)), len(confs))
    assert [f.frame for f in flags] == [1, 8]  # one run from 1 to 5 (never back at 0.6), a new one at 8
    assert flags[0].reason == "#1 (disc) at confidence 0.45"
    plain = flagged_frames(Tracks((track,)), len(confs), FlagSettings(recover_conf=0.5, min_spacing=1))
    assert [f.frame for f in plain] == [1, 3, 5, 8]  # without hysteresis: a flag at each dip


def test_idf1_counts_identity_switches() -> None:
    truth = Tracks((_track(1, range(10), x=5.0, dx=0.0), _track(2, range(10), x=40.0, dx=0.0))).to_json()
    assert idf1(truth, truth) == 1.0
    a, b = truth["tracks"]
    switched = {"tracks": [{"id": 1, "label": "disc", "boxes": a["boxes"][:5] + b["boxes"][5:]},
                           {"id": 2, "label": "disc", "boxes": b["boxes"][:5] + a["boxes"][5:]}]}
    assert idf1(switched, truth) == pytest.approx(0.5)
    assert idf1({"tracks": []}, truth) == 0.0 and idf1({"tracks": []}, {"tracks": []}) == 1.0
