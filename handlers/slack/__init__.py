"""Slack listeners, laid out as Bolt's starter template: one package a kind of request (commands,
actions, views, events), each with `register(app)` wiring its module-level listeners.

Listeners acknowledge, call one use case and render with the pure builders in blocks/. They get the
wired bot as their `services` argument: middleware.py puts it in Bolt's context for every request.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers.slack import actions, commands, events, fallbacks, middleware, views

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def register_listeners(app: App, services: "Badgebot") -> None:
    middleware.register(app, services)  # first: it puts `services` in the context of every request
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
    fallbacks.register(app)  # last: Bolt tries listeners in order, and these claim whatever is left
