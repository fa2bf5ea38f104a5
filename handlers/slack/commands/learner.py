"""A learner's subcommands: their badges, the catalog, submitting, sharing and nudges."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.wording import plural
from bot.errors import InvalidInput
from bot.usecases import progress as progress_uc
from bot.usecases import submissions as submissions_uc
from bot.usecases.awards import award_to_share, set_shared
from bot.usecases.catalog import find_credential, search_catalog
from bot.usecases.credentials import award_record
from bot.usecases.learners import set_nudges
from handlers.slack.blocks import learner as learner_blocks
from handlers.slack.blocks.share import share_answer, share_offer
from handlers.slack.commands.registry import SILENT, Reply, Request, reply, subcommand

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@subcommand("", "")
def show_mine(services: "Badgebot", req: Request) -> Reply:
    """What you hold, what is in review, and how far you are from each certificate."""
    progress = progress_uc.learner_progress(services.ctx, req.user)
    return reply(f"You hold {plural(len(progress.holdings), 'credential')}.", learner_blocks.dashboard(progress))


@subcommand("catalog", "[words]")
def browse_catalog(services: "Badgebot", req: Request) -> Reply:
    """Browse or search the credentials you can earn."""
    words = req.args.strip()
    found = search_catalog(services.catalog, words)
    standing = progress_uc.learner_progress(services.ctx, req.user)
    return reply(plural(len(found), "credential"), learner_blocks.catalog_results(
        found, words, progress=standing, catalog=services.catalog))


@subcommand("submit", "<credential>")
def open_submit_form(services: "Badgebot", req: Request) -> Reply:
    """Submit work for a badge: opens a form for your files and reflection."""
    spec = find_credential(services.catalog, req.args)
    submissions_uc.check_can_submit(services.ctx, req.user, spec.id)
    services.slack.views_open(trigger_id=req.trigger_id, view=learner_blocks.submit_modal(spec))
    return SILENT


@subcommand("share", "<credential>")
def share(services: "Badgebot", req: Request) -> Reply:
    """Make an award public: its verification page, LinkedIn, and Open Badges files."""
    spec = find_credential(services.catalog, req.args)
    holding = award_to_share(services.ctx, req.user, spec.id, spec.name)
    if holding.shared:
        links = services.open_badges.share_links(award_record(services.ctx, holding.public_id))
        return reply(f"{spec.name} is public.", share_answer(holding.name, spec.id, links))
    return reply(f"Share {spec.name}?", share_offer(spec))


@subcommand("unshare", "<credential>")
def unshare(services: "Badgebot", req: Request) -> Reply:
    """Make a shared award private again (its public page disappears)."""
    spec = find_credential(services.catalog, req.args)
    set_shared(services.ctx, req.user, spec.id, False)
    services.homes.publish(req.user)
    return reply(f"{spec.name} is private again: its public page is gone.")


@subcommand("nudges", "on|off")
def nudges(services: "Badgebot", req: Request) -> Reply:
    """Turn reminders about unfinished certificates on or off."""
    choice = req.args.strip().lower()
    if choice not in ("on", "off"):
        raise InvalidInput("Say `/badges nudges on` or `/badges nudges off`.")
    set_nudges(services.ctx, req.user, choice == "on", req.user_name)
    return reply("Nudges are on: I will remind you when you are close to a certificate." if choice == "on"
                 else "Nudges are off. Turn them back on any time with `/badges nudges on`.")
