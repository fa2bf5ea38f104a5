"""Each role's App Home in the sandbox, in headless Chromium, against `badgebot serve` run as the README runs it.

A learner, a grantor, a host and an administrator of the demo program open their Home tab; each sees the
sections of their roles, and a screenshot of each goes to the test's tmp dir and, with
BADGEBOT_SCREENSHOTS=docs/images, to docs/images/home-{learner,grantor,host,admin}.png (the README's).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import PageWatch, ServedSandbox, screenshot_dirs
from tests.browser.test_sandbox_browser import small_png

pytestmark = pytest.mark.slow

BEN, DANIEL, HOST, ADMIN = "U0LEARN002", "U0GRANT002", "U0HOST0001", "U0ADMIN001"
PROBLEMS = ".bk-unsupported, .bk-error"

# (who, file name, what their Home must show)
HOMES = (
    (BEN, "learner", ("Your pathway", "Data Analytics (Practiced)", "2 of 3", "Spreadsheet Fundamentals",
                      "Needs changes", "join on order_id", "Resubmit", "In review", "Presentation Skills",
                      "public at", "Unshare", "Share", "Turn nudges off")),
    (DANIEL, "grantor", ("Proposals waiting for you", "Data Ethics Basics", "Unit leader", "Waiting for your review",
                         "oldest first", "past the 14-day target", "Open the card", "SQL for Analytics in Practice",
                         "Your own badges")),
    (HOST, "host", ("Your events", "New event", "Civic Hackathon 2026", "check-in open", "Door screen",
                    "Data Viz Meetup: storytelling", "Send me the poster", "Past events", "Welcome Week opening fair",
                    "attendance (CSV)")),
    (ADMIN, "admin", ("The program", "Awards:", "Time to decision:", "Open the reports", "Your events")),
)


def open_home(browser_page: Any, url: str, user: str) -> Any:
    browser_page.goto(f"{url}/?as={user}&tab=home")
    browser_page.wait_for_selector("body[data-ready=true]")
    home = browser_page.locator("#home .home-view")
    home.wait_for()
    return home


def test_each_roles_home_in_the_sandbox(sandbox_server: ServedSandbox, page: tuple[Any, PageWatch],
                                        tmp_path: Path) -> None:
    browser_page, watch = page
    browser_page.set_viewport_size({"width": 1280, "height": 1600})  # a whole Home in one picture
    key_dirs = [d for d in screenshot_dirs(tmp_path) if d != tmp_path / "screenshots"]
    for user, name, expected in HOMES:
        home = open_home(browser_page, sandbox_server.url, user)
        # Opening the tab republishes the Home; the one published before (at seeding) shows until it lands.
        try:
            browser_page.wait_for_function(
                "([selector, texts]) => texts.every(t => (document.querySelector(selector)?.innerText || '')"
                ".includes(t))", arg=["#home .home-view", list(expected)])
        except PlaywrightTimeout:
            shown = home.inner_text()
            pytest.fail(f"{name}'s Home lacks {[t for t in expected if t not in shown]}:\n{shown}")
        assert home.locator(PROBLEMS).count() == 0, f"{name}'s Home has blocks the sandbox could not render"
        browser_page.wait_for_timeout(300)  # let the last poll's rendering settle
        bottom = home.bounding_box()["y"] + home.bounding_box()["height"]  # no empty page below the Home
        png = browser_page.screenshot(path=str(tmp_path / "screenshots" / f"home-{name}.png"),
                                      clip={"x": 0, "y": 0, "width": 1280, "height": min(1600, max(720, bottom + 32))})
        for d in key_dirs:
            small_png(png, d / f"home-{name}.png")
    watch.assert_clean()


def test_resubmit_from_the_home_opens_the_form_for_that_submission(sandbox_server: ServedSandbox,
                                                                   page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    home = open_home(browser_page, sandbox_server.url, BEN)
    home.get_by_role("button", name="Resubmit").click()
    modal = browser_page.locator(".modal[data-callback-id=submit_artifact]")
    modal.wait_for()
    assert "Resubmit work" in modal.inner_text() and "SQL Basics" in modal.inner_text()
    watch.assert_clean()
