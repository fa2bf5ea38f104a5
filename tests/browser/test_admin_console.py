"""The office's console in headless Chromium, on the sandbox (`badgebot serve` without Slack credentials) and its
demo program: an administrator signs in with Slack (the emulator's OpenID Connect page), opens every report,
and each shows its charts (SVG with a title) and tables; a learner signed in gets the 403 page.

Screenshots of each report go to the test's tmp dir; with BADGEBOT_SCREENSHOTS=docs/images the awards and
time-to-decision pages also go there as console-*.png (the README's pictures).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import PageWatch, ServedSandbox, screenshot_dirs
from tests.browser.test_sandbox_browser import small_png

pytestmark = pytest.mark.slow

ADMIN, ANA = "U0ADMIN001", "U0LEARN001"
PRIYA = "U0GRANT001"  # a grantor, and the College of Computing's admin in the example catalog
REPORTS = {"awards": "Awards", "funnel": "Submission funnel", "decisions": "Time to decision",
           "certificates": "Certificate progress", "events": "Events", "engagement": "Engagement"}
README_SHOTS = ("awards", "decisions")


def sign_in(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/admin")
    page.click("text=Sign in with Slack")
    page.wait_for_selector("text=An app wants to know who you are")  # the emulator's Slack sign-in page
    page.click(f"button[name=user][value={user}]")


def test_an_administrator_opens_every_report(sandbox_server: ServedSandbox, page: tuple[Any, PageWatch],
                                             tmp_path: Path) -> None:
    browser_page, watch = page
    base = sandbox_server.url
    sign_in(browser_page, base, ADMIN)
    browser_page.wait_for_selector("h1:text('Program reports')")
    assert "Signed in as" in browser_page.inner_text(".who")
    dirs = screenshot_dirs(tmp_path)
    for name, title in REPORTS.items():
        browser_page.click(f"nav.reports >> text={title}")
        browser_page.wait_for_selector(f"h1:text('{title}')")
        charts = browser_page.locator("figure svg[role=img]")
        assert charts.count() >= 1, name
        for i in range(charts.count()):
            assert charts.nth(i).locator("title").text_content().strip(), f"{name}: a chart without a title"
        assert browser_page.locator("table caption").count() >= 1
        # The demo program is rich enough that the first chart has bars, not "Nothing in this range".
        assert browser_page.locator("figure").first.locator("rect[rx]").count() >= 2, name
        png = browser_page.screenshot(full_page=True)
        (dirs[0] / f"console-{name}.png").write_bytes(png)
        if name in README_SHOTS:
            for d in dirs[1:]:
                small_png(png, d / f"console-{name}.png")
    # The filters: one month, through the form.
    browser_page.click("nav.reports >> text=Awards")
    browser_page.fill("#since", "2000-01-01")
    browser_page.fill("#until", "2000-01-31")
    browser_page.click("form.filters button")
    browser_page.wait_for_selector("text=2000-01-01 to 2000-01-31")
    assert browser_page.locator(".figure .value").first.inner_text() == "0"
    with browser_page.expect_download() as download:
        browser_page.click("table caption >> text=CSV")
    assert download.value.suggested_filename == "badgebot-awards-month.csv"
    watch.assert_clean()


def test_an_issuer_admin_sees_their_issuers_figures_only(sandbox_server: ServedSandbox,
                                                          page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    sign_in(browser_page, sandbox_server.url, PRIYA)
    browser_page.wait_for_selector("h1:text('Program reports')")
    browser_page.click("nav.reports >> text=Awards")
    browser_page.wait_for_selector("h1:text('Awards')")
    # The issuer filter offers hers alone, and the page says whose figures these are.
    assert browser_page.locator("#issuer option").all_inner_texts() == ["computing"]
    assert "issuer computing" in browser_page.inner_text("main")
    by_issuer = browser_page.locator("table:has(caption:has-text('Awards by issuer')) tbody tr td:first-child")
    assert by_issuer.all_inner_texts() == ["computing"]  # no souvenirs (the university's), no Career Services
    watch.assert_clean()


def test_a_learner_signed_in_gets_403(sandbox_server: ServedSandbox, page: tuple[Any, PageWatch]) -> None:
    browser_page, watch = page
    sign_in(browser_page, sandbox_server.url, ANA)
    browser_page.wait_for_selector("h1:text('Not for this account')")
    assert "Only program administrators and issuer admins can see the program's reports." in browser_page.inner_text("main")
    answer = browser_page.goto(f"{sandbox_server.url}/admin/reports/awards")
    assert answer.status == 403 and not browser_page.locator("figure").count()
    # Chromium logs each 403 page it loads as a failed resource: those two, and nothing else.
    refused = "console.error: Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"
    assert watch.errors == [refused] * 2
    assert not watch.offsite
