"""The workspace directory: who belongs to which Slack user group, and people's names.

The real one asks Slack (usergroups.users.list, users.info) and caches briefly; the static one
serves tests, the CLI and the sandbox.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Protocol


class Directory(Protocol):
    def members_of(self, group_id: str) -> frozenset[str]: ...


class StaticDirectory:
    def __init__(self, groups: Mapping[str, set[str] | frozenset[str]] | None = None):
        self.groups = {k: frozenset(v) for k, v in (groups or {}).items()}

    def members_of(self, group_id: str) -> frozenset[str]:
        return self.groups.get(group_id, frozenset())


class SlackDirectory:
    """User-group members from Slack's Web API, cached for `ttl` seconds."""

    def __init__(self, client: object, ttl: float = 300.0):
        self.client = client
        self.ttl = ttl
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members_of(self, group_id: str) -> frozenset[str]:
        with self._lock:
            hit = self._cache.get(group_id)
            if hit and hit[0] > time.monotonic():
                return hit[1]
        response = self.client.usergroups_users_list(usergroup=group_id)  # type: ignore[attr-defined]
        members = frozenset(response.get("users", []))
        with self._lock:
            self._cache[group_id] = (time.monotonic() + self.ttl, members)
        return members
