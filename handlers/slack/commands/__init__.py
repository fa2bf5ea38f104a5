"""Slash commands: `/badges` and its subcommands (commands/badges.py routes them)."""
from __future__ import annotations

from slack_bolt import App

from handlers.slack.commands.badges import badges_command


def register(app: App) -> None:
    app.command("/badges")(badges_command)
