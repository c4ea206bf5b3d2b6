"""Start the Streamlit server of ``activelabel ui`` / ``activelabel demo`` as a child process.

It must work with no terminal (``make demo`` from a script, a service manager, CI): Streamlit asks
for an email on its first run unless it is headless with the prompt switched off, so every start
passes headless, no email prompt and no usage statistics both as flags and as ``STREAMLIT_*``
environment variables (the child reads no user config that could turn them back on). The port is
checked before the child starts, so a busy port is an error instead of a child that dies later.
The parent forwards SIGTERM, SIGINT and SIGHUP to the child and waits for it; on Linux the child
also gets SIGTERM if the parent dies without a word (``PR_SET_PDEATHSIG``), so no server is left
orphaned.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from activelabel.errors import ActiveLabelError

# Streamlit's settings for a server nobody has to answer: the environment form of the flags below.
STREAMLIT_ENV = {
    "STREAMLIT_SERVER_HEADLESS": "true",
    "STREAMLIT_SERVER_SHOW_EMAIL_PROMPT": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
Say = Callable[[str], None]


class PortInUseError(ActiveLabelError):
    """The port the UI should serve on is taken."""

    def __init__(self, address: str, port: int) -> None:
        super().__init__(f"port {port} on {address} is already in use (another activelabel ui or other server "
                         f"listens there): stop that server, or pick a free port with --port")


class ServerStartError(ActiveLabelError):
    """The Streamlit child stopped, or never answered, before it served the app."""


def asgi_script() -> Path:
    """The file ``streamlit run`` serves: the app plus the session-cookie route (``ui/asgi.py``)."""
    return Path(__file__).with_name("asgi.py")


def streamlit_command(port: int, *, address: str = "localhost") -> list[str]:
    """The ``streamlit run`` command line: headless, no email prompt, no usage statistics, XSRF on."""
    return [sys.executable, "-m", "streamlit", "run", str(asgi_script()),
            "--server.port", str(port), "--server.address", address,
            "--server.headless", "true", "--server.showEmailPrompt", "false",
            "--browser.gatherUsageStats", "false", "--server.enableXsrfProtection", "true",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal",
            "--theme.base", "light"]


def check_port_free(address: str, port: int) -> None:
    """Raise ``PortInUseError`` when something listens on ``address:port`` (any of its IPs)."""
    try:
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ActiveLabelError(f"cannot resolve the address {address!r}: give a host name or IP") from exc
    for family, kind, proto, _name, sockaddr in infos:
        with socket.socket(family, kind, proto) as sock:
            # as the server will: a socket in TIME_WAIT does not block it, a listening one does
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(sockaddr)
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno == 99:  # EADDRNOTAVAIL: no IPv6 here
                    continue
                raise PortInUseError(address, port) from exc


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send the child SIGTERM when the parent dies (even by SIGKILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))


@contextmanager
def _forward_stop_signals(proc: subprocess.Popen[bytes]) -> Iterator[list[int]]:
    """While inside, SIGTERM/SIGINT/SIGHUP to this process stop the child; yields the signals seen."""
    seen: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        seen.append(signum)
        if proc.poll() is None:
            proc.terminate()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield seen
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float, stopped: list[int]) -> None:
    """Poll Streamlit's health endpoint until it answers; raise if the child exits or time runs out."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # localhost, never via a proxy
    deadline = time.monotonic() + timeout
    while True:
        if stopped:
            return
        code = proc.poll()
        if code is not None:
            raise ServerStartError(f"the Streamlit server exited (code {code}) before it served the UI; "
                                   "its output above says why")
        try:
            with opener.open(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerStartError(f"the Streamlit server did not answer on {url} within {timeout:.0f} s; "
                                   "its output above says why")
        time.sleep(0.2)


def display_available() -> bool:
    """Whether a browser window can be opened here (Linux needs an X or Wayland display)."""
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def serve(port: int, env: Mapping[str, str], *, address: str = "localhost", open_browser: bool = True,
          say: Say = print, startup_timeout: float = 120.0) -> int:
    """Run the UI server until it stops or this process is told to stop; the child's exit code
    (0 after a stop signal). The URL is printed only once the server answers."""
    check_port_free(address, port)
    child_env = {**os.environ, **STREAMLIT_ENV, **env}
    proc = subprocess.Popen(streamlit_command(port, address=address), env=child_env, stdin=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    url = f"http://{address}:{port}"
    try:
        with _forward_stop_signals(proc) as stopped:
            wait_healthy(url, proc, startup_timeout, stopped)
            if not stopped:
                say(f"serving on {url}  (Ctrl+C stops)")
                if open_browser and display_available():
                    from streamlit.cli_util import open_browser as open_tab

                    open_tab(url)
            code = proc.wait()
            return 0 if stopped else code
    finally:
        _stop(proc)
