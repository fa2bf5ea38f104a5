"""Slack listeners: acknowledge, call one use case, render. `register_listeners` wires them into Bolt."""
from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers.slack import event_commands, listeners

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def register_listeners(app: App, services: "Badgebot") -> None:
    event_commands.register(app, services)  # first: Bolt tries listeners in order, and listeners ends with catch-alls
    listeners.register(app, services)
