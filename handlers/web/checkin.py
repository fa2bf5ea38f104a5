"""Check-in pages, on the learner's phone (the host's door screen is in hosts.py).

The QR code opens the first:
- `GET  /checkin/<code>`: what the code opens, then one of: "Check in as Ana" (one tap, when this browser
  is already signed in), "Sign in with Slack to check in", or, without SLACK_CLIENT_ID/SECRET, the code to
  type as `/badges claim CODE` in Slack;
- `POST /checkin/<code>`: the one tap; `GET /checkin/<code>/signin` -> Slack -> `GET /checkin/callback`:
  the sign-in, which checks in on return; `GET /checkin/done/<event>`: the confirmation;
- `GET  /checkin`: type a code by hand; `POST /checkin/signout`: forget who this browser is.

Routes only translate: every decision is made by bot/usecases/campus_events/checkin.py, with the rules of
bot/domain/checkin.py. Pages are server-rendered, small, and work without JavaScript.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import Response, request

from bot.adapters.oidc import SESSION_DAYS, SignedCookie, SignInFailed, SlackSignIn, session_cookie, signin_cookie
from bot.domain.checkin import normalize_code, parse_code
from bot.domain.times import clock_time
from bot.runtime.web_server import received_at
from bot.urls import PublicUrls
from bot.usecases.campus_events.checkin import CheckInRefused, CheckInResult, check_in, checkin_status, preview_code
from handlers.web.pages import PRIVATE, SiteCookies, begin_sign_in, render, returning_sign_in, see_other, slack_declined
from handlers.web.security import Routes
from handlers.web.services import app_state, badgebot

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.checkin")
SESSION = "bb_session"
SIGNIN = "bb_signin"
EXTENSION = "badgebot.checkin"
BUSY_RETRY_SECONDS = 1  # the Retry-After of a "busy, tap again" page

checkin = Routes("checkin", __name__, headers=PRIVATE)


@dataclass
class CheckinSite:
    """What the check-in pages of one web app keep: the bot's time zone, the two signed cookies, and
    Sign in with Slack, made on first use (asking Slack once which workspace this bot is in)."""

    badgebot: Badgebot
    tz: ZoneInfo
    sessions: SignedCookie
    signins: SignedCookie
    cookies: SiteCookies  # the check-in pages' and no other's; HTTPS-only when the public URL is
    _sign_in: SlackSignIn | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def of(cls, badgebot: Badgebot) -> CheckinSite:
        return cls(badgebot, ZoneInfo(badgebot.settings.timezone), session_cookie(badgebot.signer),
                   signin_cookie(badgebot.signer),
                   SiteCookies(badgebot.urls.paths.checkin_entry, badgebot.public_url.startswith("https://")))

    def sign_in(self) -> SlackSignIn | None:
        settings = self.badgebot.settings
        if not (settings.slack_client_id and settings.slack_client_secret):
            return None
        with self._lock:
            if self._sign_in is None:
                self._sign_in = SlackSignIn(settings.slack_client_id, settings.slack_client_secret,
                                            settings.slack_api_url, team_id=_workspace(self.badgebot))
            return self._sign_in


# Once per web app (the hosts' pages share it): the app's CheckinSite, and `site()` for views.
site = app_state(checkin, EXTENSION, CheckinSite.of)


# -- learners --------------------------------------------------------------------------------------


@checkin.get("/checkin")
def enter_code() -> Response:
    typed = request.args.get("code", "")
    if typed:
        code = normalize_code(typed)
        if code is not None:
            return see_other(_paths().checkin(code))
    return page("checkin_enter.html", 400 if typed else 200, typed=typed, invalid=bool(typed), person=who())


@checkin.get("/checkin/<code>")
def landing(code: str) -> Response:
    canonical = normalize_code(code)
    if canonical is None:
        return page("checkin_enter.html", 400, typed=code, invalid=True, person=who())
    if canonical != code:
        return see_other(_paths().checkin(canonical), 301)
    bot, person = badgebot(), who()
    if overloaded():
        # Nothing is judged or read: the tap judges the code as of this request's arrival, signed in the form.
        scanned = arrived().isoformat()
        return busy(code, person, csrf(person["u"], code, scanned) if person else None, scanned)
    try:
        preview = preview_code(bot.ctx, bot.signer, code, user=person["u"] if person else None,
                               tz=site().tz, received_at=arrived())
    except CheckInRefused as error:
        return refused(error, code)
    if person is not None:
        if preview.already is not None:
            return page("checkin_result.html", outcome="already", result=preview.already, person=person,
                        event_id=event_id_of(code))
        scanned = (preview.judged_at or bot.ctx.clock()).isoformat()
        return page("checkin.html", mode="one_tap", preview=preview, person=person, scanned=scanned,
                    csrf=csrf(person["u"], code, scanned))
    mode = "sign_in" if site().sign_in() is not None else "claim"
    return page("checkin.html", mode=mode, preview=preview, person=None)


@checkin.post("/checkin/<code>")
def one_tap(code: str) -> Response:
    bot, person = badgebot(), who()
    scanned = request.form.get("scanned", "")
    if person is None or not bot.signer.check(request.form.get("csrf", ""), "checkin-csrf", person["u"], code,
                                               scanned):
        return see_other(_paths().checkin(code))
    if overloaded():
        return busy(code, person, request.form["csrf"], scanned)  # the same tap, to send again
    try:
        # Judged as of when the page opened, as after a sign-in: a learner who reads the page before
        # tapping, or a server slow under a crowd, does not turn a good scan into an expired code.
        result = check_in(bot.ctx, bot.signer, code, person["u"], person.get("n"), method="qr",
                          tz=site().tz, scanned_at=dt.datetime.fromisoformat(scanned))
    except CheckInRefused as error:
        return refused(error, code)
    bot.delivery.kick()
    return checked_in(result, event_id_of(code))


@checkin.get("/checkin/<code>/signin")
def start_sign_in(code: str) -> Response:
    bot, provider = badgebot(), site().sign_in()
    if provider is None or normalize_code(code) != code:
        return see_other(_paths().checkin(code))
    try:
        preview = preview_code(bot.ctx, bot.signer, code, tz=site().tz, received_at=arrived())
    except CheckInRefused as error:
        return refused(error, code)
    return begin_sign_in(provider, bot.urls.checkin_callback, site().signins, site().cookies, SIGNIN,
                         c=code, t=(preview.judged_at or bot.ctx.clock()).isoformat())


@checkin.get("/checkin/callback")
def finish_sign_in() -> Response:
    bot, provider = badgebot(), site().sign_in()
    pending = returning_sign_in(site().signins, SIGNIN, provider)
    if provider is None or pending is None:
        return page("checkin_result.html", 400, outcome="signin_failed", person=who(), code=None,
                    message="This sign-in expired, or began in another browser. Scan the code again.")
    code = str(pending["c"])
    if slack_declined():
        return site().cookies.forget(page("checkin_result.html", 400, outcome="signin_failed", person=who(), code=code,
                            message="You did not finish signing in with Slack, so you are not checked in."), SIGNIN)
    try:
        identity = provider.identify(request.args["code"], bot.urls.checkin_callback, str(pending["o"]))
    except SignInFailed as error:
        return site().cookies.forget(page("checkin_result.html", 400, outcome="signin_failed", person=who(), code=code,
                            message=str(error)), SIGNIN)
    person = {"u": identity.user_id, "n": identity.name, "w": identity.team_id}
    try:
        result = check_in(bot.ctx, bot.signer, code, identity.user_id, identity.name, method="qr",
                          scanned_at=dt.datetime.fromisoformat(str(pending["t"])), tz=site().tz)
        response = checked_in(result, event_id_of(code))
        bot.delivery.kick()
    except CheckInRefused as error:
        response = refused(error, code)
    sessions = site().sessions
    site().cookies.set(site().cookies.forget(response, SIGNIN), SESSION, sessions.dump(person), sessions.max_age)
    return response


@checkin.get("/checkin/done/<int:event_id>")
def done(event_id: int) -> Response:
    person = who()
    result = checkin_status(badgebot().ctx, event_id, person["u"]) if person else None
    if result is None:
        return see_other(_paths().checkin_entry)
    return page("checkin_result.html", outcome="already" if request.args.get("r") == "already" else "new",
                result=result, person=person, event_id=event_id)


@checkin.post("/checkin/signout")
def sign_out() -> Response:
    back = normalize_code(request.form.get("code", ""))
    return site().cookies.forget(see_other(_paths().checkin(back) if back else _paths().checkin_entry), SESSION)


# -- helpers ---------------------------------------------------------------------------------------


def page(template: str, status: int = 200, /, **values: Any) -> Response:
    """A check-in page, with the bot's local time for its times."""
    tz, now = site().tz, badgebot().ctx.clock()
    return render(template, status, local_time=lambda value: clock_time(value, tz, now),
                  session_days=SESSION_DAYS, **values)


def who() -> dict[str, Any] | None:
    """Who signed in on this browser, if anyone (the session cookie)."""
    return site().sessions.load(request.cookies.get(SESSION))


def refused(error: CheckInRefused, code: str | None = None) -> Response:
    return page("checkin_result.html", 403 if error.refusal.value != "full" else 409, outcome="refused",
                refusal=error.refusal.value, message=str(error), code=code, person=who())


def checked_in(result: CheckInResult, event_id: int) -> Response:
    return see_other(_paths().checkin_done(event_id, new=result.new))


def csrf(user: str, code: str, scanned: str) -> str:
    """Ties the one-tap form to this browser's person, this code and when the page was opened."""
    return badgebot().signer.sign("checkin-csrf", user, code, scanned)


def overloaded() -> bool:
    """Whether this request waited longer than BADGEBOT_CHECKIN_BUSY_AFTER for a worker thread (from its
    arrival stamp to now, when a worker took it up): the server is behind a crowd, and an answer now
    ("busy, tap again") beats one after the queue. Without the stamp (another server): never."""
    limit = badgebot().settings.checkin_busy_after_seconds
    stamp = received_at(request.environ)
    return bool(limit) and stamp is not None and time.time() - stamp > limit


def busy(code: str, person: dict[str, Any] | None, csrf: str | None, scanned: str | None) -> Response:
    """503 with Retry-After, before any work: nothing was recorded. A signed-in learner gets the tap
    form itself (the code judged as of `scanned`, as from the check-in page); anyone else a retry link."""
    response = page("checkin_busy.html", 503, code=code, person=person, csrf=csrf, scanned=scanned)
    response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def arrived() -> dt.datetime:
    """When this request reached the server (bot.runtime.web_server stamps it), in the bot's clock. Under a
    crowd the request then waits in the queue for a worker thread; the code is judged as of its
    arrival, not of that wait (rules.arrival_time bounds how far back). Elsewhere: now."""
    now = badgebot().ctx.clock()
    stamp = received_at(request.environ)
    if stamp is None:
        return now
    return now - dt.timedelta(seconds=max(0.0, time.time() - stamp))


def event_id_of(code: str) -> int:
    parsed = parse_code(code)
    assert parsed is not None
    return parsed.event_id


def _paths() -> PublicUrls:
    return badgebot().urls.paths


def _workspace(badgebot: Badgebot) -> str | None:
    """The bot's workspace (auth.test), so sign-ins from any other workspace are refused."""
    team = badgebot.workspace.team_id()
    if team is None:  # without it, Slack's own workspace picker still applies
        log.warning("could not learn the workspace id; sign-ins are not limited to one workspace")
    return team
