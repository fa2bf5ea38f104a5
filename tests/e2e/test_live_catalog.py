"""An approved credential is live in the running bot at once: in `/badges catalog`, submittable, and on
its public achievement page, with no restart and no file edit (issue 13, part 4)."""
from __future__ import annotations

import httpx

from bot.usecases.live_catalog import record_approved_change
from tests.e2e.test_review_flow import PDF, cards, submit
from tests.integration.test_live_catalog import NEW_BADGE, approvals

LEARNER = "U0LEARN001"


def test_an_approved_badge_is_live_in_the_running_bot(world):
    before = world.slack.command(LEARNER, "catalog")
    assert before.status == 200 and "Python Foundations" not in shown(world, before)

    ctx = world.badgebot.ctx
    with ctx.transaction() as session:  # what the last stage's approval does (bot.usecases.governance)
        record_approved_change(session, ctx.clock(), action="add", credential=NEW_BADGE, proposal_id=None,
                               approvals=approvals(ctx.clock()))

    after = world.slack.command(LEARNER, "catalog")
    assert "Python Foundations" in shown(world, after)

    submit(world, LEARNER, "python-foundations", [(PDF, "notebook.pdf")])
    [card] = world.settle(lambda: cards(world))
    assert "Python Foundations" in str(card.blocks) and f"<@{LEARNER}>" in str(card.blocks)

    page = httpx.get(f"{world.url}/achievements/python-foundations", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Python Foundations" in page.text
    assert "notebook that loads the given CSV" in page.text


def shown(world, reply) -> str:
    """What the person sees of a command's answer: its ack, and what came after it (ephemeral)."""
    world.settle()
    return reply.body + "".join(m.text + str(m.blocks) for m in world.emulator.ephemerals(LEARNER))
