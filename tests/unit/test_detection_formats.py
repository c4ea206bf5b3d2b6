"""Detection import and export: image folders, YOLO, COCO, VOC; bad files and bad boxes are per-file rejections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.project import Project
from activelabel.samples.detection import LABELS, make_sample
from activelabel.tasks import get_task
from activelabel.types import Boxes
from tests.unit.test_images import bad_files, write_jpeg


@pytest.fixture()
def project(tmp_path):
    cfg = parse_config({"name": "d", "task": "detection", "labels": LABELS,
                        "loop": {"retrain_every": 0}, "extra": {"max_image_pixels": 50_000_000}})
    p = Project.init(tmp_path / "proj", cfg)
    yield p
    p.close()


def _labels(project: Project) -> dict[str, Boxes]:
    out = {}
    for item_id, value, _row in project.labels_in_force():
        assert isinstance(value, Boxes)
        out[project.store.get_item(item_id).meta["file"]] = value
    return out


def _png(path: Path, size: tuple[int, int] = (100, 80)) -> Path:
    """A distinct image per file name (identical images would be rejected as duplicates)."""
    seed = sum(path.name.encode()) + 7 * len(path.name)
    Image.new("RGB", size, (seed % 256, (seed * 7) % 256, (seed * 13) % 256)).save(path)
    return path


def test_image_folder_with_bad_files_imports_the_good_ones(project, tmp_path):
    folder = tmp_path / "photos"
    bad = bad_files(folder)
    _png(folder / "b.png")
    report = project.import_file(folder)
    assert report.total == 6 and report.imported == 2 and report.rejected == 4
    assert report.imported + report.rejected == report.total
    reasons = {Path(r.source).name: r.reason for r in report.rejections}
    assert set(reasons) == {p.name for p in bad.values()}
    assert "truncated" in reasons["truncated.jpg"]
    assert "empty file" in reasons["empty.jpg"]
    assert "text file" in reasons["notes.jpg"]
    assert "20000x20000" in reasons["huge.png"] or "too large" in reasons["huge.png"]
    items = project.store.get_items(project.store.existing_ids(
        [i.id for page in project.store.iter_pool() for i in page]))
    for item in items.values():
        assert (project.dir / item.content).is_file() and item.content.startswith("media/")
        assert {"width", "height"} <= set(item.meta)
    assert project.store.counts()["human_labeled"] == 0  # no labels in a plain folder


def test_size_limit_from_config_extra(tmp_path):
    cfg = parse_config({"task": "detection", "labels": LABELS, "extra": {"max_image_pixels": 5000}})
    with Project.init(tmp_path / "small", cfg) as p:
        folder = tmp_path / "two"
        folder.mkdir()
        _png(folder / "ok.png", (50, 50))
        _png(folder / "big.png", (100, 80))
        report = p.import_file(folder)
    assert (report.imported, report.rejected) == (1, 1)
    assert "over the size limit" in report.rejections[0].reason


def _yolo_folder(tmp_path: Path, labels: dict[str, str]) -> Path:
    root = tmp_path / "yolo"
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    (root / "data.yaml").write_text("names: [square, circle, triangle]\n")
    for stem, text in labels.items():
        _png(root / "images" / f"{stem}.png", (100, 80))
        if text is not None:
            (root / "labels" / f"{stem}.txt").write_text(text)
    return root


def test_yolo_boxes_are_validated_per_file(project, tmp_path):
    root = _yolo_folder(tmp_path, {
        "good": "0 0.5 0.5 0.2 0.25\n1 0.1 0.1 0.1 0.1\n",
        "empty": "",
        "clipped": "2 0.95 0.5 0.2 0.2\n",          # sticks out on the right: clipped, with a warning
        "outside": "0 1.5 1.5 0.1 0.1\n",           # no part inside the image
        "bad_class": "0 0.5 0.5 0.1 0.1\n7 0.5 0.5 0.1 0.1\n",
        "nan": "0 nan 0.5 0.1 0.1\n",
        "flat": "0 0.5 0.5 0.0 0.1\n",
        "polygon": "0 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n",
    })
    _png(root / "images" / "unlabeled.png", (60, 60))
    report = project.import_file(root)
    assert report.total == 9 and report.imported + report.rejected == report.total
    reasons = {Path(r.source).stem: f"{r.line}: {r.reason}" for r in report.rejections}
    assert set(reasons) == {"outside", "bad_class", "nan", "flat", "polygon"}
    assert "class index 7 out of range" in reasons["bad_class"] and reasons["bad_class"].startswith("2:")
    assert "entirely outside" in reasons["outside"]
    assert "finite" in reasons["nan"]
    assert "positive area" in reasons["flat"]
    assert "expected 5 fields" in reasons["polygon"]
    assert len(report.warnings) == 1 and "clipped" in report.warnings[0]
    labels = _labels(project)
    good = labels["good.png"].boxes
    assert [(b.label, round(b.x0, 3), round(b.y0, 3), round(b.x1, 3), round(b.y1, 3)) for b in good] == [
        ("square", 40.0, 30.0, 60.0, 50.0), ("circle", 5.0, 4.0, 15.0, 12.0)]
    assert labels["empty.png"].boxes == ()
    clipped = labels["clipped.png"].boxes[0]
    assert clipped.x1 == 100.0 and clipped.x0 == pytest.approx(85.0)
    assert "unlabeled.png" not in labels and project.store.counts()["items"] == 4


def test_yolo_names_unknown_to_the_project_are_rejected(project, tmp_path):
    root = _yolo_folder(tmp_path, {"a": "1 0.5 0.5 0.2 0.2\n", "b": "0 0.5 0.5 0.2 0.2\n"})
    (root / "data.yaml").write_text("names: {0: square, 1: hexagon}\n")
    report = project.import_file(root)
    assert (report.imported, report.rejected) == (1, 1)
    assert "unknown label 'hexagon'" in report.rejections[0].reason


def _coco(tmp_path: Path, categories: list[dict] | None, annotations: list[dict]) -> Path:
    root = tmp_path / "coco"
    (root / "images").mkdir(parents=True)
    images = []
    for i, name in enumerate(["one.png", "two.png", "three.png"], 1):
        _png(root / "images" / name, (100, 80))
        images.append({"id": i, "file_name": name, "width": 100, "height": 80})
    images.append({"id": 9, "file_name": "missing.png", "width": 10, "height": 10})
    data = {"images": images, "annotations": annotations}
    if categories is not None:
        data["categories"] = categories
    (root / "instances.json").write_text(json.dumps(data))
    return root


def test_coco_missing_category_skips_that_annotation_with_a_warning(project, tmp_path):
    # issue 15: one unknown category no longer rejects the whole image
    root = _coco(tmp_path, [{"id": 1, "name": "square"}, {"id": 2, "name": "circle"}], [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40]},
        {"id": 2, "image_id": 2, "category_id": 5, "bbox": [10, 20, 30, 40]},
        {"id": 4, "image_id": 2, "category_id": 2, "bbox": [50, 10, 20, 20]},
        {"id": 3, "image_id": 3, "category_id": 2, "bbox": [1, 2, 3, 4]},
    ])
    report = project.import_file(root)
    assert (report.total, report.imported, report.rejected) == (4, 3, 1)
    assert "'missing.png' not found" in report.rejections[0].reason
    assert len(report.warnings) == 1
    assert "annotations[1] skipped: category_id 5 is missing from the file's categories" in report.warnings[0]
    labels = _labels(project)
    assert [b.label for b in labels["two.png"].boxes] == ["circle"]
    assert labels["one.png"].boxes[0].to_json() == {"x0": 10.0, "y0": 20.0, "x1": 40.0, "y1": 60.0, "label": "square"}


def test_coco_keypoints_are_not_read_as_boxes(project, tmp_path):
    root = _coco(tmp_path, [{"id": 1, "name": "square", "keypoints": ["a", "b"]}, {"id": 2, "name": "person"}], [
        {"id": 1, "image_id": 1, "category_id": 1, "keypoints": [10, 10, 2, 30, 30, 2], "num_keypoints": 2},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [5, 5, 20, 20], "keypoints": [10, 10, 2]},
        {"id": 3, "image_id": 2, "category_id": 1, "bbox": [0, 0, 0, 0], "keypoints": [10, 10, 2]},
        {"id": 4, "image_id": 3, "category_id": 2, "bbox": [1, 2, 3, 4]},
    ])
    report = project.import_file(root)
    assert (report.imported, report.rejected) == (3, 1)
    warned = " | ".join(report.warnings)
    assert "keypoints without a bbox" in warned and "keypoints with an empty bbox" in warned
    assert "category 'person' is not one of the project's labels" in warned
    labels = _labels(project)
    assert [b.to_json() for b in labels["one.png"].boxes] == [
        {"x0": 5.0, "y0": 5.0, "x1": 25.0, "y1": 25.0, "label": "square"}]
    assert labels["two.png"].boxes == () and labels["three.png"].boxes == ()


def test_coco_file_without_categories(project, tmp_path):
    root = _coco(tmp_path, None, [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40]}])
    report = project.import_file(root / "instances.json")
    assert (report.total, report.imported, report.rejected) == (4, 2, 2)
    assert any("no 'categories' list" in r.reason for r in report.rejections)


def test_voc_reads_boxes_and_unlabeled_images(project, tmp_path):
    root = tmp_path / "voc"
    (root / "annotations").mkdir(parents=True)
    (root / "images").mkdir()
    _png(root / "images" / "a.png", (100, 80))
    _png(root / "images" / "b.png", (100, 80))
    _png(root / "images" / "c.png", (100, 80))
    obj = "<object><name>{}</name><bndbox><xmin>5</xmin><ymin>6</ymin><xmax>50</xmax><ymax>{}</ymax></bndbox></object>"
    (root / "annotations" / "a.xml").write_text(
        f"<annotation><filename>a.png</filename>{obj.format('circle', 60)}</annotation>")
    (root / "annotations" / "b.xml").write_text(
        f"<annotation><filename>b.png</filename>{obj.format('raccoon', 60)}</annotation>")
    (root / "annotations" / "broken.xml").write_text("<annotation><filename>")
    report = project.import_file(root)
    assert (report.total, report.imported, report.rejected) == (4, 2, 2)
    reasons = " | ".join(r.reason for r in report.rejections)
    assert "unknown label 'raccoon'" in reasons and "not valid XML" in reasons
    labels = _labels(project)
    assert [b.to_json() for b in labels["a.png"].boxes] == [{"x0": 5.0, "y0": 6.0, "x1": 50.0, "y1": 60.0, "label": "circle"}]
    assert project.store.counts()["items"] == 2  # a.png labeled, c.png unlabeled


def test_exif_rotated_image_is_stored_upright(project, tmp_path):
    folder = tmp_path / "rot"
    folder.mkdir()
    write_jpeg(folder / "r.jpg", (40, 20), orientation=6)
    report = project.import_file(folder)
    assert report.imported == 1
    item = next(iter(project.store.get_items([i.id for page in project.store.iter_pool() for i in page]).values()))
    assert (item.meta["width"], item.meta["height"]) == (20, 40)
    with Image.open(project.dir / item.content) as img:
        assert img.size == (20, 40)


@pytest.mark.parametrize("fmt", ["yolo", "coco", "voc"])
def test_export_then_import_gives_the_same_boxes(project, tmp_path, fmt):
    sample = make_sample(tmp_path / "sample", 6, seed=4, size=96)
    assert project.import_file(sample).imported == 6
    before = {item_id: value for item_id, value, _ in project.labels_in_force()}
    out = tmp_path / f"out_{fmt}"
    assert export_project(project, out, fmt=fmt) == 6
    cfg = parse_config({"task": "detection", "labels": LABELS})
    with Project.init(tmp_path / f"again_{fmt}", cfg) as again:
        report = again.import_file(out)
        assert (report.imported, report.rejected) == (6, 0)
        after = {item_id: value for item_id, value, _ in again.labels_in_force()}
    assert set(after) == set(before)  # same image bytes -> same content-hash ids
    for item_id, value in before.items():
        got = [(b.label, round(b.x0, 2), round(b.y0, 2), round(b.x1, 2), round(b.y1, 2)) for b in after[item_id].boxes]
        want = [(b.label, round(b.x0, 2), round(b.y0, 2), round(b.x1, 2), round(b.y1, 2)) for b in value.boxes]
        assert got == want


def test_value_round_trips_through_json():
    value = get_task("detection").payload({"boxes": [{"x0": 1, "y0": 2, "x1": 3, "y1": 4, "label": "square"}]})
    assert isinstance(value, Boxes) and value.boxes[0].x1 == 3.0


def test_hard_sample_images_share_a_folder_and_keep_their_shapes_small(tmp_path):
    """The benchmark's hard images: small sides, several a picture, beside plain ones in one folder."""
    folder = make_sample(tmp_path / "mixed", 4, seed=500, size=128, max_shapes=6, sides=(8, 16), contrast=(30, 60))
    make_sample(folder, 3, seed=0, size=128)
    assert len(list((folder / "images").glob("*.png"))) == 7
    sides = [float(w) * 128 for path in (folder / "labels").glob("shapes_500_*.txt")
             for w in (line.split()[3] for line in path.read_text().splitlines())]
    assert sides and all(8 - 0.01 <= s <= 16 + 0.01 for s in sides)
