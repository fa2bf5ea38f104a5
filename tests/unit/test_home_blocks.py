"""The App Home's builders against Slack's limits: someone with every role and far too much of everything
still gets a view Slack accepts (100 blocks, 3000 characters a section, 25 elements an actions block),
with a way to see the rest."""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from bot.domain.checkin import QrMode
from bot.domain.governance import ProposalKind
from bot.domain.vocabulary import CredentialType, SubmissionStatus
from bot.usecases.campus_events.hosting import EventView
from bot.usecases.governance import AwaitingProposal
from bot.usecases.homes import ChangesAsked, Home, HostedEvents, Queue, Waiting
from bot.usecases.progress import Holding, Pending, Progress, Stack
from bot.usecases.reports.summary import Summary
from handlers.slack.blocks.homes import home_view
from handlers.slack.blocks.homes.grantor import grantor_section
from handlers.slack.blocks.homes.host import host_section
from handlers.slack.blocks.homes.learner import all_awards_modal, bar, learner_section
from handlers.slack.blocks.homes.office import figures_section, proposals_section

NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
LONG = "A very long credential name, " * 6


def page(public_id: str) -> str:
    return f"https://badges.example.edu/a/{public_id}"


def holding(n: int, shared: bool = False) -> Holding:
    return Holding(f"badge-{n}", f"{LONG}{n}", CredentialType.BADGE_LEVEL_1, n % 3 == 0, NOW, None, f"pid{n}",
                   shared, False)


def event(n: int, starts: dt.datetime) -> EventView:
    return EventView(n, f"pub{n}", f"Event {n}", "welcome", "Welcome", "U0HOST0001", starts,
                     starts + dt.timedelta(hours=2), starts - dt.timedelta(minutes=30), starts + dt.timedelta(hours=2),
                     "Main Hall", None, QrMode.ROTATING if n % 2 else QrMode.POSTER, 30, n, NOW, None)


def everything_at_once() -> Home:
    holdings = tuple(holding(n, shared=n % 2 == 0) for n in range(500))
    pending = tuple(Pending(1000 + n, f"todo-{n}", f"{LONG}{n}", CredentialType.BADGE_LEVEL_1,
                            SubmissionStatus.SUBMITTED, NOW) for n in range(60))
    stacks = tuple(Stack(f"cert-{n}", f"Certificate {n}", CredentialType.CERTIFICATE_PRACTICED,
                         tuple(f"badge-{i}" for i in range(3)), tuple((f"todo-{i}", f"{LONG}{i}") for i in range(40)),
                         False) for n in range(30))
    changes = tuple(ChangesAsked(n, f"todo-{n}", f"{LONG}{n}", "U0GRANT001", "Fix it. " * 500, NOW)
                    for n in range(20))
    queue = Queue(tuple(Waiting(n, LONG, "U0LEARN001", 2, NOW - dt.timedelta(days=n), "C0REVIEWS1", f"1.{n}")
                        for n in range(15)), 400)
    events = HostedEvents(tuple(event(n, NOW) for n in range(4)),
                          tuple(event(n, NOW + dt.timedelta(days=n)) for n in range(4, 8)),
                          tuple(event(n, NOW - dt.timedelta(days=n)) for n in range(8, 11)), 40)
    return Home("U0ADMIN001", NOW, Progress("U0ADMIN001", "Morgan", True, holdings, pending, stacks), changes,
                queue, events, True)


def assert_within_limits(view: dict) -> None:
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
        if block["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])


def test_every_role_and_too_much_of_everything_still_fits_with_ways_to_see_the_rest() -> None:
    home = everything_at_once()
    summary = Summary(NOW.date(), NOW.date(), (("Awards", "12"), ("Submissions", "40")), "Awards", ())
    proposals = [AwaitingProposal(n, f"Proposal {n}", ProposalKind.ADD, "Committee", NOW, dt.timedelta(days=n),
                                  "C0PROPOSE1", f"2.{n}") for n in range(30)]
    view = home_view(
        figures_section(summary, "https://badges.example.edu/admin"),
        proposals_section(proposals, lambda p: None),
        grantor_section(home.queue, NOW, 14, lambda w: f"https://x.slack.com/archives/{w.review_channel}/p1"),
        host_section(home.events, NOW, ZoneInfo("America/Chicago"), door_screen=lambda e: f"https://d/{e.id}",
                     attendance=lambda e: f"https://a/{e.id}"),
        learner_section(home, page),
    )
    assert_within_limits(view)
    text = json.dumps(view, ensure_ascii=False)
    # Every section is there, each with its way to the rest.
    for shown in ("The program", "Proposals waiting for you", "…and 20 more", "Waiting for your review",
                  "…and 385 more: `/badges review`", "Your events", "`/badges event list all`", "Your pathway",
                  "See all 500", "Turn nudges off"):
        assert shown in text, shown
    assert text.index("Waiting for your review") < text.index("Your pathway")

    modal = all_awards_modal(home.progress, page)
    assert_within_limits(modal)
    assert "badge-499" in json.dumps(modal)  # several hundred awards, packed into sections


def test_the_queue_says_each_submissions_age_against_the_target() -> None:
    queue = Queue((Waiting(1, "SQL Basics", "U0LEARN001", 1, NOW - dt.timedelta(days=16), None, None),
                   Waiting(2, "Spreadsheets", "U0LEARN002", 2, NOW - dt.timedelta(days=11), "C1", "1.2"),
                   Waiting(3, "Writing", "U0LEARN003", 1, NOW - dt.timedelta(hours=5), "C1", "1.3")), 3)
    text = json.dumps(grantor_section(queue, NOW, 14, lambda w: f"https://link/{w.submission_id}" if w.review_ts
                                      else None), ensure_ascii=False)
    assert ":red_circle: waiting 16 days, past the 14-day target" in text
    assert ":large_orange_circle: waiting 11 days of 14" in text and "(round 2)" in text
    assert ":large_green_circle: waiting 0 days of 14" in text
    assert "https://link/2" in text and "https://link/1" not in text  # no card posted yet: no link


def test_a_progress_bar_has_a_cell_a_badge_up_to_ten() -> None:
    assert bar(2, 4) == "▰▰▱▱ 2 of 4"
    assert bar(0, 3) == "▱▱▱ 0 of 3"
    assert bar(10, 20) == "▰▰▰▰▰▱▱▱▱▱ 10 of 20"


def test_a_staff_member_without_badges_gets_one_line_about_their_own() -> None:
    home = Home("U0GRANT001", NOW, Progress("U0GRANT001", "Priya", True, (), (), ()), (), Queue((), 0), None, False)
    blocks = learner_section(home, page)
    assert [b["type"] for b in blocks] == ["header", "section", "section"]
    assert "You hold no credentials yourself yet" in json.dumps(blocks)
