"""Grantors assess submissions: approve, approve with distinction, request changes, reject."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.domain.review import Vote, decide
from bot.domain.vocabulary import (
    AWAITING_REVIEW,
    Decision,
    OutboxKind,
    SubmissionStatus,
)
from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.usecases.awards import grant
from bot.usecases.context import Context, audit, locked, notify
from bot.usecases.submissions import ArtifactFile
from models import Artifact, Learner, Review, Submission

if TYPE_CHECKING:
    from bot.usecases.submissions import ArtifactFile


@dataclass(frozen=True)
class ReviewResult:
    submission_id: int
    status: SubmissionStatus
    decision: Decision
    approvals: int
    approvals_required: int
    awarded: tuple[str, ...]  # credential slugs newly awarded (the badge, then any certificates)
    award_public_ids: tuple[str, ...]


def review(
    ctx: Context, grantor: str, submission_id: int, decision: Decision, comment: str = ""
) -> ReviewResult:
    """Record a grantor's decision on a submission; award the badge once enough grantors approve."""
    comment = (comment or "").strip()
    if decision.needs_reason and not comment:
        raise InvalidInput("Tell the learner why: a reason is required to request changes or reject.",
                           field="comment")
    if len(comment) > 3000:
        raise InvalidInput("Keep the comment under 3000 characters.", field="comment")
    now = ctx.clock()
    # An award carries the learner's name as Slack's profile has it now: asked before the transaction.
    with ctx.reading() as session:
        owner = session.scalar(select(Learner.slack_user_id).join(Submission, Submission.learner_id == Learner.id)
                               .where(Submission.id == submission_id))
    learner_name = ctx.learner_name(owner) if owner else None
    with ctx.transaction() as session:
        # Lock the submission: decisions on one submission apply one at a time, so the second of
        # two simultaneous clicks sees the first one's outcome.
        submission = locked(session, Submission, submission_id)
        if submission is None:
            raise NotFound("That submission does not exist (it may have been withdrawn).")
        credential = submission.credential
        _check_reviewer(ctx, grantor, submission)
        if decision is Decision.APPROVE_WITH_DISTINCTION and not credential.distinction_allowed:
            raise InvalidInput(f"{credential.name} cannot be granted with distinction.", field="decision")
        votes = [Vote(r.grantor, r.decision) for r in submission.reviews if r.round == submission.round]
        if any(v.grantor == grantor for v in votes):
            raise Conflict(f"You have already approved this submission; it needs "
                           f"{credential.approvals_required - len(votes)} more approval(s).")

        session.add(Review(
            submission_id=submission.id, round=submission.round, grantor=grantor, decision=decision,
            distinction=decision is Decision.APPROVE_WITH_DISTINCTION, comment=comment, created_at=now,
            decision_seconds=_seconds(now, _round_started(submission)),
        ))
        outcome = decide(submission.status, [*votes, Vote(grantor, decision)], credential.approvals_required)
        audit(session, now, grantor, f"review.{decision.value}", submission, round=submission.round,
              comment=comment)
        awards = []
        if outcome.decided:
            submission.status = outcome.status
            submission.decided_at, submission.decided_by = now, grantor
            if outcome.status in ENDS_THE_WAIT:
                submission.waited_seconds = _seconds(now, submission.created_at)
            audit(session, now, grantor, f"submission.{outcome.status.value}", submission)
            if outcome.award:
                if learner_name:
                    submission.learner.display_name = learner_name
                awards = grant(session, now, submission.learner, credential, actor=grantor,
                               distinction=outcome.distinction, submission_id=submission.id)
        submission.updated_at = now
        key = f"decision:{submission.id}:{submission.round}:{grantor}"
        notify(session, now, key, OutboxKind.DECISION, submission.learner.slack_user_id, submission_id=submission.id,
               decision=decision.value, grantor=grantor, comment=comment, status=outcome.status.value,
               approvals=outcome.approvals, approvals_required=outcome.approvals_required)
        notify(session, now, f"card-update:{key}", OutboxKind.REVIEW_CARD_UPDATE, submission.review_channel or "",
               submission_id=submission.id, decision=decision.value, grantor=grantor, comment=comment)
        return ReviewResult(
            submission_id=submission.id, status=submission.status, decision=decision,
            approvals=outcome.approvals, approvals_required=outcome.approvals_required,
            awarded=tuple(a.credential.slug if a.credential else "" for a in awards),
            award_public_ids=tuple(a.public_id for a in awards),
        )


ENDS_THE_WAIT = frozenset({SubmissionStatus.APPROVED, SubmissionStatus.REJECTED})
"""The decisions that end a learner's wait (time to decision); after a request for changes the learner is
still waiting for a verdict."""


def _round_started(submission: Submission) -> dt.datetime:
    """When the current round began: with its files (the first round's at submission, a later round's with
    the resubmission), or at submission when a round brought none."""
    files = [a.created_at for a in submission.artifacts if a.round == submission.round]
    return submission.created_at if submission.round == 1 else min(files, default=submission.created_at)


def _seconds(later: dt.datetime, earlier: dt.datetime) -> int:
    return round((later - earlier).total_seconds())


def check_may_review(ctx: Context, grantor: str, submission_id: int) -> None:
    """Raise the same refusal `review` would, before asking a grantor to type a reason."""
    with ctx.transaction() as session:
        submission = session.get(Submission, submission_id)
        if submission is None:
            raise NotFound("That submission does not exist (it may have been withdrawn).")
        _check_reviewer(ctx, grantor, submission)


def _check_reviewer(ctx: Context, grantor: str, submission: Submission) -> None:
    credential = submission.credential
    if not ctx.is_grantor(grantor, credential):
        raise NotAllowed(f"You are not a grantor for {credential.name}.")
    if submission.learner.slack_user_id == grantor:
        raise NotAllowed("You cannot assess your own submission.")
    if not submission.status.awaiting_review:
        who = f" by <@{submission.decided_by}>" if submission.decided_by else ""
        state = {SubmissionStatus.CHANGES_REQUESTED: "changes were requested"}.get(
            submission.status, submission.status.value)
        raise Conflict(f"Already decided{who}: {state}.")


def waiting_for(ctx: Context, grantor: str) -> list[Submission]:
    """Submissions awaiting this grantor's decision, oldest first (the grantor's review queue)."""
    with ctx.transaction() as session:
        waiting = session.scalars(
            select(Submission).where(Submission.status.in_(AWAITING_REVIEW))
            .order_by(Submission.updated_at)
        ).unique().all()
        return [
            s for s in waiting
            if ctx.is_grantor(grantor, s.credential) and s.learner.slack_user_id != grantor
            and not any(r.grantor == grantor and r.round == s.round for r in s.reviews)
        ]


@dataclass(frozen=True)
class CardFile:
    artifact_id: int
    filename: str
    size: int
    media_type: str
    round: int


@dataclass(frozen=True)
class CardVote:
    grantor: str
    decision: Decision
    comment: str
    round: int


@dataclass(frozen=True)
class SubmissionCard:
    """Everything the review card and the learner's messages show about one submission."""

    submission_id: int
    learner: str
    learner_name: str
    credential: str
    credential_name: str
    credential_type: str
    criteria: str
    status: SubmissionStatus
    round: int
    reflection: str
    link: str | None
    files: tuple[CardFile, ...]
    votes: tuple[CardVote, ...]
    approvals_required: int
    distinction_allowed: bool
    decided_by: str | None
    review_channel: str | None
    review_ts: str | None
    learner_channel: str | None
    learner_ts: str | None

    @property
    def approvals(self) -> int:
        return len({v.grantor for v in self.votes if v.round == self.round and v.decision.is_approval})


def submission_card(ctx: Context, submission_id: int) -> SubmissionCard:
    with ctx.transaction() as session:
        s = session.get(Submission, submission_id)
        if s is None:
            raise NotFound("That submission does not exist.")
        return SubmissionCard(
            submission_id=s.id, learner=s.learner.slack_user_id, learner_name=s.learner.display_name,
            credential=s.credential.slug, credential_name=s.credential.name,
            credential_type=s.credential.type.label, criteria=s.credential.criteria, status=s.status,
            round=s.round, reflection=s.reflection, link=s.link,
            files=tuple(CardFile(a.id, a.filename, a.size, a.media_type, a.round) for a in s.artifacts),
            votes=tuple(CardVote(r.grantor, r.decision, r.comment, r.round) for r in s.reviews),
            approvals_required=s.credential.approvals_required, distinction_allowed=s.credential.distinction_allowed,
            decided_by=s.decided_by, review_channel=s.review_channel, review_ts=s.review_ts,
            learner_channel=s.learner_channel, learner_ts=s.learner_ts,
        )


def record_card_message(ctx: Context, submission_id: int, *, review: tuple[str, str] | None = None,
                        learner: tuple[str, str] | None = None) -> None:
    """Remember where the review card and the learner's thread were posted in Slack."""
    with ctx.transaction() as session:
        s = session.get(Submission, submission_id)
        if s is None:
            return
        if review and not s.review_ts:
            s.review_channel, s.review_ts = review
        if learner and not s.learner_ts:
            s.learner_channel, s.learner_ts = learner


def artifact_file(ctx: Context, artifact_id: int) -> "ArtifactFile | None":
    """An artifact's stored file, for the grantors' signed download link."""

    with ctx.transaction() as session:
        a = session.get(Artifact, artifact_id)
        if a is None:
            return None
        return ArtifactFile(a.filename, a.media_type, a.size, a.sha256, a.storage_key, a.slack_file_id)
