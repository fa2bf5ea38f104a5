"""Turning outbox messages into Slack calls: the one place notifications meet the Web API.

Every message the bot posts carries its outbox id in Slack message metadata
({event_type: "badgebot_outbox", event_payload: {id}}). When an earlier attempt may have landed (a
worker died mid-send, or Slack timed out or answered 5xx), `post` first looks for that id in the
channel (or the thread) and reports the message found instead of posting it again.
"""
from __future__ import annotations

import http.client
import logging
import socket
import threading
import urllib.error
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.delivery import Delivered, Outgoing, Retry
from bot.usecases.outbox import METADATA_EVENT
from bot.domain.validity import AwardState, award_state
from bot.domain.vocabulary import Decision, OutboxKind, SubmissionStatus
from bot.domain.wording import plural
from bot.adapters.slack_api import SlackWorkspace
from bot.usecases.awards import award_view
from bot.usecases.context import Context
from bot.usecases.homes import grantors_of, host_of_award
from bot.usecases.nudges import nudges_wanted
from bot.usecases.reports.summary import Summary
from bot.usecases.reviews import record_card_message, submission_card
from handlers.slack.blocks import nudges as nudge_blocks
from handlers.slack.blocks import reviews as review_blocks
from handlers.slack.blocks import stats as stats_blocks
from handlers.slack.blocks.kit import bold_with_type, escape, section
from handlers.slack.evaluation_notices import evaluation_senders
from handlers.slack.governance_notices import governance_senders
from handlers.slack.home import HomeTabs

log = logging.getLogger("badgebot.notifications")

# Slack errors that may have happened after the message was stored: try again, but look first.
TRANSIENT = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
# Methods whose 429 is per channel; a 429 from any other method pauses all delivery.
PER_CHANNEL_LIMITS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}
NETWORK_ERRORS = (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, http.client.HTTPException)
# How far back to look for a message an interrupted attempt may have posted: recovery happens within
# minutes, and a DM or review channel sees few messages in between.
RECONCILE_PAGES, RECONCILE_PAGE_SIZE = 3, 100


class Notifier:
    def __init__(self, ctx: Context, client: WebClient, workspace: SlackWorkspace,
                 artifact_link: Callable[[int], str], homes: HomeTabs):
        self.ctx = ctx
        # Posting goes through a client without slack_sdk's own retries (bot.adapters.slack_api.posting_client):
        # a post retried after a 5xx or a reset connection may already have landed. The outbox retries, looking first.
        self.client = client
        self.workspace = workspace
        self.artifact_link = artifact_link
        self.homes = homes
        self._homes: dict[str, None] = {}  # learners whose App Home is out of date, in order
        self._homes_lock = threading.Lock()
        self._senders: dict[OutboxKind, Callable[[Outgoing], Delivered | None]] = {
            OutboxKind.REVIEW_CARD: self._review_card,
            OutboxKind.REVIEW_CARD_UPDATE: self._review_card_update,
            OutboxKind.SUBMISSION_RECEIVED: self._submission_received,
            OutboxKind.RESUBMITTED: self._resubmitted,
            OutboxKind.DECISION: self._decision,
            OutboxKind.AWARD: self._award,
            OutboxKind.AWARD_REVOKED: self._award_revoked,
            OutboxKind.CERTIFICATE_FLAGGED: self._certificate_flagged,
            OutboxKind.NUDGE: self._nudge,
            OutboxKind.NUDGE_CONGRATULATIONS: self._nudge_congratulations,
            OutboxKind.REVIEW_REMINDER: self._review_reminder,
            OutboxKind.REVIEW_ESCALATION: self._review_escalation,
            OutboxKind.EXPIRY_NOTICE: self._expiry_notice,
            OutboxKind.AWARD_LAPSED: self._award_lapsed,
            OutboxKind.INTAKE_NOTE: self._intake_note,
            OutboxKind.WEEKLY_DIGEST: self._weekly_digest,
        }
        self._senders.update(governance_senders(self))
        self._senders.update(evaluation_senders(self))
        # A kind the use cases can queue but nobody can send fails here, when the bot is built.
        unsendable = set(OutboxKind) - set(self._senders)
        if unsendable:
            raise TypeError(f"no way to send {', '.join(sorted(k.value for k in unsendable))} notifications")

    @property
    def kinds(self) -> frozenset[OutboxKind]:
        """The kinds this notifier can send (all of them, or it would not have been built)."""
        return frozenset(self._senders)

    def when_idle(self) -> int:
        """Refresh the App Homes that messages since the last call changed, once per learner (the
        outbox worker calls this when nothing is due). Not a promise that survives a restart: a
        learner's App Home is built afresh whenever they open it (app_home_opened)."""
        with self._homes_lock:
            users, self._homes = list(self._homes), {}
        for user in users:
            try:
                self.homes.publish(user)
            except Exception as exc:  # noqa: BLE001 - one learner's stale App Home must not stop the others'
                log.warning("App Home for %s not refreshed: %s", user, exc)
        return len(users)

    def home_changed(self, user: str) -> None:
        with self._homes_lock:
            self._homes[user] = None

    def _queue_changed(self, credential: str) -> None:
        """A submission entered or left the queue of the credential's grantors: their Homes show it."""
        for grantor in grantors_of(self.ctx, credential):
            self.home_changed(grantor)

    def send(self, message: Outgoing) -> Delivered | None:
        try:
            handler = self._senders[OutboxKind(message.kind)]
        except ValueError:  # a row from another version of the bot: an administrator sees it failed
            raise ValueError(f"no way to send a {message.kind!r} notification") from None
        try:
            return handler(message)
        except SlackApiError as exc:
            raise _classify(exc) from exc
        except NETWORK_ERRORS as exc:
            raise Retry(f"network: {exc}", maybe_delivered=True) from exc

    # -- posting once --------------------------------------------------------------------------------

    def post(self, message: Outgoing, channel: str, *, thread_ts: str | None = None, **kwargs: Any) -> Delivered:
        """chat.postMessage, tagged with the outbox id; after an uncertain attempt, only if not already there."""
        if message.reconcile:
            found = self._find(message.id, channel, thread_ts)
            if found is not None:
                return Delivered(channel, found, found=True)
        response = self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"id": message.id}}, **kwargs)
        return Delivered(response["channel"], response["ts"])

    def post_card(self, message: Outgoing, card_ts: str | None, record: Callable[[str, str], None],
                  **kwargs: Any) -> Delivered | None:
        """A card (a proposal's, an evaluation's) posted once to the message's channel, its channel and ts
        recorded for later chat.update calls; a card already recorded (posted before a crash) is not posted again."""
        if card_ts:
            return None
        posted = self.post(message, message.recipient, **kwargs)
        record(posted.channel or message.recipient, posted.ts or "")
        return posted

    def post_dm(self, message: Outgoing, user: str, **kwargs: Any) -> Delivered:
        """A direct message from the app, posted to the user id: Slack delivers it in the app's DM with
        them, so a weekly round of nudges needs no conversations.open per learner (a Tier 3 method,
        about 50 calls a minute, where chat.postMessage allows about one a second per DM). Looking
        for an earlier attempt needs the DM's channel id, so only a reconciling retry opens it."""
        return self.post(message, self.workspace.dm_channel(user) if message.reconcile else user, **kwargs)

    def _find(self, outbox_id: int, channel: str, thread_ts: str | None) -> str | None:
        """The ts of the message carrying this outbox id among the channel's (or thread's) latest ones."""
        cursor = None
        for _ in range(RECONCILE_PAGES):
            try:
                if thread_ts:
                    page = self.client.conversations_replies(channel=channel, ts=thread_ts, cursor=cursor,
                                                             limit=RECONCILE_PAGE_SIZE, include_all_metadata=True)
                else:
                    page = self.client.conversations_history(channel=channel, cursor=cursor,
                                                             limit=RECONCILE_PAGE_SIZE, include_all_metadata=True)
            except SlackApiError as exc:
                error = exc.response.get("error", "") if exc.response is not None else ""
                if error in ("missing_scope", "not_in_channel", "channel_not_found", "thread_not_found"):
                    # Nothing to look in (or no permission to look): post, and say so.
                    log.warning("cannot look for outbox message %s in %s (%s); sending it", outbox_id, channel, error)
                    return None
                raise
            for found in page.get("messages") or []:
                metadata = found.get("metadata") or {}
                if metadata.get("event_type") == METADATA_EVENT and \
                        str((metadata.get("event_payload") or {}).get("id")) == str(outbox_id):
                    return str(found["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    # -- review channel -----------------------------------------------------------------------------

    def _review_card(self, message: Outgoing) -> Delivered | None:
        card = submission_card(self.ctx, message.payload["submission_id"])
        if card.review_ts:
            return None  # posted before a crash: do not post twice
        posted = self.post(message, message.recipient, text=review_blocks.card_text(card),
                            blocks=review_blocks.review_card(card, self.artifact_link))
        record_card_message(self.ctx, card.submission_id, review=(posted.channel or message.recipient,
                                                                      posted.ts or ""))
        self._queue_changed(card.credential)
        return posted

    def _refreshed_card(self, message: Outgoing) -> Any:
        """The submission's review card, redrawn in place (chat.update is idempotent: safe to retry)."""
        card = submission_card(self.ctx, message.payload["submission_id"])
        if not card.review_ts:
            raise Retry("the review card is not posted yet")
        self.workspace.client.chat_update(channel=card.review_channel, ts=card.review_ts,
                                          text=review_blocks.card_text(card),
                                          blocks=review_blocks.review_card(card, self.artifact_link))
        return card

    def _review_card_update(self, message: Outgoing) -> Delivered | None:
        card = self._refreshed_card(message)
        self._queue_changed(card.credential)
        decision = Decision(message.payload["decision"])
        return self.post(
            message, card.review_channel or message.recipient, thread_ts=card.review_ts,
            text=review_blocks.thread_note(decision, message.payload["grantor"], message.payload.get("comment", ""),
                                           card))

    def _resubmitted(self, message: Outgoing) -> Delivered | None:
        card = self._refreshed_card(message)
        self._queue_changed(card.credential)
        self.home_changed(card.learner)  # their Home: in review again
        return self.post(
            message, card.review_channel or message.recipient, thread_ts=card.review_ts,
            text=f"<@{card.learner}> resubmitted (round {card.round}); the card above shows the new files.")

    # -- learners -------------------------------------------------------------------------------------

    def _submission_received(self, message: Outgoing) -> Delivered | None:
        card = submission_card(self.ctx, message.payload["submission_id"])
        if card.learner_ts:
            return None
        channel = self.workspace.dm_channel(card.learner)
        files = len([f for f in card.files if f.round == 1])
        posted = self.post(
            message, channel,
            text=f":inbox_tray: Your work for *{escape(card.credential_name)}* ({plural(files, 'file')}) went to its "
                 "grantors. I will tell you here, in this thread, when they decide.")
        record_card_message(self.ctx, card.submission_id, learner=(posted.channel or channel, posted.ts or ""))
        self.home_changed(card.learner)
        return posted

    def _decision(self, message: Outgoing) -> Delivered | None:
        card = submission_card(self.ctx, message.payload["submission_id"])
        text, blocks = review_blocks.decision_message(
            card, Decision(message.payload["decision"]), message.payload["grantor"],
            message.payload.get("comment", ""), SubmissionStatus(message.payload["status"]))
        channel = card.learner_channel or self.workspace.dm_channel(card.learner)
        posted = self.post(message, channel, thread_ts=card.learner_ts, text=text, blocks=blocks,
                            reply_broadcast=bool(card.learner_ts))
        self.home_changed(card.learner)
        return posted

    def _award(self, message: Outgoing) -> Delivered | None:
        award = award_view(self.ctx, message.payload["award_id"])
        if award is None:
            return None
        if award.type.is_certificate:
            text = (":mortar_board: Congratulations! You completed the stack and earned "
                    f"{bold_with_type(award.credential_name, award.type.label)}.")
        else:
            honour = " *with Distinction*" if award.distinction else ""
            text = f":tada: You earned {bold_with_type(award.credential_name, award.type.label)}{honour}."
        text += f" Share it with `/badges share {award.credential}`."
        posted = self.post_dm(message, award.learner, text=text, blocks=[section(text)])
        self.home_changed(award.learner)
        host = host_of_award(self.ctx, message.payload["award_id"])
        if host:  # a check-in: the host's Home counts it (once per idle round, however many came in)
            self.home_changed(host)
        return posted

    def _award_revoked(self, message: Outgoing) -> Delivered | None:
        award = award_view(self.ctx, message.payload["award_id"])
        if award is None:
            return None
        text = (f"Your award *{escape(award.credential_name)}* was revoked by the program: "
                f"{escape(message.payload.get('reason', ''))}")
        posted = self.post(message, self.workspace.dm_channel(award.learner), text=text)
        self.home_changed(award.learner)
        return posted

    def _certificate_flagged(self, message: Outgoing) -> Delivered | None:
        award = award_view(self.ctx, message.payload["award_id"])
        if award is None:
            return None
        return self.post(
            message, self.workspace.dm_channel(message.recipient),
            text=(f":warning: <@{award.learner}>'s *{escape(award.credential_name)}* (award `{award.public_id}`) "
                  "lost a required badge to a revocation and needs your review: keep it, or revoke it with "
                  f"`badgebot awards revoke {award.public_id} --reason ...`."))

    # -- the scheduler's messages --------------------------------------------------------------------

    def _nudge(self, message: Outgoing) -> Delivered | None:
        if not nudges_wanted(self.ctx, message.recipient):
            return Delivered(skipped="the learner turned nudges off after it was queued")
        text, blocks = nudge_blocks.nudge_message(message.payload)
        return self.post_dm(message, message.recipient, text=text, blocks=blocks)

    def _nudge_congratulations(self, message: Outgoing) -> Delivered | None:
        if not nudges_wanted(self.ctx, message.recipient):
            return Delivered(skipped="the learner turned nudges off after it was queued")
        text, blocks = nudge_blocks.congratulations_message(message.payload["finished"])
        return self.post_dm(message, message.recipient, text=text, blocks=blocks)

    def _review_reminder(self, message: Outgoing) -> Delivered | None:
        items = message.payload["submissions"]
        text, blocks = nudge_blocks.review_reminder(items, self._card_links(items))
        return self.post_dm(message, message.recipient, text=text, blocks=blocks)

    def _review_escalation(self, message: Outgoing) -> Delivered | None:
        items = message.payload["submissions"]
        text, blocks = nudge_blocks.review_escalation(items, self._card_links(items), message.payload["days"])
        return self.post(message, message.recipient, text=text, blocks=blocks)

    def _expiry_notice(self, message: Outgoing) -> Delivered | None:
        award = award_view(self.ctx, message.payload["award_id"])
        now = self.ctx.clock()
        if award is None or award.expires_at is None or \
                award_state(award.revoked_at, award.expires_at, now) is not AwardState.VALID:
            return Delivered(skipped="the award was revoked or has lapsed since")
        text, blocks = nudge_blocks.expiry_notice(award.credential_name, award.type.label, award.credential,
                                                  award.expires_at, now.date())
        return self.post_dm(message, award.learner, text=text, blocks=blocks)

    def _award_lapsed(self, message: Outgoing) -> Delivered | None:
        award = award_view(self.ctx, message.payload["award_id"])
        if award is None or award.revoked_at is not None or award.expires_at is None:
            return Delivered(skipped="the award was revoked")
        text, blocks = nudge_blocks.lapsed_notice(award.credential_name, award.type.label, award.credential,
                                                  award.expires_at)
        posted = self.post_dm(message, award.learner, text=text, blocks=blocks)
        self.home_changed(award.learner)
        return posted

    def _intake_note(self, message: Outgoing) -> Delivered | None:
        """What became of files a learner sent (could not be fetched, refused, resubmitted): in the
        thread they came from, else their DM."""
        payload = message.payload
        if payload.get("channel"):
            return self.post(message, payload["channel"], thread_ts=payload.get("thread_ts"), text=payload["text"])
        return self.post_dm(message, message.recipient, text=payload["text"])

    def _weekly_digest(self, message: Outgoing) -> Delivered | None:
        """The program's figures to the office channel, the chart in the message's thread (issue 14)."""
        summary = Summary.of_payload(message.payload)
        text, blocks = stats_blocks.summary_message(summary, "Weekly program digest")
        posted = self.post(message, message.recipient, text=text, blocks=blocks)
        self.client.files_upload_v2(channel=posted.channel or message.recipient, thread_ts=posted.ts,
                                    file=stats_blocks.summary_chart(summary), filename="program-digest.png",
                                    title=summary.chart_title)
        return posted

    def _card_links(self, items: list[dict[str, Any]]) -> dict[int, str | None]:
        links: dict[int, str | None] = {}
        for item in items[:nudge_blocks.REMINDER_LIST_LIMIT]:
            if item.get("review_channel") and item.get("review_ts"):
                try:
                    links[item["id"]] = self.workspace.client.chat_getPermalink(
                        channel=item["review_channel"], message_ts=item["review_ts"])["permalink"]
                except SlackApiError:
                    links[item["id"]] = None
        return links


class SlackRefused(Exception):
    """Slack answered with an error that retrying will not cure (e.g. channel_not_found): the message fails."""


def _classify(exc: SlackApiError) -> Exception:
    """A Slack error as the outbox sees it: a rate limit, a transient failure (maybe delivered), or final."""
    response = exc.response
    error = response.get("error", "") if response is not None else ""
    status = response.status_code if response is not None else 0
    method = (getattr(response, "api_url", "") or "").rstrip("/").rpartition("/")[2]
    if status == 429 or error == "ratelimited":
        after = response.headers.get("Retry-After") if response is not None else None
        return Retry(f"Slack rate-limited {method or 'a call'}", float(after) if after else None, rate_limited=True,
                     scope="recipient" if method in PER_CHANNEL_LIMITS else "all")
    if status >= 500 or error in TRANSIENT:
        return Retry(f"Slack said {error or status} to {method}", maybe_delivered=True)
    return SlackRefused(f"Slack said {error or status} to {method or 'a call'}")
