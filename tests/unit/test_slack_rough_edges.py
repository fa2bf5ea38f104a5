"""Issue 16, Slack side, in the pure builders and the directory: quoted reflections (24), a used Submit button
taken off its message (14), the non-grantor's answer (15), catalog markers (5), names from the profile (4)."""
from __future__ import annotations

import datetime as dt
import json
import re

from slack_sdk.errors import SlackApiError

from bot.adapters.directory import SlackDirectory, StaticDirectory
from bot.domain.vocabulary import CredentialType, SubmissionStatus
from bot.usecases.progress import Holding, Pending, Progress
from config.catalog import load_catalog
from config.settings import EXAMPLE_CATALOG
from handlers.slack.blocks import learner as learner_blocks
from handlers.slack.blocks import reviews as review_blocks
from handlers.slack.blocks.kit import actions, button, context, section
from tests.unit.test_blocks import check_limits, texts

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
CATALOG = load_catalog(EXAMPLE_CATALOG)


# -- 24 ------------------------------------------------------------------------------------------------


def test_every_line_is_quoted_and_stays_escaped():
    assert review_blocks.quoted("one\ntwo\n\nthree <@U1>\n") == ">one\n>two\n>\n>three &lt;@U1&gt;"
    assert review_blocks.quoted("single") == ">single"


# -- 14 ------------------------------------------------------------------------------------------------


def nudge_like() -> list[dict]:
    return [section("You are *1 of 3* toward …"),
            *actions(button("Submit for SQL Basics", "submit_for", "sql-basics"),
                     button("Submit for Spreadsheets", "submit_for", "spreadsheet-fundamentals")),
            context("You get these about once a week.")]


def test_only_the_used_button_goes_and_a_line_says_the_work_is_sent():
    after = learner_blocks.without_submit(nudge_like(), "sql-basics", "SQL Basics")
    assert after is not None
    elements = [e["value"] for b in after if b["type"] == "actions" for e in b["elements"]]
    assert elements == ["spreadsheet-fundamentals"]
    assert "Your work for *SQL Basics* is on its way" in "\n".join(texts(after))
    assert texts(after)[0] == "You are *1 of 3* toward …" and "once a week" in texts(after)[-1]


def test_an_actions_block_left_empty_goes_and_an_accessory_button_goes_too():
    after = learner_blocks.without_submit(
        [*actions(button("Submit for SQL Basics", "submit_for", "sql-basics")),
         section("SQL Basics", accessory=button("Submit work", "submit_for", "sql-basics"))], "sql-basics", "SQL Basics")
    assert after is not None
    assert [b["type"] for b in after] == ["context", "section", "context"] and "accessory" not in after[1]


def test_a_message_without_that_button_is_not_edited():
    assert learner_blocks.without_submit(nudge_like(), "data-visualization-foundations", "Data Viz") is None
    assert learner_blocks.without_submit([section("Approve?", accessory=button("Approve", "review_approve", "7"))],
                                         "7", "x") is None


# -- 15 ------------------------------------------------------------------------------------------------


def test_the_non_grantors_answer_names_grantors_and_groups_and_fits():
    few = review_blocks.not_a_grantor({"U0GRANT001": ["SQL Basics", "Spreadsheets"], "S0FACULTY1": ["Python"]})
    shown = "\n".join(texts(few))
    assert "You are not a grantor of any credential" in shown
    assert "• <@U0GRANT001>: SQL Basics, Spreadsheets" in shown and "• <!subteam^S0FACULTY1>: Python" in shown
    many = review_blocks.not_a_grantor({f"U{i:09d}": ["A very long credential name " * 5] for i in range(500)})
    check_limits(many, 50)
    assert re.search(r"…and \d+ more grantors\.$", texts(many)[0])
    assert "none are appointed yet" in "\n".join(texts(review_blocks.not_a_grantor({})))


# -- 5 -------------------------------------------------------------------------------------------------


def standing(*, held: tuple[str, ...] = (), pending: tuple[tuple[str, SubmissionStatus], ...] = ()) -> Progress:
    holdings = tuple(Holding(slug, slug, CredentialType.BADGE_LEVEL_1, False, NOW, None, "p" * 16, False, False)
                     for slug in held)
    waiting = tuple(Pending(i, slug, slug, CredentialType.BADGE_LEVEL_1, status, NOW)
                    for i, (slug, status) in enumerate(pending))
    return Progress("U1", "Ana", True, holdings, waiting, ())


def test_the_catalog_with_a_learners_standing_fits_and_offers_submit_only_where_it_can_be_used():
    progress = standing(held=("sql-basics",), pending=(("spreadsheet-fundamentals", SubmissionStatus.CHANGES_REQUESTED),))
    blocks = learner_blocks.catalog_results(list(CATALOG.credentials), "", progress=progress, catalog=CATALOG)
    check_limits(blocks, 50)
    offered = {b["accessory"]["value"] for b in blocks if b.get("accessory")}
    badges = {c.id for c in CATALOG.credentials if c.type.is_badge}
    assert offered == badges - {"sql-basics", "spreadsheet-fundamentals"}
    rendered = json.dumps(blocks)
    assert "changes requested: reply in its thread" in rendered


def test_without_a_standing_every_badge_offers_submit_and_certificates_still_list_their_badges():
    blocks = learner_blocks.catalog_results(list(CATALOG.credentials), "", catalog=CATALOG)
    offered = {b["accessory"]["value"] for b in blocks if b.get("accessory")}
    assert offered == {c.id for c in CATALOG.credentials if c.type.is_badge}
    [certificate] = [t for t in texts(blocks) if "`data-analytics-practiced`" in t]
    assert "_Stacks 3 badges:_\n• Spreadsheet Fundamentals\n• SQL Basics\n• Data Visualization Foundations" in certificate


# -- 4 -------------------------------------------------------------------------------------------------


class FakeSlack:
    """users.info as Slack answers it, counting the calls."""

    def __init__(self, users: dict[str, dict]):
        self.users, self.asked = users, 0

    def users_info(self, user: str) -> dict:
        self.asked += 1
        if user not in self.users:
            raise SlackApiError("user_not_found", {"ok": False, "error": "user_not_found"})
        return {"ok": True, "user": {"id": user, "name": "handle", "profile": self.users[user]}}


def test_the_name_is_the_profiles_real_name_else_its_display_name():
    slack = FakeSlack({"U1": {"real_name": "Ana Souza", "display_name": "ana", "email": "ana@example.edu"},
                       "U2": {"real_name": " ", "display_name": "Bo"}, "U3": {"real_name": "", "display_name": ""}})
    directory = SlackDirectory(slack)
    assert [directory.name_of(u) for u in ("U1", "U2", "U3", "U9")] == ["Ana Souza", "Bo", None, None]
    assert directory.email_of("U1") == "ana@example.edu"
    assert slack.asked == 4  # the email came from the profile already read; the unknown one is not cached
    assert directory.name_of("U9") is None and slack.asked == 5


def test_the_static_directory_names_whom_it_is_told():
    directory = StaticDirectory(names={"U1": "Ana Souza"})
    assert directory.name_of("U1") == "Ana Souza" and directory.name_of("U2") is None


def test_a_credentials_skills_alignment_is_shown_linked_when_it_has_one():
    sql = CATALOG.get("sql-basics")
    assert sql.alignment, "the example catalog aligns SQL Basics to ESCO"
    shown = "\n".join(texts(learner_blocks.catalog_results([sql], "sql")))
    assert f"_Skills alignment:_ <{sql.alignment[0].url}|SQL (ESCO)>" in shown
    unaligned = next(c for c in CATALOG.credentials if not c.alignment)
    assert "Skills alignment" not in json.dumps(learner_blocks.catalog_results([unaligned], ""))
