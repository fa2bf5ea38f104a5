"""What the scheduler says: certificate nudges, congratulations, review reminders, expiry notices.

Pure builders over plain data (the outbox payloads), each returning (text, blocks): the text is the
notification and screen-reader line, the blocks what Slack shows.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.wording import name_with_type, plural
from handlers.slack.blocks.kit import (
    Block, actions, bold_with_type, button, context, escape, fit, progress_bar, section,
)
from handlers.slack.blocks.learner import SUBMIT_ACTION

NUDGES_OFF_HINT = "You get these about once a week. `/badges nudges off` stops them."
REMINDER_LIST_LIMIT = 20
MAX_BUTTONS = 5


def certificate_title(name: str, type_label: str) -> str:
    """ "Data Analytics (Practiced)" + "Digital Certificate (Practiced)" ->
    "Digital Certificate (Practiced) in Data Analytics"; a name that does not repeat the level is
    kept whole ("Digital Certificate (Expert) in Cloud Data Engineering")."""
    level = type_label[type_label.find("("):] if "(" in type_label else ""
    subject = name.strip()
    if level and subject.endswith(level):
        subject = subject[: -len(level)].strip()
    return f"{type_label} in {subject}" if subject else type_label


def nudge_text(held: int, required: int, title: str, missing: Sequence[str]) -> str:
    """ "2 of 3 toward Digital Certificate (Practiced) in Data Analytics; remaining: SQL Basics" """
    return f"{held} of {required} toward {title}; remaining: {', '.join(missing)}"


def nudge_message(payload: Mapping[str, Any]) -> tuple[str, list[Block]]:
    """The nudge toward one certificate, with a button to submit for each missing badge not in review."""
    title = certificate_title(payload["certificate_name"], payload["certificate_type"])
    missing = [(m["slug"], m["name"], bool(m.get("in_review"))) for m in payload["missing"]]
    text = nudge_text(payload["held"], payload["required"], title, [name for _, name, _ in missing])
    shown = ", ".join(f"{escape(name)}" + (" (in review)" if in_review else "") for _, name, in_review in missing)
    blocks: list[Block] = [section(
        f":scroll: You are *{payload['held']} of {payload['required']}* toward *{escape(title)}*.\n"
        f"`{progress_bar(payload['held'], payload['required'])}` remaining: {shown}")]
    buttons = [button(f"Submit for {name}", SUBMIT_ACTION, slug, style="primary" if i == 0 else None)
               for i, (slug, name, _) in enumerate([m for m in missing if not m[2]][:MAX_BUTTONS])]
    blocks += actions(*buttons) if buttons else []
    blocks.append(context(NUDGES_OFF_HINT))
    return text, blocks


def congratulations_message(finished: Sequence[Mapping[str, Any]]) -> tuple[str, list[Block]]:
    """For a learner who finished one or more certificates since the last round of nudges."""
    titles = [certificate_title(f["name"], f["type"]) for f in finished]
    text = f"Congratulations on completing {_and(titles)}!"
    share = " ".join(f"`/badges share {f['slug']}`" for f in finished)
    blocks = [section(f":mortar_board: Congratulations on completing *{_and([escape(t) for t in titles])}*! "
                      f"Show it off: {share}."),
              context(NUDGES_OFF_HINT)]
    return text, blocks


def review_reminder(items: Sequence[Mapping[str, Any]], links: Mapping[int, str | None]) -> tuple[str, list[Block]]:
    """One grantor's daily list of submissions waiting for them, oldest first."""
    count = len(items)
    text = f"{plural(count, 'submission')} waiting for your review"
    lines = [_waiting_line(item, links.get(item["id"])) for item in items[:REMINDER_LIST_LIMIT]]
    if count > REMINDER_LIST_LIMIT:
        lines.append(f"…and {count - REMINDER_LIST_LIMIT} more: `/badges review` lists them all.")
    blocks = [section(f":hourglass_flowing_sand: *{text}*, oldest first:"), *_chunked(lines),
              context("Each card is in the review channel; decide there, or ask a fellow grantor to.")]
    return text, fit(blocks)


def review_escalation(items: Sequence[Mapping[str, Any]], links: Mapping[int, str | None],
                      days: int) -> tuple[str, list[Block]]:
    """The review channel's reminder about submissions waiting longer than the second threshold."""
    count = len(items)
    text = f"{count} submission{'s have' if count != 1 else ' has'} waited more than {days} days for a decision"
    lines = [_waiting_line(item, links.get(item["id"]), grantors=True) for item in items[:REMINDER_LIST_LIMIT]]
    if count > REMINDER_LIST_LIMIT:
        lines.append(f"…and {count - REMINDER_LIST_LIMIT} more.")
    blocks = [section(f":rotating_light: *{text}*. Learners are waiting:"), *_chunked(lines)]
    return text, fit(blocks)


def expiry_notice(name: str, type_label: str, slug: str, expires_at: dt.datetime, today: dt.date) -> tuple[str, list[Block]]:
    """A heads-up before an award lapses."""
    days = (expires_at.date() - today).days
    when = f"{expires_at:%B} {expires_at.day}, {expires_at.year}"
    text = f"Your {name_with_type(name, type_label)} expires on {when}, in {plural(days, 'day')}."
    blocks = [section(f":alarm_clock: Heads-up: your {bold_with_type(name, type_label)} expires on *{when}*, "
                      f"in {plural(days, 'day')}. After that it no longer counts toward "
                      "certificates, and its public page says it has expired."),
              context(f"`/badges` shows everything you hold · credential `{slug}`")]
    return text, blocks


def lapsed_notice(name: str, type_label: str, slug: str, expired_at: dt.datetime) -> tuple[str, list[Block]]:
    """Told when an award lapses (the App Home is refreshed with it)."""
    when = f"{expired_at:%B} {expired_at.day}, {expired_at.year}"
    text = f"Your {name_with_type(name, type_label)} expired on {when}."
    blocks = [section(f":hourglass: Your {bold_with_type(name, type_label)} expired on {when}. It stays in your "
                      "history but no longer counts toward certificates. Earn it again by submitting new work "
                      f"with `/badges submit {slug}`.")]
    return text, blocks


# --------------------------------------------------------------------------- helpers


def _waiting_line(item: Mapping[str, Any], link: str | None, grantors: bool = False) -> str:
    days = item["waiting_days"]
    name = escape(item["credential_name"])
    subject = f"<{link}|{name}>" if link else f"*{name}*"
    who = f" · grantors: {', '.join(_mention(g) for g in item.get('grantors', []))}" if grantors else ""
    return f"• {subject} from <@{item['learner']}>, waiting {plural(days, 'day')}{who}"


def _mention(holder: str) -> str:
    return f"<!subteam^{holder}>" if holder.startswith("S") else f"<@{holder}>"


def _chunked(lines: Sequence[str]) -> list[Block]:
    blocks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > 2900:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"
