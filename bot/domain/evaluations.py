"""Periodic evaluation of a credential (issue 13): when one comes due, and what its figures mean.

A credential with `review_every` is evaluated that long after it was approved (it entered the catalog,
or an approved change last altered it) or after its last evaluation was decided, whichever is latest:
every decision (keep, change, retire) restarts the clock, and so does an approved change.
"""
from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections.abc import Iterable, Sequence

from bot.domain.validity import parse_validity

DAY_SECONDS = 86400


class EvaluationDecision(enum.StrEnum):
    KEEP = "keep"  # still of value as it is: recorded, and the clock restarts
    CHANGE = "change"  # to be edited: its issuer proposes the edit (`/badges propose ID`)
    RETIRE = "retire"  # to be offered no more: a retirement proposal goes through the stages

    @property
    def label(self) -> str:
        return {"keep": "Keep", "change": "Change", "retire": "Retire"}[self.value]


def evaluation_since(milestones: Iterable[dt.datetime | None]) -> dt.datetime:
    """Where the clock of the next evaluation starts: the latest approval, change or decision."""
    return max(m for m in milestones if m is not None)


def evaluation_due(review_every: str | None, since: dt.datetime) -> dt.datetime | None:
    """When a credential evaluated every `review_every` ("2y", "18m") is next due; None: never."""
    return parse_validity(review_every).expiry(since) if review_every else None


def median_days(waited_seconds: Sequence[int]) -> float | None:
    """The median time to a decision, in days (one decimal); None without decisions."""
    return round(statistics.median(waited_seconds) / DAY_SECONDS, 1) if waited_seconds else None


def share_rate(shared: int, awards: int) -> float | None:
    """The part of the awards their learners shared (0..1); None without awards."""
    return shared / awards if awards else None
