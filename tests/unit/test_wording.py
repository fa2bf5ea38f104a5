"""Issue 16 items 12 and 13: counts, sizes and credential names as a person reads them; text reflowed."""
from __future__ import annotations

import json

import pytest

from bot.domain.submitting import human_size
from bot.domain.vocabulary import CredentialType, Decision, SubmissionStatus
from bot.domain.wording import name_with_type, paragraphs, plural, reflowed
from bot.usecases.reviews import CardFile, CardVote, SubmissionCard
from config.catalog import load_catalog
from config.settings import EXAMPLE_CATALOG
from handlers.slack.blocks import learner as learner_blocks
from handlers.slack.blocks import reviews as review_blocks
from handlers.slack.blocks.kit import bold_with_type


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (1, "file", "1 file"), (0, "file", "0 files"), (2, "file", "2 files"), (14, "credential", "14 credentials"),
    (1, "check-in", "1 check-in"), (3, "check-in", "3 check-ins"), (2, "match", "2 matches"),
    (2, "more approval", "2 more approvals"), (5, "entry", "5 entries"), (2, "day", "2 days"),
])
def test_plural_agrees_with_the_count(count, noun, expected):
    assert plural(count, noun) == expected


def test_an_irregular_plural_is_named():
    assert plural(2, "person", "people") == "2 people" and plural(1, "person", "people") == "1 person"


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 bytes"), (1, "1 byte"), (20, "20 bytes"), (1023, "1023 bytes"), (1024, "1 KB"), (1536, "1.5 KB"),
    (319_488, "312 KB"), (1_048_000, "1023 KB"), (1_048_500, "1 MB"), (25 * 1024 * 1024, "25 MB"), (int(2.5 * 1024 ** 3), "2.5 GB"),
])
def test_sizes_are_honest(size, shown):
    assert human_size(size) == shown


def test_a_name_that_carries_its_type_is_not_bracketed_twice():
    practiced = CredentialType.CERTIFICATE_PRACTICED.label
    assert name_with_type("Data Analytics (Practiced)", practiced) == "Data Analytics (Practiced), Digital Certificate"
    assert name_with_type("SQL Basics", CredentialType.BADGE_LEVEL_1.label) == "SQL Basics (Badge Level I)"
    # Any other name in parentheses still reads without nesting them.
    assert name_with_type("Python (Intro)", CredentialType.BADGE_LEVEL_1.label) == "Python (Intro), Badge Level I"


# -- the same words in what Slack shows -------------------------------------------------------------


def _card(status: SubmissionStatus, votes: tuple[CardVote, ...] = (), files: tuple[CardFile, ...] = ()):
    return SubmissionCard(1, "U1", "Ana", "sql-basics", "SQL Basics", "Badge Level I", "c", status, 1, "r", None,
                          files, votes, 1, True, "U2" if not status.awaiting_review else None, "C1", "1.1", None, None)


def test_the_review_card_spells_distinction_one_way_and_sizes_files_honestly():
    decided = _card(SubmissionStatus.APPROVED, votes=(CardVote("U2", Decision.APPROVE_WITH_DISTINCTION, "", 1),))
    assert review_blocks.outcome_line(decided) == ":white_check_mark: *Approved with Distinction* by <@U2>."
    waiting = _card(SubmissionStatus.SUBMITTED, files=(CardFile(7, "notes.txt", 20, "text/plain", 1),
                                                      CardFile(8, "deck.pdf", 1536, "application/pdf", 1)))
    rendered = json.dumps(review_blocks.review_card(waiting, str))
    assert "notes.txt> (20 bytes, text/plain)" in rendered and "deck.pdf> (1.5 KB, application/pdf)" in rendered
    assert "1 KB" not in rendered


def test_counts_in_slack_agree_with_their_number():
    [one] = review_blocks.waiting_list([_card(SubmissionStatus.SUBMITTED)], lambda card: None)[:1]
    assert one["text"]["text"].startswith("*1 submission waiting for your review*")
    catalog = load_catalog(EXAMPLE_CATALOG)
    shown = json.dumps(learner_blocks.catalog_results(list(catalog.credentials), ""))
    assert "*14 credentials*" in shown and "(s)" not in shown
    practiced = catalog.get("data-analytics-practiced")
    assert practiced is not None and practiced.name == "Data Analytics (Practiced)"
    modal = json.dumps(learner_blocks.submit_modal(catalog.get("sql-basics")))
    assert "*SQL Basics* (Badge Level I)" in modal
    assert bold_with_type(practiced.name, practiced.type.label) == "*Data Analytics (Practiced)*, Digital Certificate"


# -- 13: hand-wrapped text reflowed -----------------------------------------------------------------------


def test_hand_wrapped_lines_join_into_the_sentence_they_are():
    wrapped = "Submit five queries that answer the given questions,\n  with their output,\nand a reflection."
    assert paragraphs(wrapped) == ["Submit five queries that answer the given questions, with their output, and a reflection."]


def test_a_blank_line_still_ends_a_paragraph_and_list_items_keep_their_lines():
    text = "\nFirst paragraph,\ncontinued.\n\n   \nThe list:\n- one item\n  that wraps\n* another\n2) a third\n"
    assert paragraphs(text) == ["First paragraph, continued.",
                                "The list:\n- one item that wraps\n* another\n2) a third"]
    assert reflowed(text) == "First paragraph, continued.\n\nThe list:\n- one item that wraps\n* another\n2) a third"


def test_text_without_hard_breaks_is_left_as_it_is():
    assert reflowed("One line.") == "One line." and paragraphs("") == [] and reflowed(" \n\n ") == ""


def test_the_example_catalogs_criteria_have_no_break_mid_sentence_in_slack():
    catalog = load_catalog(EXAMPLE_CATALOG)
    spec = catalog.get("spreadsheet-fundamentals")
    assert "\n" in spec.criteria                                  # the TOML file wraps it by hand
    modal = json.dumps(learner_blocks.submit_modal(spec))
    shown = json.dumps(learner_blocks.catalog_results([spec], ""))
    for rendered in (modal, shown):
        assert "fixes types, uses at least three" in rendered and "fixes types,\\nuses" not in rendered
