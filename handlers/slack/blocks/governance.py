"""What governance looks like in Slack: the proposal form, the card in the governance channel (redrawn in place
as stages decide), the notes in its thread, the reason form, and the proposer's messages."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.governance import (
    ProposalKind,
    ProposalStatus,
    StageDecision,
    after,
    mention,
)
from bot.domain.vocabulary import CredentialType
from bot.usecases.governance import DecisionView, ProposalView
from handlers.slack.blocks.kit import (
    Block,
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    divider,
    escape,
    header,
    plain,
    section,
)

PROPOSAL_FORM = "proposal_form"
REASON_FORM = "proposal_reason"
DECIDE_ACTION = {StageDecision.APPROVE: "proposal_approve", StageDecision.CHANGES: "proposal_changes",
                 StageDecision.REJECT: "proposal_reject"}
DECISION_OF_ACTION = {v: k for k, v in DECIDE_ACTION.items()}
RESUBMIT_ACTION = "proposal_resubmit"
WITHDRAW_ACTION = "proposal_withdraw"

# The form's fields, each named by its [[credentials]] key: a catalog-check problem lands on its field.
TEXT_FIELDS = ("id", "name", "description", "criteria", "skills", "grantor_groups", "expires_after", "review_every")
FIELDS = ("id", "type", "name", "description", "criteria", "skills", "issuer", "grantors", "review_channel",
          "approvals_required", "distinction", "expires_after", "review_every", "requires")
ERROR_LIMIT = 150  # a line under the field, not a page: the thread is for discussion
ICON = {StageDecision.APPROVE: ":white_check_mark:", StageDecision.CHANGES: ":pencil2:", StageDecision.REJECT: ":x:"}
STATUS_LINE = {
    ProposalStatus.CHANGES_REQUESTED: ":pencil2: *Back with the proposer for changes.*",
    ProposalStatus.REJECTED: ":x: *Rejected.*",
    ProposalStatus.WITHDRAWN: ":leftwards_arrow_with_hook: *Withdrawn by the proposer.*",
}


# -- the proposal form -------------------------------------------------------------------------------------


def proposal_modal(purpose: str, issuers: Sequence[tuple[str, str]], badges: Sequence[tuple[str, str]],
                   table: dict[str, Any] | None = None) -> Block:
    """The form: `purpose` is "new", "change" or "resubmit:<id>" (the form's private_metadata); `issuers`
    (id, name) are those the user may propose for; `badges` (id, name) what a certificate may stack."""
    table = table or {}
    title = {"new": "Propose a credential", "change": "Propose a change"}.get(purpose, "Edit and resubmit")
    types = [(t.value, t.label) for t in CredentialType]
    blocks: list[Block] = [
        section("The proposal goes to the governance channel, where its stages decide it in order. Badge fields "
                "are for badges, _Stacks_ for certificates."),
        _text("id", "ID", table.get("id"), hint="Lowercase letters, digits and dashes, e.g. data-ethics-basics.",
              max_length=63),
        _select("type", "Type", types, table.get("type")),
        _text("name", "Name", table.get("name"), max_length=200),
        _text("description", "Description", table.get("description"), multiline=True),
        _text("criteria", "Criteria", table.get("criteria"), multiline=True,
              hint="What the learner must show to earn it."),
        _text("skills", "Skills", ", ".join(table.get("skills") or []), optional=True, hint="Comma-separated."),
        _select("issuer", "Issuer", list(issuers), table.get("issuer") or (issuers[0][0] if issuers else None)),
        _input("grantors", "Grantors (badges)", {
            "type": "multi_users_select", "action_id": "grantors", "placeholder": plain("Who assesses submissions"),
            **({"initial_users": users} if (users := [g for g in table.get("grantors") or [] if g[0] in "UW"])
               else {})}, optional=True),
        _text("grantor_groups", "Grantor user groups (badges)",
              ", ".join(g for g in table.get("grantors") or [] if g.startswith("S")), optional=True,
              hint="User-group ids (S…), comma-separated, if a group grants."),
        _input("review_channel", "Review channel (badges)", {
            # Public or private: the catalog takes C… and G… review channels alike.
            "type": "conversations_select", "action_id": "review_channel", "placeholder": plain("Where grantors review"),
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            **({"initial_conversation": table["review_channel"]} if table.get("review_channel") else {})},
            optional=True),
        _input("approvals_required", "Approvals required (badges)", {
            "type": "number_input", "action_id": "approvals_required", "is_decimal_allowed": False,
            "min_value": "1", **({"initial_value": str(table["approvals_required"])}
                                 if table.get("approvals_required") else {})}, optional=True),
        _input("distinction", "Distinction (badges)", {
            "type": "checkboxes", "action_id": "distinction",
            "options": [{"text": plain("May be granted with Distinction"), "value": "yes"}],
            **({"initial_options": [{"text": plain("May be granted with Distinction"), "value": "yes"}]}
               if table.get("distinction") else {})}, optional=True),
        _text("expires_after", "Expires after", table.get("expires_after"), optional=True,
              hint="How long an award stays valid, e.g. 2y or 18m; empty: it does not expire."),
        _text("review_every", "Evaluated every", table.get("review_every"), optional=True,
              hint="How often the office evaluates it (keep, change, retire), e.g. 2y."),
    ]
    if badges:
        options = [_option(value, label) for value, label in badges[:100]]
        chosen = [o for o in options if o["value"] in set(table.get("requires") or [])]
        blocks.append(_input("requires", "Stacks (certificates)", {
            "type": "multi_static_select", "action_id": "requires", "placeholder": plain("The badges it stacks"),
            "options": options, **({"initial_options": chosen} if chosen else {})}, optional=True))
    return {"type": "modal", "callback_id": PROPOSAL_FORM, "private_metadata": purpose,
            "title": plain(title, 24), "submit": plain("Resubmit" if purpose.startswith("resubmit") else "Propose", 24),
            "close": plain("Cancel", 24), "blocks": blocks}


def _input(block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label, 2000), "element": element,
                    "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text(field: str, label: str, value: Any, *, multiline: bool = False, optional: bool = False,
          hint: str | None = None, max_length: int = 3000) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": field, "multiline": multiline,
                      "max_length": max_length}
    if value not in (None, ""):
        element["initial_value"] = clip(str(value), max_length)
    return _input(field, label, element, optional=optional, hint=hint)


def _option(value: str, label: str) -> Block:
    return {"text": plain(label, 75), "value": value}


def _select(field: str, label: str, choices: list[tuple[str, str]], value: Any) -> Block:
    options = [_option(v, text) for v, text in choices]
    element: Block = {"type": "static_select", "action_id": field, "options": options}
    initial = next((o for o in options if o["value"] == value), None)
    if initial:
        element["initial_option"] = initial
    return _input(field, label, element)


def table_of(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The [[credentials]] table the form's `view.state.values` describe, and what could not be read, by field.
    A field left empty is left out, as a file would leave it out (the catalog check then says what is missing
    or does not belong to the type)."""
    def value(field: str) -> Any:
        return ((state.get(field) or {}).get(field)) or {}

    table: dict[str, Any] = {}
    for field in ("id", "name", "description", "criteria", "expires_after", "review_every"):
        text = (value(field).get("value") or "").strip()
        if text:
            table[field] = text
    for field in ("type", "issuer"):
        chosen = value(field).get("selected_option") or {}
        if chosen.get("value"):
            table[field] = chosen["value"]
    skills = [s.strip() for s in (value("skills").get("value") or "").split(",") if s.strip()]
    if skills:
        table["skills"] = skills
    groups = [g.strip() for g in (value("grantor_groups").get("value") or "").replace(" ", ",").split(",")
              if g.strip()]
    grantors = list(value("grantors").get("selected_users") or []) + groups
    if grantors:
        table["grantors"] = grantors
    if value("review_channel").get("selected_conversation"):
        table["review_channel"] = value("review_channel")["selected_conversation"]
    errors: dict[str, str] = {}
    approvals = (value("approvals_required").get("value") or "").strip()
    if approvals:
        if approvals.isdigit():
            table["approvals_required"] = int(approvals)
        else:
            errors["approvals_required"] = "must be a whole number, 1 or more"
    if value("distinction").get("selected_options"):
        table["distinction"] = True
    requires = [o["value"] for o in value("requires").get("selected_options") or []]
    if requires:
        table["requires"] = requires
    return table, errors


def field_errors(problems: dict[str, str]) -> dict[str, str]:
    """Problems by [[credentials]] key, as `response_action: errors` wants them: by the form's block id (a
    problem with a key the form has no field for is shown on the ID, naming its key)."""
    errors: dict[str, str] = {}
    for key, message in problems.items():
        block = key if key in FIELDS else "id"
        text = message if block == key else f"{key}: {message}"
        errors[block] = clip(f"{errors[block]}; {text}" if block in errors else text, ERROR_LIMIT)
    return errors


def proposed(view: ProposalView) -> Block:
    """The form's last page: where the proposal went."""
    first = view.stage_names[0] if view.stage_names else "the first"
    return {"type": "modal", "title": plain("Proposed", 24), "close": plain("Done", 24), "blocks": [section(
        f":inbox_tray: *{escape(view.name)}* went to the governance channel: the *{escape(first)}* stage decides "
        "first. I will tell you by DM at each step.")]}


# -- the card and its thread -------------------------------------------------------------------------------------


def card_text(view: ProposalView) -> str:
    """The card's notification text: it names who decides next, so they are notified."""
    waiting = _next(view, view.stage).replace(" Next:", " Waiting for") if view.status is ProposalStatus.OPEN else ""
    return f"{view.kind.label} proposed by <@{view.proposer}>: {escape(view.name)}.{waiting}"


def proposal_card(view: ProposalView) -> list[Block]:
    """The card in the governance channel; redrawn in place after every step."""
    t = view.table
    blocks: list[Block] = [
        header(f"{view.kind.label}: {view.name}"),
        section(f"<@{view.proposer}> proposes " + {
            ProposalKind.ADD: f"a new credential, *{escape(view.name)}*",
            ProposalKind.CHANGE: f"a change to *{escape(view.name)}*",
            ProposalKind.RETIRE: f"retiring *{escape(view.name)}* (its awards stay valid)",
        }[view.kind] + (f" (round {view.round})" if view.round > 1 else "") + ".",
            fields=[f"*Type*\n{escape(view.type_label)}", f"*ID*\n`{escape(view.credential)}`",
                    f"*Issuer*\n{escape(view.issuer)}", f"*Proposed by*\n<@{view.proposer}>"]),
    ]
    if view.reason:
        blocks.append(section(f"*Why*\n{escape(view.reason)}"))
    if view.kind is not ProposalKind.RETIRE:
        blocks.append(section(f"*Description*\n{escape(str(t.get('description', '')))}"))
        blocks.append(section(f"*Criteria*\n{escape(str(t.get('criteria', '')))}"))
        details = []
        if t.get("skills"):
            details.append("*Skills:* " + escape(", ".join(t["skills"])))
        if t.get("grantors"):
            details.append("*Grantors:* " + " ".join(mention(g) for g in t["grantors"])
                           + (f" ({t['approvals_required']} approvals)" if t.get("approvals_required", 1) > 1 else ""))
        if t.get("review_channel"):
            details.append(f"*Review channel:* <#{t['review_channel']}>")
        if t.get("distinction"):
            details.append("*Distinction:* may be granted")
        if t.get("requires"):
            details.append("*Stacks:* " + ", ".join(f"`{escape(r)}`" for r in t["requires"]))
        if t.get("expires_after"):
            details.append(f"*Expires after:* {escape(str(t['expires_after']))}")
        if t.get("review_every"):
            details.append(f"*Evaluated every:* {escape(str(t['review_every']))}")
        if details:
            blocks.append(section("\n".join(details)))
    blocks.append(context(*[_stage_line(view, index, name) for index, name in enumerate(view.stage_names)]))
    blocks.append(divider())
    if view.status is ProposalStatus.OPEN:
        value = f"{view.id}:{view.round}:{view.stage}"
        blocks += actions(
            button("Approve", DECIDE_ACTION[StageDecision.APPROVE], value, style="primary"),
            button("Ask for changes", DECIDE_ACTION[StageDecision.CHANGES], value),
            button("Reject", DECIDE_ACTION[StageDecision.REJECT], value, style="danger"),
            block_id=f"proposal-{view.id}")
        blocks.append(context(f"Waiting for the *{escape(view.stage_name)}* stage "
                              f"({view.stage + 1} of {len(view.stage_names)}). Discuss in the thread."))
    elif view.status is ProposalStatus.APPROVED:
        blocks.append(section(":white_check_mark: *Approved at every stage: "
                              + ("retired.*" if view.kind is ProposalKind.RETIRE else "live in the catalog.*")))
    else:
        blocks.append(section(STATUS_LINE[view.status]))
    return blocks


def _stage_line(view: ProposalView, index: int, name: str) -> str:
    decided = view.decided_stage(index)
    if decided is not None and (decided.round == view.round or decided.decision is StageDecision.APPROVE) \
            and not (view.status is ProposalStatus.OPEN and index == view.stage):
        return f"{ICON[decided.decision]} {escape(name)}: <@{decided.approver}>"
    if view.status is ProposalStatus.OPEN and index == view.stage:
        return f":hourglass_flowing_sand: {escape(name)}"
    return f":white_circle: {escape(name)}"


def step_note(view: ProposalView, decision: DecisionView | None, *, resubmitted: Sequence[str] | None = None,
              withdrawn_by: str | None = None) -> tuple[str, list[Block]]:
    """What the card's thread records about a step (a decision, a resubmission, a withdrawal), naming who is next."""
    if withdrawn_by:
        return (text := f":leftwards_arrow_with_hook: <@{withdrawn_by}> withdrew the proposal."), [section(text)]
    if decision is None:
        what = ", ".join(f"`{escape(k)}`" for k in resubmitted or []) or "nothing"
        text = (f":arrows_counterclockwise: <@{view.proposer}> resubmitted (round {view.round}); changed: {what}."
                + _next(view, view.stage))
        return text, [section(text)]
    step = after(decision.decision, decision.stage, len(view.stage_names))
    text = f"{ICON[decision.decision]} <@{decision.approver}> {decision.decision.verb} at the " \
           f"*{escape(decision.stage_name)}* stage" + (f": {escape(decision.reason)}" if decision.reason else ".")
    if step.status is ProposalStatus.APPROVED:
        text += " " + _live_line(view)
    elif step.status is ProposalStatus.CHANGES_REQUESTED:
        text += f" <@{view.proposer}>, edit and resubmit when ready."
    elif step.status is ProposalStatus.OPEN:
        text += _next(view, step.stage)
    blocks = [section(text)]
    if step.status is ProposalStatus.CHANGES_REQUESTED:
        blocks += proposer_buttons(view)
    return text, blocks


def _next(view: ProposalView, stage: int) -> str:
    """Who decides next, mentioned so that they are notified."""
    who = " ".join(mention(a) for a in view.approvers[stage]) if stage < len(view.approvers) else ""
    name = view.stage_names[stage] if stage < len(view.stage_names) else ""
    return f" Next: the *{escape(name)}* stage{', ' + who if who else ''}."


def proposer_buttons(view: ProposalView) -> list[Block]:
    value = str(view.id)
    edit = [button("Edit and resubmit", RESUBMIT_ACTION, value, style="primary")] \
        if view.kind is not ProposalKind.RETIRE else []
    return actions(*edit, button("Withdraw", WITHDRAW_ACTION, value, confirm=confirm_dialog(
        "Withdraw the proposal?", f"*{escape(view.name)}* leaves governance; propose it again any time.",
        "Withdraw")), block_id=f"proposal-proposer-{view.id}")


def _live_line(view: ProposalView) -> str:
    if view.kind is ProposalKind.RETIRE:
        return f"*{escape(view.name)}* is retired: no longer offered; its awards stay valid."
    return f"*{escape(view.name)}* is live: learners can `/badges submit {escape(view.credential)}`." \
        if CredentialType(view.table.get("type")).is_badge else f"*{escape(view.name)}* is live in the catalog."


def proposer_message(view: ProposalView, decision: DecisionView) -> tuple[str, list[Block]]:
    """The proposer's DM about a stage's decision."""
    step = after(decision.decision, decision.stage, len(view.stage_names))
    name, by = escape(view.name), f"<@{decision.approver}>"
    stage = f"the *{escape(decision.stage_name)}* stage"
    if step.status is ProposalStatus.APPROVED:
        text = f":tada: {by} gave the final approval ({stage}). " + _live_line(view)
    elif step.status is ProposalStatus.CHANGES_REQUESTED:
        text = f":pencil2: {by} asked for changes to *{name}* at {stage}. Edit and resubmit when ready."
    elif step.status is ProposalStatus.REJECTED:
        text = f":x: {by} rejected *{name}* at {stage}."
    else:
        text = f":white_check_mark: {by} approved *{name}* at {stage}; next: the " \
               f"*{escape(view.stage_names[step.stage])}* stage."
    blocks = [section(text)]
    if decision.reason:
        blocks.append(section(f"*{by} wrote:*\n>{escape(decision.reason)}"))
    if step.status is ProposalStatus.CHANGES_REQUESTED:
        blocks += proposer_buttons(view)
    return text, blocks


# -- the reason form --------------------------------------------------------------------------------------------------


def reason_modal(decision: StageDecision, view: ProposalView, channel: str = "", ts: str = "") -> Block:
    title = {StageDecision.APPROVE: "Approve", StageDecision.CHANGES: "Ask for changes",
             StageDecision.REJECT: "Reject"}[decision]
    prompt = {StageDecision.APPROVE: "A note for the proposer (optional)",
              StageDecision.CHANGES: "What should the proposer change?",
              StageDecision.REJECT: "Why is this proposal rejected?"}[decision]
    element: Block = {"type": "plain_text_input", "action_id": "reason", "multiline": True, "max_length": 3000}
    return {
        "type": "modal", "callback_id": REASON_FORM,
        "private_metadata": f"{view.id}|{view.round}|{view.stage}|{decision.value}|{channel}|{ts}",
        "title": plain(title, 24), "submit": plain("Send", 24), "close": plain("Cancel", 24),
        "blocks": [
            section(f"*{escape(view.name)}*, the *{escape(view.stage_name)}* stage: the proposer sees your words, "
                    "and so does the card's thread."),
            _input("reason", prompt, element, optional=decision is StageDecision.APPROVE),
        ],
    }


def parse_reason_metadata(metadata: str) -> tuple[int, int, int, StageDecision, str, str] | None:
    parts = metadata.split("|")
    if len(parts) != 6 or not all(p.isdigit() for p in parts[:3]) or \
            parts[3] not in {d.value for d in StageDecision}:
        return None
    return int(parts[0]), int(parts[1]), int(parts[2]), StageDecision(parts[3]), parts[4], parts[5]
