"""What grantors see: the review card in the channel, the reason form, and decision messages."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from bot.domain.submitting import human_size
from bot.domain.vocabulary import Decision, SubmissionStatus
from bot.domain.wording import plural, reflowed
from bot.usecases.reviews import SubmissionCard
from handlers.slack.blocks.kit import (
    Block, actions, button, clip, context, divider, escape, header, plain, section,
)

ACTION = {
    Decision.APPROVE: "review_approve",
    Decision.APPROVE_WITH_DISTINCTION: "review_approve_distinction",
    Decision.REQUEST_CHANGES: "review_request_changes",
    Decision.REJECT: "review_reject",
}
DECISION_OF_ACTION = {v: k for k, v in ACTION.items()}
REASON_CALLBACK = "review_reason"
VERB = {
    Decision.APPROVE: "approved",
    Decision.APPROVE_WITH_DISTINCTION: "approved with Distinction",
    Decision.REQUEST_CHANGES: "asked for changes",
    Decision.REJECT: "rejected",
}

FileLink = Callable[[int], str]
"""Makes a grantor-only (signed, expiring) link to an artifact."""


def review_card(card: SubmissionCard, file_link: FileLink) -> list[Block]:
    """The card in the review channel; rebuilt in place after each decision."""
    blocks: list[Block] = [
        header(f"{card.credential_type}: {card.credential_name}"),
        section(f"<@{card.learner}> submitted work for *{escape(card.credential_name)}*"
                + (f" (round {card.round})" if card.round > 1 else ""),
                fields=[f"*Learner*\n<@{card.learner}>", f"*Credential*\n`{card.credential}`",
                        f"*Level*\n{card.credential_type}",
                        f"*Approvals*\n{card.approvals} of {card.approvals_required}"]),
    ]
    if card.reflection:
        blocks.append(section(f"*Reflection*\n{quoted(card.reflection)}"))
    files = [f for f in card.files if f.round == card.round] or list(card.files)
    if files:
        lines = [f"• <{file_link(f.artifact_id)}|{escape(f.filename)}> ({human_size(f.size)}, {f.media_type})" for f in files]
        blocks.append(section("*Files* (links for grantors, valid 14 days)\n" + "\n".join(lines)))
    if card.link:
        blocks.append(section(f"*Link*\n{escape(card.link)}"))
    blocks.append(context(f"_Criteria:_ {escape(reflowed(card.criteria))}"))
    votes = [v for v in card.votes if v.round == card.round]
    if votes:
        blocks.append(context(*[f"<@{v.grantor}> {VERB[v.decision]}" for v in votes]))
    blocks.append(divider())
    if card.status.awaiting_review:
        value = str(card.submission_id)
        buttons = [button("Approve", ACTION[Decision.APPROVE], value, style="primary")]
        if card.distinction_allowed:
            buttons.append(button("Approve with Distinction", ACTION[Decision.APPROVE_WITH_DISTINCTION], value))
        buttons += [button("Request changes", ACTION[Decision.REQUEST_CHANGES], value),
                    button("Reject", ACTION[Decision.REJECT], value, style="danger")]
        blocks += actions(*buttons, block_id=f"review-{card.submission_id}")
        if card.approvals_required > 1:
            blocks.append(context(f"{card.approvals} of {card.approvals_required} approvals"))
    else:
        blocks.append(section(outcome_line(card)))
    return blocks


def quoted(text: str) -> str:
    """Text as a mrkdwn block quote: Slack's `>` quotes one line, so every line gets its own (a blank
    line too, or the quote would stop at the learner's first paragraph)."""
    return "\n".join(f">{line}" for line in escape(text.strip()).splitlines())


def outcome_line(card: SubmissionCard) -> str:
    icon = {SubmissionStatus.APPROVED: ":white_check_mark:", SubmissionStatus.REJECTED: ":x:",
            SubmissionStatus.CHANGES_REQUESTED: ":pencil2:", SubmissionStatus.WITHDRAWN: ":leftwards_arrow_with_hook:"}
    by = f" by <@{card.decided_by}>" if card.decided_by else ""
    last = next((v for v in reversed(card.votes) if v.grantor == card.decided_by), None)
    what = VERB[last.decision] if last else card.status.value.replace("_", " ")
    if card.status is SubmissionStatus.WITHDRAWN:
        return ":leftwards_arrow_with_hook: Withdrawn by the learner."
    # Only the first letter: str.capitalize() would lower the D of "with Distinction".
    return f"{icon.get(card.status, '')} *{what[:1].upper()}{what[1:]}*{by}."


def card_text(card: SubmissionCard) -> str:
    """The notification text (shown where blocks are not, e.g. push notifications)."""
    return f"New submission from <@{card.learner}> for {card.credential_name}"


def reason_modal(decision: Decision, submission_id: int, credential_name: str, channel: str = "",
                 ts: str = "") -> Block:
    title = "Request changes" if decision is Decision.REQUEST_CHANGES else "Reject"
    prompt = ("What should the learner change?" if decision is Decision.REQUEST_CHANGES
              else "Why is this submission rejected?")
    return {
        "type": "modal", "callback_id": REASON_CALLBACK,
        "private_metadata": f"{submission_id}|{decision.value}|{channel}|{ts}",
        "title": plain(title, 24), "submit": plain("Send", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(f"*{escape(credential_name)}*: the learner sees your words in their DM."),
            {"type": "input", "block_id": "reason", "label": plain(prompt),
             "element": {"type": "plain_text_input", "action_id": "reason", "multiline": True,
                         "min_length": 1, "max_length": 3000}},
        ],
    }


def decision_message(card: SubmissionCard, decision: Decision, grantor: str, comment: str,
                     status: SubmissionStatus) -> tuple[str, list[Block]]:
    """The learner's DM about a decision (posted in the submission's thread in their DM)."""
    name = escape(card.credential_name)
    if status is SubmissionStatus.APPROVED:
        honour = " *with Distinction*" if decision is Decision.APPROVE_WITH_DISTINCTION else ""
        text = f":tada: Your work for *{name}* was approved{honour}."
    elif status is SubmissionStatus.CHANGES_REQUESTED:
        text = (f":pencil2: <@{grantor}> asked for changes to your work for *{name}*. "
                "Reply in this thread with your revised files to resubmit.")
    elif status is SubmissionStatus.REJECTED:
        text = f":x: Your submission for *{name}* was not approved."
    else:  # an approval toward N-of-M
        text = (f":hourglass_flowing_sand: <@{grantor}> approved your work for *{name}* "
                f"({card.approvals} of {card.approvals_required} approvals).")
    blocks = [section(text)]
    if comment:
        blocks.append(section(f"*<@{grantor}> wrote:*\n{quoted(comment)}"))
    return text, blocks


def thread_note(decision: Decision, grantor: str, comment: str, card: SubmissionCard) -> str:
    """What the review thread records about each decision."""
    note = f"<@{grantor}> {VERB[decision]}"
    if card.approvals_required > 1 and decision.is_approval:
        note += f" ({card.approvals} of {card.approvals_required} approvals)"
    return note + (f": {escape(comment)}" if comment else ".")


def not_a_grantor(grantors: Mapping[str, Sequence[str]]) -> list[Block]:
    """The answer to `/badges review` from someone who assesses nothing: who does, for which badges."""
    intro = ("You are not a grantor of any credential, so no submissions wait for your review. Grantors are "
             "experts appointed by each badge's issuer to assess the work submitted for it")
    lines: list[str] = []
    for holder, names in grantors.items():
        line = f"• {mention(holder)}: {clip(escape(', '.join(names)), 200)}"
        if len(intro) + sum(len(x) + 1 for x in lines) + len(line) > 2800:
            break
        lines.append(line)
    if len(lines) < len(grantors):
        lines.append(f"…and {plural(len(grantors) - len(lines), 'more grantor')}.")
    text = intro + (":\n" + "\n".join(lines) if lines else "; none are appointed yet.")
    return [section(text),
            context("An administrator names the grantors in the catalog. Your own work: `/badges`.")]


def mention(holder: str) -> str:
    """A grantor as Slack shows them: a person (U…/W…) or a user group (S…)."""
    return f"<!subteam^{holder}>" if holder.startswith("S") else f"<@{holder}>"


def waiting_list(cards: list[SubmissionCard], permalink: Callable[[SubmissionCard], str | None]) -> list[Block]:
    if not cards:
        return [section(":sparkles: Nothing is waiting for your review.")]
    blocks: list[Block] = [section(f"*{plural(len(cards), 'submission')} waiting for your review*, oldest first:")]
    for card in cards[:45]:
        link = permalink(card)
        where = f" · <{link}|open the card>" if link else ""
        blocks.append(section(f"• *{escape(card.credential_name)}* from <@{card.learner}>{where}"))
    if len(cards) > 45:
        blocks.append(context(f"…and {len(cards) - 45} more in the review channel."))
    return blocks
