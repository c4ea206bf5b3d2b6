"""Image classification: the reader (folders, CSV, images), bad input per file, the adapter's settings, the loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from activelabel.errors import ActiveLabelError, ConfigError
from activelabel.formats.base import ImportRecord, Rejection
from activelabel.formats.image_classification import detect_format, read_image_classification
from activelabel.samples.image_classification import LABELS, label_of, labeled_images, make_sample
from activelabel.types import ClassLabel

DIGITS = labeled_images(12, seed=3)


def _read(path: Path, tmp: Path, fmt: str = "auto", labels: list[str] = LABELS) -> list[ImportRecord | Rejection]:
    return list(read_image_classification(path, fmt, labels=labels, project_dir=tmp / "project"))


def _put(folder: Path, index: int) -> Path:
    name, data, _label = DIGITS[index]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def test_the_sample_writes_real_digits_in_class_folders_or_flat(tmp_path: Path) -> None:
    labeled = make_sample(tmp_path / "a", 30, seed=1, with_labels=True)
    files = sorted(labeled.rglob("*.png"))
    assert len(files) == 30 and all(label_of(f.name) == f.parent.name for f in files)
    flat = make_sample(tmp_path / "b", 30, seed=1)
    assert sorted(p.name for p in flat.iterdir()) == sorted(f.name for f in files)
    from PIL import Image

    with Image.open(files[0]) as img:
        assert img.size == (32, 32)


def test_class_folders_give_labels_and_copy_the_images_into_media(tmp_path: Path) -> None:
    root = tmp_path / "data"
    for i in range(4):
        _put(root / DIGITS[i][2], i)
    _put(root / DIGITS[4][2] / "nested", 4)  # deeper: the first folder still names the label
    _put(root, 5)  # directly under the root: unlabeled
    assert detect_format(root) == "folders"
    recs = _read(root, tmp_path)
    assert all(isinstance(r, ImportRecord) for r in recs)
    by_name = {r.meta["file"]: r for r in recs if isinstance(r, ImportRecord)}
    for i in range(5):
        assert by_name[DIGITS[i][0]].value == ClassLabel(DIGITS[i][2])
    assert by_name[DIGITS[5][0]].value is None
    first = by_name[DIGITS[0][0]]
    assert first.media == "image" and (tmp_path / "project" / first.content).is_file()
    assert (first.meta["width"], first.meta["height"]) == (32, 32)


def test_unknown_folder_and_corrupt_image_are_rejected_by_file_and_the_rest_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "data"
    good = _put(root / DIGITS[0][2], 0)
    stray = _put(root / "cat", 1)
    broken = _put(root / DIGITS[2][2], 2).with_name("broken.png")
    broken.write_bytes(DIGITS[2][1][:40])  # a PNG cut short
    text = root / DIGITS[2][2] / "notes.png"
    text.write_text("not an image at all", encoding="utf-8")
    recs = _read(root, tmp_path)
    rejected = {r.source: r.reason for r in recs if isinstance(r, Rejection)}
    assert sorted(r.source for r in recs if isinstance(r, ImportRecord)) == sorted([str(good), str(root / DIGITS[2][2] / DIGITS[2][0])])
    assert "unknown label 'cat'" in rejected[str(stray)]
    assert "truncated or corrupt" in rejected[str(broken)]
    assert "a text file, not an image" in rejected[str(text)]


def test_csv_paths_are_relative_to_the_csv_and_bad_rows_name_their_line(tmp_path: Path) -> None:
    folder = tmp_path / "imgs"
    for i in range(3):
        _put(folder, i)
    sheet = tmp_path / "labels.csv"
    sheet.write_text("path,label,source\n"
                     f"imgs/{DIGITS[0][0]},{DIGITS[0][2]},human\n"
                     f"imgs/{DIGITS[1][0]},,\n"
                     "imgs/missing.png,three,human\n"
                     f"imgs/{DIGITS[2][0]},cat,human\n"
                     f"{(folder / DIGITS[2][0]).resolve()},{DIGITS[2][2]},auto\n"
                     ",four,human\n", encoding="utf-8")
    recs = _read(sheet, tmp_path)
    assert len(recs) == 6
    ok = [r for r in recs if isinstance(r, ImportRecord)]
    assert [(r.line, r.value, r.prediction) for r in ok] == [
        (2, ClassLabel(DIGITS[0][2]), None), (3, None, None),
        (6, None, ClassLabel(DIGITS[2][2]))]  # an auto label comes back as a prediction, not an answer
    bad = {r.line: r.reason for r in recs if isinstance(r, Rejection)}
    assert bad[4].startswith("cannot read the file") and "unknown label 'cat'" in bad[5]
    assert bad[7] == "empty image path"
    assert all(r.source == str(sheet) for r in recs if isinstance(r, Rejection))


def test_a_package_layout_reads_splits_as_answers_and_auto_as_predictions(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    _put(root / "train" / DIGITS[0][2], 0)
    _put(root / "val" / DIGITS[1][2], 1)
    _put(root / "auto" / DIGITS[2][2], 2)
    (root / "test" / "five").mkdir(parents=True)  # an empty class folder
    _put(root, 3)  # beside the splits: unlabeled, not skipped
    recs = [r for r in _read(root, tmp_path) if isinstance(r, ImportRecord)]
    got = {r.meta["file"]: (r.value, r.prediction) for r in recs}
    assert got == {DIGITS[0][0]: (ClassLabel(DIGITS[0][2]), None), DIGITS[1][0]: (ClassLabel(DIGITS[1][2]), None),
                   DIGITS[2][0]: (None, ClassLabel(DIGITS[2][2])), DIGITS[3][0]: (None, None)}


def test_a_flat_folder_or_one_file_is_unlabeled_images(tmp_path: Path) -> None:
    flat = tmp_path / "flat"
    one = _put(flat, 0)
    _put(flat, 1)
    assert detect_format(flat) == "images" and detect_format(one) == "images"
    assert [r.value for r in _read(flat, tmp_path) if isinstance(r, ImportRecord)] == [None, None]
    assert len(_read(one, tmp_path)) == 1
    (tmp_path / "x.txt").write_text("a", encoding="utf-8")
    with pytest.raises(ActiveLabelError, match="cannot tell the format"):
        detect_format(tmp_path / "x.txt")


def test_the_package_refuses_a_label_that_cannot_be_a_folder() -> None:
    from activelabel.formats.media_names import label_folder

    assert label_folder("tabby cat") == "tabby cat"
    for bad in ("a/b", "..", "", " x"):
        with pytest.raises(ActiveLabelError, match="cannot be a folder name"):
            label_folder(bad)


def test_the_adapter_takes_classifier_models_only() -> None:
    from activelabel.models.yolo_cls import YoloClassifier

    assert YoloClassifier(["a", "b"]).model == "yolov8n-cls.yaml" and not YoloClassifier(["a", "b"]).ready
    assert YoloClassifier(["a", "b"], "yolo11n-cls.pt").ready  # pretrained weights are ready (loaded when used)
    for wrong in ("yolov8n.yaml", "resnet18"):
        with pytest.raises(ConfigError):
            YoloClassifier(["a", "b"], wrong)


def test_a_pretrained_models_classes_map_onto_project_labels() -> None:
    from activelabel.models.yolo_cls import YoloClassifier

    model = YoloClassifier(["cat", "dog"], "yolo11n-cls.pt", label_map={"tabby": "cat", "tiger cat": "cat"})
    names = {0: "tabby", 1: "tiger cat", 2: "dog", 3: "goldfish"}
    assert model._columns(names) == {0: 0, 1: 0, 2: 1}  # goldfish has no project label: dropped
    with pytest.raises(ConfigError, match="label_map"):
        model._columns({0: "goldfish"})


def test_the_simulation_loader_holds_out_a_stratified_share_and_answers_by_content(tmp_path: Path) -> None:
    from activelabel.formats.base import content_id
    from activelabel.simulation.tasks import load_dataset
    from activelabel.types import Item

    source = make_sample(tmp_path / "s", 60, seed=2, with_labels=True)
    data = load_dataset("image_classification", str(source), seed=0)
    assert data.n_pool + data.n_eval == 60 and 14 <= data.n_eval <= 22
    assert data.labels == sorted({label_of(p.name) for p in source.rglob("*.png")})
    assert data.model["name"] == "yolov8n-cls.yaml" and data.model["params"]["imgsz"] == 32
    spec = data.write_pool(tmp_path / "out", with_answers=True)
    files = sorted(spec.path.rglob("*.png"))
    assert len(files) == data.n_pool and spec.options == {"fmt": "folders"}
    item = Item(content_id("image", files[0].read_bytes()), "image", "media/x.png")
    assert data.answer(item) == ClassLabel(files[0].parent.name)
    with pytest.raises(ActiveLabelError, match="no such data set"):
        load_dataset("image_classification", str(tmp_path / "nothing"), seed=0)
