"""The host's attendance link: `/events/<id>/<expires>/<signature>/attendance.csv`.

The door screen's link (`/events/<id>/display`) hangs at the entrance, so anyone who sees it knows the
event's id: the id alone must never open the attendance list. The host's link adds a signature made
with the server's secret, and an expiry; it is given only to the host (the ephemeral answer to
`/badges event show|attendance`, the DM after `/badges event new`, the CLI). Asking again gives a
fresh link. The expiry is rounded to the day, so an answer rendered twice shows the same link.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

DAYS = 14
PURPOSE = "event-attendance"


def attendance_link(badgebot: Badgebot, public_id: str) -> str:
    """The attendance CSV of the event with this (door-screen) id, for its host: signed, expiring."""
    expires = (badgebot.ctx.clock().date() + dt.timedelta(days=DAYS)).isoformat()
    return badgebot.urls.event_attendance(public_id, expires, badgebot.signer.sign(PURPOSE, public_id, expires))


def attendance_link_valid(badgebot: Badgebot, public_id: str, expires: str, signature: str) -> bool:
    """Whether a link was made by `attendance_link` for this event and has not expired."""
    try:
        valid_until = dt.date.fromisoformat(expires)
    except ValueError:
        return False
    return (valid_until >= badgebot.ctx.clock().date()
            and badgebot.signer.check(signature, PURPOSE, public_id, expires))
