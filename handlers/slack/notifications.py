"""Turning outbox messages into Slack calls: the one place notifications meet the Web API."""
from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.delivery import Outgoing, Retry
from bot.domain.vocabulary import Decision, SubmissionStatus
from bot.usecases.reviews import submission_card, record_card_message
from handlers.slack import review_blocks
from handlers.slack.blockkit import escape, section

if TYPE_CHECKING:
    from bot.slack import SlackBot

# Slack errors worth another try; anything else (channel_not_found, not_in_channel...) will not
# fix itself and goes to 'failed' for an administrator.
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class Notifier:
    def __init__(self, bot: "SlackBot"):
        self.bot = bot

    def send(self, message: Outgoing) -> None:
        handler = getattr(self, f"_{message.kind}", None)
        if handler is None:
            raise ValueError(f"no way to send a {message.kind!r} notification")
        try:
            handler(message)
        except SlackApiError as exc:
            error = exc.response.get("error", "") if exc.response is not None else ""
            status = exc.response.status_code if exc.response is not None else 0
            if error in TRANSIENT or status == 429 or status >= 500:
                after = exc.response.headers.get("Retry-After") if exc.response is not None else None
                raise Retry(f"Slack said {error or status}", float(after) if after else None) from exc
            raise

    # -- review channel -----------------------------------------------------------------------------

    def _review_card(self, message: Outgoing) -> None:
        card = submission_card(self.bot.ctx, message.payload["submission_id"])
        if card.review_ts:
            return  # posted before a crash: do not post twice
        response = self.bot.client.chat_postMessage(
            channel=message.recipient, text=review_blocks.card_text(card),
            blocks=review_blocks.review_card(card, self.bot.artifact_link))
        record_card_message(self.bot.ctx, card.submission_id, review=(response["channel"], response["ts"]))

    def _review_card_update(self, message: Outgoing) -> None:
        card = submission_card(self.bot.ctx, message.payload["submission_id"])
        if not card.review_ts:
            raise Retry("the review card is not posted yet")
        self.bot.client.chat_update(channel=card.review_channel, ts=card.review_ts,
                                    text=review_blocks.card_text(card),
                                    blocks=review_blocks.review_card(card, self.bot.artifact_link))
        decision = Decision(message.payload["decision"])
        self.bot.client.chat_postMessage(
            channel=card.review_channel, thread_ts=card.review_ts,
            text=review_blocks.thread_note(decision, message.payload["grantor"], message.payload.get("comment", ""),
                                           card))

    def _resubmitted(self, message: Outgoing) -> None:
        card = submission_card(self.bot.ctx, message.payload["submission_id"])
        if not card.review_ts:
            raise Retry("the review card is not posted yet")
        self.bot.client.chat_update(channel=card.review_channel, ts=card.review_ts,
                                    text=review_blocks.card_text(card),
                                    blocks=review_blocks.review_card(card, self.bot.artifact_link))
        self.bot.client.chat_postMessage(
            channel=card.review_channel, thread_ts=card.review_ts,
            text=f"<@{card.learner}> resubmitted (round {card.round}); the card above shows the new files.")

    # -- learners -------------------------------------------------------------------------------------

    def _submission_received(self, message: Outgoing) -> None:
        card = submission_card(self.bot.ctx, message.payload["submission_id"])
        if card.learner_ts:
            return
        channel = self.bot.dm_channel(card.learner)
        files = len([f for f in card.files if f.round == 1])
        response = self.bot.client.chat_postMessage(
            channel=channel,
            text=f":inbox_tray: Your work for *{escape(card.credential_name)}* ({files} file(s)) went to its "
                 "grantors. I will tell you here, in this thread, when they decide.")
        record_card_message(self.bot.ctx, card.submission_id, learner=(response["channel"], response["ts"]))
        self.bot.refresh_home(card.learner)

    def _decision(self, message: Outgoing) -> None:
        card = submission_card(self.bot.ctx, message.payload["submission_id"])
        text, blocks = review_blocks.decision_message(
            card, Decision(message.payload["decision"]), message.payload["grantor"],
            message.payload.get("comment", ""), SubmissionStatus(message.payload["status"]))
        channel = card.learner_channel or self.bot.dm_channel(card.learner)
        self.bot.client.chat_postMessage(channel=channel, thread_ts=card.learner_ts, text=text, blocks=blocks,
                                         reply_broadcast=bool(card.learner_ts))
        self.bot.refresh_home(card.learner)

    def _award(self, message: Outgoing) -> None:
        award = self.bot.award_summary(message.payload["award_id"])
        if award is None:
            return
        if award.type.is_certificate:
            text = (f":mortar_board: Congratulations! You completed the stack and earned *{escape(award.credential_name)}* "
                    f"({award.type.label}).")
        else:
            honour = " *with Distinction*" if award.distinction else ""
            text = f":tada: You earned *{escape(award.credential_name)}* ({award.type.label}){honour}."
        text += f" Share it with `/badges share {award.credential}`."
        self.bot.client.chat_postMessage(channel=self.bot.dm_channel(award.learner), text=text,
                                         blocks=[section(text)])
        self.bot.refresh_home(award.learner)

    def _award_revoked(self, message: Outgoing) -> None:
        award = self.bot.award_summary(message.payload["award_id"])
        if award is None:
            return
        text = (f"Your award *{escape(award.credential_name)}* was revoked by the program: "
                f"{escape(message.payload.get('reason', ''))}")
        self.bot.client.chat_postMessage(channel=self.bot.dm_channel(award.learner), text=text)
        self.bot.refresh_home(award.learner)

    def _certificate_flagged(self, message: Outgoing) -> None:
        award = self.bot.award_summary(message.payload["award_id"])
        if award is None:
            return
        self.bot.client.chat_postMessage(
            channel=self.bot.dm_channel(message.recipient),
            text=(f":warning: <@{award.learner}>'s *{escape(award.credential_name)}* (award `{award.public_id}`) "
                  "lost a required badge to a revocation and needs your review: keep it, or revoke it with "
                  f"`badgebot awards revoke {award.public_id} --reason ...`."))
