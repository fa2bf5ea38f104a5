"""Global middleware and the error handler: services into Bolt's context, each event acted on once."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.usecases.inbound import first_delivery
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


def once_per_event(body: dict[str, Any], services: "Badgebot", next: Callable[[], Any]) -> Any:  # noqa: A002
    """Slack re-sends events it thinks we missed (X-Slack-Retry-Num); act on each event once."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not first_delivery(services.ctx, str(event_id)):
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
    app.error(on_error)
