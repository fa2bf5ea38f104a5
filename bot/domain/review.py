"""The assessment rules: what a grantor's decision does to a submission."""
from __future__ import annotations

from dataclasses import dataclass

from bot.domain.vocabulary import Decision, SubmissionStatus


@dataclass(frozen=True)
class Vote:
    grantor: str
    decision: Decision


@dataclass(frozen=True)
class Outcome:
    status: SubmissionStatus
    award: bool = False
    distinction: bool = False
    approvals: int = 0
    approvals_required: int = 1

    @property
    def decided(self) -> bool:
        return self.status is not SubmissionStatus.SUBMITTED and self.status is not SubmissionStatus.RESUBMITTED


def decide(
    current: SubmissionStatus, votes: list[Vote], approvals_required: int
) -> Outcome:
    """The submission's state after this round's votes (the newest last).

    A request for changes or a rejection from any one grantor ends the round at once. Approvals
    accumulate until `approvals_required` distinct grantors have approved. The award carries
    distinction only when every approving grantor chose it: distinction is an honour that no
    assessor withheld.
    """
    if not current.awaiting_review:
        raise ValueError(f"a {current.value} submission is not awaiting review")
    last = votes[-1].decision if votes else None
    approvers = {v.grantor: v.decision for v in votes if v.decision.is_approval}
    if last is Decision.REJECT:
        return Outcome(SubmissionStatus.REJECTED, approvals=len(approvers), approvals_required=approvals_required)
    if last is Decision.REQUEST_CHANGES:
        return Outcome(SubmissionStatus.CHANGES_REQUESTED, approvals=len(approvers),
                       approvals_required=approvals_required)
    if len(approvers) >= approvals_required:
        distinction = all(d is Decision.APPROVE_WITH_DISTINCTION for d in approvers.values())
        return Outcome(SubmissionStatus.APPROVED, award=True, distinction=distinction,
                       approvals=len(approvers), approvals_required=approvals_required)
    return Outcome(current, approvals=len(approvers), approvals_required=approvals_required)


def may_resubmit(status: SubmissionStatus) -> bool:
    return status is SubmissionStatus.CHANGES_REQUESTED


def may_withdraw(status: SubmissionStatus) -> bool:
    return status.is_open
