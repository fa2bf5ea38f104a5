"""A crowd at the door (issue 15): the tap's few statements keep every guarantee, and a request that waited
too long for a worker thread is answered "busy, tap again" at once, recording nothing.

The phone's requests go through the bot's own Flask app (and, for the queue itself, its real server with one
worker thread), on SQLite and PostgreSQL. "Waited too long" is the server's arrival stamp on the request: a
stamp seconds in the past, or a request held behind a lock, never a sleep hoping for a slow machine.
"""
from __future__ import annotations

import datetime as dt
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, event, func, select, text, update

from bot.adapters.oidc import session_cookie
from bot.clock import FixedClock
from bot.domain import checkin as rules
from bot.runtime.web_server import RECEIVED_AT, serving
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.hosting import EventDraft, EventView
from config.catalog import Catalog
from config.settings import load_settings
from handlers.bootstrap import Badgebot, bootstrap
from models import AuditEntry, Award, CheckIn, Event, Learner, OutboxMessage

HOST, ANA, BO = "U0HOST0001", "U0LEARN001", "U0LEARN002"
HIDDEN = re.compile(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"')
SECONDS = 10  # a deadline for each step, never a measurement
BUSY_AFTER = 0.2  # the crowd bot's threshold, short so the queue test is quick


@pytest.fixture
def crowd_bot(database_url: str, engine: Engine, clock: FixedClock, catalog: Catalog,
              tmp_path: Path) -> Iterator[Badgebot]:
    """The bot as the conftest's `badgebot`, with a short BADGEBOT_CHECKIN_BUSY_AFTER."""
    settings = load_settings(database_url=database_url, data_dir=tmp_path / "data",
                             public_url="https://badges.test.example.edu", checkin_busy_after_seconds=BUSY_AFTER)
    app = bootstrap(settings, clock=clock, catalog=catalog)
    app.load_catalog("test")
    yield app
    app.close()


def open_event(bot: Badgebot, **changes: object) -> EventView:
    now = bot.ctx.clock()
    values: dict[str, object] = {"name": "Keynote", "souvenir": "data-viz-meetup", "starts_at": now,
                                 "ends_at": now + dt.timedelta(hours=2), "opens_at": now - dt.timedelta(minutes=5)}
    return hosting_uc.create_event(bot.ctx, HOST, EventDraft(**(values | changes)))  # type: ignore[arg-type]


def code_of(bot: Badgebot, created: EventView) -> str:
    return rules.make_code(bot.signer, created.rules, bot.ctx.clock())


def phone(bot: Badgebot, user: str, name: str):
    client = bot.web.test_client()
    client.set_cookie("bb_session", session_cookie(bot.signer).dump({"u": user, "n": name, "w": "T0"}))
    return client


def form_of(page) -> dict[str, str]:
    return dict(HIDDEN.findall(page.get_data(as_text=True)))


def waited(seconds: float) -> dict[str, float]:
    """The environ of a request the server stamped `seconds` ago (bot.runtime.web_server)."""
    return {RECEIVED_AT: time.time() - seconds}


def rows(bot: Badgebot, model: type, **where: object) -> int:
    with bot.ctx.reading() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def nothing_recorded(bot: Badgebot, created: EventView) -> None:
    assert rows(bot, CheckIn) == rows(bot, Award) == rows(bot, OutboxMessage) == 0
    assert rows(bot, AuditEntry, action="event.checkin") == 0
    with bot.ctx.reading() as session:
        assert session.scalar(select(Event.checkin_count).where(Event.id == created.id)) == 0


# -- the tap, in few statements, with every guarantee ------------------------------------------------


def test_a_tap_is_one_short_transaction_that_records_the_check_in_the_souvenir_its_dm_and_the_audit(crowd_bot):
    created = open_event(crowd_bot)
    code = code_of(crowd_bot, created)
    ana = phone(crowd_bot, ANA, "Ana")
    form = form_of(ana.get(f"/checkin/{code}"))
    sent: list[str] = []

    def listener(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement.split(None, 1)[0].upper())

    event.listen(crowd_bot.engine, "before_cursor_execute", listener)
    try:
        tapped = ana.post(f"/checkin/{code}", data=form)
    finally:
        event.remove(crowd_bot.engine, "before_cursor_execute", listener)

    assert tapped.status_code == 303
    assert 'data-outcome="new"' in ana.get(tapped.headers["location"]).get_data(as_text=True)
    # BEGIN (SQLite's), the event, the learner, the check-in, the award, its DM, the count, the audit rows.
    assert len(sent) <= 8, sent
    with crowd_bot.ctx.reading() as session:
        learner = session.scalars(select(Learner).where(Learner.slack_user_id == ANA)).one()
        award = session.scalars(select(Award).where(Award.learner_id == learner.id)).one()
        dm = session.scalars(select(OutboxMessage)).one()
        entries = {(e.action, e.actor, e.subject_id): e.detail for e in session.scalars(select(AuditEntry)
                   .where(AuditEntry.action.in_(("award.issued", "event.checkin"))))}
    assert learner.display_name == "Ana"
    assert (award.event_id, award.issued_by, award.revoked_at) == (created.id, HOST, None)
    assert (dm.kind, dm.recipient, dm.payload, dm.dedupe_key) == ("award", ANA, {"award_id": award.id},
                                                                  f"award:{award.id}")
    assert entries == {
        ("award.issued", HOST, str(award.id)): {"learner": ANA, "credential": "data-viz-meetup", "distinction": False},
        ("event.checkin", ANA, str(created.id)): {"method": "qr"},
    }


def test_a_learner_who_holds_the_souvenir_checks_in_without_a_second_award_or_dm(crowd_bot):
    first, second = open_event(crowd_bot, name="Meetup 1"), open_event(crowd_bot, name="Meetup 2")
    checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code_of(crowd_bot, first), ANA, "Ana")

    result = checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code_of(crowd_bot, second), ANA, "Ana B.")

    assert (result.new, result.awarded, result.checkin_count) == (True, False, 1)
    assert result.message() == "Checked in at Meetup 2. You already hold Data Visualization Meetup."
    assert (rows(crowd_bot, CheckIn), rows(crowd_bot, Award), rows(crowd_bot, OutboxMessage)) == (2, 1, 1)
    assert rows(crowd_bot, AuditEntry, action="award.issued") == 1
    assert rows(crowd_bot, Learner, display_name="Ana B.") == 1  # the name Slack gave this time


def test_a_revoked_souvenir_is_awarded_again_at_the_next_event(crowd_bot):
    first, second = open_event(crowd_bot, name="Meetup 1"), open_event(crowd_bot, name="Meetup 2")
    checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code_of(crowd_bot, first), ANA, "Ana")
    with crowd_bot.ctx.transaction() as session:
        session.execute(update(Award).values(revoked_at=crowd_bot.ctx.clock(), revoked_by="cli"))

    result = checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code_of(crowd_bot, second), ANA)

    assert result.awarded
    assert rows(crowd_bot, Award) == 2
    assert rows(crowd_bot, Learner, display_name="Ana") == 1  # no name given: the one on record stays


def test_the_last_place_goes_to_one_of_two_taps_and_the_other_is_told_it_is_full(crowd_bot):
    created = open_event(crowd_bot, capacity=1)
    code = code_of(crowd_bot, created)
    checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code, ANA, "Ana")

    with pytest.raises(checkin_uc.CheckInRefused) as full:
        checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code, BO, "Bo")
    again = checkin_uc.check_in(crowd_bot.ctx, crowd_bot.signer, code, ANA)  # a full event still says "already"

    assert full.value.refusal is rules.Refusal.FULL
    assert (again.new, rows(crowd_bot, CheckIn), rows(crowd_bot, Award)) == (False, 1, 1)
    assert rows(crowd_bot, Learner, slack_user_id=BO) == 0  # the refused tap rolled back whole


# -- "busy, tap again" --------------------------------------------------------------------------------


def test_a_tap_that_waited_too_long_is_answered_busy_with_the_same_tap_and_nothing_recorded(crowd_bot):
    created = open_event(crowd_bot)
    code = code_of(crowd_bot, created)
    ana = phone(crowd_bot, ANA, "Ana")
    form = form_of(ana.get(f"/checkin/{code}"))

    shed = ana.post(f"/checkin/{code}", data=form, environ_base=waited(5))

    assert shed.status_code == 503
    assert shed.headers["Retry-After"] == "1"
    page = shed.get_data(as_text=True)
    assert 'data-outcome="busy"' in page and "tap again" in page and "Check in as Ana" in page
    assert form_of(shed) == {"csrf": form["csrf"], "scanned": form["scanned"]}  # the same tap, to send again
    nothing_recorded(crowd_bot, created)

    tapped = ana.post(f"/checkin/{code}", data=form_of(shed))
    assert tapped.status_code == 303
    assert 'data-outcome="new"' in ana.get(tapped.headers["location"]).get_data(as_text=True)
    assert (rows(crowd_bot, CheckIn), rows(crowd_bot, Award), rows(crowd_bot, OutboxMessage)) == (1, 1, 1)


def test_a_check_in_page_that_waited_too_long_offers_the_tap_judged_as_of_its_arrival(crowd_bot, clock):
    created = open_event(crowd_bot, period_seconds=30)
    # The code on the screen when the request arrived, 20 s before a worker took it up.
    code = rules.make_code(crowd_bot.signer, created.rules, clock() - dt.timedelta(seconds=20))
    ana = phone(crowd_bot, ANA, "Ana")

    shed = ana.get(f"/checkin/{code}", environ_base=waited(20))
    assert shed.status_code == 503 and shed.headers["Retry-After"] == "1"
    assert 'data-outcome="busy"' in shed.get_data(as_text=True)
    nothing_recorded(crowd_bot, created)

    # The learner taps 90 s later, the code long gone from the screen: it was good when the page arrived.
    clock.advance(seconds=90)
    tapped = ana.post(f"/checkin/{code}", data=form_of(shed))
    assert tapped.status_code == 303
    assert rows(crowd_bot, CheckIn) == 1


def test_a_forged_code_on_a_busy_page_is_still_refused_at_the_tap(crowd_bot):
    created = open_event(crowd_bot)
    good = code_of(crowd_bot, created)
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")
    ana = phone(crowd_bot, ANA, "Ana")

    shed = ana.get(f"/checkin/{forged}", environ_base=waited(5))
    tapped = ana.post(f"/checkin/{forged}", data=form_of(shed))

    assert shed.status_code == 503
    assert tapped.status_code == 403 and 'data-refusal="forged"' in tapped.get_data(as_text=True)
    nothing_recorded(crowd_bot, created)


def test_a_busy_page_for_a_phone_not_signed_in_links_back_to_the_code(crowd_bot):
    created = open_event(crowd_bot)
    code = code_of(crowd_bot, created)

    shed = crowd_bot.web.test_client().get(f"/checkin/{code}", environ_base=waited(5))

    assert shed.status_code == 503
    assert f'href="/checkin/{code}"' in shed.get_data(as_text=True)
    assert form_of(shed) == {}


def test_a_request_that_did_not_wait_past_the_threshold_is_served(crowd_bot, badgebot):
    created = open_event(crowd_bot)
    code = code_of(crowd_bot, created)
    # The conftest's bot keeps the default threshold (1.5 s): a request that waited a second is served.
    assert badgebot.settings.checkin_busy_after_seconds == 1.5
    page = phone(badgebot, ANA, "Ana").get(f"/checkin/{code}", environ_base=waited(1))
    assert page.status_code == 200 and "Check in as Ana" in page.get_data(as_text=True)


def test_a_threshold_of_zero_never_sheds(database_url, engine, clock, catalog, tmp_path):
    settings = load_settings(database_url=database_url, data_dir=tmp_path / "data",
                             public_url="https://badges.test.example.edu", checkin_busy_after_seconds=0)
    with bootstrap(settings, clock=clock, catalog=catalog) as bot:
        bot.load_catalog("test")
        code = code_of(bot, open_event(bot))
        assert phone(bot, ANA, "Ana").get(f"/checkin/{code}", environ_base=waited(59)).status_code == 200


def test_behind_a_held_lock_the_queued_tap_is_shed_and_the_first_one_counts(crowd_bot, backend):
    """The real server with one worker thread. Ana's tap takes the worker and waits for a lock the test
    holds (SQLite's writer lock; on PostgreSQL the event's row); Bo's tap arrives behind it and is read by
    the server (a probe's `100 Continue` says so, as in tests/unit/test_web_server.py). Once Bo's request
    has certainly waited past the threshold, the lock goes: Ana is checked in, Bo is told "busy, tap again"
    and nothing of his is recorded; his second tap checks him in."""
    created = open_event(crowd_bot)
    code = code_of(crowd_bot, created)
    forms = {user: form_of(phone(crowd_bot, user, name).get(f"/checkin/{code}")) for user, name in
             ((ANA, "Ana"), (BO, "Bo"))}
    cookies = {user: session_cookie(crowd_bot.signer).dump({"u": user, "n": name, "w": "T0"})
               for user, name in ((ANA, "Ana"), (BO, "Bo"))}

    with (serving(crowd_bot.web, threads=1) as server, _held(crowd_bot, backend, created) as blocked,
          _connect(server.port) as ana):
        ana.sendall(_tap(code, forms[ANA], cookies[ANA]))
        _wait_for(blocked, "Ana's tap never reached the lock")
        with _connect(server.port) as bo, _connect(server.port) as probe:
            bo.sendall(_tap(code, forms[BO], cookies[BO]))
            probe.sendall(b"POST /probe HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\n"
                          b"Expect: 100-continue\r\n\r\n")
            assert _read(probe, b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue"), "Bo's tap was never read"
            read = time.monotonic()
            while time.monotonic() - read <= BUSY_AFTER:  # Bo's stamp is older than `read`: he has waited
                time.sleep(BUSY_AFTER / 4)
            blocked.release()
            ana_answer, bo_answer = _read(ana, b"\r\n\r\n"), _read(bo, b"</html>")

    assert ana_answer.startswith(b"HTTP/1.1 303")
    assert bo_answer.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in bo_answer
    assert rows(crowd_bot, CheckIn) == 1 and rows(crowd_bot, Learner, slack_user_id=BO) == 0
    again = phone(crowd_bot, BO, "Bo").post(f"/checkin/{code}", data=forms[BO])
    assert again.status_code == 303
    assert (rows(crowd_bot, CheckIn), rows(crowd_bot, Award)) == (2, 2)


# -- helpers for the real server -----------------------------------------------------------------------


@dataclass
class _Held:
    """What Ana's tap waits for: `blocking()` says whether a request waits for it now."""

    blocking: Callable[[], bool]
    _release: Callable[[], object]
    _released: bool = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._release()


@contextmanager
def _held(bot: Badgebot, backend: str, created: EventView) -> Iterator[_Held]:
    if backend == "sqlite":
        lock = bot.ctx.write_lock  # the writers of this process queue on it before BEGIN IMMEDIATE
        assert lock is not None
        lock.__enter__()
        held = _Held(lambda: lock.waiting > 0, lambda: lock.__exit__(None, None, None))
    else:
        connection = bot.engine.connect()
        connection.execute(select(Event.id).where(Event.id == created.id).with_for_update())
        me = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()

        def blocking() -> bool:
            with bot.engine.connect() as observer:
                return bool(observer.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :me = ANY(pg_blocking_pids(pid))"), {"me": me}))

        held = _Held(blocking, connection.close)  # closing rolls back: the row lock goes
    try:
        yield held
    finally:
        held.release()


def _wait_for(lock: _Held, why: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not lock.blocking():
        assert time.monotonic() < deadline, why
        time.sleep(0.01)


def _tap(code: str, form: dict[str, str], cookie: str) -> bytes:
    body = urlencode(form).encode()
    return (f"POST /checkin/{code} HTTP/1.1\r\nHost: test\r\nCookie: bb_session={cookie}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n").encode() + body


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=SECONDS)


def _read(connection: socket.socket, until: bytes) -> bytes:
    data = b""
    while until not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data

