"""Awards by month, type, issuer and credential, with the share granted with distinction."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select

from bot.domain.vocabulary import CredentialType
from bot.usecases.context import Context
from bot.usecases.reports.scope import (
    Report,
    ReportFilter,
    Table,
    allowed,
    for_reports,
    issuer_clause,
    issuer_of,
    month_of,
    share,
)
from models import Award, Credential

COLUMNS = ("awards", "with distinction", "distinction share")


def awards_report(ctx: Context, actor: str, scope: ReportFilter) -> Report:
    """Credentials earned, by month, type, issuer and credential (revoked awards do not count)."""
    scope = allowed(ctx, actor, scope)
    now = ctx.clock()
    with ctx.reading() as session:
        for_reports(session)
        month = month_of(session, Award.issued_at)
        # One grouped query at the finest grain the report shows (month x credential); the roll-ups
        # below add up at most months x credentials rows.
        rows = session.execute(
            select(month, Credential.slug, Credential.name, Credential.type, issuer_of(Credential),
                   func.count(), func.sum(case((Award.distinction, 1), else_=0)))
            .join(Credential, Credential.id == Award.credential_id)
            .where(Award.revoked_at.is_(None), scope.within(Award.issued_at), issuer_clause(Credential, scope))
            .group_by(month, Credential.slug, Credential.name, Credential.type, issuer_of(Credential))
        ).all()
    by: dict[str, dict[tuple[str, ...], list[int]]] = {k: defaultdict(lambda: [0, 0]) for k in
                                                       ("month", "type", "issuer", "credential")}
    for month_, slug, name, ctype, issuer, count, distinct in rows:
        ctype = CredentialType(ctype)
        for key, group in (("month", (month_,)), ("type", (ctype.label,)), ("issuer", (issuer,)),
                           ("credential", (slug, name, ctype.label))):
            totals = by[key][group]
            totals[0] += count
            totals[1] += int(distinct or 0)

    def table(name: str, title: str, columns: tuple[str, ...], order: str) -> Table:
        groups = sorted(by[name].items(), key=(lambda kv: kv[0]) if order == "key" else (lambda kv: (-kv[1][0], kv[0])))
        return Table(name, title, (*columns, *COLUMNS),
                     tuple((*group, n, d, share(d, n)) for group, (n, d) in groups))

    total = sum(n for n, _ in by["credential"].values())
    distinction = sum(d for _, d in by["credential"].values())
    return Report(
        "awards", "Awards", scope, now,
        headline=(("awards", total), ("with distinction", distinction),
                  ("credentials awarded", len(by["credential"]))),
        tables=(
            table("month", "Awards by month", ("month",), "key"),
            table("type", "Awards by credential type", ("type",), "count"),
            table("issuer", "Awards by issuer", ("issuer",), "count"),
            table("credential", "Awards by credential", ("credential", "name", "type"), "count"),
        ),
    )
