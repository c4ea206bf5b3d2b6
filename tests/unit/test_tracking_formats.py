"""Tracking import and export: the sample (clips with MOT ``.txt`` beside them) imports as its truth;
``export --format mot`` is read by py-motmetrics at IDF1 1 against the truth and imports again; the
package is MOT Challenge sequences that py-motmetrics reads (and that import again); the CVAT for
video export has CVAT's documented structure, gives the same boxes back under CVAT's own import rule
(keyframes only, interpolated) and imports again; a bad video, line or track is one rejection that
names the file and the line or track, and the rest goes on."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.formats.base import ImportRecord, Rejection, content_id
from activelabel.formats.cvat_video import cvat_tracks, cvat_xml, parse_cvat
from activelabel.formats.tracking import read_tracking, video_files
from activelabel.importing import import_path
from activelabel.labels import resolve_labels
from activelabel.packaging import package_project
from activelabel.samples.tracking import LABELS, make_sample, truth
from activelabel.types import Track, TrackBox, Tracks
from activelabel.workspace import Workspace
from tests.track_helpers import load_motmetrics, mot_idf1

N_FRAMES = 24


def _workspace(root: Path) -> Workspace:
    return Workspace.init(root, parse_config({"task": "tracking", "labels": LABELS}))


def _stored(ws: Workspace) -> dict[str, dict[str, Any]]:
    """file name -> the value in force."""
    final = resolve_labels(ws)
    items = ws.store.get_items(list(final))
    return {str(items[iid].meta["file"]): f.value for iid, f in final.items()}


def _same(ws: Workspace, got: dict[str, dict[str, Any]], want: dict[str, dict[str, Any]]) -> None:
    assert got.keys() == want.keys()
    for name in want:
        assert ws.spec.canonical(got[name]) == ws.spec.canonical(want[name]), name


@pytest.fixture
def motmetrics(monkeypatch: pytest.MonkeyPatch) -> Any:
    return load_motmetrics(monkeypatch)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory):
    """3 clips of 24 frames imported with their MOT tracks as people's answers."""
    tmp = tmp_path_factory.mktemp("track")
    sample = make_sample(tmp / "sample", 3, seed=4, n_frames=N_FRAMES)
    ws = _workspace(tmp / "proj")
    report = import_path(ws, sample)
    assert (report.imported, report.rejected) == (3, 0), report.rejections
    yield ws, sample
    ws.close()


def test_the_sample_imports_as_its_truth_with_the_video_copied_into_media(clips) -> None:
    ws, sample = clips
    _same(ws, _stored(ws), truth(sample))
    for item in ws.store.get_items(list(resolve_labels(ws))).values():
        name = item.meta["file"]
        assert item.media == "video" and item.meta == {"width": 96, "height": 96, "n_frames": N_FRAMES, "fps": 12.0,
                                                       "file": name}
        assert item.id == content_id("video", (sample / name).read_bytes())
        assert item.content == f"media/{item.id[:16]}_{name}" and (ws.dir / item.content).is_file()


def test_videos_format_reads_the_same_items_without_labels(clips, tmp_path) -> None:
    ws, sample = clips
    recs = list(read_tracking(sample, "videos", labels=LABELS, project_dir=tmp_path))
    assert all(isinstance(r, ImportRecord) and r.value is None for r in recs)
    stored = {it.id for it in ws.store.get_items(list(resolve_labels(ws))).values()}
    assert {r.item_id for r in recs if isinstance(r, ImportRecord)} == stored


def test_mot_export_is_read_by_motmetrics_at_idf1_one_and_imports_again(clips, motmetrics, tmp_path) -> None:
    ws, sample = clips
    out = tmp_path / "mot"
    assert export_project(ws, out, fmt="mot") == 3
    assert (out / "labels.txt").read_text(encoding="utf-8").split() == LABELS
    for name, want in truth(sample).items():
        stem = Path(name).stem
        assert (out / name).read_bytes() == (sample / name).read_bytes()  # the video, under its original name
        assert mot_idf1(motmetrics, sample / f"{stem}.txt", out / f"{stem}.txt") == pytest.approx(1.0)
        ours = motmetrics.io.loadtxt(str(out / f"{stem}.txt"), fmt="mot15-2D")
        classes = {int(i): int(c) for (_, i), c in ours["ClassId"].items()}
        assert classes == {t["id"]: LABELS.index(t["label"]) + 1 for t in want["tracks"]}
    again = _workspace(tmp_path / "again")
    report = import_path(again, out, fmt="auto")
    assert (report.imported, report.rejected) == (3, 0), report.rejections
    _same(again, _stored(again), truth(sample))
    again.close()


def test_package_is_mot_challenge_sequences_that_motmetrics_reads_and_import_again(clips, motmetrics,
                                                                                   tmp_path) -> None:
    ws, sample = clips
    out = tmp_path / "pkg"
    manifest = package_project(ws, out, include_auto=False)
    assert {"labels.txt", "seqmaps/", "train/"} <= set(manifest["files"])
    sequences = sorted(p.parent.parent for p in out.rglob("gt/gt.txt"))
    assert [s.name for s in sequences] == sorted(Path(n).stem for n in truth(sample))
    for seq in sequences:
        info = dict(line.split("=", 1) for line in (seq / "seqinfo.ini").read_text().splitlines() if "=" in line)
        frames = sorted(p.name for p in (seq / "img1").glob("*.jpg"))
        assert len(frames) == int(info["seqLength"]) == N_FRAMES and frames[0] == "000001.jpg"
        assert (info["name"], info["imDir"], info["frameRate"], info["imWidth"], info["imHeight"], info["imExt"]) == (
            seq.name, "img1", "12", "96", "96", ".jpg")
        gt = motmetrics.io.loadtxt(str(seq / "gt" / "gt.txt"), fmt="mot15-2D")
        assert len(gt) > 0 and gt.index.get_level_values(0).max() <= N_FRAMES
        assert mot_idf1(motmetrics, sample / f"{seq.name}.txt", seq / "gt" / "gt.txt") == pytest.approx(1.0)
        split = seq.parent.name
        assert seq.name in (out / "seqmaps" / f"{split}.txt").read_text().split()[1:]
    again = _workspace(tmp_path / "again")  # the sequences (re-encoded frames, so new items), same tracks
    report = import_path(again, out)
    assert (report.imported, report.rejected) == (3, 0), report.rejections
    _same(again, {f"{k}.mp4": v for k, v in _stored(again).items()}, truth(sample))
    ids = set()
    for item in again.store.get_items(list(resolve_labels(again))).values():
        media = again.dir / item.content
        assert media.is_dir() and len(list(media.glob("*.jpg"))) == N_FRAMES  # a frame folder, stored as one
        assert item.id == content_id("video", b"".join(f.read_bytes() for f in video_files(media)))
        assert item.meta["fps"] == 12.0
        ids.add(item.id)
    for fmt in ("mot", "cvat"):  # frame folders go out as folders and come back as the same items
        assert export_project(again, tmp_path / fmt, fmt=fmt) == 3
        third = _workspace(tmp_path / f"from-{fmt}")
        report = import_path(third, tmp_path / fmt)
        assert (report.imported, report.rejected) == (3, 0), report.rejections
        assert set(resolve_labels(third)) == ids
        _same(third, {f"{k}.mp4": v for k, v in _stored(third).items()}, truth(sample))
        third.close()
    again.close()
    seq = sequences[0]
    (seq / "seqinfo.ini").write_text((seq / "seqinfo.ini").read_text().replace(f"seqLength={N_FRAMES}",
                                                                               "seqLength=30"))
    (bad,) = list(read_tracking(seq, "auto", labels=LABELS, project_dir=tmp_path / "p3"))
    assert isinstance(bad, Rejection) and bad.source.endswith("seqinfo.ini")
    assert f"seqLength=30, but img1/ holds {N_FRAMES} frames" in bad.reason


def _cvat_frames(track: ET.Element) -> dict[int, ET.Element]:
    return {int(b.get("frame", "-1")): b for b in track.findall("box")}


def test_cvat_export_has_cvat_structure_and_imports_again(clips, tmp_path) -> None:
    ws, sample = clips
    out = tmp_path / "cvat"
    assert export_project(ws, out, fmt="cvat") == 3
    known = truth(sample)
    for name, want in known.items():
        root = ET.parse(out / Path(name).stem / "annotations.xml").getroot()  # noqa: S314
        assert root.tag == "annotations" and root.findtext("version") == "1.1"
        task = root.find("meta/task")
        assert task is not None
        assert (task.findtext("size"), task.findtext("mode"), task.findtext("start_frame"),
                task.findtext("stop_frame")) == (str(N_FRAMES), "interpolation", "0", str(N_FRAMES - 1))
        assert (task.findtext("original_size/width"), task.findtext("original_size/height")) == ("96", "96")
        assert [el.findtext("name") for el in task.findall("labels/label")] == LABELS
        assert task.findtext("source") == name and (out / Path(name).stem / name).is_file()
        tracks = root.findall("track")
        assert [(int(t.get("id", "")), t.get("label")) for t in tracks] == [(t["id"], t["label"]) for t in
                                                                            want["tracks"]]
        for el, t in zip(tracks, want["tracks"]):
            boxes = _cvat_frames(el)
            for b in el.findall("box"):
                assert set(b.keys()) >= {"frame", "xtl", "ytl", "xbr", "ybr", "outside", "occluded", "keyframe"}
            visible = sorted(f for f, b in boxes.items() if b.get("outside") == "0")
            assert visible == [b["frame"] for b in t["boxes"]]
            last = visible[-1]
            if last < N_FRAMES - 1:  # the object leaves before the video ends: outside on the next frame
                assert boxes[last + 1].get("outside") == "1" and max(boxes) == last + 1
            else:
                assert max(boxes) == last
            assert boxes[visible[0]].get("keyframe") == boxes[last].get("keyframe") == "1"
    again = _workspace(tmp_path / "again")
    report = import_path(again, out)
    assert (report.imported, report.rejected) == (3, 0), report.rejections
    _same(again, _stored(again), known)
    again.close()


def test_cvat_keeps_only_keyframes_on_import_and_our_keyframes_give_every_box_back(clips, tmp_path) -> None:
    """CVAT's importer keeps a track's keyframe shapes and interpolates the rest: with the other boxes
    deleted, the XML still reads back as the same boxes (within 0.01 px)."""
    ws, sample = clips
    out = tmp_path / "cvat"
    export_project(ws, out, fmt="cvat")
    n_boxes = n_keys = 0
    for xml in out.rglob("annotations.xml"):
        tree = ET.parse(xml)  # noqa: S314
        for track in tree.getroot().findall("track"):
            for b in track.findall("box"):
                n_boxes += 1
                if b.get("keyframe") == "0":
                    track.remove(b)
                else:
                    n_keys += 1
        tree.write(xml, encoding="utf-8", xml_declaration=True)
    assert n_keys < n_boxes / 2  # the clips move in straight lines: few keyframes carry them
    recs = [r for r in read_tracking(out, "cvat", labels=LABELS, project_dir=tmp_path / "p")]
    known = {k: Tracks.from_json(v) for k, v in truth(sample).items()}
    assert len(recs) == 3
    for rec in recs:
        assert isinstance(rec, ImportRecord) and isinstance(rec.value, Tracks)
        want = known[rec.meta["file"]]
        assert [(t.id, t.label, [b.frame for b in t.boxes]) for t in rec.value.tracks] == [
            (t.id, t.label, [b.frame for b in t.boxes]) for t in want.tracks]
        for got, exp in zip(rec.value.tracks, want.tracks):
            for g, e in zip(got.boxes, exp.boxes):
                assert max(abs(g.x0 - e.x0), abs(g.y0 - e.y0), abs(g.x1 - e.x1), abs(g.y1 - e.y1)) <= 0.011


def test_cvat_marks_the_answers_keyframes_and_ends_each_run_with_outside(tmp_path) -> None:
    track = Track(7, "disc", tuple(TrackBox(f, 10.0 + f, 10.0, 30.0 + f, 30.0) for f in (*range(0, 5), *range(8, 11))))
    value = Tracks((track,), keyframes=(2, 9))
    xml = tmp_path / "annotations.xml"
    xml.write_bytes(cvat_xml(value, task_id=1, name="clip", source="clip.mp4", width=96, height=96, n_frames=24,
                             labels=LABELS))
    boxes = _cvat_frames(ET.parse(xml).getroot().findall("track")[0])  # noqa: S314
    assert sorted(boxes) == [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]
    assert [f for f in sorted(boxes) if boxes[f].get("outside") == "1"] == [5, 11]
    assert {2, 9} <= {f for f in boxes if boxes[f].get("keyframe") == "1"}
    task = parse_cvat(xml)
    assert not isinstance(task, str)
    got = cvat_tracks(task, LABELS, 96, 96, 24)
    assert not isinstance(got, str)
    back, warnings = got
    assert back.tracks == value.tracks and warnings == []
    assert set(back.keyframes) >= {2, 9}


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_bad_lines_tracks_and_videos_are_rejections_that_name_where_and_the_rest_imports(tmp_path) -> None:
    sample = make_sample(tmp_path / "sample", 7, seed=6, n_frames=N_FRAMES)
    names = sorted(p.stem for p in sample.glob("*.mp4"))
    lines = {n: _lines(sample / f"{n}.txt") for n in names}
    known = truth(sample)

    def write(n: str, rows: list[str]) -> None:
        (sample / f"{n}.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")

    f, tid, x, y, w, h, *rest = lines[names[0]][2].split(",")  # line 3: a box past the right edge
    write(names[0], [*lines[names[0]][:2], ",".join([f, tid, "90", y, w, h, *rest]), *lines[names[0]][3:]])
    write(names[1], [*lines[names[1]], f"{N_FRAMES + 6},1,10,10,5,5,1,1,1"])  # a frame the video lacks
    f, tid, x, y, w, h, conf, _cls, vis = lines[names[2]][0].split(",")
    write(names[2], [",".join([f, tid, x, y, w, h, conf, "7", vis]), *lines[names[2]][1:]])  # class 7 of 3
    write(names[3], [*lines[names[3]][:4], "5,2,12.5,abc,4,4,1,1,1", *lines[names[3]][4:]])  # malformed line 5
    (sample / f"{names[4]}.mp4").write_bytes(b"\x00\x01 not a video " * 64)  # corrupt video
    write(names[5], [*lines[names[5]], "3,99,0,0,200,200,0,1,1"])  # conf 0: left out, as MOT does
    ws = _workspace(tmp_path / "proj")
    report = import_path(ws, sample)
    assert (report.imported, report.rejected) == (2, 5), report.rejections
    by_source = {Path(r.source).name: r for r in report.rejections}
    outside = by_source[f"{names[0]}.txt"]
    assert outside.line == 3 and "outside the 96x96 frame" in outside.reason
    beyond = by_source[f"{names[1]}.txt"]
    assert beyond.line == len(lines[names[1]]) + 1 and f"frame {N_FRAMES + 6} is beyond the end" in beyond.reason
    unknown = by_source[f"{names[2]}.txt"]
    assert unknown.line == 1 and "unknown class 7" in unknown.reason
    malformed = by_source[f"{names[3]}.txt"]
    assert malformed.line == 5 and "'abc', not a number" in malformed.reason
    corrupt = by_source[f"{names[4]}.mp4"]
    assert corrupt.line is None and "cannot decode" in corrupt.reason
    assert any(f"{names[5]}.txt" in w and "conf 0 left out" in w for w in report.warnings)
    stored = _stored(ws)
    assert sorted(stored) == [f"{names[5]}.mp4", f"{names[6]}.mp4"]
    _same(ws, stored, {k: known[k] for k in stored})
    ws.close()


def test_cvat_rejections_name_the_track_and_frame(tmp_path) -> None:
    sample = make_sample(tmp_path / "sample", 1, seed=8, n_frames=N_FRAMES, with_labels=False)
    video = next(sample.glob("*.mp4"))
    ok = Tracks((Track(3, "disc", (TrackBox(0, 1.0, 1.0, 9.0, 9.0), TrackBox(1, 2.0, 1.0, 10.0, 9.0))),))
    cases = {
        "label": (ok, ["disc", "car"], "track 3 (car): unknown label 'car'"),
        "frame": (Tracks((Track(3, "disc", (TrackBox(30, 1.0, 1.0, 9.0, 9.0),)),)), LABELS,
                  "track 3 (disc) frame 30: the video has frames 0..23"),
        "outside": (Tracks((Track(3, "disc", (TrackBox(2, 90.0, 1.0, 99.0, 9.0),)),)), LABELS,
                    "track 3 (disc) frame 2 box (90, 1)-(99, 9): outside the 96x96 frame"),
    }
    for case, (value, labels, reason) in cases.items():
        folder = tmp_path / case
        folder.mkdir()
        shutil.copy(video, folder / video.name)
        if case == "label":
            value = Tracks((Track(3, "car", ok.tracks[0].boxes),))
        (folder / "annotations.xml").write_bytes(cvat_xml(value, task_id=1, name=case, source=video.name, width=96,
                                                          height=96, n_frames=N_FRAMES, labels=labels))
        (rec,) = list(read_tracking(folder, "auto", labels=LABELS, project_dir=tmp_path / "proj"))
        assert isinstance(rec, Rejection) and rec.source.endswith("annotations.xml"), case
        assert reason in rec.reason, (case, rec.reason)


def test_datumaro_reads_the_cvat_export_as_the_same_tracks(clips, tmp_path) -> None:
    """Datumaro's CVAT importer, a maintained reader of this XML, finds every visible box of every
    track at its frame. (Datumaro 1.13 pins pandas 2.3 and pillow 12, older than this project's
    environment: the Makefile installs it without its pins, and its CVAT reader runs on the newer ones.)"""
    from datumaro.components.annotation import AnnotationType
    from datumaro.components.dataset import Dataset

    ws, sample = clips
    out = tmp_path / "cvat"
    export_project(ws, out, fmt="cvat")
    for name, want in truth(sample).items():
        ds = Dataset.import_from(str(out / Path(name).stem), "cvat")
        names = [c.name for c in ds.categories()[AnnotationType.label]]
        got: dict[int, tuple[str, dict[int, tuple[float, ...]]]] = {}
        for item in ds:
            for ann in item.annotations:
                if ann.type == AnnotationType.bbox and not ann.attributes.get("outside"):
                    track = got.setdefault(int(ann.attributes["track_id"]), (names[ann.label], {}))
                    track[1][int(item.attributes["frame"])] = (ann.x, ann.y, ann.x + ann.w, ann.y + ann.h)
        assert sorted(got) == [t["id"] for t in want["tracks"]]
        for t in want["tracks"]:
            label, boxes = got[t["id"]]
            assert label == t["label"] and sorted(boxes) == [b["frame"] for b in t["boxes"]]
            for b in t["boxes"]:
                assert boxes[b["frame"]] == pytest.approx((b["x0"], b["y0"], b["x1"], b["y1"]), abs=1e-3)


def test_a_videos_id_is_hashed_from_its_files_in_chunks_as_from_their_bytes(tmp_path: Path) -> None:
    from activelabel.formats import base

    parts = [tmp_path / "a.jpg", tmp_path / "b.jpg"]
    parts[0].write_bytes(b"x" * (base.HASH_CHUNK + 7))  # more than one chunk
    parts[1].write_bytes(b"yz")
    assert content_id("video", tuple(parts)) == content_id("video", b"x" * (base.HASH_CHUNK + 7) + b"yz")
    assert content_id("video", ()) == content_id("video", b"")
