"""Bench: every program report over the bench program, beside one hand-written SQL query per report (issue 14).

    python bench/reports.py [--db sqlite|postgresql|both] [--learners 50000] [--credentials 300]
                            [--awards 500000] [--repeat 5] [--postgres-url URL] [--seed 2] [--only REPORT]

bench/progress.py's seeded program (its `generate` and `load`: 50,000 learners, 300 credentials, 500,000
awards), plus what the reports also read, in proportion (see `extras`): a submission for every badge award,
with its reviews and files (some through a request for changes and a resubmission), submissions rejected,
withdrawn and still open, events with check-ins for the souvenirs, nudges in the outbox, and page views and
LinkedIn clicks of shared awards. Then, per report, interleaved A, B, A, B, ...:

  A  the project's path: the report use case (bot/usecases/reports), on a Context with a fixed clock
  B  the baseline: one hand-written SQL query with the same figures (`BASELINE` below), fetched

Target (issue 14): A under 2 s for every report on both databases; A/B is printed beside it. Misses are
reported, never fatal; A's figures differing from B's exit with status 1.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # (also puts the project root on sys.path)
import progress  # the dataset: generate, load
from common import Stats, fmt_seconds, table

NOW = progress.NOW
TARGET_SECONDS = 2.0
TARGET_DAYS = 14
BADGES = (progress.L1, progress.L2)
EVENTS_PER_SOUVENIR = 5
SUBMISSION_COLUMNS = ("id", "learner_id", "credential_id", "status", "round", "reflection", "created_at",
                      "updated_at", "decided_at", "decided_by", "waited_seconds")
REVIEW_COLUMNS = ("id", "submission_id", "round", "grantor", "decision", "distinction", "comment", "created_at",
                  "decision_seconds")
ARTIFACT_COLUMNS = ("id", "submission_id", "round", "filename", "media_type", "size", "sha256", "storage_key",
                    "created_at")
EVENT_COLUMNS = ("id", "public_id", "name", "souvenir_id", "host", "starts_at", "ends_at", "checkin_opens_at",
                 "checkin_closes_at", "location", "qr_mode", "code_period_seconds", "checkin_count", "created_at")
OUTBOX_COLUMNS = ("id", "dedupe_key", "kind", "recipient", "payload", "status", "attempts", "created_at",
                  "next_attempt_at", "sent_at")
VISIT_COLUMNS = ("award_id", "kind", "day", "count")


def say(message: str) -> None:
    print(message, flush=True)


# =========================================================================== the rest of the program


def seconds(later: dt.datetime, earlier: dt.datetime) -> int:
    """A decision's stored duration, as bot/usecases/reviews.py stamps it (whole seconds)."""
    return round((later - earlier).total_seconds())


def extras(data: progress.Dataset, seed: int) -> dict[str, list[tuple[Any, ...]]]:
    """Submissions, reviews, files, events, nudges and visits in proportion to the awards, seeded.

    Every badge award has its submission (approved at the award's instant, after a log-normal wait: median
    about 5 days, a long tail past the 14-day target); 15% went through a request for changes and a second
    round. For every four badge awards there is one more submission that was rejected (40%), withdrawn (20%)
    or is still open (40%, a few weeks old at most). Souvenirs were given at events (5 per souvenir);
    a third of learners were nudged 1-3 times; a third of shared awards were seen on 1-5 days."""
    rng = random.Random(seed + 14)
    types = {c["id"]: c["type"] for c in data.credentials}
    grantor = {c["id"]: (c["grantors"] or ["UGRANT0000"])[0] for c in data.credentials}
    submissions: list[tuple[Any, ...]] = []
    reviews: list[tuple[Any, ...]] = []
    artifacts: list[tuple[Any, ...]] = []

    def file(submission: int, round_: int, at: dt.datetime) -> None:
        artifacts.append((len(artifacts) + 1, submission, round_, "work.pdf", "application/pdf", 20_000,
                          f"{rng.getrandbits(256):064x}", "artifacts/bench", at))

    def review(submission: int, round_: int, who: str, decision: str, at: dt.datetime, started: dt.datetime,
               distinction: bool = False) -> None:
        reviews.append((len(reviews) + 1, submission, round_, who, decision, distinction, "", at,
                        seconds(at, started)))

    held: set[tuple[int, int]] = set()
    for award in data.awards:
        _, _, learner, credential, distinction, issued_at, *_ = award
        held.add((learner, credential))
        if types[credential] not in BADGES:
            continue
        sid = len(submissions) + 1
        waited = dt.timedelta(days=min(90.0, rng.lognormvariate(1.6, 0.8)))
        created = issued_at - waited
        who = grantor[credential]
        if rng.random() < 0.15:  # changes requested, then a resubmission
            asked = created + waited * 0.3
            again = created + waited * 0.6
            file(sid, 1, created)
            review(sid, 1, who, "request_changes", asked, created)
            file(sid, 2, again)
            review(sid, 2, who, "approve_with_distinction" if distinction else "approve", issued_at, again,
                   distinction)
            round_ = 2
        else:
            file(sid, 1, created)
            review(sid, 1, who, "approve_with_distinction" if distinction else "approve", issued_at, created,
                   distinction)
            round_ = 1
        submissions.append((sid, learner, credential, "approved", round_, "", created, issued_at, issued_at, who,
                            seconds(issued_at, created)))
    badge_ids = [c["id"] for c in data.credentials if c["type"] in BADGES]
    learners = len(data.learners)
    open_pairs: set[tuple[int, int]] = set()
    for _ in range(len(submissions) // 4):
        learner, credential = rng.randint(1, learners), rng.choice(badge_ids)
        sid, who = len(submissions) + 1, grantor[credential]
        fate = rng.random()
        if fate < 0.4:
            created = NOW - dt.timedelta(days=rng.uniform(10, 1400))
            decided = created + dt.timedelta(days=min(90.0, rng.lognormvariate(1.6, 0.8)))
            file(sid, 1, created)
            review(sid, 1, who, "reject", decided, created)
            submissions.append((sid, learner, credential, "rejected", 1, "", created, decided, decided, who,
                                seconds(decided, created)))
        elif fate < 0.6:
            created = NOW - dt.timedelta(days=rng.uniform(10, 1400))
            file(sid, 1, created)
            submissions.append((sid, learner, credential, "withdrawn", 1, "", created, created, None, None, None))
        elif (learner, credential) not in held and (learner, credential) not in open_pairs:
            open_pairs.add((learner, credential))
            created = NOW - dt.timedelta(days=rng.uniform(0, 40))
            file(sid, 1, created)
            if rng.random() < 0.3:
                asked = created + (NOW - created) / 2
                review(sid, 1, who, "request_changes", asked, created)
                submissions.append((sid, learner, credential, "changes_requested", 1, "", created, asked, asked, who,
                                    None))
            else:
                submissions.append((sid, learner, credential, "submitted", 1, "", created, created, None, None,
                                    None))

    events = []
    for credential in (c["id"] for c in data.credentials if c["type"] == progress.SOUVENIR):
        for k in range(EVENTS_PER_SOUVENIR):
            # Event ids follow (credential, k), so an award's event is computed in SQL (see `load_extras`).
            eid = (credential - 1) * EVENTS_PER_SOUVENIR + k + 1
            starts = NOW - dt.timedelta(days=rng.uniform(1, 1400))
            events.append((eid, f"ev{eid:08d}", f"Event {eid}", credential, "UHOST0001", starts,
                           starts + dt.timedelta(hours=2), starts, starts + dt.timedelta(hours=2), "", "rotating",
                           30, 0, starts))
    outbox = []
    for learner in range(1, learners + 1):
        if rng.random() < 0.33:
            for _ in range(rng.randint(1, 3)):
                at = NOW - dt.timedelta(days=rng.uniform(1, 400))
                outbox.append((len(outbox) + 1, f"nudge:bench:{len(outbox)}", "nudge", f"UB{learner:08X}", "{}",
                               "sent", 1, at, at, at))
    visits = []
    for award in data.awards:
        shared_at = award[11]
        if shared_at is not None and rng.random() < 0.33:
            for day in {(shared_at + dt.timedelta(days=rng.uniform(0, 300))).date() for _ in range(rng.randint(1, 5))}:
                if day <= NOW.date():
                    visits.append((award[0], "page_view", day, rng.randint(1, 10)))
                    if rng.random() < 0.3:
                        visits.append((award[0], "linkedin_click", day, 1))
    return {"submissions": submissions, "reviews": reviews, "artifacts": artifacts, "events": events,
            "outbox": outbox, "award_visits": visits}


def load_extras(url: str, rows: dict[str, list[tuple[Any, ...]]]) -> float:
    from sqlalchemy import text

    from bot.adapters.db import make_engine

    columns = {"submissions": SUBMISSION_COLUMNS, "reviews": REVIEW_COLUMNS, "artifacts": ARTIFACT_COLUMNS,
               "events": EVENT_COLUMNS, "outbox": OUTBOX_COLUMNS, "award_visits": VISIT_COLUMNS}
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    started = time.perf_counter()
    try:
        with engine.begin() as conn:
            for name in ("submissions", "reviews", "artifacts", "events", "outbox", "award_visits"):
                if postgres:  # COPY takes the outbox payload as JSON text
                    progress._copy(conn, name, columns[name], rows[name])
                else:  # Core's JSON type wants the value
                    table_rows = [(*r[:4], json.loads(r[4]), *r[5:]) for r in rows[name]] if name == "outbox" \
                        else rows[name]
                    progress._insert_many(conn, name, columns[name], table_rows)
            souvenirs = "(SELECT id FROM credentials WHERE type = 'souvenir')"
            conn.execute(text(f"UPDATE awards SET event_id = (credential_id - 1) * {EVENTS_PER_SOUVENIR} + 1 + "
                              f"(id % {EVENTS_PER_SOUVENIR}) WHERE credential_id IN {souvenirs}"))
            conn.execute(text("INSERT INTO checkins (event_id, learner_id, checked_in_at, method) "
                              "SELECT event_id, learner_id, min(issued_at), 'qr' FROM awards "
                              "WHERE event_id IS NOT NULL GROUP BY event_id, learner_id"))
        common.analyze(engine, postgres)
    finally:
        engine.dispose()
    return time.perf_counter() - started


# =========================================================================== B: one hand-written query each

BASELINE: dict[str, dict[str, str]] = {
    "awards": {
        "sqlite": "SELECT strftime('%Y-%m', issued_at) AS month, credential_id, count(*), sum(distinction) "
                  "FROM awards WHERE revoked_at IS NULL GROUP BY month, credential_id",
        "postgresql": "SELECT to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, credential_id, count(*), "
                      "sum(distinction::int) FROM awards WHERE revoked_at IS NULL GROUP BY month, credential_id",
    },
    "funnel": {"any": """
        SELECT count(*),
               sum(CASE WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.submission_id = s.id
                                     AND r.decision = 'request_changes') THEN 1 ELSE 0 END),
               sum(CASE WHEN s.round > 1 THEN 1 ELSE 0 END),
               sum(CASE WHEN s.status = 'approved' THEN 1 ELSE 0 END),
               sum(CASE WHEN s.status = 'rejected' THEN 1 ELSE 0 END),
               sum(CASE WHEN s.status = 'withdrawn' THEN 1 ELSE 0 END),
               sum(CASE WHEN s.status IN ('submitted', 'resubmitted', 'changes_requested') THEN 1 ELSE 0 END)
        FROM submissions s"""},
    "decisions": {
        # The durations stored with each final decision, as the project's path reads them. SQLite has no
        # percentile_cont: the sorted durations, as the project's path reads them too.
        "sqlite": "SELECT credential_id, waited_seconds / 86400.0 AS d FROM submissions "
                  "WHERE waited_seconds IS NOT NULL ORDER BY credential_id, d",
        "postgresql": "SELECT credential_id, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
                      "percentile_cont(0.9) WITHIN GROUP (ORDER BY d) FROM (SELECT credential_id, "
                      "waited_seconds / 86400.0 AS d FROM submissions "
                      "WHERE waited_seconds IS NOT NULL) AS w GROUP BY credential_id",
    },
    "certificates": {"any": f"""
        SELECT certificate_id, held, count(*) FROM ({progress.BASELINE_SQL}) AS p
        GROUP BY certificate_id, held"""},
    "events": {"any": """
        SELECT e.id, (SELECT count(*) FROM checkins c WHERE c.event_id = e.id),
               (SELECT count(*) FROM awards a WHERE a.event_id = e.id AND a.revoked_at IS NULL)
        FROM events e"""},
    "engagement": {"any": """
        SELECT a.credential_id, count(*), sum(CASE WHEN a.shared_at IS NOT NULL THEN 1 ELSE 0 END),
               coalesce(sum(v.views), 0), coalesce(sum(v.clicks), 0)
        FROM awards a LEFT JOIN (SELECT award_id,
                                        sum(CASE WHEN kind = 'page_view' THEN count ELSE 0 END) AS views,
                                        sum(CASE WHEN kind = 'linkedin_click' THEN count ELSE 0 END) AS clicks
                                 FROM award_visits GROUP BY award_id) v ON v.award_id = a.id
        WHERE a.revoked_at IS NULL GROUP BY a.credential_id"""},
}


def baseline(conn: Any, name: str) -> dict[str, Any]:
    """Run B and reduce its rows to the figures checked against A."""
    from sqlalchemy import text

    queries = BASELINE[name]
    sql = queries.get(conn.dialect.name) or queries["any"]
    rows = conn.execute(text(sql), {"now": NOW if conn.dialect.name == "postgresql" else
                                    NOW.replace(tzinfo=None).isoformat(sep=" ")}).all()
    if name == "awards":
        return {"awards": sum(r[2] for r in rows), "with distinction": sum(int(r[3] or 0) for r in rows)}
    if name == "funnel":
        r = rows[0]
        return {"submitted": r[0], "changes requested": int(r[1] or 0), "resubmitted": int(r[2] or 0),
                "approved": int(r[3] or 0), "rejected": int(r[4] or 0), "withdrawn": int(r[5] or 0),
                "still open": int(r[6] or 0)}
    if name == "decisions":
        if conn.dialect.name == "postgresql":
            return {"decisions": sum(r[1] for r in rows),
                    "medians": {r[0]: round(float(r[2]), 2) for r in rows}}
        groups: dict[int, list[float]] = {}
        for credential, days in rows:
            groups.setdefault(credential, []).append(float(days))
        return {"decisions": len(rows), "medians": {c: round(statistics.median(d), 2) for c, d in groups.items()}}
    if name == "certificates":
        return {"learners started": sum(r[2] for r in rows)}
    if name == "events":
        return {"check-ins": sum(r[1] for r in rows), "souvenirs": sum(r[2] for r in rows)}
    return {"awards": sum(r[1] for r in rows), "shared": sum(int(r[2] or 0) for r in rows),
            "page views": sum(int(r[3]) for r in rows), "LinkedIn clicks": sum(int(r[4]) for r in rows)}


def figures(report: Any, slugs: dict[str, int]) -> dict[str, Any]:
    """A's report reduced to B's figures."""
    head = dict(report.headline)
    if report.name == "decisions":
        return {"decisions": head["decisions"],
                "medians": {slugs[r[0]]: r[3] for r in report.table("credential").rows}}
    if report.name == "funnel":
        steps = {r[0]: r[1] for r in report.table("steps").rows}
        return {k: steps[k] for k in ("submitted", "changes requested", "resubmitted", "approved", "rejected",
                                      "withdrawn", "still open")}
    if report.name == "engagement":  # B counts visits per credential, as A's table does
        rows = report.table("credential").rows
        return {"awards": head["awards"], "shared": head["shared"], "page views": sum(r[5] for r in rows),
                "LinkedIn clicks": sum(r[6] for r in rows)}
    keys = {"awards": ("awards", "with distinction"), "certificates": ("learners started",),
            "events": ("check-ins", "souvenirs"), "engagement": ("awards", "shared", "page views", "LinkedIn clicks")}
    return {k: head[k] for k in keys[report.name]}


# =========================================================================== measuring


def measure(url: str, repeat: int, only: list[str]) -> tuple[list[list[Any]], list[str]]:
    from sqlalchemy import select

    from bot.adapters.db import make_engine, make_session_factory
    from bot.clock import FixedClock
    from bot.usecases.context import CLI_ACTOR, Context
    from bot.usecases.reports import REPORTS, ReportFilter, run_report
    from models import Credential

    engine = make_engine(url)
    ctx = Context(sessions=make_session_factory(engine), clock=FixedClock(NOW))
    with engine.connect() as conn:
        slugs = dict(conn.execute(select(Credential.slug, Credential.id)).all())
    rows, wrong = [], []
    try:
        for name in only or REPORTS:
            a_times, b_times = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                report = run_report(ctx, name, CLI_ACTOR, ReportFilter(), target_days=TARGET_DAYS)
                a_times.append(time.perf_counter() - started)
                with engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")  # connected before the timer, as A's pool is
                    started = time.perf_counter()
                    b = baseline(conn, name)
                    b_times.append(time.perf_counter() - started)
            a = figures(report, slugs)
            if a != b:
                wrong.append(f"{name}: A {_short(a)} != B {_short(b)}")
            sa, sb = Stats.of(a_times), Stats.of(b_times)
            rows.append([name, fmt_seconds(sa.median), fmt_seconds(sa.max), fmt_seconds(sb.median),
                         f"{sa.median / sb.median:.2f}", "yes" if sa.median < TARGET_SECONDS else "NO",
                         _short({k: v for k, v in a.items() if k != "medians"})])
    finally:
        engine.dispose()
    return rows, wrong


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) < 90 else text[:87] + "..."


def run(name: str, url: str, args: argparse.Namespace, data: progress.Dataset, rows: dict[str, list[Any]]) -> bool:
    say(f"\n== {name}: loading ({common.redact(url)})")
    loaded = progress.load(url, data)
    extra = load_extras(url, rows)
    say("   loaded in " + ", ".join(f"{k} {v:.1f} s" for k, v in loaded.items()) + f", the rest {extra:.1f} s")
    results, wrong = measure(url, args.repeat, args.only)
    say(table(["report", "A median", "A max", "B median", "A/B", f"A < {TARGET_SECONDS:g} s", "figures"],
              results))
    for line in wrong:
        say(f"   WRONG {line}")
    return not wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--credentials", type=int, default=300)
    parser.add_argument("--awards", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--only", action="append", choices=tuple(BASELINE), default=[],
                        help="measure only this report (repeatable; default: every report)")
    parser.add_argument("--postgres-url", default=common.os.environ.get("BENCH_POSTGRES", common.DEFAULT_POSTGRES))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    data = progress.generate(args.learners, args.credentials, args.awards, args.seed)
    rows = extras(data, args.seed)
    say(f"program: {len(data.learners):,} learners, {len(data.credentials)} credentials, {len(data.awards):,} "
        f"awards; " + ", ".join(f"{len(v):,} {k}" for k, v in rows.items())
        + f" (generated in {time.perf_counter() - started:.1f} s)")
    ok = True
    for name in ("sqlite", "postgresql"):
        if args.db not in (name, "both"):
            continue
        database = common.sqlite_database() if name == "sqlite" else common.postgres_schema(args.postgres_url)
        with database if database is not None else nullcontext() as url:
            ok = run(name, url, args, data, rows) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
