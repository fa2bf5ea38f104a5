"""Governance's pure parts: the stage rules, and the form, card and thread Slack shows (within Slack's limits)."""
from __future__ import annotations

import datetime as dt

from bot.domain.governance import (
    ProposalKind,
    ProposalStatus,
    StageDecision,
    after,
    can_be_decided,
    may_decide,
    who_decides,
)
from bot.usecases.proposal_views import DecisionView, ProposalView
from handlers.slack.blocks import governance as blocks
from handlers.slack.blocks.kit import VIEW_BLOCKS

GROUPS = {"S0COMMITTEE": frozenset({"U0ALICE", "U0BOB"})}


def members_of(group: str) -> frozenset[str]:
    return GROUPS.get(group, frozenset())


def test_stages_go_in_order_and_the_last_approval_makes_it_live():
    assert (after(StageDecision.APPROVE, 0, 3).status, after(StageDecision.APPROVE, 0, 3).stage) == \
        (ProposalStatus.OPEN, 1)
    last = after(StageDecision.APPROVE, 2, 3)
    assert last.live and last.status is ProposalStatus.APPROVED
    # Changes and rejections stop where they were asked: a resubmission comes back to that stage.
    assert (after(StageDecision.CHANGES, 1, 3).status, after(StageDecision.CHANGES, 1, 3).stage) == \
        (ProposalStatus.CHANGES_REQUESTED, 1)
    assert after(StageDecision.REJECT, 1, 3).status is ProposalStatus.REJECTED and not after(
        StageDecision.REJECT, 2, 3).live


def test_a_stage_is_decided_by_its_approvers_and_never_by_the_proposer():
    approvers = ("U0CAROL", "S0COMMITTEE")
    assert may_decide("U0CAROL", "U0DAVE", approvers, members_of)
    assert may_decide("U0BOB", "U0DAVE", approvers, members_of)  # through the user group
    assert not may_decide("U0EVE", "U0DAVE", approvers, members_of)
    assert not may_decide("U0ALICE", "U0ALICE", approvers, members_of)  # recused: her own proposal
    # A stage whose only approver proposed could never pass; a group with someone else in it can.
    assert not can_be_decided("U0CAROL", ("U0CAROL",), members_of)
    assert can_be_decided("U0ALICE", ("S0COMMITTEE",), members_of)
    assert not can_be_decided("U0ALICE", ("S0EMPTY",), members_of)


def test_a_refusal_names_who_decides():
    assert who_decides("Unit leader", ("U0CAROL",)) == "The Unit leader stage is decided by <@U0CAROL>."
    assert who_decides("Committee", ("U0CAROL", "U0DAN", "S0COMMITTEE")) == \
        "The Committee stage is decided by <@U0CAROL>, <@U0DAN> or <!subteam^S0COMMITTEE>."


def view(**changes) -> ProposalView:
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    fields = dict(  # noqa: C408 - the fields of the view, as keywords
        id=7, kind=ProposalKind.ADD, credential="data-ethics", issuer="computing", proposer="U0DAVE", reason="",
        table={"id": "data-ethics", "type": "badge_level_1", "name": "Data <Ethics> & You", "description": "d",
               "criteria": "c", "grantors": ["U0CAROL", "S0COMMITTEE"], "review_channel": "C0REVIEWS"},
        status=ProposalStatus.OPEN, stage=1, stage_names=("Career services", "Unit leader", "Committee"),
        approvers=(("U0CAROL",), ("U0LEAD",), ("S0COMMITTEE",)), round=1,
        decisions=(DecisionView(1, 0, "Career services", "U0CAROL", StageDecision.APPROVE, "", at),),
        channel="C0GOVERN", card_ts="1.0", created_at=at, updated_at=at)
    return ProposalView(**(fields | changes))


def test_the_card_shows_the_stages_escapes_what_was_typed_and_offers_buttons_only_while_open():
    card = blocks.proposal_card(view())
    text = str(card)
    mrkdwn = str([b for b in card if b["type"] != "header"])  # a header is plain text: nothing to forge there
    assert "Data &lt;Ethics&gt; &amp; You" in mrkdwn and "<Ethics>" not in mrkdwn
    assert ":white_check_mark: Career services: <@U0CAROL>" in text and ":hourglass_flowing_sand: Unit leader" in text
    assert {e["value"] for b in card if b["type"] == "actions" for e in b["elements"]} == {"7:1:1"}
    assert "<@U0LEAD>" in blocks.card_text(view())  # who decides next is notified
    rejected = blocks.proposal_card(view(status=ProposalStatus.REJECTED))
    assert not [b for b in rejected if b["type"] == "actions"] and "Rejected" in str(rejected)
    assert len(card) <= 50


def test_the_thread_and_the_proposer_hear_each_step():
    changes = DecisionView(1, 1, "Unit leader", "U0LEAD", StageDecision.CHANGES, "Name the rubric.",
                           dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    asked = view(status=ProposalStatus.CHANGES_REQUESTED, decisions=(*view().decisions, changes))
    text, note = blocks.step_note(asked, changes)
    assert "asked for changes at the *Unit leader* stage: Name the rubric." in text
    assert {e["action_id"] for b in note if b["type"] == "actions" for e in b["elements"]} == \
        {blocks.RESUBMIT_ACTION, blocks.WITHDRAW_ACTION}
    text, _ = blocks.step_note(view(), view().decisions[0])
    assert "Next: the *Unit leader* stage, <@U0LEAD>." in text
    text, dm = blocks.proposer_message(asked, changes)
    assert "asked for changes" in text and "Name the rubric." in str(dm)


def test_the_form_fits_a_modal_and_reads_back_as_a_catalog_table():
    badges = [(f"badge-{n}", f"Badge {n}") for n in range(150)]
    modal = blocks.proposal_modal("new", [("computing", "College of Computing")], badges)
    assert len(modal["blocks"]) <= VIEW_BLOCKS and len(modal["title"]["text"]) <= 24
    [requires] = [b for b in modal["blocks"] if b.get("block_id") == "requires"]
    assert len(requires["element"]["options"]) == 100  # Slack's limit for a select
    state = {
        "id": {"id": {"value": " data-ethics "}}, "type": {"type": {"selected_option": {"value": "badge_level_1"}}},
        "name": {"name": {"value": "Data Ethics"}}, "skills": {"skills": {"value": "ethics, , privacy"}},
        "grantors": {"grantors": {"selected_users": ["U0CAROL"]}},
        "grantor_groups": {"grantor_groups": {"value": "S0COMMITTEE"}},
        "approvals_required": {"approvals_required": {"value": "2"}},
        "distinction": {"distinction": {"selected_options": []}}, "expires_after": {"expires_after": {"value": ""}},
    }
    table, unreadable = blocks.table_of(state)
    assert table == {"id": "data-ethics", "type": "badge_level_1", "name": "Data Ethics",
                     "skills": ["ethics", "privacy"], "grantors": ["U0CAROL", "S0COMMITTEE"], "approvals_required": 2}
    assert unreadable == {}
    assert blocks.table_of({"approvals_required": {"approvals_required": {"value": "two"}}})[1] == {
        "approvals_required": "must be a whole number, 1 or more"}
    # A form filled in from a table offers what it holds.
    filled = blocks.proposal_modal("resubmit:7", [("computing", "College of Computing")], badges[:3], view().table)
    assert filled["private_metadata"] == "resubmit:7" and "Data <Ethics> & You" in str(filled)


def test_problems_land_on_the_fields_they_concern():
    errors = blocks.field_errors({"requires": "x" * 400, "alignment": "unknown framework", "name": "required"})
    assert set(errors) == {"requires", "id", "name"} and errors["id"] == "alignment: unknown framework"
    assert len(errors["requires"]) <= blocks.ERROR_LIMIT
