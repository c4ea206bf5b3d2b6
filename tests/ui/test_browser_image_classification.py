"""Image classification in a real headless Chromium, then on to the package: import -> prelabel -> queue ->
answer in the browser (number keys and a click) -> train -> export --package -> Ultralytics trains on it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import tests.detection_helpers  # noqa: F401  (YOLO_CONFIG_DIR in a temporary folder)
from activelabel.project import Project
from activelabel.samples.image_classification import label_of, labeled_images
from tests.image_classification_helpers import TINY_CLS_PARAMS
from tests.ui.browser import CHROMIUM, chromium, settle, shown_item, sign_in, streamlit_server, wait_next_item
from tests.ui.conftest import USERS, new_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LABELS = ["zero", "one", "two"]


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/install-system-deps.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


def digits_project(directory: Path, per_class: int = 6) -> Project:
    """A cold-started project of real digit images 0, 1 and 2, imported from a flat folder."""
    folder = directory.parent / f"{directory.name}-images"
    folder.mkdir(parents=True, exist_ok=True)
    taken = dict.fromkeys(LABELS, 0)
    for name, data, label in labeled_images(None):
        if label in taken and taken[label] < per_class:
            taken[label] += 1
            (folder / name).write_bytes(data)
    project = new_project(directory, "image_classification", LABELS)
    cfg = project.config.model_copy(deep=True)
    cfg.model.params = {**TINY_CLS_PARAMS, "epochs": 3, "train_args": {"fliplr": 0.0}}
    project.save_config(cfg)
    assert project.import_file(folder).imported == 3 * per_class
    project.prelabel()
    return project


def _truth_of(project: Project, prefix: str) -> str:
    """The true digit of the item on screen (from its file name)."""
    (item,) = [it for page in project.store.iter_pool(exclude_human_labeled=False) for it in page
               if it.id.startswith(prefix)]
    return label_of(str(item.meta["file"]))


def _human_answers(project: Project) -> list[dict[str, Any]]:
    return [a for a in project.store.all_annotations() if a["status"] != "auto" and a["revoked_at"] is None]


def test_label_images_in_chromium_then_train_and_package(tmp_path: Path) -> None:
    from activelabel.packaging import package_project
    from tests.integration.test_image_classification import train_one_epoch_on_package

    project = digits_project(tmp_path / "imgcls")
    try:
        with streamlit_server("ACTIVELABEL_PROJECT", project.dir, tmp_path / "server.log") as url, \
                chromium() as browser:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            sign_in(page, url, "alice", USERS["alice"][1])
            image = page.locator('[data-testid="stImage"] img').first
            image.wait_for(timeout=30_000)
            box = image.bounding_box()
            assert box is not None and box["width"] >= 200  # the 32 px digit, enlarged to be seen
            assert all(page.get_by_role("button", name=f"{i + 1} · {lab}").count() == 1 for i, lab in enumerate(LABELS))
            settle(page)
            page.screenshot(path=str(tmp_path / "image-classification-label.png"), full_page=True)
            seen = [shown_item(page)]
            for _ in range(11):  # the number key of the true digit
                page.keyboard.press(str(LABELS.index(_truth_of(project, seen[-1])) + 1))
                seen.append(wait_next_item(page, seen[-1]))
            truth = _truth_of(project, seen[-1])  # and one by mouse
            page.get_by_role("button", name=f"{LABELS.index(truth) + 1} · {truth}").click()
            seen.append(wait_next_item(page, seen[-1]))
        answers = _human_answers(project)
        assert [a["item_id"][:len(p)] for a, p in zip(answers, seen, strict=False)] == seen[:12]
        assert all(a["value"]["label"] == _truth_of(project, a["item_id"]) for a in answers) and len(answers) == 12
        assert {a["annotator"] for a in answers} == {"alice"}

        version = project.train(wait=True)
        assert project.store.current_version() == version
        out = tmp_path / "package"
        manifest = package_project(project, out)
        assert sum(manifest["splits"].values()) == 12
        shipped = sorted(p.name for sp in ("train", "val", "test") for p in (out / sp).rglob("*.png"))
        assert len(shipped) == 12 and all(label_of(n) in LABELS for n in shipped)
        assert all(label_of(p.name) == p.parent.name for p in (out / "train").rglob("*.png"))
        trained = train_one_epoch_on_package(out, tmp_path / "runs")
        assert trained["weights"] and sorted(trained["names"].values()) == sorted(LABELS)  # type: ignore[attr-defined]
    finally:
        project.close()
