"""Pure domain rules: no database, no Slack, no clock."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.review import Vote, decide
from bot.domain.roles import is_member
from bot.domain.stacking import completed_certificates, nudge_priority, stack_progress
from bot.domain.validity import parse_validity
from bot.domain.vocabulary import Decision as D
from bot.domain.vocabulary import SubmissionStatus as S
from bot.usecases.context import new_public_id

UTC = dt.timezone.utc


def test_one_approval_decides_when_one_is_required():
    outcome = decide(S.SUBMITTED, [Vote("U1", D.APPROVE)], 1)
    assert (outcome.status, outcome.award, outcome.distinction) == (S.APPROVED, True, False)


def test_approvals_accumulate_and_distinction_must_be_unanimous():
    assert decide(S.SUBMITTED, [Vote("U1", D.APPROVE_WITH_DISTINCTION)], 2).status is S.SUBMITTED
    both = decide(S.RESUBMITTED, [Vote("U1", D.APPROVE_WITH_DISTINCTION), Vote("U2", D.APPROVE_WITH_DISTINCTION)], 2)
    assert (both.status, both.distinction, both.approvals) == (S.APPROVED, True, 2)
    mixed = decide(S.SUBMITTED, [Vote("U1", D.APPROVE_WITH_DISTINCTION), Vote("U2", D.APPROVE)], 2)
    assert (mixed.status, mixed.distinction) == (S.APPROVED, False)


def test_the_same_grantor_counts_once():
    assert decide(S.SUBMITTED, [Vote("U1", D.APPROVE), Vote("U1", D.APPROVE)], 2).status is S.SUBMITTED


def test_changes_or_rejection_end_the_round():
    assert decide(S.SUBMITTED, [Vote("U1", D.APPROVE), Vote("U2", D.REQUEST_CHANGES)], 2).status is S.CHANGES_REQUESTED
    assert decide(S.SUBMITTED, [Vote("U2", D.REJECT)], 1).status is S.REJECTED


@pytest.mark.parametrize("status", [S.APPROVED, S.REJECTED, S.WITHDRAWN, S.CHANGES_REQUESTED])
def test_only_waiting_submissions_are_decided(status):
    with pytest.raises(ValueError):
        decide(status, [Vote("U1", D.APPROVE)], 1)


def test_stacks_complete_only_with_every_badge():
    stacks = {"practiced": ["a", "b", "c"], "other": ["d"]}
    assert completed_certificates({"a", "b"}, stacks, set()) == []
    assert completed_certificates({"a", "b", "c"}, stacks, set()) == ["practiced"]
    assert completed_certificates({"a", "b", "c"}, stacks, {"practiced"}) == []
    [progress] = [p for p in stack_progress({"b"}, stacks) if p.certificate == "practiced"]
    assert (progress.held, progress.missing, progress.required) == (("b",), ("a", "c"), 3)


def test_the_closest_unfinished_certificate_is_nudged_first():
    def first(rows):  # what nudge_candidates picks among a learner's started, unfinished certificates
        return min(rows, key=lambda row: nudge_priority(*row))

    assert first([("x", 1, 3), ("y", 2, 3)]) == ("y", 2, 3)  # the highest share done
    assert first([("x", 1, 2), ("y", 2, 4)]) == ("x", 1, 2)  # same share, fewer missing
    assert first([("b", 1, 2), ("a", 1, 2)]) == ("a", 1, 2)  # a tie: by certificate, stable


def test_roles_name_users_or_groups():
    groups = {"S0FAC": frozenset({"U2"})}.get
    assert is_member("U1", ["U1"], lambda g: frozenset())
    assert is_member("U2", ["S0FAC"], lambda g: groups(g, frozenset()))
    assert not is_member("U3", ["U1", "S0FAC"], lambda g: groups(g, frozenset()))


@pytest.mark.parametrize(("text", "issued", "expires"), [
    ("2y", dt.datetime(2026, 2, 28, tzinfo=UTC), dt.datetime(2028, 2, 28, tzinfo=UTC)),
    ("1m", dt.datetime(2026, 1, 31, tzinfo=UTC), dt.datetime(2026, 2, 28, tzinfo=UTC)),
    ("18m", dt.datetime(2026, 11, 15, tzinfo=UTC), dt.datetime(2028, 5, 15, tzinfo=UTC)),
    ("6w", dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 2, 12, tzinfo=UTC)),
    ("90d", dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 4, 1, tzinfo=UTC)),
])
def test_validity_periods(text, issued, expires):
    assert parse_validity(text).expiry(issued) == expires


@pytest.mark.parametrize("text", ["", "0y", "2 years", "y", "-1m", "2h"])
def test_bad_validity_periods(text):
    with pytest.raises(ValueError, match="2y, 18m, 6w or 90d"):
        parse_validity(text)


def test_public_ids_never_start_with_a_dash_so_the_cli_takes_them():
    ids = [new_public_id() for _ in range(3000)]  # a dash would lead about one in 64
    assert not [i for i in ids if i.startswith("-")]
    assert len(set(ids)) == len(ids) and all(len(i) == 16 for i in ids)
