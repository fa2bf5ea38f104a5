"""Governance through Slack (issue 13): a credential is proposed in a modal, its card waits in the governance
channel, and the catalog's stages decide it in order, until it is live and submittable. Signed requests against
the emulator, on SQLite and PostgreSQL."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.domain.vocabulary import CredentialType
from bot.errors import NotAllowed
from bot.usecases import governance as governance_uc
from config.catalog import Catalog, check_credential
from handlers.sandbox.demo_governance import waiting_proposal
from models import AuditEntry, CatalogChange, Credential, Proposal, ProposalDecision

GOVERNANCE = "C0GOVERN01"
ADMIN, COMPUTING_ADMIN = "U0ADMIN001", "U0GRANT001"  # U0GRANT001 administers the computing issuer
CAREER, UNIT_LEADER, COMMITTEE = "U0GRANT003", "U0GRANT002", "U0HOST0001"  # the stages' approvers
LEARNER, OUTSIDER = "U0LEARN001", "U0OUTSIDE1"

NEW_BADGE = {
    "id": "data-ethics-basics", "type": "badge_level_1", "name": "Data Ethics Basics",
    "description": "Reasoning about privacy, consent and bias in everyday data work.",
    "criteria": "Write a one-page ethics review of a dataset you use.", "skills": "data ethics, privacy",
    "issuer": "computing", "grantors": ["U0GRANT001", "U0GRANT002"], "review_channel": "C0REVIEWS1",
}


@pytest.fixture
def catalog(catalog: Catalog) -> Catalog:
    """The example catalog with three stages (career services, unit leader, the committee), as the issue tells it."""
    assert catalog.governance is not None and catalog.governance.channel == GOVERNANCE
    return dataclasses.replace(catalog, governance=dataclasses.replace(
        catalog.governance, stages=catalog.governance.stages[:3]))


@pytest.fixture
def world(world):
    world.emulator.add_channel("credential-governance", id=GOVERNANCE)
    return world


def open_form(world, user: str, args: str = ""):
    reply = world.slack.command(user, f"propose {args}".strip())
    assert reply.status == 200
    [form] = world.settle(lambda: [v for v in world.emulator.views_of(user) if v.callback_id == "proposal_form"])
    return form


def propose(world, user: str = COMPUTING_ADMIN, **changes):
    form = open_form(world, user)
    reply = world.slack.view_submission(user, form.id, {**NEW_BADGE, **changes})
    assert reply.status == 200
    return json.loads(reply.body or "{}")


def card(world):
    [found] = world.settle(lambda: [m for m in world.emulator.messages(GOVERNANCE) if "proposes" in str(m.blocks)])
    return world.emulator.message(GOVERNANCE, found.ts)


def buttons(message) -> dict[str, str]:
    return {e["action_id"]: e.get("value", "") for b in message.blocks or [] if b.get("type") == "actions"
            for e in b["elements"]}


def click(world, user: str, action_id: str, message, channel: str = GOVERNANCE):
    return world.slack.block_action(user, action_id, buttons(message)[action_id], message=(channel, message.ts))


def decide(world, user: str, action_id: str, reason: str = "") -> None:
    """Click a stage's button on the card as it is now, and send the reason form it opens."""
    before = {v.id for v in world.emulator.views_of(user)}
    now = proposal(world)
    world.settle(lambda: buttons(card(world)).get(action_id) == f"{now.id}:{now.round}:{now.stage}")  # redrawn
    assert click(world, user, action_id, card(world)).status == 200
    [form] = world.settle(lambda: [v for v in world.emulator.views_of(user)
                                   if v.callback_id == "proposal_reason" and v.id not in before])
    decided = count(world, ProposalDecision)
    assert world.slack.view_submission(user, form.id, {"reason": reason} if reason else {}).status == 200
    assert world.settle(lambda: count(world, ProposalDecision) > decided)  # the listener records it after the ack


def thread_texts(world) -> list[str]:
    return [m.text for m in world.emulator.thread(GOVERNANCE, card(world).ts)[1:]]


def dm_texts(world, user: str) -> list[str]:
    return [m.text + str(m.blocks) for m in world.dm(user)]


def proposal(world) -> Proposal:
    with world.badgebot.ctx.reading() as session:
        return session.scalars(select(Proposal)).one()


def count(world, model, *where) -> int:
    with world.badgebot.ctx.reading() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_proposal_goes_through_three_stages_and_becomes_submittable(world):
    answer = propose(world)
    assert answer["response_action"] == "update" and "Career services" in str(answer["view"])
    first = card(world)
    assert "Data Ethics Basics" in str(first.blocks) and f"<@{CAREER}>" in first.text  # who decides is notified
    assert set(buttons(first)) == {"proposal_approve", "proposal_changes", "proposal_reject"}

    decide(world, CAREER, "proposal_approve", "Employers ask for this.")
    assert world.settle(lambda: any("Next: the *Unit leader* stage" in t and f"<@{UNIT_LEADER}>" in t
                                    for t in thread_texts(world)))
    assert any("approved *Data Ethics Basics* at the *Career services* stage" in t and "Employers ask" in t
               for t in dm_texts(world, COMPUTING_ADMIN))
    assert "Waiting for the *Unit leader* stage (2 of 3)" in str(card(world).blocks)  # redrawn in place

    # Not submittable before the last stage.
    world.slack.command(LEARNER, "submit data-ethics-basics")
    world.settle()
    assert not [v for v in world.emulator.views_of(LEARNER) if "Data Ethics Basics" in str(v.payload)]

    decide(world, UNIT_LEADER, "proposal_approve")
    decide(world, COMMITTEE, "proposal_approve", "Sound assessment.")
    assert world.settle(lambda: any("is live" in t for t in dm_texts(world, COMPUTING_ADMIN)))
    final = card(world)
    assert "live in the catalog" in str(final.blocks) and not buttons(final)
    assert proposal(world).status.value == "approved"

    # Live at once: in the catalog, and a learner can submit work for it.
    assert "Data Ethics Basics" in world.slack.command(LEARNER, "catalog ethics").body
    assert world.slack.command(LEARNER, "submit data-ethics-basics").status == 200
    assert world.settle(lambda: [v for v in world.emulator.views_of(LEARNER) if "Data Ethics Basics" in str(v.payload)])

    # Every decision is in the audit log, with who decided at which stage; the change records the approvals.
    with world.badgebot.ctx.reading() as session:
        stages = session.scalars(select(AuditEntry.detail["stage"].as_string()).where(
            AuditEntry.action == "proposal.approve").order_by(AuditEntry.id)).all()
        change = session.scalars(select(CatalogChange)).one()
    assert stages == ["Career services", "Unit leader", "Micro-credential committee"]
    assert [(a["stage"], a["user"]) for a in change.approvals] == [
        ("Career services", CAREER), ("Unit leader", UNIT_LEADER), ("Micro-credential committee", COMMITTEE)]


def test_changes_asked_at_stage_two_then_resubmitted(world):
    propose(world)
    decide(world, CAREER, "proposal_approve")
    decide(world, UNIT_LEADER, "proposal_changes", "Say how the review is graded.")
    assert world.settle(lambda: any("asked for changes" in t for t in thread_texts(world)))
    assert "Back with the proposer" in str(card(world).blocks) and not buttons(card(world))
    [asked] = [m for m in world.dm(COMPUTING_ADMIN) if "asked for changes" in m.text]
    assert "Say how the review is graded." in str(asked.blocks)

    # Only the proposer edits (the button is in the thread too); the form opens filled in as the proposal stands.
    [note] = [m for m in world.emulator.thread(GOVERNANCE, card(world).ts) if "proposal_resubmit" in buttons(m)]
    click(world, OUTSIDER, "proposal_resubmit", note)
    assert world.settle(lambda: any("Only its proposer" in m.text for m in world.emulator.ephemerals(OUTSIDER)))
    click(world, COMPUTING_ADMIN, "proposal_resubmit", asked, channel=world.emulator.dm_channel_of(COMPUTING_ADMIN))
    [form] = world.settle(lambda: [v for v in world.emulator.views_of(COMPUTING_ADMIN)
                                   if v.private_metadata.startswith("resubmit:")])
    assert NEW_BADGE["criteria"] in str(form.payload["blocks"])
    graded = "Write a one-page ethics review of a dataset you use, graded on the program's rubric."
    assert world.slack.view_submission(COMPUTING_ADMIN, form.id, {**NEW_BADGE, "criteria": graded}).status == 200
    assert world.settle(lambda: any("resubmitted (round 2)" in t and "`criteria`" in t for t in thread_texts(world)))

    # Back at the stage that asked (the career services approval stands), then on to the last one.
    assert "Waiting for the *Unit leader* stage" in str(card(world).blocks)
    decide(world, UNIT_LEADER, "proposal_approve")
    decide(world, COMMITTEE, "proposal_approve")
    world.settle(lambda: proposal(world).status.value == "approved")
    with world.badgebot.ctx.reading() as session:
        assert session.scalar(select(Credential.criteria).where(Credential.slug == "data-ethics-basics")) == graded


def test_a_rejection_ends_the_proposal(world):
    propose(world)
    decide(world, CAREER, "proposal_reject", "No employer demand in our survey.")
    assert world.settle(lambda: any("rejected" in t and "No employer demand" in t for t in dm_texts(world, COMPUTING_ADMIN)))
    assert "Rejected" in str(card(world).blocks) and not buttons(card(world))
    assert proposal(world).status.value == "rejected"
    assert count(world, Credential, Credential.slug == "data-ethics-basics") == 0
    # The stage, once decided, cannot be decided again from an old card.
    stale = world.slack.block_action(UNIT_LEADER, "proposal_approve", f"{proposal(world).id}:1:0",
                                     message=(GOVERNANCE, card(world).ts), block_id=f"proposal-{proposal(world).id}",
                                     action_type="button")
    assert stale.status == 200
    assert world.settle(lambda: any(f"This proposal was rejected (<@{CAREER}> rejected" in m.text
                                    for m in world.emulator.ephemerals(UNIT_LEADER)))


def test_a_reason_is_required_to_reject(world):
    propose(world)
    click(world, CAREER, "proposal_reject", card(world))
    [form] = world.settle(lambda: [v for v in world.emulator.views_of(CAREER) if v.callback_id == "proposal_reason"])
    answer = json.loads(world.slack.view_submission(CAREER, form.id, {}).body)
    assert answer == {"response_action": "errors", "errors": {"reason": "Tell the proposer why."}}
    assert proposal(world).status.value == "open"


def test_a_non_approvers_click_is_refused_naming_who_decides(world):
    propose(world)
    for user in (OUTSIDER, UNIT_LEADER):  # nobody, and the next stage's approver, out of turn
        click(world, user, "proposal_approve", card(world))
        refusal = world.settle(lambda u=user: world.emulator.ephemerals(u))
        assert "You are not an approver of this stage" in refusal[-1].text
        assert f"The Career services stage is decided by <@{CAREER}>" in refusal[-1].text
        assert not [v for v in world.emulator.views_of(user) if v.callback_id == "proposal_reason"]
    # Nobody decides their own proposal either (the committee's U0GRANT001 proposed this one).
    click(world, COMPUTING_ADMIN, "proposal_approve", card(world))
    assert world.settle(lambda: any("Nobody decides their own proposal" in m.text
                                    for m in world.emulator.ephemerals(COMPUTING_ADMIN)))
    assert count(world, ProposalDecision) == 0 and proposal(world).stage == 0


def test_two_approvers_of_one_stage_clicking_at_once_count_once(world):
    propose(world, ADMIN)  # the admin proposes, so both committee members may decide the last stage
    decide(world, CAREER, "proposal_approve")
    decide(world, UNIT_LEADER, "proposal_approve")
    committee = (COMPUTING_ADMIN, COMMITTEE)
    forms = {}
    for user in committee:  # both open the form from the same card
        click(world, user, "proposal_approve", card(world))
        [forms[user]] = world.settle(lambda u=user: [v for v in world.emulator.views_of(u)
                                                    if v.callback_id == "proposal_reason"])
    barrier = threading.Barrier(2)

    def send(user: str) -> None:
        barrier.wait()
        world.slack.view_submission(user, forms[user].id, {"reason": f"{user} agrees."})

    threads = [threading.Thread(target=send, args=(u,)) for u in committee]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    world.settle(lambda: any("Already decided" in m.text for u in committee for m in world.emulator.ephemerals(u)))
    assert count(world, ProposalDecision, ProposalDecision.stage == 2) == 1
    assert count(world, CatalogChange) == 1 and proposal(world).status.value == "approved"
    losers = [m for u in committee for m in world.emulator.ephemerals(u) if "Already decided" in m.text]
    assert len(losers) == 1 and "at the Micro-credential committee stage" in losers[0].text
    live = [t for t in thread_texts(world) if "is live" in t]
    assert len(live) == 1


def test_an_issuer_admin_cannot_propose_for_another_issuer(world):
    # The form offers only their own issuer...
    form = open_form(world, COMPUTING_ADMIN)
    [issuer] = [b for b in form.payload["blocks"] if b.get("block_id") == "issuer"]
    assert [o["value"] for o in issuer["element"]["options"]] == ["computing"]
    # ...a change to, or the retirement of, another issuer's credential is refused, saying whose it is...
    for command in ("propose business-writing", "retire business-writing Nobody takes it."):
        reply = world.slack.command(COMPUTING_ADMIN, command)
        assert "Career Services is another issuer's" in reply.body, reply.body
    # ...and so is a tampered form naming another issuer.
    with pytest.raises(NotAllowed, match="another issuer's"):
        governance_uc.propose(world.badgebot.ctx, world.badgebot.catalog, COMPUTING_ADMIN,
                              {**NEW_BADGE, "skills": ["ethics"], "issuer": "career-services"})
    # A learner proposes nothing at all; an issuer admin's own retirement goes to the stages.
    assert "Only program administrators and issuer admins" in world.slack.command(LEARNER, "propose").body
    assert count(world, Proposal) == 0
    assert "Proposed retiring SQL Basics" in world.slack.command(COMPUTING_ADMIN, "retire sql-basics Superseded.").body
    assert "Retirement: SQL Basics" in str(card(world).blocks)


def test_the_form_shows_the_catalog_checks_on_its_fields(world):
    form = open_form(world, COMPUTING_ADMIN)
    entered = {**NEW_BADGE, "id": "Data Ethics", "type": "certificate_practiced",
               "requires": ["sql-basics", "sql-analytics-professional"], "expires_after": "forever"}
    reply = world.slack.view_submission(COMPUTING_ADMIN, form.id, entered)
    answer = json.loads(reply.body)
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    # The catalog's own messages, on the fields they concern.
    _, problems = check_credential({"id": "Data Ethics", "type": "certificate_practiced", "requires":
                                    ["sql-basics", "sql-analytics-professional"]}, world.badgebot.catalog)
    slug_problem = next(p.message for p in problems if p.field == "id")
    assert errors["id"].startswith(slug_problem[:60])
    assert "Badge Level II" in errors["requires"] and CredentialType.CERTIFICATE_PRACTICED.label in errors["requires"]
    assert "expires_after" in errors and "grantors" in errors  # a certificate has no grantors
    assert world.emulator.view(form.id).open  # the form stays open, with what was typed
    assert count(world, Proposal) == 0


def test_the_demo_workspace_has_a_proposal_waiting_in_the_governance_channel(world):
    ctx = world.badgebot.ctx
    waiting_proposal(lambda days_ago: dataclasses.replace(ctx, clock=FixedClock(ctx.clock() - dt.timedelta(days=days_ago))),
                     world.badgebot.catalog, world.settle)
    waiting = card(world)
    assert "Data Ethics Basics" in str(waiting.blocks) and "Waiting for the *Unit leader* stage" in str(waiting.blocks)
    assert any(f"<@{CAREER}> approved at the *Career services* stage" in t for t in thread_texts(world))
    # The Unit leader's App Home can list it (the use case behind it), four days waiting.
    [listed] = governance_uc.proposals_awaiting(ctx, UNIT_LEADER)
    assert listed.name == "Data Ethics Basics" and listed.stage_name == "Unit leader" and listed.age.days == 4
    assert listed.card_ts == waiting.ts and governance_uc.proposals_awaiting(ctx, CAREER) == []


def approve_all(world) -> None:
    for user in (CAREER, UNIT_LEADER, COMMITTEE):
        decide(world, user, "proposal_approve")
    assert world.settle(lambda: proposal(world).status.value == "approved")


def test_a_change_and_a_retirement_go_through_the_same_stages(world):
    # A change: the form opens filled in with the credential as the catalog has it.
    form = open_form(world, COMPUTING_ADMIN, "sql-basics")
    assert form.private_metadata == "change" and "SQL Basics" in str(form.payload["blocks"])
    spec = world.badgebot.catalog.get("sql-basics")
    entered = {"id": spec.id, "type": spec.type.value, "name": "SQL Foundations", "description": spec.description,
               "criteria": spec.criteria, "skills": ", ".join(spec.skills), "issuer": spec.issuer,
               "grantors": [g for g in spec.grantors if g.startswith("U")],
               "grantor_groups": ", ".join(g for g in spec.grantors if g.startswith("S")),
               "review_channel": spec.review_channel, "approvals_required": str(spec.approvals_required),
               **({"distinction": ["yes"]} if spec.distinction else {})}
    assert world.slack.view_submission(COMPUTING_ADMIN, form.id, entered).status == 200
    assert "Change: SQL Foundations" in str(card(world).blocks)
    approve_all(world)
    with world.badgebot.ctx.reading() as session:
        assert session.scalar(select(Credential.name).where(Credential.slug == "sql-basics")) == "SQL Foundations"

    # A retirement: the same stages, and then it is offered no more.
    reply = world.slack.command(COMPUTING_ADMIN, "retire data-visualization-foundations Folded into dashboards.")
    assert "Proposed retiring" in reply.body
    [retirement] = world.settle(lambda: [m for m in world.emulator.messages(GOVERNANCE)
                                         if "Retirement:" in str(m.blocks)])
    assert "Folded into dashboards." in str(retirement.blocks)
    for user in (CAREER, UNIT_LEADER, COMMITTEE):
        with world.badgebot.ctx.reading() as session:
            waiting = session.scalars(select(Proposal).where(Proposal.kind == "retire")).one()
        before = count(world, ProposalDecision)
        world.settle(lambda w=waiting: buttons(world.emulator.message(GOVERNANCE, retirement.ts)).get(
            "proposal_approve") == f"{w.id}:{w.round}:{w.stage}")
        world.slack.block_action(user, "proposal_approve", f"{waiting.id}:{waiting.round}:{waiting.stage}",
                                 message=(GOVERNANCE, retirement.ts))
        [reason] = world.settle(lambda u=user: [v for v in world.emulator.views_of(u)
                                                if v.callback_id == "proposal_reason"])
        world.slack.view_submission(user, reason.id, {})
        assert world.settle(lambda b=before: count(world, ProposalDecision) > b)
    assert world.settle(lambda: any("is retired" in t for t in dm_texts(world, COMPUTING_ADMIN)))
    with world.badgebot.ctx.reading() as session:
        retired = session.scalar(select(Credential.retired_at).where(
            Credential.slug == "data-visualization-foundations"))
    assert retired is not None
    assert world.badgebot.catalog.get("data-visualization-foundations") is None


def test_a_proposal_sent_twice_at_once_opens_one_and_another_for_the_same_id_waits(world):
    ctx, table = world.badgebot.ctx, {**NEW_BADGE, "skills": ["data ethics"]}
    barrier, opened = threading.Barrier(2), []

    def send() -> None:
        barrier.wait()
        opened.append(governance_uc.propose(ctx, world.badgebot.catalog, COMPUTING_ADMIN, dict(table)).id)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 2 and len(set(opened)) == 1 and count(world, Proposal) == 1
    # Someone else's proposal for the same id is refused while this one is in play, on the form's ID field.
    answer = propose(world, ADMIN, name="Data Ethics, Again")
    assert answer["response_action"] == "errors" and "already a proposal" in answer["errors"]["id"]
    assert count(world, Proposal) == 1
