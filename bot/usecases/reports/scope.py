"""What every report shares: the filter (dates, issuer), the issuer of a credential, the tables a report
hands to its entry points, and the few SQL expressions that differ between SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, func, select, true
from sqlalchemy.orm import Session

from bot.errors import InvalidInput, NotAllowed
from bot.usecases.context import Context
from models import Credential, Submission

UNIVERSITY = "university"
"""The catalog's [issuer] when its id is left out, and the only issuer a Context without a catalog knows."""


def issuer_of(credential: Any) -> ColumnElement[str]:
    """The SQL expression naming a credential's issuer (its id, from the catalog)."""
    return credential.issuer


def issuer_clause(credential: Any, scope: ReportFilter) -> ColumnElement[bool]:
    """Credentials the report covers (`scope` as `allowed` settled it): every one for the whole program."""
    if scope.issuers is None:
        return true()
    return credential.issuer.in_(sorted(scope.issuers))


def credentials_in(credential_id: Any, scope: ReportFilter) -> ColumnElement[bool]:
    """`credential_id` (a column) is one of the credentials the report covers: no test at all for the whole
    program, so a report over everything reads its indexes without a join."""
    if scope.issuers is None:
        return true()
    return credential_id.in_(select(Credential.id).where(issuer_clause(Credential, scope)))


def reviews_in(submission_id: Any, scope: ReportFilter) -> ColumnElement[bool]:
    """`submission_id` (a review's) is of a credential the report covers."""
    if scope.issuers is None:
        return true()
    return submission_id.in_(select(Submission.id).where(credentials_in(Submission.credential_id, scope)))


def report_issuers(ctx: Context, actor: str) -> tuple[str, ...]:
    """The issuers `actor` may ask reports for, in the catalog's order: every one for a program admin,
    their own for an issuer admin, none for anyone else."""
    administered = ctx.administered_issuers(actor)
    return tuple(i for i in _issuers(ctx) if administered is None or i in administered)


def allowed(ctx: Context, actor: str, scope: ReportFilter) -> ReportFilter:
    """`scope` as `actor` may see it, settled before any query: a program admin sees every issuer (or the
    one asked for); an issuer admin sees the issuers they administer, all of them when they ask for none
    (their console opens on their own figures), and is refused another issuer's; anyone else is refused.
    An issuer the catalog does not have is named as such, for everyone."""
    issuers = _issuers(ctx)
    if scope.issuer is not None and scope.issuer not in issuers:
        raise InvalidInput(f"There is no issuer '{scope.issuer}'; the issuers are: {', '.join(issuers)}.",
                           field="issuer")
    administered = ctx.administered_issuers(actor)
    if administered is not None and not administered:
        raise NotAllowed("Only program administrators and issuer admins can see the program's reports.")
    if scope.issuer is not None and administered is not None and scope.issuer not in administered:
        mine = ", ".join(i for i in issuers if i in administered)
        raise NotAllowed(f"You see reports for the issuers you administer ({mine}), not for '{scope.issuer}'.")
    if scope.issuer is not None:
        return replace(scope, issuers=frozenset({scope.issuer}))
    return replace(scope, issuers=None if administered is None else frozenset(administered))


def _issuers(ctx: Context) -> tuple[str, ...]:
    return tuple(ctx.issuer_admins) or (UNIVERSITY,)


@dataclass(frozen=True)
class ReportFilter:
    """Which slice of the program a report covers: days from `since` to `until` (both included, UTC) and
    the credentials of one issuer (`issuer`, as asked; None: all). `issuers` is what the report then
    covers, as `allowed` settles it for the person asking (None: every issuer); every report sets it."""

    since: dt.date | None = None
    until: dt.date | None = None
    issuer: str | None = None
    issuers: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidInput(f"The start date ({self.since}) is after the end date ({self.until}).", field="since")

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
        if self.issuer:
            return f"{span}, issuer {self.issuer}"
        if self.issuers is not None:
            return f"{span}, {'issuer' if len(self.issuers) == 1 else 'issuers'} {', '.join(sorted(self.issuers))}"
        return f"{span}, every issuer"


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


def share(part: int, whole: int) -> float | None:
    """part / whole as a fraction, None when there is nothing to divide (not 0: 'no data' is not 'none')."""
    return round(part / whole, 4) if whole else None
