"""Button clicks (block actions). The catch-all for the rest is handlers/slack/fallbacks.py, wired last."""
from __future__ import annotations

import re

from slack_bolt import App

from handlers.slack.actions import learner, reviews
from handlers.slack.blocks.learner import SUBMIT_ACTION
from handlers.slack.blocks.share import CONFIRM_ACTION


def register(app: App) -> None:
    app.action(SUBMIT_ACTION)(learner.submit_button)
    app.action(CONFIRM_ACTION)(learner.share_confirm)
    app.action(re.compile(reviews.APPROVE))(reviews.approve)
    app.action(re.compile(reviews.ASK_REASON))(reviews.ask_reason)
