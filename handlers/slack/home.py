"""The App Home tab: built afresh, by role, and published with views.publish.

One person may be a learner, a grantor, a host and an administrator at once: bot/usecases/homes.py reads
what each role's section needs in one transaction; the office's figures come from the summary use case
(which decides who may see which figures) and the proposals from bot/usecases/governance.py.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.slack_api import SlackWorkspace
from bot.errors import NotAllowed
from bot.urls import PublicUrls
from bot.usecases.context import Context
from bot.usecases.governance import proposals_awaiting
from bot.usecases.homes import home_of
from bot.usecases.reports import ReportFilter
from bot.usecases.reports.summary import Summary, program_summary
from config.settings import Settings
from handlers.slack.blocks.homes import home_view
from handlers.slack.blocks.homes.grantor import grantor_section
from handlers.slack.blocks.homes.host import host_section
from handlers.slack.blocks.homes.learner import all_awards_modal, learner_section
from handlers.slack.blocks.homes.office import figures_section, proposals_section
from handlers.slack.blocks.kit import Block

log = logging.getLogger("badgebot.slack")

FIGURES_DAYS = 30  # the office's figures on the Home: the last 30 days, as `/badges stats` with no dates


class HomeTabs:
    def __init__(self, ctx: Context, client: WebClient, *, settings: Settings, urls: PublicUrls,
                 workspace: SlackWorkspace, attendance: Callable[[str], str]):
        """`attendance` makes an event's signed attendance link from its public id (handlers/attendance_links.py)."""
        self.ctx, self.client, self.settings, self.urls = ctx, client, settings, urls
        self.workspace, self.attendance = workspace, attendance

    def view(self, user: str) -> Block:
        """The person's Home: each section of a role they hold."""
        home = home_of(self.ctx, user)
        tz = ZoneInfo(self.settings.timezone)
        figures = self._figures(user)
        waiting = proposals_awaiting(self.ctx, user)
        return home_view(
            figures_section(figures, self.urls.admin_home) if figures else [],
            proposals_section(waiting, lambda p: self.workspace.permalink(p.channel, p.card_ts)) if waiting else [],
            grantor_section(home.queue, home.now, self.settings.decision_target_days,
                            lambda w: self.workspace.permalink(w.review_channel, w.review_ts))
            if home.queue is not None else [],
            host_section(home.events, home.now, tz, door_screen=lambda e: self.urls.event_display(e.public_id),
                         attendance=lambda e: self.attendance(e.public_id)) if home.events is not None else [],
            learner_section(home, self.urls.award_page),
        )

    def all_awards(self, user: str) -> Block:
        """The modal behind the Home's "See all": every award the person holds."""
        return all_awards_modal(home_of(self.ctx, user).progress, self.urls.award_page)

    def publish(self, user: str) -> None:
        try:
            self.client.views_publish(user_id=user, view=self.view(user))
        except SlackApiError as exc:
            log.warning("App Home for %s not refreshed: %s", user, exc.response.get("error"))

    def _figures(self, user: str) -> Summary | None:
        """The program's figures, for those the summary shows them to (administrators; issuer admins, their
        issuer's); None for everyone else (refused before any query is run)."""
        if not (self.ctx.is_admin(user) or self.ctx.administered_issuers(user)):
            return None
        today = self.ctx.clock().date()
        try:
            return program_summary(self.ctx, user, ReportFilter(today - dt.timedelta(days=FIGURES_DAYS - 1), today),
                                   self.settings.decision_target_days)
        except NotAllowed:
            return None

