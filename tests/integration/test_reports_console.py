"""The office's console at /admin and the bot's own share redirect, through the real web app (Flask's test
client on the bootstrapped bot), on the data set of test_reports.py. Sign-in is a signed session cookie here,
as Sign in with Slack leaves it; the browser test signs in through the emulator's OpenID Connect provider."""
from __future__ import annotations

import csv
import io
import re

import pytest

from bot.adapters.oidc import session_cookie
from bot.usecases.reports import ReportFilter, engagement_report
from handlers.web.admin import SESSION
from tests.integration.test_reports import (  # noqa: F401 - `program` is a fixture
    ADMIN,
    COMPUTING_ADMIN,
    L,
    _public_id,
    program,
)

PAGES = ("awards", "funnel", "decisions", "certificates", "events", "engagement")


@pytest.fixture
def browser(badgebot, program):  # noqa: F811 - the fixture imported above
    return badgebot.web.test_client()


def sign_in(badgebot, client, user: str, name: str = "Ana") -> None:
    value = session_cookie(badgebot.signer).dump({"u": user, "n": name, "w": "T0TEST"})
    client.set_cookie(SESSION, value, path="/admin")


def test_nobody_signed_in_is_asked_to_sign_in(browser):
    page = browser.get("/admin/reports/awards")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # This bot has no Slack OpenID client: the page says so, and names the CLI instead.
    assert "Sign in with Slack is not set up on this server" in text and "badgebot report" in text
    assert "2026-03" not in text


def test_a_learner_gets_403_with_the_reason_and_no_figures(badgebot, browser):
    sign_in(badgebot, browser, L[1], "Ana")
    for path in ("/admin", "/admin/reports/awards", "/admin/reports/funnel.csv"):
        page = browser.get(path)
        assert page.status_code == 403, path
        text = page.get_data(as_text=True)
        assert "Only program administrators and issuer admins can see the program&#39;s reports." in text
        assert "sql-basics" not in text and "2026-03" not in text


def test_an_admin_sees_every_report_with_charts_and_tables(badgebot, browser):
    sign_in(badgebot, browser, ADMIN, "Office")
    index = browser.get("/admin").get_data(as_text=True)
    for name in PAGES:
        assert f'href="/admin/reports/{name}"' in index
        page = browser.get(f"/admin/reports/{name}")
        assert page.status_code == 200, name
        text = page.get_data(as_text=True)
        svgs = re.findall(r'<svg [^>]*role="img"[^>]*>\s*<title id="[^"]+">([^<]+)</title>', text)
        assert svgs, f"{name}: no accessible chart"
        assert text.count("<caption>") == len(badgebot_report_tables(name))
        assert "Content-Security-Policy" in page.headers and page.headers["Cache-Control"] == "no-store"
        assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")


def badgebot_report_tables(name: str) -> tuple[str, ...]:
    return {"awards": ("month", "type", "issuer", "credential"), "funnel": ("steps",),
            "decisions": ("credential", "grantor", "histogram", "open"), "certificates": ("summary", "progress"),
            "events": ("events",), "engagement": ("credential", "nudges")}[name]


def test_the_pages_show_the_hand_checked_figures(badgebot, browser):
    sign_in(badgebot, browser, ADMIN)
    awards = browser.get("/admin/reports/awards").get_data(as_text=True)
    assert '<div class="value">8</div><div class="label">awards</div>' in awards
    assert "<title id=\"by-month-t\">Awards by month</title><desc id=\"by-month-d\">2026-03: 6; 2026-04: 2</desc>" in awards
    decisions = browser.get("/admin/reports/decisions").get_data(as_text=True)
    assert "target: 14 days" in decisions  # the histogram's target line
    assert '<div class="value">3.5</div><div class="label">median days</div>' in decisions
    april = browser.get("/admin/reports/awards?since=2026-04-01&until=2026-04-30&issuer=university")
    assert '<div class="value">2</div><div class="label">awards</div>' in april.get_data(as_text=True)


def options(text: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', text)


def test_an_issuer_admin_sees_only_their_credentials_and_only_their_issuer_to_pick(badgebot, browser):
    sign_in(badgebot, browser, COMPUTING_ADMIN, "Grace")
    assert browser.get("/admin").status_code == 200
    for name in PAGES:
        page = browser.get(f"/admin/reports/{name}")
        assert page.status_code == 200, name
        text = page.get_data(as_text=True)
        assert "issuer computing; figures as of" in text, name
        assert "Welcome Week" not in text and "business-writing" not in text, name  # the university's, Careers'
        assert options(text) == [("", "computing")], name  # nothing else to pick
    awards = browser.get("/admin/reports/awards").get_data(as_text=True)
    assert '<div class="value">3</div><div class="label">awards</div>' in awards
    rows = list(csv.DictReader(io.StringIO(browser.get("/admin/reports/awards.csv?table=credential").get_data(
        as_text=True))))
    assert [r["credential"] for r in rows] == ["sql-basics", "spreadsheet-fundamentals"]
    # Another issuer's figures, asked for in the address: refused, saying why, with nothing of theirs.
    for path in ("/admin/reports/funnel?issuer=career-services", "/admin/reports/funnel.csv?issuer=career-services"):
        page = browser.get(path)
        assert page.status_code == 403, path
        text = page.get_data(as_text=True)
        assert "You see reports for the issuers you administer (computing)" in text, path
        assert "submitted" not in text, path


def test_a_program_admin_picks_among_every_issuer(badgebot, browser):
    sign_in(badgebot, browser, ADMIN)
    text = browser.get("/admin/reports/funnel").get_data(as_text=True)
    assert options(text) == [("", "Every issuer"), ("university", "university"), ("computing", "computing"),
                             ("career-services", "career-services")]
    careers = browser.get("/admin/reports/funnel?issuer=career-services").get_data(as_text=True)
    assert "issuer career-services; figures as of" in careers


def test_bad_filters_get_a_400_saying_what_is_wrong(badgebot, browser):
    sign_in(badgebot, browser, ADMIN)
    page = browser.get("/admin/reports/funnel?since=2026-04-31")
    assert page.status_code == 400
    assert "&#39;2026-04-31&#39; is not a date; write it as YYYY-MM-DD" in page.get_data(as_text=True)
    assert browser.get("/admin/reports/gossip").status_code == 404


def test_csv_download_of_a_table(badgebot, browser):
    sign_in(badgebot, browser, ADMIN)
    page = browser.get("/admin/reports/decisions.csv?table=grantor")
    assert page.status_code == 200 and page.mimetype == "text/csv"
    assert 'filename="badgebot-decisions-grantor.csv"' in page.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(page.get_data(as_text=True))))
    assert [(r["grantor"], r["median"]) for r in rows] == [("U0GRANT001", "2.5"), ("U0GRANT002", "3.0")]
    wrong = browser.get("/admin/reports/decisions.csv?table=nope")
    assert wrong.status_code == 400 and "has no table 'nope'" in wrong.get_data(as_text=True)


def views(ctx) -> tuple[int, int]:
    figures = dict(engagement_report(ctx, ADMIN, ReportFilter()).headline)
    return figures["page views"], figures["LinkedIn clicks"]


def test_the_linkedin_link_is_counted_then_sent_on(badgebot, browser, ctx):
    shared = _public_id(ctx, L[1], "sql-basics")
    before = views(ctx)
    answer = browser.get(f"/a/{shared}/linkedin")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("https://www.linkedin.com/profile/add?")
    assert "SQL+Basics" in answer.headers["Location"] or "SQL%20Basics" in answer.headers["Location"]
    assert views(ctx) == (before[0], before[1] + 1)
    # A private award has no link to follow, and nothing is counted.
    assert browser.get(f"/a/{_public_id(ctx, L[2], 'sql-basics')}/linkedin").status_code == 404
    assert browser.get("/a/not-an-award/linkedin").status_code == 404
    assert views(ctx) == (before[0], before[1] + 1)


def test_a_person_viewing_the_public_page_is_counted_a_verifier_is_not(browser, ctx):
    shared = _public_id(ctx, L[1], "sql-basics")
    before = views(ctx)
    assert browser.get(f"/a/{shared}", headers={"Accept": "text/html"}).status_code == 200
    assert browser.get(f"/a/{shared}", headers={"Accept": "application/ld+json"}).status_code == 200
    assert views(ctx) == (before[0] + 1, before[1])
