"""What learners see: the /badges dashboard (also the App Home), catalog results, the submit form."""
from __future__ import annotations

from bot.domain.vocabulary import CredentialType, SubmissionStatus
from bot.domain.wording import plural
from bot.usecases.progress import Progress
from config.catalog import CredentialSpec
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


def catalog_results(found: list[CredentialSpec], words: str, *, limit: int = 50) -> list[Block]:
    if not found:
        return [section(f"Nothing in the catalog matches _{escape(words)}_. Try `/badges catalog` for everything.")]
    title = plural(len(found), "credential") + (f" matching _{escape(words)}_" if words else "")
    blocks: list[Block] = [section(f"*{title}*")]
    for spec in found:
        accessory = button("Submit work", SUBMIT_ACTION, spec.id) if spec.type.is_badge else None
        how = {
            CredentialType.SOUVENIR: "Earned by attending: scan the event's QR code or `/badges claim CODE`.",
            CredentialType.CERTIFICATE_PRACTICED: "Awarded automatically with all its Level I badges.",
            CredentialType.CERTIFICATE_EXPERT: "Awarded automatically with all its Level II badges.",
        }.get(spec.type, "")
        blocks.append(section(
            f"{EMOJI[spec.type]} *{escape(spec.name)}* · {spec.type.label} · `{spec.id}`\n"
            f"{escape(spec.description)}\n_Criteria:_ {escape(spec.criteria)}" + (f"\n{how}" if how else ""),
            accessory=accessory))
    return fit(blocks, limit, more="…more results: add words to narrow the search.")


SUBMIT_CALLBACK = "submit_artifact"


def submit_modal(spec: CredentialSpec, *, resubmission_of: int | None = None) -> Block:
    """The form for work on a badge: files (up to 10), a reflection, an optional link."""
    title = "Resubmit work" if resubmission_of else "Submit work"
    blocks: list[Block] = [
        section(f"{bold_with_type(spec.name, spec.type.label)}\n_Criteria:_ {escape(spec.criteria)}"),
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
        "private_metadata": f"{spec.id}|{resubmission_of or ''}",
        "title": plain(title, 24), "submit": plain("Submit", 24), "close": plain("Cancel", 24),
        "blocks": blocks,
    }
