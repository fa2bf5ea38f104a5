"""`/badges transcript`: a learner's CLR 2.0 transcript, one signed file of everything they hold, sent to
them in Slack; `share` gives it a public page (with the awards they shared), `unshare` takes it down."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bot.adapters.openbadges import clr
from bot.domain.wording import plural
from bot.errors import InvalidInput
from bot.usecases.credentials import (
    NOTHING_TO_LIST,
    Transcript,
    set_transcript_shared,
    transcript,
)
from handlers.slack.commands.registry import Reply, Request, reply, subcommand
from handlers.slack.guard import in_background

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


@subcommand("transcript", "[share|unshare]")
def send_transcript(services: Badgebot, req: Request) -> Reply:
    """Get your transcript: every credential you hold, in one signed file (CLR 2.0) for wallets and employers."""
    choice = req.args.strip().lower()
    if choice in ("share", "unshare"):
        return share(services, req.user, choice == "share")
    if choice:
        raise InvalidInput("Say `/badges transcript` for your file, `/badges transcript share` for a public page "
                           "with it, or `/badges transcript unshare` to take that page down.")
    found = transcript(services.ctx, req.user)  # refused here, in the answer, when there is nothing to list
    in_background(services, req.user, lambda: upload(services, req.user, found))
    count = plural(len(found.awards), "credential")
    return reply(f"Making your transcript of {count}; it arrives in your messages with me in a moment.")


def upload(services: Badgebot, user: str, found: Transcript) -> None:
    """Sign the transcript and upload it into the learner's DM (signing the embedded credentials takes a while)."""
    signed = clr.signed(found, services.open_badges)
    count = len(signed["credentialSubject"]["verifiableCredential"])
    services.slack.files_upload_v2(
        channel=services.workspace.dm_channel(user),
        content=json.dumps(signed, ensure_ascii=False, indent=2),
        filename=f"transcript-{found.at:%Y-%m-%d}.json", title="Your transcript (CLR 2.0)",
        initial_comment=(f":scroll: Your transcript: {plural(count, 'credential')} from "
                         f"{services.catalog.issuer.name}, each signed on its own and the whole signed by the "
                         "issuer (a CLR 2.0 ClrCredential). Import it into a digital wallet, or give it to "
                         "anyone who asks for proof of your credentials."))


def share(services: Badgebot, user: str, shared: bool) -> Reply:
    found = set_transcript_shared(services.ctx, user, shared)
    if not shared:
        return reply("Your transcript is private again: its public page is gone.")
    if found is None:  # set_transcript_shared refuses first; this keeps the type checker honest
        raise InvalidInput(NOTHING_TO_LIST)
    page = services.urls.learner_page(clr.public_id(clr.secret_of(services.open_badges), found.learner_number))
    return reply(f"Your transcript is public: {page}\nAnyone with this link sees the credentials you shared and "
                 "can download your transcript. `/badges transcript unshare` takes the page down.")
