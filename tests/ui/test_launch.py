"""``make demo`` and ``activelabel ui`` with no terminal: they serve, a busy port is an error, a stop
signal to the parent stops the Streamlit child."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from activelabel.project import Project
from activelabel.ui.launch import PortInUseError, check_port_free
from tests.ui.browser import CHROMIUM, chromium, free_port, sign_in

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _no_terminal(cmd: list[str], log: Path, cwd: Path = REPO) -> subprocess.Popen[bytes]:
    """Start ``cmd`` as a script or service would: stdin /dev/null, output to a file, a new session
    (so it has no controlling terminal), and no Streamlit settings from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env["PYTHONUNBUFFERED"] = "1"
    with open(log, "wb") as fh:
        return subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _wait_serving(proc: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 180) -> str:
    url = f"http://localhost:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        if "serving on" in log.read_text(errors="replace"):
            with opener.open(f"{url}/_stcore/health", timeout=5) as resp:
                assert resp.status == 200
            return url
        time.sleep(0.2)
    raise AssertionError(f"not serving after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        out += [int(c) for c in children]
        todo += [int(c) for c in children]
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pids: list[int], timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.fixture()
def listening_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_busy_port_is_refused_before_starting(listening_port: int) -> None:
    with pytest.raises(PortInUseError, match=f"port {listening_port} .* already in use.*--port"):
        check_port_free("localhost", listening_port)
    check_port_free("localhost", free_port())  # a free one passes


def test_a_child_that_dies_before_serving_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from activelabel.ui import launch

    monkeypatch.setattr(launch, "streamlit_command", lambda port, address: [sys.executable, "-c", "raise SystemExit(3)"])
    said: list[str] = []
    with pytest.raises(launch.ServerStartError, match=r"exited \(code 3\) before it served"):
        launch.serve(free_port(), {}, open_browser=False, say=said.append, startup_timeout=30)
    assert said == []  # no "serving on" for a server that never served


def test_ui_on_a_busy_port_exits_1_and_says_which(cls_project: Project, listening_port: int, tmp_path: Path) -> None:
    log = tmp_path / "ui.log"
    proc = _no_terminal([str(BIN / "activelabel"), "ui", str(cls_project.dir), "--port", str(listening_port),
                         "--no-browser"], log)
    assert proc.wait(60) == 1
    out = " ".join(log.read_text().split())  # rich wraps long lines when there is no terminal
    assert f"port {listening_port} on localhost is already in use" in out and "--port" in out
    assert "serving on" not in out


def test_demo_checks_the_port_before_building(listening_port: int, tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    proc = _no_terminal([str(BIN / "activelabel"), "demo", "--root", str(tmp_path / "demo"), "--port",
                         str(listening_port), "--no-browser", "--task", "classification"], log)
    assert proc.wait(60) == 1
    assert f"port {listening_port} on localhost is already in use" in " ".join(log.read_text().split())
    assert not (tmp_path / "demo" / "classification").exists()  # nothing built for a server that cannot start


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["SIGTERM", "SIGINT", "SIGKILL"])
def test_stopping_the_parent_stops_the_streamlit_child(cls_project: Project, tmp_path: Path,
                                                       stop: signal.Signals) -> None:
    """SIGTERM and SIGINT are forwarded; even SIGKILL (no chance to forward) stops the child (PR_SET_PDEATHSIG)."""
    port, log = free_port(), tmp_path / "ui.log"
    proc = _no_terminal([str(BIN / "activelabel"), "ui", str(cls_project.dir), "--port", str(port), "--no-browser"],
                        log)
    try:
        _wait_serving(proc, port, log)
        children = _descendants(proc.pid)
        assert children, "the Streamlit server runs as a child"
        os.kill(proc.pid, stop)
        code = proc.wait(30)
        assert code == (-signal.SIGKILL if stop == signal.SIGKILL else 0)
        assert _wait_gone(children) == [], "an orphaned Streamlit child is still running"
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.browser
def test_make_demo_with_no_terminal_serves_and_signs_in(tmp_path: Path) -> None:
    """The README's ``make demo``, as a script would run it, then a real Chromium signs in."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    root, port, log = tmp_path / "demo", free_port(), tmp_path / "demo.log"
    # -o: treat the venv as installed (the test runs inside it; make must not reinstall it)
    cmd = ["make", "-s", "-o", ".venv/.installed", "demo", f"BIN={BIN}",
           f"DEMO_ARGS=--root {root} --port {port} --no-browser --task classification -n 30"]
    proc = _no_terminal(cmd, log)
    requests: list[str] = []
    try:
        url = _wait_serving(proc, port, log)
        text = log.read_text()
        assert "Email" not in text and "gatherUsageStats" not in text  # no first-run prompt, no telemetry notice
        password = next(line.split(":", 1)[1].strip()
                        for line in (root / "demo-credentials.txt").read_text().splitlines()
                        if line.startswith("password:"))
        with chromium() as browser:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.on("request", lambda r: requests.append(r.url))
            sign_in(page, url, "demo", password, hotkeys=False)
            page.get_by_role("button", name="ham").first.wait_for(timeout=30_000)
            page.screenshot(path=str(tmp_path / "demo-label.png"), full_page=True)
            # Chromium does not report favicon fetches as requests: read the icon's address itself
            icons = page.eval_on_selector_all("link[rel*=icon]", "els => els.map(e => e.href)")
        children = _descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        assert _wait_gone(children) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert requests and icons
    external = [u for u in requests + icons if not u.startswith((url, "data:", "blob:"))]
    assert external == [], f"the page fetched from outside the server: {external[:5]}"
    assert (tmp_path / "demo-label.png").stat().st_size > 10_000
