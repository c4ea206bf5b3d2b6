"""Real-browser helpers: a Streamlit server on a free localhost port and headless Debian Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
ITEM_ID = re.compile(r"item ([0-9A-Za-z_-]{4,})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(env_name: str, path: Path, log: Path, timeout: float = 60) -> Iterator[str]:
    """Serve the app (headless, no usage statistics) for a project; yields its URL; stops it after."""
    from activelabel.ui.launch import STREAMLIT_ENV, streamlit_command

    port = free_port()
    cmd = streamlit_command(port, address="127.0.0.1")
    env = {**os.environ, **STREAMLIT_ENV, env_name: str(path), "PYTHONUNBUFFERED": "1"}
    env.pop("ACTIVELABEL_UI_PAGE", None)
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Any, url: str, name: str, password: str, timeout: float = 90_000, *, hotkeys: bool = True) -> None:
    """Sign in with the keyboard alone: type the name, Tab, the password, Enter."""
    page.goto(url)
    page.get_by_label("Name").wait_for(timeout=timeout)
    settle(page)
    page.get_by_label("Name").focus()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.get_by_text("Why this item").wait_for(timeout=timeout)
    if hotkeys:
        wait_hotkeys(page)


def wait_hotkeys(page: Any, timeout: float = 90.0) -> None:
    """Wait until the page listens for keys: the fast lane's component (classification), or else the
    hotkeys component's frame once it has loaded."""
    fast = page.locator('[data-testid="alFastlane"][data-ready="1"]')
    iframe = page.locator('iframe[src*="streamlit_hotkeys"]').first
    deadline = time.time() + timeout
    state: Any = None
    while time.time() < deadline:
        if fast.count():
            return
        try:
            if iframe.count():
                frame = iframe.element_handle(timeout=5000).content_frame()
                state = frame.evaluate("document.readyState") if frame is not None else None
        except Exception as exc:  # the frame is being replaced by a rerun
            state = exc
        if state == "complete":
            page.wait_for_timeout(300)
            return
        time.sleep(0.1)
    raise TimeoutError(f"neither the fast lane nor the hotkeys component loaded: {state!r}")


def fast_lane(page: Any) -> Any:
    """The fast lane's root element (its data-* attributes say what it holds)."""
    return page.locator('[data-testid="alFastlane"]')


def wait_saved(page: Any, timeout: float = 30.0, *, buffered: int = 0) -> None:
    """Wait until the fast lane has no answer waiting for the server (and holds ``buffered`` items)."""
    try:
        page.wait_for_function(
            """(want) => { const r = document.querySelector('[data-testid="alFastlane"]');
                           return r && r.dataset.pending === "0" && r.dataset.claiming === "0"
                                  && Number(r.dataset.buffered) >= want; }""",
            arg=buffered, timeout=timeout * 1000)
    except Exception as exc:  # say what the fast lane held, for the failure's report
        state = page.evaluate("""() => Object.values(window.__alFastlane || {}).map((s) => ({
            items: s.items.length, queue: s.queue.length, claiming: s.claiming, exhausted: s.exhausted,
            errors: s.errors, status: s.status, round: s.round}))""")
        raise TimeoutError(f"the fast lane did not settle: {state}") from exc


def shown_item(page: Any) -> str:
    """The id (prefix) of the item on screen, from the 'Why this item' line."""
    text = page.get_by_text("Why this item").first.inner_text()
    match = ITEM_ID.search(text)
    if match is None:
        raise AssertionError(f"no item id in {text!r}")
    return match.group(1)


def wait_next_item(page: Any, previous: str, timeout: float = 60.0, *, then_settle: bool = True) -> str:
    """Wait for another item on screen; then (by default) for the run to finish (the prefetch after it)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            current = shown_item(page)
        except Exception:  # mid-rerun
            current = previous
        if current != previous:
            if then_settle:
                settle(page)
            return current
        time.sleep(0.01)
    raise TimeoutError(f"the item {previous} stayed on screen")


def settle(page: Any, timeout: float = 20.0) -> None:
    """Wait until Streamlit has finished the current run (its 'Running' status widget is gone)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        time.sleep(0.05)
