"""The governance rules: a proposed credential (or change, or retirement) goes through the catalog's stages in order.

Each stage is decided by one of its approvers (Slack users or user groups): approve sends the proposal to the
next stage (after the last, it is approved and goes live); asking for changes hands it back to the proposer,
whose resubmission returns to the stage that asked (the stages before it approved what the proposal is for,
and the thread shows them what changed); a rejection ends it. Nobody decides a stage of their own proposal:
a committee member who proposes recuses, as committees do, so every approval is someone else's judgement.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.roles import GroupMembers, is_member


class ProposalKind(enum.StrEnum):
    ADD = "add"
    CHANGE = "change"
    RETIRE = "retire"

    @property
    def label(self) -> str:
        return {ProposalKind.ADD: "New credential", ProposalKind.CHANGE: "Change",
                ProposalKind.RETIRE: "Retirement"}[self]


class ProposalStatus(enum.StrEnum):
    OPEN = "open"  # waiting for its current stage
    CHANGES_REQUESTED = "changes_requested"  # with the proposer
    REJECTED = "rejected"
    APPROVED = "approved"  # passed the last stage: live (or retired)
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        """Still in play: a credential has at most one proposal in play."""
        return self in OPEN_PROPOSALS


OPEN_PROPOSALS = frozenset({ProposalStatus.OPEN, ProposalStatus.CHANGES_REQUESTED})


class StageDecision(enum.StrEnum):
    APPROVE = "approve"
    CHANGES = "changes"
    REJECT = "reject"

    @property
    def needs_reason(self) -> bool:
        """The proposer is told what to change, or why not; an approval's note is optional."""
        return self is not StageDecision.APPROVE

    @property
    def verb(self) -> str:
        return {StageDecision.APPROVE: "approved", StageDecision.CHANGES: "asked for changes",
                StageDecision.REJECT: "rejected"}[self]


@dataclass(frozen=True)
class Step:
    """Where a proposal stands after a decision."""

    status: ProposalStatus
    stage: int  # the stage now waiting (for an approved proposal: the number of stages)

    @property
    def live(self) -> bool:
        return self.status is ProposalStatus.APPROVED


def after(decision: StageDecision, stage: int, stage_count: int) -> Step:
    """The proposal's state after `stage` (0-based) decides."""
    if decision is StageDecision.REJECT:
        return Step(ProposalStatus.REJECTED, stage)
    if decision is StageDecision.CHANGES:
        return Step(ProposalStatus.CHANGES_REQUESTED, stage)
    if stage + 1 >= stage_count:
        return Step(ProposalStatus.APPROVED, stage_count)
    return Step(ProposalStatus.OPEN, stage + 1)


def may_decide(user: str, proposer: str, approvers: Sequence[str], members_of: GroupMembers) -> bool:
    """An approver of the stage who did not make the proposal."""
    return user != proposer and is_member(user, approvers, members_of)


def can_be_decided(proposer: str, approvers: Sequence[str], members_of: GroupMembers) -> bool:
    """Someone other than the proposer can decide this stage (else the proposal could never pass it)."""
    for holder in approvers:
        if holder.startswith("S"):
            if members_of(holder) - {proposer}:
                return True
        elif holder != proposer:
            return True
    return False


def mention(holder: str) -> str:
    """A user or a user group, as Slack shows it."""
    return f"<!subteam^{holder}>" if holder.startswith("S") else f"<@{holder}>"


def who_decides(stage_name: str, approvers: Sequence[str]) -> str:
    """The refusal's answer to "who can, then?"."""
    names = [mention(a) for a in approvers]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1] if names else "nobody"
    return f"The {stage_name} stage is decided by {listed}."
