"""Learners submit artifacts for badges, resubmit after a request for changes, or withdraw."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.review import may_resubmit, may_withdraw
from bot.domain.submitting import form_problems, not_submittable
from bot.domain.vocabulary import OPEN_STATUSES, OutboxKind, SubmissionStatus
from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.usecases.awards import live_award
from bot.usecases.context import (
    Context,
    audit,
    credential_by_slug,
    ensure_learner,
    locked,
    notify,
)
from models import Artifact, Learner, Submission


@dataclass(frozen=True)
class ArtifactFile:
    """A file already stored in content-addressed storage; what a submission records of it."""

    filename: str
    media_type: str
    size: int
    sha256: str
    storage_key: str
    slack_file_id: str | None = None


@dataclass(frozen=True)
class SubmissionView:
    id: int
    learner: str
    credential: str
    credential_name: str
    status: SubmissionStatus
    round: int
    created: bool  # False when an open submission already existed (a retry or double click)

    @classmethod
    def of(cls, s: Submission, created: bool = True) -> "SubmissionView":
        return cls(s.id, s.learner.slack_user_id, s.credential.slug, s.credential.name, s.status, s.round, created)


def _check_files(files: Sequence[ArtifactFile], reflection: str, link: str | None = None) -> None:
    problems = form_problems([(f.filename, f.size) for f in files], reflection, link, reflection_required=False)
    for field, problem in problems.items():
        raise InvalidInput(problem, field=field)


def check_can_submit(ctx: Context, learner_id: str, credential: str) -> None:
    """Refuse, before any file moves, work for a credential this learner cannot submit for now."""
    with ctx.reading() as session:
        cred = credential_by_slug(session, credential, offered=True)
        why = not_submittable(cred.type, cred.name)
        if why:
            raise InvalidInput(why, field="credential")
        learner = session.scalar(select(Learner).where(Learner.slack_user_id == learner_id))
        if learner is None:
            return
        if live_award(session, learner.id, cred.id):
            raise Conflict(f"You already hold {cred.name}.")
        if _open_submission(session, learner.id, cred.id) is not None:
            raise Conflict(f"Your submission for {cred.name} is already in progress; see `/badges`.")


def submit(
    ctx: Context,
    learner_id: str,
    credential: str,
    files: Sequence[ArtifactFile],
    reflection: str = "",
    link: str | None = None,
    *,
    display_name: str | None = None,
) -> SubmissionView:
    """Submit an artifact for a badge; it goes to the badge's grantors for review."""
    reflection = (reflection or "").strip()
    _check_files(files, reflection, link)
    name = ctx.learner_name(learner_id, display_name)
    try:
        with ctx.transaction() as session:
            return submit_in(session, ctx.clock(), learner_id, credential, files, reflection, link,
                             display_name=name)
    except IntegrityError:
        # A concurrent request opened the same submission first (double click, Slack retry).
        with ctx.transaction() as session:
            cred = credential_by_slug(session, credential)
            learner = ensure_learner(session, learner_id)
            existing = _open_submission(session, learner.id, cred.id)
            if existing is None:
                raise
            return SubmissionView.of(existing, created=False)


def submit_in(session: Session, now: dt.datetime, learner_id: str, credential: str, files: Sequence[ArtifactFile],
              reflection: str, link: str | None, *, display_name: str | None = None) -> SubmissionView:
    """`submit`, in the caller's transaction (intake commits it with the intake row it finishes)."""
    _check_files(files, reflection, link)
    cred = credential_by_slug(session, credential, offered=True)
    why = not_submittable(cred.type, cred.name)
    if why:
        raise InvalidInput(why, field="credential")
    learner = ensure_learner(session, learner_id, display_name)
    session.flush()
    if live_award(session, learner.id, cred.id):
        raise Conflict(f"You already hold {cred.name}.")
    existing = _open_submission(session, learner.id, cred.id)
    if existing is not None:
        return SubmissionView.of(existing, created=False)
    submission = Submission(
        learner_id=learner.id, credential_id=cred.id, status=SubmissionStatus.SUBMITTED,
        reflection=reflection, link=link or None, created_at=now, updated_at=now,
        review_channel=cred.review_channel,
    )
    session.add(submission)
    session.flush()
    _attach(session, submission, files, now)
    audit(session, now, learner_id, "submission.created", submission, credential=cred.slug, files=len(files))
    notify(session, now, f"card:{submission.id}", OutboxKind.REVIEW_CARD, cred.review_channel or "",
           submission_id=submission.id)
    notify(session, now, f"received:{submission.id}", OutboxKind.SUBMISSION_RECEIVED, learner_id,
           submission_id=submission.id)
    return SubmissionView.of(submission)


def resubmit(
    ctx: Context, learner_id: str, submission_id: int, files: Sequence[ArtifactFile], reflection: str = ""
) -> SubmissionView:
    """Send revised work for a submission whose grantor asked for changes."""
    with ctx.transaction() as session:
        return resubmit_in(session, ctx.clock(), learner_id, submission_id, files, reflection)


def resubmit_in(session: Session, now: dt.datetime, learner_id: str, submission_id: int,
                files: Sequence[ArtifactFile], reflection: str = "") -> SubmissionView:
    """`resubmit`, in the caller's transaction."""
    reflection = (reflection or "").strip()
    _check_files(files, reflection)
    submission = _own_submission(session, learner_id, submission_id)
    if not may_resubmit(submission.status):
        raise Conflict(f"Your submission for {submission.credential.name} is {submission.status.value.replace('_', ' ')}; "
                       "you can resubmit only after a grantor asks for changes.")
    submission.round += 1
    submission.status = SubmissionStatus.RESUBMITTED
    submission.updated_at = now
    if reflection:
        submission.reflection = reflection
    _attach(session, submission, files, now)
    audit(session, now, learner_id, "submission.resubmitted", submission, round=submission.round)
    notify(session, now, f"resubmitted:{submission.id}:{submission.round}", OutboxKind.RESUBMITTED,
           submission.review_channel or "", submission_id=submission.id, round=submission.round)
    return SubmissionView.of(submission)


def withdraw(ctx: Context, learner_id: str, submission_id: int) -> SubmissionView:
    """Take back a submission that has not been decided."""
    now = ctx.clock()
    with ctx.transaction() as session:
        submission = _own_submission(session, learner_id, submission_id)
        if not may_withdraw(submission.status):
            raise Conflict(f"That submission is already {submission.status.value}.")
        submission.status = SubmissionStatus.WITHDRAWN
        submission.updated_at = now
        audit(session, now, learner_id, "submission.withdrawn", submission)
        return SubmissionView.of(submission)


def _own_submission(session: Session, learner_id: str, submission_id: int) -> Submission:
    submission = locked(session, Submission, submission_id)
    if submission is None:
        raise NotFound("That submission does not exist.")
    if submission.learner.slack_user_id != learner_id:
        raise NotAllowed("That submission is not yours.")
    return submission


def _open_submission(session: Session, learner_pk: int, credential_pk: int) -> Submission | None:
    return session.scalar(select(Submission).where(
        Submission.learner_id == learner_pk, Submission.credential_id == credential_pk,
        Submission.status.in_(OPEN_STATUSES)))


def _attach(session: Session, submission: Submission, files: Sequence[ArtifactFile], now: dt.datetime) -> None:
    for f in files:
        session.add(Artifact(
            submission_id=submission.id, round=submission.round, filename=f.filename[:500],
            media_type=f.media_type, size=f.size, sha256=f.sha256, storage_key=f.storage_key,
            slack_file_id=f.slack_file_id, created_at=now,
        ))


def find_open_by_thread(ctx: Context, learner_id: str, channel: str, thread_ts: str) -> int | None:
    """The submission a learner's message thread belongs to (for resubmitting by replying in it)."""
    with ctx.reading() as session:
        return submission_of_thread(session, learner_id, channel, thread_ts)


def submission_of_thread(session: Session, learner_id: str, channel: str, thread_ts: str) -> int | None:
    return session.scalar(
        select(Submission.id).join(Submission.learner)
        .where(Submission.learner_channel == channel, Submission.learner_ts == thread_ts)
        .where(Submission.learner.has(slack_user_id=learner_id))
    )
