"""`/a/<public id>/linkedin`: the "Add to LinkedIn profile" link, through the bot, so the office can count how
often shared awards are added to profiles. One count per award and day; nothing about the visitor is kept.
An unshared or unknown award is the same 404 as its page."""
from __future__ import annotations

from typing import cast

from flask import Response, abort, redirect

from bot.usecases.credentials import shared_award
from bot.usecases.reports import VisitKind, count_visit
from handlers.web.security import DEFAULT, Routes
from handlers.web.services import badgebot

# Never stored (each follow is counted), and the award's id stays out of LinkedIn's referrer logs.
share_links = Routes("share_links", __name__, headers=DEFAULT.but(cache="no-store", referrer="no-referrer"))


@share_links.get("/a/<public_id>/linkedin")
def linkedin(public_id: str) -> Response:
    bot = badgebot()
    record = shared_award(bot.ctx, public_id)
    if record is None:
        abort(404)
    count_visit(bot.ctx, public_id, VisitKind.LINKEDIN_CLICK)
    return cast(Response, redirect(bot.open_badges.linkedin_url(record), code=302))
