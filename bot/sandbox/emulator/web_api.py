"""The Web API methods: params in, Slack's response fields out (the HTTP layer adds `ok`).

One function per method, each reading its params as slack_sdk sends them and changing the workspace
the way Slack would, with Slack's error codes. Another module may teach the emulator more methods
(`SlackEmulator.add_api_method`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bot.sandbox.emulator.interactions import InteractiveWorkspace
from bot.sandbox.emulator.params import content, flag, json_field, required, ts_param, view_payload
from bot.sandbox.emulator.records import MAX_MODAL_STACK, Channel, JsonDict, Message, SlackError, StoredFile
from bot.sandbox.emulator.scopes import EMAIL_SCOPE, scope_needed

ApiMethod = Callable[[JsonDict], JsonDict]


class WebApi:
    """The methods the emulator answers, by name, which of them need no bot token, and the scopes
    the bot token holds (`scopes`, in the order granted, as Slack lists them in `provided`)."""

    def __init__(self, ws: InteractiveWorkspace, scopes: Iterable[str] = ()):
        self.ws = ws
        self.scopes: tuple[str, ...] = tuple(dict.fromkeys(scopes))
        self._open: set[str] = set()
        self._methods: dict[str, ApiMethod] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.getPermalink": self.chat_get_permalink,
            "conversations.open": self.conversations_open,
            "conversations.info": self.conversations_info,
            "conversations.replies": self.conversations_replies,
            "conversations.history": self.conversations_history,
            "users.info": self.users_info,
            "usergroups.users.list": self.usergroups_users_list,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.info": self.files_info,
            "files.getUploadURLExternal": self.files_get_upload_url_external,
            "files.completeUploadExternal": self.files_complete_upload_external,
        }

    def add(self, name: str, implementation: ApiMethod, *, authenticated: bool = True) -> None:
        self._methods[name] = implementation
        if not authenticated:
            self._open.add(name)

    def needs_token(self, name: str) -> bool:
        return name not in self._open

    def missing_scope(self, name: str, params: JsonDict) -> str | None:
        """The scope this call needs and the bot token lacks, or None (Slack checks it before anything else)."""
        needed = scope_needed(name, params, self._kind_of)
        return needed if needed is not None and needed not in self.scopes else None

    def _kind_of(self, ref: str) -> str | None:
        try:
            channel = self.ws.channel(ref)
        except SlackError:
            return None
        if channel.is_im:
            return "im"
        if channel.is_mpim:
            return "mpim"
        return "private" if channel.is_private else "public"

    def call(self, name: str, params: JsonDict) -> JsonDict:
        """Slack's response fields for one call; raises SlackError for an ok:false answer."""
        implementation = self._methods.get(name)
        if implementation is None:
            raise SlackError("unknown_method")
        return implementation(params)

    def auth_test(self, p: JsonDict) -> JsonDict:
        ws = self.ws
        return {"url": f"{ws.base_url}", "team": "Badgebot Sandbox", "user": "badgebot", "team_id": ws.team_id,
                "user_id": ws.bot_user_id, "bot_id": ws.bot_id, "app_id": ws.app_id, "is_enterprise_install": False}

    # -- chat --------------------------------------------------------------------------------------

    def chat_post_message(self, p: JsonDict) -> JsonDict:
        channel = self._postable(required(p, "channel", "channel_not_found"))
        text, blocks, attachments = content(p)
        message = self.ws.post(Message(channel.id, self.ws.next_ts(), text, blocks, attachments,
                                       user=self.ws.bot_user_id, bot_id=self.ws.bot_id,
                                       thread_ts=p.get("thread_ts") or None,
                                       reply_broadcast=flag(p, "reply_broadcast"),
                                       metadata=json_field(p, "metadata") or None))
        return {"channel": channel.id, "ts": message.ts, "message": message.to_slack()}

    def _postable(self, ref: str) -> Channel:
        """A channel the bot may post in: Slack refuses channels the bot was not invited to."""
        channel = self.ws.channel(ref)
        if not channel.has_member(self.ws.bot_user_id):
            raise SlackError("not_in_channel")
        return channel

    def chat_update(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(required(p, "channel", "channel_not_found"))
        message = self.ws.find_message(channel.id, required(p, "ts", "message_not_found"))
        if message.bot_id != self.ws.bot_id:
            raise SlackError("cant_update_message")
        text, blocks, attachments = content(p)
        self.ws.edit(message, text, blocks, attachments)
        return {"channel": channel.id, "ts": message.ts, "text": text, "message": message.to_slack()}

    def chat_delete(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(required(p, "channel", "channel_not_found"))
        message = self.ws.find_message(channel.id, required(p, "ts", "message_not_found"))
        if message.bot_id != self.ws.bot_id:
            raise SlackError("cant_delete_message")
        message.deleted = True
        return {"channel": channel.id, "ts": message.ts}

    def chat_post_ephemeral(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(required(p, "channel", "channel_not_found"))
        user = self.ws.user(required(p, "user", "user_not_found"))
        if not channel.has_member(user.id):
            raise SlackError("user_not_in_channel")
        text, blocks, attachments = content(p)
        message = self.ws.post(Message(channel.id, self.ws.next_ts(), text, blocks, attachments,
                                       user=self.ws.bot_user_id, bot_id=self.ws.bot_id,
                                       thread_ts=p.get("thread_ts") or None, ephemeral_to=user.id))
        return {"message_ts": message.ts}

    def chat_get_permalink(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(required(p, "channel", "channel_not_found"))
        message = self.ws.find_message(channel.id, required(p, "message_ts", "message_not_found"))
        return {"channel": channel.id,
                "permalink": f"{self.ws.base_url}archives/{channel.id}/p{message.ts.replace('.', '')}"}

    # -- conversations and people -------------------------------------------------------------------

    def conversations_open(self, p: JsonDict) -> JsonDict:
        if p.get("channel"):
            return {"channel": self.ws.channel(str(p["channel"])).to_slack()}
        users = [u.strip() for u in str(required(p, "users", "invalid_arguments")).split(",") if u.strip()]
        for user_id in users:
            self.ws.user(user_id)
        channel = self.ws.open_im(users[0]) if len(users) == 1 else self.ws.open_mpim(users)
        return {"no_op": True, "already_open": True, "channel": channel.to_slack()}

    def conversations_info(self, p: JsonDict) -> JsonDict:
        return {"channel": self.ws.conversation(required(p, "channel", "channel_not_found")).to_slack()}

    def conversations_history(self, p: JsonDict) -> JsonDict:
        """A channel's timeline, newest first (thread replies only when broadcast), paged by cursor;
        message metadata only with include_all_metadata, as Slack does."""
        channel = self.ws.channel(required(p, "channel", "channel_not_found"))
        inclusive, with_metadata = flag(p, "inclusive"), flag(p, "include_all_metadata")
        oldest, latest = ts_param(p.get("oldest"), (0, 0)), ts_param(p.get("latest"), (2**62, 0))
        cursor = str(p.get("cursor") or "0")
        if not cursor.isdigit():
            raise SlackError("invalid_cursor")
        found = [m for m in reversed(self.ws.messages(channel.id))
                 if ((oldest <= m.sort_key <= latest) if inclusive else (oldest < m.sort_key < latest))]
        start, limit = int(cursor), min(max(int(p.get("limit") or 100), 1), 999)
        page, more = found[start:start + limit], start + limit < len(found)
        messages = [m.to_slack() for m in page]
        if not with_metadata:
            for message in messages:
                message.pop("metadata", None)
        return {"messages": messages, "has_more": more, "pin_count": 0,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def conversations_replies(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(required(p, "channel", "channel_not_found"))
        ts = required(p, "ts", "thread_not_found")
        asked = self.ws.message(channel.id, ts)
        messages = self.ws.thread(channel.id, asked.thread_ts if asked is not None and asked.thread_ts else ts)
        if not messages:
            raise SlackError("thread_not_found")
        return {"messages": [m.to_slack() for m in messages], "has_more": False,
                "response_metadata": {"next_cursor": ""}}

    def users_info(self, p: JsonDict) -> JsonDict:
        """A member; the profile's email only for a token with users:read.email, as Slack does."""
        user = self.ws.user(required(p, "user", "user_not_found")).to_slack(self.ws.team_id)
        if EMAIL_SCOPE not in self.scopes:
            user["profile"].pop("email", None)
        return {"user": user}

    def usergroups_users_list(self, p: JsonDict) -> JsonDict:
        return {"users": self.ws.usergroup_members(required(p, "usergroup", "no_such_subteam"))}

    # -- views ---------------------------------------------------------------------------------------

    def views_open(self, p: JsonDict) -> JsonDict:
        payload = view_payload(p, "modal")
        trigger_id = required(p, "trigger_id", "invalid_arguments")
        trigger = self.ws.redeem_trigger(trigger_id)
        view = self.ws.new_view(trigger.user, payload, trigger_id=trigger_id)
        return {"view": self.ws.view_json(view)}

    def views_push(self, p: JsonDict) -> JsonDict:
        payload = view_payload(p, "modal")
        trigger_id = required(p, "trigger_id", "invalid_arguments")
        trigger = self.ws.redeem_trigger(trigger_id)
        stack = self.ws.modal_stack(trigger.user)
        if len(stack) >= MAX_MODAL_STACK:
            raise SlackError("push_limit_reached")
        view = self.ws.new_view(trigger.user, payload, trigger_id=trigger_id, previous=stack[-1] if stack else None)
        return {"view": self.ws.view_json(view)}

    def views_update(self, p: JsonDict) -> JsonDict:
        payload = view_payload(p, None)
        view = self.ws.find_view(view_id=p.get("view_id") or None, external_id=p.get("external_id") or None)
        if p.get("hash") and p["hash"] != view.hash:
            raise SlackError("hash_conflict")
        return {"view": self.ws.view_json(self.ws.replace_view(view, payload))}

    def views_publish(self, p: JsonDict) -> JsonDict:
        payload = view_payload(p, "home")
        user = self.ws.user(required(p, "user_id", "user_not_found"))
        home = self.ws.home_of(user.id)
        if home is None:
            home = self.ws.new_view(user.id, payload)
        elif p.get("hash") and p["hash"] != home.hash:
            raise SlackError("hash_conflict")
        else:
            self.ws.replace_view(home, payload)
        return {"view": self.ws.view_json(home)}

    # -- files ----------------------------------------------------------------------------------------

    def files_info(self, p: JsonDict) -> JsonDict:
        stored = self.ws.stored_file(required(p, "file", "file_not_found"))
        return {"file": self.ws.file_json(stored), "comments": [], "response_metadata": {"next_cursor": ""}}

    def files_get_upload_url_external(self, p: JsonDict) -> JsonDict:
        filename = required(p, "filename", "invalid_arguments")
        if not str(p.get("length", "")).isdigit():
            raise SlackError("invalid_arguments")
        stored, upload_id = self.ws.reserve_upload(filename)
        return {"upload_url": f"{self.ws.files_url}upload/v1/{upload_id}", "file_id": stored.id}

    def files_complete_upload_external(self, p: JsonDict) -> JsonDict:
        entries = json_field(p, "files")
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments")
        files = [self._complete_one(entry) for entry in entries]
        channels = [c for c in [p.get("channel_id"), *str(p.get("channels") or "").split(",")] if c]
        for channel_ref in channels:
            self._share(files, self._postable(str(channel_ref)), str(p.get("initial_comment") or ""),
                        p.get("thread_ts") or None)
        return {"files": [self.ws.file_json(f) for f in files]}

    def _complete_one(self, entry: Any) -> StoredFile:
        if not isinstance(entry, dict):
            raise SlackError("invalid_arguments")
        stored = self.ws.stored_file(str(entry.get("id", "")))
        stored.complete = True
        stored.title = entry.get("title") or stored.title
        return stored

    def _share(self, files: list[StoredFile], channel: Channel, comment: str, thread_ts: str | None) -> None:
        for stored in files:
            stored.channels.append(channel.id)
        self.ws.post(Message(channel.id, self.ws.next_ts(), comment, user=self.ws.bot_user_id,
                             bot_id=self.ws.bot_id, thread_ts=thread_ts,
                             files=[self.ws.file_json(f) for f in files]))

