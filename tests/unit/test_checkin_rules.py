"""The check-in rules, pure: codes, grace, window, capacity. No database, no clock (time is passed in)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.signing import Signer
from bot.domain import checkin as rules
from bot.domain.checkin import EventRules, QrMode, Refusal, Schedule

UTC = dt.timezone.utc
OPENS = dt.datetime(2026, 3, 2, 17, 45, tzinfo=UTC)
CLOSES = dt.datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
SIGNER = Signer(b"k" * 32)


def event(id: int = 12, **changes) -> EventRules:  # noqa: A002
    return EventRules(**({"id": id, "name": f"Event {id}", "opens_at": OPENS, "closes_at": CLOSES} | changes))


def at(minutes: float = 30, seconds: float = 0) -> dt.datetime:
    return OPENS + dt.timedelta(minutes=minutes, seconds=seconds)


def test_a_code_names_its_event_and_reads_back_however_it_is_typed():
    code = rules.make_code(SIGNER, event(12), at())
    ref, sig = code.split("-")
    assert ref == "C" and len(sig) == 6 and set(sig) <= set(rules.ALPHABET)
    assert rules.parse_code(code) == rules.ParsedCode(12, sig)
    assert rules.normalize_code(f"  {code.lower().replace('-', ' ')} ") == code
    typed = code.replace("0", "o").replace("1", "l")
    assert rules.normalize_code(typed) == code
    for bad in ("", "C", "C-12345", "!!-ABCDEF", "0-ABCDEF", "C-ABCDEFGHIJKLMNOPQ"):
        assert rules.parse_code(bad) is None


@given(st.integers(min_value=1, max_value=32**6 - 1))
def test_event_refs_round_trip(event_id):
    assert rules.parse_code(rules.event_ref(event_id) + "-000000").event_id == event_id


def test_a_fresh_code_is_admitted_for_its_period_and_one_more():
    e = event()
    code = rules.make_code(SIGNER, e, at(seconds=1))
    assert rules.check_code(SIGNER, code, e, at(seconds=1)).ok
    assert rules.check_code(SIGNER, code, e, at(seconds=45)).ok  # the grace period
    stale = rules.check_code(SIGNER, code, e, at(seconds=61))
    assert stale.refusal is Refusal.EXPIRED


def test_the_period_is_configurable():
    e = event(period_seconds=10)
    code = rules.make_code(SIGNER, e, at(seconds=0))
    assert rules.check_code(SIGNER, code, e, at(seconds=19)).ok
    assert rules.check_code(SIGNER, code, e, at(seconds=20)).refusal is Refusal.EXPIRED
    assert rules.code_changes_at(e, at(seconds=3)) == at(seconds=10)


def test_never_after_the_window_even_in_grace():
    e = event()
    code = rules.make_code(SIGNER, e, CLOSES - dt.timedelta(seconds=5))
    assert rules.check_code(SIGNER, code, e, CLOSES - dt.timedelta(seconds=1)).ok
    assert rules.check_code(SIGNER, code, e, CLOSES).refusal is Refusal.WINDOW_CLOSED
    early = event(opens_at=at(60))
    assert rules.check_code(SIGNER, rules.make_code(SIGNER, early, at()), early, at()).refusal is Refusal.NOT_OPEN_YET


def test_a_host_closing_the_event_ends_check_in():
    e = event(closed_at=at(10))
    code = rules.make_code(SIGNER, e, at(20))
    assert rules.check_code(SIGNER, code, e, at(20)).refusal is Refusal.EVENT_CLOSED


def test_a_tampered_code_is_forged():
    e = event()
    code = rules.make_code(SIGNER, e, at())
    last = code[-1]
    tampered = code[:-1] + ("0" if last != "0" else "1")
    assert rules.check_code(SIGNER, tampered, e, at()).refusal is Refusal.FORGED
    assert rules.check_code(Signer(b"x" * 32), code, e, at()).refusal is Refusal.FORGED  # another server's
    assert rules.check_code(SIGNER, "hello", None, at()).refusal is Refusal.FORGED
    assert rules.check_code(SIGNER, "ZZZ-ABCDEF", None, at()).refusal is Refusal.FORGED  # no such event


def test_a_code_from_another_event_says_so():
    here, there = event(12), event(13)
    theirs = rules.make_code(SIGNER, there, at())
    spliced = rules.event_ref(12) + "-" + theirs.split("-")[1]
    verdict = rules.check_code(SIGNER, spliced, here, at(), [here, there])
    assert (verdict.refusal, verdict.other) == (Refusal.OTHER_EVENT, there)
    gone = rules.check_code(SIGNER, rules.event_ref(99) + "-" + theirs.split("-")[1], None, at(), [there])
    assert gone.refusal is Refusal.OTHER_EVENT


def test_a_poster_code_holds_for_the_whole_window_and_only_then():
    poster = event(qr_mode=QrMode.POSTER)
    code = rules.make_code(SIGNER, poster, at(0))
    assert code == rules.make_code(SIGNER, poster, at(100))
    assert rules.code_changes_at(poster, at()) is None
    assert rules.check_code(SIGNER, code, poster, at(120)).ok
    assert rules.check_code(SIGNER, code, poster, CLOSES).refusal is Refusal.WINDOW_CLOSED
    assert rules.check_code(SIGNER, code, poster, OPENS - dt.timedelta(seconds=1)).refusal is Refusal.NOT_OPEN_YET
    # A rotating code is not a poster code, nor the other way round.
    rotating = event()
    assert rules.check_code(SIGNER, rules.make_code(SIGNER, rotating, at()), poster, at()).refusal is Refusal.FORGED
    assert rules.check_code(SIGNER, code, rotating, at()).refusal is Refusal.FORGED


def test_very_old_codes_are_no_longer_recognised():
    e = event(opens_at=OPENS - dt.timedelta(days=3), closes_at=CLOSES + dt.timedelta(days=3))
    old = rules.make_code(SIGNER, e, at(0) - dt.timedelta(days=2))
    assert rules.check_code(SIGNER, old, e, at(0)).refusal is Refusal.FORGED


def test_capacity():
    assert rules.has_room(0, None) and rules.has_room(10**6, None)
    assert rules.has_room(2, 3) and not rules.has_room(3, 3)


def test_sign_in_grace():
    now = at(30)
    assert rules.scan_time(None, now) == now
    assert rules.scan_time(now - dt.timedelta(minutes=9), now) == now - dt.timedelta(minutes=9)
    for bad in (now - rules.SIGNIN_GRACE - dt.timedelta(seconds=1), now + dt.timedelta(seconds=1)):
        with pytest.raises(ValueError):
            rules.scan_time(bad, now)


def test_schedules():
    ok = Schedule(at(15), at(75), OPENS, at(75))
    assert rules.schedule_problems(ok, None, 30) == {}
    assert set(rules.schedule_problems(Schedule(at(75), at(15), OPENS, at(75)), None, 30)) == {"ends"}
    assert set(rules.schedule_problems(Schedule(at(15), at(75), at(75), OPENS), None, 30)) == {"closes"}
    far = Schedule(at(15), at(75), at(75) + dt.timedelta(days=1), at(75) + dt.timedelta(days=2))
    assert set(rules.schedule_problems(far, None, 30)) == {"opens"}
    assert set(rules.schedule_problems(ok, 0, 5)) == {"capacity", "period"}


def test_a_request_the_server_queued_is_judged_as_of_its_arrival_within_a_bound():
    now = at(30)
    assert rules.arrival_time(None, now) == now
    assert rules.arrival_time(now - dt.timedelta(seconds=20), now) == now - dt.timedelta(seconds=20)
    # Not a time in the future, and not a request the server says waited longer than it lets anything wait.
    for odd in (now + dt.timedelta(seconds=1), now - rules.MAX_SERVER_WAIT - dt.timedelta(seconds=1)):
        assert rules.arrival_time(odd, now) == now
