"""Proposals to add, change or retire a credential, and each stage's decision on them."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.governance import (
    OPEN_PROPOSALS,
    ProposalKind,
    ProposalStatus,
    StageDecision,
)
from models.base import Base, intpk, slack_id
from models.credentials import enum_column

_open = "status IN (" + ", ".join(f"'{s.value}'" for s in sorted(OPEN_PROPOSALS)) + ")"


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        # One proposal in play per credential: a double-clicked submit, a retried Slack delivery or two
        # issuers proposing the same id cannot open a second one.
        Index("uq_proposals_open_per_credential", "credential", unique=True,
              sqlite_where=text(_open), postgresql_where=text(_open)),
    )

    id: Mapped[intpk]
    kind: Mapped[ProposalKind] = mapped_column(enum_column(ProposalKind, "proposal_kind"))
    credential: Mapped[str] = mapped_column(String(64), index=True)  # the slug it adds, changes or retires
    # The [[credentials]] table exactly as the catalog file would hold it (for a retirement: the table retired).
    table: Mapped[dict[str, Any]] = mapped_column(JSON)
    issuer: Mapped[str] = mapped_column(String(64))
    proposer: Mapped[slack_id]
    reason: Mapped[str] = mapped_column(Text, default="")  # the proposer's why (a retirement's, above all)
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, "proposal_status"), index=True)
    # The stages in force when it was proposed, [{"name", "approvers"}], in order: a catalog reloaded with other
    # stages does not reshuffle proposals in flight (user groups are still resolved when a stage decides).
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    stage: Mapped[int] = mapped_column(default=0)  # the stage waiting (0-based); advanced by a conditional UPDATE
    # Each resubmission after changes opens a new round; decisions are unique per (round, stage).
    round: Mapped[int] = mapped_column(default=1)
    # The governance channel (as proposed) and the card there, whose thread holds the discussion.
    channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    decisions: Mapped[list[ProposalDecision]] = relationship(
        back_populates="proposal", order_by="ProposalDecision.id", lazy="selectin")


class ProposalDecision(Base):
    """One stage's decision in one round: the unique key lets only the first of two approvers count."""

    __tablename__ = "proposal_decisions"
    __table_args__ = (UniqueConstraint("proposal_id", "round", "stage", name="uq_proposal_decisions_stage"),)

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    round: Mapped[int]
    stage: Mapped[int]
    stage_name: Mapped[str] = mapped_column(String(200))  # as it was called when decided
    approver: Mapped[slack_id]
    decision: Mapped[StageDecision] = mapped_column(enum_column(StageDecision, "stage_decision"))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime]

    proposal: Mapped[Proposal] = relationship(back_populates="decisions")


