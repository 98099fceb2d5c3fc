"""Run the dashboard in a real Streamlit server and look at it with headless Chromium over CDP.

Used by ``test_browser.py``; also handy by hand::

    uv run python -m tests.dashboard.browser /tmp/shots   # screenshots of both pages

Every wait is bounded and event-driven (reading the processes' output, a promise in the page),
never a sleep; both subprocesses are always killed.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from websockets.sync.client import ClientConnection, connect

__all__ = ["CHROMIUM", "Browser", "free_port", "running_browser", "running_dashboard"]

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
)
STARTUP_TIMEOUT = 60.0
RENDER_TIMEOUT_MS = 45_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pump(stream: IO[str], lines: queue.Queue[str], log: list[str]) -> None:
    for line in stream:
        log.append(line)
        lines.put(line)


def _wait_for_line(lines: queue.Queue[str], needle: str, timeout: float, what: str, log: list[str]) -> str:
    """Block until a line containing ``needle`` arrives (bounded by ``timeout`` seconds)."""
    try:
        while True:
            line = lines.get(timeout=timeout)
            if needle in line:
                return line
    except queue.Empty:
        raise TimeoutError(f"{what} did not print {needle!r} within {timeout} s:\n{''.join(log)}") from None


@dataclass
class _Process:
    proc: subprocess.Popen[str]
    pump: threading.Thread
    """Reads the process's output into ``lines`` and ``log`` until the pipe closes."""
    lines: queue.Queue[str]
    log: list[str]


def _start(cmd: list[str], env: dict[str, str]) -> _Process:
    proc = subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    pump = threading.Thread(target=_pump, args=(proc.stdout, lines, log), daemon=True)
    pump.start()
    return _Process(proc, pump, lines, log)


def _signal_group(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)  # its own session (start_new_session): it and its helpers


def _stop(process: _Process) -> None:
    """End the process and everything it started, then close its output pipe (once the reader has
    seen the end of it, so the close never races a read)."""
    proc = process.proc
    if proc.poll() is None:
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=10)
    process.pump.join(timeout=10)
    if proc.stdout is not None and not process.pump.is_alive():
        proc.stdout.close()


@contextlib.contextmanager
def running_dashboard(serving_db: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on a free port against ``serving_db``; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AGENCY_DASHBOARD_MANAGER"}
    env.update({"AGENCY_SERVING_DB": str(serving_db), **(extra_env or {})})
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "dashboard" / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = _start(cmd, env)
    try:
        _wait_for_line(process.lines, f":{port}", STARTUP_TIMEOUT, "streamlit", process.log)
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{base}/_stcore/health", timeout=STARTUP_TIMEOUT) as response:
            body = response.read().decode()
        if response.status != 200 or body.strip() != "ok":
            raise RuntimeError(f"streamlit health check failed: {response.status} {body!r}")
        yield base
    finally:
        _stop(process)


class _Cdp:
    """Chrome DevTools Protocol calls over one websocket (flat sessions)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session_id: str | None = None,
        timeout: float = 60.0,
    ) -> dict[str, Any]:
        msg_id = next(self._ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        self.ws.send(json.dumps(message))
        while True:  # events arrive in between; keep them for wait_event
            reply = json.loads(self.ws.recv(timeout=timeout))
            if "method" in reply:
                self._events.append(reply)
            elif reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"CDP {method} failed: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def wait_event(self, method: str, session_id: str | None, timeout: float = 60.0) -> dict[str, Any]:
        """The first not yet seen event ``method`` (of ``session_id``), waiting up to ``timeout`` s."""
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method and event.get("sessionId") == session_id:
                    del self._events[: i + 1]
                    return event
            self._events.clear()
            message = json.loads(self.ws.recv(timeout=timeout))
            if "method" in message:
                self._events.append(message)


@dataclass
class Browser:
    """A CDP session attached to one page of a headless Chromium."""

    cdp: _Cdp
    session_id: str

    def send(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = 60.0
    ) -> dict[str, Any]:
        return self.cdp.call(method, params, self.session_id, timeout)

    def navigate(self, url: str) -> None:
        """Open ``url`` and wait for its load event (Streamlit then renders over its websocket)."""
        self.send("Page.navigate", {"url": url})
        self.cdp.wait_event("Page.loadEventFired", self.session_id, timeout=STARTUP_TIMEOUT)

    def evaluate(self, expression: str, timeout: float = 60.0) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for_text(self, *needles: str, timeout_ms: int = RENDER_TIMEOUT_MS) -> str:
        """Resolve once the page shows every needle, Streamlit is idle and charts are drawn.

        The wait runs inside the page (a MutationObserver with its own deadline), so the test
        does not poll. Returns the page's visible text (prefixed with TIMEOUT on a timeout).
        """
        script = """
        new Promise((resolve) => {
          const needles = NEEDLES;
          const ready = () => {
            const text = document.body ? document.body.innerText : "";
            const running = document.querySelector('[data-testid="stStatusWidget"]');
            const skeleton = document.querySelector('[data-testid="stSkeleton"]');
            const charts = document.querySelectorAll('.js-plotly-plot');
            const drawn = Array.from(charts).every((c) => c.querySelector('.main-svg'));
            return needles.every((n) => text.includes(n)) && !running && !skeleton && drawn;
          };
          const finish = (prefix) => { observer.disconnect(); clearTimeout(timer);
            resolve(prefix + document.body.innerText); };
          const observer = new MutationObserver(() => { if (ready()) finish(""); });
          const timer = setTimeout(() => finish("TIMEOUT\\n"), TIMEOUT_MS);
          observer.observe(document.documentElement,
                           {subtree: true, childList: true, characterData: true, attributes: true});
          if (ready()) finish("");
        })
        """.replace("NEEDLES", json.dumps(list(needles))).replace("TIMEOUT_MS", str(timeout_ms))
        text: str = self.evaluate(script, timeout=timeout_ms / 1000 + 15)
        return text

    def screenshot(self, path: Path) -> Path:
        # Let the layout settle: the screenshot is taken after the next two animation frames.
        self.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
        data = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
        return path


@contextlib.contextmanager
def running_browser(width: int = 1600, height: int = 1400) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile and one blank page attached over CDP."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    cmd = [
        str(CHROMIUM),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1",
        f"--window-size={width},{height}",
        "about:blank",
    ]
    process = _start(cmd, dict(os.environ))
    try:
        needle = "DevTools listening on "
        line = _wait_for_line(process.lines, needle, STARTUP_TIMEOUT, "chromium", process.log)
        ws_url = line.split(needle, 1)[1].strip()
        with connect(ws_url, max_size=None, proxy=None, open_timeout=STARTUP_TIMEOUT) as ws:
            cdp = _Cdp(ws)
            target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            page = Browser(cdp, session)
            page.send("Page.enable")
            page.send("Runtime.enable")
            page.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
            yield page
    finally:
        _stop(process)
        shutil.rmtree(profile, ignore_errors=True)


def _main(out_dir: str) -> None:  # pragma: no cover - a developer's tool
    from tests.dashboard.serving_fixture import build_serving_db

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = build_serving_db(out / "serving.duckdb")
    with running_dashboard(db) as base, running_browser() as page:
        for name, path, needle in (
            ("portfolio", "/", "Альфа Строй"),
            ("client_report", "/client_report?client=alfa", "Результаты по каналам"),
            ("client_report_en", "/client_report?client=gamma&lang=en&period=last_30", "Results by channel"),
        ):
            page.navigate(base + path)
            text = page.wait_for_text(needle, "₽")
            print(name, "TIMEOUT" if text.startswith("TIMEOUT") else "ok")
            page.screenshot(out / f"{name}.png")


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dashboard-shots")
