"""When a check-in is valid: the codes, the window, the grace period and the capacity.

Plain code: no database, no Slack, no clock (`at` is always passed in). Every entry point (the phone
page, `/badges claim`, the bench) reaches these rules through bot/usecases/campus_events/.

A check-in code is short enough to type: `<event ref>-<signature>`, e.g. `C-4K9QXM`.
- The event ref is the event's number in Crockford base32 (public: it is not what makes a code valid).
- The signature is 30 bits of HMAC(server secret, "checkin", event number, period), in Crockford
  base32. A rotating code's period is the number of `period_seconds` slots since the Unix epoch;
  a poster's code has the fixed period "poster".
The code carries no period: the checker tries the current period and the one before it (grace),
so a code stays good for one to two periods. A guess is accepted with probability 2 in 2**30.

Refusals say which rule failed: forged (no signature we made), other event (a signature of ours, for
another event than the one the code names), expired (ours, for this event, but too old), and the
window (not open yet, closed, closed by the host) and capacity rules.
"""
from __future__ import annotations

import datetime as dt
import enum
import hmac
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# Crockford's base32: no I, L, O or U, so what is read off a screen can be typed back.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPED_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SIGNATURE_CHARS = 6  # 30 bits
POSTER_PERIOD = "poster"

DEFAULT_PERIOD_SECONDS = 30
# Check-in opens this long before an event starts unless the host says otherwise (people arrive early).
DEFAULT_OPENS_BEFORE = dt.timedelta(minutes=15)
MIN_PERIOD_SECONDS = 10
MAX_PERIOD_SECONDS = 600
GRACE_PERIODS = 1
# How far back an old code is still recognised as "expired" (rather than "not ours"): one day of
# 30-second periods. Bounds the work a bad code costs.
MAX_LOOKBACK_PERIODS = 2880
# A learner who scanned a valid code may take this long to sign in with Slack and come back.
SIGNIN_GRACE = dt.timedelta(minutes=10)
# The longest a request may have waited in the server's own queue and still be judged as of its arrival.
MAX_SERVER_WAIT = dt.timedelta(seconds=60)


class QrMode(str, enum.Enum):
    ROTATING = "rotating"  # a screen at the door; the code changes every period
    POSTER = "poster"  # printed; one code for the whole check-in window

    @property
    def label(self) -> str:
        return {QrMode.ROTATING: "rotating code on a screen", QrMode.POSTER: "printed poster"}[self]


class Signs(Protocol):
    """The server's HMAC signer (bot.adapters.signing.Signer)."""

    def sign(self, *parts: object, length: int = 22) -> str: ...


@dataclass(frozen=True)
class EventRules:
    """What the rules need to know about an event."""

    id: int
    name: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    qr_mode: QrMode = QrMode.ROTATING
    period_seconds: int = DEFAULT_PERIOD_SECONDS
    capacity: int | None = None
    closed_at: dt.datetime | None = None


class Refusal(str, enum.Enum):
    FORGED = "forged"
    OTHER_EVENT = "other_event"
    EXPIRED = "expired"
    NOT_OPEN_YET = "not_open_yet"
    WINDOW_CLOSED = "window_closed"
    EVENT_CLOSED = "event_closed"
    FULL = "full"


@dataclass(frozen=True)
class Verdict:
    """The answer for one code at one instant: admitted to `event`, or refused and why."""

    refusal: Refusal | None
    event: EventRules | None = None  # the event the code names (None when no such event)
    other: EventRules | None = None  # for OTHER_EVENT: the event the signature belongs to

    @property
    def ok(self) -> bool:
        return self.refusal is None


# -- codes -------------------------------------------------------------------------------------------


def event_ref(event_id: int) -> str:
    """The event's number in Crockford base32 ("C" for 12)."""
    if event_id <= 0:
        raise ValueError("event ids are positive")
    digits = ""
    while event_id:
        event_id, digit = divmod(event_id, 32)
        digits = ALPHABET[digit] + digits
    return digits


def period_at(at: dt.datetime, period_seconds: int) -> int:
    return math.floor(at.timestamp() / period_seconds)


def period_start(period: int, period_seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(period * period_seconds, dt.timezone.utc)


def signature(signer: Signs, event_id: int, period: int | str) -> str:
    # 6 base64 characters of HMAC-SHA256 are 36 bits; keeping 5 of each 6 gives the 30-bit code.
    raw = signer.sign("checkin", event_id, period, length=SIGNATURE_CHARS)
    return "".join(ALPHABET[_B64.index(char) >> 1] for char in raw)


def make_code(signer: Signs, event: EventRules, at: dt.datetime) -> str:
    """The code shown at `at`: the current period's (rotating), or the poster's fixed one."""
    period: int | str = POSTER_PERIOD if event.qr_mode is QrMode.POSTER else period_at(at, event.period_seconds)
    return f"{event_ref(event.id)}-{signature(signer, event.id, period)}"


def code_changes_at(event: EventRules, at: dt.datetime) -> dt.datetime | None:
    """When the display should show the next code (None for a poster: its code never changes)."""
    if event.qr_mode is QrMode.POSTER:
        return None
    return period_start(period_at(at, event.period_seconds) + 1, event.period_seconds)


@dataclass(frozen=True)
class ParsedCode:
    event_id: int
    signature: str


def parse_code(text: str) -> ParsedCode | None:
    """A typed or scanned code, forgiving of case, spaces, dashes and look-alike letters."""
    compact = "".join((text or "").split()).replace("-", "").upper().translate(_TYPED_ALIKE)
    if not (SIGNATURE_CHARS < len(compact) <= SIGNATURE_CHARS + 6) or any(c not in ALPHABET for c in compact):
        return None
    ref, sig = compact[:-SIGNATURE_CHARS], compact[-SIGNATURE_CHARS:]
    event_id = 0
    for char in ref:
        event_id = event_id * 32 + ALPHABET.index(char)
    return ParsedCode(event_id, sig) if event_id > 0 else None


def normalize_code(text: str) -> str | None:
    """The canonical spelling of a code (`C-4K9QXM`), or None if it cannot be one."""
    parsed = parse_code(text)
    return None if parsed is None else f"{event_ref(parsed.event_id)}-{parsed.signature}"


def _fresh_periods(event: EventRules, at: dt.datetime) -> list[int | str]:
    if event.qr_mode is QrMode.POSTER:
        return [POSTER_PERIOD]
    now = period_at(at, event.period_seconds)
    return [now - back for back in range(GRACE_PERIODS + 1)]


def _stale_periods(event: EventRules, at: dt.datetime) -> Iterable[int]:
    """Older periods of a rotating event, newest first, back to its window's opening (bounded)."""
    if event.qr_mode is QrMode.POSTER:
        return range(0)
    now = period_at(at, event.period_seconds)
    first = max(period_at(event.opens_at, event.period_seconds), now - MAX_LOOKBACK_PERIODS)
    return range(now - GRACE_PERIODS - 1, first - 1, -1)


def _signed_for(signer: Signs, sig: str, event: EventRules, periods: Iterable[int | str]) -> bool:
    return any(hmac.compare_digest(signature(signer, event.id, period), sig) for period in periods)


# -- the rules ---------------------------------------------------------------------------------------


def window_refusal(event: EventRules, at: dt.datetime) -> Refusal | None:
    """Whether check-in is open at `at`: inside [opens_at, closes_at) and not closed by the host."""
    if event.closed_at is not None and event.closed_at <= at:
        return Refusal.EVENT_CLOSED
    if at < event.opens_at:
        return Refusal.NOT_OPEN_YET
    if at >= event.closes_at:
        return Refusal.WINDOW_CLOSED
    return None


def has_room(checked_in: int, capacity: int | None) -> bool:
    """Capacity: None means unlimited. (The use case applies this same rule inside the UPDATE
    that counts the check-in, so two last seats are never both taken.)"""
    return capacity is None or checked_in < capacity


def check_code(
    signer: Signs,
    code: str,
    event: EventRules | None,
    at: dt.datetime,
    others: Iterable[EventRules] = (),
) -> Verdict:
    """Judge `code` at `at`. `event` is the event the code names (None if there is none);
    `others` are the other events open around `at`, to recognise a code from one of them."""
    parsed = parse_code(code)
    if parsed is None:
        return Verdict(Refusal.FORGED)
    if event is not None and event.id != parsed.event_id:
        raise ValueError("pass the event the code names")
    fresh = event is not None and _signed_for(signer, parsed.signature, event, _fresh_periods(event, at))
    if not fresh:
        for other in others:
            if (event is None or other.id != event.id) and _signed_for(
                    signer, parsed.signature, other, _fresh_periods(other, at)):
                return Verdict(Refusal.OTHER_EVENT, event, other)
        if event is None or not _signed_for(signer, parsed.signature, event, _stale_periods(event, at)):
            return Verdict(Refusal.FORGED, event)
    assert event is not None
    window = window_refusal(event, at)
    if window is not None:
        return Verdict(window, event)
    if not fresh:
        return Verdict(Refusal.EXPIRED, event)
    return Verdict(None, event)


def arrival_time(received_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The other instant a code may be judged at, for a request the server itself was slow to take up:
    when it reached the server (a crowd queues requests for the worker threads; the code the learner
    read off the screen was good then), if that was at most MAX_SERVER_WAIT ago, else now. A code
    good at either instant is good. `received_at` is the server's own record, never the client's word."""
    if received_at is None or received_at > now or now - received_at > MAX_SERVER_WAIT:
        return now
    return received_at


def scan_time(scanned_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The instant a code is judged at: when it was scanned, if the learner then signed in with
    Slack or read the check-in page before tapping (at most SIGNIN_GRACE ago), else now."""
    if scanned_at is None:
        return now
    if scanned_at > now or now - scanned_at > SIGNIN_GRACE:
        raise ValueError("the sign-in took too long; scan the code again")
    return scanned_at


# -- events ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    starts_at: dt.datetime
    ends_at: dt.datetime
    opens_at: dt.datetime
    closes_at: dt.datetime


def schedule_problems(schedule: Schedule, capacity: int | None, period_seconds: int) -> dict[str, str]:
    """What is wrong with a new event's times and limits, by form field (empty when nothing is)."""
    problems: dict[str, str] = {}
    if schedule.ends_at <= schedule.starts_at:
        problems["ends"] = "The event must end after it starts."
    if schedule.closes_at <= schedule.opens_at:
        problems["closes"] = "Check-in must close after it opens."
    elif schedule.closes_at <= schedule.starts_at - dt.timedelta(hours=12) or \
            schedule.opens_at >= schedule.ends_at + dt.timedelta(hours=12):
        problems["opens"] = "The check-in window must be around the event's own time."
    if capacity is not None and capacity < 1:
        problems["capacity"] = "Capacity must be at least 1 (or leave it empty for no limit)."
    if not MIN_PERIOD_SECONDS <= period_seconds <= MAX_PERIOD_SECONDS:
        problems["period"] = (f"The code must change every {MIN_PERIOD_SECONDS} to {MAX_PERIOD_SECONDS} "
                              "seconds.")
    return problems
