"""The workspace directory: who belongs to which Slack user group, and people's names.

The real one asks Slack (usergroups.users.list, users.info) and caches briefly; the static one
serves tests, the CLI and the sandbox.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

from slack_sdk.errors import SlackApiError

GROUPS_SCOPE = "usergroups:read"


class Directory(Protocol):
    def members_of(self, group_id: str) -> frozenset[str]: ...

    def missing_scope(self) -> str | None:
        """The OAuth scope the directory needs and lacks (checked once at start), or None."""
        ...

    def email_of(self, user_id: str) -> str | None:
        """The person's email in their Slack profile (users:read.email), or None when it is not known."""
        ...

    def name_of(self, user_id: str) -> str | None:
        """The person's name in their Slack profile (users:read): the real name, else the display name;
        None when it is not known now."""
        ...


class StaticDirectory:
    def __init__(self, groups: Mapping[str, set[str] | frozenset[str]] | None = None,
                 emails: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None):
        self.groups = {k: frozenset(v) for k, v in (groups or {}).items()}
        self.emails = dict(emails or {})
        self.names = dict(names or {})

    def email_of(self, user_id: str) -> str | None:
        return self.emails.get(user_id)

    def name_of(self, user_id: str) -> str | None:
        return self.names.get(user_id)

    def members_of(self, group_id: str) -> frozenset[str]:
        return self.groups.get(group_id, frozenset())

    def missing_scope(self) -> str | None:
        return None


class SlackDirectory:
    """User-group members from Slack's Web API, cached for `ttl` seconds."""

    def __init__(self, client: object, ttl: float = 300.0):
        self.client = client
        self.ttl = ttl
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._profiles: dict[str, tuple[float, dict[str, Any]]] = {}
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

    def missing_scope(self) -> str | None:
        """"usergroups:read" when the bot token lacks it, else None.

        Asked of auth.test, whose X-OAuth-Scopes header lists the token's scopes (Slack sends it on
        every Web API answer): without the scope every user group would look empty, and its grantors,
        hosts and admins would be refused without a word. None too when Slack does not say (no header).
        """
        response = self.client.auth_test()  # type: ignore[attr-defined]
        headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
        granted = headers.get("x-oauth-scopes")
        if isinstance(granted, list):  # slack_sdk keeps some headers as lists
            granted = ",".join(granted)
        if granted is None:
            return None
        return None if GROUPS_SCOPE in {s.strip() for s in str(granted).split(",")} else GROUPS_SCOPE

    def email_of(self, user_id: str) -> str | None:
        """The profile email from users.info (users:read.email); None when the profile has none or Slack
        cannot say now."""
        profile = self._profile(user_id)
        return (profile or {}).get("email") or None

    def name_of(self, user_id: str) -> str | None:
        """The name the person gave Slack: profile.real_name, else profile.display_name (which may be empty);
        None when Slack cannot say now."""
        profile = self._profile(user_id) or {}
        return (str(profile.get("real_name") or "").strip() or str(profile.get("display_name") or "").strip()
                or None)

    def _profile(self, user_id: str) -> dict[str, Any] | None:
        """users.info's profile, cached like the groups (one call serves the email and the name, and a
        hosted assertion or a page does not ask Slack on every fetch); None when Slack cannot say now (not
        cached, so the next call asks again)."""
        with self._lock:
            hit = self._profiles.get(user_id)
            if hit and hit[0] > time.monotonic():
                return hit[1]
        try:
            response = self.client.users_info(user=user_id)  # type: ignore[attr-defined]
            profile = dict((response.get("user") or {}).get("profile") or {})
        except SlackApiError:
            # Unknown user, missing scope, Slack down: not known now; callers say so or keep what they have.
            return None
        with self._lock:
            self._profiles[user_id] = (time.monotonic() + self.ttl, profile)
        return profile
