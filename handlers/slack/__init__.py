"""Slack listeners: acknowledge, call one use case, render. `register` wires them into a Bolt app."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from handlers.slack_bot import SlackBot


def register(app: "App", bot: "SlackBot") -> None:
    from handlers.slack import event_commands, listeners

    event_commands.register(app, bot)  # first: Bolt tries listeners in order, and listeners ends with catch-alls
    listeners.register(app, bot)
