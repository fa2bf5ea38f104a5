"""OAuth scopes: which the bot token holds (the manifest's bot scopes) and which each Web API method needs;
and the manifest's slash commands, the only ones Slack routes to the app.

Slack answers a method the token's scopes do not allow with HTTP 200 and
`{"ok": false, "error": "missing_scope", "needed": ..., "provided": ...}`; so does the emulator, so a
flow that needs a scope the manifest lacks fails in tests, not on an IT team's first day.

The manifest is read with a small reader of its one list rather than PyYAML: the sandbox imports the
emulator at run time, and PyYAML is a test dependency only. tests/unit/test_manifest.py checks that
this reader and PyYAML agree on the shipped manifest. The manifest is the checkout's (the file the
operator pastes into api.slack.com), not package data.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("badgebot.emulator")

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"

# Slack's published method -> scope table (api.slack.com/methods), for the methods the emulator answers.
# None: the method needs no scope (any valid token). Conversation methods depend on the channel's kind.
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.getPermalink": None,
    "users.info": "users:read",
    "usergroups.users.list": "usergroups:read",
    "views.open": None,
    "views.push": None,
    "views.update": None,
    "views.publish": None,
    "files.info": "files:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}
# By the kind of conversation ("public", "private", "im", "mpim").
CONVERSATION_SCOPES: dict[str, dict[str, str]] = {
    "conversations.history": {"public": "channels:history", "private": "groups:history",
                              "im": "im:history", "mpim": "mpim:history"},
    "conversations.replies": {"public": "channels:history", "private": "groups:history",
                              "im": "im:history", "mpim": "mpim:history"},
    "conversations.info": {"public": "channels:read", "private": "groups:read", "im": "im:read", "mpim": "mpim:read"},
}
# The email in users.info's profile needs this scope on top of users:read.
EMAIL_SCOPE = "users:read.email"


def scope_needed(method: str, params: dict[str, object], kind_of: Callable[[str], str | None]) -> str | None:
    """The scope `method` needs with these params, or None. `kind_of(channel)` names a conversation's
    kind, or None when there is no such channel (the method then answers channel_not_found itself)."""
    if method == "conversations.open":
        users = [u for u in str(params.get("users") or "").split(",") if u.strip()]
        return "mpim:write" if len(users) > 1 else "im:write"
    if method in CONVERSATION_SCOPES:
        kind = kind_of(str(params.get("channel") or ""))
        return CONVERSATION_SCOPES[method][kind] if kind is not None else None
    return METHOD_SCOPES.get(method)


def every_scope() -> tuple[str, ...]:
    """Every scope some method of the emulator needs."""
    kinds = [s for table in CONVERSATION_SCOPES.values() for s in table.values()]
    return tuple(dict.fromkeys([*(s for s in METHOD_SCOPES.values() if s), *kinds, "im:write", "mpim:write",
                                EMAIL_SCOPE]))


def default_bot_scopes() -> tuple[str, ...]:
    """The manifest's bot scopes; in an installed copy without the checkout's manifest.yml (the
    sandbox run from a wheel), every scope, said once in the log, rather than a sandbox that cannot start."""
    if MANIFEST.is_file():
        return manifest_bot_scopes(MANIFEST)
    log.warning("no %s: the emulator grants every scope it knows", MANIFEST)
    return every_scope()


def manifest_bot_scopes(path: Path = MANIFEST) -> tuple[str, ...]:
    """`oauth_config.scopes.bot` of a Slack app manifest in YAML block style (as manifest.yml is written).

    Raises ValueError when the list is not there, so a reshaped manifest fails loudly rather than
    leaving the emulator with no scopes (or all of them).
    """
    if not path.is_file():
        raise FileNotFoundError(f"no Slack app manifest at {path}: the emulator takes its scopes from it "
                                "(or pass scopes= to SlackEmulator)")
    path_so_far: list[tuple[int, str]] = []  # (indent, key) of the mappings we are inside
    scopes: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"\s+#.*$", "", raw).rstrip()  # comments; no scope or key holds " #"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        item = re.fullmatch(r"\s*-\s+(\S+)", line)
        if item and scopes is not None and [k for _, k in path_so_far] == ["oauth_config", "scopes", "bot"]:
            scopes.append(item.group(1).strip("'\""))
            continue
        key = re.fullmatch(r"\s*([A-Za-z_]+):(.*)", line)
        if key is None:
            continue
        while path_so_far and path_so_far[-1][0] >= indent:
            path_so_far.pop()
        path_so_far.append((indent, key.group(1)))
        if [k for _, k in path_so_far] == ["oauth_config", "scopes", "bot"]:
            if key.group(2).strip():
                raise ValueError(f"{path}: write oauth_config.scopes.bot as a block list, one '- scope' a line")
            scopes = []
    if not scopes:
        raise ValueError(f"{path}: no oauth_config.scopes.bot list found")
    return tuple(scopes)


class UnknownCommand(ValueError):
    """A slash command no installed app registers: Slack refuses it in the client and sends nothing."""

    def __init__(self, command: str):
        # Slack's own words (Slackbot says them, visible only to the person who typed the command).
        super().__init__(f"{command} is not a valid command. In Slack, all messages that start with the \"/\" "
                         "character are interpreted as commands. If you are trying to send a message and not run "
                         "a command, try preceding the \"/\" with an empty space.")
        self.command = command


def default_slash_commands() -> tuple[str, ...] | None:
    """The manifest's slash commands; None (every command is routed) in an installed copy without it."""
    return manifest_slash_commands(MANIFEST) if MANIFEST.is_file() else None


def manifest_slash_commands(path: Path = MANIFEST) -> tuple[str, ...]:
    """Each `features.slash_commands[].command` of a manifest in YAML block style, e.g. ("/badges",)."""
    commands: list[str] = []
    path_so_far: list[tuple[int, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"\s+#.*$", "", raw).rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key = re.fullmatch(r"\s*(?:-\s+)?([A-Za-z_]+):(.*)", line)
        if key is None:
            continue
        while path_so_far and path_so_far[-1][0] >= indent:
            path_so_far.pop()
        if [k for _, k in path_so_far] == ["features", "slash_commands"]:
            if key.group(1) == "command":
                commands.append(key.group(2).strip().strip("'\""))
            continue  # the other fields of a command (url, description...)
        path_so_far.append((indent, key.group(1)))
    return tuple(commands)
