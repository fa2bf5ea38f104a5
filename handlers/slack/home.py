"""The App Home tab: built afresh from the learner's progress and published with views.publish."""
from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.usecases import progress as progress_uc
from bot.usecases.context import Context
from handlers.slack.blocks.learner import dashboard

log = logging.getLogger("badgebot.slack")


class HomeTabs:
    def __init__(self, ctx: Context, client: WebClient):
        self.ctx, self.client = ctx, client

    def publish(self, user: str) -> None:
        progress = progress_uc.learner_progress(self.ctx, user)
        try:
            self.client.views_publish(user_id=user, view={
                "type": "home", "blocks": dashboard(progress, limit=100, home=True)})
        except SlackApiError as exc:
            log.warning("App Home for %s not refreshed: %s", user, exc.response.get("error"))
