"""For tests that run Badgebot as real processes (`badgebot serve`, workers, schedulers): start,
wait for what a user would see, stop."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def badgebot_command() -> list[str]:
    """The installed `badgebot` script beside this Python (what the README runs), else the module."""
    script = Path(sys.executable).with_name("badgebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "handlers.cli.main"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], T | None], timeout: float, what: str,
             said: Callable[[], str] = lambda: "") -> T:
    """Poll until `condition` is truthy and return it; on timeout fail with `what`, and what the
    processes said (`said`). A deadline, never a measurement: slow machines only wait longer."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{said()}")
        time.sleep(0.05)


def stop(process: subprocess.Popen, timeout: float = 15) -> None:  # type: ignore[type-arg]
    """SIGTERM (a clean shutdown), then SIGKILL if it does not come."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
