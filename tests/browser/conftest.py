"""Browser fixtures: `badgebot serve` as a real subprocess (the README's run command, no Slack
credentials: the sandbox), and Debian's headless Chromium driven by Playwright (Python).

Chromium must be at /usr/bin/chromium (or BADGEBOT_CHROMIUM): CI installs it with apt-get, so a missing
browser fails these tests with that instruction rather than skipping them. Playwright never downloads a
browser here: it launches that executable. Every request the page makes to anything but loopback is
refused and recorded, and each test asserts there were none: the sandbox works off the internet.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.processes import badgebot_command, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("BADGEBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
READY_LINE = "Sandbox running at "
START_TIMEOUT = 90.0

pytestmark = pytest.mark.slow


@dataclass
class ServedSandbox:
    url: str
    data_dir: Path
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def log(self) -> str:
        return "".join(self.output[-80:])


def start_sandbox(workdir: Path, data_dir: Path, *extra: str, port: int | None = None) -> ServedSandbox:
    """`badgebot serve --port N [extra...]` with BADGEBOT_DATA_DIR=data_dir and no Slack settings, until
    it prints that the sandbox runs (the test fails with its output if it does not)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "BADGEBOT_")) and k != "DATABASE_URL"}
    env |= {"BADGEBOT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    # cwd is a temporary folder: no developer's .env (with real Slack tokens, say) is read.
    process = subprocess.Popen([*badgebot_command(), "serve", "--port", str(port), *extra], cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    served = ServedSandbox(f"http://127.0.0.1:{port}", data_dir, process)
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.output.append(line)
            if READY_LINE in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"`badgebot serve` did not print {READY_LINE!r}:\n{served.log()}")
    line = next(line for line in served.output if READY_LINE in line)
    assert f"{READY_LINE}{served.url}" in line
    return served


def stop_sandbox(served: ServedSandbox) -> int:
    """SIGTERM, as a service manager stops it; returns the exit status."""
    served.process.terminate()
    try:
        return served.process.wait(15)
    except subprocess.TimeoutExpired:
        served.process.kill()
        return served.process.wait(5)


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[ServedSandbox]:
    """`badgebot serve --port N` with a fresh BADGEBOT_DATA_DIR and no Slack settings, until it says it runs."""
    served = start_sandbox(tmp_path, tmp_path / "data")
    try:
        yield served
    finally:
        stop_sandbox(served)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium package "
                    "(apt-get install chromium; CI's scripts/test installs it). They do not skip.", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install playwright (it drives the system Chromium; "
                    "no browser download is needed or wanted)", pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class PageWatch:
    """What went wrong in the page: console errors, uncaught exceptions, requests off loopback."""

    errors: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.offsite, f"the page tried to reach beyond this machine: {self.offsite}"
        assert not self.errors, "errors in the browser console:\n" + "\n".join(self.errors)


def loopback_only(context: Any, watch: PageWatch) -> None:
    """Refuse (and record) any request off this machine: the pages must not need the internet."""
    def route(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            watch.offsite.append(route.request.url)
            route.abort()

    context.route("**/*", route)


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, PageWatch]]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1,
                                  locale="en-US", timezone_id="UTC")
    watch = PageWatch()

    loopback_only(context, watch)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda message: watch.errors.append(f"console.{message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))
    try:
        yield page, watch
    finally:
        context.close()


def screenshot_dirs(tmp_path: Path) -> list[Path]:
    """Where to save screenshots: the test's tmp dir, and BADGEBOT_SCREENSHOTS (e.g. docs/images) if set."""
    dirs = [tmp_path / "screenshots"]
    extra = os.environ.get("BADGEBOT_SCREENSHOTS")
    if extra:
        target = Path(extra)
        dirs.append(target if target.is_absolute() else ROOT / target)
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    return dirs


