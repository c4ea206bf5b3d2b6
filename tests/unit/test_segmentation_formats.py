"""Segmentation import and export: COCO polygons and RLE in (RLE decoded here, outlined with OpenCV),
COCO out (pycocotools reads it back), the YOLO-seg package (Ultralytics' own loader reads it);
a bad image is one rejection that names it, and the rest goes on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from activelabel.config import parse_config
from activelabel.exporting import export_project
from activelabel.formats.coco_segmentation import rle_mask
from activelabel.formats.yolo_seg import seg_data_yaml, seg_lines
from activelabel.importing import import_path
from activelabel.labels import resolve_labels
from activelabel.packaging import package_project
from activelabel.quality.mask_agreement import rasterize
from activelabel.samples.segmentation import LABELS, make_sample, truth
from activelabel.types import Masks
from activelabel.workspace import Workspace
from tests.detection_helpers import TINY_PARAMS  # noqa: F401  (sets YOLO_CONFIG_DIR before Ultralytics loads)


def _workspace(root: Path) -> Workspace:
    return Workspace.init(root, parse_config({"task": "segmentation", "labels": LABELS}))


def _stored(ws: Workspace) -> dict[str, dict[str, Any]]:
    """file name -> the value in force."""
    final = resolve_labels(ws)
    items = ws.store.get_items(list(final))
    return {str(items[iid].meta["file"]): f.value for iid, f in final.items()}


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def _coco_mask(polygons: list[list[float]], height: int, width: int) -> np.ndarray:
    """The polygons as pycocotools rasterises them."""
    from pycocotools import mask as mask_utils

    return mask_utils.decode(mask_utils.merge(mask_utils.frPyObjects(polygons, height, width))).astype(bool)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory):
    """8 synthetic 96 px images imported with their COCO polygons as people's answers."""
    tmp = tmp_path_factory.mktemp("seg")
    sample = make_sample(tmp / "sample", 8, seed=3, size=96)
    ws = _workspace(tmp / "proj")
    report = import_path(ws, sample)
    assert (report.imported, report.rejected) == (8, 0), report.rejections
    yield ws, sample
    ws.close()


def test_the_shapes_sample_imports_as_its_truth(shapes) -> None:
    ws, sample = shapes
    known, stored = truth(sample), _stored(ws)
    assert stored.keys() == known.keys()
    for name, want in known.items():
        got = stored[name]["objects"]
        assert [(o["label"], o["polygons"]) for o in got] == [(o["label"], o["polygons"]) for o in want["objects"]]
        for g, w in zip(got, want["objects"], strict=True):  # the box is the polygons' own
            assert [g[k] for k in ("x0", "y0", "x1", "y1")] == pytest.approx([w[k] for k in ("x0", "y0", "x1", "y1")])


def test_coco_export_is_read_by_pycocotools_and_each_mask_is_the_truth(shapes, tmp_path) -> None:
    from pycocotools.coco import COCO

    ws, sample = shapes
    out = tmp_path / "coco"
    assert export_project(ws, out, fmt="coco") == 8
    coco = COCO(str(out / "annotations.json"))
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == LABELS
    known = truth(sample)
    n_objects = 0
    for img in coco.loadImgs(coco.getImgIds()):
        assert (out / "images" / img["file_name"]).is_file()
        anns = coco.loadAnns(coco.getAnnIds(imgIds=[img["id"]]))
        want = known[img["file_name"]]["objects"]
        assert [coco.loadCats(a["category_id"])[0]["name"] for a in anns] == [o["label"] for o in want]
        for a, o in zip(anns, want, strict=True):
            assert a["iscrowd"] == 0 and a["area"] > 0
            assert a["bbox"] == pytest.approx([o["x0"], o["y0"], o["x1"] - o["x0"], o["y1"] - o["y0"]], abs=1e-3)
            assert _iou(coco.annToMask(a).astype(bool), _coco_mask(o["polygons"], img["height"], img["width"])) > 0.95
            n_objects += 1
    assert n_objects == sum(len(v["objects"]) for v in known.values())


def _blobs(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """A disc, and two squares that are one object in two pieces."""
    disc = Image.new("1", (width, height), 0)
    ImageDraw.Draw(disc).ellipse((8, 6, 34, 32), fill=1)
    pieces = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(pieces)
    draw.rectangle((44, 8, 66, 28), fill=1)
    draw.rectangle((46, 40, 72, 58), fill=1)
    return np.asarray(disc, dtype=bool), np.asarray(pieces, dtype=bool)


def _uncompressed(mask: np.ndarray) -> dict[str, Any]:
    """COCO's uncompressed RLE: run lengths down the columns, starting with a run of zeros."""
    flat = mask.T.reshape(-1).astype(np.int8)
    edges = np.flatnonzero(np.diff(flat)) + 1
    runs = np.diff(np.concatenate([[0], edges, [flat.size]])).tolist()
    return {"counts": ([0] + runs) if flat[0] else runs, "size": list(mask.shape)}


def test_compressed_and_uncompressed_rle_import_as_polygons_of_the_same_mask(tmp_path) -> None:
    from pycocotools import mask as mask_utils

    width, height = 80, 64
    disc, pieces = _blobs(width, height)
    compressed = mask_utils.encode(np.asfortranarray(disc.astype(np.uint8)))
    compressed["counts"] = compressed["counts"].decode("ascii")
    uncompressed = _uncompressed(pieces)
    # pycocotools reads the hand-made uncompressed RLE as the same mask
    assert (mask_utils.decode(mask_utils.frPyObjects(uncompressed, height, width)).astype(bool) == pieces).all()
    (tmp_path / "images").mkdir()
    Image.new("RGB", (width, height), (90, 120, 30)).save(tmp_path / "images" / "blobs.png")
    coco = {"images": [{"id": 1, "file_name": "blobs.png", "width": width, "height": height}],
            "categories": [{"id": 1, "name": "disc"}, {"id": 2, "name": "square"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": compressed, "iscrowd": 0},
                            {"id": 2, "image_id": 1, "category_id": 2, "segmentation": uncompressed, "iscrowd": 0}]}
    (tmp_path / "annotations.json").write_text(json.dumps(coco), encoding="utf-8")
    ws = _workspace(tmp_path / "proj")
    with ws:
        report = import_path(ws, tmp_path)
        assert (report.imported, report.rejected) == (1, 0), report.rejections
        (value,) = _stored(ws).values()
    first, second = Masks.from_json(value).objects
    assert (first.box.label, len(first.polygons)) == ("disc", 1)
    assert (second.box.label, len(second.polygons)) == ("square", 2)
    for obj, mask in ((first, disc), (second, pieces)):
        assert _iou(rasterize(obj.polygons, 0, 0, width, height), mask) > 0.9


def test_the_rle_decoder_agrees_with_pycocotools() -> None:
    from pycocotools import mask as mask_utils

    rng = np.random.default_rng(0)
    for shape in [(1, 1), (7, 3), (40, 50), (300, 200)]:
        for share in (0.0, 0.05, 0.5, 1.0):
            mask = rng.random(shape) < share
            rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
            got = rle_mask({"counts": rle["counts"].decode("ascii"), "size": list(shape)}, *shape)
            assert (got == mask).all() and (rle_mask(_uncompressed(mask), *shape) == mask).all()
    with pytest.raises(ValueError, match="add up to 11 pixels; the 3x4 image has 12"):
        rle_mask({"counts": [5, 6], "size": [4, 3]}, 4, 3)
    with pytest.raises(ValueError, match=r"not the image's \[height, width\] \[4, 3\]"):
        rle_mask({"counts": [12], "size": [3, 4]}, 4, 3)
    with pytest.raises(ValueError, match="'~' at position 1"):
        rle_mask({"counts": "0~", "size": [4, 3]}, 4, 3)


def test_a_bad_image_is_one_rejection_naming_it_and_the_rest_imports(tmp_path) -> None:
    sample = make_sample(tmp_path / "s", 5, seed=1, size=64)
    data = json.loads((sample / "annotations.json").read_text(encoding="utf-8"))
    names = {im["id"]: im["file_name"] for im in data["images"]}
    firsts = {iid: next(a for a in data["annotations"] if a["image_id"] == iid) for iid in (1, 2, 3, 4)}
    data["categories"].append({"id": 9, "name": "hexagon"})
    firsts[1]["category_id"] = 9  # not a project label
    firsts[2]["segmentation"][0][0] = 99.0  # a point outside the 64 px image
    firsts[3]["segmentation"] = [[5.0, 5.0, 20.0, 20.0]]  # two points
    crowd = {**firsts[4], "id": 999, "iscrowd": 1}  # skipped with a warning; image 4 imports its own objects
    data["annotations"].append(crowd)
    (sample / "annotations.json").write_text(json.dumps(data), encoding="utf-8")
    ws = _workspace(tmp_path / "p")
    with ws:
        report = import_path(ws, sample)
        stored = _stored(ws)
    assert sorted(stored) == sorted([names[4], names[5]])
    assert len(stored[names[4]]["objects"]) == sum(a["image_id"] == 4 and not a["iscrowd"] for a in data["annotations"])
    assert (report.imported, report.rejected) == (2, 3)
    reasons = [r.reason for r in report.rejections]
    assert names[1] in reasons[0] and "category 'hexagon' is not one of the project's labels" in reasons[0]
    label2, label3 = (LABELS[firsts[i]["category_id"] - 1] for i in (2, 3))
    assert names[2] in reasons[1] and f"object 1 ({label2}) polygon 1 [99," in reasons[1]
    assert "outside the 64x64 image" in reasons[1]
    assert names[3] in reasons[2] and f"object 1 ({label3}) polygon 1" in reasons[2]
    assert "needs at least 3 points" in reasons[2]
    assert any("iscrowd" in w for w in report.warnings)


def test_seg_lines_are_normalised_one_per_polygon_and_data_yaml_names_the_labels(tmp_path) -> None:
    import yaml

    value = Masks.from_json({"objects": [
        {"label": "square", "polygons": [[0, 0, 32, 0, 32, 16], [40, 20, 64, 20, 64, 32, 40, 32]]},
        {"label": "disc", "polygons": [[8, 8, 16, 8, 12, 24]]}]})
    lines = seg_lines(value.objects, LABELS, 64, 32)
    assert lines == ["2 0.000000 0.000000 0.500000 0.000000 0.500000 0.500000",
                     "2 0.625000 0.625000 1.000000 0.625000 1.000000 1.000000 0.625000 1.000000",
                     "0 0.125000 0.250000 0.250000 0.250000 0.187500 0.750000"]
    path = seg_data_yaml(tmp_path, LABELS, {"train": "images/train", "val": "val.txt"}, absolute=True)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "path": str(tmp_path.resolve()), "train": "images/train", "val": "val.txt", "nc": 3,
        "names": dict(enumerate(LABELS))}
    relative = yaml.safe_load(seg_data_yaml(tmp_path, LABELS, {"train": "a", "val": "b"}).read_text(encoding="utf-8"))
    assert "path" not in relative


def test_the_package_is_a_yolo_seg_folder_ultralytics_reads(shapes, tmp_path) -> None:
    from ultralytics.data.dataset import YOLODataset
    from ultralytics.data.utils import check_det_dataset

    ws, sample = shapes
    out = tmp_path / "pkg"
    manifest = package_project(ws, out, include_auto=False)
    assert sum(manifest["splits"].values()) == 8
    data = check_det_dataset(str(out / "data.yaml"), autodownload=False)
    assert data["names"] == dict(enumerate(LABELS)) and Path(data["train"]) == out / "images" / "train"
    known = truth(sample)
    seen = 0
    for split in ("train", "validation", "test"):
        files = sorted((out / "images" / split).iterdir())
        if not files:
            continue
        dataset = YOLODataset(img_path=str(out / "images" / split), data=data, task="segment", imgsz=96,
                              augment=False, batch_size=2)
        assert len(dataset.labels) == len(files)
        for label in dataset.labels:
            want = known[Path(label["im_file"]).name]["objects"]
            assert label["cls"].reshape(-1).tolist() == [LABELS.index(o["label"]) for o in want]
            for seg, o in zip(label["segments"], want, strict=True):  # normalised, as Ultralytics keeps them
                assert seg * 96 == pytest.approx(np.asarray(o["polygons"][0]).reshape(-1, 2), abs=1e-3)
            seen += 1
    assert seen == 8


def test_label_studio_polygons_read_back_and_a_bad_task_is_named(tmp_path: Path) -> None:
    """``export --format labelstudio`` reads back as the same objects; a task with a 2-point polygon or
    two labels on one region is one rejection naming the task, the others import."""
    import json

    from activelabel.config import parse_config
    from activelabel.exporting import export_project
    from activelabel.importing import import_path
    from activelabel.samples.segmentation import LABELS, make_sample
    from activelabel.workspace import Workspace

    with Workspace.init(tmp_path / "p", parse_config({"task": "segmentation", "labels": LABELS})) as ws:
        assert import_path(ws, make_sample(tmp_path / "sample", 4, seed=2, size=64)).imported == 4
        before = sorted(ws.spec.canonical(r.value) for r in ws.store.current_labels())
        assert export_project(ws, tmp_path / "ls", fmt="labelstudio") == 4
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text("utf-8"))
    tasks[1]["annotations"][0]["result"][0]["value"]["points"] = [[1, 1], [5, 5]]
    tasks[2]["annotations"][0]["result"][0]["value"]["polygonlabels"] = ["disc", "square"]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "tasks.json").write_text(json.dumps(tasks), "utf-8")
    (tmp_path / "bad" / "images").symlink_to(tmp_path / "ls" / "images")
    with Workspace.init(tmp_path / "again", parse_config({"task": "segmentation", "labels": LABELS})) as again:
        report = import_path(again, tmp_path / "ls")
        assert (report.imported, report.rejected) == (4, 0)
        assert sorted(again.spec.canonical(r.value) for r in again.store.current_labels()) == before
    with Workspace.init(tmp_path / "third", parse_config({"task": "segmentation", "labels": LABELS})) as third:
        report = import_path(third, tmp_path / "bad")
        assert (report.imported, report.rejected) == (2, 2)
        reasons = sorted(str(r) for r in report.rejections)
        assert "task" in reasons[0] and "needs at least 3 points" in " ".join(reasons)
        assert "has labels ['disc', 'square']" in " ".join(reasons)
