"""What a submission must be: which credentials take one, and what its form must hold.

One place for these rules: the Slack form shows them as field errors before it closes, and the
submit use case enforces them again (a DM, the CLI or a replayed request never saw the form).
"""
from __future__ import annotations

from collections.abc import Sequence

from bot.domain.vocabulary import CredentialType
from bot.domain.wording import plural

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
    """A file's size as a person reads it: "20 bytes", "1.5 KB", "312 KB", "25 MB" (never "1 KB" for
    20 bytes, nor "1.02e+03 KB"): one decimal under 10, none above; a unit up once it rounds to 1024."""
    if n < 1024:
        return plural(n, "byte")
    value, unit = n / 1024, "KB"
    for bigger in ("MB", "GB"):
        if round(value) < 1024:
            break
        value, unit = value / 1024, bigger
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return f"{text.removesuffix('.0')} {unit}"


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
