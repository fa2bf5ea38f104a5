"""The host's pages, at links only hosts receive (built from the event's unguessable id):

- `GET /events/<id>/display` (+ `display.json`, polled by the page): the rotating QR code and the count;
  without JavaScript the page refreshes itself;
- `GET /events/<id>/<expires>/<signature>/attendance.csv`: the attendance, at the host's signed link
  (handlers/attendance_links.py); the door screen's id alone (`/events/<id>/attendance.csv`) is refused.

Routes only translate: the state of the door is `display_state` (bot/usecases/campus_events/checkin.py).
"""
from __future__ import annotations

import functools
import io
from typing import Any

from flask import Response, jsonify

from bot.adapters.poster import qr_svg
from bot.domain.times import clock_time
from bot.errors import NotFound
from bot.usecases.campus_events.attendance import attendance, write_attendance_csv
from bot.usecases.campus_events.checkin import display_state
from handlers.attendance_links import attendance_link_valid
from handlers.web.checkin import EXTENSION, CheckinSite, page
from handlers.web.pages import PRIVATE
from handlers.web.security import Routes
from handlers.web.services import app_state, badgebot

POLL_SECONDS = 2

hosts = Routes("hosts", __name__, headers=PRIVATE)
site = app_state(hosts, EXTENSION, CheckinSite.of)  # the same CheckinSite as the learners' pages


@functools.lru_cache(maxsize=64)
def door_qr(url: str) -> str:
    """The door screen asks every POLL_SECONDS; its QR code changes once a period."""
    return qr_svg(url, "Check-in QR code")


def display_values(public_id: str) -> dict[str, Any]:
    bot, tz = badgebot(), site().tz
    state = display_state(bot.ctx, bot.signer, public_id)
    event = state.event
    url = bot.urls.checkin(state.code) if state.code else None
    changes_in = (state.changes_at - state.now).total_seconds() if state.changes_at else None
    return {
        "name": event.name, "state": state.state, "code": state.code, "url": url,
        "svg": door_qr(url) if url else None, "count": event.checkin_count,
        "capacity": event.capacity, "changes_in": changes_in,
        "opens": clock_time(event.opens_at, tz, state.now),
        "closes": clock_time(event.closes_at, tz, state.now), "location": event.location,
        "souvenir": event.souvenir_name, "enter_url": bot.urls.checkin_entry,
        "period": event.period_seconds if state.changes_at else None,
    }


@hosts.get("/events/<public_id>/display")
def display(public_id: str) -> Response:
    try:
        values = display_values(public_id)
    except NotFound:
        return page("event_display_missing.html", 404)
    refresh = POLL_SECONDS if values["state"] == "open" else 30
    return page("event_display.html", **values, poll_seconds=POLL_SECONDS, refresh=refresh,
                json_url=badgebot().urls.paths.event_display_json(public_id))


@hosts.get("/events/<public_id>/display.json")
def display_json(public_id: str) -> Response:
    try:
        values = display_values(public_id)
    except NotFound:
        return Response('{"error": "not_found"}', status=404, mimetype="application/json")
    return jsonify(values)


# The bare path is what someone who saw the door screen would try: refused, saying where the list is.
@hosts.get("/events/<public_id>/attendance.csv", defaults={"expires": "", "signature": ""})
@hosts.get("/events/<public_id>/<expires>/<signature>/attendance.csv")
def attendance_csv(public_id: str, expires: str, signature: str) -> Response:
    bot = badgebot()
    try:
        event, people = attendance(bot.ctx, None, public_id=public_id)
    except NotFound:
        return page("event_display_missing.html", 404)
    if not attendance_link_valid(bot, public_id, expires, signature):
        # Only the host's link opens it: not the door screen's id, and no signed-in browser either
        # (the check-in session, anyone's, grants nothing here).
        return Response("This link does not open the attendance list: that needs the host's own link, which "
                        "expires. The host gets a fresh one with `/badges event attendance <number>` in Slack.\n",
                        status=403, mimetype="text/plain")
    out = io.StringIO()
    write_attendance_csv(event, people, out, site().tz)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}-attendance.csv"'
    return response
