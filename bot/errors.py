"""Errors a use case raises for its caller to show: each message is written for the person who acted."""
from __future__ import annotations


class BadgebotError(Exception):
    """Base: `str(error)` is a complete sentence for the user."""


class NotFound(BadgebotError):
    pass


class NotAllowed(BadgebotError):
    pass


class Conflict(BadgebotError):
    """The request clashes with the current state (already decided, already held, ...)."""


class InvalidInput(BadgebotError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class FileRejected(BadgebotError):
    """A file cannot be accepted (too big, of a type we do not take, not from Slack, not fetched)."""


class FileNotFetched(FileRejected):
    """A file could not be fetched this time (the network, Slack's answer, cut short): worth another try."""
