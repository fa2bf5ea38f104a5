"""A campus event's printable poster, for the entry points that send one (`badgebot event poster`,
`/badges event poster`): the running bot's parts the hosting use case needs, handed to it."""
from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.domain.checkin import Signs
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.campus_events.hosting import EventView

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def poster_for(badgebot: Badgebot, signer: Signs, actor: str, number: int) -> tuple[EventView, bytes]:
    """The poster (PNG) of event `number`, for its host: hosting.poster with the bot's images, links,
    time zone and issuer name."""
    return hosting_uc.poster(
        badgebot.ctx, signer, actor, number, souvenir_image=badgebot.open_badges.image, urls=badgebot.urls,
        tz=ZoneInfo(badgebot.settings.timezone), issuer=badgebot.catalog.issuer.name)
