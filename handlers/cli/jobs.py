"""`badgebot jobs ...` and `badgebot outbox ...`: the scheduler and the outbox, for administrators."""
from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from typing import Any

from bot.domain.wording import plural
from bot.errors import BadgebotError
from bot.runtime.scheduler import last_runs, run_job, start_scheduling
from bot.usecases.context import CLI_ACTOR
from bot.usecases.outbox import outbox_status, retry_failed
from config.settings import SettingsError
from handlers.cli.common import configure_logging, open_bot, until_stopped
from handlers.jobs import JOB_NAMES


def _app(args: argparse.Namespace, *, catalog: bool = False) -> Any:
    return open_bot(args, catalog=catalog)


def _help(command: Callable[..., int]) -> str:
    """A command's docstring as its help line, worded like the rest of `badgebot --help` (lower case,
    no full stop), so the docstring stays a sentence."""
    line = (command.__doc__ or "").strip().splitlines()[0].rstrip(".")
    return line[:1].lower() + line[1:]


def cmd_jobs_run(args: argparse.Namespace) -> int:
    """Run one job now (its messages are still sent once per learner and period)."""
    # Nudges count toward the certificates of the catalog: it is loaded first.
    with _app(args, catalog=True) as app:
        result = run_job(app.jobs, args.job)
    counts = ", ".join(f"{k} {v}" for k, v in result.queued.items() if v) or "nothing new"
    print(f"{args.job} for the period from {result.period:%Y-%m-%d %H:%M} UTC: queued {counts}"
          + (f"; {result.already_queued} already queued earlier" if result.already_queued else "")
          + (f"; held until {result.not_before:%Y-%m-%d %H:%M} UTC (quiet hours)"
             if result.total and result.not_before and result.not_before > app.ctx.clock() else ""))
    return 0


def cmd_jobs_list(args: argparse.Namespace) -> int:
    """The jobs, their schedules and the latest runs."""

    with _app(args) as app:
        now = app.ctx.clock()
        for spec in app.jobs:
            nxt = spec.cadence.next_fire(now)
            print(f"{spec.name:10} {spec.cadence.cron!r:22} next {nxt:%Y-%m-%d %H:%M} UTC  ({spec.description})"
                  if nxt else f"{spec.name:10} {spec.cadence.cron!r:22} never again")
        runs = last_runs(app.ctx)
        print("latest runs:" if runs else "no runs yet")
        for run in runs:
            period = f"{run.period:%Y-%m-%d %H:%M}" if run.period else "by hand"
            print(f"  {run.started_at:%Y-%m-%d %H:%M:%S} {run.job:10} {period:16} {run.runner:30} {run.summary}")
    return 0


def cmd_jobs_scheduler(args: argparse.Namespace) -> int:
    """Run the scheduler in the foreground (with PostgreSQL, one of several replicas leads)."""

    app = _app(args)
    stopping = threading.Event()
    me = app.scheduler.runner

    def said(line: str) -> None:
        print(line, flush=True)

    app.scheduler.on_run = lambda r: said(f"ran {r.job} period={r.period.isoformat()} by={me} "
                                          f"{'already-ran' if r.already_ran else r.summary}")
    leadership = start_scheduling(app.scheduler, app.settings.effective_database_url,
                                  on_leadership=lambda leading: said(f"{'leading' if leading else 'deposed'} {me}"))
    if not leadership.is_leader:
        said(f"standing by {me}")
    try:
        until_stopped(stopping.wait, stopping.set)
    finally:
        leadership.stop()
        app.close()
    return 0


def cmd_outbox_status(args: argparse.Namespace) -> int:
    """Counts by status; the messages that failed for good (and those still retrying)."""

    with _app(args) as app:
        status = outbox_status(app.ctx)
    print("outbox: " + ", ".join(f"{k} {v}" for k, v in status.counts.items())
          + (f"; oldest waiting since {status.oldest_waiting:%Y-%m-%d %H:%M} UTC" if status.oldest_waiting else ""))
    for title, messages in (("failed (retry with `badgebot outbox retry ID...` or `--all`)", status.failed),
                            ("retrying", status.retrying)):
        if messages:
            print(f"{title}:")
        for m in messages:
            print(f"  #{m.id} {m.kind} to {m.recipient}, {m.attempts} tries, queued {m.created_at:%Y-%m-%d %H:%M}"
                  + (f", next {m.next_attempt_at:%H:%M:%S}" if m.status != "failed" else "")
                  + f": {m.last_error or ''}")
    return 1 if status.failed else 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    """Give failed messages another set of tries (they are looked for in Slack first)."""

    if not args.ids and not args.all:
        print("badgebot: name the message ids to retry, or --all", file=sys.stderr)
        return 2
    with _app(args) as app:
        retried = retry_failed(app.ctx, CLI_ACTOR, args.ids)
    print(f"retrying {plural(len(retried), 'message')}"
          + (": " + ", ".join(f"#{i}" for i in retried) if retried else ""))
    return 0


def cmd_outbox_deliver(args: argparse.Namespace) -> int:
    """Run a delivery worker in the foreground (`badgebot serve` runs one already)."""
    app = _app(args)
    if not app.settings.has_slack_credentials:
        print("badgebot: delivering needs SLACK_BOT_TOKEN (and SLACK_API_URL for an emulator)", file=sys.stderr)
        return 1
    worker = app.delivery

    def deliver() -> None:
        if args.until_empty:
            while worker.run_once():
                pass
        else:
            worker.run_forever()

    try:
        until_stopped(deliver, worker.stop)
    finally:
        app.close()
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    jobs = sub.add_parser("jobs", help="the scheduler's jobs").add_subparsers(dest="jobs_command", required=True)
    run = jobs.add_parser("run", help=_help(cmd_jobs_run))
    run.add_argument("job", choices=JOB_NAMES, help="which job (`badgebot jobs list` shows them)")
    run.set_defaults(func=cmd_jobs_run)
    jobs.add_parser("list", help=_help(cmd_jobs_list)).set_defaults(func=cmd_jobs_list)
    jobs.add_parser("scheduler", help=_help(cmd_jobs_scheduler)).set_defaults(func=cmd_jobs_scheduler)

    outbox = sub.add_parser("outbox", help="notifications waiting, sent and failed").add_subparsers(
        dest="outbox_command", required=True)
    outbox.add_parser("status", help=_help(cmd_outbox_status)).set_defaults(func=cmd_outbox_status)
    retry = outbox.add_parser("retry", help=_help(cmd_outbox_retry))
    retry.add_argument("ids", type=int, nargs="*", metavar="ID", help="the failed messages' ids (`outbox status`)")
    retry.add_argument("--all", action="store_true", help="every failed message")
    retry.set_defaults(func=cmd_outbox_retry)
    deliver = outbox.add_parser("deliver", help=_help(cmd_outbox_deliver))
    deliver.add_argument("--until-empty", action="store_true", help="stop when nothing more may go now")
    deliver.set_defaults(func=cmd_outbox_deliver)


def main(argv: list[str] | None = None) -> int:
    """`python -m handlers.cli.jobs jobs|outbox ...`: these commands alone (the test suite's processes)."""

    parser = argparse.ArgumentParser(prog="badgebot")
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    configure_logging(verbose=False)
    try:
        return args.func(args)
    except (SettingsError, BadgebotError) as exc:
        print(f"badgebot: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
