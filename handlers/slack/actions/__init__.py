"""Button clicks (block actions). The catch-all for the rest is handlers/slack/fallbacks.py, wired last."""
from __future__ import annotations

import re

from slack_bolt import App

from handlers.slack.actions import evaluations, governance, home, learner, reviews
from handlers.slack.blocks.governance import RESUBMIT_ACTION, WITHDRAW_ACTION
from handlers.slack.blocks.homes import host as home_host
from handlers.slack.blocks.homes import learner as home_learner
from handlers.slack.blocks.learner import SUBMIT_ACTION
from handlers.slack.blocks.share import CONFIRM_ACTION


def register(app: App) -> None:
    app.action(SUBMIT_ACTION)(learner.submit_button)
    app.action(CONFIRM_ACTION)(learner.share_confirm)
    app.action(re.compile(reviews.APPROVE))(reviews.approve)
    app.action(re.compile(reviews.ASK_REASON))(reviews.ask_reason)
    app.action(re.compile(governance.DECIDE))(governance.ask_reason)
    app.action(RESUBMIT_ACTION)(governance.edit_and_resubmit)
    app.action(WITHDRAW_ACTION)(governance.withdraw)
    app.action(re.compile(evaluations.DECIDE))(evaluations.decide)
    app.action(home_learner.RESUBMIT_ACTION)(home.resubmit)
    app.action(home_learner.SHARE_ACTION)(home.share)
    app.action(home_learner.UNSHARE_ACTION)(home.unshare)
    app.action(home_learner.NUDGES_ACTION)(home.nudges)
    app.action(home_learner.ALL_AWARDS_ACTION)(home.all_awards)
    app.action(home_host.NEW_EVENT_ACTION)(home.new_event)
    app.action(home_host.POSTER_ACTION)(home.poster)
