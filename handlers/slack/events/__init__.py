"""Slack's Events API: the App Home opening, and direct messages. (Campus events are commands/events.py.)"""
from __future__ import annotations

from slack_bolt import App

from handlers.slack.events import app_home, messages


def register(app: App) -> None:
    app.event("app_home_opened")(app_home.home_opened)
    app.event("message")(messages.direct_message)
