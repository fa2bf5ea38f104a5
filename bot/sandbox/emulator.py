"""A loopback stand-in for Slack's Web API, so the real slack_sdk client is exercised in tests and the sandbox.

Why an HTTP server and not a mock: the bugs worth catching live in the HTTP conversation itself (how
slack_sdk encodes a request, bearer tokens, Retry-After on 429, authenticated file downloads, the
three-step external upload). A mock of WebClient would agree with whatever the bot believes; this
server answers the way Slack does, with Slack's JSON shapes and error codes.

Three layers, top to bottom:
- `Workspace`: the in-memory state of one Slack workspace (users, channels, messages, files, views,
  trigger ids, response URLs, the call log). One re-entrant lock guards all of it, so requests
  arriving on several server threads see a consistent workspace.
- `_WebApi`: one small function per Web API method, reading params and changing the workspace.
- `SlackEmulator`: the HTTP face: a `ThreadingHTTPServer` bound to 127.0.0.1 only, routing, token
  checks, fault injection and the call log.
"""
from __future__ import annotations

import base64
import copy
import itertools
import json
import mimetypes
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

JsonDict = dict[str, Any]

LOOPBACK = "127.0.0.1"
# Slack's trigger ids live 3 s; a slow CI runner can take longer than that between a command and
# views.open, so the default is generous. Tests of expiry pass `age=` to `issue_trigger`.
DEFAULT_TRIGGER_TTL = 30.0
# Slack accepts at most five responses on one response_url.
RESPONSE_URL_MAX_USES = 5
# A modal stack holds at most three views (views.push beyond that fails).
MAX_MODAL_STACK = 3
_DOWNLOAD_CHUNK = 64 * 1024


class SlackError(Exception):
    """An `ok: false` answer. Raised inside method implementations; the dispatcher turns it into JSON."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass
class User:
    """A workspace member (or bot user)."""

    id: str
    name: str
    real_name: str
    email: str | None = None
    is_bot: bool = False
    bot_id: str | None = None

    def to_slack(self, team_id: str) -> JsonDict:
        profile = {"real_name": self.real_name, "display_name": self.name, "email": self.email,
                   "bot_id": self.bot_id}
        return {"id": self.id, "team_id": team_id, "name": self.name, "real_name": self.real_name,
                "deleted": False, "is_bot": self.is_bot, "is_app_user": False, "tz": "UTC", "tz_offset": 0,
                "profile": {k: v for k, v in profile.items() if v is not None}}


@dataclass
class Channel:
    """A conversation. `members=None` means everyone is a member, like #general."""

    id: str
    name: str
    is_im: bool = False
    is_mpim: bool = False
    is_private: bool = False
    members: list[str] | None = None
    user: str | None = None  # the human side of an IM

    def has_member(self, user_id: str) -> bool:
        return self.members is None or user_id in self.members

    def to_slack(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "created": 0, "is_im": self.is_im, "is_mpim": self.is_mpim,
                          "is_archived": False, "is_private": self.is_private or self.is_im or self.is_mpim}
        if self.is_im:
            return data | {"user": self.user, "is_open": True, "is_user_deleted": False}
        return data | {"name": self.name, "is_channel": not (self.is_private or self.is_mpim),
                       "is_group": self.is_private, "is_member": True,
                       "num_members": len(self.members) if self.members is not None else None}


@dataclass
class UserGroup:
    """A user group (e.g. @faculty): how the program names its grantors."""

    id: str
    handle: str
    members: list[str]


@dataclass
class Message:
    """A message as the workspace holds it; `ephemeral_to` marks one only that user can see."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[JsonDict] = field(default_factory=list)
    attachments: list[JsonDict] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    files: list[JsonDict] = field(default_factory=list)
    ephemeral_to: str | None = None
    reply_broadcast: bool = False
    edits: list[JsonDict] = field(default_factory=list)  # earlier versions: {text, blocks, replaced_at}
    deleted: bool = False
    via: str = "api"  # api | response_url | ack | user
    metadata: JsonDict | None = None  # chat.postMessage `metadata` ({event_type, event_payload})

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self) -> JsonDict:
        data: JsonDict = {"type": "message", "ts": self.ts, "text": self.text}
        optional = {"user": self.user, "bot_id": self.bot_id, "thread_ts": self.thread_ts,
                    "blocks": self.blocks or None, "attachments": self.attachments or None,
                    "files": self.files or None, "metadata": self.metadata}
        data |= {k: v for k, v in optional.items() if v is not None}
        if self.files and not self.bot_id:
            data["subtype"] = "file_share"
        if self.edits:
            data["edited"] = {"user": self.user, "ts": self.edits[-1]["replaced_at"]}
        return data


@dataclass
class StoredFile:
    """A file with its bytes; `complete` is false between getUploadURLExternal and completeUploadExternal."""

    id: str
    name: str
    title: str
    mimetype: str
    content: bytes
    user: str
    created: int
    complete: bool = True
    uploaded: bool = True
    channels: list[str] = field(default_factory=list)

    def to_slack(self, base_url: str, team_id: str) -> JsonDict:
        url = f"{base_url}files-pri/{team_id}-{self.id}/{quote(self.name)}"
        return {"id": self.id, "created": self.created, "timestamp": self.created, "name": self.name,
                "title": self.title, "mimetype": self.mimetype, "filetype": self.name.rpartition(".")[2].lower(),
                "user": self.user, "size": len(self.content), "is_public": False, "is_external": False,
                "mode": "hosted", "channels": list(self.channels), "url_private": url,
                "url_private_download": f"{base_url}files-pri/{team_id}-{self.id}/download/{quote(self.name)}"}


@dataclass
class View:
    """A modal or a home tab as the user currently sees it."""

    id: str
    type: str
    user: str
    payload: JsonDict
    hash: str
    trigger_id: str | None = None
    external_id: str | None = None
    root_view_id: str | None = None
    previous_view_id: str | None = None
    state_values: JsonDict = field(default_factory=dict)
    open: bool = True

    @property
    def callback_id(self) -> str:
        return str(self.payload.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        return str(self.payload.get("private_metadata", ""))

    def to_slack(self, team_id: str, app_id: str, bot_id: str) -> JsonDict:
        return dict(self.payload) | {
            "id": self.id, "team_id": team_id, "type": self.type, "hash": self.hash,
            "private_metadata": self.private_metadata, "callback_id": self.callback_id,
            "external_id": self.external_id or "", "state": {"values": copy.deepcopy(self.state_values)},
            "root_view_id": self.root_view_id or self.id, "previous_view_id": self.previous_view_id,
            "app_id": app_id, "bot_id": bot_id, "app_installed_team_id": team_id,
            "clear_on_close": bool(self.payload.get("clear_on_close", False)),
            "notify_on_close": bool(self.payload.get("notify_on_close", False)),
        }


@dataclass
class ApiCall:
    """One request the emulator answered: what the sandbox's "requests" panel lists and tests assert on."""

    method: str
    params: JsonDict
    status: int
    response: JsonDict
    fault: JsonDict | None = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        # Web API methods answer {"ok": ...}; file downloads, uploads and response URLs answer plain HTTP.
        if "ok" in self.response:
            return self.status == 200 and bool(self.response["ok"])
        return 200 <= self.status < 300


@dataclass
class Fault:
    """A planned misbehaviour for the next `times` calls of `method` ("*" matches every method)."""

    method: str
    status: int | None = None
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1

    def describe(self) -> JsonDict:
        return {k: v for k, v in {"status": self.status, "error": self.error, "retry_after": self.retry_after,
                                  "delay": self.delay or None}.items() if v is not None}


@dataclass
class _Trigger:
    user: str
    issued_at: float
    used: bool = False


@dataclass
class _ResponseUrl:
    user: str
    channel: str
    original_ts: str | None
    uses: int = 0


@dataclass(frozen=True)
class HttpReply:
    """What one HTTP request gets back, independent of the server that writes it."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: JsonDict, headers: Mapping[str, str] | None = None) -> HttpReply:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    @classmethod
    def text(cls, status: int, text: str) -> HttpReply:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})


# --------------------------------------------------------------------------------------------------
# Workspace state
# --------------------------------------------------------------------------------------------------


class Workspace:
    """The state of one workspace, guarded by one lock; seeding and query helpers for tests live here.

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
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._calls: list[ApiCall] = []
        self._users[bot_user_id] = User(bot_user_id, "badgebot", "Badgebot", is_bot=True, bot_id=bot_id)

    @property
    def base_url(self) -> str:
        """Root URL of the running server (ends with "/"); file and response URLs point here."""
        if self._base_url is None:
            raise RuntimeError("start the emulator first: its URLs point at the running server")
        return self._base_url

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
            stored = StoredFile(self.new_id("F"), name, title or name, mimetype or _guess_mimetype(name), content,
                                user or self.bot_user_id, int(time.time()))
            self._files[stored.id] = stored
            return stored.to_slack(self.base_url, self.team_id)

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
            return copy.deepcopy(sorted(found, key=_ts_key))

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
            return copy.deepcopy(sorted(self._messages.values(), key=_ts_key))

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
        stored = StoredFile(self.new_id("F"), filename, filename, _guess_mimetype(filename), b"",
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

    def issue_trigger(self, user: str, *, age: float = 0.0) -> str:
        """A trigger id as Slack puts in an interaction; `age` backdates it (to test expiry)."""
        with self._lock:
            trigger_id = f"{next(self._ids)}.{int(time.time())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(user, self.clock() - age)
            return trigger_id

    def redeem_trigger(self, trigger_id: str) -> _Trigger:
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

    def issue_response_url(self, user: str, channel: str, *, original_ts: str | None = None) -> str:
        """A response_url on this emulator for one command or message interaction."""
        with self._lock:
            token = secrets.token_urlsafe(12)
            self._response_urls[token] = _ResponseUrl(user, channel, original_ts)
            return f"{self.base_url}response/{self.team_id}/{token}"

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

    def apply_view_ack(self, view_id: str, user: str, ack_body: str) -> None:
        """Do what Slack does with a view_submission ack: close, update, push, clear, or show errors."""
        with self._lock:
            ack: JsonDict = _json_or_empty(ack_body)
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
            ack = _json_or_empty(ack_body)
            if not ack and not ack_body.strip():
                return None
            payload = ack if ack else {"text": ack_body}
            try:
                text, blocks, attachments = _content(payload)
            except SlackError:
                return None
            ephemeral = payload.get("response_type", "ephemeral") != "in_channel"
            message = Message(channel, self.next_ts(), text, blocks, attachments, user=self.bot_user_id,
                              bot_id=self.bot_id, ephemeral_to=user if ephemeral else None, via="ack")
            return copy.deepcopy(self.post(message))

    def file_json(self, stored: StoredFile) -> JsonDict:
        return stored.to_slack(self.base_url, self.team_id)

    def log(self, call: ApiCall) -> None:
        with self._lock:
            self._calls.append(call)

    def _visible(self, channel: str) -> list[Message]:
        found = [m for m in self._messages.values() if m.channel == channel and not m.deleted and not m.ephemeral_to]
        return sorted(found, key=_ts_key)


# --------------------------------------------------------------------------------------------------
# Web API methods
# --------------------------------------------------------------------------------------------------


class _WebApi:
    """One function per Web API method: params in, Slack's response fields out (ok is added by the caller)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.methods: dict[str, Callable[[JsonDict], JsonDict]] = {
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

    def auth_test(self, p: JsonDict) -> JsonDict:
        ws = self.ws
        return {"url": f"{ws.base_url}", "team": "Badgebot Sandbox", "user": "badgebot", "team_id": ws.team_id,
                "user_id": ws.bot_user_id, "bot_id": ws.bot_id, "app_id": ws.app_id, "is_enterprise_install": False}

    # -- chat --------------------------------------------------------------------------------------

    def chat_post_message(self, p: JsonDict) -> JsonDict:
        channel = self._postable(_required(p, "channel", "channel_not_found"))
        text, blocks, attachments = _content(p)
        message = self.ws.post(Message(channel.id, self.ws.next_ts(), text, blocks, attachments,
                                       user=self.ws.bot_user_id, bot_id=self.ws.bot_id,
                                       thread_ts=p.get("thread_ts") or None,
                                       reply_broadcast=_flag(p, "reply_broadcast"),
                                       metadata=_json_field(p, "metadata") or None))
        return {"channel": channel.id, "ts": message.ts, "message": message.to_slack()}

    def _postable(self, ref: str) -> Channel:
        """A channel the bot may post in: Slack refuses channels the bot was not invited to."""
        channel = self.ws.channel(ref)
        if not channel.has_member(self.ws.bot_user_id):
            raise SlackError("not_in_channel")
        return channel

    def chat_update(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(_required(p, "channel", "channel_not_found"))
        message = self.ws.find_message(channel.id, _required(p, "ts", "message_not_found"))
        if message.bot_id != self.ws.bot_id:
            raise SlackError("cant_update_message")
        text, blocks, attachments = _content(p)
        self.ws.edit(message, text, blocks, attachments)
        return {"channel": channel.id, "ts": message.ts, "text": text, "message": message.to_slack()}

    def chat_delete(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(_required(p, "channel", "channel_not_found"))
        message = self.ws.find_message(channel.id, _required(p, "ts", "message_not_found"))
        if message.bot_id != self.ws.bot_id:
            raise SlackError("cant_delete_message")
        message.deleted = True
        return {"channel": channel.id, "ts": message.ts}

    def chat_post_ephemeral(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(_required(p, "channel", "channel_not_found"))
        user = self.ws.user(_required(p, "user", "user_not_found"))
        if not channel.has_member(user.id):
            raise SlackError("user_not_in_channel")
        text, blocks, attachments = _content(p)
        message = self.ws.post(Message(channel.id, self.ws.next_ts(), text, blocks, attachments,
                                       user=self.ws.bot_user_id, bot_id=self.ws.bot_id,
                                       thread_ts=p.get("thread_ts") or None, ephemeral_to=user.id))
        return {"message_ts": message.ts}

    def chat_get_permalink(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(_required(p, "channel", "channel_not_found"))
        message = self.ws.find_message(channel.id, _required(p, "message_ts", "message_not_found"))
        return {"channel": channel.id,
                "permalink": f"{self.ws.base_url}archives/{channel.id}/p{message.ts.replace('.', '')}"}

    # -- conversations and people -------------------------------------------------------------------

    def conversations_open(self, p: JsonDict) -> JsonDict:
        if p.get("channel"):
            return {"channel": self.ws.channel(str(p["channel"])).to_slack()}
        users = [u.strip() for u in str(_required(p, "users", "invalid_arguments")).split(",") if u.strip()]
        for user_id in users:
            self.ws.user(user_id)
        channel = self.ws.open_im(users[0]) if len(users) == 1 else self.ws.open_mpim(users)
        return {"no_op": True, "already_open": True, "channel": channel.to_slack()}

    def conversations_info(self, p: JsonDict) -> JsonDict:
        return {"channel": self.ws.conversation(_required(p, "channel", "channel_not_found")).to_slack()}

    def conversations_history(self, p: JsonDict) -> JsonDict:
        """A channel's timeline, newest first (thread replies only when broadcast), paged by cursor;
        message metadata only with include_all_metadata, as Slack does."""
        channel = self.ws.channel(_required(p, "channel", "channel_not_found"))
        inclusive, with_metadata = _flag(p, "inclusive"), _flag(p, "include_all_metadata")
        oldest, latest = _ts_param(p.get("oldest"), (0, 0)), _ts_param(p.get("latest"), (2**62, 0))
        cursor = str(p.get("cursor") or "0")
        if not cursor.isdigit():
            raise SlackError("invalid_cursor")
        found = [m for m in reversed(self.ws.messages(channel.id))
                 if ((oldest <= _ts_key(m) <= latest) if inclusive else (oldest < _ts_key(m) < latest))]
        start, limit = int(cursor), min(max(int(p.get("limit") or 100), 1), 999)
        page, more = found[start:start + limit], start + limit < len(found)
        messages = [m.to_slack() for m in page]
        if not with_metadata:
            for message in messages:
                message.pop("metadata", None)
        return {"messages": messages, "has_more": more, "pin_count": 0,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def conversations_replies(self, p: JsonDict) -> JsonDict:
        channel = self.ws.channel(_required(p, "channel", "channel_not_found"))
        ts = _required(p, "ts", "thread_not_found")
        asked = self.ws.message(channel.id, ts)
        messages = self.ws.thread(channel.id, asked.thread_ts if asked is not None and asked.thread_ts else ts)
        if not messages:
            raise SlackError("thread_not_found")
        return {"messages": [m.to_slack() for m in messages], "has_more": False,
                "response_metadata": {"next_cursor": ""}}

    def users_info(self, p: JsonDict) -> JsonDict:
        return {"user": self.ws.user(_required(p, "user", "user_not_found")).to_slack(self.ws.team_id)}

    def usergroups_users_list(self, p: JsonDict) -> JsonDict:
        return {"users": self.ws.usergroup_members(_required(p, "usergroup", "no_such_subteam"))}

    # -- views ---------------------------------------------------------------------------------------

    def views_open(self, p: JsonDict) -> JsonDict:
        payload = _view_payload(p, "modal")
        trigger_id = _required(p, "trigger_id", "invalid_arguments")
        trigger = self.ws.redeem_trigger(trigger_id)
        view = self.ws.new_view(trigger.user, payload, trigger_id=trigger_id)
        return {"view": self.ws.view_json(view)}

    def views_push(self, p: JsonDict) -> JsonDict:
        payload = _view_payload(p, "modal")
        trigger_id = _required(p, "trigger_id", "invalid_arguments")
        trigger = self.ws.redeem_trigger(trigger_id)
        stack = self.ws.modal_stack(trigger.user)
        if len(stack) >= MAX_MODAL_STACK:
            raise SlackError("push_limit_reached")
        view = self.ws.new_view(trigger.user, payload, trigger_id=trigger_id, previous=stack[-1] if stack else None)
        return {"view": self.ws.view_json(view)}

    def views_update(self, p: JsonDict) -> JsonDict:
        payload = _view_payload(p, None)
        view = self.ws.find_view(view_id=p.get("view_id") or None, external_id=p.get("external_id") or None)
        if p.get("hash") and p["hash"] != view.hash:
            raise SlackError("hash_conflict")
        return {"view": self.ws.view_json(self.ws.replace_view(view, payload))}

    def views_publish(self, p: JsonDict) -> JsonDict:
        payload = _view_payload(p, "home")
        user = self.ws.user(_required(p, "user_id", "user_not_found"))
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
        stored = self.ws.stored_file(_required(p, "file", "file_not_found"))
        return {"file": self.ws.file_json(stored), "comments": [], "response_metadata": {"next_cursor": ""}}

    def files_get_upload_url_external(self, p: JsonDict) -> JsonDict:
        filename = _required(p, "filename", "invalid_arguments")
        if not str(p.get("length", "")).isdigit():
            raise SlackError("invalid_arguments")
        stored, upload_id = self.ws.reserve_upload(filename)
        return {"upload_url": f"{self.ws.base_url}upload/v1/{upload_id}", "file_id": stored.id}

    def files_complete_upload_external(self, p: JsonDict) -> JsonDict:
        entries = _json_field(p, "files")
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


# --------------------------------------------------------------------------------------------------
# The HTTP face
# --------------------------------------------------------------------------------------------------


class SlackEmulator(Workspace):
    """Slack's Web API on 127.0.0.1: point `WebClient(base_url=emulator.api_url)` at it.

    Use as a context manager, or call `start()` / `stop()`. Routes:
    `/api/<method>` (Web API), `/upload/v1/<id>` (external upload), `/files-pri/...` (authenticated
    download), `/response/<team>/<id>` (response_url). Each request is logged (see `calls()`); the
    non-API routes log as "files.upload", "files.download" and "response_url".
    """

    def __init__(self, bot_token: str = "xoxb-emulator-token", signing_secret: str = "emulator-signing-secret",
                 host: str = LOOPBACK, port: int = 0, *, team_id: str = "T0EMULATOR",
                 trigger_ttl: float = DEFAULT_TRIGGER_TTL, clock: Callable[[], float] = time.monotonic):
        if host != LOOPBACK:
            raise ValueError(f"the emulator binds {LOOPBACK} only, never {host!r}: tests must not reach a network")
        super().__init__(team_id=team_id, bot_user_id="U0BADGEBOT", bot_id="B0BADGEBOT", app_id="A0BADGEBOT",
                         trigger_ttl=trigger_ttl, clock=clock)
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.host = host
        self.port = port
        self._api = _WebApi(self)
        self._open_methods: set[str] = set()
        self._extra_routes: list[tuple[str, Callable[[str, str, Mapping[str, str], bytes], HttpReply]]] = []
        self._faults: list[Fault] = []
        self._rate_limits: dict[str, float] = {}  # method -> seconds between calls to one channel
        self._last_accepted: dict[tuple[str, str], float] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> SlackEmulator:
        """Bind 127.0.0.1 (port 0 picks a free one) and serve on a daemon thread."""
        if self._server is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"emulator": self})
        server = _LoopbackServer((self.host, self.port), handler)
        self.port = server.server_address[1]
        self._base_url = f"http://{self.host}:{self.port}/"
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=f"slack-emulator:{self.port}",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """What to pass as `WebClient(base_url=...)`."""
        return f"{self.base_url}api/"

    @property
    def bound_address(self) -> tuple[str, int]:
        """The socket address actually bound (tests assert it is loopback)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    # -- fault injection -----------------------------------------------------------------------------

    def inject(self, method: str, *, status: int | None = None, error: str | None = None,
               retry_after: int | None = None, delay: float = 0.0, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail or lag.

        `status=429` answers rate-limited with Retry-After (default 1 s); another `status` answers that
        HTTP status; `error` answers HTTP 200 with ok:false; `delay` alone only slows the call down.
        A failed call changes nothing in the workspace, as with Slack.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.append(Fault(method, status, error, retry_after, delay, times))

    def limit_rate(self, method: str, per_channel_interval: float) -> None:
        """Enforce a per-channel rate limit on `method`, as Slack does for chat.postMessage (about one
        a second): a call to a channel within `per_channel_interval` of the last one it accepted there
        answers 429 with Retry-After (whole seconds). 0 lifts the limit."""
        with self._lock:
            self._rate_limits[method] = per_channel_interval

    def _over_rate_limit(self, method: str, params: JsonDict) -> HttpReply | None:
        interval = self._rate_limits.get(method)
        if not interval:
            return None
        key, now = (method, str(params.get("channel") or "")), time.monotonic()
        last = self._last_accepted.get(key)
        if last is not None and now - last < interval:
            retry_after = max(1, int(interval - (now - last) + 0.999))
            return HttpReply.json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        self._last_accepted[key] = now
        return None

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method in (method, "*"):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
            return None

    @staticmethod
    def _fault_reply(fault: Fault) -> HttpReply | None:
        if fault.status is not None:
            code = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return HttpReply.json(fault.status, {"ok": False, "error": code}, headers)
        if fault.error is not None:
            return HttpReply.json(200, {"ok": False, "error": fault.error})
        return None

    # -- routing -------------------------------------------------------------------------------------

    def handle_http(self, verb: str, target: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        """Answer one request; `headers` keys are lower-case. The server thread only writes the result.

        A bug in the emulator answers 500 with the exception named (and logged as "emulator.error"),
        rather than a dropped connection that would look like a network fault to the client.
        """
        try:
            return self._route(verb, target, headers, body)
        except Exception as exc:  # noqa: BLE001 - any failure here is the emulator's own, reported to the caller
            reply = HttpReply.json(500, {"ok": False, "error": "emulator_error", "detail": repr(exc)})
            return self._logged("emulator.error", {"target": target}, reply)

    # -- extensions ----------------------------------------------------------------------------------

    def add_api_method(self, name: str, implementation: Callable[[JsonDict], JsonDict],
                       *, authenticated: bool = True) -> None:
        """Teach the emulator another Web API method (from the module that needs it, e.g. OIDC).

        `implementation` takes the params and returns Slack's response fields, or raises SlackError.
        Methods called with client credentials instead of the bot token pass authenticated=False.
        """
        self._api.methods[name] = implementation
        if not authenticated:
            self._open_methods.add(name)

    def add_route(self, prefix: str, handler: Callable[[str, str, Mapping[str, str], bytes], HttpReply]) -> None:
        """Serve another non-API path (e.g. the OIDC authorize page): handler(verb, target, headers, body)."""
        self._extra_routes.append(("/" + prefix.strip("/"), handler))

    def _route(self, verb: str, target: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        url = urlsplit(target)
        parts = [p for p in url.path.split("/") if p]
        for prefix, handler in self._extra_routes:
            if url.path == prefix or url.path.startswith(prefix + "/"):
                return self._with_fault(prefix.strip("/"), {"target": target},
                                        lambda: handler(verb, target, headers, body))
        if len(parts) == 2 and parts[0] == "api":
            return self._api_request(parts[1], url.query, headers, body)
        if len(parts) == 3 and parts[:2] == ["upload", "v1"] and verb == "POST":
            return self._with_fault("files.upload", {"upload": parts[2]}, lambda: self._upload(parts[2], headers, body))
        if len(parts) >= 3 and parts[0] == "files-pri" and verb == "GET":
            file_id = parts[1].rpartition("-")[2]
            return self._with_fault("files.download", {"file": file_id}, lambda: self._download(file_id, headers))
        if len(parts) == 3 and parts[0] == "response" and verb == "POST":
            return self._with_fault("response_url", _json_or_empty(body.decode("utf-8", "replace")),
                                    lambda: self._respond(parts[2], body))
        return HttpReply.text(404, "not found")

    def _with_fault(self, method: str, params: JsonDict, answer: Callable[[], HttpReply]) -> HttpReply:
        fault = self._take_fault(method)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        reply = (self._fault_reply(fault) if fault is not None else None) or self._locked(answer)
        self.log(ApiCall(method, params, reply.status, _reply_summary(reply),
                         fault.describe() if fault is not None else None, time.time()))
        return reply

    def _locked(self, answer: Callable[[], HttpReply]) -> HttpReply:
        with self._lock:
            return answer()

    def _api_request(self, method: str, query: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        try:
            params = _request_params(query, headers, body)
        except ValueError:
            return self._logged(method, {}, HttpReply.json(200, {"ok": False, "error": "invalid_json"}))
        auth_error = self._auth_error(headers.get("authorization", ""), params.pop("token", None))
        if auth_error is not None and method not in self._open_methods:
            return self._logged(method, params, HttpReply.json(200, {"ok": False, "error": auth_error}))
        return self._with_fault(method, params,
                                lambda: self._over_rate_limit(method, params) or self._run_method(method, params))

    def _logged(self, method: str, params: JsonDict, reply: HttpReply) -> HttpReply:
        self.log(ApiCall(method, params, reply.status, _reply_summary(reply), None, time.time()))
        return reply

    def _auth_error(self, authorization: str, form_token: Any) -> str | None:
        token = authorization.removeprefix("Bearer ").strip() if authorization.startswith("Bearer ") else form_token
        if not token:
            return "not_authed"
        return None if token == self.bot_token else "invalid_auth"

    def _run_method(self, method: str, params: JsonDict) -> HttpReply:
        implementation = self._api.methods.get(method)
        if implementation is None:
            return HttpReply.json(200, {"ok": False, "error": "unknown_method"})
        try:
            return HttpReply.json(200, {"ok": True, **implementation(params)})
        except SlackError as exc:
            return HttpReply.json(200, {"ok": False, "error": exc.code})

    # -- uploads, downloads, response URLs -----------------------------------------------------------

    def _upload(self, upload_id: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        stored = self.receive_upload(upload_id, _upload_content(headers.get("content-type", ""), body))
        if stored is None:
            return HttpReply.text(404, "upload_url_not_found")
        return HttpReply.text(200, f"OK - {len(stored.content)}")

    def _download(self, file_id: str, headers: Mapping[str, str]) -> HttpReply:
        authorization = headers.get("authorization", "")
        if not authorization.startswith("Bearer "):
            return HttpReply.text(401, "not_authed")
        if authorization.removeprefix("Bearer ").strip() != self.bot_token:
            return HttpReply.text(403, "invalid_auth")
        try:
            stored = self.stored_file(file_id)
        except SlackError:
            return HttpReply.text(404, "file_not_found")
        return HttpReply(200, stored.content, {"Content-Type": stored.mimetype,
                                                "Content-Disposition": f"attachment; filename=\"{stored.name}\""})

    def _respond(self, token: str, body: bytes) -> HttpReply:
        hook = self._response_urls.get(token)
        if hook is None:
            return HttpReply.text(404, "expired_url")
        hook.uses += 1
        if hook.uses > RESPONSE_URL_MAX_USES:
            return HttpReply.text(404, "used_url")
        payload = _json_or_empty(body.decode("utf-8", "replace"))
        try:
            self._apply_response(hook, payload)
        except SlackError as exc:
            return HttpReply.text(400 if exc.code == "no_text" else 404, exc.code)
        return HttpReply.json(200, {"ok": True})

    def _apply_response(self, hook: _ResponseUrl, payload: JsonDict) -> None:
        """Slack's response_url semantics: delete or replace the original, or add a message."""
        original = self._messages.get((hook.channel, hook.original_ts or ""))
        if _flag(payload, "delete_original"):
            if original is None:
                raise SlackError("message_not_found")
            original.deleted = True
            return
        text, blocks, attachments = _content(payload)
        if _flag(payload, "replace_original") and original is not None:
            self.edit(original, text, blocks, attachments)
            return
        ephemeral = payload.get("response_type", "ephemeral") != "in_channel"
        self.post(Message(hook.channel, self.next_ts(), text, blocks, attachments, user=self.bot_user_id,
                          bot_id=self.bot_id, thread_ts=payload.get("thread_ts") or None,
                          ephemeral_to=hook.user if ephemeral else None, via="response_url"))


class _LoopbackServer(ThreadingHTTPServer):
    """Threaded, daemonic, with a deeper accept queue so bursts from several client threads are not refused."""

    daemon_threads = True
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    """Reads the request, asks the emulator, writes the reply. No logic lives here."""

    emulator: SlackEmulator
    server_version = "SlackEmulator/1.0"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.emulator.handle_http(verb, self.path, headers, self._read_body(headers))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        for start in range(0, len(reply.body), _DOWNLOAD_CHUNK):
            self.wfile.write(reply.body[start:start + _DOWNLOAD_CHUNK])

    def _read_body(self, headers: Mapping[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return self._read_chunked()
        return self.rfile.read(int(headers.get("content-length") or 0))

    def _read_chunked(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline().strip():
            pass  # trailers
        return b"".join(chunks)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's signature
        """Quiet: the call log, not stderr, is where requests are inspected."""


# --------------------------------------------------------------------------------------------------
# Parsing helpers
# --------------------------------------------------------------------------------------------------


def _request_params(query: str, headers: Mapping[str, str], body: bytes) -> JsonDict:
    """Params from the query string and a JSON or form body, as slack_sdk sends them (raises ValueError)."""
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" and body.strip():
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("a JSON body must be an object")
        params.update(data)
    elif content_type == "application/x-www-form-urlencoded" and body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params


def _upload_content(content_type: str, body: bytes) -> bytes:
    """The uploaded bytes: the raw body (slack_sdk's way), or the file part of a multipart form."""
    if not content_type.lower().startswith("multipart/form-data"):
        return body
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    for part in message.iter_parts():
        if part.get_filename() is not None:
            return bytes(part.get_payload(decode=True) or b"")
    return body


def _required(p: JsonDict, key: str, error: str) -> str:
    value = p.get(key)
    if value is None or value == "":
        raise SlackError(error)
    return str(value)


def _flag(p: JsonDict, key: str) -> bool:
    return p.get(key) in (True, 1, "1", "true", "True")


def _json_field(p: JsonDict, key: str) -> Any:
    """A structured param: already decoded in a JSON body, a JSON string in a form body."""
    value = p.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise SlackError(f"invalid_{key}" if key == "blocks" else "invalid_arguments") from exc
    return value


def _content(p: JsonDict) -> tuple[str, list[JsonDict], list[JsonDict]]:
    """A message's text, blocks and attachments; Slack refuses a message with none of them."""
    text = str(p.get("text") or p.get("markdown_text") or "")
    blocks = _json_field(p, "blocks") or []
    attachments = _json_field(p, "attachments") or []
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    if not (text or blocks or attachments):
        raise SlackError("no_text")
    return text, blocks, attachments


def _view_payload(p: JsonDict, expected_type: str | None) -> JsonDict:
    view = _json_field(p, "view")
    if not isinstance(view, dict) or not view.get("type"):
        raise SlackError("invalid_arguments")
    if expected_type is not None and view["type"] != expected_type:
        raise SlackError("invalid_arguments")
    return view


def _with_ids(payload: JsonDict) -> JsonDict:
    """A copy of a view whose blocks and input elements all have ids, as Slack fills in missing ones."""
    view = copy.deepcopy(payload)
    for block in view.get("blocks") or []:
        block.setdefault("block_id", secrets.token_urlsafe(4))
        for element in interactive_elements(block):
            element.setdefault("action_id", secrets.token_urlsafe(4))
    return view


def interactive_elements(block: JsonDict) -> list[JsonDict]:
    """The elements of a block that carry an action_id (inputs, actions, a section's accessory)."""
    if block.get("type") == "input" and isinstance(block.get("element"), dict):
        return [block["element"]]
    if block.get("type") == "actions":
        return [e for e in block.get("elements") or [] if isinstance(e, dict)]
    accessory = block.get("accessory")
    if block.get("type") == "section" and isinstance(accessory, dict) and accessory.get("type") != "image":
        return [accessory]
    return []


def _json_or_empty(text: str) -> JsonDict:
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _reply_summary(reply: HttpReply) -> JsonDict:
    """What the call log keeps of a reply: the JSON itself, or a note of its size and type."""
    if reply.headers.get("Content-Type", "").startswith("application/json"):
        return _json_or_empty(reply.body.decode("utf-8"))
    if reply.headers.get("Content-Type", "").startswith("text/plain"):
        return {"text": reply.body.decode("utf-8", "replace")}
    return {"bytes": len(reply.body), "content_type": reply.headers.get("Content-Type", "")}


def _file_record(stored: StoredFile, with_content: bool) -> JsonDict:
    record = asdict(stored)
    if with_content:
        record["content"] = base64.b64encode(stored.content).decode("ascii")
    else:
        del record["content"]
    return record


def _guess_mimetype(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _new_hash() -> str:
    return f"{time.time():.6f}.{secrets.token_hex(4)}"


def _ts_param(value: Any, default: tuple[int, int]) -> tuple[int, int]:
    """A ts given as a parameter ("1712345678.000100"), as a sortable key; `default` when absent."""
    if value in (None, ""):
        return default
    seconds, _, micros = str(value).partition(".")
    if not seconds.isdigit() or (micros and not micros.isdigit()):
        raise SlackError("invalid_ts_oldest")
    return int(seconds), int((micros or "0").ljust(6, "0")[:6])


def _ts_key(message: Message) -> tuple[int, int]:
    seconds, _, micros = message.ts.partition(".")
    return int(seconds), int(micros or 0)
