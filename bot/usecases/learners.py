"""Learners' own preferences."""
from __future__ import annotations

from bot.usecases.context import Context, audit, ensure_learner


def set_nudges(ctx: Context, learner_id: str, enabled: bool, display_name: str | None = None) -> None:
    """Turn certificate nudges on or off for a learner."""
    now = ctx.clock()
    name = ctx.learner_name(learner_id, display_name)
    with ctx.transaction() as session:
        learner = ensure_learner(session, learner_id, name)
        session.flush()
        if learner.nudges_enabled != enabled:
            learner.nudges_enabled = enabled
            audit(session, now, learner_id, "learner.nudges_" + ("on" if enabled else "off"), learner)
