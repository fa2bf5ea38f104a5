"""Credential governance: an issuer proposes a credential (or a change, or a retirement) and the catalog's stages
decide it in order (the rules: bot/domain/governance.py). On the last stage's approval the change is live
(bot/usecases/live_catalog.py) in the same transaction; every step is audited and told in the governance
channel's thread and to the proposer. What a proposal looks like to readers: bot/usecases/proposal_views.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.domain.governance import (
    OPEN_PROPOSALS,
    ProposalKind,
    ProposalStatus,
    StageDecision,
    after,
    can_be_decided,
    may_decide,
    who_decides,
)
from bot.domain.vocabulary import OutboxKind
from bot.errors import BadgebotError, Conflict, InvalidInput, NotAllowed, NotFound
from bot.usecases.context import Context, audit, notify
from bot.usecases.live_catalog import record_approved_change
from bot.usecases.proposal_views import (  # noqa: F401 - proposals_awaiting and the views are read from here too
    AwaitingProposal,
    DecisionView,
    ProposalView,
    get_proposal,
    proposal_view,
    proposals_awaiting,
    view_of,
)
from config.catalog import Catalog, Governance, Issuer, check_credential
from config.catalog_tables import credential_table
from models import Proposal, ProposalDecision
from models.base import insert_for

MAX_REASON = 3000


class CredentialProblems(BadgebotError):
    """What is wrong with a proposed credential, by the `[[credentials]]` key it concerns (the form's fields)."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("The proposal has problems: " + "; ".join(f"{k}: {v}" for k, v in self.problems.items()))


# -- who may propose -----------------------------------------------------------------------------------


def may_propose_for(ctx: Context, user: str, issuer_id: str) -> bool:
    """Program administrators for every issuer; an issuer's admins for their own."""
    return ctx.is_admin(user) or ctx.is_issuer_admin(user, issuer_id)


def issuers_for(ctx: Context, catalog: Catalog, user: str) -> list[Issuer]:
    """The issuers `user` may propose for, the university first."""
    return [i for i in catalog.all_issuers if may_propose_for(ctx, user, i.id)]


def check_may_propose(ctx: Context, catalog: Catalog, user: str, credential: str | None = None) -> None:
    """Refuse, before a form is opened, whoever may propose for no issuer (or may not touch `credential`)."""
    _governance(catalog)
    if not issuers_for(ctx, catalog, user):
        raise NotAllowed("Only program administrators and issuer admins can propose credentials.")
    if credential is not None:
        spec = catalog.get(credential)
        if spec is None:
            raise NotFound(f"There is no credential '{credential}' in the catalog.")
        _check_issuer(ctx, catalog, user, spec.issuer)


def _check_issuer(ctx: Context, catalog: Catalog, user: str, issuer_id: str) -> None:
    if may_propose_for(ctx, user, issuer_id):
        return
    issuer = catalog.issuer_by_id(issuer_id)
    own = [i.name for i in issuers_for(ctx, catalog, user)]
    raise NotAllowed(f"You can propose only for {', '.join(own) or 'no issuer'}; "
                     f"{issuer.name if issuer else issuer_id} is another issuer's.")


def _governance(catalog: Catalog) -> Governance:
    governance = catalog.governance
    if governance is None or not governance.stages:
        raise Conflict("The catalog has no [governance] stages, so nothing can be proposed yet; an administrator "
                       "adds them to the catalog file.")
    return governance


# -- proposing -------------------------------------------------------------------------------------------


def propose(ctx: Context, catalog: Catalog, user: str, table: dict[str, Any], *, change: bool = False,
            reason: str = "") -> ProposalView:
    """Propose a new credential (or, with `change`, new terms for one in the catalog): the first stage decides next."""
    table = _clean(table)
    slug = str(table.get("id") or "")
    existing = catalog.get(slug)
    if change and existing is None:
        raise CredentialProblems({"id": f"There is no credential '{slug}' to change; propose it as new."})
    if not change and existing is not None:
        raise CredentialProblems({"id": f"'{slug}' is already in the catalog; propose a change with "
                                        f"`/badges propose {slug}`."})
    issuer = str(table.get("issuer") or catalog.issuer.id)
    _check_issuer(ctx, catalog, user, issuer)
    if existing is not None:
        _check_issuer(ctx, catalog, user, existing.issuer)
    _check_table(catalog, table, new=not change)
    kind = ProposalKind.CHANGE if change else ProposalKind.ADD
    return _open(ctx, catalog, user, kind, slug, table, issuer, reason)


def propose_retirement(ctx: Context, catalog: Catalog, user: str, credential: str, reason: str) -> ProposalView:
    """Propose that a credential be offered no more (its awards stay valid); the same stages decide."""
    spec = catalog.get(credential)
    if spec is None:
        raise NotFound(f"There is no credential '{credential}' in the catalog.")
    _check_issuer(ctx, catalog, user, spec.issuer)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(f"Say why: `/badges retire {credential} <why it should be retired>`.", field="reason")
    return _open(ctx, catalog, user, ProposalKind.RETIRE, credential, credential_table(spec), spec.issuer,
                 reason)


def _open(ctx: Context, catalog: Catalog, user: str, kind: ProposalKind, slug: str, table: dict[str, Any],
          issuer: str, reason: str) -> ProposalView:
    governance = _governance(catalog)
    for stage in governance.stages:
        if not can_be_decided(user, stage.approvers, ctx.directory.members_of):
            raise NotAllowed(f"You are the only approver of the {stage.name} stage, and nobody decides their own "
                             "proposal: ask an administrator to add another approver to that stage.")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    now = ctx.clock()
    try:
        with ctx.transaction() as session:
            waiting = session.scalar(select(Proposal).where(
                Proposal.credential == slug, Proposal.status.in_(OPEN_PROPOSALS)))
            if waiting is not None:
                if _same(waiting, user, table):
                    return view_of(waiting)
                raise _in_review(waiting)
            proposal = Proposal(
                kind=kind, credential=slug, table=table, issuer=issuer, proposer=user, reason=reason,
                status=ProposalStatus.OPEN, stages=[{"name": s.name, "approvers": list(s.approvers)}
                                                    for s in governance.stages],
                stage=0, round=1, channel=governance.channel, created_at=now, updated_at=now)
            session.add(proposal)
            session.flush()
            audit(session, now, user, f"proposal.{kind.value}", proposal, credential=slug, issuer=issuer,
                  table=table, reason=reason)
            notify(session, now, f"proposal-card:{proposal.id}", OutboxKind.PROPOSAL_CARD, governance.channel,
                   proposal_id=proposal.id)
            return view_of(proposal)
    except IntegrityError:
        # Another request opened one for this credential a moment ago (a double click, a retried delivery).
        with ctx.reading() as session:
            waiting = session.scalar(select(Proposal).where(
                Proposal.credential == slug, Proposal.status.in_(OPEN_PROPOSALS)))
            if waiting is not None and _same(waiting, user, table):
                return view_of(waiting)
            raise _in_review(waiting) from None


def _same(waiting: Proposal, user: str, table: dict[str, Any]) -> bool:
    """The proposal in play is this very one, sent again (a double click, Slack retrying the form)."""
    return waiting.proposer == user and waiting.table == table


def _in_review(waiting: Proposal | None) -> Conflict:
    who = f" (proposed by <@{waiting.proposer}>)" if waiting is not None else ""
    return Conflict(f"There is already a proposal for this credential in review{who}; it is decided first.")


def _check_table(catalog: Catalog, table: dict[str, Any], *, new: bool) -> None:
    """The catalog's own checks, with its messages, by field (a change's id is in the catalog already)."""
    problems: dict[str, str] = {}
    for problem in check_credential(table, catalog, new=new)[1]:
        problems.setdefault(problem.field or "id", problem.message)
    if problems:
        raise CredentialProblems(problems)


def _clean(table: Mapping[str, Any]) -> dict[str, Any]:
    """The table as the file would hold it: no empty keys (a form's blank field says nothing)."""
    return {k: v for k, v in table.items() if v not in (None, "", [], ())}


# -- deciding ----------------------------------------------------------------------------------------------


def check_may_decide(ctx: Context, user: str, proposal_id: int, at: tuple[int, int] | None = None) -> ProposalView:
    """Raise the refusal `decide` would, before asking an approver for a reason."""
    with ctx.reading() as session:
        proposal = get_proposal(session, proposal_id)
        _check_current(session, proposal, at)
        _check_decider(ctx, user, proposal)
        return view_of(proposal)


def _check_current(session: Any, proposal: Proposal, at: tuple[int, int] | None) -> None:
    """A click on a card drawn before the last step decides nothing (the card is redrawn a moment later)."""
    if at is not None and at != (proposal.round, proposal.stage):
        raise Conflict(_already_decided(session, proposal.id, *at))


def _check_decider(ctx: Context, user: str, proposal: Proposal) -> dict[str, Any]:
    if proposal.status is not ProposalStatus.OPEN:
        raise Conflict(_not_waiting(proposal))
    stage = proposal.stages[proposal.stage]
    if user == proposal.proposer:
        raise NotAllowed(f"Nobody decides their own proposal. {who_decides(stage['name'], stage['approvers'])}")
    if not may_decide(user, proposal.proposer, stage["approvers"], ctx.directory.members_of):
        raise NotAllowed(f"You are not an approver of this stage. {who_decides(stage['name'], stage['approvers'])}")
    return stage


def _not_waiting(proposal: Proposal) -> str:
    last = proposal.decisions[-1] if proposal.decisions else None
    by = f" (<@{last.approver}> {last.decision.verb} at the {last.stage_name} stage)" if last else ""
    return {
        ProposalStatus.CHANGES_REQUESTED: f"This proposal is back with its proposer for changes{by}.",
        ProposalStatus.REJECTED: f"This proposal was rejected{by}.",
        ProposalStatus.APPROVED: "This proposal was approved: it is live.",
        ProposalStatus.WITHDRAWN: "This proposal was withdrawn by its proposer.",
    }.get(proposal.status, "This proposal is not waiting for a decision.")


def decide(ctx: Context, user: str, proposal_id: int, decision: StageDecision, reason: str = "", *,
           at: tuple[int, int] | None = None) -> ProposalView:
    """Decide the proposal's current stage: approve (the next stage, or live after the last), ask for changes, reject.

    `at` is the (round, stage) the approver saw on the card: a decision for a stage already decided is refused."""
    reason = (reason or "").strip()
    if decision.needs_reason and not reason:
        raise InvalidInput("Tell the proposer why: a reason is required to ask for changes or reject.",
                           field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    now = ctx.clock()
    with ctx.transaction() as session:
        proposal = get_proposal(session, proposal_id)
        _check_current(session, proposal, at)
        stage = _check_decider(ctx, user, proposal)
        at_stage, at_round = proposal.stage, proposal.round
        # The unique (proposal, round, stage) lets one decision per stage count: of two approvers clicking at
        # once the second inserts nothing (PostgreSQL makes it wait for the first's commit to know that).
        recorded = session.scalar(
            insert_for(session, ProposalDecision).values(
                proposal_id=proposal.id, round=at_round, stage=at_stage, stage_name=stage["name"], approver=user,
                decision=decision, reason=reason, at=now)
            .on_conflict_do_nothing(index_elements=["proposal_id", "round", "stage"])
            .returning(ProposalDecision.id))
        if recorded is None:
            raise Conflict(_already_decided(session, proposal.id, at_round, at_stage))
        step = after(decision, at_stage, len(proposal.stages))
        # And the stage advances once: only from the stage and round this decision was made at.
        moved = session.execute(
            update(Proposal).where(Proposal.id == proposal.id, Proposal.stage == at_stage,
                                   Proposal.round == at_round, Proposal.status == ProposalStatus.OPEN)
            .values(stage=step.stage, status=step.status, updated_at=now)
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("Someone decided this stage a moment ago; look at the card for what happened.")
        session.expire(proposal)
        audit(session, now, user, f"proposal.{decision.value}", proposal, stage=stage["name"], round=at_round,
              reason=reason, status=step.status.value)
        if step.live:
            approvals = _approvals(proposal)
            record_approved_change(session, now, action=proposal.kind.value, credential=proposal.table,
                                   proposal_id=proposal.id, approvals=approvals)
            audit(session, now, user, "proposal.live", proposal, credential=proposal.credential,
                  kind=proposal.kind.value, approvals=approvals)
        key = f"proposal-step:{proposal.id}:{at_round}:{at_stage}"
        step_payload = {"proposal_id": proposal.id, "round": at_round, "stage": at_stage}
        notify(session, now, key, OutboxKind.PROPOSAL_UPDATE, proposal.channel or "", **step_payload)
        notify(session, now, f"{key}:proposer", OutboxKind.PROPOSAL_PROPOSER, proposal.proposer, **step_payload)
        return view_of(proposal)


def _already_decided(session: Any, proposal_id: int, at_round: int, at_stage: int) -> str:
    first = session.scalar(select(ProposalDecision).where(
        ProposalDecision.proposal_id == proposal_id, ProposalDecision.round == at_round,
        ProposalDecision.stage == at_stage))
    if first is None:
        return "Someone decided this stage a moment ago; look at the card for what happened."
    return f"Already decided: <@{first.approver}> {first.decision.verb} at the {first.stage_name} stage."


def _approvals(proposal: Proposal) -> list[dict[str, Any]]:
    """Who approved each stage (the standing, latest decision of each), in stage order."""
    standing: dict[int, ProposalDecision] = {}
    for d in proposal.decisions:
        standing[d.stage] = d
    return [{"stage": d.stage_name, "user": d.approver, "at": d.at.isoformat()}
            for _, d in sorted(standing.items()) if d.decision is StageDecision.APPROVE]


# -- the proposer's side ---------------------------------------------------------------------------------------


def proposal_to_edit(ctx: Context, user: str, proposal_id: int) -> ProposalView:
    """The proposal its proposer may edit and resubmit (after a stage asked for changes)."""
    with ctx.reading() as session:
        proposal = get_proposal(session, proposal_id)
        _check_resubmit(user, proposal)
        return view_of(proposal)


def _check_resubmit(user: str, proposal: Proposal) -> None:
    if user != proposal.proposer:
        raise NotAllowed(f"Only its proposer, <@{proposal.proposer}>, edits and resubmits this proposal.")
    if proposal.status is not ProposalStatus.CHANGES_REQUESTED:
        raise Conflict("This proposal is not waiting for changes: " + (
            "it is with the stages." if proposal.status is ProposalStatus.OPEN else _not_waiting(proposal)))
    if proposal.kind is ProposalKind.RETIRE:
        raise Conflict("A retirement has nothing to edit: withdraw it, or answer in the thread.")


def resubmit(ctx: Context, catalog: Catalog, user: str, proposal_id: int, table: dict[str, Any]) -> ProposalView:
    """The proposer's edited proposal goes back to the stage that asked for changes (a new round)."""
    table = _clean(table)
    now = ctx.clock()
    with ctx.transaction() as session:
        proposal = get_proposal(session, proposal_id)
        _check_resubmit(user, proposal)
        if table.get("id") != proposal.credential:
            raise CredentialProblems({"id": f"The id stays '{proposal.credential}'; to use another, withdraw this "
                                            "proposal and propose anew."})
        issuer = str(table.get("issuer") or catalog.issuer.id)
        _check_issuer(ctx, catalog, user, issuer)
        _check_table(catalog, table, new=proposal.kind is ProposalKind.ADD)
        changed = sorted(k for k in set(table) | set(proposal.table) if table.get(k) != proposal.table.get(k))
        at_round = proposal.round
        moved = session.execute(
            update(Proposal).where(Proposal.id == proposal.id, Proposal.round == at_round,
                                   Proposal.status == ProposalStatus.CHANGES_REQUESTED)
            .values(table=table, issuer=issuer, round=at_round + 1, status=ProposalStatus.OPEN, updated_at=now)
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("This proposal was resubmitted a moment ago.")
        session.expire(proposal)
        audit(session, now, user, "proposal.resubmitted", proposal, round=at_round + 1, changed=changed,
              table=table)
        notify(session, now, f"proposal-resubmitted:{proposal.id}:{at_round + 1}", OutboxKind.PROPOSAL_UPDATE,
               proposal.channel or "", proposal_id=proposal.id, round=at_round + 1, resubmitted=changed)
        return view_of(proposal)


def withdraw(ctx: Context, user: str, proposal_id: int) -> ProposalView:
    """The proposer (or an administrator) takes a proposal in play back."""
    now = ctx.clock()
    with ctx.transaction() as session:
        proposal = get_proposal(session, proposal_id)
        if user != proposal.proposer and not ctx.is_admin(user):
            raise NotAllowed(f"Only its proposer, <@{proposal.proposer}>, or an administrator withdraws it.")
        if not proposal.status.is_open:
            raise Conflict(_not_waiting(proposal))
        moved = session.execute(
            update(Proposal).where(Proposal.id == proposal.id, Proposal.status.in_(OPEN_PROPOSALS))
            .values(status=ProposalStatus.WITHDRAWN, updated_at=now).execution_options(synchronize_session=False))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("This proposal was decided or withdrawn a moment ago.")
        session.expire(proposal)
        audit(session, now, user, "proposal.withdrawn", proposal)
        notify(session, now, f"proposal-withdrawn:{proposal.id}", OutboxKind.PROPOSAL_UPDATE, proposal.channel or "",
               proposal_id=proposal.id, round=proposal.round, withdrawn_by=user)
        return view_of(proposal)


# -- the card -------------------------------------------------------------------------------------------------------


def record_card(ctx: Context, proposal_id: int, channel: str, ts: str) -> None:
    """Remember where the proposal's card was posted (its thread holds every step)."""
    with ctx.transaction() as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is not None and not proposal.card_ts:
            proposal.channel, proposal.card_ts = channel, ts


