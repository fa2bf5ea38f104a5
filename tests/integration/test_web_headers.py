"""The headers each kind of page sends, through the real web app: private pages (check-in, the door
screen, grantors' file links) are never stored and leak no referrer; catalog documents and images may
be cached; every response says nosniff."""
from __future__ import annotations

import re

import pytest

from bot.usecases.campus_events.hosting import EventDraft, create_event
from tests.conftest import T0

HOST = "U0HOST0001"
CHECKIN_CSP = ("default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@pytest.mark.parametrize(("path", "status", "cache", "referrer"), [
    ("/healthz", 200, "no-store", "strict-origin-when-cross-origin"),
    ("/issuer", 200, "public, max-age=3600", "strict-origin-when-cross-origin"),
    ("/.well-known/jwks.json", 200, "public, max-age=3600", "strict-origin-when-cross-origin"),
    ("/achievements/sql-basics/image.png", 200, "public, max-age=86400", "strict-origin-when-cross-origin"),
    ("/a/doesnotexist0000", 404, "no-store", "strict-origin-when-cross-origin"),
    ("/nowhere", 404, "no-store", "strict-origin-when-cross-origin"),
    ("/checkin", 200, "no-store", "no-referrer"),
    ("/checkin/not-a-code!", 400, "no-store", "no-referrer"),
    ("/events/unknown/display", 404, "no-store", "no-referrer"),
    ("/events/unknown/attendance.csv", 404, "no-store", "no-referrer"),
    ("/review/artifacts/1?exp=2999-01-01&sig=forged", 404, "no-store", "no-referrer"),
])
def test_each_kind_of_page_sends_its_headers(web, path: str, status: int, cache: str, referrer: str) -> None:
    response = web.get(path)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == cache
    assert response.headers["Referrer-Policy"] == referrer


def test_public_documents_may_be_read_by_any_site(web) -> None:
    assert web.get("/issuer").headers["Access-Control-Allow-Origin"] == "*"


def test_check_in_pages_run_only_their_own_scripts_and_are_never_framed(web) -> None:
    page = web.get("/checkin")
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"])
    assert nonce and page.headers["Content-Security-Policy"] == CHECKIN_CSP.format(nonce=nonce[1])


def test_the_door_screen_script_carries_the_nonce_its_policy_allows(badgebot, web) -> None:
    event = create_event(badgebot.ctx, HOST, EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=T0, ends_at=T0.replace(hour=11),
        opens_at=T0.replace(minute=0)))
    seen = set()
    for _ in range(2):
        screen = web.get(badgebot.urls.paths.event_display(event.public_id))
        assert screen.status_code == 200
        (nonce,) = re.findall(r'<script nonce="([^"]+)"', screen.get_data(as_text=True))
        assert screen.headers["Content-Security-Policy"] == CHECKIN_CSP.format(nonce=nonce)
        seen.add(nonce)
    assert len(seen) == 2  # a new nonce for every page
    poll = web.get(badgebot.urls.paths.event_display_json(event.public_id))
    assert poll.status_code == 200 and poll.headers["Cache-Control"] == "no-store"
    assert poll.headers["Referrer-Policy"] == "no-referrer"
