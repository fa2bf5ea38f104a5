"""What a proposal looks like to those who read it: the card, the thread, the proposer, an approver's App Home."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.domain.governance import (
    ProposalKind,
    ProposalStatus,
    StageDecision,
    may_decide,
)
from bot.domain.vocabulary import CredentialType
from bot.errors import NotFound
from bot.usecases.context import Context
from models import Proposal


@dataclass(frozen=True)
class DecisionView:
    round: int
    stage: int
    stage_name: str
    approver: str
    decision: StageDecision
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class ProposalView:
    """Everything the card, the thread and the proposer's messages show about one proposal."""

    id: int
    kind: ProposalKind
    credential: str
    table: dict[str, Any]
    issuer: str
    proposer: str
    reason: str
    status: ProposalStatus
    stage: int
    stage_names: tuple[str, ...]
    approvers: tuple[tuple[str, ...], ...]  # each stage's, users and groups
    round: int
    decisions: tuple[DecisionView, ...]
    channel: str | None
    card_ts: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def name(self) -> str:
        return str(self.table.get("name") or self.credential)

    @property
    def type_label(self) -> str:
        try:
            return CredentialType(self.table.get("type")).label
        except ValueError:
            return str(self.table.get("type"))

    @property
    def stage_name(self) -> str:
        """The stage waiting (or, once decided, the one that decided last)."""
        return self.stage_names[min(self.stage, len(self.stage_names) - 1)] if self.stage_names else ""

    def decided_stage(self, stage: int) -> DecisionView | None:
        """The decision that stands for a stage: the latest round's."""
        return next((d for d in reversed(self.decisions) if d.stage == stage), None)


@dataclass(frozen=True)
class AwaitingProposal:
    """A proposal whose current stage the user may decide (the admin App Home lists these)."""

    id: int
    name: str
    kind: ProposalKind
    stage_name: str
    waiting_since: dt.datetime
    age: dt.timedelta
    channel: str | None
    card_ts: str | None  # the thread: a permalink from (channel, card_ts)


def proposal_view(ctx: Context, proposal_id: int) -> ProposalView:
    with ctx.reading() as session:
        return view_of(get_proposal(session, proposal_id))


def proposals_awaiting(ctx: Context, user: str) -> list[AwaitingProposal]:
    """Open proposals whose current stage `user` may decide, longest waiting first (the admin App Home)."""
    now = ctx.clock()
    with ctx.reading() as session:
        waiting = session.scalars(select(Proposal).where(Proposal.status == ProposalStatus.OPEN)
                                  .order_by(Proposal.updated_at, Proposal.id)).all()
        found = []
        for p in waiting:
            stage = p.stages[p.stage]
            if may_decide(user, p.proposer, stage["approvers"], ctx.directory.members_of):
                found.append(AwaitingProposal(
                    id=p.id, name=str(p.table.get("name") or p.credential), kind=p.kind, stage_name=stage["name"],
                    waiting_since=p.updated_at, age=now - p.updated_at, channel=p.channel, card_ts=p.card_ts))
        return found


def get_proposal(session: Any, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("That proposal does not exist.")
    return proposal


def view_of(p: Proposal) -> ProposalView:
    return ProposalView(
        id=p.id, kind=p.kind, credential=p.credential, table=dict(p.table), issuer=p.issuer, proposer=p.proposer,
        reason=p.reason, status=p.status, stage=p.stage, stage_names=tuple(s["name"] for s in p.stages),
        approvers=tuple(tuple(s["approvers"]) for s in p.stages),
        round=p.round, channel=p.channel, card_ts=p.card_ts, created_at=p.created_at, updated_at=p.updated_at,
        decisions=tuple(DecisionView(d.round, d.stage, d.stage_name, d.approver, d.decision, d.reason, d.at)
                        for d in p.decisions))
