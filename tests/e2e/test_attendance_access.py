"""Issue 11 item 8: the attendance list is the host's. The door screen hangs at the entrance, so its
link (the event's id) must not open the list; the host's own link (signed, expiring, sent only to the
host) does, and a signed-in browser (a learner's check-in session) gains nothing."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import httpx

from bot.adapters.oidc import session_cookie
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.hosting import EventDraft
from handlers.attendance_links import PURPOSE

HOST, LEARNER = "U0HOST0001", "U0LEARN001"


def _event_with_one_check_in(world):  # type: ignore[no-untyped-def]
    now = world.bot.ctx.clock()
    event = hosting_uc.create_event(world.bot.ctx, HOST, EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=now, ends_at=now + dt.timedelta(hours=2)))
    checkin_uc.award_at_event(world.bot.ctx, HOST, event.id, [(LEARNER, None)])
    return event


def _get(url: str, **kwargs) -> httpx.Response:  # type: ignore[no-untyped-def]
    return httpx.get(url, trust_env=False, timeout=15, **kwargs)


def test_the_door_screen_id_alone_does_not_open_the_attendance(world):
    event = _event_with_one_check_in(world)
    door = world.bot.urls.event_display(event.public_id)
    screen = _get(door)
    assert screen.status_code == 200 and "attendance" not in screen.text.lower()

    guessed = _get(f"{world.url}/events/{event.public_id}/attendance.csv")
    assert guessed.status_code == 403
    assert LEARNER not in guessed.text and "/badges event attendance" in guessed.text
    # An id no event has stays a plain "not found".
    assert _get(f"{world.url}/events/not-the-id/attendance.csv").status_code == 404


def test_the_hosts_link_opens_it_and_a_forged_or_expired_one_does_not(world):
    event = _event_with_one_check_in(world)
    answer = world.slack.command(HOST, f"event attendance {event.id}")
    link = re.search(r"<(http[^|>]+attendance\.csv)\|", answer.body).group(1)
    assert link.startswith(f"{world.url}/events/{event.public_id}/")

    export = _get(link)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert [row["learner_slack_id"] for row in csv.DictReader(io.StringIO(export.text))] == [LEARNER]

    # `/badges event show` gives the host the same kind of link.
    shown = world.slack.command(HOST, f"event show {event.id}")
    assert _get(re.search(r"<(http[^|>]+attendance\.csv)\|", shown.body).group(1)).status_code == 200

    expires, signature = link.split("/")[-3:-1]
    forged = world.bot.urls.event_attendance(event.public_id, expires, ("B" if signature[0] == "A" else "A")
                                             + signature[1:])
    assert _get(forged).status_code == 403
    other = _event_with_one_check_in(world)  # a host's link is for one event only
    assert _get(world.bot.urls.event_attendance(other.public_id, expires, signature)).status_code == 403
    past = "2020-01-01"  # signed by the server, but expired long ago
    expired = world.bot.urls.event_attendance(event.public_id, past, world.bot.signer.sign(PURPOSE, event.public_id,
                                                                                           past))
    refused = _get(expired)
    assert refused.status_code == 403 and LEARNER not in refused.text


def test_a_learners_signed_in_browser_is_refused(world):
    event = _event_with_one_check_in(world)
    # The cookie the check-in site gives a learner after Sign in with Slack.
    cookie = session_cookie(world.bot.signer).dump({"u": LEARNER, "n": "ana", "w": world.emulator.team_id})
    for path in (f"/events/{event.public_id}/attendance.csv",
                 f"/events/{event.public_id}/2999-01-01/forged/attendance.csv"):
        response = _get(world.url + path, cookies={"bb_session": cookie})
        assert response.status_code == 403 and LEARNER not in response.text
    # Nor does a learner get the host's link from Slack.
    asked = world.slack.command(LEARNER, f"event attendance {event.id}")
    assert "attendance.csv" not in asked.body
