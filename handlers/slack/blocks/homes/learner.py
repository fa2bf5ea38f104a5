"""A learner's part of the App Home: the pathway to each certificate, what needs changes, what is in
review, the awards they hold (shared or not) and their nudges."""
from __future__ import annotations

from collections.abc import Callable

from bot.domain.vocabulary import AWAITING_REVIEW, SubmissionStatus
from bot.domain.wording import plural
from bot.usecases.homes import ChangesAsked, Home
from bot.usecases.progress import Holding, Pending, Progress, Stack
from handlers.slack.blocks.kit import (
    Block,
    actions,
    bold_with_type,
    button,
    confirm_dialog,
    context,
    divider,
    escape,
    fit,
    header,
    plain,
    section,
)
from handlers.slack.blocks.learner import EMOJI, SUBMIT_ACTION

RESUBMIT_ACTION = "home_resubmit"
SHARE_ACTION = "home_share"
UNSHARE_ACTION = "home_unshare"
NUDGES_ACTION = "home_nudges"
ALL_AWARDS_ACTION = "home_all_awards"

STACKS_SHOWN = 6  # certificates in progress, closest to done first
CHANGES_SHOWN = 5
AWARDS_SHOWN = 8  # the rest behind "See all" (a modal)
BAR_CELLS = 10

AwardPage = Callable[[str], str]  # an award's public id -> its public page


def learner_section(home: Home, award_page: AwardPage) -> list[Block]:
    progress = home.progress
    in_review = [p for p in progress.pending if p.status in AWAITING_REVIEW]
    if home.staff and not (progress.holdings or progress.pending):
        return [header("Your own badges"),
                section("You hold no credentials yourself yet. `/badges catalog` shows what you can earn."),
                _nudges(progress)]
    blocks: list[Block] = [header("Your pathway")]
    blocks += _pathway(progress)
    if home.changes:
        blocks += [divider(), section("*Needs changes*")] + [_changes(c) for c in home.changes[:CHANGES_SHOWN]]
        if len(home.changes) > CHANGES_SHOWN:
            blocks.append(context("…and more: `/badges` lists every submission."))
    if in_review:
        blocks += [divider(), _in_review(in_review)]
    blocks += [divider(), *_holdings(progress, award_page), _nudges(progress)]
    return blocks


def bar(held: int, required: int) -> str:
    """▰▰▱▱ 2 of 4: one cell a badge (up to ten; longer stacks are drawn to scale)."""
    cells = min(required, BAR_CELLS)
    filled = round(cells * held / required) if required else 0
    return f"{'▰' * filled}{'▱' * (cells - filled)} {held} of {required}"


def _pathway(progress: Progress) -> list[Block]:
    unfinished = [s for s in progress.stacks if not s.complete]
    if not unfinished:
        return [section("No certificate started yet: each one stacks a few badges. `/badges catalog` lists them, "
                        "with the badges each certificate needs.")]
    names = {h.credential: h.name for h in progress.holdings}
    playing = {p.credential: p for p in progress.pending}
    blocks: list[Block] = []
    for stack in unfinished[:STACKS_SHOWN]:
        blocks.append(section(f"{EMOJI[stack.type]} *{escape(stack.name)}*\n{bar(len(stack.held), stack.required)}"))
        blocks.append(context(" · ".join(_badge_marks(stack, names, playing))))
        buttons = [button(f"Submit for {name}", SUBMIT_ACTION, slug) for slug, name in stack.missing
                   if slug not in playing]
        blocks += actions(*buttons) if buttons else []
    if len(unfinished) > STACKS_SHOWN:
        blocks.append(context(f"…and {plural(len(unfinished) - STACKS_SHOWN, 'more certificate')} started: "
                              "`/badges` shows them all."))
    return blocks


def _badge_marks(stack: Stack, names: dict[str, str], playing: dict[str, Pending]) -> list[str]:
    marks = [f":white_check_mark: {escape(names.get(slug, slug))}" for slug in stack.held]
    for slug, name in stack.missing:
        pending = playing.get(slug)
        if pending is None:
            marks.append(f":heavy_minus_sign: {escape(name)} (to earn)")
        elif pending.status is SubmissionStatus.CHANGES_REQUESTED:
            marks.append(f":pencil2: {escape(name)} (changes asked)")
        else:
            marks.append(f":hourglass_flowing_sand: {escape(name)} (in review)")
    return marks


def _changes(asked: ChangesAsked) -> Block:
    return section(
        f":pencil2: *{escape(asked.name)}*: <@{asked.grantor}> asked for changes on {asked.asked_at:%b %-d}:\n"
        f">{escape(asked.reason).replace(chr(10), chr(10) + '>')}",
        accessory=button("Resubmit", RESUBMIT_ACTION, str(asked.submission_id), style="primary"))


def _in_review(pending: list[Pending]) -> Block:
    lines = [f":hourglass_flowing_sand: *{escape(p.name)}*"
             + (" (resubmitted)" if p.status is SubmissionStatus.RESUBMITTED else "")
             + f", since {p.updated_at:%b %-d}" for p in pending[:20]]
    more = f"\n…and {len(pending) - 20} more" if len(pending) > 20 else ""
    return section("*In review*\n" + "\n".join(lines) + more)


def _holding_text(h: Holding, award_page: AwardPage) -> str:
    extra = " *with Distinction*" if h.distinction else ""
    expires = f", valid until {h.expires_at:%b %-d, %Y}" if h.expires_at else ""
    public = f"\n:globe_with_meridians: public at <{award_page(h.public_id)}|its page>" if h.shared else ""
    return f"{EMOJI[h.type]} {bold_with_type(h.name, h.type.label)}{extra}{expires}{public}"


def _holdings(progress: Progress, award_page: AwardPage) -> list[Block]:
    if not progress.holdings:
        return [section("You hold no credentials yet. Browse what you can earn with `/badges catalog`.")]
    blocks = [section(f"*You hold {plural(len(progress.holdings), 'credential')}*")]
    for h in progress.holdings[:AWARDS_SHOWN]:
        if h.shared:
            ask = confirm_dialog("Make it private?", f"The public page of *{escape(h.name)}* disappears.",
                                 "Make private")
            accessory = button("Unshare", UNSHARE_ACTION, h.credential, confirm=ask)
        else:
            ask = confirm_dialog("Make it public?", f"Anyone with the link will see your name and "
                                 f"*{escape(h.name)}*. You can undo this here.", "Make public")
            accessory = button("Share", SHARE_ACTION, h.credential, confirm=ask)
        blocks.append(section(_holding_text(h, award_page), accessory=accessory))
    if len(progress.holdings) > AWARDS_SHOWN:
        blocks += actions(button(f"See all {len(progress.holdings)}", ALL_AWARDS_ACTION))
    return blocks


def _nudges(progress: Progress) -> Block:
    if progress.nudges_enabled:
        return section(":bell: Nudges are on: I remind you when you are close to a certificate.",
                       accessory=button("Turn nudges off", NUDGES_ACTION, "off"))
    return section(":zzz: Nudges are off.", accessory=button("Turn nudges on", NUDGES_ACTION, "on"))


def all_awards_modal(progress: Progress, award_page: AwardPage) -> Block:
    """Every award, for a Home that shows only the latest: lines packed into sections under Slack's limits."""
    blocks: list[Block] = [context("Share or unshare one from your App Home, or with `/badges share <id>`.")]
    current = ""
    for h in progress.holdings:
        line = f"{_holding_text(h, award_page)} · `{h.credential}`".replace("\n", " · ")
        if len(current) + len(line) + 1 > 2900:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return {"type": "modal", "title": plain(f"Your {len(progress.holdings)} awards", 24),
            "close": plain("Close", 24),
            "blocks": fit(blocks, 100, more="…and more than fit here.")}
