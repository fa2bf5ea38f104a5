"""What a submission must be: which credentials take one, and what its form must hold.

One place for these rules: the Slack form shows them as field errors before it closes, and the
submit use case enforces them again (a DM, the CLI or a replayed request never saw the form).
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.domain.vocabulary import CredentialType

MAX_FILES = 10
MAX_REFLECTION = 3000


def not_submittable(kind: CredentialType, name: str) -> str | None:
    """Why no one submits work for this credential, or None for a badge."""
    if kind.is_certificate:
        return (f"{name} is awarded automatically when you hold all its badges; there is nothing to submit. "
                "`/badges` shows what is missing.")
    if not kind.is_badge:
        return (f"{name} is a souvenir: it is awarded at events (scan the QR code, or `/badges claim CODE`), "
                "not by submitting work.")
    return None


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} MB"
    return f"{n / 1024:.3g} KB" if n >= 1024 else f"{n} bytes"


def form_problems(files: Sequence[tuple[str, int | None]], reflection: str, link: str | None, *,
                  max_bytes: int | None = None, reflection_required: bool = True) -> dict[str, str]:
    """Field -> what is wrong, for files given as (name, size or None when unknown)."""
    problems: dict[str, str] = {}
    if not files:
        problems["files"] = "Attach at least one file: the artifact your grantor will assess."
    elif len(files) > MAX_FILES:
        problems["files"] = f"Attach at most {MAX_FILES} files (you attached {len(files)})."
    elif max_bytes is not None:
        too_big = [name for name, size in files if size is not None and size > max_bytes]
        if too_big:
            problems["files"] = f"{too_big[0]} is over the {human_size(max_bytes)} limit."
    reflection = (reflection or "").strip()
    if reflection_required and not reflection:
        problems["reflection"] = "Write a few words about your work."
    elif len(reflection) > MAX_REFLECTION:
        problems["reflection"] = f"Keep the reflection under {MAX_REFLECTION} characters."
    if link and not link.startswith(("https://", "http://")):
        problems["link"] = "The link must start with https://"
    return problems
