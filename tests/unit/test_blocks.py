"""Block Kit builders are pure: check them against Slack's limits with large, hostile inputs."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from bot.domain.checkin import QrMode
from bot.domain.vocabulary import CredentialType, Decision, SubmissionStatus
from bot.usecases.campus_events.hosting import EventView
from bot.usecases.progress import Holding, Pending, Progress, Stack
from bot.usecases.reviews import CardFile, CardVote, SubmissionCard
from config.catalog import load_catalog
from config.settings import EXAMPLE_CATALOG
from handlers.slack.blocks import events as event_blocks
from handlers.slack.blocks import learner as learner_blocks
from handlers.slack.blocks import reviews as review_blocks
from handlers.slack.blocks.kit import escape
from handlers.slack.commands import badges
from handlers.slack.views.events import FormErrors, draft_from_form

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)


def texts(blocks) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def check_limits(blocks, max_blocks: int) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= 75
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def big_progress(n: int = 300) -> Progress:
    long_name = "Advanced " * 40
    holdings = tuple(Holding(f"c{i}", f"{long_name}{i}", CredentialType.BADGE_LEVEL_2, i % 2 == 0, NOW, NOW, "p" * 16,
                             True, False) for i in range(n))
    pending = tuple(Pending(i, f"p{i}", long_name, CredentialType.BADGE_LEVEL_1, SubmissionStatus.SUBMITTED, NOW)
                    for i in range(n))
    stacks = tuple(Stack(f"s{i}", long_name, CredentialType.CERTIFICATE_PRACTICED, ("a",),
                         tuple((f"m{j}", long_name) for j in range(40)), False) for i in range(n))
    return Progress("U1", "Ana", True, holdings, pending, stacks)


def test_the_dashboard_fits_a_message_and_the_home_tab_whatever_the_learner_holds():
    check_limits(learner_blocks.dashboard(big_progress()), 50)
    check_limits(learner_blocks.dashboard(big_progress(), limit=100, home=True), 100)
    assert "open the App Home" in json.dumps(learner_blocks.dashboard(big_progress()))


def test_the_dashboard_says_what_a_learner_holds_and_misses():
    progress = Progress("U1", "Ana", True,
                        (Holding("sql-basics", "SQL Basics", CredentialType.BADGE_LEVEL_1, True, NOW, None, "x", False,
                                 False),),
                        (Pending(3, "spreadsheet-fundamentals", "Spreadsheet Fundamentals",
                                 CredentialType.BADGE_LEVEL_1, SubmissionStatus.CHANGES_REQUESTED, NOW),),
                        (Stack("data-analytics-practiced", "Data Analytics (Practiced)",
                               CredentialType.CERTIFICATE_PRACTICED, ("sql-basics",),
                               (("data-visualization-foundations", "Data Visualization Foundations"),
                                ("spreadsheet-fundamentals", "Spreadsheet Fundamentals")), False),))
    blocks = learner_blocks.dashboard(progress)
    text = "\n".join(texts(blocks))
    assert "*SQL Basics* (Badge Level I) — *with Distinction*" in text
    assert "changes requested" in text
    assert "1 of 3 — missing: Data Visualization Foundations, Spreadsheet Fundamentals" in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    # One submit button per missing badge, except the one already in progress.
    assert [(b["action_id"], b["value"]) for b in buttons] == [("submit_for", "data-visualization-foundations")]


def test_user_text_cannot_forge_mentions_or_links():
    assert escape("<!channel> <https://evil|click> & co") == "&lt;!channel&gt; &lt;https://evil|click&gt; &amp; co"
    card = SubmissionCard(1, "U1", "Ana", "sql-basics", "SQL <b>", "Badge Level I", "criteria", SubmissionStatus.SUBMITTED,
                          1, "<!here> look " * 400, None,
                          tuple(CardFile(i, f"<evil{i}>.pdf", 2048, "application/pdf", 1) for i in range(10)),
                          (CardVote("U2", Decision.APPROVE, "", 1),), 2, True, None, "C1", "1.1", None, None)
    blocks = review_blocks.review_card(card, lambda artifact: f"https://bot.example/review/artifacts/{artifact}")
    check_limits(blocks, 50)
    rendered = json.dumps(blocks)
    assert "<!here>" not in rendered and "&lt;evil0&gt;.pdf" in rendered
    assert "1 of 2 approvals" in rendered


def test_the_review_card_offers_distinction_only_where_allowed():
    def card(distinction: bool, status=SubmissionStatus.SUBMITTED):
        return SubmissionCard(1, "U1", "Ana", "x", "X", "Badge Level I", "c", status, 1, "r", None, (), (), 1,
                              distinction, "U2" if not status.awaiting_review else None, "C1", "1.1", None, None)

    def actions(blocks):
        return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]

    assert actions(review_blocks.review_card(card(True), str)) == [
        "review_approve", "review_approve_distinction", "review_request_changes", "review_reject"]
    assert "review_approve_distinction" not in actions(review_blocks.review_card(card(False), str))
    decided = review_blocks.review_card(card(True, SubmissionStatus.REJECTED), str)
    assert actions(decided) == [] and "by <@U2>" in json.dumps(decided)


def test_help_is_generated_from_every_subcommands_docstring():
    reply = badges.show_help(None, badges.Request("U1", "ana", "D1", "t", ""))  # type: ignore[arg-type]
    text = reply["blocks"][0]["text"]["text"]
    for name, (_usage, fn) in badges.SUBCOMMANDS.items():
        assert fn.__doc__, f"/badges {name} has no docstring"
        assert fn.__doc__.strip().splitlines()[0] in text


def test_unknown_subcommands_get_a_suggestion():
    reply = badges.dispatch(None, badges.Request("U1", "ana", "D1", "t", "catalgo sql"))  # type: ignore[arg-type]
    assert reply["text"] == "I don't know `/badges catalgo`. Did you mean `/badges catalog`? Try `/badges help`."


def test_catalog_results_fit_and_only_badges_get_a_submit_button():
    catalog = load_catalog(EXAMPLE_CATALOG)
    blocks = learner_blocks.catalog_results(list(catalog.credentials) * 10, "")
    check_limits(blocks, 50)
    with_button = {b["accessory"]["value"] for b in blocks if "accessory" in b}
    assert with_button == {c.id for c in catalog.credentials if c.type.is_badge}


def test_a_hosts_event_list_fits_and_escapes_what_hosts_typed():
    found = [EventView(i, f"p{i}", "<!here> Meetup " * 20, "s", "Souvenir & co", "U1", NOW, NOW, NOW, NOW, "",
                       None, QrMode.ROTATING, 30, i, NOW, None) for i in range(80)]
    blocks = event_blocks.event_list_blocks(found, NOW, dt.timezone.utc)
    check_limits(blocks, 50)
    assert "<!here>" not in json.dumps(blocks)
    one = event_blocks.event_blocks(found[0], NOW, dt.timezone.utc, door_screen="https://d", attendance="https://a")
    assert "<https://d|Open the door screen>" in json.dumps(one)


def test_the_new_event_form_becomes_a_draft_in_the_programs_time_zone():
    def form(**picked):
        return {block: {block: value} for block, value in picked.items()}

    chicago = ZoneInfo("America/Chicago")
    draft = draft_from_form(form(name={"value": " Data Viz "}, souvenir={"selected_option": {"value": "meetup"}},
                                 date={"selected_date": "2026-03-02"}, start={"selected_time": "18:00"},
                                 end={"selected_time": "20:00"}, opens_before={"value": "30"}), chicago)
    assert draft.starts_at == dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.timezone.utc)
    assert draft.opens_at == draft.starts_at - dt.timedelta(minutes=30) and draft.closes_at == draft.ends_at
    with pytest.raises(FormErrors) as refused:
        draft_from_form(form(date={"selected_date": "2026-03-02"}, capacity={"value": "many"}), chicago)
    assert set(refused.value.errors) == {"start", "end", "capacity", "souvenir"}
