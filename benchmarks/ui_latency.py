"""Label page latency: from an answer to the next item rendered, with a large project database.

Server side: the Streamlit script run that stores the answer and draws the next item, measured with
Streamlit's AppTest (the same script the server runs, without the network), split into the submit
transaction and the claim that tops up the prefetch buffer. In the browser: from the key press in
headless Chromium to the next item's id on screen, over a real Streamlit server, for classification
(the large project; key "1"/"2") and for NER and detection (small seeded projects; Alt+A accepts the
proposal, as a person confirming it would).

    .venv/bin/python benchmarks/ui_latency.py --items 100000 --runs 200 --browser-runs 30

Prints p50 / p95 / max in milliseconds, and the machine's load average before and after (the figures
of a busy machine are upper bounds). Target: p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = ("win prize free cash claim urgent offer reward lunch meeting home tonight thanks later dinner work "
         "see you call now txt mum").split()


def build(directory: Path, n_items: int, seed: int = 0) -> str:
    """A classification project with ``n_items`` short texts, 60 answers, one trained version."""
    from activelabel.auth import add_user, generate_password
    from activelabel.config import parse_config
    from activelabel.project import Project
    from activelabel.store.repository import NewItem
    from activelabel.types import ClassLabel, Item

    rng = np.random.default_rng(seed)
    cfg = parse_config({"name": "bench", "task": "classification", "labels": ["ham", "spam"],
                        "loop": {"human_budget_per_round": 5000, "retrain_every": 0}})
    t0 = time.perf_counter()
    with Project.init(directory, cfg) as project:
        spam = set(WORDS[:8])
        batch: list[NewItem] = []
        for i in range(n_items):
            words = rng.choice(WORDS, size=5)
            text = f"{' '.join(words)} #{i}"
            item_id = hashlib.sha1(text.encode()).hexdigest()[:24]
            batch.append(NewItem(Item(item_id, "text", text, {"spam": int(len(spam & set(words)) >= 2)})))
            if len(batch) == 20_000:
                project.store.add_items(batch)
                batch = []
        project.store.add_items(batch)
        print(f"inserted {n_items} items in {time.perf_counter() - t0:.1f} s", flush=True)
        project.prelabel()
        items = [it for page in project.store.iter_pool(page_size=200) for it in page][:200:3][:60]
        for it in items:
            label = "spam" if it.meta["spam"] else "ham"
            project.submit(it.id, ClassLabel(label), annotator="seed", trigger_retrain=False)
        t1 = time.perf_counter()
        project.train(wait=True)
        print(f"trained and re-scored {n_items} items in {time.perf_counter() - t1:.1f} s", flush=True)
        password = generate_password()
        add_user(project.store, "bench", password, "annotator")
    return password


def build_small(directory: Path, task: str, n_items: int) -> str:
    """A NER or detection project of ``n_items`` items with a seeded model round (as the UI tests build)."""
    from tests.ui.conftest import new_project, seed_round

    from activelabel.auth import add_user, generate_password
    from activelabel.store.repository import NewItem
    from activelabel.types import Item

    if task == "ner":
        project = new_project(directory, "ner", ["PER", "ORG", "LOC"])
        texts = [f"Ada Lovelace met Charles Babbage in London, note {i}." for i in range(n_items)]
        project.store.add_items([NewItem(Item(f"ner{i:05d}", "text", t)) for i, t in enumerate(texts)])
        preds = [dict(item_id=f"ner{i:05d}", confidence=0.4 + 0.5 * i / n_items, parts=[0.9, 0.4],
                      value={"spans": [{"start": 0, "end": 12, "label": "PER", "confidence": 0.9},
                                       {"start": 17, "end": 32, "label": "PER", "confidence": 0.4}]})
                 for i in range(n_items)]
    else:
        from PIL import Image, ImageDraw

        project = new_project(directory, "detection", ["square", "circle"])
        items = []
        for i in range(n_items):
            img = Image.new("RGB", (320, 240), (200, 200, 200))
            ImageDraw.Draw(img).rectangle((20 + i % 50, 30, 120 + i % 50, 130), fill=(30, 60, 200))
            img.save(project.dir / "media" / f"img{i}.png")
            items.append(Item(f"det{i:05d}", "image", f"media/img{i}.png", {"width": 320, "height": 240}))
        project.store.add_items([NewItem(it) for it in items])
        preds = [dict(item_id=f"det{i:05d}", confidence=0.4 + 0.5 * i / n_items, parts=[0.8],
                      value={"boxes": [{"x0": 20 + i % 50, "y0": 30, "x1": 121 + i % 50, "y1": 131,
                                        "label": "square", "confidence": 0.8}]}) for i in range(n_items)]
    seed_round(project, preds)
    password = generate_password()
    add_user(project.store, "bench", password, "annotator")
    project.close()
    return password


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min) on {os.cpu_count()} cpus"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def report(name: str, ms: list[float]) -> None:
    print(f"{name:<60} n={len(ms):<4} p50={pct(ms, 50):7.1f} ms  p95={pct(ms, 95):7.1f} ms  "
          f"max={max(ms):7.1f} ms", flush=True)


def server_side(directory: Path, runs: int) -> None:
    from streamlit.testing.v1 import AppTest

    from activelabel.auth import Guard, User
    from activelabel.project import Project
    from activelabel.types import ClassLabel
    from activelabel.ui import app as ui_app
    from activelabel.ui.common import USER_KEY

    os.environ["ACTIVELABEL_PROJECT"] = str(directory)
    at = AppTest.from_file(ui_app.__file__, default_timeout=120)
    at.session_state[USER_KEY] = {"name": "bench", "role": "annotator", "project": str(directory.resolve())}
    at.run()
    for _ in range(5):  # warm-up: imports, caches, SQLite pages
        next(b for b in at.button if b.key and b.key.endswith("_lab_0")).click().run()
    total = []
    for _ in range(runs):
        button = next(b for b in at.button if b.key and b.key.endswith("_lab_1"))
        t = time.perf_counter()
        button.click().run()
        total.append((time.perf_counter() - t) * 1000)
        if at.exception:
            raise RuntimeError(at.exception)
    report("answer -> next item drawn (whole script run)", total)

    with Project.open(directory) as project:  # the two database steps alone
        g = Guard(project, User("bench2", "annotator"))
        submit, claim = [], []
        for i in range(runs):
            t = time.perf_counter()
            got = g.claim(2)
            claim.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            g.submit(got[0].entry.item.id, ClassLabel("ham"), submission_id=f"bench-{i}-{time.time()}")
            submit.append((time.perf_counter() - t) * 1000)
        report("  of which: submit (one transaction)", submit)
        report("  of which: claim 2 (lease + prefetch)", claim)
        print(f"items in the database: {project.store.item_count()}", flush=True)


def in_browser(directory: Path, password: str, runs: int, task: str = "classification") -> None:
    from tests.ui.browser import chromium, settle, shown_item, sign_in, streamlit_server, wait_next_item

    with tempfile.TemporaryDirectory() as tmp, \
            streamlit_server("ACTIVELABEL_PROJECT", directory, Path(tmp) / "server.log") as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(page, url, "bench", password)
        current = shown_item(page)
        ms = []
        full = []
        for i in range(runs + 3):
            t = time.perf_counter()
            page.keyboard.press(("1" if i % 2 else "2") if task == "classification" else "Alt+KeyA")
            current = wait_next_item(page, current, then_settle=False)
            shown = time.perf_counter()
            settle(page)  # the run goes on: it tops up the prefetch buffer after drawing
            if i >= 3:
                ms.append((shown - t) * 1000)
                full.append((time.perf_counter() - t) * 1000)
        report(f"browser, {task}: key press -> next item on screen", ms)
        report(f"browser, {task}: key press -> run finished (prefetch)", full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="items in the database (default 100000)")
    parser.add_argument("--runs", type=int, default=200, help="answers timed server side (default 200)")
    parser.add_argument("--browser-runs", type=int, default=30, help="answers timed in Chromium (0: skip)")
    parser.add_argument("--browser-only", action="store_true", help="skip the server-side runs")
    parser.add_argument("--tasks", default="classification,ner,detection",
                        help="task kinds timed in Chromium (default classification,ner,detection)")
    parser.add_argument("--dir", type=Path, default=None, help="reuse/keep the project here (default: temp)")
    args = parser.parse_args()
    print(f"before: {load()}", flush=True)
    tasks = [t for t in args.tasks.split(",") if t]
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.dir or Path(tmp) / "bench"
        password_file = directory / ".bench-password"
        if password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = build(directory, args.items)
            password_file.write_text(password)
            password_file.chmod(0o600)
        if not args.browser_only:
            server_side(directory, args.runs)
        if args.browser_runs and "classification" in tasks:
            in_browser(directory, password, args.browser_runs)
        for task in ("ner", "detection"):
            if args.browser_runs and task in tasks:
                small = Path(tmp) / task
                in_browser(small, build_small(small, task, args.browser_runs + 10), args.browser_runs, task)
    print(f"after: {load()}", flush=True)


if __name__ == "__main__":
    main()
