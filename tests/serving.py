"""Running ``byline serve`` for real in tests: a process on a free localhost port over an index."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

START = "from search.cli.startup import main; main()"


@contextmanager
def byline_serve(index: Path, log: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``byline serve --port 0`` over ``index``; yields its URL (from stderr) and the process,
    and stops it with Ctrl-C (SIGINT) afterwards."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", START, "serve", "--index", str(index), "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield _announced_url(log, process), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _announced_url(log: Path, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r" at (http://\S+/) \(Ctrl-C", log.read_text())
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise AssertionError(f"byline serve exited: {log.read_text()}")
        time.sleep(0.05)
    raise AssertionError("byline serve did not announce its URL")


@contextmanager
def served_client(index: Path, log: Path) -> Iterator[httpx.Client]:
    """An HTTP client of a ``byline serve`` process over ``index``."""
    with byline_serve(index, log) as (url, _), httpx.Client(base_url=url, timeout=60) as client:
        yield client
