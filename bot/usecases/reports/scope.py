"""What every report shares: the filter (dates, issuer), the issuer of a credential, the tables a report
hands to its entry points, and the few SQL expressions that differ between SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, false, func, literal, true
from sqlalchemy.orm import Session

from bot.errors import InvalidInput

UNIVERSITY = "university"
"""The one issuer today: the catalog's [issuer]. Issue 13 adds several; `issuer_of` is where they come in."""
ISSUERS = (UNIVERSITY,)


def issuer_of(credential: Any) -> ColumnElement[str]:
    """The SQL expression naming a credential's issuer (its id). Every credential is the university's for
    now; with issue 13 this becomes the credential's issuer column, and every report follows."""
    return literal(UNIVERSITY)


def issuer_clause(credential: Any, issuer: str | None) -> ColumnElement[bool]:
    """Credentials of `issuer` (all of them when None)."""
    if issuer is None:
        return true()
    return true() if issuer == UNIVERSITY else false()


@dataclass(frozen=True)
class ReportFilter:
    """Which slice of the program a report covers: days from `since` to `until` (both included, UTC) and
    one issuer's credentials (None: all)."""

    since: dt.date | None = None
    until: dt.date | None = None
    issuer: str | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidInput(f"The start date ({self.since}) is after the end date ({self.until}).", field="since")
        if self.issuer is not None and self.issuer not in ISSUERS:
            raise InvalidInput(f"There is no issuer '{self.issuer}'; the issuers are: {', '.join(ISSUERS)}.",
                               field="issuer")

    @classmethod
    def parse(cls, since: str | None = None, until: str | None = None, issuer: str | None = None) -> ReportFilter:
        """From what a person typed (a CLI option, a form field): dates as YYYY-MM-DD, blanks ignored."""
        return cls(_date(since, "since"), _date(until, "until"), (issuer or "").strip() or None)

    @property
    def start(self) -> dt.datetime | None:
        return _midnight(self.since) if self.since else None

    @property
    def end(self) -> dt.datetime | None:
        """The first instant after the range (the day after `until`)."""
        return _midnight(self.until + dt.timedelta(days=1)) if self.until else None

    def within(self, column: Any) -> ColumnElement[bool]:
        """`column` (a UTC timestamp) falls in the range."""
        clause: ColumnElement[bool] = true()
        if self.start is not None:
            clause = clause & (column >= self.start)
        if self.end is not None:
            clause = clause & (column < self.end)
        return clause

    def describe(self) -> str:
        span = f"{self.since or 'the start'} to {self.until or 'today'}"
        return f"{span}, {'issuer ' + self.issuer if self.issuer else 'every issuer'}"


def _date(value: str | None, name: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{value}' is not a date; write it as YYYY-MM-DD (e.g. 2026-09-01).", field=name) from None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True)
class Table:
    """One table of a report, as every entry point shows it: CLI table/CSV/JSON, the console, Slack."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    filter: ReportFilter
    generated_at: dt.datetime
    headline: tuple[tuple[str, Any], ...]
    tables: tuple[Table, ...]
    # Report-specific figures the charts need beyond the tables (e.g. the time-to-decision target).
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


# ----------------------------------------------------------------------------- dialect differences


def for_reports(session: Session) -> Session:
    """The report's read transaction, tuned for one big query: on PostgreSQL without JIT compilation, which
    cost more than the query itself (0.48 s of 0.58 s in one plan, bench/reports.py's data at a fifth of its
    size; JIT pays off only for much longer queries). Lasts this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL jit = off")
    return session


def month_of(session: Session, column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a UTC timestamp, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite stores naive UTC


def days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[float]:
    """(later - earlier) in days, fractional, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", later - earlier) / 86400.0, Float)  # a float, not a Decimal
    return func.julianday(later) - func.julianday(earlier)


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of ascending values, interpolated between ranks as PostgreSQL's
    percentile_cont does (SQLite has none, so both databases get it from the sorted values)."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction, None when there is nothing to divide (not 0: 'no data' is not 'none')."""
    return round(part / whole, 4) if whole else None
