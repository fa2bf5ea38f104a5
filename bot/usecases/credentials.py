"""Reading awards as credentials: what an Open Badges credential, a badge image or a public page needs.

Every query returns plain frozen records (no ORM rows escape the transaction), so rendering and
signing happen outside it. Privacy lives here, once: `shared_award` answers only for awards the
learner shared, and `shared_evidence` only for Level II artifacts of such awards.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.alignment import Framework
from bot.domain.validity import AwardState, award_state
from bot.domain.vocabulary import CredentialType, SubmissionStatus
from bot.errors import InvalidInput, NotFound
from bot.usecases.context import Context, audit, credential_by_slug
from config.catalog import UNIVERSITY, Alignment
from models import Award, Credential, Event, Learner, Submission


@dataclass(frozen=True)
class CredentialRecord:
    """A catalog credential as an Open Badges Achievement and a badge design see it."""

    slug: str
    type: CredentialType
    name: str
    description: str
    criteria: str
    skills: tuple[str, ...]
    image: str | None
    distinction_allowed: bool
    expires_after: str | None
    requires: tuple[tuple[str, str], ...]  # (slug, name) of each stacked badge, certificates only
    issuer: str = UNIVERSITY  # the id of the catalog issuer that answers for it
    alignment: tuple[Alignment, ...] = ()

    @classmethod
    def of(cls, credential: Credential) -> "CredentialRecord":
        return cls(
            slug=credential.slug, type=credential.type, name=credential.name,
            description=credential.description or "", criteria=credential.criteria or "",
            skills=tuple(credential.skills or ()), image=credential.image,
            distinction_allowed=credential.distinction_allowed, expires_after=credential.expires_after,
            requires=tuple(sorted((r.badge.slug, r.badge.name) for r in credential.requires)),
            issuer=credential.issuer or UNIVERSITY,
            alignment=tuple(Alignment(Framework.parse(a["framework"]), a["code"], a["name"], a["url"])
                            for a in credential.alignment or ()),
        )


@dataclass(frozen=True)
class EvidenceFile:
    """A Level II artifact that became public evidence of a shared award."""

    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    storage_key: str


@dataclass(frozen=True)
class AwardRecord:
    """One award, with everything its credential, image and public page show."""

    public_id: str
    credential: CredentialRecord
    learner_name: str
    distinction: bool
    issued_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    shared: bool
    # Badges: when the work was assessed and how many grantors approved it.
    assessed_at: dt.datetime | None = None
    approvals: int = 0
    # Level II only: the approved round's files (Level I artifacts never leave the granting system).
    evidence: tuple[EvidenceFile, ...] = ()
    # Souvenirs: the event attended.
    event_name: str | None = None
    event_date: dt.datetime | None = None
    # The learner's Slack user id: never shown; the credential names its subject by a URN derived from it.
    learner_slack_id: str = ""
    # The award's database id: its place in the issuer's Bitstring status list. None for a record
    # made outside the database, whose credential keeps the per-award status document.
    award_id: int | None = None

    def status_at(self, now: dt.datetime) -> str:
        """'revoked', 'expired' or 'valid' at `now`."""
        return award_state(self.revoked_at, self.expires_at, now).value


def _record(session: Session, award: Award) -> AwardRecord:
    credential = award.credential
    assessed_at, approvals, evidence = None, 0, ()
    if award.submission_id is not None:
        submission = session.get(Submission, award.submission_id)
        if submission is not None and submission.status is SubmissionStatus.APPROVED:
            assessed_at = submission.decided_at
            approvals = sum(1 for r in submission.reviews if r.round == submission.round and r.decision.is_approval)
            if credential.type is CredentialType.BADGE_LEVEL_2:
                evidence = tuple(
                    EvidenceFile(a.id, a.filename, a.media_type, a.size, a.sha256, a.storage_key)
                    for a in submission.artifacts if a.round == submission.round
                )
    event_name = event_date = None
    if award.event_id is not None:
        event = session.get(Event, award.event_id)
        if event is not None:
            event_name, event_date = event.name, event.starts_at
    return AwardRecord(
        public_id=award.public_id, credential=CredentialRecord.of(credential),
        learner_name=award.learner.display_name or "", distinction=award.distinction,
        issued_at=award.issued_at, expires_at=award.expires_at, revoked_at=award.revoked_at,
        shared=award.shared_at is not None, assessed_at=assessed_at, approvals=approvals,
        evidence=evidence, event_name=event_name, event_date=event_date,
        learner_slack_id=award.learner.slack_user_id, award_id=award.id,
    )


def _by_public_id(session: Session, public_id: str) -> Award | None:
    return session.scalar(select(Award).where(Award.public_id == public_id))


def award_record(ctx: Context, public_id: str) -> AwardRecord:
    """An award as a credential, shared or not: for its learner's downloads and the CLI."""
    with ctx.transaction() as session:
        award = _by_public_id(session, public_id)
        if award is None:
            raise NotFound(f"There is no award {public_id}.")
        return _record(session, award)


def shared_award(ctx: Context, public_id: str) -> AwardRecord | None:
    """The award behind a public page: None when it is unknown or its learner has not shared it."""
    with ctx.transaction() as session:
        award = _by_public_id(session, public_id)
        if award is None or award.shared_at is None:
            return None
        return _record(session, award)


def revocation_of(ctx: Context, public_id: str) -> dt.datetime | None:
    """When the award was revoked, if it was; an unknown award answers like a valid one, revealing nothing."""
    with ctx.transaction() as session:
        return session.scalar(select(Award.revoked_at).where(Award.public_id == public_id))


def shared_evidence(ctx: Context, public_id: str, artifact_id: int) -> EvidenceFile | None:
    """A Level II artifact of a shared award, or None (never a Level I artifact, never an unshared award's)."""
    record = shared_award(ctx, public_id)
    if record is None:
        return None
    return next((f for f in record.evidence if f.id == artifact_id), None)


def credential_record(ctx: Context, slug: str) -> CredentialRecord:
    """A catalog credential (retired ones too: their awards stay valid and keep their image)."""
    with ctx.transaction() as session:
        return CredentialRecord.of(credential_by_slug(session, slug))


def issued_credentials(ctx: Context) -> list[CredentialRecord]:
    """Every credential in the catalog, for rendering and the hosted OB 2.0 BadgeClasses."""
    with ctx.transaction() as session:
        return [CredentialRecord.of(c) for c in session.scalars(select(Credential).order_by(Credential.slug))]


def recent_award_ids(ctx: Context, limit: int = 100) -> list[str]:
    """Public ids of the newest awards (for benches and operators, never shown to learners)."""
    with ctx.transaction() as session:
        return list(session.scalars(select(Award.public_id).order_by(Award.id.desc()).limit(limit)))


def revoked_award_ids(ctx: Context, ids: range) -> list[int]:
    """Database ids in `ids` (one status list's awards) of the awards that are revoked, in order."""
    with ctx.transaction() as session:
        return list(session.scalars(
            select(Award.id).where(Award.id >= ids.start, Award.id < ids.stop, Award.revoked_at.is_not(None))
            .order_by(Award.id)))


@dataclass(frozen=True)
class Transcript:
    """What a learner's CLR transcript holds: every award valid at `at`, oldest first."""

    learner_slack_id: str
    learner_name: str
    at: dt.datetime
    awards: tuple[AwardRecord, ...]
    # The learner's database id: what the public link of a shared transcript is made from.
    learner_number: int = 0
    shared: bool = False


NOTHING_TO_LIST = ("There is nothing to put on a transcript yet: it lists the credentials you hold, "
                   "and you hold none that is valid.")


def _transcript(session: Session, learner: Learner, now: dt.datetime) -> Transcript:
    awards = [award for award in session.scalars(
        select(Award).where(Award.learner_id == learner.id, Award.revoked_at.is_(None))
        .order_by(Award.issued_at, Award.id))
        if award_state(award.revoked_at, award.expires_at, now) is AwardState.VALID]
    return Transcript(learner_slack_id=learner.slack_user_id, learner_name=learner.display_name or "", at=now,
                      awards=tuple(_record(session, award) for award in awards), learner_number=learner.id,
                      shared=learner.public_profile)


def transcript(ctx: Context, learner_id: str) -> Transcript:
    """A learner's valid awards, for their CLR transcript; refused when they hold none."""
    with ctx.transaction() as session:
        learner = session.scalar(select(Learner).where(Learner.slack_user_id == learner_id))
        found = None if learner is None else _transcript(session, learner, ctx.clock())
        if found is None or not found.awards:
            raise InvalidInput(NOTHING_TO_LIST)
        return found


def set_transcript_shared(ctx: Context, learner_id: str, shared: bool) -> Transcript | None:
    """The learner makes their transcript and public page visible to anyone with the link, or private again."""
    now = ctx.clock()
    with ctx.transaction() as session:
        learner = session.scalar(select(Learner).where(Learner.slack_user_id == learner_id))
        found = None if learner is None else _transcript(session, learner, now)
        if shared and (found is None or not found.awards):
            raise InvalidInput(NOTHING_TO_LIST)
        if learner is not None and learner.public_profile != shared:
            learner.public_profile = shared
            audit(session, now, learner_id, "transcript.shared" if shared else "transcript.unshared", learner)
        return found if found is None else dataclasses.replace(found, shared=shared)


def shared_transcript(ctx: Context, learner_number: int) -> Transcript | None:
    """The transcript behind a learner's public page: None unless they shared it and hold something valid."""
    with ctx.transaction() as session:
        learner = session.get(Learner, learner_number)
        if learner is None or not learner.public_profile:
            return None
        found = _transcript(session, learner, ctx.clock())
        return found if found.awards else None
