"""The demo workspace the sandbox starts with: people, channels, and a program already in motion.

Everything the program holds is made through the real use cases (`awards.award_souvenir`,
`submissions.submit`, `reviews.review`) with real files in the artifact store, and announced by the
bot's own delivery worker through the emulator, so every message a visitor sees is one the bot wrote.
Each step is dated in the past (use cases take their clock), so the program looks weeks old.

The plan is written for config/catalog.example.toml. With another catalog, the people and review
channels it names are still added (so its grantors and admins can be tried), and plan steps that name
credentials it does not have are skipped. Longer than 400 lines: the plan is one story, told top to bottom.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from bot.clock import FixedClock
from bot.domain.checkin import QrMode
from bot.domain.vocabulary import Decision
from bot.errors import BadgebotError
from bot.sandbox.emulator import SlackEmulator
from bot.usecases import awards as awards_uc
from bot.usecases import reviews as reviews_uc
from bot.usecases import submissions as submissions_uc
from bot.usecases.campus_events import checkin as checkin_uc
from bot.usecases.campus_events import hosting as hosting_uc
from bot.usecases.context import Context
from bot.usecases.reports import VisitKind, count_visit
from config.catalog import Catalog
from handlers.sandbox.demo_governance import waiting_proposal

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

log = logging.getLogger("badgebot.sandbox")

LEARNER, GRANTOR, HOST, ADMIN = "learner", "grantor", "host", "admin"
GENERAL = "C0GENERAL1"
REVIEWS = "C0REVIEWS1"


@dataclass(frozen=True)
class Person:
    """Someone a visitor can be; `about` says what is worth trying as them."""

    id: str
    handle: str
    name: str
    about: str


PEOPLE: tuple[Person, ...] = (
    Person("U0LEARN001", "ana.souza", "Ana Souza",
           "Holds two of the three Data Analytics badges. Submit Spreadsheet Fundamentals to finish the certificate."),
    Person("U0LEARN002", "ben.carter", "Ben Carter",
           "A grantor asked for changes to his SQL Basics work: reply in that DM thread with a new file."),
    Person("U0LEARN003", "chloe.martin", "Chloé Martin",
           "Working at Level II: SQL for Analytics needs a second approval."),
    Person("U0LEARN004", "kwame.mensah", "Kwame Mensah",
           "Just starting: a souvenir, a rejected memo, and a submission in review."),
    Person("U0GRANT001", "priya.raman", "Dr. Priya Raman",
           "Grants SQL, spreadsheets and statistics. Cards wait in #badge-reviews; `/badges review` lists them."),
    Person("U0GRANT002", "daniel.kim", "Prof. Daniel Kim",
           "Grants visualization and dashboards, and is the second approver for SQL for Analytics."),
    Person("U0GRANT003", "elena.petrova", "Elena Petrova",
           "Grants Business Writing and Presentation Skills."),
    Person("U0HOST0001", "jamie.okafor", "Jamie Okafor",
           "Runs the program's events and awards their souvenirs."),
    Person("U0ADMIN001", "morgan.reyes", "Morgan Reyes",
           "Runs the program. The Requests panel shows every call the bot makes."),
)
LEARNERS = tuple(p.id for p in PEOPLE if p.id.startswith("U0LEARN"))
WELCOME = ("Welcome to Lakeside's micro-credential program! Type `/badges` anywhere to see your badges and "
           "how far you are from each certificate, or `/badges catalog` to browse what you can earn.")


def roles_of(user: str, catalog: Catalog) -> list[str]:
    """What a person is in the program, most specific first (an admin may also host and grant)."""
    roles = []
    if user in catalog.roles.admins:
        roles.append(ADMIN)
    if any(user in spec.grantors for spec in catalog.credentials):
        roles.append(GRANTOR)
    if user in catalog.roles.hosts:
        roles.append(HOST)
    return roles or [LEARNER]


def people(catalog: Catalog) -> list[Person]:
    """The demo people, plus anyone the catalog names whom the demo does not know."""
    known = {p.id for p in PEOPLE}
    named = [*catalog.roles.admins, *catalog.roles.hosts,
             *(g for spec in catalog.credentials for g in spec.grantors)]
    extra = []
    for user in dict.fromkeys(named):
        if user not in known and user.startswith(("U", "W")):
            role = roles_of(user, catalog)[0]
            extra.append(Person(user, user.lower(), f"{role.title()} {user}", f"Named in the catalog as {role}."))
    return [*PEOPLE, *extra]


def populate(emulator: SlackEmulator, catalog: Catalog) -> None:
    """People and channels: #general for everyone, and each review channel for its grantors and admins."""
    everyone = people(catalog)
    for person in everyone:
        emulator.add_user(person.handle, id=person.id, real_name=person.name,
                          email=f"{person.handle}@lakeside.example.edu")
    emulator.add_channel("general", id=GENERAL)
    reviewers: dict[str, set[str]] = {}
    for spec in catalog.credentials:
        if spec.review_channel:
            reviewers.setdefault(spec.review_channel, set()).update(spec.grantors)
    for number, (channel, grantors) in enumerate(sorted(reviewers.items())):
        members = {emulator.bot_user_id, *grantors, *catalog.roles.admins}
        name = "badge-reviews" if number == 0 else f"badge-reviews-{number + 1}"
        emulator.add_channel(name, id=channel, members=sorted(m for m in members if m.startswith(("U", "W"))))
    if catalog.governance:  # where proposals are reviewed: its stages' approvers and the admins
        members = {emulator.bot_user_id, *catalog.roles.admins,
                   *(a for stage in catalog.governance.stages for a in stage.approvers)}
        emulator.add_channel("program-office", id=catalog.governance.channel,
                             members=sorted(m for m in members if m.startswith(("U", "W"))))
    for person in everyone:
        emulator.open_im(person.id)


# --------------------------------------------------------------------------------------------------
# The program in motion
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """A learner's submission, and what its grantors decided (nothing: it is still in review)."""

    days_ago: float
    learner: str
    credential: str
    files: tuple[str, ...]
    reflection: str
    decisions: tuple[tuple[str, Decision, str], ...] = ()
    link: str | None = None
    wait: float = 1 / 24  # days from submission to the first decision (the reports chart how long people wait)


# Past events with check-ins (the reports' events page: check-ins, souvenirs, who came back).
EVENTS: tuple[tuple[float, str, str, tuple[str, ...]], ...] = (
    (110, "Welcome Week opening fair", "welcome-week-2026", LEARNERS),
    (80, "Data Viz Meetup: maps", "data-viz-meetup", ("U0LEARN001", "U0LEARN003")),
    (45, "Data Viz Meetup: dashboards", "data-viz-meetup", ("U0LEARN001", "U0LEARN002", "U0LEARN003")),
)
UPCOMING_EVENT = (6, "data-viz-meetup", "Data Viz Meetup: storytelling")
SOUVENIRS: tuple[tuple[float, str, tuple[str, ...]], ...] = (
    (30, "welcome-week-2026", LEARNERS),
    (21, "data-viz-meetup", ("U0LEARN001", "U0LEARN004")),
)
WORK: tuple[Work, ...] = (
    # Earlier in the term: months of awards, and decisions that took days, for the program reports.
    Work(118, "U0LEARN002", "spreadsheet-fundamentals", ("workbook.csv",),
         "I fixed the types before the pivot table.", (("U0GRANT001", Decision.APPROVE, ""),), wait=9),
    Work(100, "U0LEARN003", "sql-basics", ("queries.pdf",), "Query 5 uses a window function.",
         (("U0GRANT001", Decision.APPROVE_WITH_DISTINCTION, ""),), wait=16),
    Work(90, "U0LEARN003", "data-visualization-foundations", ("charts.png",), "Small multiples, one per region.",
         (("U0GRANT002", Decision.APPROVE, ""),), wait=12),
    Work(72, "U0LEARN002", "data-visualization-foundations", ("charts.png",), "The bar chart starts at zero.",
         (("U0GRANT002", Decision.APPROVE, ""),), wait=20),
    Work(60, "U0LEARN003", "presentation-skills", ("slides.pdf",), "A five-minute talk on open data.",
         (("U0GRANT003", Decision.APPROVE, ""),), wait=3),
    Work(50, "U0LEARN003", "business-writing", ("memo.pdf",), "A memo to the dean about lab hours.",
         (("U0GRANT003", Decision.REJECT, "The memo runs to two pages; the criteria ask for one."),), wait=7),
    Work(38, "U0LEARN003", "dashboard-design-in-practice", ("dashboard.png", "brief.pdf"),
         "The Data Lab now uses this dashboard for its weekly numbers.", (("U0GRANT002", Decision.APPROVE, ""),),
         wait=10),
    Work(20, "U0LEARN001", "sql-basics", ("queries.pdf",),
         "Query 4 was the hardest: I first joined on the wrong key and double-counted orders.",
         (("U0GRANT001", Decision.APPROVE_WITH_DISTINCTION, ""),)),
    Work(14, "U0LEARN001", "data-visualization-foundations", ("charts.png", "chart-notes.pdf"),
         "I chose a slope chart for the before/after question because it shows direction at a glance.",
         (("U0GRANT002", Decision.APPROVE, ""),)),
    Work(12, "U0LEARN002", "business-writing", ("memo.pdf",),
         "I cut the rewritten email from 300 words to 90 and put the request in the first line.",
         (("U0GRANT003", Decision.APPROVE, ""),)),
    Work(10, "U0LEARN003", "spreadsheet-fundamentals", ("workbook.csv", "pivot.png"),
         "I kept the blank regions as 'Unknown' instead of dropping them, so totals still match.",
         (("U0GRANT002", Decision.APPROVE, ""),)),
    Work(9, "U0LEARN004", "business-writing", ("email-rewrite.pdf",),
         "Here is my rewritten email.",
         (("U0GRANT003", Decision.REJECT,
           "The one-page memo is missing, and the criteria ask for both. Please submit again with the memo."),)),
    Work(6, "U0LEARN002", "sql-basics", ("queries.pdf",),
         "Five queries with their output. Joins were new to me.",
         (("U0GRANT001", Decision.REQUEST_CHANGES,
           "Query 4 counts each order once per item: join on order_id and count distinct orders, then "
           "resubmit with the corrected output."),)),
    Work(4, "U0LEARN003", "sql-analytics-professional", ("client-brief.pdf", "queries.pdf"),
         "The food bank used my retention query to plan its volunteer calls; their note is in the brief.",
         (("U0GRANT001", Decision.APPROVE, ""),), link="https://github.com/chloe-martin/foodbank-retention"),
    Work(3, "U0LEARN003", "applied-statistical-modeling", ("model-report.pdf",),
         "A logistic model of volunteer no-shows; the calibration plot is on page 4."),
    Work(2, "U0LEARN002", "presentation-skills", ("slides.pdf",),
         "Slides for my five-minute talk on campus composting; the recording link is below.",
         link="https://media.lakeside.example.edu/v/ben-composting"),
    Work(1, "U0LEARN004", "data-visualization-foundations", ("charts.png",),
         "Three charts about bike-share trips by season, each with my reasoning."),
    # Still waiting, past the office's 14-day target: the grantors' App Homes show it in red.
    Work(17, "U0LEARN004", "spreadsheet-fundamentals", ("workbook.csv",),
         "My first pivot table: orders by region and month, with the blanks kept as 'Unknown'."),
)


def seed(badgebot: "Badgebot", emulator: SlackEmulator) -> None:
    """Put the program in motion through the use cases; the delivery worker tells Slack (the emulator)."""
    catalog, ctx = badgebot.catalog, badgebot.ctx

    def settle() -> None:
        badgebot.delivery.drain(timeout=30)

    names = {p.id: p.name for p in people(catalog)}
    offered = {spec.id for spec in catalog.credentials}
    now = ctx.clock()

    def at(days_ago: float) -> Context:
        return dataclasses.replace(ctx, clock=FixedClock(now - dt.timedelta(days=days_ago)))

    def attempt(what: str, step: Callable[[], object]) -> None:
        try:
            step()
        except BadgebotError as exc:  # a custom catalog may not allow a step; the rest still seeds
            log.warning("sandbox demo: skipped %s: %s", what, exc)

    host = next(iter(catalog.roles.hosts), "")
    for days_ago, name, souvenir, learners in EVENTS:
        if souvenir in offered and host:
            attempt(name, lambda d=days_ago, n=name, s=souvenir, ls=learners: past_event(at(d), host, n, s, [
                (learner, names[learner]) for learner in ls]))
    for days_ago, souvenir, learners in SOUVENIRS:
        host = next(iter(catalog.roles.hosts), "")
        if souvenir in offered and host:
            attempt(souvenir, lambda d=days_ago, s=souvenir, ls=learners: awards_uc.award_souvenir(
                at(d), host, s, [(learner, names[learner]) for learner in ls]))
    if UPCOMING_EVENT[1] in offered and host:  # the host's App Home: one event coming, with a poster
        days, souvenir, name = UPCOMING_EVENT
        starts = (now + dt.timedelta(days=days)).replace(hour=23, minute=0, second=0, microsecond=0)
        attempt(name, lambda: hosting_uc.create_event(ctx, host, hosting_uc.EventDraft(
            name=name, souvenir=souvenir, starts_at=starts, ends_at=starts + dt.timedelta(hours=2),
            location="Data Lab, room 210", capacity=40, qr_mode=QrMode.POSTER)))
    submitted: dict[int, int] = {}
    for number, work in enumerate(WORK):
        if work.credential not in offered:
            continue

        def submit(w: Work = work, n: int = number) -> None:
            files = [badgebot.store.save_stream(iter([artifact_bytes(name, w)]), name) for name in w.files]
            view = submissions_uc.submit(at(w.days_ago), w.learner, w.credential, files, w.reflection, w.link,
                                         display_name=names[w.learner])
            submitted[n] = view.id

        attempt(f"{work.learner}'s {work.credential}", submit)
    settle()  # review cards and the learners' DM threads exist before any decision is announced
    for number, work in enumerate(WORK):
        for hours, (grantor, decision, comment) in enumerate(work.decisions, start=1):
            if number in submitted:
                attempt(f"{grantor}'s decision on {work.credential}", lambda w=work, n=number, h=hours, g=grantor,
                        d=decision, c=comment: reviews_uc.review(at(w.days_ago - w.wait - (h - 1) / 24), g,
                                                                 submitted[n], d, c))
    settle()
    for days_ago, learner, credential, views, clicks in SHARED:
        if credential in offered:
            attempt(f"{learner} sharing {credential}", lambda d=days_ago, ln=learner, c=credential, v=views, k=clicks:
                    share_and_visit(at, d, ln, c, v, k))
    attempt("a proposal in governance", lambda: waiting_proposal(at, catalog, settle))
    for person in people(catalog):
        badgebot.homes.publish(person.id)
    if catalog.roles.admins:
        emulator.record_user_message(catalog.roles.admins[0], GENERAL, WELCOME)


# Awards their learners shared, and the days their pages were viewed and their LinkedIn links followed.
SHARED: tuple[tuple[float, str, str, tuple[float, ...], tuple[float, ...]], ...] = (
    (19, "U0LEARN001", "sql-basics", (18, 15, 15, 11, 7, 3, 2), (18, 7)),
    (8, "U0LEARN003", "spreadsheet-fundamentals", (7, 5, 1), (5,)),
    (10, "U0LEARN002", "data-visualization-foundations", (9, 4), ()),
)


def past_event(ctx: Context, host: str, name: str, souvenir: str, people: list[tuple[str, str | None]]) -> None:
    """An event that took place (as of ctx's clock), with its attendees checked in by the host."""
    now = ctx.clock()
    event = hosting_uc.create_event(ctx, host, hosting_uc.EventDraft(
        name=name, souvenir=souvenir, starts_at=now, ends_at=now + dt.timedelta(hours=2)))
    checkin_uc.award_at_event(ctx, host, event.id, people)


def share_and_visit(at: Callable[[float], Context], days_ago: float, learner: str, credential: str,
                    views: tuple[float, ...], clicks: tuple[float, ...]) -> None:
    public_id = awards_uc.set_shared(at(days_ago), learner, credential, True).public_id
    for day in views:
        count_visit(at(day), public_id, VisitKind.PAGE_VIEW)
    for day in clicks:
        count_visit(at(day), public_id, VisitKind.LINKEDIN_CLICK)


# --------------------------------------------------------------------------------------------------
# An event with check-in open now: the door screen and "check in as" work whenever the sandbox runs
# --------------------------------------------------------------------------------------------------

LIVE_EVENT_SOUVENIR = "hackathon-2026"
LIVE_EVENT_NAME = "Civic Hackathon 2026"
LIVE_EVENT_LOCATION = "Innovation Hub, Main Hall"


def live_event(badgebot: "Badgebot") -> hosting_uc.EventView | None:
    """The demo host's event whose check-in is open now; one is created (through the use case) when none is.

    Run at every start, not only when seeding: a sandbox started again days later still has an open event.
    """
    ctx, catalog = badgebot.ctx, badgebot.catalog
    host = next(iter(catalog.roles.hosts), "")
    if not host or LIVE_EVENT_SOUVENIR not in {spec.id for spec in catalog.credentials}:
        return None
    now = ctx.clock()
    for event in hosting_uc.list_events(ctx, host):
        if event.state_at(now) == "open":
            return event
    # The 24-hour hackathon began two hours ago; check-in stays open until it ends.
    draft = hosting_uc.EventDraft(name=LIVE_EVENT_NAME, souvenir=LIVE_EVENT_SOUVENIR,
                                 starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(hours=22),
                                 location=LIVE_EVENT_LOCATION)
    try:
        return hosting_uc.create_event(ctx, host, draft)
    except BadgebotError as exc:
        log.warning("sandbox demo: no live event: %s", exc)
        return None


# --------------------------------------------------------------------------------------------------
# Artifact files: small but real, so grantors' links open something
# --------------------------------------------------------------------------------------------------


def artifact_bytes(name: str, work: Work) -> bytes:
    """A believable file for the demo: a one-page PDF, a bar chart PNG, or a CSV."""
    title = f"{work.credential.replace('-', ' ').title()}: {name}"
    if name.endswith(".png"):
        return bar_chart_png(title)
    if name.endswith(".csv"):
        return b"region,month,orders,revenue\nNorth,2026-01,120,5400.00\nSouth,2026-01,98,4410.50\n" \
               b"Unknown,2026-01,7,315.00\nNorth,2026-02,131,5895.00\n"
    return one_page_pdf(title, [work.reflection, "", "Submitted in the Badgebot sandbox (demo data)."])


def one_page_pdf(title: str, lines: list[str]) -> bytes:
    """A minimal, valid PDF with a title and a few lines of text (Helvetica, no fonts embedded)."""
    def pdf_text(text: str) -> str:
        return text.encode("latin-1", "replace").decode("latin-1").replace("\\", "\\\\").replace(
            "(", "\\(").replace(")", "\\)")

    wrapped: list[str] = []
    for line in lines:
        while len(line) > 90:
            cut = line.rfind(" ", 0, 90)
            cut = cut if cut > 0 else 90
            wrapped.append(line[:cut])
            line = line[cut:].lstrip()
        wrapped.append(line)
    text = [f"BT /F1 18 Tf 72 720 Td ({pdf_text(title)}) Tj ET"]
    text += [f"BT /F1 11 Tf 72 {690 - 16 * i} Td ({pdf_text(line)}) Tj ET" for i, line in enumerate(wrapped)]
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def bar_chart_png(title: str) -> bytes:
    """A small bar chart, drawn with Pillow."""

    image = Image.new("RGB", (480, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.text((16, 12), title[:60], fill=(29, 28, 29))
    values = [42, 67, 55, 81, 73]
    for i, value in enumerate(values):
        left = 50 + i * 80
        draw.rectangle((left, 270 - value * 2.6, left + 50, 270), fill=(18, 100, 163))
        draw.text((left + 14, 276), ["Jan", "Feb", "Mar", "Apr", "May"][i], fill=(97, 96, 97))
    draw.line((40, 270, 460, 270), fill=(97, 96, 97))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
