"""Events and QR check-in end to end: signed Slack requests, the emulator (with its OpenID Connect
provider and the file upload flow), and the bot's pages over real HTTP, on SQLite and PostgreSQL.

A learner's phone is an httpx client with its own cookie jar that follows the same redirects a
browser would: bot -> emulator's authorize page -> bot's callback -> confirmation.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
import zxingcpp
from joserfc.jwk import RSAKey
from PIL import Image

from bot.adapters.oidc import SignInFailed, SlackSignIn
from bot.clock import FixedClock
from bot.domain import checkin as rules
from bot.runtime.web_server import serving
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.emulator.oidc import OidcProvider
from bot.usecases.progress import learner_progress
from config.catalog import Catalog
from config.settings import load_settings
from handlers.bootstrap import bootstrap
from tests.conftest import T0
from tests.e2e.conftest import (
    PEOPLE,
    SECRET,
    TOKEN,
    World,
    both_transports,
    slack_settings,
    slack_side,
)

HOST, LEARNER, OTHER, OUTSIDER = "U0HOST0001", "U0LEARN001", "U0LEARN002", "U0OUTSIDE1"
CLIENT_ID, CLIENT_SECRET = "1234.5678", "oidc-client-secret"


@dataclass
class EventWorld(World):
    clock: FixedClock = None  # type: ignore[assignment]
    oidc: OidcProvider | None = None

    def phone(self) -> httpx.Client:
        """A phone's browser: its own cookies, redirects followed by hand (to see each hop)."""
        return httpx.Client(timeout=15, trust_env=False, follow_redirects=False)


def start_world(database_url: str, catalog: Catalog, tmp_path: Path, *, sign_in: bool,
                transport: str = "http") -> Iterator[EventWorld]:
    clock = FixedClock(T0)
    with SlackEmulator(bot_token=TOKEN, signing_secret=SECRET) as emulator:
        for user_id, name in PEOPLE.items():
            emulator.add_user(name, id=user_id)
        emulator.add_channel("badge-reviews", id="C0REVIEWS1")
        with serving(lambda *a: web(*a)) as server:  # the app needs the URL, the URL needs the server
            url = server.url
            oidc = OidcProvider(emulator, CLIENT_ID, CLIENT_SECRET,
                                redirect_uris=[f"{url}/checkin/callback"]).install() if sign_in else None
            settings = load_settings(
                database_url=database_url, data_dir=tmp_path / "data", **slack_settings(emulator, transport),
                public_url=url,
                slack_client_id=CLIENT_ID if sign_in else "", slack_client_secret=CLIENT_SECRET if sign_in else "")
            badgebot = bootstrap(settings, catalog=catalog, clock=clock)
            badgebot.load_catalog("test")
            badgebot.start(scheduler=False)
            web = badgebot.web
            try:
                with slack_side(emulator, badgebot, url, transport) as slack:
                    yield EventWorld(emulator, slack, badgebot, badgebot, url, clock=clock, oidc=oidc)
            finally:
                badgebot.close()


@pytest.fixture
def events(database_url: str, engine: Any, catalog: Catalog, tmp_path: Path, transport: str) -> Iterator[EventWorld]:
    yield from start_world(database_url, catalog, tmp_path, sign_in=True, transport=transport)


@pytest.fixture
def events_without_sign_in(database_url: str, engine: Any, catalog: Catalog, tmp_path: Path) -> Iterator[EventWorld]:
    yield from start_world(database_url, catalog, tmp_path, sign_in=False)


# -- helpers -----------------------------------------------------------------------------------------


def acks(world: EventWorld, user: str) -> list[str]:
    return [m.text for m in world.emulator.ephemerals(user)]


def create_event(world: EventWorld, user: str = HOST, *, mode: str = "rotating", name: str = "Data Viz Meetup",
                 start: str = "09:15", end: str = "11:00", opens_before: str = "15", capacity: str | None = None) -> int:
    """Through the real form: `/badges event new`, then the modal's submission."""
    def announced() -> list[Any]:
        return [m for m in world.dm(user) if m.text.startswith("Event #")]

    before = len(announced())
    reply = world.slack.command(user, "event new")
    assert reply.status == 200
    [view] = world.settle(lambda: [v for v in world.emulator.views_of(user) if v.callback_id == "event_new"])
    values = {"name": name, "souvenir": "data-viz-meetup", "date": "2026-03-02", "start": start, "end": end,
              "opens_before": opens_before, "closes_after": "0", "location": "Library 204", "mode": mode}
    if capacity:
        values["capacity"] = capacity
    submitted = world.slack.view_submission(user, view.id, values)
    assert submitted.status == 200 and not submitted.body.strip(), submitted.body  # no form errors: closed
    # Wait for this event's announcement, not an earlier event's (a test may create several).
    created = world.settle(lambda: announced()[before:])
    assert created, "the host was never told the event's number"
    return int(re.match(r"Event #(\d+)", created[-1].text).group(1))


def display_link(world: EventWorld, user: str, number: int) -> str:
    message = next(m for m in world.dm(user) if m.text.startswith(f"Event #{number} "))
    return re.search(r"<(http[^|>]+/display)\|", str(message.blocks)).group(1)


def current_code(world: EventWorld, number: int) -> str:
    """What the door screen shows now (through its JSON, as the page's script reads it)."""
    link = display_link(world, HOST, number)
    state = httpx.get(link + ".json", trust_env=False).json()
    assert state["state"] == "open", state
    return state["code"]


class _Forms(HTMLParser):
    """The forms of a page: action, and the name/value of its hidden inputs and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}, "buttons": []})
        elif tag == "input" and self.forms and a.get("type") == "hidden":
            self.forms[-1]["fields"][a.get("name")] = a.get("value") or ""
        elif tag == "button" and self.forms and a.get("name"):
            self.forms[-1]["buttons"].append((a["name"], a.get("value") or ""))


def forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def follow(phone: httpx.Client, response: httpx.Response) -> httpx.Response:
    while response.is_redirect:
        response = phone.get(urljoin(str(response.url), response.headers["location"]))
    return response


def sign_in_and_check_in(world: EventWorld, phone: httpx.Client, url: str, user: str) -> httpx.Response:
    """Scan -> "Sign in with Slack" -> the emulator's authorize page -> pick `user` -> back -> checked in."""
    return follow(phone, phone.get(sign_in_at_slack(world, phone, url, user)))


def sign_in_at_slack(world: EventWorld, phone: httpx.Client, url: str, user: str) -> str:
    """Scan, then sign in at Slack as `user`: the URL Slack sends the browser back to (not yet followed)."""
    landing = follow(phone, phone.get(url))
    assert landing.status_code == 200 and "Sign in with Slack to check in" in landing.text, landing.text
    link = re.search(r'href="(/checkin/[^"]+/signin)"', landing.text).group(1)
    to_slack = phone.get(urljoin(url, link))
    assert to_slack.status_code == 303
    authorize = to_slack.headers["location"]
    assert authorize.startswith(world.emulator.base_url + "openid/connect/authorize?")
    page = phone.get(authorize)
    assert page.status_code == 200 and "Continue as" in page.text
    form = forms(page.text)[0]
    back = phone.post(urljoin(authorize, form["action"]), data={**form["fields"], "user": user})
    assert back.status_code == 302 and back.headers["location"].startswith(f"{world.url}/checkin/callback?")
    return back.headers["location"]


def outcome(page: httpx.Response) -> tuple[str, str | None]:
    match = re.search(r'data-outcome="([a-z_]+)"(?: data-refusal="([a-z_]+)")?', page.text)
    assert match, page.text
    return match.group(1), match.group(2)


def holds(world: EventWorld, user: str) -> list[str]:
    return sorted(h.credential for h in learner_progress(world.badgebot.ctx, user).holdings)


# -- the acceptance road -----------------------------------------------------------------------------


def test_a_poster_decodes_to_a_check_in_url_and_a_learner_checks_in_through_slack(events):
    number = create_event(events, mode="poster", name="Poster Night")
    # The poster arrives in the host's DM through the external upload flow.
    [posted] = events.settle(lambda: [m for m in events.dm(HOST) if m.files])
    assert "check-in poster" in posted.text
    stored = events.emulator.file(posted.files[0]["id"])
    assert stored.mimetype == "image/png" and stored.complete
    uploads = [c.method for c in events.emulator.calls() if c.method.startswith("files.")]
    assert uploads[:3] == ["files.getUploadURLExternal", "files.upload", "files.completeUploadExternal"]
    # A real QR decoder reads the printed code's URL.
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(stored.content)))
    checkin_url = qr.text
    assert checkin_url.startswith(f"{events.url}/checkin/")
    code = checkin_url.rsplit("/", 1)[1]
    assert rules.parse_code(code).event_id == number

    phone = events.phone()
    done = sign_in_and_check_in(events, phone, checkin_url, LEARNER)
    assert done.status_code == 200 and outcome(done) == ("new", None)
    assert "You're checked in" in done.text and "Data Visualization Meetup" in done.text
    assert events.oidc.sign_ins == [LEARNER]
    assert holds(events, LEARNER) == ["data-viz-meetup"]
    dm = events.settle(lambda: [m for m in events.dm(LEARNER) if "You earned" in m.text])
    assert "Data Visualization Meetup" in dm[0].text
    [home] = events.settle(lambda: [v for v in events.emulator.views_of(LEARNER) if v.type == "home"])
    assert "Data Visualization Meetup" in str(home.payload["blocks"])

    # Scanning again on the same phone: already checked in, no new sign-in needed.
    events.clock.advance(minutes=3)
    again = follow(phone, phone.get(checkin_url))
    assert outcome(again) == ("already", None) and "already checked in at 09:00" in again.text
    # And from a brand-new browser, after signing in again: the database still says once.
    other_phone = events.phone()
    second = sign_in_and_check_in(events, other_phone, checkin_url, LEARNER)
    assert outcome(second) == ("already", None) and "already checked in at 09:00" in second.text
    assert len([m for m in events.dm(LEARNER) if "You earned" in m.text]) == 1

    # The host's count and export.
    reply = events.slack.command(HOST, f"event show {number}")
    assert "1 checked in" in reply.body
    csv_link = re.search(r"<(http[^|>]+attendance\.csv)\|", reply.body).group(1)
    rows = httpx.get(csv_link, trust_env=False).text.splitlines()
    assert len(rows) == 2 and rows[1].startswith(f"{LEARNER},")


def test_a_rotating_code_signed_in_phone_checks_in_with_one_tap(events):
    first = create_event(events, name="First")
    phone = events.phone()
    page = display_link(events, HOST, first)
    screen = httpx.get(page, trust_env=False)
    assert screen.status_code == 200 and "<svg" in screen.text and "0 checked in" in screen.text
    assert screen.headers["Referrer-Policy"] == "no-referrer" and "no-store" in screen.headers["Cache-Control"]
    code = current_code(events, first)
    assert code in screen.text
    assert outcome(sign_in_and_check_in(events, phone, f"{events.url}/checkin/{code}", LEARNER))[0] == "new"
    assert "1 checked in" in httpx.get(page, trust_env=False).text

    second = create_event(events, name="Second")
    landing = phone.get(f"{events.url}/checkin/{current_code(events, second)}")
    assert "Check in as" in landing.text and "Sign in with Slack" not in landing.text
    form = next(f for f in forms(landing.text) if "csrf" in f["fields"])
    done = follow(phone, phone.post(urljoin(str(landing.url), form["action"]), data=form["fields"]))
    assert outcome(done) == ("new", None)
    assert events.oidc.sign_ins == [LEARNER]  # one sign-in, two check-ins
    # A forged form (no CSRF token) checks nobody in.
    third = create_event(events, name="Third")
    forged = phone.post(f"{events.url}/checkin/{current_code(events, third)}", data={"csrf": "x"})
    assert forged.status_code == 303 and "done" not in forged.headers["location"]


def test_codes_from_another_event_expired_or_tampered_are_refused_and_say_which(events):
    here = create_event(events, name="Here")
    there = create_event(events, name="There")
    phone = events.phone()
    code, theirs = current_code(events, here), current_code(events, there)

    tampered = code[:-1] + ("A" if code[-1] != "A" else "B")
    page = phone.get(f"{events.url}/checkin/{tampered}")
    assert page.status_code == 403 and outcome(page) == ("refused", "forged")
    assert "not a check-in code of ours" in page.text

    spliced = f"{rules.event_ref(here)}-{theirs.split('-')[1]}"
    page = phone.get(f"{events.url}/checkin/{spliced}")
    assert outcome(page) == ("refused", "other_event") and "another event, “There”" in page.text

    events.clock.advance(seconds=65)
    page = phone.get(f"{events.url}/checkin/{code}")
    assert outcome(page) == ("refused", "expired") and "expired" in page.text
    # A code typed in Slack gets the same answers.
    events.slack.command(LEARNER, f"claim {code}")
    events.slack.command(LEARNER, f"claim {tampered}")
    answers = acks(events, LEARNER)
    assert "expired" in answers[-2] and "not a check-in code of ours" in answers[-1]
    assert holds(events, LEARNER) == []


def test_check_in_outside_the_window_is_refused(events):
    later = create_event(events, name="Later", start="10:00", opens_before="15")  # check-in opens 09:45
    link = display_link(events, HOST, later)
    state = httpx.get(link + ".json", trust_env=False).json()
    assert (state["state"], state["code"]) == ("upcoming", None)
    assert "Check-in opens at 09:45" in httpx.get(link, trust_env=False).text
    early = rules.make_code(events.bot.signer, rules.EventRules(later, "", T0, T0 + dt.timedelta(hours=9)), T0)
    page = events.phone().get(f"{events.url}/checkin/{early}")
    assert outcome(page) == ("refused", "not_open_yet") and "opens at 09:45" in page.text

    events.clock.advance(minutes=50)
    code = current_code(events, later)
    phone = events.phone()
    assert outcome(sign_in_and_check_in(events, phone, f"{events.url}/checkin/{code}", LEARNER))[0] == "new"
    events.clock.advance(hours=2)  # past 11:00, the end of check-in
    page = phone.get(f"{events.url}/checkin/{code}")
    assert outcome(page) == ("refused", "window_closed") and "closed at 11:00" in page.text
    assert httpx.get(link + ".json", trust_env=False).json()["state"] == "over"


def test_a_non_host_cannot_create_or_run_events(events):
    reply = events.slack.command(LEARNER, "event new")
    assert reply.status == 200 and "Only event hosts can create events" in reply.body
    assert not [v for v in events.emulator.views_of(LEARNER) if v.callback_id == "event_new"]
    for words in ("event list", "event show 1", "event close 1", f"event award 1 <@{OTHER}|bo>"):
        assert "Only event hosts" in events.slack.command(LEARNER, words).body
    number = create_event(events)
    assert "Only event hosts" in events.slack.command(LEARNER, f"event close {number}").body
    assert f"#{number} Data Viz Meetup" in events.slack.command("U0ADMIN001", f"event show {number}").body


@both_transports
def test_slash_claim_works_with_the_human_code(events):
    number = create_event(events, capacity="2")
    code = current_code(events, number)
    typed = code.lower().replace("-", " ")
    reply = events.slack.command(LEARNER, f"claim {typed}")
    assert reply.status == 200 and reply.json()["text"].startswith(":white_check_mark: Checked in at Data Viz Meetup")
    assert holds(events, LEARNER) == ["data-viz-meetup"]
    events.settle(lambda: [m for m in events.dm(LEARNER) if "You earned" in m.text])
    events.clock.advance(minutes=2)
    again = events.slack.command(LEARNER, f"claim {current_code(events, number)}")
    assert "already checked in at 09:00" in again.body
    assert events.slack.command(OTHER, f"claim {current_code(events, number)}").json()["text"].startswith(
        ":white_check_mark:")
    full = events.slack.command(OUTSIDER, f"claim {current_code(events, number)}")
    assert "full" in full.body
    assert "Type the code" in events.slack.command(LEARNER, "claim").body


def test_hosts_list_close_and_award_from_slack(events):
    number = create_event(events)
    listing = events.slack.command(HOST, "event list")
    assert f"#{number} Data Viz Meetup" in listing.body and "check-in open" in listing.body
    awarded = events.slack.command(HOST, f"event award #{number} <@{LEARNER}|ana> {OTHER}")
    assert "Checked in and awarded" in awarded.body and holds(events, OTHER) == ["data-viz-meetup"]
    assert "Already checked in" in events.slack.command(HOST, f"event award {number} <@{LEARNER}>").body
    assert "not the person" in events.slack.command(HOST, f"event award {number} @ana").body
    closed = events.slack.command(HOST, f"event close {number}")
    assert "is closed: 2 checked in" in closed.body
    assert "help" in events.slack.command(HOST, "event").body or "Events" in events.slack.command(HOST, "event").body
    assert "Poster" not in events.slack.command(HOST, f"event poster {number}").body  # rotating: refused, says why
    help_text = events.slack.command(HOST, "help").body
    assert "/badges event" in help_text and "/badges claim" in help_text


def test_without_slack_sign_in_the_page_shows_the_claim_code(events_without_sign_in):
    world = events_without_sign_in
    number = create_event(world)
    code = current_code(world, number)
    page = world.phone().get(f"{world.url}/checkin/{code}")
    assert page.status_code == 200 and f"/badges claim {code}" in page.text
    assert "Sign in with Slack" not in page.text
    assert world.phone().get(f"{world.url}/checkin/{code}/signin").status_code == 303  # back to the page
    typed = world.phone().get(f"{world.url}/checkin", params={"code": code.lower()})
    assert typed.status_code == 303 and typed.headers["location"] == f"/checkin/{code}"
    assert world.phone().get(f"{world.url}/checkin", params={"code": "nonsense!"}).status_code == 400


def test_sign_in_is_refused_when_anything_about_it_is_off(events):
    number = create_event(events)
    code = current_code(events, number)
    phone = events.phone()
    # A return from Slack without the browser's sign-in cookie (a link passed on) is refused.
    stranger = events.phone().get(f"{events.url}/checkin/callback", params={"code": "x", "state": "y"})
    assert stranger.status_code == 400 and outcome(stranger)[0] == "signin_failed"
    # Cancelling at Slack.
    to_slack = phone.get(f"{events.url}/checkin/{code}/signin")
    authorize = to_slack.headers["location"]
    form = forms(phone.get(authorize).text)[0]
    back = phone.post(urljoin(authorize, form["action"]), data={**form["fields"], "cancel": "1"})
    cancelled = phone.get(back.headers["location"])
    assert outcome(cancelled)[0] == "signin_failed" and "did not finish signing in" in cancelled.text
    assert holds(events, LEARNER) == []


def test_the_relying_party_verifies_the_id_token(events):
    rp = SlackSignIn(CLIENT_ID, CLIENT_SECRET, events.emulator.api_url)
    good = events.oidc.id_token(LEARNER, "n-1")
    assert rp.verify_id_token(good, "n-1")["sub"] == LEARNER
    intruder = RSAKey.generate_key(2048, parameters={"kid": events.oidc.key.kid})
    bad = {
        "another key": events.oidc.id_token(LEARNER, "n-1", key=intruder),
        "another nonce": good,
        "another audience": events.oidc.id_token(LEARNER, "n-1", aud="someone-else"),
        "another issuer": events.oidc.id_token(LEARNER, "n-1", iss="https://evil.example"),
        "expired": events.oidc.id_token(LEARNER, "n-1", exp=int(dt.datetime.now().timestamp()) - 3600),
        "altered": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
    }
    for why, token in bad.items():
        with pytest.raises(SignInFailed):
            rp.verify_id_token(token, "n-2" if why == "another nonce" else "n-1")
    # A workspace other than the bot's is refused too.
    elsewhere = SlackSignIn(CLIENT_ID, CLIENT_SECRET, events.emulator.api_url, team_id="T0ELSEWHERE")
    assert "team=T0ELSEWHERE" in elsewhere.authorize_url("http://x/cb", "s", "n")
    assert urlsplit(rp.authorize_url("http://x/cb", "s", "n")).path == "/openid/connect/authorize"


def test_capacity_holds_exactly_when_a_crowd_signs_in_at_once(events):
    crowd = [f"U0CROWD{i:03d}" for i in range(8)]
    for i, user in enumerate(crowd):
        events.emulator.add_user(f"crowd{i}", id=user)
    number = create_event(events, name="Small Room", capacity="3")
    url = f"{events.url}/checkin/{current_code(events, number)}"
    # Eight phones scan and sign in at Slack; then all eight come back to the bot at the same moment.
    phones = [events.phone() for _ in crowd]
    returns = [sign_in_at_slack(events, phone, url, user) for phone, user in zip(phones, crowd)]
    barrier = threading.Barrier(len(crowd))

    def come_back(i: int) -> httpx.Response:
        barrier.wait(timeout=30)
        return follow(phones[i], phones[i].get(returns[i]))

    with ThreadPoolExecutor(len(crowd)) as pool:
        pages = list(pool.map(come_back, range(len(crowd))))
    outcomes = [outcome(page) for page in pages]
    assert sorted(outcomes).count(("new", None)) == 3 and outcomes.count(("refused", "full")) == 5, outcomes
    turned_away = next(page for page in pages if outcome(page)[0] == "refused")
    assert turned_away.status_code == 409 and "all 3 places are taken" in turned_away.text
    admitted = sorted(user for user, got in zip(crowd, outcomes) if got[0] == "new")
    assert [user for user in crowd if holds(events, user)] == admitted  # no souvenir for those turned away

    # The host sees three everywhere: the door screen, Slack, and the attendance export.
    door = display_link(events, HOST, number)
    assert "3 checked in of 3" in httpx.get(door, trust_env=False).text
    state = httpx.get(door + ".json", trust_env=False).json()
    assert (state["count"], state["capacity"]) == (3, 3)
    shown = events.slack.command(HOST, f"event show {number}")
    assert "3 checked in" in shown.body
    csv_link = re.search(r"<(http[^|>]+attendance\.csv)\|", shown.body).group(1)
    export = httpx.get(csv_link, trust_env=False)
    assert export.headers["content-type"].startswith("text/csv")
    assert f'filename="event-{number}-attendance.csv"' in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert sorted(r["learner_slack_id"] for r in rows) == admitted and {r["method"] for r in rows} == {"qr"}
    assert all(r["checked_in_at_utc"].startswith("2026-03-02T09:00") for r in rows)

    # Someone already in who scans again is told so, not that the room is full; a newcomer is told it is.
    first_in = phones[crowd.index(admitted[0])]
    again = first_in.get(url)
    assert outcome(again) == ("already", None) and "already checked in at 09:00" in again.text
    latecomer = events.phone().get(url)
    assert latecomer.status_code == 409 and outcome(latecomer) == ("refused", "full")
    # The host's links are unguessable: any other id is simply not found.
    assert httpx.get(f"{events.url}/events/not-the-id/display", trust_env=False).status_code == 404
    assert httpx.get(f"{events.url}/events/not-the-id/attendance.csv", trust_env=False).status_code == 404


def test_the_door_screen_counts_check_ins_as_they_happen(events):
    number = create_event(events, name="Live")
    door = display_link(events, HOST, number)
    assert httpx.get(door + ".json", trust_env=False).json()["count"] == 0
    for user, expected in ((LEARNER, 1), (OTHER, 2)):
        events.slack.command(user, f"claim {current_code(events, number)}")
        assert httpx.get(door + ".json", trust_env=False).json()["count"] == expected
    events.slack.command(HOST, f"event award {number} <@{OUTSIDER}>")
    assert httpx.get(door + ".json", trust_env=False).json()["count"] == 3
    assert "3 checked in" in events.slack.command(HOST, f"event show {number}").body
    listing = events.slack.command(HOST, "event list").body
    assert f"#{number} Live" in listing and "check-in open" in listing and "3 checked in" in listing


def test_a_tap_counts_from_when_the_page_opened_for_ten_minutes(events):
    phone = events.phone()
    first = create_event(events, name="First")
    sign_in_and_check_in(events, phone, f"{events.url}/checkin/{current_code(events, first)}", LEARNER)

    def open_page(number: int) -> tuple[httpx.Response, dict[str, Any]]:
        landing = phone.get(f"{events.url}/checkin/{current_code(events, number)}")
        return landing, next(f for f in forms(landing.text) if "csrf" in f["fields"])

    # She opens the page, reads it for a minute and a half (the screen's code changed meanwhile), taps.
    landing, form = open_page(create_event(events, name="Second"))
    events.clock.advance(seconds=90)
    done = follow(phone, phone.post(urljoin(str(landing.url), form["action"]), data=form["fields"]))
    assert outcome(done) == ("new", None) and "Second, at 09:01" in done.text
    # Eleven minutes is too long: the scan has expired, and the page says to scan again.
    landing, form = open_page(create_event(events, name="Third"))
    events.clock.advance(minutes=11)
    late = phone.post(urljoin(str(landing.url), form["action"]), data=form["fields"])
    assert outcome(late) == ("refused", "expired") and "more than 10 minutes old" in late.text
    # When the page was opened is signed with the form: moving it checks nobody in.
    landing, form = open_page(create_event(events, name="Fourth"))
    events.clock.advance(minutes=11)
    moved = phone.post(urljoin(str(landing.url), form["action"]),
                       data={**form["fields"], "scanned": events.clock().isoformat()})
    assert moved.status_code == 303 and "done" not in moved.headers["location"]
    assert holds(events, LEARNER) == ["data-viz-meetup"]
