"""The Bolt listeners: thin translations from Slack payloads to use cases and back."""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltResponse, Respond

from bot.domain.submitting import form_problems
from bot.domain.vocabulary import Decision
from bot.errors import BadgebotError, InvalidInput
from bot.usecases import reviews as reviews_uc
from bot.usecases import submissions as submissions_uc
from bot.usecases.awards import set_shared
from bot.usecases.catalog import find_credential
from bot.usecases.inbound import first_delivery
from handlers.slack import commands, learner_blocks, review_blocks
from handlers.slack.share_blocks import share_answer

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.slack")
SORRY = "Something went wrong on our side and nothing was changed. Please try again in a minute."


def guarded(bot: "Badgebot") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The one error handler for listeners: log, tell the user plainly, never raise into Bolt.

    (Bolt's thread runner loses an ack made before an exception and answers Slack 404 three
    seconds later, so nothing may escape a listener.) A BadgebotError's message is for the user;
    anything else is our fault and gets the generic apology.
    """
    def wrap(listener: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(listener)
        def run(**kwargs: Any) -> Any:
            try:
                return listener(**kwargs)
            except BadgebotError as exc:
                message = str(exc)
            except Exception:  # noqa: BLE001 - see the docstring
                log.exception("error in Slack listener %s", listener.__name__)
                message = SORRY
            ack = kwargs.get("ack")
            if ack is not None and ack.response is None:
                ack()
            _tell_anywhere(bot, kwargs.get("body") or {}, message)
            return None
        return run
    return wrap


def register(app: App, bot: "Badgebot") -> None:
    guard = guarded(bot)

    # -- plumbing ------------------------------------------------------------------------------------

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Any) -> Any:  # noqa: A002 - Bolt's parameter name
        """Slack re-sends events it thinks we missed (X-Slack-Retry-Num); act on each event once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(bot.ctx, str(event_id)):
            return BoltResponse(status=200, body="")
        return next()

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        """Errors outside listeners (middleware, Bolt itself)."""
        logger.exception("unhandled error handling a Slack request: %s", error)
        _tell_anywhere(bot, body, SORRY)

    # -- /badges -------------------------------------------------------------------------------------

    @app.command("/badges")
    @guard
    def badges(ack: Ack, body: dict[str, Any]) -> None:
        req = commands.Request(
            user=body.get("user_id", ""), user_name=body.get("user_name", ""), channel=body.get("channel_id", ""),
            trigger_id=body.get("trigger_id", ""), args=str(body.get("text") or "")[:500])
        ack(response_type="ephemeral", **commands.dispatch(bot, req))

    # -- learners' buttons ---------------------------------------------------------------------------

    @app.action(learner_blocks.SUBMIT_ACTION)
    @guard
    def submit_button(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        try:
            spec = find_credential(bot.catalog, str(action.get("value", "")))
            submissions_uc.check_can_submit(bot.ctx, user, spec.id)
        except BadgebotError as exc:
            return _tell(bot, respond, user, str(exc))
        bot.slack.views_open(trigger_id=body["trigger_id"], view=learner_blocks.submit_modal(spec))

    @app.action("share_confirm")
    @guard
    def share_confirm(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        user = body["user"]["id"]
        try:
            set_shared(bot.ctx, user, str(action.get("value", "")), True)
        except BadgebotError as exc:
            return _tell(bot, respond, user, str(exc))
        respond(replace_original=True, text="Your award is public.", blocks=share_answer(bot, user, action["value"]))
        bot.homes.publish(user)

    # -- the submit form -----------------------------------------------------------------------------

    @app.view(learner_blocks.SUBMIT_CALLBACK)
    @guard
    def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        values = view.get("state", {}).get("values", {})
        files = ((values.get("files") or {}).get("files") or {}).get("files") or []
        reflection = ((values.get("reflection") or {}).get("reflection") or {}).get("value") or ""
        link = ((values.get("link") or {}).get("link") or {}).get("value") or None
        slug, _, resubmission = str(view.get("private_metadata", "")).partition("|")
        errors = form_problems([(f.get("name", "file"), int(f["size"]) if f.get("size") is not None else None)
                                for f in files], reflection, link, max_bytes=bot.store.max_bytes)
        if errors:
            return ack(response_action="errors", errors=errors)
        ack()  # close the form now; downloading may take longer than Slack's 3 seconds
        bot.intake.receive_submission(user, body["user"].get("name"), slug, files, reflection, link,
                               int(resubmission) if resubmission.isdigit() else None)

    # -- grantors' buttons ---------------------------------------------------------------------------

    @app.action(re.compile(r"^review_(approve|approve_distinction)$"))
    @guard
    def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        decision = review_blocks.DECISION_OF_ACTION[action["action_id"]]
        _decide(bot, body["user"]["id"], _submission_id(action), decision, "", body)

    @app.action(re.compile(r"^review_(request_changes|reject)$"))
    @guard
    def ask_reason(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user, submission_id = body["user"]["id"], _submission_id(action)
        decision = review_blocks.DECISION_OF_ACTION[action["action_id"]]
        try:
            card = reviews_uc.submission_card(bot.ctx, submission_id)
            reviews_uc.check_may_review(bot.ctx, user, submission_id)
        except BadgebotError as exc:
            return _tell_in_channel(bot, body, user, str(exc))
        channel = (body.get("channel") or {}).get("id", "")
        ts = (body.get("message") or {}).get("ts", "")
        bot.slack.views_open(trigger_id=body["trigger_id"],
                              view=review_blocks.reason_modal(decision, submission_id, card.credential_name, channel, ts))

    @app.view(review_blocks.REASON_CALLBACK)
    @guard
    def reason_given(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        parts = str(view.get("private_metadata", "")).split("|")
        reason = (((view.get("state", {}).get("values", {}).get("reason") or {}).get("reason") or {}).get("value")
                  or "").strip()
        if not reason:
            return ack(response_action="errors", errors={"reason": "Tell the learner why."})
        if len(parts) != 4 or not parts[0].isdigit() or parts[1] not in {d.value for d in Decision}:
            return ack(response_action="errors", errors={"reason": "This form is out of date; close it and click again."})
        ack()
        body = {**body, "channel": {"id": parts[2]}}
        _decide(bot, body["user"]["id"], int(parts[0]), Decision(parts[1]), reason, body)

    # -- events --------------------------------------------------------------------------------------

    @app.event("app_home_opened")
    @guard
    def home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            bot.homes.publish(event["user"])

    @app.event("message")
    @guard
    def direct_message(event: dict[str, Any], say: Any) -> None:
        """Files sent to the bot in a DM: a submission (naming a credential) or a resubmission (in its thread)."""
        if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("user"):
            return
        subtype = event.get("subtype")
        if subtype not in (None, "file_share"):
            return
        bot.intake.receive_dm(event)

    # -- last: whatever no listener above claimed (Bolt tries listeners in order) --------------------

    @app.action(re.compile(r".*"))
    def any_other_action(ack: Ack) -> None:
        ack()  # URL buttons still send an action, and old messages may carry retired buttons

    @app.view(re.compile(r".*"))
    def any_other_view(ack: Ack) -> None:
        ack()  # a form from an older version of the bot: close it rather than show an error


def _tell_anywhere(bot: "Badgebot", body: dict[str, Any], text: str) -> None:
    """Tell whoever sent `body`, privately: through the response_url, in the channel, or by DM."""
    user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else body.get("user_id")
    try:
        if body.get("response_url"):
            from slack_sdk.webhook import WebhookClient

            WebhookClient(body["response_url"]).send(text=text, response_type="ephemeral", replace_original=False)
        elif user:
            _tell_in_channel(bot, body, user, text)
    except Exception:  # noqa: BLE001 - telling is best effort; the error is already logged
        log.exception("could not tell %s: %s", user, text)


def _submission_id(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise InvalidInput("This button is out of date.")
    return int(value)


def _decide(bot: "Badgebot", grantor: str, submission_id: int, decision: Decision, comment: str,
            body: dict[str, Any]) -> None:
    try:
        reviews_uc.review(bot.ctx, grantor, submission_id, decision, comment)
    except BadgebotError as exc:
        return _tell_in_channel(bot, body, grantor, str(exc))
    bot.delivery.kick()


def _tell(bot: "Badgebot", respond: Respond | None, user: str, text: str) -> None:
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # noqa: BLE001 - fall back to a DM when the response_url is gone
            pass
    bot.slack.chat_postMessage(channel=bot.workspace.dm_channel(user), text=text)


def _tell_in_channel(bot: "Badgebot", body: dict[str, Any], user: str, text: str) -> None:
    """An ephemeral note where the user clicked (only they see it)."""
    channel = (body.get("channel") or {}).get("id")
    if channel:
        bot.slack.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        bot.slack.chat_postMessage(channel=bot.workspace.dm_channel(user), text=text)
