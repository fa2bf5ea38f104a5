"""What lives around an interaction: trigger ids, response URLs, modals and the home tab, and what
Slack does with the acks a bot answers (a command's text, a view submission's response_action).

Both sides use these: the Web API (views.open spends a trigger id) and the Slack side, which issues
trigger ids and response URLs when it sends an interaction and applies the bot's ack afterwards.
"""
from __future__ import annotations

import copy
import secrets
import time

from bot.sandbox.emulator.params import content, flag, json_or_empty
from bot.sandbox.emulator.records import (RESPONSE_URL_MAX_USES, JsonDict, Message, ResponseUrl, SlackError,
                                          Trigger, View, interactive_elements)
from bot.sandbox.emulator.workspace import Workspace


class InteractiveWorkspace(Workspace):
    """A workspace people interact with through the bot: triggers, response URLs, views, acks."""

    # -- trigger ids ---------------------------------------------------------------------------------

    def issue_trigger(self, user: str, *, age: float = 0.0) -> str:
        """A trigger id as Slack puts in an interaction; `age` backdates it (to test expiry)."""
        with self._lock:
            trigger_id = f"{next(self._ids)}.{int(time.time())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = Trigger(user, self.clock() - age)
            return trigger_id

    def redeem_trigger(self, trigger_id: str) -> Trigger:
        """Spend a trigger id on views.open / views.push; Slack accepts each one once, within its TTL."""
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    # -- response URLs -------------------------------------------------------------------------------

    def issue_response_url(self, user: str, channel: str, *, original_ts: str | None = None) -> str:
        """A response_url on this emulator for one command or message interaction."""
        with self._lock:
            token = secrets.token_urlsafe(12)
            self._response_urls[token] = ResponseUrl(user, channel, original_ts)
            return f"{self.base_url}response/{self.team_id}/{token}"

    def respond(self, token: str, payload: JsonDict) -> None:
        """A POST to a response_url: expired_url, used_url (after five), or Slack's semantics applied."""
        with self._lock:
            hook = self._response_urls.get(token)
            if hook is None:
                raise SlackError("expired_url")
            hook.uses += 1
            if hook.uses > RESPONSE_URL_MAX_USES:
                raise SlackError("used_url")
            self._apply_response(hook, payload)

    def _apply_response(self, hook: ResponseUrl, payload: JsonDict) -> None:
        """Slack's response_url semantics: delete or replace the original, or add a message."""
        original = self._messages.get((hook.channel, hook.original_ts or ""))
        if flag(payload, "delete_original"):
            if original is None:
                raise SlackError("message_not_found")
            original.deleted = True
            return
        text, blocks, attachments = content(payload)
        if flag(payload, "replace_original") and original is not None:
            self.edit(original, text, blocks, attachments)
            return
        ephemeral = payload.get("response_type", "ephemeral") != "in_channel"
        self.post(Message(hook.channel, self.next_ts(), text, blocks, attachments, user=self.bot_user_id,
                          bot_id=self.bot_id, thread_ts=payload.get("thread_ts") or None,
                          ephemeral_to=hook.user if ephemeral else None, via="response_url"))

    # -- views ---------------------------------------------------------------------------------------

    def new_view(self, user: str, payload: JsonDict, *, trigger_id: str | None = None,
                 previous: View | None = None) -> View:
        with self._lock:
            view = View(self.new_id("V"), str(payload.get("type")), user, _with_ids(payload), _new_hash(),
                        trigger_id=trigger_id, external_id=payload.get("external_id") or None)
            if previous is not None:
                view.root_view_id, view.previous_view_id = previous.root_view_id or previous.id, previous.id
            self._views[view.id] = view
            return view

    def replace_view(self, view: View, payload: JsonDict) -> View:
        view.payload, view.hash, view.state_values = _with_ids(payload), _new_hash(), {}
        view.external_id = payload.get("external_id") or view.external_id
        return view

    def home_of(self, user: str) -> View | None:
        return next((v for v in self._views.values() if v.user == user and v.type == "home"), None)

    def find_view(self, *, view_id: str | None = None, external_id: str | None = None) -> View:
        """An open view by id or external id (views.update takes either)."""
        if view_id:
            view = self._views.get(view_id)
        elif external_id:
            view = next((v for v in self._views.values() if v.external_id == external_id), None)
        else:
            raise SlackError("invalid_arguments")
        if view is None or not view.open:
            raise SlackError("not_found")
        return view

    def modal_stack(self, user: str) -> list[View]:
        return [v for v in self._views.values() if v.user == user and v.type == "modal" and v.open]

    def view_json(self, view: View) -> JsonDict:
        return view.to_slack(self.team_id, self.app_id, self.bot_id)

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close one modal (what an empty view_submission ack does) or, with `clear`, its whole stack."""
        with self._lock:
            view = self._views.get(view_id)
            if view is None:
                return
            root = view.root_view_id or view.id
            for candidate in self._views.values():
                if candidate.id == view_id or (clear and (candidate.root_view_id or candidate.id) == root):
                    candidate.open = False

    def set_view_state(self, view_id: str, values: JsonDict) -> None:
        with self._lock:
            if view_id in self._views:
                self._views[view_id].state_values = copy.deepcopy(values)

    # -- acks ------------------------------------------------------------------------------------------

    def apply_view_ack(self, view_id: str, user: str, ack_body: str) -> None:
        """Do what Slack does with a view_submission ack: close, update, push, clear, or show errors."""
        with self._lock:
            ack: JsonDict = json_or_empty(ack_body)
            action = ack.get("response_action")
            view = self._views.get(view_id)
            if view is None:
                return
            if action == "update" and isinstance(ack.get("view"), dict):
                self.replace_view(view, ack["view"])
            elif action == "push" and isinstance(ack.get("view"), dict):
                self.new_view(user, ack["view"], previous=view)
            elif action == "clear":
                self.close_view(view_id, clear=True)
            elif action != "errors":
                self.close_view(view_id)

    def show_command_ack(self, user: str, channel: str, ack_body: str) -> Message | None:
        """Show a slash command's ack as Slack does: its text or blocks, to the user alone unless in_channel."""
        with self._lock:
            ack = json_or_empty(ack_body)
            if not ack and not ack_body.strip():
                return None
            payload = ack if ack else {"text": ack_body}
            try:
                text, blocks, attachments = content(payload)
            except SlackError:
                return None
            ephemeral = payload.get("response_type", "ephemeral") != "in_channel"
            message = Message(channel, self.next_ts(), text, blocks, attachments, user=self.bot_user_id,
                              bot_id=self.bot_id, ephemeral_to=user if ephemeral else None, via="ack")
            return copy.deepcopy(self.post(message))


def _with_ids(payload: JsonDict) -> JsonDict:
    """A copy of a view whose blocks and input elements all have ids, as Slack fills in missing ones."""
    view = copy.deepcopy(payload)
    for block in view.get("blocks") or []:
        block.setdefault("block_id", secrets.token_urlsafe(4))
        for element in interactive_elements(block):
            element.setdefault("action_id", secrets.token_urlsafe(4))
    return view


def _new_hash() -> str:
    return f"{time.time():.6f}.{secrets.token_hex(4)}"
