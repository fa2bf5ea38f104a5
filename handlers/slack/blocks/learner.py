"""What learners see: the /badges dashboard (also the App Home), catalog results, the submit form."""
from __future__ import annotations

from typing import Any

from bot.domain.vocabulary import CredentialType, SubmissionStatus
from bot.domain.wording import plural, reflowed
from bot.usecases.progress import Progress
from config.catalog import Catalog, CredentialSpec
from handlers.slack.blocks.kit import (
    Block, actions, bold_with_type, button, context, divider, escape, fit, header, plain, progress_bar, section,
)

SUBMIT_ACTION = "submit_for"
EMOJI = {
    CredentialType.SOUVENIR: ":ticket:",
    CredentialType.BADGE_LEVEL_1: ":second_place_medal:",
    CredentialType.BADGE_LEVEL_2: ":first_place_medal:",
    CredentialType.CERTIFICATE_PRACTICED: ":scroll:",
    CredentialType.CERTIFICATE_EXPERT: ":mortar_board:",
}
STATUS = {
    SubmissionStatus.SUBMITTED: ":hourglass_flowing_sand: in review",
    SubmissionStatus.RESUBMITTED: ":hourglass_flowing_sand: resubmitted, in review",
    SubmissionStatus.CHANGES_REQUESTED: ":pencil2: changes requested: reply in its thread with new files",
}


def dashboard(progress: Progress, *, limit: int = 50, home: bool = False) -> list[Block]:
    """The learner's standing: held awards, submissions in play, and every started certificate."""
    blocks: list[Block] = [header("Your badges")]
    if progress.holdings:
        lines = []
        for h in progress.holdings:
            extra = " — *with Distinction*" if h.distinction else ""
            expires = f", valid until {h.expires_at:%b %d, %Y}" if h.expires_at else ""
            shared = " · :globe_with_meridians: public" if h.shared else ""
            lines.append(f"{EMOJI[h.type]} {bold_with_type(h.name, h.type.label)}{extra}{expires}{shared}")
        blocks += _chunked_sections(f"You hold {len(progress.holdings)}:", lines)
    else:
        blocks.append(section("You hold no credentials yet. Browse what you can earn with `/badges catalog`."))

    if progress.pending:
        blocks.append(divider())
        lines = [f"• *{escape(p.name)}*: {STATUS.get(p.status, p.status.value)}" for p in progress.pending]
        blocks += _chunked_sections("In progress:", lines)

    unfinished = [s for s in progress.stacks if not s.complete]
    if unfinished:
        blocks.append(divider())
        blocks.append(section("*Certificates you have started*"))
    for stack in unfinished:
        held, required = len(stack.held), stack.required
        missing = ", ".join(escape(name) for _, name in stack.missing)
        blocks.append(section(
            f"{EMOJI[stack.type]} *{escape(stack.name)}*\n`{progress_bar(held, required)}` {held} of {required}"
            f" — missing: {missing}"))
        in_review = {p.credential for p in progress.pending}
        buttons = [button(f"Submit for {name}", SUBMIT_ACTION, slug)
                   for slug, name in stack.missing if slug not in in_review]
        blocks += actions(*buttons) if buttons else []
    if not home:
        blocks.append(context("`/badges help` lists every command · your App Home tab shows this too"))
    return fit(blocks, limit)


def _chunked_sections(title: str, lines: list[str]) -> list[Block]:
    """Long lists split over several sections, each under Slack's 3000 characters."""
    blocks, current = [], f"*{title}*"
    for line in lines:
        if len(current) + len(line) + 1 > 2900:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    blocks.append(section(current))
    return blocks


HOW_EARNED = {
    CredentialType.SOUVENIR: "Earned by attending: scan the event's QR code or `/badges claim CODE`.",
    CredentialType.CERTIFICATE_PRACTICED: "Awarded automatically with all its Level I badges.",
    CredentialType.CERTIFICATE_EXPERT: "Awarded automatically with all its Level II badges.",
}
HELD = ":white_check_mark:"
TO_EARN = ":white_small_square:"


def catalog_results(found: list[CredentialSpec], words: str, *, limit: int = 50, progress: Progress | None = None,
                    catalog: Catalog | None = None) -> list[Block]:
    """Catalog entries, each with how it is earned. With the learner's `progress`, what they hold or have in
    review is marked and offers no "Submit work"; with the `catalog`, a certificate names the badges it stacks."""
    if not found:
        return [section(f"Nothing in the catalog matches _{escape(words)}_. Try `/badges catalog` for everything.")]
    title = plural(len(found), "credential") + (f" matching _{escape(words)}_" if words else "")
    blocks: list[Block] = [section(f"*{title}*")]
    for spec in found:
        standing = _standing(spec.id, progress)
        accessory = button("Submit work", SUBMIT_ACTION, spec.id) if spec.type.is_badge and not standing else None
        lines = [f"{EMOJI[spec.type]} *{escape(spec.name)}* · {spec.type.label} · `{spec.id}`"
                 + (f"\n{standing}" if standing else ""),
                 escape(reflowed(spec.description)),
                 f"_Criteria:_ {escape(reflowed(spec.criteria))}"]
        if spec.requires:
            lines.append(_stacked_badges(spec, progress, catalog))
        if aligned := alignment_line(spec):
            lines.append(aligned)
        if how := HOW_EARNED.get(spec.type):
            lines.append(how)
        blocks.append(section("\n".join(lines), accessory=accessory))
    return fit(blocks, limit, more="…more results: add words to narrow the search.")


def _standing(slug: str, progress: Progress | None) -> str:
    """"You hold this" or the state of the learner's submission for it; "" when neither (or unknown)."""
    if progress is None:
        return ""
    if progress.holds(slug):
        return f"{HELD} *You hold this.*"
    pending = next((p for p in progress.pending if p.credential == slug), None)
    return f"*Yours:* {STATUS.get(pending.status, pending.status.value)}" if pending else ""


def _stacked_badges(spec: CredentialSpec, progress: Progress | None, catalog: Catalog | None) -> str:
    """A certificate's badges, each marked held / in review / to earn when the learner's standing is known."""
    names = []
    for slug in spec.requires:
        badge = catalog.get(slug) if catalog else None
        name = escape(badge.name if badge else slug)
        if progress is None:
            names.append(f"• {name}")
        elif progress.holds(slug):
            names.append(f"• {HELD} {name}")
        elif any(p.credential == slug for p in progress.pending):
            names.append(f"• :hourglass_flowing_sand: {name} (in review)")
        else:
            names.append(f"• {TO_EARN} {name}")
    held = sum(1 for slug in spec.requires if progress is not None and progress.holds(slug))
    count = f" ({held} of {len(spec.requires)} held)" if progress is not None else ""
    return f"_Stacks {plural(len(spec.requires), 'badge')}{count}:_\n" + "\n".join(names)


def alignment_line(spec: CredentialSpec) -> str:
    """The skills a credential aligns to in published frameworks, each linked to its entry: "SQL (ESCO)";
    "" when it names none. (The framework's own codes, often UUIDs, are for machines: the OB 3.0 file has them.)"""
    shown = []
    for target in spec.alignment:
        label = f"{escape(target.name or target.code)} ({escape(str(target.framework.value))})"
        shown.append(f"<{target.url}|{label}>" if target.url else label)
    return f"_Skills alignment:_ {' · '.join(shown)}" if shown else ""


def sent_note(credential_name: str) -> str:
    return (f":inbox_tray: Your work for *{escape(credential_name)}* is on its way to its grantors; "
            "I confirm in our messages once its files are in. `/badges` shows where everything stands.")


def without_submit(blocks: list[Block], slug: str, credential_name: str) -> list[Block] | None:
    """A message's blocks once its learner has sent work for `slug`: every button that would submit for it
    again is gone (an actions block left empty too), with a line saying the work is sent; None when the
    message offered no such button (nothing to change)."""
    def submits(element: Any) -> bool:
        return isinstance(element, dict) and element.get("action_id") == SUBMIT_ACTION and element.get("value") == slug

    result: list[Block] = []
    changed = False
    for block in blocks:
        if block.get("type") == "actions":
            kept = [e for e in block.get("elements", []) if not submits(e)]
            if len(kept) != len(block.get("elements", [])):
                changed = True
                if kept:
                    result.append({**block, "elements": kept})
                result.append(context(sent_note(credential_name)))
                continue
        elif submits(block.get("accessory")):
            changed = True
            result.append({k: v for k, v in block.items() if k != "accessory"})
            result.append(context(sent_note(credential_name)))
            continue
        result.append(block)
    return result if changed else None


SUBMIT_CALLBACK = "submit_artifact"


def submit_modal(spec: CredentialSpec, *, resubmission_of: int | None = None, origin: str = "") -> Block:
    """The form for work on a badge: files (up to 10), a reflection, an optional link.

    `origin` names the message whose button opened it (handlers/slack/actions/learner.py), so that the form,
    once sent, takes that button away: an old "Submit for …" must not offer a second submission."""
    title = "Resubmit work" if resubmission_of else "Submit work"
    blocks: list[Block] = [
        section(f"{bold_with_type(spec.name, spec.type.label)}\n_Criteria:_ {escape(reflowed(spec.criteria))}"),
        {"type": "input", "block_id": "files", "label": plain("Your artifact (up to 10 files)"),
         "element": {"type": "file_input", "action_id": "files", "max_files": 10}},
        {"type": "input", "block_id": "reflection", "label": plain("Reflection"),
         "hint": plain("What did you do, and what did you learn? Your grantor reads this with your files.", 150),
         "element": {"type": "plain_text_input", "action_id": "reflection", "multiline": True,
                     "max_length": 3000}},
    ]
    if not resubmission_of:
        blocks.append({"type": "input", "block_id": "link", "optional": True, "label": plain("Link"),
                       "element": {"type": "url_text_input", "action_id": "link"}})
    if spec.type is CredentialType.BADGE_LEVEL_1:
        blocks.append(context(":lock: Level I artifacts stay private: only you and the grantors see them."))
    else:
        blocks.append(context(":globe_with_meridians: Level II artifacts become part of the award's evidence, "
                              "public only if you share the award."))
    return {
        "type": "modal", "callback_id": SUBMIT_CALLBACK,
        "private_metadata": f"{spec.id}|{resubmission_of or ''}|{origin}"[:3000],
        "title": plain(title, 24), "submit": plain("Submit", 24), "close": plain("Cancel", 24),
        "blocks": blocks,
    }
