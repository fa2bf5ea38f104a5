"""Bench: every learner's certificate progress and the nudge candidates, at program scale (issue 2).

    python bench/progress.py [--db sqlite|postgresql|both] [--learners 50000] [--credentials 300]
                             [--awards 500000] [--repeat 5] [--postgres-url URL] [--seed 2] [--explain]

Generates a seeded, realistic program (see `generate`), loads it into a temporary SQLite file and/or a
throwaway PostgreSQL schema (migrated with the real migrations; dropped afterwards), ANALYZEs, then
measures, interleaved A, B, A, B, ... and each in a fresh Python process:

  A  the project's path: `all_stack_progress` walked once, feeding `nudge_candidates`
  B  the baseline: one hand-written SQL aggregate of the same (learner, certificate, held, required)
     rows over valid awards, fetched fully

Targets (issue 2): A under 10 s and under 500 MB peak RSS, and A within 2x of B (medians, same run).
Timing misses are reported, never fatal (machines are noisy); wrong results exit with status 1.
See bench/README.md for what is measured and how.
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (also puts the project root on sys.path)
from common import MB, Stats, fmt_mb, fmt_seconds, table  # noqa: E402

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # "now" for every measured phase (a fixed clock)
TARGET_SECONDS = 10.0
TARGET_BYTES = 500 * MB
TARGET_RATIO = 2.0
# Issue 15, a state university system (--learners 500000 --awards 5000000): the same 10 s, within 1 GB and 1.5x.
SYSTEM_LEARNERS = 500_000
SYSTEM_BYTES, SYSTEM_RATIO = 1024 * MB, 1.5


def targets(learners: int) -> tuple[str, float, int, float]:
    """(issue, seconds, peak bytes, A/B ratio) that A is held to at this scale."""
    if learners >= SYSTEM_LEARNERS:
        return "issue 15", TARGET_SECONDS, SYSTEM_BYTES, SYSTEM_RATIO
    return "issue 2", TARGET_SECONDS, TARGET_BYTES, TARGET_RATIO
HASH_MASK = (1 << 64) - 1

SOUVENIR, L1, L2, PRACTICED, EXPERT = (
    "souvenir", "badge_level_1", "badge_level_2", "certificate_practiced", "certificate_expert")
CERTIFICATE_TYPES = (PRACTICED, EXPERT)
# The catalog mix for 300 credentials; scaled for other --credentials values.
MIX = ((SOUVENIR, 40), (L1, 130), (L2, 100), (PRACTICED, 20), (EXPERT, 10))

AWARD_COLUMNS = ("id", "public_id", "learner_id", "credential_id", "distinction", "issued_at", "issued_by",
                 "expires_at", "revoked_at", "revoked_by", "revoked_reason", "shared_at")
LEARNER_COLUMNS = ("id", "slack_user_id", "display_name", "nudges_enabled", "public_profile", "created_at")

# B: the baseline, written by hand. No ORDER BY: it is the least the database must do to produce the
# counts. A runs the same shape of query through SQLAlchemy and then picks the nudges in Python.
BASELINE_SQL = """
SELECT a.learner_id, r.certificate_id, count(*) AS held, n.required
FROM awards AS a
JOIN certificate_requirements AS r ON r.badge_id = a.credential_id
JOIN (SELECT certificate_id, count(*) AS required
      FROM certificate_requirements GROUP BY certificate_id) AS n ON n.certificate_id = r.certificate_id
WHERE a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > :now)
GROUP BY a.learner_id, r.certificate_id, n.required
"""


# =========================================================================== data


@dataclass
class Dataset:
    credentials: list[dict[str, Any]]
    requirements: list[tuple[int, int]]  # (certificate_id, badge_id)
    learners: list[tuple[Any, ...]]  # LEARNER_COLUMNS
    awards: list[tuple[Any, ...]]  # AWARD_COLUMNS
    profile: dict[str, Any] = field(default_factory=dict)


def credential_mix(n: int) -> dict[str, int]:
    if n < 20:
        raise SystemExit("--credentials must be at least 20 (every type needs a few)")
    total = sum(w for _, w in MIX)
    counts = {t: max(1, round(n * w / total)) for t, w in MIX}
    counts[L1] += n - sum(counts.values())  # absorb rounding
    return counts


def generate(n_learners: int, n_credentials: int, n_awards: int, seed: int) -> Dataset:
    """A seeded program at scale.

    Catalog: souvenirs, Level I and II badges (some expiring after 18m-3y, a few retired), Practiced and
    Expert certificates each stacking 3-6 badges of the right level (one of each retired).
    Learners: activity is log-normal (most hold a few awards, some hold very many; some hold none);
    12% have nudges off. A learner either follows certificate stacks (earning a prefix of a stack's
    badges, and the certificate when the stack is complete) or collects popular credentials (Zipf).
    Awards: issued over the last four years; ~2% revoked, 40% of those earned again (a second row for
    the same learner and credential, allowed by the partial unique index); badges with a validity
    period expire; award ids follow issue time, so a learner's awards are spread over the table.
    """
    from bot.domain.validity import parse_validity

    rng = random.Random(seed)
    mix = credential_mix(n_credentials)

    # ---- catalog
    credentials: list[dict[str, Any]] = []
    ids_by_type: dict[str, list[int]] = defaultdict(list)
    next_id = 1
    for ctype, _ in MIX:
        for i in range(mix[ctype]):
            badge = ctype in (L1, L2)
            expires_after = None
            if ctype == L1 and rng.random() < 0.25:
                expires_after = rng.choice(("2y", "18m"))
            elif ctype == L2 and rng.random() < 0.30:
                expires_after = rng.choice(("3y", "2y"))
            created = NOW - dt.timedelta(days=1600)
            credentials.append({
                "id": next_id, "slug": f"{ctype.replace('_', '-')}-{i + 1:03d}", "type": ctype,
                "name": f"{ctype.replace('_', ' ').title()} {i + 1}", "description": "", "criteria": "",
                "skills": [], "image": None, "grantors": [f"UGRANT{next_id:04d}"] if badge else [],
                "review_channel": "CREVIEW01" if badge else None, "approvals_required": 1,
                "distinction_allowed": badge and rng.random() < 0.5, "expires_after": expires_after,
                "created_at": created, "updated_at": created, "retired_at": None,
            })
            ids_by_type[ctype].append(next_id)
            next_id += 1
    by_id = {c["id"]: c for c in credentials}
    for badge_id in rng.sample(ids_by_type[L1] + ids_by_type[L2], k=(mix[L1] + mix[L2]) // 25):
        by_id[badge_id]["retired_at"] = NOW - dt.timedelta(days=200)
    for ctype in CERTIFICATE_TYPES:
        if len(ids_by_type[ctype]) > 2:
            by_id[rng.choice(ids_by_type[ctype])]["retired_at"] = NOW - dt.timedelta(days=120)

    stacks: dict[int, list[int]] = {}
    requirements: list[tuple[int, int]] = []
    certs_of_badge: dict[int, list[int]] = defaultdict(list)
    for ctype, level in ((PRACTICED, L1), (EXPERT, L2)):
        for cert in ids_by_type[ctype]:
            badges = rng.sample(ids_by_type[level], k=min(rng.randint(3, 6), len(ids_by_type[level])))
            stacks[cert] = badges
            for badge in badges:
                requirements.append((cert, badge))
                certs_of_badge[badge].append(cert)
    validity = {c["id"]: parse_validity(c["expires_after"]) for c in credentials if c["expires_after"]}

    # Zipf-like popularity over souvenirs and badges (souvenirs are cheap to earn: twice as popular).
    collectable = ids_by_type[SOUVENIR] + ids_by_type[L1] + ids_by_type[L2]
    ranks = list(range(1, len(collectable) + 1))
    rng.shuffle(ranks)
    pop_weights = [(2.0 if by_id[c]["type"] == SOUVENIR else 1.0) / r ** 0.8 for c, r in zip(collectable, ranks)]
    pop_cum = _cumulative(pop_weights)
    cert_ids = list(stacks)
    cert_cum = _cumulative([3.0 if by_id[c]["type"] == PRACTICED else 1.0 for c in cert_ids])

    # ---- learners
    learners = []
    for lid in range(1, n_learners + 1):
        learners.append((lid, f"UB{lid:08X}", f"Learner {lid}", rng.random() >= 0.12, rng.random() < 0.1,
                         NOW - dt.timedelta(days=rng.uniform(30, 1600))))
    activity = [rng.lognormvariate(0.0, 1.3) for _ in range(n_learners)]
    activity_cum = _cumulative(activity)
    scale = n_awards * 0.85 / activity_cum[-1]
    cap = max(1, min(150, int(len(collectable) * 0.7)))

    # ---- awards: (learner, credential, issued_at, revoked_at, reissue) before ids are assigned
    span = (NOW - dt.timedelta(days=4 * 365) , NOW - dt.timedelta(hours=1))
    span_seconds = (span[1] - span[0]).total_seconds()

    def issued() -> dt.datetime:
        return span[0] + dt.timedelta(seconds=rng.random() * span_seconds)

    raw: list[list[Any]] = []  # [learner, credential, issued_at, revoked_at]
    for lid in range(1, n_learners + 1):
        quota = min(cap, int(activity[lid - 1] * scale + rng.random()))
        if quota == 0:
            continue
        follows_stacks = rng.random() < 0.6
        picked: dict[int, dt.datetime] = {}
        tries = 0
        while len(picked) < quota and tries < 4 * quota + 10:
            tries += 1
            if follows_stacks and rng.random() < 0.5:
                stack = stacks[cert_ids[bisect.bisect(cert_cum, rng.random() * cert_cum[-1])]]
                for badge in stack[:rng.randint(1, len(stack))]:
                    if len(picked) < quota and badge not in picked:
                        picked[badge] = issued()
            else:
                cred = collectable[bisect.bisect(pop_cum, rng.random() * pop_cum[-1])]
                if cred not in picked:
                    picked[cred] = issued()
        for cred, at in picked.items():
            raw.append([lid, cred, at, None])
        # Certificates are awarded automatically when a stack completes (a few are still pending).
        touched = {cert for badge in picked for cert in certs_of_badge.get(badge, ())}
        for cert in sorted(touched):
            if all(b in picked for b in stacks[cert]) and rng.random() < 0.97:
                at = min(max(picked[b] for b in stacks[cert]) + dt.timedelta(days=1), span[1])
                raw.append([lid, cert, at, None])

    # Revocations, and some of those earned again later.
    reissued = 0
    for row in rng.sample(raw, k=len(raw) // 50):
        row[3] = min(row[2] + dt.timedelta(days=rng.uniform(1, 120)), NOW - dt.timedelta(minutes=5))
        if rng.random() < 0.4 and row[3] < span[1]:
            again = row[3] + dt.timedelta(seconds=rng.random() * (span[1] - row[3]).total_seconds())
            raw.append([row[0], row[1], again, None])
            reissued += 1

    # Exactly n_awards rows: drop at random, or top up with popular credentials for active learners.
    if len(raw) > n_awards:
        for i in sorted(rng.sample(range(len(raw)), len(raw) - n_awards), reverse=True):
            raw[i] = raw[-1]
            raw.pop()
    live = {(r[0], r[1]) for r in raw if r[3] is None}
    attempts = 0
    while len(raw) < n_awards:
        attempts += 1
        if attempts > 50 * n_awards:
            raise SystemExit(f"cannot place {n_awards} awards: too few learners or credentials")
        lid = bisect.bisect(activity_cum, rng.random() * activity_cum[-1]) + 1
        cred = collectable[bisect.bisect(pop_cum, rng.random() * pop_cum[-1])]
        if (lid, cred) not in live:
            live.add((lid, cred))
            raw.append([lid, cred, issued(), None])

    raw.sort(key=lambda r: r[2])  # ids in issue order, as a live system would assign them
    awards = []
    for aid, (lid, cred, at, revoked_at) in enumerate(raw, start=1):
        c = by_id[cred]
        expires_at = validity[cred].expiry(at) if cred in validity else None
        shared = at + dt.timedelta(days=2) if rng.random() < 0.2 and at + dt.timedelta(days=2) < NOW else None
        awards.append((
            aid, f"{rng.getrandbits(128):032x}", lid, cred, c["distinction_allowed"] and rng.random() < 0.15,
            at, c["grantors"][0] if c["grantors"] else "UHOST0001", expires_at, revoked_at,
            "UADMIN001" if revoked_at else None, "bench: revoked" if revoked_at else None, shared,
        ))

    per_learner = Counter(a[2] for a in awards)
    counts = sorted(per_learner.values())
    profile = {
        "credentials": dict(Counter(c["type"] for c in credentials)),
        "retired": sum(1 for c in credentials if c["retired_at"]),
        "expiring_badges": len(validity),
        "requirements": len(requirements),
        "learners": n_learners,
        "learners_without_awards": n_learners - len(per_learner),
        "nudges_off": sum(1 for row in learners if not row[3]),
        "awards": len(awards),
        "revoked": sum(1 for a in awards if a[8]),
        "reissued": reissued,
        "expired_now": sum(1 for a in awards if not a[8] and a[7] is not None and a[7] <= NOW),
        "certificate_awards": sum(1 for a in awards if by_id[a[3]]["type"] in CERTIFICATE_TYPES),
        "awards_per_learner_median": counts[len(counts) // 2] if counts else 0,
        "awards_per_learner_p99": counts[int(len(counts) * 0.99)] if counts else 0,
        "awards_per_learner_max": counts[-1] if counts else 0,
    }
    return Dataset(credentials, requirements, learners, awards, profile)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# =========================================================================== loading


def load(url: str, data: Dataset) -> dict[str, float]:
    """Migrate, bulk-load and ANALYZE. Returns the seconds each step took."""
    from sqlalchemy import insert, text

    from bot.adapters import migrate
    from bot.adapters.db import make_engine
    from models import CertificateRequirement, Credential

    timings: dict[str, float] = {}
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    try:
        t = time.perf_counter()
        migrate.upgrade(engine)
        timings["migrate"] = time.perf_counter() - t

        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(Credential.__table__), data.credentials)
            conn.execute(insert(CertificateRequirement.__table__),
                         [{"certificate_id": c, "badge_id": b} for c, b in data.requirements])
            if postgres:
                _copy(conn, "learners", LEARNER_COLUMNS, data.learners)
                timings["learners"] = time.perf_counter() - t
                t = time.perf_counter()
                # The awards' indexes (not those of constraints) built once, after the rows, as on SQLite below.
                indexes = conn.execute(text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = 'awards' AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint WHERE conrelid = 'awards'::regclass)")).all()
                for name, _ in indexes:
                    conn.execute(text(f'DROP INDEX "{name}"'))
                _copy(conn, "awards", AWARD_COLUMNS, data.awards)
                for _, definition in indexes:
                    conn.execute(text(definition))
                for table_name in ("credentials", "learners", "awards"):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                                      f"(SELECT max(id) FROM {table_name}))"))
            else:
                # A page cache big enough for the indexes being filled (SQLite's default is 2 MB, and 5,000,000
                # awards in issue order thrash it), and the awards' own indexes built once, after the rows.
                conn.exec_driver_sql("PRAGMA cache_size = -1000000")
                _insert_many(conn, "learners", LEARNER_COLUMNS, data.learners)
                timings["learners"] = time.perf_counter() - t
                t = time.perf_counter()
                indexes = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                               "AND tbl_name = 'awards' AND sql IS NOT NULL").all()
                for name, _ in indexes:
                    conn.exec_driver_sql(f'DROP INDEX "{name}"')
                _insert_many(conn, "awards", AWARD_COLUMNS, data.awards)
                for _, sql in indexes:
                    conn.exec_driver_sql(sql)
        timings["awards"] = time.perf_counter() - t

        t = time.perf_counter()
        common.analyze(engine, postgres, "credentials, certificate_requirements, learners, awards")
        if not postgres:
            with engine.connect() as conn:  # fold the WAL into the main file, as a quiet server would
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        timings["analyze"] = time.perf_counter() - t
    finally:
        engine.dispose()
    return timings


def _insert_many(conn: Any, table_name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """sqlite3's executemany in 100k-row chunks, inside the SQLAlchemy connection's transaction, each value
    through its column type's own bind processor (the UTC datetimes stored as the application stores them).
    SQLAlchemy's executemany (a dict per row) loaded 5,000,000 awards several times slower."""
    from models import Base  # the models load only where a database is filled, as elsewhere here

    table_obj = Base.metadata.tables[table_name]
    dialect = conn.dialect
    processors = [table_obj.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    statement = f"INSERT INTO {table_name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = conn.connection.driver_connection.cursor()
    try:
        for start in range(0, len(rows), 100_000):
            cursor.executemany(statement, [tuple(value if process is None else process(value)
                                                 for process, value in zip(processors, row))
                                           for row in rows[start:start + 100_000]])
    finally:
        cursor.close()


def _copy(conn: Any, table_name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL COPY FROM STDIN through psycopg, inside the SQLAlchemy connection's transaction."""
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def database_size(url: str) -> int | None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return os.path.getsize(parsed.database) if parsed.database else None
    from bot.adapters.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'")).scalar()
    finally:
        engine.dispose()


# =========================================================================== measured phases (child)


def child(phase: str) -> dict[str, Any]:
    """One phase in this (fresh) process. The database URL comes in BENCH_DB_URL."""
    from sqlalchemy import bindparam, event, text

    from bot.adapters.db import make_engine, make_session_factory
    from bot.usecases.progress import all_stack_progress, nudge_candidates
    from models.base import UTCDateTime

    baseline = text(BASELINE_SQL).bindparams(bindparam("now", type_=UTCDateTime()))
    engine = make_engine(os.environ["BENCH_DB_URL"])
    out: dict[str, Any] = {"phase": phase}
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:  # SQL statements sent (fetches from a server-side cursor are not)
        statements[0] += 1

    try:
        with make_session_factory(engine)() as session:
            session.execute(text("SELECT 1"))  # connect and begin outside the measured span
            statements[0] = 0
            out["rss_before"] = common.rss_bytes()
            out["peak_reset"] = common.reset_peak_rss()
            if phase == "A":
                # One pass: every learner's progress rows are walked once, and the nudge
                # candidates are picked from that same stream (as the scheduler does).
                t0 = time.perf_counter()
                seen = [0, 0]

                def walked(stream: Any) -> Any:
                    for row in stream:
                        seen[0] += 1
                        seen[1] += hash(row)
                        yield row

                candidates = nudge_candidates(session, NOW, progress=walked(all_stack_progress(session, NOW)))
                t2 = time.perf_counter()
                out.update(seconds=t2 - t0, rows=seen[0], digest=seen[1] & HASH_MASK)
            elif phase == "B":
                t0 = time.perf_counter()
                fetched = session.execute(baseline, {"now": NOW}).fetchall()
                t2 = time.perf_counter()
                candidates = None
                out.update(seconds=t2 - t0, rows=len(fetched),
                           digest=sum(hash(tuple(r)) for r in fetched) & HASH_MASK)
            elif phase == "verify":
                return verify(session, baseline, out)
            else:
                raise SystemExit(f"unknown phase {phase!r}")
            out["rss_peak"] = common.peak_rss_bytes()
            out["statements"] = statements[0]
            if candidates is not None:
                out["nudges"] = len(candidates)
                out["nudge_digest"] = _nudge_digest(candidates)
    finally:
        engine.dispose()
    return out


def _nudge_digest(candidates: Any) -> int:
    return sum(hash((c.learner_id, c.certificate_id, c.held, c.required)) for c in candidates) & HASH_MASK


def verify(session: Any, baseline: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Unmeasured: A's rows against B's, row for row; nudge_candidates against a reference computed
    here from B's rows; and how many nudges point at a certificate the learner already holds."""
    from sqlalchemy import bindparam, event, text

    from bot.usecases.progress import NudgeCandidate, all_stack_progress, nudge_candidates
    from models.base import UTCDateTime

    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(session.get_bind(), "before_cursor_execute", capture)
    a_rows = [tuple(r) for r in all_stack_progress(session, NOW)]
    progress_sql = statements[-1] if statements else None
    event.remove(session.get_bind(), "before_cursor_execute", capture)
    b_rows = [tuple(r) for r in session.execute(baseline, {"now": NOW})]
    problems: list[str] = []

    if len(set(a_rows)) != len(a_rows):
        problems.append(f"all_stack_progress repeats rows: {len(a_rows) - len(set(a_rows))} duplicates")
    a_set, b_set = set(a_rows), set(b_rows)
    if a_set != b_set:
        only_a, only_b = sorted(a_set - b_set), sorted(b_set - a_set)
        problems.append(f"A and B disagree: {len(only_a)} rows only in A (e.g. {only_a[:5]}), "
                        f"{len(only_b)} only in B (e.g. {only_b[:5]})")

    opted_in = set(session.scalars(text("SELECT id FROM learners WHERE nudges_enabled")))
    offered = set(session.scalars(text(
        "SELECT id FROM credentials WHERE retired_at IS NULL "
        "AND type IN ('certificate_practiced', 'certificate_expert')")))
    held_certificates = set(map(tuple, session.execute(text(
        "SELECT a.learner_id, a.credential_id FROM awards a JOIN credentials c ON c.id = a.credential_id "
        "WHERE c.type IN ('certificate_practiced', 'certificate_expert') AND a.revoked_at IS NULL "
        "AND (a.expires_at IS NULL OR a.expires_at > :now)").bindparams(
            bindparam("now", type_=UTCDateTime())), {"now": NOW})))

    def reference(exclude_held: bool) -> set[tuple[int, int, int, int]]:
        best: dict[int, tuple[tuple[float, int, int], tuple[int, int, int, int]]] = {}
        for learner, cert, held, required in b_rows:
            if learner not in opted_in or cert not in offered or not 0 < held < required:
                continue
            if exclude_held and (learner, cert) in held_certificates:
                continue
            key = (-held / required, required - held, cert)
            if learner not in best or key < best[learner][0]:
                best[learner] = (key, (learner, cert, held, required))
        return {row for _, row in best.values()}

    candidates: list[NudgeCandidate] = nudge_candidates(session, NOW)
    got = {(c.learner_id, c.certificate_id, c.held, c.required) for c in candidates}
    expected = reference(exclude_held=True)
    if got != expected or len(got) != len(candidates):
        problems.append(f"nudge_candidates disagrees with the reference computed from B: "
                        f"{len(got - expected)} unexpected (e.g. {sorted(got - expected)[:5]}), "
                        f"{len(expected - got)} missing (e.g. {sorted(expected - got)[:5]})")
    out.update(
        rows=len(a_rows), digest=sum(hash(r) for r in a_rows) & HASH_MASK,
        nudges=len(candidates), nudge_digest=_nudge_digest(candidates), problems=problems,
        learners_with_rows=len({r[0] for r in a_rows}),
        complete_rows=sum(1 for r in a_rows if r[2] == r[3]),
        nudges_toward_held=sum(1 for c in candidates if (c.learner_id, c.certificate_id) in held_certificates),
    )
    if os.environ.get("BENCH_EXPLAIN") and progress_sql:
        out["plans"] = explain(session, progress_sql, BASELINE_SQL)
    return out


def explain(session: Any, progress_sql: tuple[str, Any], baseline_sql: str) -> dict[str, str]:
    """The plans of A's progress query (as SQLAlchemy sent it) and of B."""
    from models.base import UTCDateTime

    conn = session.connection()
    raw = conn.connection.driver_connection
    postgres = conn.dialect.name == "postgresql"
    now_param = UTCDateTime().process_bind_param(NOW, conn.dialect)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    plans = {}
    statement, params = progress_sql
    cursor = raw.cursor()
    cursor.execute(prefix + statement, params)
    plans["A: all_stack_progress"] = "\n".join(" | ".join(str(c) for c in r) for r in cursor.fetchall())
    bound = baseline_sql.replace(":now", "%(now)s" if postgres else "?")
    cursor.execute(prefix + bound, {"now": now_param} if postgres else (now_param,))
    plans["B: baseline"] = "\n".join(" | ".join(str(c) for c in r) for r in cursor.fetchall())
    cursor.close()
    return plans


# =========================================================================== driver (parent)


def run_phase(phase: str, url: str) -> dict[str, Any]:
    env = {"BENCH_DB_URL": url}
    if phase == "verify" and os.environ.get("BENCH_EXPLAIN"):
        env["BENCH_EXPLAIN"] = "1"
    return common.run_child([str(Path(__file__).resolve()), "--child", phase], env=env)


def say(message: str) -> None:
    print(message, flush=True)


def measure(name: str, url: str, repeat: int) -> dict[str, Any]:
    """Verify once, then A, B, A, B, ... each in a fresh process. Returns the figures; raises on
    wrong results."""
    say(f"\n[{name}] verifying A against B (unmeasured; also warms the caches) ...")
    t = time.perf_counter()
    ref = run_phase("verify", url)
    say(f"[{name}]   {ref['rows']:,} (learner, certificate) rows for {ref['learners_with_rows']:,} learners "
        f"({ref['complete_rows']:,} complete); {ref['nudges']:,} nudge candidates "
        f"[{time.perf_counter() - t:.1f} s]")
    for title, plan in ref.get("plans", {}).items():
        say(f"[{name}]   plan of {title}:\n" + "\n".join("      " + line for line in plan.splitlines()))
    if ref["problems"]:
        raise WrongResults(name, ref["problems"])
    say(f"[{name}]   A and B agree row for row; nudge_candidates matches the reference.")

    runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": []}
    for i in range(repeat):
        for phase in ("A", "B"):
            run = run_phase(phase, url)
            wrong = [k for k in ("rows", "digest", "nudges", "nudge_digest") if k in run and run[k] != ref[k]]
            if wrong:
                raise WrongResults(name, [f"run {i + 1} of {phase}: {', '.join(wrong)} differ from the verified "
                                          f"result ({ {k: run[k] for k in wrong} } vs { {k: ref[k] for k in wrong} })"])
            runs[phase].append(run)
            say(f"[{name}]   {i + 1}/{repeat} {phase}: {fmt_seconds(run['seconds'])}, "
                f"peak RSS {fmt_mb(run['rss_peak'])}")
    return {"ref": ref, "runs": runs}


class WrongResults(Exception):
    def __init__(self, database: str, problems: list[str]):
        super().__init__(f"{database}: " + "; ".join(problems))
        self.database, self.problems = database, problems


def report(name: str, load_info: dict[str, Any], figures: dict[str, Any]) -> dict[str, Any]:
    runs = figures["runs"]
    a, b = runs["A"], runs["B"]
    rows = [
        ("A  all_stack_progress -> nudge_candidates", Stats.of([r["seconds"] for r in a]), a),
        ("B  hand-written SQL aggregate, fetched", Stats.of([r["seconds"] for r in b]), b),
    ]
    lines = []
    for label, s, source in rows:
        peak = max(r["rss_peak"] for r in source) if source else None
        before = max(r["rss_before"] or 0 for r in source) if source else None
        lines.append((label, fmt_seconds(s.median), fmt_seconds(s.min), fmt_seconds(s.max),
                      fmt_mb(peak) if source else "", fmt_mb(before) if source else "",
                      source[0]["statements"] if source else ""))
    say(f"\n=== {name}: {len(a)} runs each, interleaved A/B, each in a fresh process")
    say(f"load: migrate {load_info['migrate']:.1f} s, learners {load_info['learners']:.1f} s, "
        f"awards {load_info['awards']:.1f} s, analyze {load_info['analyze']:.1f} s; "
        f"database {fmt_mb(load_info['size'])}")
    say(table(("phase", "median", "min", "max", "peak RSS (max)", "RSS before", "SQL statements"), lines))
    a_med, b_med = rows[0][1].median, rows[1][1].median
    ratio = a_med / b_med
    peak_a = max(r["rss_peak"] for r in a)
    ref = figures["ref"]
    say(f"rows: {ref['rows']:,} (learner, certificate); nudge candidates: {ref['nudges']:,}; "
        f"A/B = {ratio:.2f}x (median)")
    if ref["nudges_toward_held"]:
        say(f"WRONG: {ref['nudges_toward_held']:,} nudge candidates point at a certificate the learner holds.")
    if not all(r["peak_reset"] for r in a + b):
        say("note: could not reset the peak-RSS mark; peaks include interpreter start-up (ru_maxrss).")
    return {"seconds": a_med, "bytes": peak_a, "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--credentials", type=int, default=300)
    parser.add_argument("--awards", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES", common.DEFAULT_POSTGRES),
                        help=f"server and database for the throwaway schema (default {common.DEFAULT_POSTGRES})")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--explain", action="store_true", help="print the query plans of A and B")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    if args.repeat < 1 or args.learners < 1 or args.awards < 1:
        parser.error("--repeat, --learners and --awards must be positive")
    if args.explain:
        os.environ["BENCH_EXPLAIN"] = "1"
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]

    started = time.perf_counter()
    say(f"bench/progress.py: {args.learners:,} learners, {args.credentials} credentials, {args.awards:,} awards, "
        f"seed {args.seed}, {args.repeat} runs of A and of B per database; now = {NOW.isoformat()}")
    if "postgresql" in databases:
        say(f"PostgreSQL: {common.redact(args.postgres_url)} (throwaway schema)")
    t = time.perf_counter()
    data = generate(args.learners, args.credentials, args.awards, args.seed)
    p = data.profile
    say(f"generated in {time.perf_counter() - t:.1f} s: credentials {p['credentials']} ({p['retired']} retired, "
        f"{p['expiring_badges']} expiring), {p['requirements']} certificate requirements; "
        f"{p['learners']:,} learners ({p['learners_without_awards']:,} without awards, {p['nudges_off']:,} nudges off); "
        f"{p['awards']:,} awards ({p['certificate_awards']:,} certificates, {p['revoked']:,} revoked, "
        f"{p['reissued']:,} re-earned, {p['expired_now']:,} expired); awards per learner: median "
        f"{p['awards_per_learner_median']}, p99 {p['awards_per_learner_p99']}, max {p['awards_per_learner_max']}")

    summary: dict[str, dict[str, Any]] = {}
    wrong: list[WrongResults] = []
    with common.sqlite_database() as sqlite_url:
        for name in databases:
            try:
                if name == "sqlite":
                    url_cm: Any = nullcontext(sqlite_url)
                else:
                    url_cm = common.postgres_schema(args.postgres_url)
                with url_cm as url:
                    say(f"\n[{name}] loading ...")
                    info: dict[str, Any] = load(url, data)
                    info["size"] = database_size(url)
                    say(f"[{name}]   loaded in {sum(info[k] for k in ('migrate', 'learners', 'awards', 'analyze')):.1f} s")
                    figures = measure(name, url, args.repeat)
                    summary[name] = report(name, info, figures)
            except WrongResults as exc:
                wrong.append(exc)
                say(f"\n!!! WRONG RESULTS on {exc.database}:\n" + "\n".join(f"  - {p}" for p in exc.problems))
            except Exception as exc:  # noqa: BLE001 - e.g. PostgreSQL unreachable: say so, go on
                if name != "postgresql":
                    raise
                say(f"\n!!! {name}: could not run ({exc.__class__.__name__}: {str(exc).splitlines()[0]})")
                summary[name] = {}

    if summary:
        issue, target_seconds, target_bytes, target_ratio = targets(args.learners)
        say(f"\n=== targets ({issue}): A = all_stack_progress + nudge_candidates")
        names = list(summary)

        def cell(name: str, key: str, ok: Any, shown: Any) -> str:
            figures = summary[name]
            if not figures:
                return "not run"
            return f"{shown(figures[key])} {'PASS' if ok(figures[key]) else 'MISS'}"

        say(table(["target", *names], [
            (f"A median < {target_seconds:.0f} s", *(cell(n, "seconds", lambda v: v < target_seconds, fmt_seconds)
                                                     for n in names)),
            (f"A peak RSS < {target_bytes // MB} MB", *(cell(n, "bytes", lambda v: v < target_bytes, fmt_mb)
                                                        for n in names)),
            (f"A/B median <= {target_ratio:g}x", *(cell(n, "ratio", lambda v: v <= target_ratio,
                                                        lambda v: f"{v:.2f}x") for n in names)),
        ]))
    say(f"\ntotal {time.perf_counter() - started:.0f} s")
    if wrong:
        say("FAILED: wrong results (see above)")
        return 1
    return 2 if any(not v for v in summary.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
