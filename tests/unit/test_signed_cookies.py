"""The check-in pages' signed cookies (bot/adapters/oidc.py, itsdangerous): the browser may read them but
not change them, and each lasts as long as its purpose needs."""
from __future__ import annotations

from bot.adapters.oidc import SESSION_DAYS, SIGNIN_SECONDS, session_cookie, signin_cookie
from bot.adapters.signing import Signer
from bot.domain.checkin import SIGNIN_GRACE

SIGNER = Signer(b"k" * 32)
PERSON = {"u": "U0LEARN001", "n": "Ana", "w": "T0TEAM0001"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_cookie_reads_back_what_was_stored() -> None:
    sessions = session_cookie(SIGNER)
    assert sessions.load(sessions.dump(PERSON)) == PERSON


def test_an_altered_foreign_or_missing_cookie_reads_as_nobody() -> None:
    sessions = session_cookie(SIGNER)
    value = sessions.dump(PERSON)
    body, _, rest = value.partition(".")
    altered = sessions.dump({**PERSON, "u": "U0ADMIN001"}).partition(".")[0] + "." + rest
    for bad in (altered, value[:-1] + ("A" if value[-1] != "A" else "B"), "", None, "not a cookie", body):
        assert sessions.load(bad) is None, bad
    assert session_cookie(Signer(b"x" * 32)).load(value) is None  # another server's
    assert signin_cookie(SIGNER).load(value) is None  # another purpose's


def test_a_sign_in_lasts_as_long_as_its_scan_stays_good_and_a_session_thirty_days() -> None:
    clock = Clock()
    signins, sessions = signin_cookie(SIGNER, clock), session_cookie(SIGNER, clock)
    pending, person = signins.dump({"s": "state"}), sessions.dump(PERSON)
    assert SIGNIN_SECONDS == SIGNIN_GRACE.total_seconds() and SESSION_DAYS == 30
    clock.now += SIGNIN_SECONDS
    assert signins.load(pending) == {"s": "state"}
    clock.now += 1
    assert signins.load(pending) is None
    clock.now += SESSION_DAYS * 86400 - SIGNIN_SECONDS - 1
    assert sessions.load(person) == PERSON
    clock.now += 1
    assert sessions.load(person) is None
