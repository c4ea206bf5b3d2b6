"""Label page latency: from an answer to the next item rendered, with a large project database.

Classification runs in the browser's fast lane (ui/fastlane.py): the next item is drawn from the
page's own buffer on the key press and the answer is posted in the background. Server side: those
routes (POST /_al/answer, /_al/claim) in-process, and the submit and claim transactions alone. In
the browser (headless Chromium over a real server, the 100k project, keys "1"/"2"), timed inside
the page with performance.now: keydown -> the next item's id in the DOM -> the frame that draws it
-> the answer acknowledged by the server; a key is pressed once the buffer is topped up again (a
person's pace). NER and detection (small seeded projects, 640x480 noisy JPEGs of about 0.2 MB for detection; Alt+A
accepts the proposal) run in the fast lane too and are timed the same way; for detection the
script also counts the frames drawn before their image was decoded.

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
        noise = np.random.default_rng(0)
        for i in range(n_items):  # photo-sized JPEGs with noise, so that each weighs what a photo does (~0.2 MB)
            img = Image.fromarray(noise.integers(90, 230, (480, 640, 3), dtype=np.uint8))
            ImageDraw.Draw(img).rectangle((40 + i % 50, 60, 240 + i % 50, 260), fill=(30, 60, 200))
            img.save(project.dir / "media" / f"img{i}.jpg", quality=90)
            items.append(Item(f"det{i:05d}", "image", f"media/img{i}.jpg", {"width": 640, "height": 480}))
        project.store.add_items([NewItem(it) for it in items])
        preds = [dict(item_id=f"det{i:05d}", confidence=0.4 + 0.5 * i / n_items, parts=[0.8],
                      value={"boxes": [{"x0": 40 + i % 50, "y0": 60, "x1": 241 + i % 50, "y1": 261,
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
    """The fast lane's routes in-process (HTTP over Starlette's TestClient, the server's own code),
    then the two database steps alone."""
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from activelabel.auth import Guard, User
    from activelabel.project import Project
    from activelabel.sessions import SESSION_TTL_S, issue, load_secret
    from activelabel.types import ClassLabel
    from activelabel.ui.common import cookie_name
    from activelabel.ui.fastlane_api import ANSWER_ROUTE, CLAIM_ROUTE, fastlane_routes

    os.environ["ACTIVELABEL_PROJECT"] = str(directory)
    cookie = cookie_name(directory)
    with TestClient(Starlette(routes=fastlane_routes())) as client:
        client.cookies.set(cookie, issue(load_secret(directory), "bench", "session", ttl_s=SESSION_TTL_S))
        origin = {"origin": "http://testserver"}

        def post(route: str, body: dict[str, object]) -> dict[str, object]:
            resp = client.post(route, json={"project": cookie, **body}, headers=origin)
            if resp.status_code != 200:
                raise RuntimeError(f"{route}: HTTP {resp.status_code} {resp.text}")
            return dict(resp.json())

        held: list[dict[str, object]] = []
        answer, claim = [], []
        for i in range(runs + 5):
            t = time.perf_counter()
            got = post(CLAIM_ROUTE, {"have": [it["id"] for it in held], "n": 5 - len(held)})
            dt_claim = (time.perf_counter() - t) * 1000
            held.extend(got["items"])  # type: ignore[arg-type]
            item = held.pop(0)
            t = time.perf_counter()
            post(ANSWER_ROUTE, {"item": item["id"], "sid": item["sid"], "value": {"label": ("ham", "spam")[i % 2]}})
            if i >= 5:  # warm-up: imports, caches, SQLite pages
                answer.append((time.perf_counter() - t) * 1000)
                claim.append(dt_claim)
        report("server: POST /_al/answer (auth + submit; off the key path)", answer)
        report("server: POST /_al/claim (auth + lease to refill 5)", claim)

    with Project.open(directory) as project:  # the two database steps alone
        g = Guard(project, User("bench2", "annotator"))
        submit, claim = [], []
        for i in range(runs):
            t = time.perf_counter()
            got_items = g.claim(2)
            claim.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            g.submit(got_items[0].entry.item.id, ClassLabel("ham"), submission_id=f"bench-{i}-{time.time()}")
            submit.append((time.perf_counter() - t) * 1000)
        report("  database alone: submit (one transaction)", submit)
        report("  database alone: claim 2 (lease + prefetch)", claim)
        print(f"items in the database: {project.store.item_count()}", flush=True)


WATCH_JS = """() => {
  const root = document.querySelector('[data-testid="alFastlane"]');
  const rec = window.__alBench = {key: null, dom: null, paint: null, saved: null, from: root.dataset.item};
  window.addEventListener("keydown", () => { rec.key = performance.now(); }, {capture: true, once: true});
  const obs = new MutationObserver(() => {
    if (rec.dom === null && root.dataset.item !== rec.from) {
      rec.dom = performance.now();  // the next item's id and text are in the DOM
      requestAnimationFrame(() => setTimeout(() => {  // after its frame
        rec.paint = performance.now();
        const img = root.querySelector(".al-bx-img");  // detection: was the image decoded for that frame?
        rec.image = img ? img.complete && img.naturalWidth > 0 : null;
      }, 0));
    }
    if (rec.dom !== null && rec.saved === null && root.dataset.pending === "0") {
      rec.saved = performance.now();  // the server acknowledged the answer
      obs.disconnect();
    }
  });
  obs.observe(root, {attributes: true, attributeFilter: ["data-item", "data-pending"]});
}"""


def fast_lane_browser(page: object, runs: int, task: str) -> None:
    """The fast lane: times taken in the page itself (performance.now), from the keydown event to the
    next item's id in the DOM, to the frame that shows it (for detection, its image decoded), and to
    the answer acknowledged. Classification answers with "1"/"2"; NER and detection accept the proposal
    with Alt+A."""
    from tests.ui.browser import wait_saved

    dom, paint, saved, seen, undecoded = [], [], [], [], 0
    for i in range(runs + 3):
        wait_saved(page, buffered=3)  # a person's pace: the buffer has been topped up since the last key
        page.evaluate(WATCH_JS)  # type: ignore[attr-defined]
        t = time.perf_counter()
        key = ("1" if i % 2 else "2") if task == "classification" else "Alt+KeyA"
        page.keyboard.press(key)  # type: ignore[attr-defined]
        page.wait_for_function("() => window.__alBench.dom !== null")  # type: ignore[attr-defined]
        seen_ms = (time.perf_counter() - t) * 1000
        page.wait_for_function("() => window.__alBench.paint !== null && window.__alBench.saved !== null")  # type: ignore[attr-defined]
        rec = page.evaluate("() => window.__alBench")  # type: ignore[attr-defined]
        if i >= 3:
            dom.append(rec["dom"] - rec["key"])
            paint.append(rec["paint"] - rec["key"])
            saved.append(rec["saved"] - rec["key"])
            seen.append(seen_ms)
            undecoded += rec["image"] is False
    report(f"browser, {task}: key press -> next item in the DOM", dom)
    report(f"browser, {task}: key press -> next item's frame drawn", paint)
    report(f"browser, {task}: key press -> answer stored (background)", saved)
    report(f"browser, {task}: next item in the DOM, seen from Playwright", seen)
    if task == "detection":
        print(f"browser, detection: images not yet decoded when their frame was drawn: {undecoded} of {len(dom)}")


def in_browser(directory: Path, password: str, runs: int, task: str = "classification") -> None:
    from tests.ui.browser import chromium, sign_in, streamlit_server

    with tempfile.TemporaryDirectory() as tmp, \
            streamlit_server("ACTIVELABEL_PROJECT", directory, Path(tmp) / "server.log") as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        sign_in(page, url, "bench", password)
        fast_lane_browser(page, runs, task)


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
