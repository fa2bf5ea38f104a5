"""The in-memory state of one Slack workspace: people, conversations, messages, files and the call log.

One re-entrant lock guards all of it, so requests arriving on several server threads see a
consistent workspace. Seeding and query helpers for tests live here; what happens around an
interaction (trigger ids, response URLs, views) is added by `interactions.InteractiveWorkspace`.
"""
from __future__ import annotations

import base64
import copy
import itertools
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from typing import Any

from bot.sandbox.emulator.records import (ApiCall, Channel, JsonDict, Message, ResponseUrl, SlackError, StoredFile,
                                          Trigger, User, UserGroup, View)

LOOPBACK_IP = "127.0.0.1"
FILES_HOST = "localhost"


class Workspace:
    """The state of one workspace, guarded by one lock.

    Query helpers return deep copies, so a test holds a snapshot that later requests cannot change.
    """

    def __init__(self, *, team_id: str, bot_user_id: str, bot_id: str, app_id: str,
                 trigger_ttl: float, clock: Callable[[], float]):
        self.team_id = team_id
        self.team_domain = "badgebot-sandbox"
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.trigger_ttl = trigger_ttl
        self.clock = clock
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._base_url: str | None = None
        self._users: dict[str, User] = {}
        self._channels: dict[str, Channel] = {}
        self._ims: dict[str, str] = {}
        self._mpims: dict[frozenset[str], str] = {}
        self._usergroups: dict[str, UserGroup] = {}
        self._messages: dict[tuple[str, str], Message] = {}
        self._files: dict[str, StoredFile] = {}
        self._uploads: dict[str, str] = {}
        self._views: dict[str, View] = {}
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._calls: list[ApiCall] = []
        self._users[bot_user_id] = User(bot_user_id, "badgebot", "Badgebot", is_bot=True, bot_id=bot_id)

    @property
    def lock(self) -> threading.RLock:
        """Held while one request is answered, so no request sees another one half-applied."""
        return self._lock

    @property
    def base_url(self) -> str:
        """Root URL of the running server (ends with "/"); file and response URLs point here."""
        if self._base_url is None:
            raise RuntimeError("start the emulator first: its URLs point at the running server")
        return self._base_url

    @property
    def files_url(self) -> str:
        """Root URL of the files host (ends with "/"): the server's port under the name `localhost`.

        Slack serves files from files.slack.com, a host other than the API's slack.com, and a bot must
        send its token only there. The emulator is one server on 127.0.0.1, so its files host is
        the other loopback name for it: a different origin, the same socket. Downloads and uploads
        are answered only on this host.
        """
        return self.base_url.replace(f"//{LOOPBACK_IP}:", f"//{FILES_HOST}:", 1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def next_ts(self) -> str:
        """A message ts: wall-clock microseconds, strictly increasing so ts stays a unique key."""
        with self._lock:
            self._last_ts_us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
            seconds, micros = divmod(self._last_ts_us, 1_000_000)
            return f"{seconds}.{micros:06d}"

    # -- seeding ------------------------------------------------------------------------------------

    def add_user(self, name: str, *, id: str | None = None, real_name: str | None = None,  # noqa: A002
                 email: str | None = None, is_bot: bool = False) -> User:
        """Seed a member; `id` defaults to a fresh U-id."""
        with self._lock:
            user = User(id or self.new_id("U"), name, real_name or name.title(), email, is_bot,
                        bot_id=self.new_id("B") if is_bot else None)
            self._users[user.id] = user
            return copy.deepcopy(user)

    def add_channel(self, name: str, *, id: str | None = None, members: Iterable[str] | None = None,  # noqa: A002
                    is_private: bool = False) -> Channel:
        """Seed a channel; without `members` everyone (and the bot) is a member.

        With explicit `members`, include `bot_user_id` if the bot should be able to post there.
        """
        with self._lock:
            channel = Channel(id or self.new_id("G" if is_private else "C"), name.lstrip("#"),
                              is_private=is_private, members=None if members is None else list(members))
            self._channels[channel.id] = channel
            return copy.deepcopy(channel)

    def add_usergroup(self, handle: str, members: Iterable[str], *, id: str | None = None) -> UserGroup:  # noqa: A002
        """Seed a user group such as @faculty."""
        with self._lock:
            group = UserGroup(id or self.new_id("S"), handle, list(members))
            self._usergroups[group.id] = group
            return copy.deepcopy(group)

    def add_file(self, content: bytes, name: str, mimetype: str | None = None, user: str | None = None,
                 *, title: str | None = None) -> JsonDict:
        """Store a file as if `user` had uploaded it; returns Slack's file object (as file_input carries it)."""
        with self._lock:
            stored = StoredFile(self.new_id("F"), name, title or name, mimetype or guess_mimetype(name), content,
                                user or self.bot_user_id, int(time.time()))
            self._files[stored.id] = stored
            return stored.to_slack(self.files_url, self.team_id)

    # -- queries for tests and the sandbox ----------------------------------------------------------

    def users(self) -> list[User]:
        with self._lock:
            return copy.deepcopy(list(self._users.values()))

    def channels(self) -> list[Channel]:
        with self._lock:
            return copy.deepcopy(list(self._channels.values()))

    def messages(self, channel: str, *, include_replies: bool = False) -> list[Message]:
        """What everyone sees in `channel`, oldest first; thread replies only if asked (or broadcast)."""
        with self._lock:
            found = [m for m in self._visible(channel) if include_replies or not m.is_reply or m.reply_broadcast]
            return copy.deepcopy(found)

    def thread(self, channel: str, ts: str) -> list[Message]:
        """A thread's parent and replies, oldest first."""
        with self._lock:
            return copy.deepcopy([m for m in self._visible(channel) if m.ts == ts or m.thread_ts == ts])

    def message(self, channel: str, ts: str) -> Message | None:
        """One message by key, ephemeral or not (deleted ones included, flagged)."""
        with self._lock:
            return copy.deepcopy(self._messages.get((channel, ts)))

    def ephemerals(self, user: str, channel: str | None = None) -> list[Message]:
        """Messages only `user` saw (chat.postEphemeral, response_url, command acks), oldest first."""
        with self._lock:
            found = [m for m in self._messages.values() if m.ephemeral_to == user and not m.deleted
                     and (channel is None or m.channel == channel)]
            return copy.deepcopy(sorted(found, key=lambda m: m.sort_key))

    def dm_channel_of(self, user: str) -> str:
        """The id of the bot's IM with `user`, opening it if needed (stable across calls)."""
        with self._lock:
            if user not in self._users:
                raise LookupError(f"no user {user} in the workspace")
            return self.open_im(user).id

    def views_of(self, user: str, *, include_closed: bool = False) -> list[View]:
        """The modals and home tab `user` has, oldest first."""
        with self._lock:
            return copy.deepcopy([v for v in self._views.values()
                                  if v.user == user and (v.open or include_closed)])

    def view(self, view_id: str) -> View | None:
        with self._lock:
            return copy.deepcopy(self._views.get(view_id))

    def file(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return copy.deepcopy(self._files.get(file_id))

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """The request log, oldest first, optionally for one method."""
        with self._lock:
            return copy.deepcopy([c for c in self._calls if method is None or c.method == method])

    def call_count(self) -> int:
        """How many requests the log holds (the sandbox polls this before asking for new ones)."""
        with self._lock:
            return len(self._calls)

    def calls_since(self, start: int) -> list[ApiCall]:
        """The log from position `start` on, oldest first (incremental reads of a long log)."""
        with self._lock:
            return copy.deepcopy(self._calls[max(0, start):])

    def all_messages(self) -> list[Message]:
        """Every message in every conversation, ephemeral, reply or deleted, oldest first.

        For tools that look at everything the bot said (the sandbox's Block Kit gallery), not for
        asserting what a person saw: `messages`, `thread` and `ephemerals` answer that.
        """
        with self._lock:
            return copy.deepcopy(sorted(self._messages.values(), key=lambda m: m.sort_key))

    def all_views(self) -> list[View]:
        """Every view ever opened or published, closed ones included, in creation order."""
        with self._lock:
            return copy.deepcopy(list(self._views.values()))

    # -- persistence: the sandbox keeps its workspace across restarts -------------------------------

    def export_state(self, *, with_content: bool = True) -> JsonDict:
        """The workspace as JSON-ready data: people, conversations, messages, files and views.

        Trigger ids, response URLs, pending uploads, faults and the call log are short-lived (as in
        Slack) and are left out; `restore_state` on a fresh emulator brings the rest back. Without
        `with_content`, files carry no bytes (keep them yourself, e.g. once per file id).
        """
        with self._lock:
            next_id = next(self._ids)
            self._ids = itertools.count(next_id)
            return {
                "version": 1, "team_id": self.team_id, "next_id": next_id, "last_ts_us": self._last_ts_us,
                "users": [asdict(u) for u in self._users.values()],
                "channels": [asdict(c) for c in self._channels.values()],
                "ims": dict(self._ims),
                "mpims": [[sorted(key), channel] for key, channel in self._mpims.items()],
                "usergroups": [asdict(g) for g in self._usergroups.values()],
                "messages": [asdict(m) for m in self._messages.values()],
                "files": [_file_record(f, with_content) for f in self._files.values() if f.uploaded],
                "views": [asdict(v) for v in self._views.values()],
            }

    def restore_state(self, data: Mapping[str, Any], *, content_of: Callable[[str], bytes] | None = None) -> None:
        """Replace this workspace's people, conversations, messages, files and views with exported ones.

        Files exported without their bytes get them from `content_of(file_id)`.
        """
        if data.get("version") != 1:
            raise ValueError(f"unknown workspace export version {data.get('version')!r}")
        with self._lock:
            self._users = {u["id"]: User(**u) for u in data["users"]}
            self._channels = {c["id"]: Channel(**c) for c in data["channels"]}
            self._ims = dict(data["ims"])
            self._mpims = {frozenset(key): channel for key, channel in data["mpims"]}
            self._usergroups = {g["id"]: UserGroup(**g) for g in data["usergroups"]}
            self._messages = {(m["channel"], m["ts"]): Message(**m) for m in data["messages"]}
            self._files = {}
            for record in data["files"]:
                if "content" in record:
                    content = base64.b64decode(record["content"])
                elif content_of is not None:
                    content = content_of(record["id"])
                else:
                    raise ValueError(f"file {record['id']} was exported without its bytes; pass content_of")
                self._files[record["id"]] = StoredFile(**(record | {"content": content}))
            self._views = {v["id"]: View(**v) for v in data["views"]}
            self._ids = itertools.count(max(int(data["next_id"]), next(self._ids)))
            self._last_ts_us = max(int(data["last_ts_us"]), self._last_ts_us)
            self._uploads, self._triggers, self._response_urls = {}, {}, {}

    # -- primitives shared by the Web API and the Slack side ---------------------------------------

    def user(self, user_id: str) -> User:
        found = self._users.get(user_id)
        if found is None:
            raise SlackError("user_not_found")
        return found

    def channel(self, ref: str) -> Channel:
        """A channel by id, by "#name", or a user id (meaning the bot's IM with that user), as Slack allows."""
        if ref in self._channels:
            return self._channels[ref]
        if ref in self._users:
            return self.open_im(ref)
        for channel in self._channels.values():
            if not channel.is_im and channel.name == ref.lstrip("#"):
                return channel
        raise SlackError("channel_not_found")

    def conversation(self, channel_id: str) -> Channel:
        """A channel by id only (conversations.info does not resolve names)."""
        found = self._channels.get(channel_id)
        if found is None:
            raise SlackError("channel_not_found")
        return found

    def usergroup_members(self, group_id: str) -> list[str]:
        found = self._usergroups.get(group_id)
        if found is None:
            raise SlackError("no_such_subteam")
        return list(found.members)

    def stored_file(self, file_id: str) -> StoredFile:
        """A file whose bytes have arrived; a reserved-but-not-uploaded one does not exist yet."""
        found = self._files.get(file_id)
        if found is None or not found.uploaded:
            raise SlackError("file_not_found")
        return found

    def reserve_upload(self, filename: str) -> tuple[StoredFile, str]:
        """The first step of the external upload: a file id and a one-time upload id for its bytes."""
        stored = StoredFile(self.new_id("F"), filename, filename, guess_mimetype(filename), b"",
                            self.bot_user_id, int(time.time()), complete=False, uploaded=False)
        self._files[stored.id] = stored
        upload_id = secrets.token_urlsafe(12)
        self._uploads[upload_id] = stored.id
        return stored, upload_id

    def receive_upload(self, upload_id: str, content: bytes) -> StoredFile | None:
        stored = self._files.get(self._uploads.pop(upload_id, ""))
        if stored is not None:
            stored.content, stored.uploaded = content, True
        return stored

    def file_json(self, stored: StoredFile) -> JsonDict:
        return stored.to_slack(self.files_url, self.team_id)

    def open_im(self, user_id: str) -> Channel:
        with self._lock:
            self.user(user_id)
            if user_id not in self._ims:
                channel = Channel(self.new_id("D"), user_id, is_im=True, members=[user_id, self.bot_user_id],
                                  user=user_id)
                self._channels[channel.id] = channel
                self._ims[user_id] = channel.id
            return self._channels[self._ims[user_id]]

    def open_mpim(self, user_ids: list[str]) -> Channel:
        with self._lock:
            key = frozenset([*user_ids, self.bot_user_id])
            if key not in self._mpims:
                name = "mpdm-" + "--".join(sorted(self.user(u).name for u in user_ids))
                channel = Channel(self.new_id("G"), name, is_mpim=True, members=sorted(key))
                self._channels[channel.id] = channel
                self._mpims[key] = channel.id
            return self._channels[self._mpims[key]]

    def post(self, message: Message) -> Message:
        with self._lock:
            self._messages[(message.channel, message.ts)] = message
            return message

    def record_user_message(self, user: str, channel: str, text: str, *, files: list[JsonDict] | None = None,
                            thread_ts: str | None = None) -> Message:
        """A message a person typed (the Slack side calls this before sending the matching event)."""
        with self._lock:
            target = self.channel(channel)
            self.user(user)
            message = Message(target.id, self.next_ts(), text, user=user, thread_ts=thread_ts,
                              files=list(files or []), via="user")
            return copy.deepcopy(self.post(message))

    def find_message(self, channel: str, ts: str, *, ephemeral_ok: bool = False) -> Message:
        found = self._messages.get((channel, ts))
        if found is None or found.deleted or (found.ephemeral_to and not ephemeral_ok):
            raise SlackError("message_not_found")
        return found

    def edit(self, message: Message, text: str, blocks: list[JsonDict], attachments: list[JsonDict]) -> None:
        """Replace a message's content, keeping the earlier version in its edit history."""
        message.edits.append({"text": message.text, "blocks": message.blocks, "replaced_at": self.next_ts()})
        message.text, message.blocks, message.attachments = text, blocks, attachments

    def log(self, call: ApiCall) -> None:
        with self._lock:
            self._calls.append(call)

    def _visible(self, channel: str) -> list[Message]:
        found = [m for m in self._messages.values() if m.channel == channel and not m.deleted and not m.ephemeral_to]
        return sorted(found, key=lambda m: m.sort_key)


def guess_mimetype(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _file_record(stored: StoredFile, with_content: bool) -> JsonDict:
    record = asdict(stored)
    if with_content:
        record["content"] = base64.b64encode(stored.content).decode("ascii")
    else:
        del record["content"]
    return record
