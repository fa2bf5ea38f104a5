"""The Slack side of the composition root: the Web API client, the Bolt app, the notifier and
the outbox worker, wired around one Badgebot. Built only when there is a Slack (or emulator) to talk to.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from handlers.bootstrap import Badgebot
from bot.adapters.artifacts import ArtifactRejected, ArtifactStore
from bot.runtime.delivery import OutboxWorker
from bot.errors import BadgebotError
from bot.adapters.signing import Signer, load_or_create_secret
from bot.usecases import awards as awards_uc
from bot.usecases import progress as progress_uc
from bot.usecases import submissions as submissions_uc
from bot.usecases.context import Context

log = logging.getLogger("badgebot.slack")
ARTIFACT_LINK_DAYS = 14


def make_client(token: str, base_url: str) -> WebClient:
    """slack_sdk's client, pointed at Slack or the emulator, retrying 429s (Retry-After), 5xx and resets."""
    return WebClient(token=token, base_url=base_url, timeout=15, retry_handlers=[
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=4),
        ServerErrorRetryHandler(max_retry_count=2),
    ])


@dataclass
class SlackBot:
    badgebot: Badgebot
    client: WebClient
    app: App
    store: ArtifactStore
    signer: Signer
    base_url: str
    http: httpx.Client
    delivery: OutboxWorker = field(init=False)
    _dm_channels: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ctx(self) -> Context:
        return self.badgebot.ctx

    # -- Slack helpers ---------------------------------------------------------------------------

    def dm_channel(self, user: str) -> str:
        with self._lock:
            if user in self._dm_channels:
                return self._dm_channels[user]
        channel = self.client.conversations_open(users=user)["channel"]["id"]
        with self._lock:
            self._dm_channels[user] = channel
        return channel

    def refresh_home(self, user: str) -> None:
        from handlers.slack.learner_blocks import dashboard

        progress = progress_uc.learner_progress(self.ctx, user)
        try:
            self.client.views_publish(user_id=user, view={
                "type": "home", "blocks": dashboard(progress, limit=100, home=True)})
        except SlackApiError as exc:
            log.warning("App Home for %s not refreshed: %s", user, exc.response.get("error"))

    def tell(self, user: str, text: str, thread_ts: str | None = None, channel: str | None = None) -> None:
        self.client.chat_postMessage(channel=channel or self.dm_channel(user), text=text, thread_ts=thread_ts)

    def artifact_link(self, artifact_id: int) -> str:
        # Expiry rounded to the day, so re-rendering a card does not change its links.
        today = self.ctx.clock().date()
        expires = (today + dt.timedelta(days=ARTIFACT_LINK_DAYS)).isoformat()
        signature = self.signer.sign("artifact", artifact_id, expires)
        return f"{self.base_url}/review/artifacts/{artifact_id}?exp={expires}&sig={signature}"

    def card_permalink(self, card: Any) -> str | None:
        if not (card.review_channel and card.review_ts):
            return None
        try:
            return self.client.chat_getPermalink(channel=card.review_channel, message_ts=card.review_ts)["permalink"]
        except SlackApiError:
            return None

    def award_summary(self, award_id: int) -> awards_uc.AwardView | None:
        return awards_uc.award_view(self.ctx, award_id)

    def share_blocks(self, user: str, credential: str) -> list[dict[str, Any]]:
        from handlers.slack.share_blocks import share_answer

        return share_answer(self, user, credential)

    # -- receiving work --------------------------------------------------------------------------

    def _download(self, user: str, files: list[dict[str, Any]]) -> list[submissions_uc.ArtifactFile]:
        stored = []
        for f in files:
            if not f.get("url_private_download"):
                f = self.client.files_info(file=f["id"])["file"]
            stored.append(self.store.download(
                self.http, self.client.token or "", f["url_private_download"], f.get("name") or f["id"],
                int(f["size"]) if f.get("size") is not None else None, f.get("id")))
        return stored

    def receive_submission(self, user: str, name: str | None, credential: str, files: list[dict[str, Any]],
                           reflection: str, link: str | None, resubmission_of: int | None = None,
                           thread: tuple[str, str] | None = None) -> None:
        """Fetch the files, then submit (or resubmit); tell the learner plainly if anything fails."""
        channel, thread_ts = thread or (None, None)
        try:
            artifacts = self._download(user, files)
            if resubmission_of:
                submissions_uc.resubmit(self.ctx, user, resubmission_of, artifacts, reflection)
                self.tell(user, ":inbox_tray: Resubmitted: your grantors have the new files.", thread_ts, channel)
            else:
                submissions_uc.submit(self.ctx, user, credential, artifacts, reflection, link, display_name=name)
        except ArtifactRejected as exc:
            self.tell(user, f":warning: {exc} Nothing was submitted.", thread_ts, channel)
        except BadgebotError as exc:
            self.tell(user, f":warning: {exc}", thread_ts, channel)
        self.delivery.kick()

    def receive_dm(self, event: dict[str, Any]) -> None:
        from handlers.slack.commands import find_credential

        user, files, text = event["user"], event.get("files") or [], (event.get("text") or "").strip()
        channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
        if thread_ts:
            submission = submissions_uc.find_open_by_thread(self.ctx, user, channel, thread_ts)
            if submission is not None and files:
                return self.receive_submission(user, None, "", files, text, None, submission, (channel, thread_ts))
        if not files:
            if not thread_ts:
                self.tell(user, "Hi! Type `/badges` to see your badges, or send me your files with the badge's "
                                "name (e.g. `sql-basics`) to submit work.", channel=channel)
            return
        try:
            spec = _credential_named_in(self, text) or find_credential(self, text)
        except BadgebotError as exc:
            return self.tell(user, f":warning: Which badge is this for? {exc} Send the files again with the "
                                   "badge's id in the message.", thread_ts or event.get("ts"), channel)
        self.receive_submission(user, None, spec.id, files, text, None)


def _credential_named_in(bot: SlackBot, text: str) -> Any:
    lowered = text.lower()
    return next((s for s in bot.badgebot.catalog.credentials if s.id in lowered or s.name.lower() in lowered), None)


def build_slack(badgebot: Badgebot, *, base_url: str, start_delivery: bool = True) -> SlackBot:
    """The Slack side of Badgebot: needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or the emulator's)."""
    from handlers.slack import register
    from handlers.slack.notifications import Notifier

    settings = badgebot.settings
    client = make_client(settings.slack_bot_token, settings.slack_api_url)
    app = App(client=client, signing_secret=settings.slack_signing_secret or None,
              token_verification_enabled=False, name="badgebot")
    bot = SlackBot(
        badgebot=badgebot, client=client, app=app,
        store=ArtifactStore(settings.data_dir / "artifacts", settings.max_artifact_bytes),
        signer=Signer(load_or_create_secret(settings.data_dir)), base_url=base_url.rstrip("/"),
        http=httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=False),
    )
    notifier = Notifier(bot)
    bot.delivery = OutboxWorker(badgebot.ctx, notifier.send, when_idle=notifier.when_idle)
    register(app, bot)
    badgebot.extras["slack"] = bot
    if start_delivery:
        bot.delivery.start()
    return bot
