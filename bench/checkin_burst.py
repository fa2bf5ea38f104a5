"""bench/checkin_burst.py: a burst of learners checking in at one event, against a bare endpoint, in one run.

The bot is `badgebot serve` in its own process (HTTP mode, as in production: waitress, 8 threads), with
Slack played by the emulator in a third process, so award DMs go out through the outbox as they would.
The events are made with `badgebot event create`. Each learner is a phone already signed in with
Slack (a session cookie, minted beforehand with the server's secret) that has just scanned the door
screen: it opens the check-in page, taps "Check in as ...", and follows the redirect to the confirmation.
Learners arrive open loop (learner i at start + i/rate, whatever happened to the others), each with a new
Slack user id. A door-screen poller reads the current code from display.json every 2 s, as the
page does, and learners use the latest code it saw (codes rotate every 30 s on the real clock).

Baseline, same server, same schedule: each arrival makes the same three requests to GET /healthz
(the web stack plus `SELECT 1`). Reported per run: median and p99 of "tap -> confirmation" (the POST
and the redirected GET, what the learner waits for) and of the check-in page, errors, duplicates,
the database's final count, and the ratio of medians check-in/baseline.

Targets (issues 4 and 15): every learner checked in exactly once (count = learners, zero duplicates, zero
errors; otherwise exit status 1); p99 tap -> confirmation under 250 ms, and at 2,000 in 60 s the tap median within
3x of the baseline's (PASS/MISS, never the exit status: machines are noisy). Also printed (issue 15): the bot
process's CPU ms per check-in (/proc/<pid>/stat, until the DMs are sent), SQL statements per request and the
requests' CPU in process; learners shown "busy, tap again" (HTTP 503) tap the same form again after Retry-After.

    python bench/checkin_burst.py [--db sqlite|postgresql|both] [--runs 2000/60,500/5] [--postgres-url URL]

Loopback only. Both databases and both runs by default: about 6 minutes on the 2-core dev machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import common
import httpx

TOKEN = "xoxb-bench-checkin"
SIGNING_SECRET = "bench-checkin-signing-secret"
HOST = "U0HOST0001"  # a host in the example catalog
TARGET_P99_MS = 250.0
TARGET_RUN = (2000, 60.0)  # the run the ratio target is for
TARGET_RATIO = 3.0  # tap median / the bare endpoint's (issue 15)
POLL_SECONDS = 2.0  # the door screen's polling interval (handlers/web/checkin.py)
START_TIMEOUT = 90.0
WARMUP_LEARNERS = 40
PROFILED_LEARNERS = 111  # in-process: 10 to warm up, 1 counted, 100 timed


# --------------------------------------------------------------------------- Slack, in its own process


def serve_emulator(users: int) -> None:
    from bot.sandbox.emulator import SlackEmulator

    emulator = SlackEmulator(bot_token=TOKEN, signing_secret=SIGNING_SECRET).start()
    emulator.add_user("host", id=HOST)
    for i in range(users):
        emulator.add_user(f"learner{i}", id=learner_id(i), real_name=f"Learner {i}")
    print(json.dumps({"api_url": emulator.api_url}), flush=True)
    while True:  # until the bench terminates this process
        time.sleep(3600)


def learner_id(i: int) -> str:
    return f"U1B{i:07d}"


# --------------------------------------------------------------------------- the bot, as an operator runs it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def badgebot() -> list[str]:
    script = Path(sys.executable).with_name("badgebot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "handlers.cli.main"]


@dataclass
class Bot:
    url: str
    env: dict[str, str]
    data_dir: Path
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def create_event(self, name: str, minutes: int = 120) -> tuple[int, str]:
        """`badgebot event create`: check-in open from 5 minutes ago; returns (number, door screen link)."""
        now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
        out = subprocess.run(
            [*badgebot(), "event", "create", "--name", name, "--souvenir", "data-viz-meetup", "--host", HOST,
             "--starts", now.isoformat(), "--ends", (now + dt.timedelta(minutes=minutes)).isoformat(),
             "--opens", (now - dt.timedelta(minutes=5)).isoformat()],
            capture_output=True, text=True, env=self.env, cwd=self.data_dir.parent, timeout=120, check=False)
        if out.returncode != 0:
            raise SystemExit(f"badgebot event create failed:\n{out.stderr}")
        number = int(re.search(r"^#(\d+) ", out.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]
        display = re.search(r"door screen \(host only\): (\S+)", out.stdout).group(1)  # type: ignore[union-attr]
        return number, display

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


def start_bot(database_url: str, workdir: Path, users: int) -> Bot:
    emulator = subprocess.Popen([sys.executable, __file__, "--serve-emulator", str(users)], stdout=subprocess.PIPE,
                                text=True, cwd=common.ROOT)
    bot = Bot("", {}, workdir / "data", [emulator])
    try:
        assert emulator.stdout is not None
        line = emulator.stdout.readline()
        if not line:
            raise SystemExit("the Slack emulator did not start")
        api_url = json.loads(line)["api_url"]
        port = free_port()
        bot.url = f"http://127.0.0.1:{port}"
        # cwd is the work folder, and every setting is given: no developer's .env is read.
        bot.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BADGEBOT_"))} | {
            "DATABASE_URL": database_url, "BADGEBOT_DATA_DIR": str(bot.data_dir), "BADGEBOT_PUBLIC_URL": bot.url,
            "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": api_url,
            "BADGEBOT_SCHEDULER": "off", "PYTHONUNBUFFERED": "1"}
        log = open(workdir / "serve.log", "w")  # noqa: SIM115 - closed with the process
        serve = subprocess.Popen([*badgebot(), "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                                 text=True, env=bot.env, cwd=workdir)
        bot.processes.append(serve)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if serve.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"`badgebot serve` did not start:\n{(workdir / 'serve.log').read_text()[-3000:]}")
            try:
                if httpx.get(f"{bot.url}/healthz", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return bot
    except BaseException:
        bot.stop()
        raise


# --------------------------------------------------------------------------- learners


class DoorScreen:
    """Polls display.json like the page on the screen at the door; learners read `code` off it."""

    def __init__(self, client: httpx.Client, display_url: str):
        self.client, self.url = client, display_url + ".json"
        self.code = self._read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _read(self) -> str:
        state = self.client.get(self.url).json()
        if state["state"] != "open":
            raise SystemExit(f"the event is not open: {state}")
        return str(state["code"])

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.code = self._read()
            except (httpx.HTTPError, ValueError):
                pass  # the screen keeps showing the last code, as the page does

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


MAX_TAPS = 20  # a learner shown "busy, tap again" this often gives up (an error)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z]+)" value="([^"]*)"')  # the one-tap form's fields


@dataclass
class Outcome:
    landing: float | None = None  # seconds
    tap: float | None = None  # POST + the redirected GET (and any "busy, tap again" on the way)
    error: str | None = None
    duplicate: bool = False
    busy: int = 0  # "busy, tap again" pages (HTTP 503) this learner was shown


def check_in(client: httpx.Client, base: str, door: DoorScreen, cookie: str) -> Outcome:
    headers = {"Cookie": f"bb_session={cookie}"}
    code = door.code
    started = time.perf_counter()
    landing = client.get(f"{base}/checkin/{code}", headers=headers)
    landed = time.perf_counter() - started
    form = dict(HIDDEN.findall(landing.text)) if landing.status_code == 200 else {}
    busy = int(landing.status_code == 503)  # the busy page carries the tap form: the learner taps it
    form = dict(HIDDEN.findall(landing.text)) if landing.status_code in (200, 503) else {}
    if "csrf" not in form:
        return Outcome(landed, error=f"check-in page: HTTP {landing.status_code} {_outcome(landing.text)}")
    started = time.perf_counter()
    while True:
        tapped = client.post(f"{base}/checkin/{code}", data=form, headers=headers)
        if tapped.status_code != 503 or busy >= MAX_TAPS:
            break
        busy += 1  # "busy, tap again": the learner waits as Retry-After says, then taps the same form again
        time.sleep(float(tapped.headers.get("retry-after", "1")))
    if tapped.status_code != 303 or "/checkin/done/" not in tapped.headers.get("location", ""):
        return Outcome(landed, error=f"tap: HTTP {tapped.status_code} {_outcome(tapped.text)}", busy=busy)
    done = client.get(base + tapped.headers["location"], headers=headers)
    elapsed = time.perf_counter() - started
    if done.status_code != 200:
        return Outcome(landed, error=f"confirmation: HTTP {done.status_code}", busy=busy)
    if 'data-outcome="already"' in done.text:
        return Outcome(landed, elapsed, duplicate=True, busy=busy)
    if 'data-outcome="new"' not in done.text:
        return Outcome(landed, elapsed, error=f"confirmation: {_outcome(done.text)}", busy=busy)
    return Outcome(landed, elapsed, busy=busy)


def healthz(client: httpx.Client, base: str) -> Outcome:
    """The baseline arrival: the same three requests, to the bare endpoint."""
    started = time.perf_counter()
    first = client.get(f"{base}/healthz")
    landed = time.perf_counter() - started
    started = time.perf_counter()
    second, third = client.get(f"{base}/healthz"), client.get(f"{base}/healthz")
    elapsed = time.perf_counter() - started
    bad = [r.status_code for r in (first, second, third) if r.status_code != 200]
    return Outcome(landed, elapsed, error=f"HTTP {bad[0]}" if bad else None)


def _outcome(html: str) -> str:
    found = re.search(r'data-outcome="([a-z_]+)"(?: data-refusal="([a-z_]+)")?', html)
    return ":".join(g for g in found.groups() if g) if found else ""


# Up to this many phones hold a connection at once; past that, learners wait for one, and that wait is
# timed. (The bot's server accepts 500, bot/runtime/web_server.py: waitress's default of 100 left a pool this wide
# with requests stuck in the listen backlog until the client's 30 s timeout.)
CONNECTIONS = 200


def new_client() -> httpx.Client:
    client = httpx.Client(timeout=httpx.Timeout(30, pool=None), trust_env=False,
                          limits=httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS))
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # each learner sends its own cookie
    return client


def burst(arrive: Any, learners: int, seconds: float) -> dict[str, Any]:
    """Open loop: arrival i at start + i * seconds / learners."""
    outcomes: list[Outcome] = [Outcome() for _ in range(learners)]
    rate = learners / seconds

    def one(i: int, due: float) -> None:
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        try:
            outcomes[i] = arrive(i)
        except httpx.HTTPError as exc:
            outcomes[i] = Outcome(error=type(exc).__name__)

    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=min(200, max(16, int(rate * 2)))) as pool:
        for i in range(learners):
            pool.submit(one, i, start + i / rate)
    wall = time.perf_counter() - start
    errors = Counter(o.error for o in outcomes if o.error)
    return {"n": learners, "seconds": seconds, "wall": wall, "errors": sum(errors.values()), "why": errors,
            "duplicates": sum(o.duplicate for o in outcomes), "busy": sum(o.busy for o in outcomes),
            "busy_learners": sum(o.busy > 0 for o in outcomes),
            "tap": _figures([o.tap for o in outcomes if o.tap is not None and not o.error]),
            "landing": _figures([o.landing for o in outcomes if o.landing is not None and not o.error])}


def _figures(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": float("nan"), "p99": float("nan")}
    values = sorted(values)
    return {"median": statistics.median(values) * 1000, "p99": values[min(len(values) - 1, int(len(values) * 0.99))] * 1000}


# --------------------------------------------------------------------------- what the database says


def database_counts(database_url: str, event_id: int) -> dict[str, Any]:
    from sqlalchemy import distinct, func, select

    from bot.adapters.db import make_engine
    from models import Award, CheckIn, Event, OutboxMessage

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(func.count(), func.count(distinct(CheckIn.learner_id)))
                                .where(CheckIn.event_id == event_id)).one()
            counted = conn.scalar(select(Event.checkin_count).where(Event.id == event_id))
            awards = conn.scalar(select(func.count()).select_from(Award).where(Award.event_id == event_id))
            outbox = dict(conn.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        return {"rows": rows[0], "learners": rows[1], "count": counted, "awards": awards, "outbox": outbox}
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- one database


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc/<pid>/stat (Linux)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after "pid (comm)": field 3 (state) is fields[0]
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime (14) + stime (15)


def settled(database_url: str, pid: int, timeout: float = 180.0) -> float:
    """Wait until the bot has finished what the run gave it: no award DM left to send, then no CPU used
    for half a second (App Home refreshes wait for an idle outbox). Returns the seconds waited."""
    from sqlalchemy import func, select

    from bot.adapters.db import make_engine
    from models import OutboxMessage

    started, engine = time.monotonic(), make_engine(database_url)
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as conn:
                due = conn.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status.in_(("pending", "sending"))))
            if not due:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    while time.monotonic() - started < timeout:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < 0.02:
            break
    return time.monotonic() - started


def statements_per_request(shared: Any, code: str, cookies: list[str]) -> dict[str, Any]:
    """In this process, through the bot's own web app (no HTTP): the SQL statements each of a check-in's
    three requests sends (counted with a `before_cursor_execute` listener; BEGIN included, COMMIT is not
    a statement on either driver), and the CPU milliseconds the three take together (time.process_time,
    without the HTTP server and without the award DM, which the outbox worker sends later)."""
    from sqlalchemy import event

    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement.split(None, 1)[0].upper())

    app = shared.web.test_client()
    figures: dict[str, Any] = {}

    def one(cookie: str, record: bool) -> None:
        app.set_cookie("bb_session", cookie)
        sent.clear()
        page = app.get(f"/checkin/{code}")
        if record:
            figures["page"] = len(sent)
        form = dict(HIDDEN.findall(page.get_data(as_text=True)))
        sent.clear()
        tapped = app.post(f"/checkin/{code}", data=form)
        if record:
            figures["tap"] = len(sent)
            figures["tap_kinds"] = dict(Counter(sent))
        sent.clear()
        done = app.get(tapped.headers["location"])
        if record:
            figures["confirmation"] = len(sent)
        if 'data-outcome="new"' not in done.get_data(as_text=True):
            raise SystemExit(f"the in-process check-in failed: {done.status_code} {_outcome(done.get_data(as_text=True))}")

    event.listen(shared.engine, "before_cursor_execute", count)
    try:
        for cookie in cookies[:10]:  # warm: compiled statements cached, the secret read
            one(cookie, False)
        one(cookies[10], True)
        started = time.process_time()
        for cookie in cookies[11:]:
            one(cookie, False)
        figures["cpu_ms"] = (time.process_time() - started) / len(cookies[11:]) * 1000
    finally:
        event.remove(shared.engine, "before_cursor_execute", count)
    return figures


def bench_database(kind: str, database_url: str, runs: list[tuple[int, float]]) -> tuple[list[dict[str, Any]], bool]:
    from bot.adapters.oidc import session_cookie
    from config.settings import load_settings
    from handlers.bootstrap import bootstrap

    total = WARMUP_LEARNERS + sum(n for n, _ in runs) + PROFILED_LEARNERS
    with tempfile.TemporaryDirectory(prefix="badgebot-checkin-") as workdir:
        bot = start_bot(database_url, Path(workdir), total)
        client = new_client()
        serve_pid = bot.processes[-1].pid
        try:
            # The bot's server secret lives in the database it shares with us (as every replica's does).
            shared = bootstrap(load_settings(database_url=database_url, data_dir=Path(workdir) / "bench"))
            sessions = session_cookie(shared.signer)
            cookies = [sessions.dump({"u": learner_id(i), "n": f"Learner {i}", "w": "T0EMULATOR"})
                       for i in range(total)]
            results, correct, offset = [], True, 0
            plan = [("warm-up", WARMUP_LEARNERS, 4.0)] + [(f"{n} in {s:g} s", n, s) for n, s in runs]
            for label, learners, seconds in plan:
                number, display = bot.create_event(f"Bench {label}")
                door = DoorScreen(client, display)
                base, first = bot.url, offset
                try:
                    cpu_start = cpu_seconds(serve_pid)
                    baseline = burst(lambda i, base=base: healthz(client, base), learners, seconds)
                    cpu_bare = cpu_seconds(serve_pid)
                    checkins = burst(lambda i, base=base, door=door, first=first:
                                     check_in(client, base, door, cookies[first + i]), learners, seconds)
                finally:
                    door.stop()
                drained = settled(database_url, serve_pid)  # the award DMs (and App Homes) are part of the cost
                cpu_bot = cpu_seconds(serve_pid)
                offset += learners
                if label == "warm-up":
                    continue
                db = database_counts(database_url, number)
                ok = (checkins["errors"] == 0 and checkins["duplicates"] == 0 and db["count"] == learners
                      and db["rows"] == db["learners"] == learners and db["awards"] == learners)
                correct &= ok
                results.append({"db": kind, "label": label, "n": learners, "seconds": seconds, "bot": checkins,
                                "bare": baseline, "database": db, "ok": ok, "drained": drained,
                                "cpu_ms": (cpu_bot - cpu_bare) / learners * 1000,
                                "bare_cpu_ms": (cpu_bare - cpu_start) / learners * 1000})
            results[-1]["database"]["outbox_after"] = database_counts(database_url, 0)["outbox"]
            number, display = bot.create_event("Bench profile")
            code = DoorScreen(client, display)
            code.stop()
            results[-1]["profile"] = statements_per_request(shared, code.code, cookies[offset:])
            shared.close()
            return results, correct
        finally:
            client.close()
            bot.stop()


# --------------------------------------------------------------------------- report


def report(results: list[dict[str, Any]]) -> None:
    print(f"{'db':<10} {'run':<12} {'rate/s':>6} {'server':>6} {'errors':>6} {'dupes':>5} {'busy':>5} "
          f"{'page med':>8} {'page p99':>8} {'tap med':>8} {'tap p99':>8} {'wall s':>6} {'CPU ms':>6}")
    for r in results:
        for name in ("bot", "bare"):
            f = r[name]
            cpu = r["cpu_ms"] if name == "bot" else r["bare_cpu_ms"]
            print(f"{r['db']:<10} {r['label']:<12} {r['n'] / r['seconds']:>6.1f} {name:>6} {f['errors']:>6} "
                  f"{f['duplicates']:>5} {f['busy_learners']:>5} {f['landing']['median']:>8.1f} "
                  f"{f['landing']['p99']:>8.1f} {f['tap']['median']:>8.1f} {f['tap']['p99']:>8.1f} "
                  f"{f['wall']:>6.1f} {cpu:>6.1f}")
    print("\n(ms; page = the check-in page, GET; tap = POST + the redirected confirmation, with any \"busy, tap "
          "again\" and its retry; bare = the same three requests to /healthz; busy = learners shown \"busy, tap "
          "again\" (HTTP 503) at least once; CPU ms = the bot process's CPU per arrival, user + system, until the "
          "award DMs and App Homes were done)\n")
    for r in results:
        if "profile" in r:
            p = r["profile"]
            kinds = ", ".join(f"{n} {k}" for k, n in sorted(p["tap_kinds"].items()))
            print(f"{r['db']}: SQL statements per request (in process): page {p['page']}, tap {p['tap']} ({kinds}), "
                  f"confirmation {p['confirmation']}; CPU {p['cpu_ms']:.1f} ms per check-in (three requests, "
                  "no HTTP server, no DM)")
    print()
    for r in results:
        bot, bare, db = r["bot"], r["bare"], r["database"]
        ratio = bot["tap"]["median"] / bare["tap"]["median"]
        print(f"{r['db']} {r['label']}: final count {db['count']} for {r['n']} learners "
              f"({db['rows']} check-in rows, {db['learners']} distinct learners, {db['awards']} souvenirs), "
              f"{bot['duplicates']} duplicates, {bot['errors']} errors -> {'OK' if r['ok'] else 'WRONG'}")
        for why, count in bot["why"].most_common(5):
            print(f"    {count} x {why}")
        p99_verdict = "PASS" if bot["tap"]["p99"] < TARGET_P99_MS else "MISS"
        ratio_verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
        print(f"    tap p99 {bot['tap']['p99']:.1f} ms (target < {TARGET_P99_MS:.0f}: {p99_verdict}), "
              f"median {bot['tap']['median']:.1f} ms = {ratio:.2f}x the bare endpoint's"
              + (f" (target <= {TARGET_RATIO:g}x: {ratio_verdict})" if (r["n"], r["seconds"]) == TARGET_RUN else ""))
        print(f"    {bot['busy_learners']} learners shown \"busy, tap again\" ({bot['busy']} times); "
              f"CPU {r['cpu_ms']:.1f} ms per check-in in the bot process ({r['bare_cpu_ms']:.1f} per bare arrival); "
              f"DMs and App Homes done {r['drained']:.1f} s after the last answer")
        if "outbox_after" in db:
            print(f"    outbox once the bot had settled: {db['outbox_after']}")


def postgres_problem(url: str) -> str | None:
    from bot.adapters.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return None
    except Exception as exc:  # noqa: BLE001 - any connection failure means the same here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", default="2000/60,500/5", help="learners/seconds, comma-separated")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES", common.DEFAULT_POSTGRES))
    parser.add_argument("--serve-emulator", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_emulator is not None:
        serve_emulator(args.serve_emulator)
        return 0

    runs = [(int(n), float(s)) for n, s in (run.split("/") for run in args.runs.split(","))]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"check-in bursts {', '.join(f'{n} learners in {s:g} s' for n, s in runs)}; "
          f"{', '.join(kinds)}; open loop; signed-in phones: check-in page, tap, confirmation\n", flush=True)
    results, correct = [], True
    for kind in kinds:
        if kind == "sqlite":
            database = common.sqlite_database()
        else:
            problem = postgres_problem(args.postgres_url)
            if problem:
                print(f"PostgreSQL at {common.redact(args.postgres_url)} is not usable: {problem}", file=sys.stderr)
                return 2
            database = common.postgres_schema(args.postgres_url, prefix="bbcheckin")
        with database as url:
            found, ok = bench_database(kind, url, runs)
            results += found
            correct &= ok
    report(results)
    return 0 if correct else 1


if __name__ == "__main__":
    sys.exit(main())
