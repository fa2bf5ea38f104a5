"""Small builders shared by tests: they go through the real use cases, never around them."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.domain.vocabulary import Decision
from bot.sandbox.emulator import SlackEmulator
from bot.usecases.context import Context
from bot.usecases.reviews import ReviewResult, review
from bot.usecases.submissions import ArtifactFile, SubmissionView, submit
from models import Credential


def artifact(name: str = "work.pdf", content: bytes = b"%PDF-1.7 my work") -> ArtifactFile:
    digest = hashlib.sha256(content + name.encode()).hexdigest()
    return ArtifactFile(filename=name, media_type="application/pdf", size=len(content), sha256=digest,
                        storage_key=f"artifacts/{digest[:2]}/{digest}")


def submit_for(ctx: Context, learner: str, slug: str, files: int = 1) -> SubmissionView:
    return submit(ctx, learner, slug, [artifact(f"part{i}.pdf") for i in range(files)], reflection="I learned a lot.")


def first_grantor(ctx: Context, slug: str) -> str:
    with ctx.transaction() as session:
        from sqlalchemy import select

        return session.scalars(select(Credential).where(Credential.slug == slug)).one().grantors[0]


def earn(ctx: Context, learner: str, slug: str, decision: Decision = Decision.APPROVE) -> ReviewResult:
    """Submit and have the badge's grantor(s) approve it: the whole path a real award takes."""
    submission = submit_for(ctx, learner, slug)
    with ctx.transaction() as session:
        from sqlalchemy import select

        credential = session.scalars(select(Credential).where(Credential.slug == slug)).one()
        grantors, needed = list(credential.grantors), credential.approvals_required
    result = None
    for grantor in grantors[:needed]:
        result = review(ctx, grantor, submission.id, decision)
    assert result is not None
    return result


def run_together(*calls: Callable[[], object]) -> list[object]:
    """Run calls in threads released at the same instant; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@contextmanager
def overlapping(ctx: Context, model: type, parties: int = 2, timeout: float = 1.0) -> Iterator[None]:
    """Hold each transaction, just after it writes a `model` row, until the others have written
    theirs too (or `timeout` has passed): without this the threads rarely overlap and a missing lock
    would go unnoticed. Where a lock serializes them (SQLite's single writer, a row lock), the others
    are blocked and the wait simply times out, once."""
    barrier = threading.Barrier(parties)

    def hold(session: Any, _flush_context: Any) -> None:
        if any(isinstance(obj, model) for obj in session.new):
            try:
                barrier.wait(timeout=timeout)
            except threading.BrokenBarrierError:
                pass

    event.listen(ctx.sessions, "after_flush", hold)
    try:
        yield
    finally:
        event.remove(ctx.sessions, "after_flush", hold)


@contextmanager
def program_workspace(token: str, secret: str) -> Iterator[SlackEmulator]:
    """A Slack emulator with a learner (Ana), two grantors and the example catalog's review channel,
    for tests that run `badgebot` as a process against it."""
    with SlackEmulator(bot_token=token, signing_secret=secret) as emulator:
        for name, user in (("ana", "U0ANA00001"), ("dr.grant", "U0GRANT001"), ("prof.gray", "U0GRANT002")):
            emulator.add_user(name, id=user)
        emulator.add_channel("badge-reviews", id="C0REVIEWS1")
        yield emulator
