"""What each person's App Home shows, by role: one read transaction per Home, set-based queries.

A person may hold several roles (a grantor who is also a learner sees both): `home_of` answers every
section at once, and leaves out (None) the sections of roles the person does not hold. The program's
figures for administrators come from bot/usecases/reports/summary.py, which does its own scoping.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.roles import is_member
from bot.domain.vocabulary import (
    AWAITING_REVIEW,
    CredentialType,
    Decision,
    SubmissionStatus,
)
from bot.errors import Conflict, NotAllowed, NotFound
from bot.usecases.campus_events.hosting import EventView
from bot.usecases.context import Context
from bot.usecases.progress import Progress, progress_in
from models import Award, Credential, Event, Learner, Review, Submission

QUEUE_SHOWN = 15  # a grantor's oldest submissions, each with a link to its card (one permalink call each)
PAST_EVENTS_SHOWN = 3
COMING_EVENTS_SHOWN = 8  # open and upcoming, soonest first; `/badges event list` has the rest
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class ChangesAsked:
    """A learner's submission a grantor sent back, with the grantor's reason."""

    submission_id: int
    credential: str
    name: str
    grantor: str
    reason: str
    asked_at: dt.datetime


@dataclass(frozen=True)
class Waiting:
    """A submission in a grantor's queue; its age counts from submission, as time to decision does."""

    submission_id: int
    credential_name: str
    learner: str
    round: int
    submitted_at: dt.datetime
    review_channel: str | None
    review_ts: str | None

    def age_days(self, now: dt.datetime) -> int:
        return max(0, (now - self.submitted_at) // DAY)


@dataclass(frozen=True)
class Queue:
    waiting: tuple[Waiting, ...]  # the oldest first, at most QUEUE_SHOWN
    total: int


@dataclass(frozen=True)
class HostedEvents:
    open: tuple[EventView, ...]
    upcoming: tuple[EventView, ...]
    past: tuple[EventView, ...]  # the latest first, at most PAST_EVENTS_SHOWN
    past_total: int


@dataclass(frozen=True)
class Home:
    user: str
    now: dt.datetime
    progress: Progress
    changes: tuple[ChangesAsked, ...]
    queue: Queue | None  # None: not a grantor of any credential
    events: HostedEvents | None  # None: neither a host nor anyone's host of an event
    admin: bool

    @property
    def staff(self) -> bool:
        """Holds a role beyond learner's (their own badges then come last, and briefly when there are none)."""
        return self.queue is not None or self.events is not None or self.admin


def home_of(ctx: Context, user: str) -> Home:
    """Everything `user`'s App Home shows, read in one transaction."""
    now = ctx.clock()
    with ctx.reading() as session:
        progress = progress_in(session, now, user)
        changes = _changes_asked(session, user)
        queue = _queue(session, ctx, user)
        events = _hosted(session, ctx, user, now)
    return Home(user, now, progress, changes, queue, events, ctx.is_admin(user))


def _changes_asked(session: Session, user: str) -> tuple[ChangesAsked, ...]:
    """Each submission of the learner's waiting for changes, with the latest request's reason."""
    rows = session.execute(
        select(Submission.id, Credential.slug, Credential.name, Review.grantor, Review.comment, Review.created_at)
        .join(Learner, Learner.id == Submission.learner_id)
        .join(Credential, Credential.id == Submission.credential_id)
        .join(Review, (Review.submission_id == Submission.id) & (Review.round == Submission.round))
        .where(Learner.slack_user_id == user, Submission.status == SubmissionStatus.CHANGES_REQUESTED,
               Review.decision == Decision.REQUEST_CHANGES)
        .order_by(Review.created_at, Review.id))
    latest = {row[0]: ChangesAsked(*row) for row in rows}  # a later request replaces an earlier one
    return tuple(sorted(latest.values(), key=lambda c: c.asked_at))


def _queue(session: Session, ctx: Context, user: str) -> Queue | None:
    """The submissions waiting for this grantor's decision, oldest first; None when they grant nothing."""
    badge_types = [t for t in CredentialType if t.is_badge]
    mine = [row.id for row in session.execute(
        select(Credential.id, Credential.grantors).where(Credential.type.in_(badge_types)))
        if ctx.is_grantor(user, row)]
    if not mine:
        return None
    voted = (select(Review.id).where(Review.submission_id == Submission.id, Review.round == Submission.round,
                                     Review.grantor == user).exists())
    where = (Submission.credential_id.in_(mine), Submission.status.in_(AWAITING_REVIEW),
             Learner.slack_user_id != user, ~voted)
    total = session.scalar(select(func.count()).select_from(Submission)
                           .join(Learner, Learner.id == Submission.learner_id).where(*where))
    rows = session.execute(
        select(Submission.id, Credential.name, Learner.slack_user_id, Submission.round, Submission.created_at,
               Submission.review_channel, Submission.review_ts)
        .join(Learner, Learner.id == Submission.learner_id)
        .join(Credential, Credential.id == Submission.credential_id)
        .where(*where).order_by(Submission.created_at, Submission.id).limit(QUEUE_SHOWN))
    return Queue(tuple(Waiting(*row) for row in rows), total or 0)


def _hosted(session: Session, ctx: Context, user: str, now: dt.datetime) -> HostedEvents | None:
    """The events `user` hosts: check-in open now, coming, and the latest past ones; None for a non-host
    with no events (an administrator who hosts nothing sees no host section)."""
    hosts = is_member(user, ctx.roles.hosts, ctx.directory.members_of)
    ongoing = [EventView.of(e) for e in session.scalars(
        select(Event).where(Event.host == user, Event.closed_at.is_(None), Event.checkin_closes_at > now)
        .order_by(Event.starts_at, Event.id).limit(COMING_EVENTS_SHOWN)).unique()]
    past_where = (Event.host == user, (Event.closed_at.is_not(None)) | (Event.checkin_closes_at <= now))
    past_total = session.scalar(select(func.count()).select_from(Event).where(*past_where)) or 0
    past = [EventView.of(e) for e in session.scalars(
        select(Event).where(*past_where).order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(PAST_EVENTS_SHOWN)).unique()]
    if not (hosts or ongoing or past):
        return None
    ongoing = ongoing[:COMING_EVENTS_SHOWN]
    return HostedEvents(tuple(e for e in ongoing if e.state_at(now) == "open"),
                        tuple(e for e in ongoing if e.state_at(now) == "upcoming"), tuple(past), past_total)


# -- for the Home's buttons ------------------------------------------------------------------------------


def resubmission_of(ctx: Context, user: str, submission_id: int) -> str:
    """The credential (slug) of `user`'s submission that a grantor sent back, for the Resubmit form;
    refused when it is not theirs or no longer waiting for changes."""
    with ctx.reading() as session:
        found = session.execute(
            select(Learner.slack_user_id, Submission.status, Credential.slug, Credential.name)
            .join(Learner, Learner.id == Submission.learner_id)
            .join(Credential, Credential.id == Submission.credential_id)
            .where(Submission.id == submission_id)).first()
    if found is None:
        raise NotFound("That submission does not exist (it may have been withdrawn).")
    owner, status, slug, name = found
    if owner != user:
        raise NotAllowed("That submission is not yours.")
    if status is not SubmissionStatus.CHANGES_REQUESTED:
        raise Conflict(f"Your submission for {name} is {status.value.replace('_', ' ')}: there is nothing to "
                       "resubmit now.")
    return str(slug)


# -- whose Home a delivered message changes --------------------------------------------------------------


def grantors_of(ctx: Context, credential: str) -> list[str]:
    """The people who grant `credential` (user groups expanded): their queues change with its submissions."""
    with ctx.reading() as session:
        holders = session.scalar(select(Credential.grantors).where(Credential.slug == credential)) or []
    people: dict[str, None] = {}
    for holder in holders:
        for person in (ctx.directory.members_of(holder) if holder.startswith("S") else {holder}):
            people[person] = None
    return list(people)


def host_of_award(ctx: Context, award_id: int) -> str | None:
    """The host of the event an award was earned at (a check-in), if any: their event's count changed."""
    with ctx.reading() as session:
        return session.scalar(select(Event.host).join(Award, Award.event_id == Event.id).where(Award.id == award_id))
