"""The App Home's own buttons. Each calls one use case and republishes the Home, which shows the outcome
(a Home has no response_url: a refusal is said by the error guard, in the person's DM with the bot)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack

from bot.errors import InvalidInput
from bot.usecases import homes as homes_uc
from bot.usecases.awards import set_shared
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.catalog import find_credential
from bot.usecases.learners import set_nudges
from handlers.slack.blocks import events as event_blocks
from handlers.slack.blocks.learner import submit_modal
from handlers.slack.guard import guarded, in_background
from handlers.slack.posters import send_poster

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def _value(action: dict[str, Any]) -> str:
    return str(action.get("value", ""))


def _number(action: dict[str, Any]) -> int:
    value = _value(action)
    if not value.isdigit():
        raise InvalidInput("This button is out of date: open the App Home again.")
    return int(value)


@guarded
def resubmit(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """"Resubmit" beside a grantor's request for changes: the submit form, for that submission's next round."""
    ack()
    user, submission = body["user"]["id"], _number(action)
    spec = find_credential(services.catalog, homes_uc.resubmission_of(services.ctx, user, submission))
    services.slack.views_open(trigger_id=body["trigger_id"], view=submit_modal(spec, resubmission_of=submission))


@guarded
def share(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """The confirmed "Share": the award goes public; the Home shows its public link."""
    ack()
    set_shared(services.ctx, body["user"]["id"], _value(action), True)
    services.homes.publish(body["user"]["id"])


@guarded
def unshare(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """The confirmed "Unshare": the award's public page is gone."""
    ack()
    set_shared(services.ctx, body["user"]["id"], _value(action), False)
    services.homes.publish(body["user"]["id"])


@guarded
def nudges(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """Nudges on or off, as `/badges nudges on|off`."""
    ack()
    user = body["user"]
    set_nudges(services.ctx, user["id"], _value(action) == "on", user.get("name"))
    services.homes.publish(user["id"])


@guarded
def all_awards(ack: Ack, body: dict[str, Any], services: Badgebot) -> None:
    """"See all": every award, in a modal (the Home shows the latest few)."""
    ack()
    services.slack.views_open(trigger_id=body["trigger_id"], view=services.homes.all_awards(body["user"]["id"]))


@guarded
def new_event(ack: Ack, body: dict[str, Any], services: Badgebot) -> None:
    """"New event": the form of `/badges event new`."""
    ack()
    souvenirs = hosting_uc.souvenir_choices(services.ctx, body["user"]["id"])
    if not souvenirs:
        raise InvalidInput("The catalog has no souvenirs yet; an administrator adds them first.")
    today = services.ctx.clock().astimezone(ZoneInfo(services.settings.timezone)).date()
    services.slack.views_open(trigger_id=body["trigger_id"],
                              view=event_blocks.event_modal(souvenirs, today, services.settings.timezone))


@guarded
def poster(ack: Ack, body: dict[str, Any], action: dict[str, Any], services: Badgebot) -> None:
    """"Send me the poster": as `/badges event poster`, drawn and uploaded to the host's DM after the ack."""
    ack()
    user, number = body["user"]["id"], _number(action)
    hosting_uc.poster_event(services.ctx, user, number)  # refused here, before the slow drawing
    in_background(services, user, lambda: send_poster(services, user, number))
