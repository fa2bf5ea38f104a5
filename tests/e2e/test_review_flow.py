"""The product's main road, through signed HTTP and the emulator: submit, review, award."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from models import Award, Submission

LEARNER = "U0LEARN001"


def open_submit_form(world, user: str, credential: str) -> str:
    reply = world.slack.command(user, f"submit {credential}")
    assert reply.status == 200
    views = world.settle(lambda: world.emulator.views_of(user))
    return views[-1].id


def submit(world, user: str, credential: str, files: list[tuple[bytes, str]], reflection="My work, explained."):
    view_id = open_submit_form(world, user, credential)
    uploaded = [world.emulator.add_file(content, name, user=user) for content, name in files]
    reply = world.slack.view_submission(user, view_id, {"files": uploaded, "reflection": reflection})
    assert reply.status == 200
    return reply


def cards(world):
    return [m for m in world.review_channel() if m.blocks and any(b.get("type") == "actions" for b in m.blocks)
            or "submitted work" in str(m.blocks)]


def count(world, model) -> int:
    with world.badgebot.ctx.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


PDF = b"%PDF-1.7\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 500


def test_submit_two_files_and_a_card_appears(world):
    submit(world, LEARNER, "sql-basics", [(PDF, "queries.pdf"), (PNG, "results.png")])
    [card] = world.settle(lambda: world.review_channel())
    text = str(card.blocks)
    assert "SQL Basics" in text and f"<@{LEARNER}>" in text
    assert "queries.pdf" in text and "results.png" in text
    assert "Approve with Distinction" in text  # SQL Basics allows distinction
    # The learner is told in a DM thread that will carry the decisions.
    assert any("went to its grantors" in m.text for m in world.dm(LEARNER))
    # Grantors' file links work with their signature and refuse without it.
    import httpx

    link = re.search(r"<(http[^|>]+/review/artifacts/\d+[^|>]*)\|queries.pdf>", text).group(1).replace("&amp;", "&")
    got = httpx.get(link)
    assert got.status_code == 200 and got.content == PDF
    assert httpx.get(link.split("&sig=")[0] + "&sig=forged").status_code == 404
