"""Sending a host their event's check-in poster, after the ack: drawing and uploading take seconds."""
from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.times import window_text
from handlers.posters import poster_for

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def send_poster(services: "Badgebot", user: str, number: int) -> None:
    """Render the poster and upload it into the host's DM (the external upload flow)."""
    found, png = poster_for(services, services.signer, user, number)
    tz = ZoneInfo(services.settings.timezone)
    services.slack.files_upload_v2(
        channel=services.workspace.dm_channel(user), file=png, filename=f"event-{found.id}-poster.png",
        title=f"Check-in poster: {found.name}",
        initial_comment=(f":printer: The check-in poster for *{found.name}* (#{found.id}). Its code works only "
                         f"during check-in, {window_text(found.opens_at, found.closes_at, tz)}."))
