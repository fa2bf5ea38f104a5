"""What a workspace holds, as records: people, conversations, messages, files, views, the call log.

Each record knows its Slack JSON shape (`to_slack`); none knows about HTTP or locking.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

JsonDict = dict[str, Any]

# Slack's trigger ids live 3 s; a slow CI runner can take longer than that between a command and
# views.open, so the default is generous. Tests of expiry pass `age=` to `issue_trigger`.
DEFAULT_TRIGGER_TTL = 30.0
# Slack accepts at most five responses on one response_url.
RESPONSE_URL_MAX_USES = 5
# A modal stack holds at most three views (views.push beyond that fails).
MAX_MODAL_STACK = 3


class SlackError(Exception):
    """An `ok: false` answer. Raised inside method implementations; the HTTP layer turns it into JSON."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


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

    @property
    def sort_key(self) -> tuple[int, int]:
        """The ts as numbers: "1712345678.000100" sorts as (1712345678, 100), not as text."""
        seconds, _, micros = self.ts.partition(".")
        return int(seconds), int(micros or 0)

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

    def to_slack(self, files_url: str, team_id: str) -> JsonDict:
        """Slack's file object; its URLs are on the files host (`files_url`), as Slack's are on files.slack.com."""
        url = f"{files_url}files-pri/{team_id}-{self.id}/{quote(self.name)}"
        return {"id": self.id, "created": self.created, "timestamp": self.created, "name": self.name,
                "title": self.title, "mimetype": self.mimetype, "filetype": self.name.rpartition(".")[2].lower(),
                "user": self.user, "size": len(self.content), "is_public": False, "is_external": False,
                "mode": "hosted", "channels": list(self.channels), "url_private": url,
                "url_private_download": f"{files_url}files-pri/{team_id}-{self.id}/download/{quote(self.name)}"}


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
class Trigger:
    """A trigger id's state: who it was issued to, when, and whether a view already spent it."""

    user: str
    issued_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    """A response_url's state: the interaction it answers and how often it was used."""

    user: str
    channel: str
    original_ts: str | None
    uses: int = 0


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
