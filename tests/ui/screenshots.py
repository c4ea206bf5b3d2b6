"""Screenshots of every page (label, dashboard, review, report, settings) for each task kind that has a
demo sample, in headless Chromium.

    .venv/bin/python -m tests.ui.screenshots --root /tmp/shots --out docs/img
    .venv/bin/python -m tests.ui.screenshots --tasks image_classification --pages label

Builds the demo projects (as ``activelabel demo`` does), answers a few items per project through
the same Guard the UI uses (classification: from the sample's answer key, then two trainings, so
that the dashboard has a learning curve), serves each project, signs in and shoots each page.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def script_answers(directory: Path, task: str) -> None:
    """Give the classification demo some human answers and two trained versions (NER, multi-label,
    ranking, audio and image classification: one), so that every page has something to show."""
    if task == "ner":
        _ner_answers(directory)
    if task in TRUTH:
        _answer_from_truth(directory, task, n=ANSWERS.get(task, 24))
    if task != "classification":
        return
    from activelabel.auth import Guard, User, add_user, generate_password
    from activelabel.project import Project
    from activelabel.samples.classification import answer_key
    from activelabel.types import ClassLabel

    key = answer_key(400)
    with Project.open(directory) as project:
        if project.store.current_version() is not None:
            return
        for name, role in (("alice", "annotator"), ("bob", "annotator"), ("rita", "reviewer")):
            add_user(project.store, name, generate_password(), role)
        cfg = project.config.model_copy(deep=True)  # auto-accept more, so the audit sample has items
        cfg.loop.auto_accept_threshold, cfg.loop.audit_rate = 0.9, 0.2
        project.save_config(cfg)
        for n_round in range(2):
            for name in ("alice", "bob"):
                g = Guard(project, User(name, "annotator"))
                for _ in range(20):
                    (q,) = g.claim(1)
                    g.submit(q.entry.item.id, ClassLabel(key[q.entry.item.content]),
                             submission_id=f"shot-{name}-{q.entry.item.id}", duration_s=3.0)
            _train_once(project)
            print(f"classification: trained version {n_round + 1}", flush=True)
        flip = {"ham": "spam", "spam": "ham"}
        rita = Guard(project, User("rita", "reviewer"))
        for row in project.store.current_labels()[:2]:  # a reviewer disagrees with two answers
            rita.submit(row.item_id, ClassLabel(flip[(row.value or {})["label"]]), submission_id=f"shot-r-{row.item_id}")
        alice = Guard(project, User("alice", "annotator"))
        for q in alice.claim(3):  # three slips after the last training: suspected label errors
            alice.submit(q.entry.item.id, ClassLabel(flip[key[q.entry.item.content]]),
                         submission_id=f"shot-slip-{q.entry.item.id}")


def _train_once(project: Any) -> None:
    """Wait for a retrain that the answers triggered (retrain_every), or train now if none started."""
    from activelabel.training import training_running

    before = len(project.store.list_versions())
    while training_running(project):
        time.sleep(1)
    if len(project.store.list_versions()) == before:
        project.train(wait=True)


def _multilabel_truth() -> Callable[[Any], dict[str, Any]]:
    from activelabel.samples.multilabel import labeled_sample

    truth = dict(labeled_sample(SIZES["multilabel"], seed=0))
    return lambda item: {"labels": truth[item.content]}


def _ranking_truth() -> Callable[[Any], dict[str, Any]]:
    from activelabel.samples.ranking import make_items

    truth = {it.content(): order for it, order in make_items(SIZES["ranking"], seed=0)}
    return lambda item: {"order": list(truth[item.content])}


def _audio_truth() -> Callable[[Any], dict[str, Any]]:
    # FSDD names {digit}_{speaker}_{take}.wav, as imported (the media copy's name starts with its content id)
    return lambda item: {"label": str(item.meta["original"]).split("_")[0]}


def _segments_truth() -> Callable[[Any], dict[str, Any]]:
    from activelabel.samples.audio_segments import answer_key

    truth = answer_key(Path("."), n=SIZES["audio_segments"], seed=0)  # the demo's recordings, by file name
    return lambda item: {"segments": [{"start": s, "end": e, "label": lab}
                                      for s, e, lab in truth[str(item.meta["original"])]]}


def _image_truth() -> Callable[[Any], dict[str, Any]]:
    from activelabel.samples.image_classification import label_of

    return lambda item: {"label": label_of(str(item.meta["file"]))}  # digits named by their class


def _keypoints_truth() -> Callable[[Any], dict[str, Any]]:
    import tempfile

    from activelabel.samples.keypoints import make_sample, truth

    folder = make_sample(Path(tempfile.mkdtemp(prefix="activelabel-kp-truth-")), SIZES["keypoints"], seed=0)
    known = truth(folder)  # the demo's sample again (same seed): its truth by file name
    return lambda item: known[str(item.meta["file"])]


def _segmentation_truth() -> Callable[[Any], dict[str, Any]]:
    import tempfile

    from activelabel.samples.segmentation import make_sample, truth

    folder = make_sample(Path(tempfile.mkdtemp(prefix="activelabel-seg-truth-")), SIZES["segmentation"], seed=0)
    known = truth(folder)  # the demo's sample again (same seed): its truth by file name
    return lambda item: known[str(item.meta["file"])]


def _tracking_truth() -> Callable[[Any], dict[str, Any]]:
    import tempfile

    from activelabel.samples.tracking import make_sample, truth

    folder = make_sample(Path(tempfile.mkdtemp(prefix="activelabel-track-truth-")), SIZES["tracking"], seed=0)
    known = truth(folder)  # the demo's sample again (same seed): its truth by file name
    return lambda item: known[str(item.meta["file"])]


#: the sample's true answer per item, for the kinds whose demo starts from scratch
TRUTH: dict[str, Callable[[], Callable[[Any], dict[str, Any]]]] = {
    "multilabel": _multilabel_truth, "ranking": _ranking_truth, "audio_classification": _audio_truth,
    "image_classification": _image_truth, "audio_segments": _segments_truth,
    "keypoints": _keypoints_truth, "segmentation": _segmentation_truth, "tracking": _tracking_truth}
#: how many items of each kind are answered before the one training (default 24): more where 24 are
#: too few for a proposal worth showing, fewer where the demo has fewer recordings
ANSWERS = {"image_classification": 40, "audio_segments": 8, "tracking": 6}


def _answer_from_truth(directory: Path, task: str, n: int = 24) -> None:
    """Answer ``n`` items from the sample's truth through the Guard, then train one version."""
    from activelabel.auth import Guard, User, add_user, generate_password
    from activelabel.project import Project

    truth = TRUTH[task]()
    with Project.open(directory) as project:
        if any(a["status"] != "auto" for a in project.store.all_annotations()):  # answered already
            return
        add_user(project.store, "alice", generate_password(), "annotator")
        g = Guard(project, User("alice", "annotator"))
        for _ in range(n):
            (q,) = g.claim(1)
            g.submit(q.entry.item.id, project.spec.from_json(truth(q.entry.item)),
                     submission_id=f"shot-{task}-{q.entry.item.id}", duration_s=4.0)
        _train_once(project)
        print(f"{task}: trained one version", flush=True)


def _ner_answers(directory: Path) -> None:
    from activelabel.auth import Guard, User, add_user, generate_password
    from activelabel.project import Project
    from activelabel.samples.ner import labeled_sample
    from activelabel.types import Span, Spans

    truth = dict(labeled_sample(40, seed=0))
    with Project.open(directory) as project:
        if project.store.current_version() is not None:
            return
        add_user(project.store, "alice", generate_password(), "annotator")
        g = Guard(project, User("alice", "annotator"))
        for _ in range(24):
            (q,) = g.claim(1)
            spans = truth[q.entry.item.content]
            g.submit(q.entry.item.id, Spans(tuple(Span(int(s["start"]), int(s["end"]), str(s["label"]))  # type: ignore[call-overload]
                                                  for s in spans)),
                     submission_id=f"shot-ner-{q.entry.item.id}", duration_s=8.0)
        _train_once(project)
        print("ner: trained one version", flush=True)


#: (page, a text its last part draws): each page is shot once that text is on screen
PAGES = (("label", "Answers this session"), ("dashboard", "Retrain"), ("review", "Suspected label errors"),
         ("report", "Labeling cost"), ("settings", "Project folder"))
#: items per demo project: enough for a trained version, small enough to build in minutes on a CPU
SIZES = {"classification": 200, "ner": 40, "detection": 24, "transcription": 8, "audio_classification": 40,
         "multilabel": 60, "ranking": 40, "image_classification": 120, "audio_segments": 12,
         "keypoints": 40, "segmentation": 40, "tracking": 8}


def shoot(directory: Path, task: str, password: str, out: Path, pages: tuple[str, ...] = ()) -> list[Path]:
    from tests.ui.browser import chromium, settle, sign_in, streamlit_server

    shots = []
    with streamlit_server("ACTIVELABEL_PROJECT", directory, directory / "logs" / "screenshots-server.log") as url, \
            chromium() as browser:
        page = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
        sign_in(page, url, "demo", password, hotkeys=False)
        page.wait_for_timeout(1500)  # components (image canvas, charts) draw after the script run
        for name, marker in PAGES:
            if pages and name not in pages:
                continue
            if name != "label":
                page.get_by_role("link", name=name.capitalize()).click()
            page.get_by_text(marker).first.wait_for(timeout=180_000)  # the page's last part is drawn
            settle(page)
            if name == "dashboard" and page.get_by_text("No trained version yet").count() == 0:
                page.locator(".vega-embed").first.wait_for(timeout=120_000)  # charts load their JS late
            page.wait_for_timeout(6000)  # tables, charts and the box canvas draw after the script run
            path = out / f"{task}-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)
            print(f"wrote {path}", flush=True)
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("/tmp/activelabel-shots"))
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--tasks", default=",".join(SIZES), help="comma-separated task kinds (default: all with a sample)")
    parser.add_argument("--pages", default="", help="comma-separated pages to shoot (default: all)")
    args = parser.parse_args()
    from activelabel.demo import build_demo, demo_password

    tasks = tuple(t for t in args.tasks.split(","))
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    for task in tasks:
        made = build_demo(args.root, (task,), n=SIZES.get(task))
        for project in made:
            script_answers(project.directory, task)
    password, _ = demo_password(args.root)
    for task in tasks:
        directory = args.root / task
        if (directory / "activelabel.toml").exists():
            shoot(directory, task, password, args.out, tuple(p for p in args.pages.split(",") if p))
    print(f"done in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
