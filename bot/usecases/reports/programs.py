"""Certificate progress (for each certificate, learners at k of n) and events (check-ins, souvenirs,
repeat attendees)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import distinct, func, select

from bot.usecases.context import Context
from bot.usecases.progress import all_stack_progress, valid_award_filter
from bot.usecases.reports.scope import (
    Report,
    ReportFilter,
    Table,
    allowed,
    for_reports,
    issuer_clause,
    share,
)
from models import Award, CertificateRequirement, CheckIn, Credential, Event


def certificates_report(ctx: Context, actor: str, scope: ReportFilter) -> Report:
    """How far learners are toward each certificate now (the date range does not apply: progress is a state)."""
    scope = allowed(ctx, actor, scope)
    now = ctx.clock()
    with ctx.reading() as session:
        for_reports(session)
        certificates = {cid: (slug, name, required) for cid, slug, name, required in session.execute(
            select(Credential.id, Credential.slug, Credential.name, func.count(CertificateRequirement.badge_id))
            .join(CertificateRequirement, CertificateRequirement.certificate_id == Credential.id)
            .where(issuer_clause(Credential, scope))
            .group_by(Credential.id, Credential.slug, Credential.name))}
        holders = dict(session.execute(
            select(Award.credential_id, func.count()).where(valid_award_filter(now),
                                                            Award.credential_id.in_(certificates))
            .group_by(Award.credential_id)).all())
        # The same set-based aggregate the nudges use (learner x certificate -> held of required).
        at: Counter[tuple[int, int]] = Counter(
            (certificate, held) for _, certificate, held, _ in all_stack_progress(session, now)
            if certificate in certificates)
    rows, started_total = [], 0
    for cid, (slug, name, required) in sorted(certificates.items(), key=lambda kv: kv[1][1]):
        started = sum(at[(cid, k)] for k in range(1, required + 1))
        started_total += started
        rows.extend((slug, name, k, required, at[(cid, k)]) for k in range(1, required + 1))
    summary = tuple(
        (slug, name, required, sum(at[(cid, k)] for k in range(1, required + 1)), holders.get(cid, 0),
         share(holders.get(cid, 0), sum(at[(cid, k)] for k in range(1, required + 1))))
        for cid, (slug, name, required) in sorted(certificates.items(), key=lambda kv: kv[1][1]))
    return Report(
        "certificates", "Certificate progress", scope, now,
        headline=(("certificates", len(certificates)), ("learners started", started_total),
                  ("certificates held", sum(holders.values()))),
        tables=(
            Table("summary", "Certificates: learners started and holding",
                  ("certificate", "name", "badges required", "learners started", "holders", "completion"), summary),
            Table("progress", "Learners at k of n badges", ("certificate", "name", "badges held", "of", "learners"),
                  tuple(rows)),
        ),
    )


def events_report(ctx: Context, actor: str, scope: ReportFilter) -> Report:
    """Events that started in the range: check-ins, souvenirs awarded, and attendees who came to more than one."""
    scope = allowed(ctx, actor, scope)
    now = ctx.clock()
    events = (select(Event.id).join(Credential, Credential.id == Event.souvenir_id)
              .where(scope.within(Event.starts_at), issuer_clause(Credential, scope)))
    with ctx.reading() as session:
        for_reports(session)
        # Learners who checked in at two or more of these events.
        repeaters = (select(CheckIn.learner_id).where(CheckIn.event_id.in_(events))
                     .group_by(CheckIn.learner_id).having(func.count(distinct(CheckIn.event_id)) > 1))
        checkins = dict(session.execute(
            select(CheckIn.event_id, func.count()).where(CheckIn.event_id.in_(events)).group_by(CheckIn.event_id)).all())
        repeat = dict(session.execute(
            select(CheckIn.event_id, func.count()).where(CheckIn.event_id.in_(events),
                                                         CheckIn.learner_id.in_(repeaters))
            .group_by(CheckIn.event_id)).all())
        souvenirs = dict(session.execute(
            select(Award.event_id, func.count()).where(Award.event_id.in_(events), Award.revoked_at.is_(None))
            .group_by(Award.event_id)).all())
        listed = session.execute(
            select(Event.id, Event.name, Event.starts_at, Credential.slug, Event.capacity)
            .join(Credential, Credential.id == Event.souvenir_id).where(Event.id.in_(events))
            .order_by(Event.starts_at, Event.id)).all()
        attendees = session.scalar(select(func.count(distinct(CheckIn.learner_id))).where(CheckIn.event_id.in_(events)))
        repeat_total = session.scalar(select(func.count()).select_from(repeaters.subquery()))
    rows = tuple((name, starts.date().isoformat(), slug, checkins.get(eid, 0), souvenirs.get(eid, 0),
                  repeat.get(eid, 0), capacity) for eid, name, starts, slug, capacity in listed)
    return Report(
        "events", "Events", scope, now,
        headline=(("events", len(rows)), ("check-ins", sum(checkins.values())), ("attendees", attendees or 0),
                  ("repeat attendees", repeat_total or 0), ("souvenirs", sum(souvenirs.values()))),
        tables=(Table("events", "Check-ins and souvenirs by event",
                      ("event", "date", "souvenir", "check-ins", "souvenirs", "repeat attendees", "capacity"), rows),),
    )
