"""A credential whose grantors are a Slack user group (`S…` in the catalog), in the production wiring:
the bot asks Slack who is in the group (usergroups.users.list), so a member may decide and anyone
else is refused. (Before, production wired a static directory: a group had no members at all.)"""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.usecases.progress import learner_progress
from config.catalog import Catalog, load_catalog
from config.settings import EXAMPLE_CATALOG
from tests.e2e.test_review_flow import PDF, card_of, click, submit

LEARNER, MEMBER, OUTSIDER = "U0LEARN001", "U0GRANT002", "U0GRANT003"
FACULTY = "S0FACULTY7"


@pytest.fixture
def catalog() -> Catalog:
    """The example catalog, with Business Writing granted by the @faculty group instead of one person."""
    example = load_catalog(EXAMPLE_CATALOG)
    credentials = tuple(replace(c, grantors=(FACULTY,)) if c.id == "business-writing" else c
                        for c in example.credentials)
    return replace(example, credentials=credentials)


def test_a_member_of_the_grantors_group_decides_and_an_outsider_is_refused(world):
    world.emulator.add_usergroup("faculty", [MEMBER], id=FACULTY)
    submit(world, LEARNER, "business-writing", [(PDF, "memo.pdf")])
    card = card_of(world, "Business Writing")

    click(world, OUTSIDER, "review_approve", card)  # not in @faculty
    refusals = world.settle(lambda: [m.text for m in world.emulator.ephemerals(OUTSIDER)
                                     if "grantor" in m.text.lower()])
    assert refusals, [m.text for m in world.emulator.ephemerals(OUTSIDER)]
    assert not learner_progress(world.badgebot.ctx, LEARNER).holds("business-writing")

    click(world, MEMBER, "review_approve", card)
    approved = world.settle(lambda: [m for m in world.dm(LEARNER) if "*Business Writing* was approved" in m.text])
    assert approved, [m.text for m in world.dm(LEARNER)]
    assert learner_progress(world.badgebot.ctx, LEARNER).holds("business-writing")
    assert any(c.method == "usergroups.users.list" and c.params.get("usergroup") == FACULTY
               for c in world.emulator.calls())
