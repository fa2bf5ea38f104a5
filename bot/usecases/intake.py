"""Work that arrives with files (the submit form, a DM to the bot): recorded, then fetched and submitted.

Slack wants its answer within 3 seconds and a download may take longer, so the work is split:
1. before the answer, one transaction records what came (`record_submission`; `record_dm` together
   with the event id that de-duplicates Slack's retries): a row in `intakes`, unique per thing Slack
   sent, so a retry or a double click records nothing new;
2. afterwards any replica's intake worker (bot/runtime/intake_worker.py) claims the row with a lease,
   fetches the files (retrying what may work next time) and submits in ONE transaction with the row
   marked done, so a crash anywhere leaves either the row to redo or the submission, never both.
What goes wrong is told to the learner through the outbox (an INTAKE_NOTE), in that same transaction.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.vocabulary import OutboxKind
from bot.errors import BadgebotError, FileNotFetched, FileRejected
from bot.usecases import submissions as submissions_uc
from bot.usecases.catalog import credential_in_message
from bot.usecases.context import Context, locked, notify
from bot.usecases.inbound import mark_received
from bot.usecases.submissions import ArtifactFile
from config.catalog import Catalog
from models import PendingIntake
from models.base import insert_for

log = logging.getLogger("badgebot.intake")

PENDING, WORKING, DONE, FAILED = "pending", "working", "done", "failed"
HELP = ("Hi! Type `/badges` to see your badges, or send me your files with the badge's name (e.g. `sql-basics`) "
        "to submit work.")
# What of Slack's file object the worker needs later (url_private_download may be absent: files.info then).
FILE_FIELDS = ("id", "name", "size", "url_private_download")


class FileFetcher(Protocol):
    def fetch(self, files: list[dict[str, Any]]) -> Sequence[ArtifactFile]: ...


@dataclass(frozen=True)
class Received:
    """Work as Slack brought it, before any file moved."""

    dedupe_key: str
    learner: str
    credential: str
    files: list[dict[str, Any]]
    reflection: str = ""
    link: str | None = None
    display_name: str | None = None
    resubmission_of: int | None = None
    thread: tuple[str, str] | None = None  # (channel, ts) where the learner is answered


@dataclass(frozen=True)
class DmReceipt:
    """What a DM became: `queued` work, and/or a `reply` to give at once (help, "which badge?")."""

    queued: bool = False
    reply: str | None = None
    reply_ts: str | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int  # also the claim's token: a takeover bumps it, and the old claim's work is void
    received: Received


@dataclass
class Intake:
    ctx: Context
    catalog: Catalog
    files: FileFetcher
    max_attempts: int = 5
    base_delay: float = 2.0
    lease: dt.timedelta = field(default=dt.timedelta(minutes=2))

    def configure(self, settings: Any) -> "Intake":
        """The outbox's lease applies to intake work too (BADGEBOT_OUTBOX_LEASE_SECONDS)."""
        self.lease = dt.timedelta(seconds=settings.outbox_lease_seconds)
        return self

    # -- before Slack's answer ----------------------------------------------------------------------

    def record_submission(self, received: Received) -> bool:
        """Record the submit form's work; False if it was recorded before (a retry or double click)."""
        with self.ctx.transaction() as session:
            return _record(session, self.ctx.clock(), received)

    def record_dm(self, event_id: str, event: dict[str, Any]) -> DmReceipt | None:
        """A learner's DM, recorded with its event id in one transaction; None for Slack's retry of it.

        Files in a submission's thread resubmit; other files submit for the credential the message
        names (or get a "which badge?" reply); a message without files gets the help reply."""
        user, files, text = event["user"], event.get("files") or [], (event.get("text") or "").strip()
        channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
        now = self.ctx.clock()
        with self.ctx.transaction() as session:
            if not mark_received(session, now, event_id):
                return None
            key = f"event:{event_id}"[:100]
            if thread_ts and files:
                submission = submissions_uc.submission_of_thread(session, user, channel, thread_ts)
                if submission is not None:
                    _record(session, now, Received(key, user, "", files, text, resubmission_of=submission,
                                                   thread=(channel, thread_ts)))
                    return DmReceipt(queued=True)
            if not files:
                return DmReceipt() if thread_ts else DmReceipt(reply=HELP)
            try:
                spec = credential_in_message(self.catalog, text)
            except BadgebotError as exc:
                return DmReceipt(reply=f":warning: Which badge is this for? {exc} Send the files again with the "
                                       "badge's id in the message.", reply_ts=thread_ts or event.get("ts"))
            _record(session, now, Received(key, user, spec.id, files, text))
            return DmReceipt(queued=True)

    # -- afterwards, in the intake worker -----------------------------------------------------------

    def work_once(self) -> bool:
        """Claim the next due intake and finish it (or put it off); False when none is due."""
        job = self._claim()
        if job is None:
            return False
        try:
            artifacts = self.files.fetch(job.received.files)
        except FileNotFetched as exc:
            self._fetch_failed(job, str(exc))
        except FileRejected as exc:
            self._fail(job, f":warning: {exc} Nothing was submitted.", str(exc))
        except BadgebotError as exc:
            self._fail(job, f":warning: {exc}", str(exc))
        except Exception as exc:  # noqa: BLE001 - Slack's files.info, the network: worth another try
            log.warning("intake %s: fetching files failed: %s", job.id, exc)
            self._fetch_failed(job, f"{type(exc).__name__}: {exc}")
        else:
            self._complete(job, list(artifacts))
        return True

    def due(self) -> bool:
        """Whether any intake is waiting or being worked on (for draining in tests and at shutdown)."""
        with self.ctx.reading() as session:
            return session.scalar(select(PendingIntake.id).where(
                PendingIntake.status.in_([PENDING, WORKING])).limit(1)) is not None

    def _claim(self) -> Claimed | None:
        now = self.ctx.clock()
        with self.ctx.transaction() as session:
            row = None
            # A dead worker's first (its lease ran out), then new and retried work.
            for status, due_by in ((WORKING, now - self.lease), (PENDING, now)):
                row = session.scalars(select(PendingIntake).where(
                    PendingIntake.status == status, PendingIntake.next_attempt_at <= due_by)
                    .order_by(PendingIntake.next_attempt_at, PendingIntake.id)
                    .limit(1).with_for_update(skip_locked=True)).first()
                if row is not None:
                    break
            if row is None:
                return None
            if row.status == WORKING:
                log.warning("intake %s was left unfinished (a worker stopped); taking it over", row.id)
            row.status, row.attempts, row.next_attempt_at = WORKING, row.attempts + 1, now
            thread = (row.channel, row.thread_ts) if row.channel and row.thread_ts else None
            return Claimed(row.id, row.attempts, Received(
                row.dedupe_key, row.learner, row.credential, list(row.files), row.reflection, row.link,
                row.display_name, row.resubmission_of, thread))

    def _complete(self, job: Claimed, artifacts: list[ArtifactFile]) -> None:
        r, now = job.received, self.ctx.clock()
        name = self.ctx.learner_name(r.learner, r.display_name)  # Slack's profile, asked before the transaction
        try:
            with self.ctx.transaction() as session:
                row = locked(session, PendingIntake, job.id)
                if row is None or row.status != WORKING or row.attempts != job.attempts:
                    return  # taken over by another worker after our lease ran out: its result stands
                if r.resubmission_of:
                    submission = submissions_uc.resubmit_in(session, now, r.learner, r.resubmission_of,
                                                            artifacts, r.reflection)
                    _note(session, now, job, ":inbox_tray: Resubmitted: your grantors have the new files.")
                else:
                    submission = submissions_uc.submit_in(session, now, r.learner, r.credential, artifacts,
                                                          r.reflection.strip(), r.link, display_name=name)
                row.status, row.finished_at, row.submission_id, row.last_error = DONE, now, submission.id, None
        except BadgebotError as exc:  # refused by the rules (already held, not resubmittable, ...)
            self._fail(job, f":warning: {exc}", str(exc))
        except IntegrityError as exc:  # a concurrent submission opened first: the next try sees it
            self._put_off(job, f"{type(exc).__name__}: {exc}"[:2000], 0.0)

    def _fetch_failed(self, job: Claimed, error: str) -> None:
        if job.attempts < self.max_attempts:
            self._put_off(job, error, self.base_delay * 2 ** (job.attempts - 1))
            return
        log.error("intake %s: giving up on the files after %s tries: %s", job.id, job.attempts, error)
        self._fail(job, f":warning: I could not fetch your files from Slack after {job.attempts} tries, so "
                        "nothing was submitted. Please send them again.", error)

    def _put_off(self, job: Claimed, error: str, seconds: float) -> None:
        now = self.ctx.clock()
        with self.ctx.transaction() as session:
            session.execute(update(PendingIntake).where(*_still_ours(job)).values(
                status=PENDING, next_attempt_at=now + dt.timedelta(seconds=seconds), last_error=error[:2000]))

    def _fail(self, job: Claimed, told: str, error: str) -> None:
        """Give up on the work: the row is marked failed and the learner told, in one transaction."""
        now = self.ctx.clock()
        with self.ctx.transaction() as session:
            ours = session.execute(update(PendingIntake).where(*_still_ours(job)).values(
                status=FAILED, finished_at=now, last_error=error[:2000])).rowcount
            if ours:
                _note(session, now, job, told)


def _still_ours(job: Claimed) -> tuple[Any, ...]:
    return (PendingIntake.id == job.id, PendingIntake.status == WORKING, PendingIntake.attempts == job.attempts)


def _note(session: Any, now: dt.datetime, job: Claimed, text: str) -> None:
    channel, thread_ts = job.received.thread or (None, None)
    notify(session, now, f"intake:{job.id}", OutboxKind.INTAKE_NOTE, job.received.learner, text=text,
           channel=channel, thread_ts=thread_ts)


def _record(session: Any, now: dt.datetime, r: Received) -> bool:
    channel, thread_ts = r.thread or (None, None)
    files = [{k: f[k] for k in FILE_FIELDS if f.get(k) is not None} for f in r.files]
    result = session.execute(insert_for(session, PendingIntake).values(
        dedupe_key=r.dedupe_key[:100], learner=r.learner, display_name=r.display_name, credential=r.credential,
        files=files, reflection=r.reflection, link=r.link, resubmission_of=r.resubmission_of, channel=channel,
        thread_ts=thread_ts, status=PENDING, attempts=0, created_at=now, next_attempt_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(PendingIntake.id))
    # RETURNING, not rowcount: an ORM-enabled INSERT through psycopg reports rowcount -1.
    return result.first() is not None
