"""How long an award stays valid: catalog durations such as "2y", "18m", "6w" or "90d"."""
from __future__ import annotations

import calendar
import enum
import datetime as dt
import re
from dataclasses import dataclass

_DURATION = re.compile(r"^\s*(\d{1,3})\s*([ymwd])\s*$")


@dataclass(frozen=True)
class Validity:
    amount: int
    unit: str  # y, m, w, d

    def expiry(self, issued_at: dt.datetime) -> dt.datetime:
        """When an award issued at `issued_at` lapses. Month ends clamp (Jan 31 + 1m = Feb 28)."""
        if self.unit == "d":
            return issued_at + dt.timedelta(days=self.amount)
        if self.unit == "w":
            return issued_at + dt.timedelta(weeks=self.amount)
        months = self.amount * (12 if self.unit == "y" else 1)
        total = issued_at.month - 1 + months
        year, month = issued_at.year + total // 12, total % 12 + 1
        day = min(issued_at.day, calendar.monthrange(year, month)[1])
        return issued_at.replace(year=year, month=month, day=day)


def parse_validity(text: str) -> Validity:
    """Parse "2y" / "18m" / "6w" / "90d"; ValueError with the accepted forms otherwise."""
    match = _DURATION.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration; use a positive number and a unit: 2y, 18m, 6w or 90d")
    return Validity(int(match.group(1)), match.group(2))


def expiry_for(expires_after: str | None, issued_at: dt.datetime) -> dt.datetime | None:
    return parse_validity(expires_after).expiry(issued_at) if expires_after else None


class AwardState(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def award_state(revoked_at: dt.datetime | None, expires_at: dt.datetime | None, now: dt.datetime) -> AwardState:
    """What an award is at `now`: revoked (for good), expired (from its expiry on), or valid.

    Queries over many awards use its SQL form, bot.usecases.progress.valid_award_filter."""
    if revoked_at is not None:
        return AwardState.REVOKED
    if expires_at is not None and expires_at <= now:
        return AwardState.EXPIRED
    return AwardState.VALID
