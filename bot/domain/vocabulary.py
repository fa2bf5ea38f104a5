"""The program's vocabulary: the kinds of credentials, submission states and decisions."""
from __future__ import annotations

import enum


class CredentialType(str, enum.Enum):
    SOUVENIR = "souvenir"
    BADGE_LEVEL_1 = "badge_level_1"
    BADGE_LEVEL_2 = "badge_level_2"
    CERTIFICATE_PRACTICED = "certificate_practiced"
    CERTIFICATE_EXPERT = "certificate_expert"

    @property
    def is_badge(self) -> bool:
        return self in (CredentialType.BADGE_LEVEL_1, CredentialType.BADGE_LEVEL_2)

    @property
    def is_certificate(self) -> bool:
        return self in (CredentialType.CERTIFICATE_PRACTICED, CredentialType.CERTIFICATE_EXPERT)

    @property
    def stacks(self) -> "CredentialType | None":
        """The badge type a certificate of this type is made of (None for non-certificates)."""
        return {
            CredentialType.CERTIFICATE_PRACTICED: CredentialType.BADGE_LEVEL_1,
            CredentialType.CERTIFICATE_EXPERT: CredentialType.BADGE_LEVEL_2,
        }.get(self)

    @property
    def label(self) -> str:
        return {
            CredentialType.SOUVENIR: "Souvenir",
            CredentialType.BADGE_LEVEL_1: "Badge Level I",
            CredentialType.BADGE_LEVEL_2: "Badge Level II",
            CredentialType.CERTIFICATE_PRACTICED: "Digital Certificate (Practiced)",
            CredentialType.CERTIFICATE_EXPERT: "Digital Certificate (Expert)",
        }[self]


class SubmissionStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def awaiting_review(self) -> bool:
        return self in AWAITING_REVIEW

    @property
    def is_open(self) -> bool:
        """Still in play: a learner has at most one open submission per credential."""
        return self in OPEN_STATUSES


AWAITING_REVIEW = frozenset({SubmissionStatus.SUBMITTED, SubmissionStatus.RESUBMITTED})
"""In a grantor's queue."""
OPEN_STATUSES = AWAITING_REVIEW | {SubmissionStatus.CHANGES_REQUESTED}
"""Still in play (a learner has at most one open submission per credential)."""


class Decision(str, enum.Enum):
    APPROVE = "approve"
    APPROVE_WITH_DISTINCTION = "approve_with_distinction"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"

    @property
    def is_approval(self) -> bool:
        return self in (Decision.APPROVE, Decision.APPROVE_WITH_DISTINCTION)

    @property
    def needs_reason(self) -> bool:
        return self in (Decision.REQUEST_CHANGES, Decision.REJECT)


class OutboxKind(enum.StrEnum):
    """What a queued Slack message is; the notifier has one way to send each (checked when it is built)."""

    REVIEW_CARD = "review_card"
    REVIEW_CARD_UPDATE = "review_card_update"
    SUBMISSION_RECEIVED = "submission_received"
    RESUBMITTED = "resubmitted"
    DECISION = "decision"
    AWARD = "award"
    AWARD_REVOKED = "award_revoked"
    CERTIFICATE_FLAGGED = "certificate_flagged"
    NUDGE = "nudge"
    NUDGE_CONGRATULATIONS = "nudge_congratulations"
    REVIEW_REMINDER = "review_reminder"
    REVIEW_ESCALATION = "review_escalation"
    EXPIRY_NOTICE = "expiry_notice"
    AWARD_LAPSED = "award_lapsed"
    INTAKE_NOTE = "intake_note"  # what became of work sent with files, when it is not a submission
    WEEKLY_DIGEST = "weekly_digest"  # the program's figures to the office channel (issue 14)
    PROPOSAL_CARD = "proposal_card"  # a proposed credential's card in the governance channel (issue 13)
    PROPOSAL_UPDATE = "proposal_update"  # the card redrawn, and the step said in its thread
    PROPOSAL_PROPOSER = "proposal_proposer"  # the proposer told of a stage's decision
    EVALUATION_CARD = "evaluation_card"  # a credential's periodic evaluation opened in the governance channel
    EVALUATION_UPDATE = "evaluation_update"  # its card redrawn with the decision, said in its thread
    EVALUATION_REMINDER = "evaluation_reminder"  # an issuer admin reminded (a DM a day) until it is decided
