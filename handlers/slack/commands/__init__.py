"""Slash commands: `/badges` and its subcommands (commands/badges.py routes them).

Each subcommand module registers its subcommands in commands/registry.py when imported; the order
of the imports below is the order of `/badges help`.
"""
from __future__ import annotations

from slack_bolt import App

from handlers.slack.commands import learner  # noqa: F401 - registers its subcommands, listed first
from handlers.slack.commands import transcript  # noqa: F401 - registers its subcommand
from handlers.slack.commands import events  # noqa: F401 - registers its subcommands
from handlers.slack.commands import reviews  # noqa: F401 - registers its subcommands
from handlers.slack.commands import stats  # noqa: F401 - registers its subcommand
from handlers.slack.commands import governance  # noqa: F401 - registers its subcommands
from handlers.slack.commands.badges import badges_command


def register(app: App) -> None:
    app.command("/badges")(badges_command)
