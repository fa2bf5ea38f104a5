"""The one error guard of the listeners, and how they tell a user something privately.

Every listener is `@guarded`: log, tell the user plainly, never raise into Bolt. (Bolt's thread runner
loses an ack made before an exception and answers Slack 404 three seconds later, so nothing may escape
a listener.) A BadgebotError's message is for the user; anything else is our fault and gets an apology.
"""
from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import Respond
from slack_sdk.webhook import WebhookClient

from bot.errors import BadgebotError

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.slack")
SORRY = "Something went wrong on our side and nothing was changed. Please try again in a minute."
SORRY_AFTER_ACK = "Something went wrong on our side. Please try again in a minute."

Listener = Callable[..., Any]


def guarded(listener: Listener) -> Listener:
    """Wrap a listener that takes `services` (Bolt injects it from the context) in the error guard.

    Bolt reads the arguments a listener wants from the unwrapped function, so the wrapper receives
    exactly those: `ack` and `body` when the listener takes them, `services` always.
    """
    if "services" not in inspect.signature(listener).parameters:
        raise TypeError(f"{listener.__name__} must take `services` to be guarded")

    @functools.wraps(listener)
    def run(**kwargs: Any) -> Any:
        try:
            return listener(**kwargs)
        except BadgebotError as exc:
            message = str(exc)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.exception("error in Slack listener %s", listener.__name__)
            message = SORRY
        ack = kwargs.get("ack")
        if ack is not None and ack.response is None:
            ack()
        tell_anywhere(kwargs["services"], kwargs.get("body") or {}, message)
        return None
    return run


def in_background(services: "Badgebot", user: str, work: Callable[[], None]) -> None:
    """Run `work` after the ack (Slack wants an answer within 3 s); tell the user if it fails."""
    def run() -> None:
        try:
            work()
        except BadgebotError as exc:
            services.workspace.tell(user, f":warning: {exc}")
        except Exception:  # noqa: BLE001 - logged, and the user is told plainly
            log.exception("background work for %s failed", user)
            try:
                services.workspace.tell(user, SORRY_AFTER_ACK)
            except Exception:  # noqa: BLE001 - telling is best effort
                log.exception("could not tell %s", user)

    threading.Thread(target=run, name="slack-work", daemon=True).start()


# -- telling -------------------------------------------------------------------------------------------


def tell_anywhere(services: "Badgebot", body: dict[str, Any], text: str) -> None:
    """Tell whoever sent `body`, privately: through the response_url, in the channel, or by DM."""
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else body.get("user_id")
    try:
        if body.get("response_url"):
            WebhookClient(body["response_url"]).send(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            tell_in_channel(services, body, user, text)
    except Exception:  # noqa: BLE001 - telling is best effort; the error is already logged
        log.exception("could not tell %s: %s", user, text)


def tell(services: "Badgebot", respond: Respond | None, user: str, text: str) -> None:
    """An ephemeral answer through the response_url, or a DM when it is gone."""
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # noqa: BLE001 - fall back to a DM when the response_url is gone
            pass
    services.slack.chat_postMessage(channel=services.workspace.dm_channel(user), text=text)


def tell_in_channel(services: "Badgebot", body: dict[str, Any], user: str, text: str) -> None:
    """An ephemeral note where the user clicked (only they see it), else a DM."""
    channel = (body.get("channel") or {}).get("id")
    if channel:
        services.slack.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        services.slack.chat_postMessage(channel=services.workspace.dm_channel(user), text=text)
