"""The program's reports on a known data set, built through the use cases with the clock moved by hand
(SQLite and PostgreSQL). Every expected number below is counted by hand from the story in `program`."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.scheduling import Cadence
from bot.domain.vocabulary import Decision
from bot.errors import InvalidInput, NotAllowed
from bot.usecases.awards import set_shared
from bot.usecases.campus_events.checkin import award_at_event
from bot.usecases.campus_events.hosting import EventDraft, create_event
from bot.usecases.nudges import NudgePolicy, queue_nudges
from bot.usecases.reports import (
    REPORTS,
    ReportFilter,
    VisitKind,
    awards_report,
    certificates_report,
    count_visit,
    decisions_report,
    engagement_report,
    events_report,
    funnel_report,
    report_issuers,
    run_report,
)
from bot.usecases.reviews import review
from bot.usecases.submissions import resubmit, withdraw
from tests.conftest import T0
from tests.helpers import artifact, earn, submit_for

ADMIN, HOST, G1, G2 = "U0ADMIN001", "U0HOST0001", "U0GRANT001", "U0GRANT002"
# The example catalog's issuer admins: G1 also administers the College of Computing (SQL Basics, Spreadsheet
# Fundamentals, Data Visualization Foundations, the Data Analytics certificates), U0GRANT003 Career Services
# (Business Writing, Presentation Skills, the Professional Communication certificate). The souvenirs are the
# university's.
COMPUTING_ADMIN, CAREERS_ADMIN = G1, "U0GRANT003"
L = [f"U0LEARN00{i}" for i in range(10)]  # L[1] .. L[8] take part
EVERYTHING = ReportFilter()


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def event(ctx, clock, name: str, souvenir: str, people: list[str]) -> None:
    now = clock()
    created = create_event(ctx, HOST, EventDraft(name=name, souvenir=souvenir, starts_at=now + dt.timedelta(minutes=15),
                                                 ends_at=now + dt.timedelta(hours=2), opens_at=now))
    award_at_event(ctx, HOST, created.id, [(p, None) for p in people])


@pytest.fixture
def program(ctx, clock):
    """Six weeks of a program, T0 = Monday 2 March 2026, 09:00 UTC.

    day 0   L1, L2 submit SQL Basics (s1, s2); L3 Spreadsheet Fundamentals (s3); L4 Business Writing (s4);
            L5 Presentation Skills (s5); L7 Data Visualization Foundations (s7)
    day 1   L4 withdraws s4; G2 asks L7 for changes (L7 never resubmits); Welcome Week: L1, L2, L3
    day 2   G1 approves s1 with distinction
    day 3   G1 asks L2 for changes; day 4 L2 resubmits; day 5 G2 rejects s3; day 10 G1 approves s2
    day 11  the weekly nudges: L1 and L2 (each 1 of 3 toward Data Analytics (Practiced))
    day 12  L1 earns Spreadsheet Fundamentals (submitted and approved at once, by G1)
    day 20  L6 submits Business Writing (s6)
    day 35  Data Viz Meetup (April 6): L1, L8
    day 36  L1 shares SQL Basics; its page is viewed 3 times, its LinkedIn link followed once
    day 40  the reports are run
    """
    clock.now = day(0)
    s1, s2 = submit_for(ctx, L[1], "sql-basics"), submit_for(ctx, L[2], "sql-basics")
    s3 = submit_for(ctx, L[3], "spreadsheet-fundamentals")
    s4 = submit_for(ctx, L[4], "business-writing")
    submit_for(ctx, L[5], "presentation-skills")
    s7 = submit_for(ctx, L[7], "data-visualization-foundations")
    clock.now = day(1)
    withdraw(ctx, L[4], s4.id)
    review(ctx, G2, s7.id, Decision.REQUEST_CHANGES, "Label the axes.")
    event(ctx, clock, "Welcome Week", "welcome-week-2026", [L[1], L[2], L[3]])
    clock.now = day(2)
    review(ctx, G1, s1.id, Decision.APPROVE_WITH_DISTINCTION)
    clock.now = day(3)
    review(ctx, G1, s2.id, Decision.REQUEST_CHANGES, "Join the tables.")
    clock.now = day(4)
    resubmit(ctx, L[2], s2.id, [artifact("v2.pdf")], "Joined.")
    clock.now = day(5)
    review(ctx, G2, s3.id, Decision.REJECT, "Not your own work.")
    clock.now = day(10)
    review(ctx, G1, s2.id, Decision.APPROVE)
    clock.now = day(11)
    queue_nudges(ctx, NudgePolicy(Cadence("0 10 * * mon", "UTC")))
    clock.now = day(12)
    earn(ctx, L[1], "spreadsheet-fundamentals")
    clock.now = day(20)
    submit_for(ctx, L[6], "business-writing")
    clock.now = day(35)
    event(ctx, clock, "Data Viz Meetup", "data-viz-meetup", [L[1], L[8]])
    clock.now = day(36)
    set_shared(ctx, L[1], "sql-basics", True)
    for _ in range(3):
        assert count_visit(ctx, _public_id(ctx, L[1], "sql-basics"), VisitKind.PAGE_VIEW)
    assert count_visit(ctx, _public_id(ctx, L[1], "sql-basics"), VisitKind.LINKEDIN_CLICK)
    # A private award's page is not there to be seen, and nothing is counted for it.
    assert not count_visit(ctx, _public_id(ctx, L[2], "sql-basics"), VisitKind.PAGE_VIEW)
    clock.now = day(40)
    return ctx


def _public_id(ctx, learner: str, slug: str) -> str:
    from bot.usecases.progress import learner_progress

    return next(h.public_id for h in learner_progress(ctx, learner).holdings if h.credential == slug)


def headline(report) -> dict:
    return dict(report.headline)


def test_awards_by_month_type_and_credential(program):
    report = awards_report(program, ADMIN, EVERYTHING)
    assert headline(report) == {"awards": 8, "with distinction": 1, "credentials awarded": 4}
    assert report.table("month").rows == (("2026-03", 6, 1, 0.1667), ("2026-04", 2, 0, 0.0))
    assert report.table("type").rows == (("Souvenir", 5, 0, 0.0), ("Badge Level I", 3, 1, 0.3333))
    # The souvenirs are the university's own; the badges the College of Computing's.
    assert report.table("issuer").rows == (("university", 5, 0, 0.0), ("computing", 3, 1, 0.3333))
    # Most awarded first; a tie in slug order.
    assert report.table("credential").rows == (
        ("welcome-week-2026", "Welcome Week 2026", "Souvenir", 3, 0, 0.0),
        ("data-viz-meetup", "Data Visualization Meetup", "Souvenir", 2, 0, 0.0),
        ("sql-basics", "SQL Basics", "Badge Level I", 2, 1, 0.5),
        ("spreadsheet-fundamentals", "Spreadsheet Fundamentals", "Badge Level I", 1, 0, 0.0),
    )
    april = awards_report(program, ADMIN, ReportFilter.parse("2026-04-01", "2026-04-30"))
    assert april.table("month").rows == (("2026-04", 2, 0, 0.0),)
    # The end date is included: the meetup's souvenirs were issued on 6 April.
    assert headline(awards_report(program, ADMIN, ReportFilter.parse(until="2026-04-06")))["awards"] == 8
    assert headline(awards_report(program, ADMIN, ReportFilter.parse(until="2026-04-05")))["awards"] == 6


def test_the_funnel_counts_each_step_and_its_conversion(program):
    steps = {row[0]: row[1:] for row in funnel_report(program, ADMIN, EVERYTHING).table("steps").rows}
    assert steps == {
        "submitted": (8, "", None),
        "approved first time": (2, "submitted", 0.25),           # s1, the spreadsheet L1 earned on day 12
        "changes requested": (2, "submitted", 0.25),             # s2, s7
        "resubmitted": (1, "changes requested", 0.5),            # s2
        "approved after resubmission": (1, "resubmitted", 1.0),  # s2
        "approved": (3, "submitted", 0.375),
        "rejected": (1, "submitted", 0.125),                     # s3
        "withdrawn": (1, "submitted", 0.125),                    # s4
        "waiting on the learner": (1, "changes requested", 0.5),  # s7
        "still open": (3, "submitted", 0.375),                   # s5, s6, s7
    }
    later = {row[0]: row[1] for row in funnel_report(program, ADMIN, ReportFilter.parse("2026-03-10")).table("steps").rows}
    assert (later["submitted"], later["approved first time"], later["still open"]) == (2, 1, 1)


def test_time_to_decision_per_credential_and_grantor_against_the_target(program):
    report = decisions_report(program, ADMIN, EVERYTHING, target_days=14)
    # Final decisions only: s1 2 days, s2 10 (its request for changes on day 3 is not the end), s3 5, L1's 0.
    assert headline(report) == {"decisions": 4, "median days": 3.5, "p90 days": 8.5, "decided within target": 1.0,
                                "target days": 14, "open": 3, "open past target": 3}
    assert report.table("credential").rows == (
        ("spreadsheet-fundamentals", "Spreadsheet Fundamentals", 2, 2.5, 4.5, 1.0),
        ("sql-basics", "SQL Basics", 2, 6.0, 9.2, 1.0),
    )
    # Each grantor from the start of the round they decided: G1 took 2 (s1), 3 (s2 round 1), 6 (s2 round 2,
    # from the resubmission on day 4) and 0 days; G2 took 1 (s7) and 5 (s3).
    assert report.table("grantor").rows == (("U0GRANT001", 4, 2.5, 5.1, 1.0), ("U0GRANT002", 2, 3.0, 4.6, 1.0))
    histogram = {row[0]: row[2] for row in report.table("histogram").rows if row[2]}
    assert histogram == {0.0: 1, 2.0: 1, 4.0: 1, 10.0: 1}
    assert report.table("open").rows == (
        ("0–7 days", 0, False, 0, 0), ("7–14 days", 0, False, 0, 0),
        ("14–28 days", 1, True, 1, 0),   # s6, 20 days
        ("28+ days", 2, True, 1, 1),     # s5 awaits a grantor; s7 waits on L7
    )
    strict = decisions_report(program, ADMIN, EVERYTHING, target_days=4)
    assert headline(strict)["decided within target"] == 0.5
    assert [row[-1] for row in strict.table("credential").rows] == [0.5, 0.5]


def test_certificate_progress_counts_learners_at_k_of_n(program):
    report = certificates_report(program, ADMIN, EVERYTHING)
    progress = {(row[0], row[2]): row[4] for row in report.table("progress").rows}
    # L1 holds SQL Basics and Spreadsheet Fundamentals, L2 SQL Basics: 2 of 3 and 1 of 3.
    assert {k: v for k, v in progress.items() if k[0] == "data-analytics-practiced"} == {
        ("data-analytics-practiced", 1): 1, ("data-analytics-practiced", 2): 1, ("data-analytics-practiced", 3): 0}
    assert all(v == 0 for k, v in progress.items() if k[0] != "data-analytics-practiced")
    assert headline(report) == {"certificates": 3, "learners started": 2, "certificates held": 0}


def test_events_count_checkins_souvenirs_and_repeat_attendees(program):
    report = events_report(program, ADMIN, EVERYTHING)
    assert report.table("events").rows == (
        ("Welcome Week", "2026-03-03", "welcome-week-2026", 3, 3, 1, None),
        ("Data Viz Meetup", "2026-04-06", "data-viz-meetup", 2, 2, 1, None),
    )
    assert headline(report) == {"events": 2, "check-ins": 5, "attendees": 4, "repeat attendees": 1, "souvenirs": 5}
    # Within March alone nobody came twice.
    assert headline(events_report(program, ADMIN, ReportFilter.parse("2026-03-01", "2026-03-31")))["repeat attendees"] == 0


def test_engagement_sharing_visits_and_nudges(program):
    report = engagement_report(program, ADMIN, EVERYTHING)
    assert headline(report) == {"awards": 8, "shared": 1, "share rate": 0.125, "page views": 3, "LinkedIn clicks": 1,
                                "nudges": 2, "submissions within 14 days of a nudge": 1, "nudge conversion": 0.5}
    sql = next(row for row in report.table("credential").rows if row[0] == "sql-basics")
    assert sql == ("sql-basics", "SQL Basics", 2, 1, 0.5, 3, 1)
    # Visits are counted by day: none fell before 7 April.
    assert headline(engagement_report(program, ADMIN, ReportFilter.parse(until="2026-04-06")))["page views"] == 0


def test_only_administrators_and_issuer_admins_see_reports(program):
    for name, report in REPORTS.items():
        with pytest.raises(NotAllowed, match="Only program administrators and issuer admins"):
            report(program, L[1], EVERYTHING)
        with pytest.raises(NotAllowed, match="Only program administrators and issuer admins"):
            report(program, G2, EVERYTHING)  # a grantor, but no issuer's admin
        assert report(program, ADMIN, EVERYTHING).name == name
        assert report(program, COMPUTING_ADMIN, EVERYTHING).name == name


def test_bad_filters_get_a_specific_answer(program):
    with pytest.raises(InvalidInput, match="'2026-13-01' is not a date; write it as YYYY-MM-DD"):
        ReportFilter.parse("2026-13-01")
    with pytest.raises(InvalidInput, match=r"start date \(2026-05-01\) is after the end date \(2026-04-01\)"):
        ReportFilter.parse("2026-05-01", "2026-04-01")
    # The catalog's issuers, named for everyone who asks (before anything else is said).
    for who in (ADMIN, COMPUTING_ADMIN, L[1]):
        with pytest.raises(InvalidInput, match="There is no issuer 'law-school'; the issuers are: university, "
                                               "computing, career-services."):
            awards_report(program, who, ReportFilter.parse(issuer="law-school"))
    assert ReportFilter.parse(" ", "", "university") == ReportFilter(issuer="university")


def test_a_range_with_nothing_in_it_reports_zeros_not_errors(program):
    empty = ReportFilter.parse("2025-01-01", "2025-01-31")
    decisions = decisions_report(program, ADMIN, empty)
    assert headline(decisions) | {"open": 0, "open past target": 0} == {
        "decisions": 0, "median days": None, "p90 days": None, "decided within target": None, "target days": 14,
        "open": 0, "open past target": 0}
    assert decisions.table("credential").rows == () and {r[2] for r in decisions.table("histogram").rows} == {0}
    assert headline(awards_report(program, ADMIN, empty))["awards"] == 0
    assert {r[0]: r[1] for r in funnel_report(program, ADMIN, empty).table("steps").rows}["submitted"] == 0
    assert headline(engagement_report(program, ADMIN, empty))["share rate"] is None
    assert headline(events_report(program, ADMIN, empty))["events"] == 0


def test_an_issuer_admin_sees_only_their_credentials_in_every_report(program):
    # Every report as the office sees it with the issuer filter set, and saying so.
    for name in REPORTS:
        theirs = run_report(program, name, COMPUTING_ADMIN, EVERYTHING)
        office = run_report(program, name, ADMIN, ReportFilter(issuer="computing"))
        assert (theirs.headline, theirs.tables) == (office.headline, office.tables), name
        assert theirs.filter.describe() == "the start to today, issuer computing"
    awards = awards_report(program, COMPUTING_ADMIN, EVERYTHING)
    assert headline(awards) == {"awards": 3, "with distinction": 1, "credentials awarded": 2}  # no souvenirs
    assert awards.table("issuer").rows == (("computing", 3, 1, 0.3333),)
    steps = {row[0]: row[1] for row in funnel_report(program, COMPUTING_ADMIN, EVERYTHING).table("steps").rows}
    assert steps == {"submitted": 5, "approved first time": 2, "changes requested": 2, "resubmitted": 1,
                     "approved after resubmission": 1, "approved": 3, "rejected": 1, "withdrawn": 0,
                     "waiting on the learner": 1, "still open": 1}  # s4, s5, s6 are Career Services'
    decisions = decisions_report(program, COMPUTING_ADMIN, EVERYTHING)
    assert headline(decisions) == {"decisions": 4, "median days": 3.5, "p90 days": 8.5, "decided within target": 1.0,
                                   "target days": 14, "open": 1, "open past target": 1}  # s7 alone is open
    assert [row[0] for row in decisions.table("grantor").rows] == [G1, G2]
    certificates = certificates_report(program, COMPUTING_ADMIN, EVERYTHING)
    assert {row[0] for row in certificates.table("summary").rows} == {"data-analytics-practiced", "data-analytics-expert"}
    assert headline(certificates)["learners started"] == 2
    assert headline(events_report(program, COMPUTING_ADMIN, EVERYTHING))["events"] == 0  # the souvenirs' events
    # Both nudges were toward Data Analytics (Practiced), a Computing certificate.
    assert headline(engagement_report(program, COMPUTING_ADMIN, EVERYTHING)) == {
        "awards": 3, "shared": 1, "share rate": 0.3333, "page views": 3, "LinkedIn clicks": 1, "nudges": 2,
        "submissions within 14 days of a nudge": 1, "nudge conversion": 0.5}


def test_another_issuers_admin_sees_theirs_and_nothing_of_computing(program):
    steps = {row[0]: row[1] for row in funnel_report(program, CAREERS_ADMIN, EVERYTHING).table("steps").rows}
    assert (steps["submitted"], steps["withdrawn"], steps["still open"], steps["approved"]) == (3, 1, 2, 0)
    decisions = decisions_report(program, CAREERS_ADMIN, EVERYTHING)
    assert headline(decisions) == {"decisions": 0, "median days": None, "p90 days": None,
                                   "decided within target": None, "target days": 14, "open": 2, "open past target": 2}
    assert decisions.table("grantor").rows == () and decisions.table("credential").rows == ()
    assert [row[0] for row in certificates_report(program, CAREERS_ADMIN, EVERYTHING).table("summary").rows] == [
        "professional-communication-practiced"]
    assert headline(awards_report(program, CAREERS_ADMIN, EVERYTHING))["awards"] == 0
    engagement = headline(engagement_report(program, CAREERS_ADMIN, EVERYTHING))
    assert (engagement["awards"], engagement["page views"], engagement["nudges"]) == (0, 0, 0)


def test_an_issuer_admin_asking_for_another_issuer_is_refused_by_name(program):
    with pytest.raises(NotAllowed, match=r"You see reports for the issuers you administer \(computing\), "
                                         r"not for 'career-services'"):
        funnel_report(program, COMPUTING_ADMIN, ReportFilter(issuer="career-services"))
    assert headline(awards_report(program, COMPUTING_ADMIN, ReportFilter(issuer="computing")))["awards"] == 3
    # What each may pick in a filter.
    assert report_issuers(program, ADMIN) == ("university", "computing", "career-services")
    assert report_issuers(program, COMPUTING_ADMIN) == ("computing",)
    assert report_issuers(program, L[1]) == ()
