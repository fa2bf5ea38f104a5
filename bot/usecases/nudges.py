"""Certificate-stacking nudges: once per cadence period, one message to each learner who has started
a certificate: a nudge toward the closest one, or congratulations for one just finished.

Decided set-based (the progress queries, then a fixed handful of queries whatever the number of
learners) and queued in one transaction with a dedupe key per learner and period, so a second run
in the period (a restart, a new leader, an administrator's `badgebot jobs run nudges`) queues nothing.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.domain.scheduling import (
    Cadence,
    JobResult,
    QuietHours,
    period_key,
    plan_nudges,
)
from bot.domain.vocabulary import OPEN_STATUSES, CredentialType, OutboxKind
from bot.usecases.context import Context
from bot.usecases.jobruns import finish_run, run_times
from bot.usecases.outbox import Queued, existing_keys
from bot.usecases.progress import nudge_candidates, valid_award_filter
from models import (
    Award,
    CertificateRequirement,
    Credential,
    JobRun,
    Learner,
    Submission,
)

NUDGE, CONGRATULATIONS = OutboxKind.NUDGE, OutboxKind.NUDGE_CONGRATULATIONS
CERTIFICATES = (CredentialType.CERTIFICATE_PRACTICED, CredentialType.CERTIFICATE_EXPERT)


@dataclass(frozen=True)
class NudgePolicy:
    cadence: Cadence
    quiet: QuietHours = field(default_factory=QuietHours)


def nudge_key(period: dt.datetime, learner: str) -> str:
    return f"nudge:{period_key(period)}:{learner}"


def queue_nudges(ctx: Context, policy: NudgePolicy, *, scheduled_by: str | None = None) -> JobResult:
    """Queue this period's nudges and congratulations.

    `scheduled_by` names the scheduler process of a scheduled run, recorded once per period; a
    manual run (None) always runs, and its messages are still deduplicated per learner and period.
    """
    now, period, not_before = run_times(ctx, policy.cadence, policy.quiet)
    since = policy.cadence.previous_period_start(now)
    with ctx.transaction() as session:
        run = JobRun.begin(session, "nudges", period, now, scheduled_by)
        if run is None:
            return JobResult("nudges", period, already_ran=True)

        opted_in = dict(session.execute(
            select(Learner.id, Learner.slack_user_id).where(Learner.nudges_enabled.is_(True))).all())
        candidates = nudge_candidates(session, now)
        # Congratulations cover the certificates finished in the previous period, whenever in this
        # period the run happens: one finished on Tuesday is congratulated next Monday, not twice.
        finished: dict[int, list[int]] = defaultdict(list)
        for learner_id, certificate_id in session.execute(
            select(Award.learner_id, Award.credential_id)
            .join(Credential, Credential.id == Award.credential_id)
            .where(Credential.type.in_(CERTIFICATES), Award.issued_at > since, Award.issued_at <= period,
                   valid_award_filter(now))
        ):
            finished[learner_id].append(certificate_id)
        plans = plan_nudges(((c.learner_id, c.certificate_id, c.held, c.required) for c in candidates),
                            finished, frozenset(opted_in))

        credentials = {cid: (slug, name, ctype) for cid, slug, name, ctype in session.execute(
            select(Credential.id, Credential.slug, Credential.name, Credential.type))}
        requirements: dict[int, set[int]] = defaultdict(set)
        for certificate_id, badge_id in session.execute(
                select(CertificateRequirement.certificate_id, CertificateRequirement.badge_id)):
            requirements[certificate_id].add(badge_id)

        # Which badges of their certificate each nudged learner still misses: one streamed pass
        # over the valid awards of stacked badges, keeping only what a nudge will name.
        toward = {p.learner_id: p.certificate_id for p in plans if not p.congratulate}
        held: dict[int, set[int]] = defaultdict(set)
        rows = session.execute(
            select(Award.learner_id, Award.credential_id)
            .where(valid_award_filter(now),
                   Award.credential_id.in_(select(CertificateRequirement.badge_id).distinct()))
            .execution_options(yield_per=20_000))
        for learner_id, badge_id in rows:
            certificate_id = toward.get(learner_id)
            if certificate_id is not None and badge_id in requirements[certificate_id]:
                held[learner_id].add(badge_id)
        in_review = set(session.execute(
            select(Submission.learner_id, Submission.credential_id).where(Submission.status.in_(OPEN_STATUSES))).all())

        already = existing_keys(session, f"nudge:{period_key(period)}:")
        messages = []
        for plan in plans:
            user = opted_in[plan.learner_id]
            key = nudge_key(period, user)
            if key in already:
                continue
            if plan.congratulate:
                payload = {"learner": user, "finished": [
                    {"slug": credentials[c][0], "name": credentials[c][1], "type": credentials[c][2].label}
                    for c in plan.finished]}
                messages.append(Queued(key, CONGRATULATIONS, user, payload, not_before))
                continue
            assert plan.certificate_id is not None
            slug, name, ctype = credentials[plan.certificate_id]
            missing = sorted((credentials[b] for b in requirements[plan.certificate_id] - held[plan.learner_id]),
                             key=lambda c: c[1])
            badge_ids = {credentials[b][0]: b for b in requirements[plan.certificate_id]}
            payload = {
                "learner": user, "certificate": slug, "certificate_name": name, "certificate_type": ctype.label,
                "held": plan.required - len(missing), "required": plan.required,
                "missing": [{"slug": m[0], "name": m[1], "in_review": (plan.learner_id, badge_ids[m[0]]) in in_review}
                            for m in missing],
            }
            messages.append(Queued(key, NUDGE, user, payload, not_before))
        return finish_run(session, now, run, period, messages, (NUDGE, CONGRATULATIONS), skipped=len(already),
                          not_before=not_before)


def nudges_wanted(ctx: Context, learner: str) -> bool:
    """Still opted in? Checked again at delivery, so `/badges nudges off` also stops queued nudges."""
    with ctx.transaction() as session:
        wanted = session.scalar(select(Learner.nudges_enabled).where(Learner.slack_user_id == learner))
    return bool(wanted)
