"""The demo's governance: a credential an issuer proposed last week, waiting in the governance channel."""
from __future__ import annotations

from collections.abc import Callable

from bot.domain.governance import StageDecision
from bot.usecases import governance as governance_uc
from bot.usecases.context import Context
from config.catalog import Catalog

# A credential an issuer proposed last week: career services approved it; it waits at the next stage.
PROPOSAL = {
    "id": "data-ethics-basics", "type": "badge_level_1", "name": "Data Ethics Basics",
    "description": "Reasoning about privacy, consent and bias in everyday data work: what to collect, what to "
                   "keep, and whom a chart could harm.",
    "criteria": "Write a one-page ethics review of a dataset you use: its consent, its gaps, and one change "
                "you would make.",
    "skills": ["data ethics", "privacy", "bias"],
}


def waiting_proposal(at: Callable[[float], Context], catalog: Catalog, settle: Callable[[], None]) -> None:
    """An issuer admin's proposal (the first issuer with a user as admin), approved by the first stage; its card
    and thread posted (`settle`) before the demo opens. Nothing without governance stages in the catalog."""
    if catalog.governance is None or not catalog.governance.stages:
        return
    issuer = next((i for i in catalog.issuers if any(a.startswith(("U", "W")) for a in i.admins)), None)
    proposer = next(a for a in issuer.admins if a.startswith(("U", "W"))) if issuer else \
        next(iter(catalog.roles.admins), "")
    badge = next((c for c in catalog.credentials if c.type.is_badge and (not issuer or c.issuer == issuer.id)), None)
    table = {**PROPOSAL, "issuer": issuer.id if issuer else catalog.issuer.id}
    if badge is not None:  # grantors and a review channel the catalog already knows
        table |= {"grantors": list(badge.grantors), "review_channel": badge.review_channel}
    view = governance_uc.propose(at(6), catalog, proposer, table)
    first = next((a for a in catalog.governance.stages[0].approvers if a.startswith(("U", "W")) and a != proposer),
                 None)
    if first and len(catalog.governance.stages) > 1:
        governance_uc.decide(at(4), first, view.id, StageDecision.APPROVE,
                             "Employers ask for this in every data role we surveyed.")
    settle()
