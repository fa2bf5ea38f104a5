"""The program office's subcommands: proposing a credential (or a change) and a retirement, for the governance stages."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.vocabulary import CredentialType
from bot.errors import InvalidInput
from bot.usecases import governance as governance_uc
from config.catalog_tables import credential_table
from handlers.slack.blocks import governance as governance_blocks
from handlers.slack.commands.registry import SILENT, Reply, Request, reply, subcommand

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@subcommand("propose", "[credential]")
def propose(services: Badgebot, req: Request) -> Reply:
    """(Admins, issuer admins) Propose a new credential, or a change to one, for the governance stages."""
    slug = req.args.strip().lower() or None
    governance_uc.check_may_propose(services.ctx, services.catalog, req.user, slug)
    spec = services.catalog.get(slug) if slug else None
    services.slack.views_open(trigger_id=req.trigger_id, view=proposal_form(
        services, req.user, "change" if spec else "new", credential_table(spec) if spec else None))
    return SILENT


@subcommand("retire", "<credential> <why>")
def retire(services: Badgebot, req: Request) -> Reply:
    """(Admins, issuer admins) Propose retiring a credential; the governance stages decide, as for a new one."""
    slug, _, why = req.args.strip().partition(" ")
    if not slug:
        raise InvalidInput("Say which, and why: `/badges retire <credential> <why it should be retired>`.")
    view = governance_uc.propose_retirement(services.ctx, services.catalog, req.user, slug.lower(), why)
    services.delivery.kick()
    return reply(f"Proposed retiring {view.name}: the {view.stage_name} stage decides first, and I will tell you "
                 "by DM at each step.")


def proposal_form(services: Badgebot, user: str, purpose: str, table: dict | None) -> dict:
    """The proposal form for `user`: the issuers they may propose for, the badges a certificate may stack."""
    catalog = services.catalog
    issuers = [(i.id, i.name) for i in governance_uc.issuers_for(services.ctx, catalog, user)]
    badges = [(c.id, f"{c.name} ({c.type.label})") for c in catalog.credentials
              if c.type in (CredentialType.BADGE_LEVEL_1, CredentialType.BADGE_LEVEL_2)]
    return governance_blocks.proposal_modal(purpose, issuers, badges, table)
