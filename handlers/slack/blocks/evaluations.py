"""What a periodic evaluation looks like in Slack: its card in the governance channel (redrawn with the
decision), the note in the card's thread, and the daily reminder to the issuer's admins (with the same
buttons, so they can decide from the DM)."""
from __future__ import annotations

from bot.domain.evaluations import EvaluationDecision
from bot.usecases.evaluations import EvaluationView
from handlers.slack.blocks.kit import (
    Block,
    actions,
    button,
    confirm_dialog,
    context,
    escape,
    header,
    section,
)

DECIDE_ACTION = {d: f"evaluation_{d.value}" for d in EvaluationDecision}
DECISION_OF_ACTION = {v: k for k, v in DECIDE_ACTION.items()}
ICON = {EvaluationDecision.KEEP: ":white_check_mark:", EvaluationDecision.CHANGE: ":pencil2:",
        EvaluationDecision.RETIRE: ":wastebasket:"}


def card_text(view: EvaluationView) -> str:
    """The notification text (and what screen readers say) of the card."""
    return f"Periodic evaluation of {view.credential_name}: keep, change or retire?"


def figures_lines(view: EvaluationView) -> list[str]:
    f = view.figures
    median = f.get("median_days_to_decision")
    rate = view.share_rate
    return [
        f"*Awards*\n{f.get('awards', 0)}",
        f"*Shared by their learners*\n{'–' if rate is None else f'{rate:.0%}'}",
        f"*Decisions*\n{f.get('decisions', 0)} ({f.get('approved', 0)} approved, {f.get('rejected', 0)} rejected)",
        f"*Time to decision (median)*\n{'–' if median is None else f'{median:g} days'}",
        f"*Open submissions*\n{f.get('open_submissions', 0)}",
    ]


def evaluation_card(view: EvaluationView) -> list[Block]:
    blocks: list[Block] = [
        header(f"Evaluation: {view.credential_name}"),
        section(f"*{escape(view.credential_name)}* (`{view.credential}`) is due for its evaluation "
                f"(every {escape(view.review_every or '?')}). Since {view.since:%Y-%m-%d}:",
                fields=figures_lines(view)),
    ]
    if view.decision is None:
        blocks.append(context("Its issuer's admins (and program administrators) decide: *Keep* restarts the "
                              "clock; *Change* asks for an edit proposal; *Retire* starts a retirement proposal."))
        blocks += decision_buttons(view)
    else:
        blocks.append(section(decided_line(view)))
    return blocks


def decision_buttons(view: EvaluationView) -> list[Block]:
    value = str(view.id)
    return actions(
        button("Keep", DECIDE_ACTION[EvaluationDecision.KEEP], value, style="primary"),
        button("Change", DECIDE_ACTION[EvaluationDecision.CHANGE], value),
        button("Retire", DECIDE_ACTION[EvaluationDecision.RETIRE], value, style="danger",
               confirm=confirm_dialog("Retire this credential?",
                                      f"A retirement proposal for *{escape(view.credential_name)}* goes through the "
                                      "governance stages; its awards stay valid.", "Propose retirement")),
    )


def decided_line(view: EvaluationView) -> str:
    assert view.decision is not None and view.decided_at is not None
    return (f"{ICON[view.decision]} *{view.decision.label}*, decided by <@{view.decided_by}> on "
            f"{view.decided_at:%Y-%m-%d}.")


def decision_note(view: EvaluationView) -> str:
    """The note in the card's thread."""
    follow = {EvaluationDecision.KEEP: f"The next evaluation is due in {view.review_every}.",
              EvaluationDecision.CHANGE: f"An edit is to be proposed: `/badges propose {view.credential}`.",
              EvaluationDecision.RETIRE: "A retirement proposal goes through the governance stages."}
    assert view.decision is not None
    return f"{decided_line(view)} {follow[view.decision]}"


def reminder(view: EvaluationView) -> tuple[str, list[Block]]:
    """The daily DM to an issuer admin while the evaluation is undecided."""
    text = f"{view.credential_name} is waiting for its periodic evaluation (since {view.opened_at:%Y-%m-%d})."
    blocks: list[Block] = [
        section(f":hourglass: *{escape(view.credential_name)}* (`{view.credential}`) is waiting for its periodic "
                f"evaluation, opened on {view.opened_at:%Y-%m-%d}. Since {view.since:%Y-%m-%d}:",
                fields=figures_lines(view)),
        *decision_buttons(view),
        context("You are reminded once a day until it is decided."),
    ]
    return text, blocks
