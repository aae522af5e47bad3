"""Start the real app on a free local port for browser tests (used by test_browser.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(db_path: Path, timeout: float = 60, script_args: tuple[str, ...] = ()):
    """Run ``streamlit run app.py [-- script_args]`` on a free port until the block ends.

    Yields ``(process, url)``; the server's output goes to ``streamlit.log`` beside ``db_path``.
    """
    port = free_port()
    env = {**os.environ, "CHURN_DB": str(db_path)}
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    command += ["--", *script_args] if script_args else []
    with open(db_path.parent / "streamlit.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(process, url, timeout)
            yield process, url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_healthy(process: subprocess.Popen, url: str, timeout: float) -> None:
    """Return once the server at ``url`` answers its health check; RuntimeError if it died or took too long."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app did not start; see streamlit.log") from None
            time.sleep(0.3)


@contextmanager
def running_app(db_path: Path, timeout: float = 60):
    """Run ``streamlit run app.py`` on a free port until the block ends; yield its URL."""
    with running_server(db_path, timeout) as (_, url):
        yield url


def chromium_or_skip() -> None:
    """Skip a browser test where Debian's Chromium is missing; in CI that is a failure."""
    import pytest

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing; .ci/run installs it with apt-get.")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@contextmanager
def launched_chromium():
    """Debian's headless Chromium under Playwright, closed when the block ends."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
