"""Global middleware and the error handler: services into Bolt's context, each event acted on once."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.usecases.inbound import first_delivery, first_interaction
from handlers.slack.events.messages import RECEIPT, is_learner_dm
from handlers.slack.guard import SORRY, tell_anywhere

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


class ProvideServices(Middleware):
    """Put the wired bot in every request's context; Bolt then injects it as a listener's `services`."""

    def __init__(self, services: "Badgebot"):
        self.services = services

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:  # noqa: A002 - Bolt's parameter name
        req.context["services"] = self.services
        return next()


def once_per_event(body: dict[str, Any], services: "Badgebot", context: BoltContext,
                   next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's parameter name
    """Slack re-sends events it thinks we missed (X-Slack-Retry-Num); act on each event once.

    A learner's DM is recorded here, before Bolt acknowledges it, in the transaction that records its
    event id: the files it brings are then fetched by the intake worker even if this process dies."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not event_id:
        return next()
    event = body.get("event") or {}
    if is_learner_dm(event):
        receipt = services.intake.record_dm(str(event_id), event)
        if receipt is None:
            return BoltResponse(status=200, body="")
        context[RECEIPT] = receipt
    elif not first_delivery(services.ctx, str(event_id)):
        return BoltResponse(status=200, body="")
    return next()


def once_per_interaction(request: BoltRequest, body: dict[str, Any], services: "Badgebot",
                         next: Callable[[], Any]) -> Any:  # noqa: A002 - Bolt's parameter name
    """Socket Mode re-sends a command, click or submission whose ack it did not get in time (with
    retry_attempt); act on each once and acknowledge the re-sent one empty. Over HTTP Slack never
    re-sends these, so nothing is recorded there."""
    trigger_id = body.get("trigger_id") if request.mode == "socket_mode" else None
    if trigger_id and not first_interaction(services.ctx, str(trigger_id)):
        return BoltResponse(status=200, body="")
    return next()


def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger, context: BoltContext) -> None:
    """Errors outside listeners (middleware, Bolt itself)."""
    logger.exception("unhandled error handling a Slack request: %s", error)
    services = context.get("services")
    if services is not None:
        tell_anywhere(services, body, SORRY)


def register(app: App, services: "Badgebot") -> None:
    app.use(ProvideServices(services))  # first: everything after it reads context["services"]
    app.use(once_per_event)
    app.use(once_per_interaction)
    app.error(on_error)
