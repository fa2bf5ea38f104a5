"""Small builders shared by tests: they go through the real use cases, never around them."""
from __future__ import annotations

import hashlib

from bot.domain.vocabulary import Decision
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
