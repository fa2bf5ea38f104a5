"""Each role's App Home through the emulator: what views.publish put in the Home tab, and its buttons.

A learner's pathway (bars, held / in review / missing badges), what needs changes with the grantor's
reason and a Resubmit that opens the form for that submission, Share / Unshare with the public link,
nudges; a grantor's queue, oldest first against the target, refreshed as work lands in it and leaves it;
a host's events with their links, refreshed once after a burst of check-ins; an administrator's figures
and the proposals waiting for them; and a Home that stays within Slack's limits for someone with many awards.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import httpx

from bot.clock import FixedClock
from bot.domain.checkin import QrMode
from bot.domain.vocabulary import Decision
from bot.usecases import governance as governance_uc
from bot.usecases import reviews as reviews_uc
from bot.usecases.awards import award_souvenir
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.context import Context
from bot.usecases.learners import set_nudges
from bot.usecases.progress import learner_progress
from tests.helpers import earn, submit_for

LEARNER, OTHER, GRANTOR, ADMIN, HOST = "U0LEARN001", "U0LEARN002", "U0GRANT001", "U0ADMIN001", "U0HOST0001"
PDF = b"%PDF-1.7\n" + b"x" * 2000


def home(world, user: str, until: str | None = None, *, absent: str | None = None) -> str:
    """The user's published Home as JSON text, once it says `until` (and no longer says `absent`)."""
    def shown() -> str | None:
        view = world.emulator.home_of(user)
        text = json.dumps(view.payload["blocks"], ensure_ascii=False) if view else None
        if text is None or (until and until not in text) or (absent and absent in text):
            return None
        return text

    found = world.settle(shown)
    view = world.emulator.home_of(user)
    assert found, f"{user}'s Home never showed {until!r} (without {absent!r}):\n" + (
        json.dumps(view.payload["blocks"], ensure_ascii=False, indent=1) if view else "no Home published")
    return found


def opened(world, user: str, until: str | None = None, **kw) -> str:
    world.slack.app_home_opened(user)
    return home(world, user, until, **kw)


def click(world, user: str, action_id: str, value: str | None = None):
    view = world.emulator.home_of(user)
    delivery = world.slack.block_action(user, action_id, value, view=view.id)
    assert delivery.status == 200
    return delivery


def days_ago(ctx: Context, days: float) -> Context:
    return dataclasses.replace(ctx, clock=FixedClock(ctx.clock() - dt.timedelta(days=days)))


def test_a_learners_home_is_their_pathway_with_resubmit_share_and_nudges(world):
    ctx = world.badgebot.ctx
    earn(ctx, LEARNER, "sql-basics")
    earn(ctx, LEARNER, "data-visualization-foundations")
    sent_back = submit_for(ctx, LEARNER, "spreadsheet-fundamentals")
    reviews_uc.review(ctx, GRANTOR, sent_back.id, Decision.REQUEST_CHANGES, "Add the lookup function, please.")
    submit_for(ctx, LEARNER, "business-writing")

    text = opened(world, LEARNER, "Add the lookup function")
    # The certificate as a bar, with each badge's state; no Submit for what is already in play.
    assert "*Data Analytics (Practiced)*\\n▰▰▱ 2 of 3" in text
    assert ":white_check_mark: SQL Basics" in text and ":pencil2: Spreadsheet Fundamentals (changes asked)" in text
    assert "Submit for Spreadsheet Fundamentals" not in text
    # What needs changes says who asked and why; what is in review is listed.
    assert f"<@{GRANTOR}> asked for changes" in text and ">Add the lookup function, please." in text
    assert "*In review*" in text and "*Business Writing*" in text
    assert "Turn nudges off" in text

    # Resubmit opens the submit form for that submission's next round; sending it reaches the grantors.
    click(world, LEARNER, "home_resubmit", str(sent_back.id))
    [form] = world.settle(lambda: [v for v in world.emulator.views_of(LEARNER) if v.type == "modal"])
    assert form.payload["title"]["text"] == "Resubmit work"
    assert form.payload["private_metadata"].startswith(f"spreadsheet-fundamentals|{sent_back.id}")
    fixed = world.emulator.add_file(PDF, "workbook-v2.pdf", user=LEARNER)
    world.slack.view_submission(LEARNER, form.id, {"files": [fixed], "reflection": "Added XLOOKUP."})
    text = home(world, LEARNER, "Spreadsheet Fundamentals* (resubmitted)", absent="Add the lookup function")
    assert "home_resubmit" not in text

    # Share makes the award public (its link shows, and the page answers); Unshare takes it down.
    click(world, LEARNER, "home_share", "sql-basics")
    text = home(world, LEARNER, "public at <")
    page = re.search(r"public at <([^|>]+)\|its page>", text).group(1)
    assert httpx.get(page).status_code == 200
    assert '"action_id": "home_unshare", "value": "sql-basics"' in text
    click(world, LEARNER, "home_unshare", "sql-basics")
    home(world, LEARNER, absent="public at <")
    assert httpx.get(page).status_code == 404

    # Nudges off from the Home: the learner's preference, and the button now offers them back.
    click(world, LEARNER, "home_nudges", "off")
    assert "Turn nudges on" in home(world, LEARNER, "Nudges are off")
    assert learner_progress(ctx, LEARNER).nudges_enabled is False


def test_someone_elses_resubmit_button_is_refused_and_changes_nothing(world):
    ctx = world.badgebot.ctx
    sent_back = submit_for(ctx, OTHER, "sql-basics")
    reviews_uc.review(ctx, GRANTOR, sent_back.id, Decision.REQUEST_CHANGES, "Join on order_id.")
    opened(world, LEARNER)
    click(world, LEARNER, "home_resubmit", str(sent_back.id))
    said = world.settle(lambda: [m for m in world.dm(LEARNER) if "not yours" in m.text])
    assert said, [m.text for m in world.dm(LEARNER)]
    assert not [v for v in world.emulator.views_of(LEARNER) if v.type == "modal"]


def test_a_grantors_home_is_their_queue_oldest_first_and_refreshes_as_work_comes_and_goes(world):
    ctx = world.badgebot.ctx
    old = submit_for(days_ago(ctx, 20), LEARNER, "sql-basics")
    submit_for(days_ago(ctx, 3), OTHER, "spreadsheet-fundamentals")
    # Nobody opened the Home: the review cards' delivery refreshed it.
    text = home(world, GRANTOR, "Spreadsheet Fundamentals")
    assert "Waiting for your review" in text and "2 submissions, oldest first" in text
    assert text.index("SQL Basics") < text.index("Spreadsheet Fundamentals")
    assert "waiting 20 days, past the 14-day target" in text and "waiting 3 days of 14" in text
    # Each links to its card's thread in the review channel.
    [card] = [m for m in world.review_channel() if "SQL Basics" in str(m.blocks)]
    assert f"/archives/C0REVIEWS1/p{card.ts.replace('.', '')}" in text
    # Another grantor of a credential sees only their own queue.
    other = opened(world, "U0GRANT003", "Waiting for your review")
    assert "Nothing is waiting for your review" in other and "SQL Basics" not in other

    # A decision takes the submission out of the queue, and the Home follows without being opened.
    reviews_uc.review(ctx, GRANTOR, old.id, Decision.APPROVE)
    world.badgebot.delivery.kick()
    text = home(world, GRANTOR, "1 submission, oldest first")
    assert "SQL Basics" not in text.split("Your own badges")[0]


def test_a_hosts_home_lists_their_events_with_links_and_counts_check_ins_once_per_burst(world):
    ctx, urls = world.badgebot.ctx, world.badgebot.urls
    now = ctx.clock()
    live = hosting_uc.create_event(ctx, HOST, hosting_uc.EventDraft(
        name="Civic Hackathon", souvenir="hackathon-2026", starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=5), location="Main Hall"))
    hosting_uc.create_event(ctx, HOST, hosting_uc.EventDraft(
        name="Data Viz Meetup", souvenir="data-viz-meetup", starts_at=now + dt.timedelta(days=7),
        ends_at=now + dt.timedelta(days=7, hours=2), qr_mode=QrMode.POSTER))
    hosting_uc.create_event(days_ago(ctx, 30), HOST, hosting_uc.EventDraft(
        name="Welcome fair", souvenir="welcome-week-2026", starts_at=now - dt.timedelta(days=30),
        ends_at=now - dt.timedelta(days=30) + dt.timedelta(hours=2)))

    text = opened(world, HOST, "Your events")
    assert '"action_id": "home_event_new"' in text
    assert f"*#{live.id} Civic Hackathon*" in text and "check-in open" in text and "0 checked in" in text
    assert urls.event_display(live.public_id) in text  # the door screen
    assert "Send me the poster" in text and "*Past events*" in text and "Welcome fair" in text
    assert "/attendance.csv" in text and "Your own badges" in text

    # Six people checked in at once: the Home counts them, republished once for the lot, not six times.
    before = len([c for c in world.emulator.calls("views.publish") if c.params.get("user_id") == HOST])
    people = ["U0LEARN001", "U0LEARN002", "U0GRANT002", "U0GRANT003", "U0OUTSIDE1", "U0ADMIN001"]
    checkin_uc.award_at_event(ctx, HOST, live.id, [(p, None) for p in people])
    world.badgebot.delivery.kick()
    home(world, HOST, "6 checked in")
    after = len([c for c in world.emulator.calls("views.publish") if c.params.get("user_id") == HOST])
    assert 1 <= after - before <= 2, f"{after - before} publishes for one burst of check-ins"

    # New event opens the event form.
    click(world, HOST, "home_event_new")
    forms = world.settle(lambda: [v for v in world.emulator.views_of(HOST) if v.type == "modal"])
    assert forms[-1].payload["callback_id"] == "event_new"


def test_an_administrators_home_has_the_figures_and_an_approvers_the_proposals_waiting(world):
    ctx = world.badgebot.ctx
    earn(ctx, LEARNER, "sql-basics")
    text = opened(world, ADMIN, "The program")
    assert "*Awards:* 1 (0 with distinction)" in text
    assert world.badgebot.urls.admin_home in text
    assert "Your events" in text  # the admin also hosts
    # A proposal waits for its first stage's approver, whose Home lists it with a link to its thread.
    proposal = governance_uc.propose(ctx, world.badgebot.catalog, GRANTOR, {
        "id": "data-ethics-basics", "type": "badge_level_1", "name": "Data Ethics Basics", "issuer": "computing",
        "description": "Privacy, consent and bias in everyday data work.", "criteria": "A one-page ethics review.",
        "grantors": [GRANTOR], "review_channel": "C0REVIEWS1"})
    approver = opened(world, "U0GRANT003", "Proposals waiting for you")
    assert "*Data Ethics Basics* · New credential · Career services" in approver
    assert proposal.id and "Data Ethics Basics" not in opened(world, LEARNER)
    # A learner's Home has none of it.
    learner = opened(world, LEARNER)
    assert "The program" not in learner and "Waiting for your review" not in learner and "Your events" not in learner


def test_many_awards_stay_within_slacks_limits_with_a_see_all(world):
    ctx = world.badgebot.ctx
    badges = ["sql-basics", "spreadsheet-fundamentals", "data-visualization-foundations", "business-writing",
              "presentation-skills", "sql-analytics-professional", "dashboard-design-in-practice",
              "applied-statistical-modeling"]
    for slug in badges:
        earn(ctx, LEARNER, slug)
    for souvenir in ("welcome-week-2026", "data-viz-meetup", "hackathon-2026"):
        award_souvenir(ctx, HOST, souvenir, [(LEARNER, None)])
    held = len(learner_progress(ctx, LEARNER).holdings)
    assert held > 10  # the badges, the certificates they complete, the souvenirs
    set_nudges(ctx, LEARNER, True)

    text = opened(world, LEARNER, f"See all {held}")
    assert len(world.emulator.home_of(LEARNER).payload["blocks"]) <= 100
    assert text.count('"action_id": "home_share"') == 8  # the latest eight; the rest behind "See all"
    click(world, LEARNER, "home_all_awards")
    [modal] = world.settle(lambda: [v for v in world.emulator.views_of(LEARNER) if v.type == "modal"])
    listed = json.dumps(modal.payload["blocks"], ensure_ascii=False)
    assert all(f"`{slug}`" in listed for slug in [*badges, "hackathon-2026", "data-analytics-practiced"])
