"""The tracking kind end to end on tiny synthetic clips: import -> prelabel -> queue -> answer (a few
keyframes, carried along the tracks) -> train -> ``export --package`` (a MOT Challenge folder that
py-motmetrics reads) and ``export --format mot`` (read back by py-motmetrics at IDF1 1 against what
was stored). Training is 1 epoch at 64 px: these tests check the plumbing, not accuracy (see
benchmarks/tracking_touch.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from activelabel.config import parse_config
from activelabel.errors import InvalidLabelError
from activelabel.exporting import export_project, export_rows
from activelabel.packaging import package_project
from activelabel.project import Project
from activelabel.samples.tracking import LABELS, make_sample, mot_lines, truth
from activelabel.tracking.propagation import FrameBox, propagate
from activelabel.types import Tracks
from tests.detection_helpers import TINY_PARAMS
from tests.track_helpers import load_motmetrics, mot_idf1

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """8 clips imported unlabeled, 7 answered (the truth, checked on two keyframes), 2 gold clips, trained once."""
    tmp = tmp_path_factory.mktemp("track")
    sample = make_sample(tmp / "sample", 8, seed=3, n_frames=16, size=64)
    known = truth(sample)
    cfg = parse_config({"name": "clips", "task": "tracking", "labels": LABELS,
                        "model": {"params": {**TINY_PARAMS, "train_frames": 4}},
                        "loop": {"strategy": "least_confidence", "retrain_every": 0, "human_budget_per_round": 7,
                                 "auto_accept_threshold": 1.0, "audit_rate": 0.0}})
    project = Project.init(tmp / "proj", cfg)
    report = project.import_file(sample, fmt="videos")
    assert (report.imported, report.rejected) == (8, 0)
    gold = make_sample(tmp / "gold", 2, seed=4, n_frames=16, size=64)  # with MOT truth beside: the held-out set
    assert project.import_file(gold, fmt="mot", as_gold=True).imported == 2
    first = project.prelabel()
    assert first["model_version"] is None and first["n_queued"] >= 7  # cold start
    for q in project.claim("alice", 7):
        value = Tracks.from_json(known[q.entry.item.meta["file"]])
        project.submit(q.entry.item.id, Tracks(value.tracks, (0, 8)), annotator="alice")
    version = project.train(wait=True)
    yield project, version, tmp, known
    project.close()


def test_training_gives_a_version_with_idf1_and_proposals_with_flagged_frames(trained):
    project, version, _, _ = trained
    info = project.store.get_version(version)
    assert info.status == "promoted" and "idf1" in info.metrics
    again = project.prelabel()
    assert again["model_version"] == version
    (q,) = project.queue(1)
    assert q.proposal is not None
    proposed = Tracks.from_json(q.proposal["value"]).validate(LABELS, 64, 64, 16)  # whatever one epoch proposes
    assert all(0 <= f < 16 and reason for f, reason in proposed.uncertain_frames)


def test_a_keyframe_correction_is_stored_along_the_track_and_bad_boxes_are_refused(trained):
    project, _, _, known = trained
    (q,) = project.claim("bob", 1)
    item = q.entry.item
    true = Tracks.from_json(known[item.meta["file"]])
    t = true.tracks[0]
    shifted = Tracks((type(t)(t.id, t.label, tuple(type(b)(b.frame, b.x0 + 5, b.y0, b.x1 + 5, b.y1) for b in t.boxes)),))
    on_key = t.boxes[0]  # the person fixes the drift on the track's first frame: it carries to every later one
    answer = propagate(shifted, {on_key.frame: [FrameBox(t.id, t.label, on_key.x0, on_key.y0, on_key.x1, on_key.y1)]},
                       16)
    project.submit(item.id, answer, annotator="bob")
    stored = Tracks.from_json(next(a for a in project.store.all_annotations()
                                   if a["item_id"] == item.id and a["annotator"] == "bob")["value"])
    fixed = {b.frame: b.x0 for b in stored.tracks[0].boxes}
    assert stored.keyframes == (on_key.frame,) and all(abs(fixed[b.frame] - b.x0) < 0.01 for b in t.boxes)
    outside = Tracks((type(t)(t.id, t.label, (type(t.boxes[0])(0, 50.0, 50.0, 70.0, 60.0),)),))
    with pytest.raises(InvalidLabelError, match=rf"item {item.id}: track {t.id} .*outside the 64x64 frame"):
        project.submit(item.id, outside, annotator="carol")


def test_package_is_a_mot_challenge_folder_that_motmetrics_reads(trained, tmp_path, monkeypatch):
    mm = load_motmetrics(monkeypatch)
    project, _, _, _ = trained
    out = tmp_path / "pkg"
    package_project(project, out, include_auto=False)
    sequences = sorted(p.parent.parent for p in out.rglob("gt/gt.txt"))
    assert len(sequences) >= 4
    for seq in sequences:
        gt = mm.io.loadtxt(str(seq / "gt" / "gt.txt"), fmt="mot15-2D")
        info = dict(line.split("=", 1) for line in (seq / "seqinfo.ini").read_text().splitlines() if "=" in line)
        assert len(list((seq / "img1").glob("*.jpg"))) == int(info["seqLength"]) == 16
        assert len(gt) > 0 and gt.index.get_level_values(0).max() <= 16


def test_mot_export_reads_back_with_motmetrics_at_idf1_one(trained, tmp_path, monkeypatch):
    mm = load_motmetrics(monkeypatch)
    project, _, _, _ = trained
    out = tmp_path / "mot"
    n = export_project(project, out, fmt="mot")
    assert n >= 4
    files = sorted(p for p in out.glob("*.txt") if p.name != "labels.txt")
    assert len(files) == n
    rows = export_rows(project)
    items = project.store.get_items([r["id"] for r in rows])
    by_file = {items[r["id"]].meta["file"]: r["value"] for r in rows}
    for f in files:  # against what was exported, written as MOT by the sample's own writer
        stored = by_file[f"{f.stem}.mp4"]
        (tmp_path / "gt").mkdir(exist_ok=True)
        gt = tmp_path / "gt" / f.name
        gt.write_text("\n".join(mot_lines(stored["tracks"])) + "\n")
        assert mot_idf1(mm, gt, f) == pytest.approx(1.0)
    cfg = parse_config({"name": "again", "task": "tracking", "labels": LABELS})
    with Project.init(tmp_path / "again", cfg) as again:
        report = again.import_file(out, fmt="mot")
        assert (report.imported, report.rejected) == (n, 0)
        got = sorted(again.spec.canonical(r.value) for r in again.store.current_labels())
        assert got == sorted(project.spec.canonical(v) for v in by_file.values())


def test_demo_sample_truth_matches_its_videos(tmp_path: Path) -> None:
    from activelabel.video import probe

    folder = make_sample(tmp_path / "s", 2, seed=1, n_frames=10, size=64)
    for name, value in truth(folder).items():
        info = probe(folder / name)
        Tracks.from_json(value).validate(LABELS, info.width, info.height, info.n_frames)
