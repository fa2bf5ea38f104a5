"""A periodic evaluation through Slack: the card in the governance channel, the reminder DM, a refused
click, and the issuer admin's decision redrawing the card (issue 13, part 5)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from bot.usecases.evaluations import open_due_evaluations
from models import Credential
from tests.integration.test_evaluations import POLICY

GOVERNANCE, ADMIN, OUTSIDER = "C0GOVERN01", "U0GRANT001", "U0OUTSIDE1"


def test_an_evaluation_is_decided_from_its_card(world):
    world.emulator.add_channel("credential-governance", id=GOVERNANCE)
    ctx = world.badgebot.ctx
    with ctx.transaction() as session:  # sql-basics entered the catalog three years ago (every 2 years)
        session.execute(update(Credential).where(Credential.slug == "sql-basics")
                        .values(created_at=ctx.clock() - dt.timedelta(days=3 * 365)))
    open_due_evaluations(ctx, world.badgebot.catalog, POLICY)

    [card] = world.settle(lambda: world.emulator.messages(GOVERNANCE))
    assert "Evaluation: SQL Basics" in str(card.blocks) and "Awards" in str(card.blocks)
    [reminder] = world.settle(lambda: [m for m in world.dm(ADMIN) if "waiting for its periodic evaluation" in m.text])

    def click(user: str, action_id: str, where: tuple[str, str]) -> None:
        value = next(e["value"] for b in card.blocks if b.get("type") == "actions" for e in b["elements"]
                     if e["action_id"] == action_id)
        assert world.slack.block_action(user, action_id, value, message=where).status == 200

    click(OUTSIDER, "evaluation_keep", (GOVERNANCE, card.ts))
    refusals = world.settle(lambda: world.emulator.ephemerals(OUTSIDER))
    assert "Only the admins of College of Computing and Data Science" in refusals[-1].text

    click(ADMIN, "evaluation_keep", (world.emulator.dm_channel_of(ADMIN), reminder.ts))  # from the DM
    redrawn = world.settle(lambda: [m for m in world.emulator.messages(GOVERNANCE) if "decided by" in str(m.blocks)])
    assert f"*Keep*, decided by <@{ADMIN}>" in str(redrawn[0].blocks)
    assert not [b for b in redrawn[0].blocks if b.get("type") == "actions"]  # no buttons left
    thread = world.settle(lambda: [m for m in world.emulator.messages(GOVERNANCE, include_replies=True)
                                   if m.is_reply])
    assert "next evaluation is due in 2y" in thread[0].text
    assert any("evaluated again in 2y" in m.text for m in world.emulator.ephemerals(ADMIN))
