"""The database tables, by domain. Import from here: `from models import Award`."""
from models.analytics import AwardVisit
from models.audit import AuditEntry
from models.awards import Award
from models.base import Base
from models.catalog_changes import CatalogChange, Evaluation
from models.credentials import CertificateRequirement, Credential
from models.events import CheckIn, Event
from models.governance import Proposal, ProposalDecision
from models.inbound import ReceivedEvent
from models.intake import PendingIntake
from models.learners import Learner
from models.outbox import OutboxMessage
from models.scheduling import JobRun
from models.secrets import IssuerKey, StoredSecret
from models.submissions import Artifact, Review, Submission

__all__ = [
    "Artifact",
    "AuditEntry",
    "AwardVisit",
    "Award",
    "Base",
    "CatalogChange",
    "CertificateRequirement",
    "CheckIn",
    "Credential",
    "Evaluation",
    "Event",
    "IssuerKey",
    "JobRun",
    "Learner",
    "OutboxMessage",
    "PendingIntake",
    "Proposal",
    "ProposalDecision",
    "ReceivedEvent",
    "Review",
    "StoredSecret",
    "Submission",
]
