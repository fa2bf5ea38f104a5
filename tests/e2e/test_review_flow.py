"""The product's main road, over HTTP and over Socket Mode, through the emulator: submit, review, award."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from models import Award
from tests.e2e.conftest import both_transports

LEARNER = "U0LEARN001"

pytestmark = both_transports  # every scenario here runs over HTTP and over Socket Mode


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


def card_of(world, credential_name: str):
    [card] = world.settle(lambda: [m for m in world.review_channel()
                                   if f"submitted work for *{credential_name}*" in str(m.blocks)])
    return card


def click(world, user: str, action_id: str, card) -> object:
    value = next(e["value"] for b in card.blocks if b.get("type") == "actions" for e in b["elements"]
                 if e["action_id"] == action_id)
    return world.slack.block_action(user, action_id, value, message=("C0REVIEWS1", card.ts))


def test_the_whole_review_road(world):
    # Two of three Level I badges of the Data Analytics stack are already held.
    from tests.helpers import earn

    earn(world.badgebot.ctx, LEARNER, "sql-basics")
    earn(world.badgebot.ctx, LEARNER, "data-visualization-foundations")
    world.settle()

    submit(world, LEARNER, "spreadsheet-fundamentals", [(PDF, "workbook.pdf"), (PNG, "pivot.png")])
    card = card_of(world, "Spreadsheet Fundamentals")

    # A non-grantor's click is refused, privately, and changes nothing.
    assert click(world, "U0OUTSIDE1", "review_approve", card).status == 200
    refusals = world.settle(lambda: world.emulator.ephemerals("U0OUTSIDE1"))
    assert "You are not a grantor for Spreadsheet Fundamentals" in refusals[-1].text

    # A grantor asks for changes, with a reason typed in a modal.
    click(world, "U0GRANT001", "review_request_changes", card)
    [modal] = world.settle(lambda: [v for v in world.emulator.views_of("U0GRANT001") if v.type == "modal"])
    world.slack.view_submission("U0GRANT001", modal.id, {"reason": "Add the lookup function."})
    thread_note = world.settle(lambda: [m for m in world.emulator.thread("C0REVIEWS1", card.ts)
                                        if "asked for changes" in m.text])
    assert "Add the lookup function." in thread_note[0].text
    dm = world.settle(lambda: [m for m in world.dm(LEARNER) if "asked for changes" in m.text])
    learner_thread = dm[0].thread_ts
    assert learner_thread and "Add the lookup function." in str(dm[0].blocks)

    # The learner resubmits by replying in that thread with a new file.
    fixed = world.emulator.add_file(PDF + b"lookup", "workbook-v2.pdf", user=LEARNER)
    world.slack.message_im(LEARNER, "Added the lookup.", files=[fixed], thread_ts=learner_thread)
    world.settle(lambda: [m for m in world.emulator.thread("C0REVIEWS1", card.ts) if "resubmitted" in m.text])
    card = world.emulator.message("C0REVIEWS1", card.ts)
    assert "workbook-v2.pdf" in str(card.blocks) and "round 2" in str(card.blocks)

    # Two grantors click Approve at the same moment: exactly one award, one certificate.
    import threading

    barrier = threading.Barrier(2)

    def approve(user: str) -> None:
        barrier.wait()
        click(world, user, "review_approve", card)

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("U0GRANT001", "U0GRANT002")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    world.settle(lambda: [m for m in world.dm(LEARNER) if "Data Analytics (Practiced)" in m.text])
    with world.badgebot.ctx.transaction() as session:
        from models import Credential

        slugs = session.scalars(select(Credential.slug).join(Award, Award.credential_id == Credential.id)).all()
    assert sorted(slugs) == sorted(["sql-basics", "data-visualization-foundations", "spreadsheet-fundamentals",
                                    "data-analytics-practiced"])
    loser = [m for u in ("U0GRANT001", "U0GRANT002") for m in world.emulator.ephemerals(u)
             if "Already decided by" in m.text]
    assert len(loser) == 1

    # The card shows who decided; the learner is told, and congratulated on the certificate.
    card = world.emulator.message("C0REVIEWS1", card.ts)
    assert "Approved* by <@U0GRANT00" in str(card.blocks) and "review_approve" not in str(card.blocks)
    texts = [m.text for m in world.dm(LEARNER)]
    assert any("approved" in t and "Spreadsheet Fundamentals" in t for t in texts)
    assert any("completed the stack" in t and "Data Analytics (Practiced)" in t for t in texts)

    # App Home shows the certificate.
    home = world.emulator.home_of(LEARNER) if hasattr(world.emulator, "home_of") else None
    home = home or next(v for v in world.emulator.views_of(LEARNER) if v.type == "home")
    assert "Data Analytics (Practiced)" in str(home.payload["blocks"])


def test_n_of_m_shows_progress_on_the_card(world):
    submit(world, LEARNER, "sql-analytics-professional", [(PDF, "brief.pdf")])
    card = card_of(world, "SQL for Analytics in Practice")
    click(world, "U0GRANT001", "review_approve", card)
    world.settle(lambda: "1 of 2 approvals" in str(world.emulator.message("C0REVIEWS1", card.ts).blocks))
    assert count(world, Award) == 0
    click(world, "U0GRANT002", "review_approve", card)
    world.settle(lambda: count(world, Award) == 1)
    assert count(world, Award) == 1


def test_review_queue_for_grantors(world):
    submit(world, LEARNER, "sql-basics", [(PDF, "q.pdf")])
    world.settle(lambda: world.review_channel())
    reply = world.slack.command("U0GRANT001", "review")
    assert "1 submission waiting" in reply.body and "SQL Basics" in reply.body
    assert "Nothing is waiting" in world.slack.command("U0GRANT003", "review").body
