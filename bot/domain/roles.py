"""Who may do what. Role lists name Slack users (U…/W…) or user groups (S…)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

GroupMembers = Callable[[str], frozenset[str]]
"""Resolves a user-group id to its members' user ids (Slack's usergroups.users.list)."""


def is_member(user: str, holders: Iterable[str], members_of: GroupMembers) -> bool:
    """True when `user` is named directly, or belongs to a named user group."""
    for holder in holders:
        if holder == user:
            return True
        if holder.startswith("S") and user in members_of(holder):
            return True
    return False
