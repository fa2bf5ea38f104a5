"""Awarding, stacking, revoking and sharing credentials."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.stacking import completed_certificates
from bot.domain.validity import expiry_for
from bot.domain.vocabulary import CredentialType, OutboxKind
from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.usecases.context import (
    SYSTEM_ACTOR,
    Context,
    audit,
    credential_by_slug,
    ensure_learner,
    lock_learner,
    new_public_id,
    notify,
)
from bot.usecases.progress import Holding, learner_progress
from models import Award, CertificateRequirement, Credential, Learner


@dataclass(frozen=True)
class AwardView:
    public_id: str
    learner: str
    credential: str
    credential_name: str
    type: CredentialType
    distinction: bool
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    shared: bool

    @classmethod
    def of(cls, award: Award) -> "AwardView":
        return cls(
            public_id=award.public_id, learner=award.learner.slack_user_id, credential=award.credential.slug,
            credential_name=award.credential.name, type=award.credential.type, distinction=award.distinction,
            issued_at=award.issued_at, expires_at=award.expires_at, revoked_at=award.revoked_at,
            shared=award.shared_at is not None,
        )


def live_award(session: Session, learner_id: int, credential_id: int) -> Award | None:
    return session.scalar(select(Award).where(
        Award.learner_id == learner_id, Award.credential_id == credential_id, Award.revoked_at.is_(None)))


def grant(
    session: Session,
    now: dt.datetime,
    learner: Learner,
    credential: Credential,
    *,
    actor: str,
    distinction: bool = False,
    submission_id: int | None = None,
    event_id: int | None = None,
) -> list[Award]:
    """Award `credential` and every certificate it completes, in this transaction, exactly once.

    Returns the new awards (empty when the learner already held it). The learner row is locked
    first, so concurrent awards to one learner are applied one after another and each sees the
    other's badges when checking stacks; the partial unique index is the backstop.
    """
    lock_learner(session, learner.id)
    if live_award(session, learner.id, credential.id) is not None:
        return []
    award = Award(
        public_id=new_public_id(), learner_id=learner.id, credential_id=credential.id,
        distinction=distinction and credential.distinction_allowed, issued_at=now, issued_by=actor,
        expires_at=expiry_for(credential.expires_after, now),
        submission_id=submission_id, event_id=event_id,
    )
    session.add(award)
    session.flush()
    audit(session, now, actor, "award.issued", award, learner=learner.slack_user_id,
          credential=credential.slug, distinction=award.distinction)
    notify(session, now, f"award:{award.id}", OutboxKind.AWARD, learner.slack_user_id, award_id=award.id)
    new = [award]
    if credential.type.is_badge:
        for certificate in _completed_stacks(session, now, learner, credential):
            new.extend(grant(session, now, learner, certificate, actor=SYSTEM_ACTOR))
    return new


def _completed_stacks(session: Session, now: dt.datetime, learner: Learner, badge: Credential) -> list[Credential]:
    """Offered certificates that stack `badge` and that the learner's valid badges now complete."""
    certificates = session.scalars(
        select(Credential)
        .join(CertificateRequirement, CertificateRequirement.certificate_id == Credential.id)
        .where(CertificateRequirement.badge_id == badge.id, Credential.retired_at.is_(None))
    ).unique().all()
    if not certificates:
        return []
    holdings = session.execute(
        select(Credential.slug, Award.expires_at)
        .join(Award, Award.credential_id == Credential.id)
        .where(Award.learner_id == learner.id, Award.revoked_at.is_(None))
    ).all()
    held = {slug for slug, expires in holdings if expires is None or expires > now}
    stacks = {c.slug: c.required_slugs for c in certificates}
    done = set(completed_certificates(held, stacks, held))
    return [c for c in certificates if c.slug in done]


def award_souvenir(
    ctx: Context,
    host: str,
    souvenir: str,
    learners: Iterable[tuple[str, str | None]],
    *,
    event_id: int | None = None,
) -> tuple[list[str], list[str]]:
    """A host awards a souvenir to several people at once (members, paper sign-ins).

    Returns (newly awarded, already held) Slack user ids.
    """
    if not ctx.is_host(host):
        raise NotAllowed("Only event hosts can award souvenirs.")
    now = ctx.clock()
    awarded, already = [], []
    names = {user_id: ctx.learner_name(user_id, name) for user_id, name in dict(learners).items()}  # before the lock
    with ctx.transaction() as session:
        credential = credential_by_slug(session, souvenir, offered=True)
        if credential.type is not CredentialType.SOUVENIR:
            raise InvalidInput(f"{credential.name} is a {credential.type.label}, not a souvenir: "
                               "it is earned by submitting work for review.", field="souvenir")
        for user_id, name in names.items():
            learner = ensure_learner(session, user_id, name)
            session.flush()
            (awarded if grant(session, now, learner, credential, actor=host, event_id=event_id) else already).append(user_id)
    return awarded, already


def revoke(ctx: Context, admin: str, public_id: str, reason: str) -> list[str]:
    """An administrator revokes an award, with a reason; history stays. Returns flagged certificates.

    A certificate that stacked the revoked badge is flagged for an administrator's review rather
    than silently kept or silently revoked.
    """
    ctx.require_admin(admin)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for the revocation; the learner will see it.", field="reason")
    now = ctx.clock()
    with ctx.transaction() as session:
        award = session.scalar(select(Award).where(Award.public_id == public_id))
        if award is None:
            raise NotFound(f"There is no award {public_id}.")
        lock_learner(session, award.learner_id)
        session.refresh(award)
        if award.revoked_at is not None:
            raise Conflict(f"That award was already revoked on {award.revoked_at:%Y-%m-%d}.")
        award.revoked_at, award.revoked_by, award.revoked_reason = now, admin, reason
        audit(session, now, admin, "award.revoked", award, reason=reason)
        notify(session, now, f"revoked:{award.id}", OutboxKind.AWARD_REVOKED, award.learner.slack_user_id,
               award_id=award.id, reason=reason)
        flagged = []
        if award.credential.type.is_badge:
            certificates = session.scalars(
                select(Award)
                .join(CertificateRequirement, CertificateRequirement.certificate_id == Award.credential_id)
                .where(CertificateRequirement.badge_id == award.credential_id,
                       Award.learner_id == award.learner_id, Award.revoked_at.is_(None))
            ).unique().all()
            for certificate in certificates:
                certificate.flagged_at = now
                certificate.flagged_reason = f"requirement {award.credential.slug} was revoked: {reason}"
                audit(session, now, admin, "award.flagged", certificate, because=award.public_id)
                for admin_id in ctx.roles.admins:
                    if admin_id.startswith(("U", "W")):
                        notify(session, now, f"flagged:{certificate.id}:{award.id}:{admin_id}",
                               OutboxKind.CERTIFICATE_FLAGGED, admin_id, award_id=certificate.id, revoked_id=award.id)
                flagged.append(certificate.public_id)
    return flagged


def award_to_share(ctx: Context, learner_id: str, credential: str, name: str) -> Holding:
    """The learner's valid award of `credential` (named `name`), which they may share; refused when
    they do not hold it."""
    holding = next((h for h in learner_progress(ctx, learner_id).holdings if h.credential == credential), None)
    if holding is None:
        raise InvalidInput(f"You do not hold {name} yet, so there is nothing to share.")
    return holding


def set_shared(ctx: Context, learner_id: str, credential: str, shared: bool) -> AwardView:
    """The learner makes an award public (a verification page, LinkedIn) or private again."""
    now = ctx.clock()
    with ctx.transaction() as session:
        cred = credential_by_slug(session, credential)
        learner = session.scalar(select(Learner).where(Learner.slack_user_id == learner_id))
        award = live_award(session, learner.id, cred.id) if learner else None
        if award is None:
            raise NotFound(f"You do not hold {cred.name}, so there is nothing to share.")
        if shared and award.shared_at is None:
            award.shared_at = now
            audit(session, now, learner_id, "award.shared", award)
        elif not shared and award.shared_at is not None:
            award.shared_at = None
            audit(session, now, learner_id, "award.unshared", award)
        return AwardView.of(award)


def award_view(ctx: Context, award_id: int) -> AwardView | None:
    with ctx.transaction() as session:
        award = session.get(Award, award_id)
        return AwardView.of(award) if award else None
