"""`/badges` and its subcommands. Each subcommand's docstring is its line in `/badges help`.

Listeners here only parse, call one use case and render; rules live in bot/.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.errors import BadgebotError, InvalidInput
from bot.usecases import progress as progress_uc
from bot.usecases import reviews as reviews_uc
from bot.usecases import submissions as submissions_uc
from bot.usecases.catalog import find_credential
from bot.usecases.learners import set_nudges
from handlers.slack.share_blocks import share_answer
from config.catalog import CredentialSpec
from handlers.slack import learner_blocks, review_blocks
from handlers.slack.blockkit import Block, actions, button, confirm_dialog, escape, section

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@dataclass(frozen=True)
class Request:
    user: str
    user_name: str
    channel: str
    trigger_id: str
    args: str


Reply = dict[str, Any]  # keyword arguments for ack(): text and blocks
Subcommand = Callable[["Badgebot", Request], Reply]
SUBCOMMANDS: dict[str, tuple[str, Subcommand]] = {}


def subcommand(name: str, usage: str = "") -> Callable[[Subcommand], Subcommand]:
    def register(fn: Subcommand) -> Subcommand:
        SUBCOMMANDS[name] = (usage, fn)
        return fn
    return register


def reply(text: str, blocks: list[Block] | None = None) -> Reply:
    return {"text": text, "blocks": blocks} if blocks else {"text": text}


@subcommand("", "")
def show_mine(bot: "Badgebot", req: Request) -> Reply:
    """What you hold, what is in review, and how far you are from each certificate."""
    progress = progress_uc.learner_progress(bot.ctx, req.user)
    return reply(f"You hold {len(progress.holdings)} credential(s).", learner_blocks.dashboard(progress))


@subcommand("help")
def show_help(bot: "Badgebot", req: Request) -> Reply:
    """This list of commands."""
    lines = []
    for name, (usage, fn) in SUBCOMMANDS.items():
        call = " ".join(p for p in ("/badges", name, usage) if p)
        lines.append(f"`{call}` — {(fn.__doc__ or '').strip().splitlines()[0]}")
    return reply("Badgebot commands", [section("*Badgebot commands*\n" + "\n".join(lines))])


@subcommand("catalog", "[words]")
def search_catalog(bot: "Badgebot", req: Request) -> Reply:
    """Browse or search the credentials you can earn."""
    words = req.args.strip()
    terms = [w for w in re.split(r"\s+", words.lower()) if w]
    found = [
        spec for spec in bot.catalog.credentials
        if all(t in " ".join((spec.id, spec.name, spec.description, spec.type.label, *spec.skills)).lower()
               for t in terms)
    ]
    return reply(f"{len(found)} credential(s)", learner_blocks.catalog_results(found, words))


@subcommand("submit", "<credential>")
def open_submit_form(bot: "Badgebot", req: Request) -> Reply:
    """Submit work for a badge: opens a form for your files and reflection."""
    spec = find_credential(bot.catalog, req.args)
    submissions_uc.check_can_submit(bot.ctx, req.user, spec.id)
    bot.slack.views_open(trigger_id=req.trigger_id, view=learner_blocks.submit_modal(spec))
    return reply(f"Opening the form for {spec.name}…")


@subcommand("share", "<credential>")
def share(bot: "Badgebot", req: Request) -> Reply:
    """Make an award public: its verification page, LinkedIn, and Open Badges files."""
    spec = find_credential(bot.catalog, req.args)
    progress = progress_uc.learner_progress(bot.ctx, req.user)
    holding = next((h for h in progress.holdings if h.credential == spec.id), None)
    if holding is None:
        raise InvalidInput(f"You do not hold {spec.name} yet, so there is nothing to share.")
    if holding.shared:
        return reply(f"{spec.name} is public.", share_answer(bot, req.user, spec.id))
    ask = confirm_dialog("Make it public?", f"Anyone with the link will see your name and *{escape(spec.name)}*. "
                         "You can undo this with `/badges unshare`.", "Make public")
    return reply(f"Share {spec.name}?", [
        section(f"Sharing *{escape(spec.name)}* gives it a public verification page with your name, "
                "the date and the criteria" + (", and your Level II evidence" if spec.type.value == "badge_level_2"
                                               else "") + ". Nothing is public until you confirm."),
        *actions(button("Make public and share", "share_confirm", spec.id, style="primary", confirm=ask)),
    ])


@subcommand("unshare", "<credential>")
def unshare(bot: "Badgebot", req: Request) -> Reply:
    """Make a shared award private again (its public page disappears)."""
    from bot.usecases.awards import set_shared

    spec = find_credential(bot.catalog, req.args)
    set_shared(bot.ctx, req.user, spec.id, False)
    bot.homes.publish(req.user)
    return reply(f"{spec.name} is private again: its public page is gone.")


@subcommand("nudges", "on|off")
def nudges(bot: "Badgebot", req: Request) -> Reply:
    """Turn reminders about unfinished certificates on or off."""
    choice = req.args.strip().lower()
    if choice not in ("on", "off"):
        raise InvalidInput("Say `/badges nudges on` or `/badges nudges off`.")
    set_nudges(bot.ctx, req.user, choice == "on", req.user_name)
    return reply("Nudges are on: I will remind you when you are close to a certificate." if choice == "on"
                 else "Nudges are off. Turn them back on any time with `/badges nudges on`.")


@subcommand("claim", "<code>")
def claim(bot: "Badgebot", req: Request) -> Reply:
    """Claim an event's souvenir with the code shown at the event."""
    from handlers.slack import event_commands

    return event_commands.claim(bot, req)


@subcommand("review")
def review_queue(bot: "Badgebot", req: Request) -> Reply:
    """(Grantors) The submissions waiting for your decision, oldest first."""
    waiting = reviews_uc.waiting_for(bot.ctx, req.user)
    cards = [reviews_uc.submission_card(bot.ctx, s.id) for s in waiting]
    return reply(f"{len(cards)} waiting", review_blocks.waiting_list(
        cards, lambda card: bot.workspace.permalink(card.review_channel, card.review_ts)))


def dispatch(bot: "Badgebot", req: Request) -> Reply:
    """Route `/badges <subcommand> <args>`; every failure becomes a specific, friendly answer."""
    name, _, args = req.args.strip().partition(" ")
    name = name.lower()
    if name not in SUBCOMMANDS:
        close = difflib.get_close_matches(name, [n for n in SUBCOMMANDS if n], n=1, cutoff=0.6)
        hint = f" Did you mean `/badges {close[0]}`?" if close else ""
        return reply(f"I don't know `/badges {escape(name[:40])}`.{hint} Try `/badges help`.")
    _, handler = SUBCOMMANDS[name]
    try:
        return handler(bot, Request(req.user, req.user_name, req.channel, req.trigger_id, args))
    except BadgebotError as exc:
        return reply(str(exc))
