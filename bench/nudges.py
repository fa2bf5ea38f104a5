"""Bench: the weekly nudge job at program scale, and delivering nudges under Slack's rate limits (issue 6).

    python bench/nudges.py [--db sqlite|postgresql|both] [--learners 50000] [--credentials 300]
                           [--awards 500000] [--repeat 3] [--postgres-url URL] [--seed 2]
                           [--drain 2000] [--channels 20] [--per-channel 10] [--history 200000]
                           [--skip decide|deliver]

Part 1, deciding: bench/progress.py's seeded program (its `generate` and `load`) in a temporary SQLite
file and/or a throwaway PostgreSQL schema; then, interleaved and each in a fresh Python process:

  A  the project's path: `queue_nudges`, the job as the scheduler runs it (decide, compose each
     learner's message, queue the outbox rows, commit), on the weekly cadence
  B  the decision alone: `nudge_candidates` (issue 2's path, the least A must do)
  C  the floor under B: bench/progress.py's hand-written SQL aggregate, fetched

Part 2, delivering: the real outbox worker (`bootstrap(...).delivery`, the Notifier and slack_sdk)
drains nudges into the Slack emulator, in another process, which enforces Slack's ~1 message per
second per channel on chat.postMessage (429 + Retry-After when broken):

  D  --drain nudges, each to a different learner's DM (the weekly run's shape), with --history
     messages from earlier weeks still in the outbox, as there will be
  E  the same Slack call without the outbox (chat.postMessage to each learner, in a loop): the
     ceiling that client, emulator and loopback allow
  F  --channels recipients x --per-channel messages: the rate limit binds; ideal is --channels msg/s

Targets (issue 6): A under 10 s and under 500 MB peak RSS. Time to drain 10,000 nudges is reported
(measured when --drain >= 10000, else extrapolated from D; see bench/README.md). Misses are reported,
never fatal; wrong results (a nudge wrong, missing or queued twice; a message lost or sent twice)
exit with status 1.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (also puts the project root on sys.path)
import progress  # noqa: E402  (the dataset: generate, load)
from common import MB, Stats, fmt_mb, fmt_seconds, table  # noqa: E402

NOW = progress.NOW  # Monday 2026-03-02 09:00 UTC: the weekly run's period began Monday 23 Feb 10:00
CADENCE = "0 10 * * mon"
TARGET_SECONDS = 10.0
TARGET_BYTES = 500 * MB
DRAIN_GOAL = 10_000
HASH_MASK = progress.HASH_MASK
TOKEN, SECRET = "xoxb-bench-nudges", "bench-nudges-secret"
NUDGE_KINDS = ("nudge", "nudge_congratulations")


def say(message: str) -> None:
    print(message, flush=True)


# =========================================================================== part 1: deciding (children)


def _context(url: str) -> Any:
    from bot.clock import FixedClock
    from bot.adapters.db import make_engine, make_session_factory
    from bot.usecases.context import Context

    engine = make_engine(url)
    return engine, Context(sessions=make_session_factory(engine), clock=FixedClock(NOW))


def _policy() -> Any:
    from bot.domain.scheduling import Cadence, QuietHours
    from bot.usecases.nudges import NudgePolicy

    return NudgePolicy(Cadence(CADENCE, "UTC"), QuietHours())


def _outbox_digest(session: Any) -> tuple[int, int]:
    """(rows, order-independent digest) of the queued nudges: recipient, kind, key, payload."""
    from sqlalchemy import select

    from models import OutboxMessage

    rows = session.execute(select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.dedupe_key,
                                  OutboxMessage.payload).where(OutboxMessage.kind.in_(NUDGE_KINDS)))
    n, digest = 0, 0
    for recipient, kind, key, payload in rows:
        n += 1
        row = json.dumps([recipient, kind, key, payload], sort_keys=True).encode()
        digest += int.from_bytes(hashlib.blake2b(row, digest_size=8).digest(), "big")  # hash(str) varies by process
    return n, digest & HASH_MASK


def decide_child(phase: str) -> dict[str, Any]:
    """One measured phase (A or B) in this fresh process, or the unmeasured verification."""
    from sqlalchemy import event, text

    from bot.usecases.nudges import queue_nudges
    from bot.usecases.progress import nudge_candidates

    engine, ctx = _context(os.environ["BENCH_DB_URL"])
    out: dict[str, Any] = {"phase": phase}
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        statements[0] += 1

    try:
        if phase == "verify":
            return verify(ctx, out)
        with engine.connect() as conn:  # connect (and load the driver) outside the measured span
            conn.execute(text("SELECT 1"))
        statements[0] = 0
        out["rss_before"] = common.rss_bytes()
        out["peak_reset"] = common.reset_peak_rss()
        if phase == "A":
            t0 = time.perf_counter()
            result = queue_nudges(ctx, _policy(), scheduled_by="bench")
            out["seconds"] = time.perf_counter() - t0
            out["rss_peak"] = common.peak_rss_bytes()
            out["statements"] = statements[0]
            out["queued"] = result.queued
            with ctx.transaction() as session:
                out["messages"], out["digest"] = _outbox_digest(session)
        elif phase == "B":
            with ctx.reading() as session:
                t0 = time.perf_counter()
                candidates = nudge_candidates(session, NOW)
                out["seconds"] = time.perf_counter() - t0
            out["rss_peak"] = common.peak_rss_bytes()
            out["statements"] = statements[0]
            out["candidates"] = len(candidates)
        else:
            raise SystemExit(f"unknown phase {phase!r}")
    finally:
        engine.dispose()
    return out


def verify(ctx: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Unmeasured: run the job once and check every message it queued against a reference computed
    here, independently, from plain SQL; then check that running it again queues nothing."""
    from sqlalchemy import bindparam, select, text

    from bot.usecases.nudges import queue_nudges
    from bot.usecases.progress import nudge_candidates
    from models import OutboxMessage
    from models.base import UTCDateTime

    policy = _policy()
    period, since = policy.cadence.period_start(NOW), policy.cadence.previous_period_start(NOW)
    result = queue_nudges(ctx, policy, scheduled_by="bench-verify")
    again = queue_nudges(ctx, policy, scheduled_by="bench-other-leader")
    by_hand = queue_nudges(ctx, policy)
    problems: list[str] = []
    if not again.already_ran or again.total:
        problems.append(f"a second scheduled run of the period was not refused: {again}")
    if by_hand.total or by_hand.already_queued != result.total:
        problems.append(f"a manual rerun queued {by_hand.total} more (already queued {by_hand.already_queued})")

    def at(sql: str) -> Any:
        return text(sql).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in times if f":{name}" in sql))

    times = {"now": NOW, "since": since, "period": period}
    with ctx.reading() as session:
        candidates = {c.learner_id: c for c in nudge_candidates(session, NOW)}
        users = dict(session.execute(text("SELECT id, slack_user_id FROM learners WHERE nudges_enabled")).all())
        creds = {cid: (slug, name) for cid, slug, name in session.execute(text("SELECT id, slug, name FROM credentials"))}
        slug_id = {slug: cid for cid, (slug, _) in creds.items()}
        requires: dict[int, set[int]] = defaultdict(set)
        for cert, badge in session.execute(text("SELECT certificate_id, badge_id FROM certificate_requirements")):
            requires[cert].add(badge)
        valid: dict[int, set[int]] = defaultdict(set)
        for learner, cred in session.execute(at(
                "SELECT learner_id, credential_id FROM awards WHERE revoked_at IS NULL "
                "AND (expires_at IS NULL OR expires_at > :now)"), times):
            valid[learner].add(cred)
        finished: dict[int, set[int]] = defaultdict(set)
        for learner, cert in session.execute(at(
                "SELECT a.learner_id, a.credential_id FROM awards a JOIN credentials c ON c.id = a.credential_id "
                "WHERE c.type IN ('certificate_practiced', 'certificate_expert') AND a.revoked_at IS NULL "
                "AND (a.expires_at IS NULL OR a.expires_at > :now) AND a.issued_at > :since "
                "AND a.issued_at <= :period"), times):
            finished[learner].add(cert)
        queued = session.execute(select(OutboxMessage.recipient, OutboxMessage.kind, OutboxMessage.dedupe_key,
                                        OutboxMessage.payload).where(OutboxMessage.kind.in_(NUDGE_KINDS))).all()

    learner_of = {user: lid for lid, user in users.items()}
    congratulated = {lid for lid in finished if lid in users}
    expected = {users[lid]: "nudge_congratulations" for lid in congratulated}
    expected |= {users[lid]: "nudge" for lid in candidates if lid in users and lid not in congratulated}
    got = Counter(recipient for recipient, *_ in queued)
    twice = [r for r, n in got.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} learners have more than one message this period (e.g. {twice[:5]})")
    kinds = {recipient: kind for recipient, kind, _, _ in queued}
    if kinds != expected:
        wrong = [u for u in set(kinds) | set(expected) if kinds.get(u) != expected.get(u)]
        problems.append(f"{len(wrong)} learners got the wrong message or none (e.g. "
                        f"{[(u, kinds.get(u), expected.get(u)) for u in sorted(wrong)[:5]]})")
    bad_payloads = []
    for recipient, kind, key, payload in queued:
        lid = learner_of.get(recipient)
        if key != f"nudge:{period:%Y-%m-%dT%H:%M:%SZ}:{recipient}":
            bad_payloads.append((recipient, "key", key))
        if kind != "nudge" or lid is None:
            if kind == "nudge_congratulations" and lid is not None and \
                    {slug_id[f["slug"]] for f in payload["finished"]} != finished[lid]:
                bad_payloads.append((recipient, "finished", payload["finished"]))
            continue
        cert = slug_id[payload["certificate"]]
        held = requires[cert] & valid[lid]
        missing = sorted((creds[b] for b in requires[cert] - held), key=lambda c: c[1])
        candidate = candidates[lid]
        if cert != candidate.certificate_id or payload["held"] != len(held) or payload["required"] != len(requires[cert]) \
                or [m["slug"] for m in payload["missing"]] != [slug for slug, _ in missing]:
            bad_payloads.append((recipient, "nudge", payload))
    if bad_payloads:
        problems.append(f"{len(bad_payloads)} messages say the wrong thing (e.g. {bad_payloads[:3]})")
    with ctx.reading() as session:
        out["messages"], out["digest"] = _outbox_digest(session)
    out.update(problems=problems, queued=result.queued, candidates=len(candidates), opted_in=len(users),
               period=period.isoformat(), since=since.isoformat())
    return out


# =========================================================================== part 1: deciding (parent)


def reset(url: str) -> None:
    """Unmeasured, between runs of A: forget the period's run and its messages (and, on PostgreSQL,
    vacuum them away, as autovacuum would have since last week)."""
    from sqlalchemy import text

    from bot.adapters.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox"))
            conn.execute(text("DELETE FROM job_runs"))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM (ANALYZE) outbox, job_runs"))
        else:
            with engine.connect() as conn:
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


class WrongResults(Exception):
    def __init__(self, where: str, problems: list[str]):
        super().__init__(f"{where}: " + "; ".join(problems))
        self.where, self.problems = where, problems


def decide(name: str, url: str, repeat: int) -> dict[str, Any]:
    me = str(Path(__file__).resolve())
    env = {"BENCH_DB_URL": url}
    say(f"\n[{name}] verifying the job's messages against a reference (unmeasured; also warms the caches) ...")
    t = time.perf_counter()
    ref = common.run_child([me, "--child", "verify"], env=env)
    say(f"[{name}]   period from {ref['period']}: {ref['queued']} for {ref['opted_in']:,} learners who want nudges "
        f"({ref['candidates']:,} nudge candidates) [{time.perf_counter() - t:.1f} s]")
    if ref["problems"]:
        raise WrongResults(name, ref["problems"])
    say(f"[{name}]   every message matches; a second scheduled run and a manual rerun queued nothing.")
    runs: dict[str, list[dict[str, Any]]] = {"A": [], "B": [], "C": []}
    for i in range(repeat):
        for phase in ("A", "B", "C"):
            if phase == "A":
                reset(url)
            if phase == "C":
                run = common.run_child([str(Path(progress.__file__).resolve()), "--child", "B"], env=env)
            else:
                run = common.run_child([me, "--child", phase], env=env)
            if phase == "A" and (run["messages"], run["digest"]) != (ref["messages"], ref["digest"]):
                raise WrongResults(name, [f"run {i + 1} of A queued different messages from the verified run "
                                          f"({run['messages']:,} vs {ref['messages']:,})"])
            if phase == "B" and run["candidates"] != ref["candidates"]:
                raise WrongResults(name, [f"run {i + 1} of B found {run['candidates']} candidates, not "
                                          f"{ref['candidates']}"])
            runs[phase].append(run)
            say(f"[{name}]   {i + 1}/{repeat} {phase}: {fmt_seconds(run['seconds'])}, peak RSS {fmt_mb(run['rss_peak'])}")
    a, b, c = runs["A"], runs["B"], runs["C"]
    say(f"\n=== deciding, {name}: {repeat} runs each, interleaved A/B/C, each in a fresh process")
    say(table(("phase", "median", "min", "max", "peak RSS (max)", "RSS before", "SQL statements"), [
        (label, fmt_seconds(s.median), fmt_seconds(s.min), fmt_seconds(s.max), fmt_mb(max(r["rss_peak"] for r in rs)),
         fmt_mb(max(r["rss_before"] or 0 for r in rs)), rs[0]["statements"])
        for label, rs in (("A  queue_nudges: decide, compose, queue, commit", a),
                          ("B  nudge_candidates: the decision alone", b),
                          ("C  hand-written SQL aggregate, fetched", c))
        for s in [Stats.of([r["seconds"] for r in rs])]]))
    med = {k: Stats.of([r["seconds"] for r in v]).median for k, v in runs.items()}
    say(f"messages queued per run: {ref['queued']}; A/B = {med['A'] / med['B']:.2f}x, "
        f"A/C = {med['A'] / med['C']:.2f}x, B/C = {med['B'] / med['C']:.2f}x (medians)")
    if not all(r["peak_reset"] for r in a + b):
        say("note: could not reset the peak-RSS mark; peaks include interpreter start-up (ru_maxrss).")
    return {"seconds": med["A"], "bytes": max(r["rss_peak"] for r in a)}


# =========================================================================== part 2: delivering


def emulator_child(users: int, interval: float) -> None:
    """A Slack emulator in this process, enforcing `interval` between posts to one channel; prints
    its URL, serves until stdin closes. GET /bench/stats says what it stored and answered."""
    from bot.sandbox.emulator import SlackEmulator

    emulator = SlackEmulator(bot_token=TOKEN, signing_secret=SECRET)
    for i in range(users):
        emulator.add_user(f"learner{i}", id=user_id(i))
    emulator.limit_rate("chat.postMessage", interval)

    def stats() -> Any:
        posts = [c for c in emulator.calls("chat.postMessage")]
        ids: Counter[str] = Counter()
        per_channel: Counter[str] = Counter()
        for message in emulator.all_messages():
            per_channel[message.channel] += 1
            metadata = message.metadata or {}
            if metadata.get("event_type") == "badgebot_outbox":
                ids[str(metadata["event_payload"]["id"])] += 1
        accepted = sorted(c.at for c in posts if c.status == 200)
        return {
            "posts": Counter(str(c.status) for c in posts), "stored": sum(per_channel.values()),
            "outbox_ids": len(ids), "duplicates": sum(n - 1 for n in ids.values()),
            "channels": len(per_channel), "first_to_last": (accepted[-1] - accepted[0]) if len(accepted) > 1 else 0.0,
        }

    emulator.add_route("/bench/stats", stats)
    emulator.start()
    print(json.dumps({"api_url": emulator.api_url, "base_url": emulator.base_url}), flush=True)
    sys.stdin.read()
    emulator.stop()


def user_id(i: int) -> str:
    return f"UD{i:08d}"


class Emulator:
    """The emulator child process."""

    def __init__(self, users: int, interval: float):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", "emulator", "--emulator-users", str(users),
             "--emulator-interval", str(interval)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=common.ROOT)
        assert self.process.stdout is not None
        started = json.loads(self.process.stdout.readline())
        self.api_url, self.base_url = started["api_url"], started["base_url"]

    def stats(self) -> dict[str, Any]:
        import urllib.request

        with urllib.request.urlopen(f"{self.base_url}bench/stats", timeout=60) as answer:
            return json.loads(answer.read())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(5)


NUDGE_PAYLOAD = {"certificate": "data-analytics-practiced", "certificate_name": "Data Analytics (Practiced)",
                 "certificate_type": "Digital Certificate (Practiced)", "held": 2, "required": 3,
                 "missing": [{"slug": "sql-basics", "name": "SQL Basics", "in_review": False}]}


def prepare_outbox(url: str, recipients: int, per_recipient: int, history: int) -> int:
    """A migrated database holding `recipients` learners (nudges on), `history` messages sent in
    earlier weeks (the outbox keeps them), and the nudges to deliver now."""
    from sqlalchemy import insert, text

    from bot.adapters import migrate
    from bot.adapters.db import make_engine, make_session_factory
    from bot.domain.vocabulary import OutboxKind
    from bot.usecases.outbox import Queued, queue_many
    from models import Learner, OutboxMessage

    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM outbox"))
            conn.execute(text("DELETE FROM learners"))
            conn.execute(insert(Learner.__table__), [
                {"slack_user_id": user_id(i), "display_name": f"learner{i}", "nudges_enabled": True,
                 "public_profile": False, "created_at": NOW} for i in range(recipients)])
        sent_before = NOW - dt.timedelta(days=7)
        for start in range(0, history, 50_000):
            with engine.begin() as conn:
                conn.execute(insert(OutboxMessage.__table__), [
                    {"dedupe_key": f"nudge:earlier-{n}", "kind": "nudge", "recipient": user_id(n % recipients),
                     "payload": NUDGE_PAYLOAD, "status": "sent", "attempts": 1, "created_at": sent_before,
                     "next_attempt_at": sent_before, "sent_at": sent_before}
                    for n in range(start, min(history, start + 50_000))])
        messages = [Queued(f"nudge:bench-{n}:{user_id(i)}", OutboxKind.NUDGE, user_id(i), NUDGE_PAYLOAD | {"learner": user_id(i)})
                    for n in range(per_recipient) for i in range(recipients)]
        with make_session_factory(engine).begin() as session:
            queued = queue_many(session, NOW, messages)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM (ANALYZE) outbox, learners"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        return queued
    finally:
        engine.dispose()


def deliver_child(kind: str) -> dict[str, Any]:
    """D/F: drain the outbox with the bot's own worker; E: the same Slack calls with no outbox."""
    from sqlalchemy import func, select

    from handlers.bootstrap import bootstrap
    from bot.usecases.outbox import DUE, SENDING
    from config.settings import load_settings
    from models import OutboxMessage

    url, api_url = os.environ["BENCH_DB_URL"], os.environ["BENCH_SLACK_API_URL"]
    with tempfile.TemporaryDirectory(prefix="badgebot-bench-") as data_dir:
        settings = load_settings(database_url=url, data_dir=Path(data_dir), slack_bot_token=TOKEN,
                                 slack_signing_secret=SECRET, slack_api_url=api_url)
        app = bootstrap(settings)
        out: dict[str, Any] = {"phase": kind, "rss_before": common.rss_bytes(), "peak_reset": common.reset_peak_rss()}
        try:
            if kind == "E":
                from bot.adapters.slack_api import make_client

                client = make_client(TOKEN, api_url)
                n = int(os.environ["BENCH_MESSAGES"])
                t0 = time.perf_counter()
                for i in range(n):  # to the user id, as the worker posts nudges
                    client.chat_postMessage(channel=user_id(i), text="2 of 3 toward Digital Certificate (Practiced) "
                                                                     "in Data Analytics; remaining: SQL Basics")
                out.update(seconds=time.perf_counter() - t0, messages=n)
            else:
                worker = app.delivery

                def waiting() -> int:
                    with app.ctx.transaction() as session:
                        return int(session.scalar(select(func.count()).select_from(OutboxMessage).where(
                            OutboxMessage.status.in_([*DUE, SENDING]))) or 0)

                n = waiting()
                t0 = time.perf_counter()
                while True:
                    if worker.run_once(limit=500):
                        continue
                    if not waiting():
                        break
                    time.sleep(0.01)  # every recipient with mail is paused (1 message/s each): wait
                out.update(seconds=time.perf_counter() - t0, messages=n)
                with app.ctx.transaction() as session:
                    out["statuses"] = dict(session.execute(select(OutboxMessage.status, func.count())
                                                           .group_by(OutboxMessage.status)).all())

        finally:
            app.close()
        out["rss_peak"] = common.peak_rss_bytes()
    return out


def deliver(name: str, url: str, repeat: int, drain: int, channels: int, per_channel: int,
            history: int) -> dict[str, Any]:
    me = str(Path(__file__).resolve())
    runs: dict[str, list[dict[str, Any]]] = {"D": [], "E": [], "F": []}
    plans = {"D": (drain, 1), "E": (drain, 1), "F": (channels, per_channel)}
    for i in range(repeat):
        for phase in ("D", "E", "F"):
            recipients, per = plans[phase]
            expected = recipients * per
            if phase != "E":
                prepare_outbox(url, recipients, per, history)
            emulator = Emulator(recipients, 1.0)
            try:
                env = {"BENCH_DB_URL": url, "BENCH_SLACK_API_URL": emulator.api_url, "BENCH_MESSAGES": str(expected)}
                run = common.run_child([me, "--child", f"deliver-{phase}"], env=env, timeout=3600)
                run["emulator"] = stats = emulator.stats()
            finally:
                emulator.close()
            problems = []
            if stats["stored"] != expected:
                problems.append(f"Slack holds {stats['stored']} messages, not {expected}")
            if phase != "E":
                if run["statuses"] != {"sent": expected + history}:
                    problems.append(f"outbox ended as {run['statuses']}, not all {expected} sent")
                if stats["outbox_ids"] != expected or stats["duplicates"]:
                    problems.append(f"{stats['outbox_ids']} distinct outbox ids arrived, {stats['duplicates']} twice")
            if problems:
                raise WrongResults(f"{name} delivery {phase}", problems)
            runs[phase].append(run)
            posts = stats["posts"]
            say(f"[{name}]   {i + 1}/{repeat} {phase}: {expected:,} messages in {fmt_seconds(run['seconds'])} "
                f"= {expected / run['seconds']:.1f} msg/s; chat.postMessage answers {dict(posts)}; "
                f"peak RSS {fmt_mb(run['rss_peak'])}")

    def rate(rs: list[dict[str, Any]]) -> Stats:
        return Stats.of([r["messages"] / r["seconds"] for r in rs])

    rows = []
    for phase, label in (("D", f"D  outbox worker, {drain:,} nudges to {drain:,} DMs"),
                         ("E", f"E  bare slack_sdk loop, {drain:,} DMs (no outbox)"),
                         ("F", f"F  outbox worker, {channels} DMs x {per_channel}")):
        rs = runs[phase]
        r, s = rate(rs), Stats.of([x["seconds"] for x in rs])
        n429 = max(int(x["emulator"]["posts"].get("429", 0)) for x in rs)
        rows.append((label, f"{r.median:.1f}", f"{r.min:.1f}", f"{r.max:.1f}", fmt_seconds(s.median), n429,
                     fmt_mb(max(x["rss_peak"] for x in rs))))
    say(f"\n=== delivering, {name}: {repeat} runs each, emulator enforcing 1 chat.postMessage/s per channel; "
        f"{history:,} earlier messages in the outbox")
    say(table(("phase", "msg/s median", "min", "max", "time median", "429s (max)", "peak RSS"), rows))
    d_rate, e_rate = rate(runs["D"]).median, rate(runs["E"]).median
    # F: each DM's first message may go at once, each later one a second after the one before, so
    # no sender can drain F in less than (per_channel - 1) seconds.
    f_seconds, f_floor = Stats.of([x["seconds"] for x in runs["F"]]).median, float(per_channel - 1)
    say(f"D/E = {d_rate / e_rate:.2f} of the bare loop's rate. F took {fmt_seconds(f_seconds)}; the per-channel "
        f"limit allows no less than {fmt_seconds(f_floor)} ({f_floor / f_seconds:.0%} of the limit's pace), "
        f"with {max(int(x['emulator']['posts'].get('429', 0)) for x in runs['F'])} rate-limited answers")
    if drain >= DRAIN_GOAL:
        drain_10k = Stats.of([r["seconds"] for r in runs["D"]]).median * DRAIN_GOAL / drain
        how = f"measured ({drain:,} nudges)" if drain == DRAIN_GOAL else f"scaled down from {drain:,} measured"
    else:
        drain_10k = DRAIN_GOAL / d_rate
        how = f"extrapolated from {drain:,} measured at {d_rate:.1f} msg/s"
    say(f"time to drain {DRAIN_GOAL:,} nudges (one per learner, so no DM waits on its limit): "
        f"{fmt_seconds(drain_10k)}, {how}")
    return {"rate": d_rate, "drain_10k": drain_10k, "f_pace": f_floor / f_seconds if f_seconds else 0.0}


# =========================================================================== driver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--credentials", type=int, default=300)
    parser.add_argument("--awards", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES", common.DEFAULT_POSTGRES))
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--drain", type=int, default=2000, help="nudges for D and E (one per learner)")
    parser.add_argument("--channels", type=int, default=20, help="recipients for F")
    parser.add_argument("--per-channel", type=int, default=10, help="messages to each recipient in F")
    parser.add_argument("--history", type=int, default=200_000,
                        help="messages already sent in earlier weeks, kept in the outbox (D and F)")
    parser.add_argument("--skip", choices=("decide", "deliver"), help="leave one part out")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--emulator-users", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--emulator-interval", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "emulator":
        emulator_child(args.emulator_users, args.emulator_interval)
        return 0
    if args.child:
        result = deliver_child(args.child.split("-", 1)[1]) if args.child.startswith("deliver-") \
            else decide_child(args.child)
        print(json.dumps(result, default=str))
        return 0
    if min(args.repeat, args.learners, args.awards, args.drain, args.channels, args.per_channel) < 1:
        parser.error("counts must be positive")
    if args.history < 0:
        parser.error("--history cannot be negative")
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]

    started = time.perf_counter()
    say(f"bench/nudges.py: {args.learners:,} learners, {args.credentials} credentials, {args.awards:,} awards, "
        f"seed {args.seed}; weekly cadence {CADENCE!r}, now = {NOW.isoformat()}; {args.repeat} runs of each phase")
    data = None
    if args.skip != "decide":
        t = time.perf_counter()
        data = progress.generate(args.learners, args.credentials, args.awards, args.seed)
        p = data.profile
        say(f"generated in {time.perf_counter() - t:.1f} s (bench/progress.py's program): {p['learners']:,} learners "
            f"({p['nudges_off']:,} nudges off), {p['awards']:,} awards, {p['requirements']} certificate requirements")

    summary: dict[str, dict[str, Any]] = {}
    wrong: list[WrongResults] = []
    with common.sqlite_database() as sqlite_url, common.sqlite_database("outbox.sqlite3") as outbox_sqlite:
        for name in databases:
            figures: dict[str, Any] = {}
            try:
                if data is not None:
                    with (nullcontext(sqlite_url) if name == "sqlite" else common.postgres_schema(args.postgres_url)) \
                            as url:
                        say(f"\n[{name}] loading ...")
                        timings = progress.load(url, data)
                        say(f"[{name}]   loaded in {sum(timings.values()):.1f} s")
                        figures.update(decide(name, url, args.repeat))
                if args.skip != "deliver":
                    with (nullcontext(outbox_sqlite) if name == "sqlite"
                          else common.postgres_schema(args.postgres_url)) as url:
                        say(f"\n[{name}] delivering ...")
                        figures.update(deliver(name, url, args.repeat, args.drain, args.channels, args.per_channel,
                                               args.history))
            except WrongResults as exc:
                wrong.append(exc)
                say(f"\n!!! WRONG RESULTS on {exc.where}:\n" + "\n".join(f"  - {p}" for p in exc.problems))
            except Exception as exc:  # noqa: BLE001 - e.g. PostgreSQL unreachable: say so, go on
                if name != "postgresql":
                    raise
                say(f"\n!!! {name}: could not run ({exc.__class__.__name__}: {str(exc).splitlines()[0]})")
            summary[name] = figures

    names = list(summary)

    def cell(name: str, key: str, ok: Any, shown: Any) -> str:
        value = summary[name].get(key)
        if value is None:
            return "not run"
        return f"{shown(value)}" + ("" if ok is None else (" PASS" if ok(value) else " MISS"))

    say("\n=== issue 6: A = the nudge job (queue_nudges); D = the outbox worker draining distinct DMs")
    say(table(["figure", *names], [
        (f"A median < {TARGET_SECONDS:.0f} s", *(cell(n, "seconds", lambda v: v < TARGET_SECONDS, fmt_seconds)
                                                 for n in names)),
        (f"A peak RSS < {TARGET_BYTES // MB} MB", *(cell(n, "bytes", lambda v: v < TARGET_BYTES, fmt_mb)
                                                    for n in names)),
        ("D delivery rate (msg/s)", *(cell(n, "rate", None, lambda v: f"{v:.1f}") for n in names)),
        (f"time to drain {DRAIN_GOAL:,} nudges", *(cell(n, "drain_10k", None, fmt_seconds) for n in names)),
        ("F pace / per-channel limit", *(cell(n, "f_pace", None, lambda v: f"{v:.0%}") for n in names)),
    ]))
    say(f"\ntotal {time.perf_counter() - started:.0f} s")
    if wrong:
        say("FAILED: wrong results (see above)")
        return 1
    return 2 if any(not v for v in summary.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
