"""Issue 16, rough edges on the Slack side, as a learner, grantor and host meet them through the emulator:
names from Slack's profile (4), the catalog's markers and stacks (5), reflowed criteria (13), used buttons
and "Opening…" lines that go away (14), `/badges review` from a non-grantor (15), quoted reflections (24)."""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import httpx

from bot.domain.vocabulary import OutboxKind
from bot.usecases.awards import set_shared
from bot.usecases.campus_events import attendance as attendance_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.learners import set_nudges
from bot.usecases.outbox import Queued, queue_many
from bot.usecases.progress import learner_progress
from tests.e2e.conftest import both_transports
from tests.helpers import earn, submit_for

ANA, BO, GRANTOR, HOST = "U0ANASOUZA", "U0LEARN002", "U0GRANT001", "U0HOST0001"
PDF = b"%PDF-1.7\n" + b"x" * 2000
# The example catalog's criteria for Spreadsheet Fundamentals, as its TOML file breaks the lines.
SPREADSHEET_CRITERIA = ("Submit a workbook built from the provided raw data set that: removes duplicates and fixes "
                        "types, uses at least three functions (lookup, conditional, aggregate), and summarizes the "
                        "data in a pivot table, with a short reflection on one cleaning decision you made.")


def texts(blocks) -> str:
    """Every mrkdwn/plain text of some blocks (sections, fields, context elements), one per line."""
    found = []
    for block in blocks or []:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                found.append(part["text"])
    return "\n".join(found)


def buttons(blocks) -> list[tuple[str, str]]:
    """(action_id, value) of every button: in actions blocks and as section accessories."""
    elements = [e for b in blocks or [] if b.get("type") == "actions" for e in b["elements"]]
    elements += [b["accessory"] for b in blocks or [] if b.get("accessory")]
    return [(e["action_id"], e.get("value", "")) for e in elements if e.get("type") == "button"]


def modals(world, user: str) -> list:
    return [v for v in world.emulator.views_of(user) if v.type == "modal"]  # not the App Home tab


def new_modal(world, user: str, before: set[str]):
    [view] = world.settle(lambda: [v for v in modals(world, user) if v.id not in before])
    return view


def open_form(world, user: str, command: str):
    before = {v.id for v in modals(world, user)}
    assert world.slack.command(user, command).status == 200
    return new_modal(world, user, before)


def send_work(world, user: str, view_id: str, reflection: str = "My work, explained.") -> None:
    upload = world.emulator.add_file(PDF, "work.pdf", user=user)
    assert world.slack.view_submission(user, view_id, {"files": [upload], "reflection": reflection}).status == 200


def card_for(world, credential_name: str):
    [card] = world.settle(lambda: [m for m in world.review_channel()
                                   if f"submitted work for *{credential_name}*" in texts(m.blocks)])
    return card


def click_on_card(world, user: str, action_id: str, card) -> None:
    value = next(v for a, v in buttons(card.blocks) if a == action_id)
    assert world.slack.block_action(user, action_id, value, message=(card.channel, card.ts)).status == 200


# -- 4: names ------------------------------------------------------------------------------------------


def test_an_award_names_the_learner_as_their_slack_profile_does_and_a_mention_label_renames_no_one(world):
    world.emulator.add_user("ana.souza", id=ANA, real_name="Ana Souza")  # the handle Slack sends is "ana.souza"
    send_work(world, ANA, open_form(world, ANA, "submit sql-basics").id)
    click_on_card(world, GRANTOR, "review_approve", card_for(world, "SQL Basics"))
    [held] = world.settle(lambda: learner_progress(world.bot.ctx, ANA).holdings)
    set_shared(world.bot.ctx, ANA, "sql-basics", True)

    page = httpx.get(world.bot.urls.award_page(held.public_id), trust_env=False, timeout=15)
    assert page.status_code == 200
    assert re.search(r"<dt>Awarded to</dt>\s*<dd>Ana Souza</dd>", page.text) and "ana.souza" not in page.text
    credential = httpx.get(world.bot.urls.award_json(held.public_id), trust_env=False, timeout=15).json()
    document = json.dumps(credential)
    assert '"identityHash": "Ana Souza"' in document and "ana.souza" not in document

    # A host names people with whatever labels their Slack showed: the labels rename no one, and a newcomer
    # (Bo) is named from their own profile too.
    now = world.bot.ctx.clock()
    event = hosting_uc.create_event(world.bot.ctx, HOST, hosting_uc.EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=now, ends_at=now + dt.timedelta(hours=2)))
    answer = world.slack.command(HOST, f"event award #{event.id} <@{ANA}|someone else> <@{BO}|Bobby Tables>")
    assert answer.status == 200 and "awarded" in answer.body
    _, attendees = attendance_uc.attendance(world.bot.ctx, HOST, event.id)
    sheet = io.StringIO()
    attendance_uc.write_attendance_csv(event, attendees, sheet)
    assert f"{ANA},Ana Souza," in sheet.getvalue() and f"{BO},Bo," in sheet.getvalue()
    assert "someone else" not in sheet.getvalue() and "Bobby" not in sheet.getvalue()
    page = httpx.get(world.bot.urls.award_page(held.public_id), trust_env=False, timeout=15)
    assert re.search(r"<dd>Ana Souza</dd>", page.text)


# -- 5 and 13: the catalog -----------------------------------------------------------------------------


def test_the_catalog_marks_what_you_hold_and_have_in_review_and_lists_a_certificates_badges(world):
    earn(world.bot.ctx, "U0LEARN001", "sql-basics")
    submit_for(world.bot.ctx, "U0LEARN001", "spreadsheet-fundamentals")
    world.settle()
    assert world.slack.command("U0LEARN001", "catalog").status == 200
    [answer] = world.emulator.ephemerals("U0LEARN001")[-1:]
    entries = {re.search(r"`([a-z0-9-]+)`", texts([b])).group(1): b for b in answer.blocks
               if b.get("type") == "section" and re.search(r"`([a-z0-9-]+)`", texts([b]))}

    def submit_offered(slug: str) -> bool:
        return ("submit_for", slug) in buttons([entries[slug]])

    assert "You hold this" in texts([entries["sql-basics"]]) and not submit_offered("sql-basics")
    assert "in review" in texts([entries["spreadsheet-fundamentals"]])
    assert not submit_offered("spreadsheet-fundamentals")
    assert submit_offered("data-visualization-foundations")            # neither held nor in review
    certificate = texts([entries["data-analytics-practiced"]])
    assert "Stacks 3 badges (1 of 3 held)" in certificate
    assert ":white_check_mark: SQL Basics" in certificate
    assert ":hourglass_flowing_sand: Spreadsheet Fundamentals (in review)" in certificate
    assert ":white_small_square: Data Visualization Foundations" in certificate
    # 13: the criteria read as the sentence they are, not as the TOML file broke them.
    assert f"_Criteria:_ {SPREADSHEET_CRITERIA}" in texts([entries["spreadsheet-fundamentals"]])


def test_criteria_are_reflowed_in_the_submit_form_and_on_the_review_card(world):
    form = open_form(world, "U0LEARN001", "submit spreadsheet-fundamentals")
    assert f"_Criteria:_ {SPREADSHEET_CRITERIA}" in texts(form.payload["blocks"])
    send_work(world, "U0LEARN001", form.id)
    card = card_for(world, "Spreadsheet Fundamentals")
    assert f"_Criteria:_ {SPREADSHEET_CRITERIA}" in texts(card.blocks)


# -- 24: the reflection, quoted --------------------------------------------------------------------------


def test_every_line_of_a_reflection_is_quoted_on_the_review_card(world):
    reflection = "I cleaned the data first.\nThen I wrote the queries.\n\nThe joins were hardest."
    send_work(world, "U0LEARN001", open_form(world, "U0LEARN001", "submit sql-basics").id, reflection)
    card = card_for(world, "SQL Basics")
    [quoted] = [b["text"]["text"] for b in card.blocks if b.get("text", {}).get("text", "").startswith("*Reflection*")]
    assert quoted == ("*Reflection*\n>I cleaned the data first.\n>Then I wrote the queries.\n>\n"
                      ">The joins were hardest.")


# -- 14: used buttons and "Opening…" lines --------------------------------------------------------------


@both_transports  # the click, the form and the edit after the ack, over HTTP and Socket Mode alike
def test_a_nudges_submit_button_is_gone_once_the_work_is_sent(world):
    set_nudges(world.bot.ctx, "U0LEARN001", True)
    missing = [{"slug": "sql-basics", "name": "SQL Basics", "in_review": False},
               {"slug": "spreadsheet-fundamentals", "name": "Spreadsheet Fundamentals", "in_review": False}]
    with world.bot.ctx.transaction() as session:
        queue_many(session, world.bot.ctx.clock(), [Queued("nudge:rough-edges", OutboxKind.NUDGE, "U0LEARN001", {
            "learner": "U0LEARN001", "certificate": "data-analytics-practiced",
            "certificate_name": "Data Analytics (Practiced)", "certificate_type": "Digital Certificate (Practiced)",
            "held": 1, "required": 3, "missing": missing})])
    world.bot.delivery.kick()
    [nudge] = world.settle(lambda: world.dm("U0LEARN001"))
    assert ("submit_for", "sql-basics") in buttons(nudge.blocks)

    before = {v.id for v in modals(world, "U0LEARN001")}
    world.slack.block_action("U0LEARN001", "submit_for", "sql-basics", message=(nudge.channel, nudge.ts))
    form = new_modal(world, "U0LEARN001", before)
    send_work(world, "U0LEARN001", form.id)

    def edited():
        message = world.emulator.message(nudge.channel, nudge.ts)
        return message if ("submit_for", "sql-basics") not in buttons(message.blocks) else None

    after = world.settle(edited)
    assert after is not None, "the used Submit button is still on the nudge"
    assert buttons(after.blocks) == [("submit_for", "spreadsheet-fundamentals")]  # the other badge's stays
    assert "Your work for *SQL Basics* is on its way to its grantors" in texts(after.blocks)
    assert "1 of 3" in texts(after.blocks)                                        # the rest of the nudge stays
    card_for(world, "SQL Basics")                                                  # and the work did go


def test_a_catalog_answer_whose_submit_button_was_used_is_replaced(world):
    world.slack.command("U0LEARN001", "catalog sql")
    [answer] = [m for m in world.emulator.ephemerals("U0LEARN001") if ("submit_for", "sql-basics") in buttons(m.blocks)]
    before = {v.id for v in modals(world, "U0LEARN001")}
    world.slack.block_action("U0LEARN001", "submit_for", "sql-basics", message=(answer.channel, answer.ts))
    form = new_modal(world, "U0LEARN001", before)
    send_work(world, "U0LEARN001", form.id)
    replaced = world.settle(lambda: "on its way" in texts(world.emulator.message(answer.channel, answer.ts).blocks))
    assert replaced
    assert not any(("submit_for", "sql-basics") in buttons(m.blocks) for m in world.emulator.ephemerals("U0LEARN001"))


@both_transports  # an empty ack is an empty HTTP body, or an envelope ack without a payload
def test_opening_a_form_twice_leaves_no_pile_of_opening_lines(world):
    for _ in range(2):
        assert open_form(world, HOST, "event new").payload["callback_id"] == "event_new"
        assert open_form(world, "U0LEARN001", "submit sql-basics").payload["callback_id"] == "submit_artifact"
    for user in (HOST, "U0LEARN001"):
        assert [m.text for m in world.emulator.ephemerals(user)] == []
    # A refusal still answers in words: only a form that opened is its own answer.
    world.slack.command(BO, "event new")
    assert "host" in world.emulator.ephemerals(BO)[-1].text.lower()


# -- 15: /badges review from someone who grants nothing -----------------------------------------------------


def test_review_from_a_learner_says_who_the_grantors_are(world):
    assert world.slack.command("U0LEARN001", "review").status == 200
    answer = world.emulator.ephemerals("U0LEARN001")[-1]
    shown = texts(answer.blocks)
    assert "You are not a grantor of any credential" in shown and "Nothing is waiting" not in shown
    assert f"<@{GRANTOR}>: " in shown and "SQL Basics" in shown
    # A grantor with an empty queue still hears that nothing waits.
    world.slack.command(GRANTOR, "review")
    assert "Nothing is waiting for your review" in texts(world.emulator.ephemerals(GRANTOR)[-1].blocks)
