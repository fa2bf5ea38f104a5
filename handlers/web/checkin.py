"""Check-in pages, on the learner's phone, and the host's door screen.

Learners (the QR code opens the first):
- `GET  /checkin/<code>`: what the code opens, then one of: "Check in as Ana" (one tap, when this browser
  is already signed in), "Sign in with Slack to check in", or, without SLACK_CLIENT_ID/SECRET, the code to
  type as `/badges claim CODE` in Slack;
- `POST /checkin/<code>`: the one tap; `GET /checkin/<code>/signin` -> Slack -> `GET /checkin/callback`:
  the sign-in, which checks in on return; `GET /checkin/done/<event>`: the confirmation;
- `GET  /checkin`: type a code by hand; `POST /checkin/signout`: forget who this browser is.
Hosts (links only they receive, built from the event's unguessable id):
- `GET /events/<id>/display` (+ `display.json`, polled by the page): the rotating QR code and the count;
- `GET /events/<id>/attendance.csv`.

Routes only translate: every decision is made by bot/usecases/events.py, with the rules of
bot/domain/checkin.py. Pages are server-rendered, small, and work without JavaScript (the display
page then refreshes itself).
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import secrets
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Flask, Response, redirect, request
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.domain.checkin import normalize_code
from bot.errors import NotFound
from bot.adapters.poster import checkin_url, qr_svg
from bot.adapters.oidc import SignInFailed, SlackSignIn, session_cookie, signin_cookie
from bot.usecases import events as events_uc
from bot.usecases.events import CheckInRefused, CheckInResult
from bot.runtime.web_server import received_at

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.checkin")
TEMPLATES = Path(__file__).with_name("templates")
SESSION = "bb_session"
SIGNIN = "bb_signin"
COOKIE_PATH = "/checkin"
POLL_SECONDS = 2


def display_url(public_url: str, public_id: str) -> str:
    """The host's door-screen link (unguessable: never show it to learners)."""
    return f"{public_url.rstrip('/')}/events/{quote(public_id)}/display"


def attendance_url(public_url: str, public_id: str) -> str:
    return f"{public_url.rstrip('/')}/events/{quote(public_id)}/attendance.csv"


def checkin_pages(badgebot: "Badgebot", web: Flask) -> None:
    """Add the check-in pages and the host's display and attendance export to the web app."""
    ctx, settings = badgebot.ctx, badgebot.settings
    tz = ZoneInfo(settings.timezone)
    signer = badgebot.signer
    sessions, signins = session_cookie(signer), signin_cookie(signer)
    secure = badgebot.public_url.startswith("https://")
    redirect_uri = f"{badgebot.public_url}/checkin/callback"
    templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    templates.globals["local_time"] = lambda value: events_uc.clock_time(value, tz, ctx.clock())
    sign_in_holder: list[SlackSignIn] = []
    # The door screen asks every POLL_SECONDS; its QR code changes once a period.
    door_qr = functools.lru_cache(maxsize=64)(lambda url: qr_svg(url, "Check-in QR code"))
    lock = threading.Lock()

    def sign_in() -> SlackSignIn | None:
        """The relying party, made on first use (asking Slack once which workspace this bot is in)."""
        if not (settings.slack_client_id and settings.slack_client_secret):
            return None
        with lock:
            if not sign_in_holder:
                sign_in_holder.append(SlackSignIn(settings.slack_client_id, settings.slack_client_secret,
                                                  settings.slack_api_url, team_id=_workspace(badgebot)))
            return sign_in_holder[0]

    def page(template: str, status: int = 200, **values: Any) -> Response:
        nonce = secrets.token_urlsafe(12)
        body = templates.get_template(template).render(script_nonce=nonce, **values)
        response = Response(body, status=status, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # codes and display links stay off other sites' logs
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        return response

    def who() -> dict[str, Any] | None:
        return sessions.load(request.cookies.get(SESSION))

    def refused(error: CheckInRefused, code: str | None = None) -> Response:
        return page("checkin_result.html", 403 if error.refusal.value != "full" else 409, outcome="refused",
                    refusal=error.refusal.value, message=str(error), code=code, person=who())

    def checked_in(result: CheckInResult, event_id: int) -> Response:
        return redirect(f"/checkin/done/{event_id}?r={'new' if result.new else 'already'}", code=303)

    def kick_delivery() -> None:
        badgebot.delivery.kick()

    def csrf(user: str, code: str, scanned: str) -> str:
        """Ties the one-tap form to this browser's person, this code and when the page was opened."""
        return signer.sign("checkin-csrf", user, code, scanned)

    def arrived() -> dt.datetime:
        """When this request reached the server (bot.runtime.web_server stamps it), in the bot's clock. Under a
        crowd the request then waits in the queue for a worker thread; the code is judged as of its
        arrival, not of that wait (rules.arrival_time bounds how far back). Elsewhere: now."""
        now = ctx.clock()
        stamp = received_at(request.environ)
        if stamp is None:
            return now
        return now - dt.timedelta(seconds=max(0.0, time.time() - stamp))

    def event_id_of(code: str) -> int:
        from bot.domain.checkin import parse_code

        parsed = parse_code(code)
        assert parsed is not None
        return parsed.event_id

    # -- learners --------------------------------------------------------------------------------------

    @web.get("/checkin")
    def enter_code() -> Response:
        typed = request.args.get("code", "")
        if typed:
            code = normalize_code(typed)
            if code is not None:
                return redirect(f"/checkin/{quote(code)}", code=303)
        return page("checkin_enter.html", 400 if typed else 200, typed=typed, invalid=bool(typed), person=who())

    @web.get("/checkin/<code>")
    def landing(code: str) -> Response:
        canonical = normalize_code(code)
        if canonical is None:
            return page("checkin_enter.html", 400, typed=code, invalid=True, person=who())
        if canonical != code:
            return redirect(f"/checkin/{quote(canonical)}", code=301)
        person = who()
        try:
            preview = events_uc.preview_code(ctx, signer, code, user=person["u"] if person else None, tz=tz,
                                             received_at=arrived())
        except CheckInRefused as error:
            return refused(error, code)
        if person is not None:
            if preview.already is not None:
                return page("checkin_result.html", outcome="already", result=preview.already, person=person,
                            event_id=event_id_of(code))
            scanned = (preview.judged_at or ctx.clock()).isoformat()
            return page("checkin.html", mode="one_tap", preview=preview, person=person, scanned=scanned,
                        csrf=csrf(person["u"], code, scanned))
        mode = "sign_in" if sign_in() is not None else "claim"
        return page("checkin.html", mode=mode, preview=preview, person=None)

    @web.post("/checkin/<code>")
    def one_tap(code: str) -> Response:
        person = who()
        scanned = request.form.get("scanned", "")
        if person is None or not signer.check(request.form.get("csrf", ""), "checkin-csrf", person["u"], code,
                                               scanned):
            return redirect(f"/checkin/{quote(code)}", code=303)
        try:
            # Judged as of when the page opened, as after a sign-in: a learner who reads the page before
            # tapping, or a server slow under a crowd, does not turn a good scan into an expired code.
            result = events_uc.check_in(ctx, signer, code, person["u"], person.get("n"), method="qr", tz=tz,
                                        scanned_at=dt.datetime.fromisoformat(scanned))
        except CheckInRefused as error:
            return refused(error, code)
        kick_delivery()
        return checked_in(result, event_id_of(code))

    @web.get("/checkin/<code>/signin")
    def start_sign_in(code: str) -> Response:
        provider = sign_in()
        if provider is None or normalize_code(code) != code:
            return redirect(f"/checkin/{quote(code)}", code=303)
        try:
            preview = events_uc.preview_code(ctx, signer, code, tz=tz, received_at=arrived())
        except CheckInRefused as error:
            return refused(error, code)
        state, nonce = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        response = redirect(provider.authorize_url(redirect_uri, state, nonce), code=303)
        _set_cookie(response, SIGNIN, signins.dump({"s": state, "o": nonce, "c": code,
                                                     "t": (preview.judged_at or ctx.clock()).isoformat()}),
                    signins.max_age, secure)
        return response

    @web.get("/checkin/callback")
    def finish_sign_in() -> Response:
        provider = sign_in()
        pending = signins.load(request.cookies.get(SIGNIN))
        if provider is None or pending is None or not secrets.compare_digest(
                request.args.get("state", ""), str(pending.get("s", ""))):
            return page("checkin_result.html", 400, outcome="signin_failed", person=who(), code=None,
                        message="This sign-in expired, or began in another browser. Scan the code again.")
        code = str(pending["c"])
        if request.args.get("error") or not request.args.get("code"):
            response = page("checkin_result.html", 400, outcome="signin_failed", person=who(), code=code,
                            message="You did not finish signing in with Slack, so you are not checked in.")
            _clear_cookie(response, SIGNIN, secure)
            return response
        try:
            identity = provider.identify(request.args["code"], redirect_uri, str(pending["o"]))
        except SignInFailed as error:
            response = page("checkin_result.html", 400, outcome="signin_failed", person=who(), code=code,
                            message=str(error))
            _clear_cookie(response, SIGNIN, secure)
            return response
        person = {"u": identity.user_id, "n": identity.name, "w": identity.team_id}
        try:
            result = events_uc.check_in(ctx, signer, code, identity.user_id, identity.name, method="qr",
                                        scanned_at=dt.datetime.fromisoformat(str(pending["t"])), tz=tz)
            response = checked_in(result, event_id_of(code))
            kick_delivery()
        except CheckInRefused as error:
            response = refused(error, code)
        _clear_cookie(response, SIGNIN, secure)
        _set_cookie(response, SESSION, sessions.dump(person), sessions.max_age, secure)
        return response

    @web.get("/checkin/done/<int:event_id>")
    def done(event_id: int) -> Response:
        person = who()
        result = events_uc.checkin_status(ctx, event_id, person["u"]) if person else None
        if result is None:
            return redirect("/checkin", code=303)
        return page("checkin_result.html", outcome="already" if request.args.get("r") == "already" else "new",
                    result=result, person=person, event_id=event_id)

    @web.post("/checkin/signout")
    def sign_out() -> Response:
        back = normalize_code(request.form.get("code", ""))
        response = redirect(f"/checkin/{quote(back)}" if back else "/checkin", code=303)
        _clear_cookie(response, SESSION, secure)
        return response

    # -- hosts -----------------------------------------------------------------------------------------

    def display_values(public_id: str) -> dict[str, Any]:
        state = events_uc.display_state(ctx, signer, public_id)
        event = state.event
        url = checkin_url(badgebot.public_url, state.code) if state.code else None
        changes_in = (state.changes_at - state.now).total_seconds() if state.changes_at else None
        return {
            "name": event.name, "state": state.state, "code": state.code, "url": url,
            "svg": door_qr(url) if url else None, "count": event.checkin_count,
            "capacity": event.capacity, "changes_in": changes_in, "opens": events_uc.clock_time(event.opens_at, tz, state.now),
            "closes": events_uc.clock_time(event.closes_at, tz, state.now), "location": event.location,
            "souvenir": event.souvenir_name, "enter_url": f"{badgebot.public_url}/checkin",
            "period": event.period_seconds if state.changes_at else None,
        }

    @web.get("/events/<public_id>/display")
    def display(public_id: str) -> Response:
        try:
            values = display_values(public_id)
        except NotFound:
            return page("event_display_missing.html", 404)
        refresh = POLL_SECONDS if values["state"] == "open" else 30
        return page("event_display.html", **values, poll_seconds=POLL_SECONDS, refresh=refresh,
                    json_url=f"/events/{quote(public_id)}/display.json")

    @web.get("/events/<public_id>/display.json")
    def display_json(public_id: str) -> Response:
        try:
            values = display_values(public_id)
        except NotFound:
            return Response('{"error": "not_found"}', status=404, mimetype="application/json")
        from flask import jsonify

        response = jsonify(values)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @web.get("/events/<public_id>/attendance.csv")
    def attendance_csv(public_id: str) -> Response:
        try:
            event, people = events_uc.attendance(ctx, None, public_id=public_id)
        except NotFound:
            return page("event_display_missing.html", 404)
        out = io.StringIO()
        events_uc.write_attendance_csv(event, people, out, tz)
        response = Response(out.getvalue(), mimetype="text/csv")
        response.headers["Content-Disposition"] = f'attachment; filename="event-{event.id}-attendance.csv"'
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response


def _workspace(badgebot: "Badgebot") -> str | None:
    """The bot's workspace (auth.test), so sign-ins from any other workspace are refused."""
    team = badgebot.workspace.team_id()
    if team is None:  # without it, Slack's own workspace picker still applies
        log.warning("could not learn the workspace id; sign-ins are not limited to one workspace")
    return team


def _set_cookie(response: Response, name: str, value: str, max_age: int, secure: bool) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, secure=secure, httponly=True,
                        samesite="Lax")


def _clear_cookie(response: Response, name: str, secure: bool) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, secure=secure, httponly=True, samesite="Lax")
