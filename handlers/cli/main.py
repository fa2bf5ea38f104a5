"""`badgebot`: the command line for running the bot and for administrators.

Every error is one clear line on standard error and a non-zero exit code.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.domain.wording import plural
from bot.errors import BadgebotError
from bot.usecases.awards import revoke
from bot.usecases.context import CLI_ACTOR
from bot.usecases.export import write_awards_csv
from bot.usecases.progress import learner_progress
from config.catalog import CatalogError
from config.settings import SettingsError, load_settings
from handlers.cli.catalog import add_commands as catalog_commands
from handlers.cli.common import (
    check_port_free,
    cli_wording,
    configure_logging,
    migrated,
    open_bot,
    sandbox_note,
    settings_for,
)
from handlers.cli.events import add_commands as event_commands
from handlers.cli.jobs import add_commands as scheduling_commands
from handlers.cli.keys import add_commands as key_commands
from handlers.cli.openbadges import add_commands as open_badges_commands
from handlers.cli.report import add_commands as report_commands
from handlers.cli.serve import serve

Command = Callable[[argparse.Namespace], int]


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    _, (before, after) = migrated(settings_for(args))
    print(f"database at revision {after}" + ("" if before == after else f" (was {before or 'empty'})"))
    return 0


def cmd_awards_export(args: argparse.Namespace) -> int:
    app = open_bot(args)
    count = write_awards_csv(app.ctx, sys.stdout)
    print(f"{plural(count, 'award')} exported", file=sys.stderr)
    return 0


def cmd_learner_show(args: argparse.Namespace) -> int:
    app = open_bot(args, catalog=True)
    progress = learner_progress(app.ctx, args.user_id)
    if not progress.holdings and not progress.pending and progress.display_name == args.user_id:
        where = "the sandbox's database" if args.sandbox else "this database"
        print(f"badgebot: no learner {args.user_id} in {where} (no awards or submissions yet)"
              + ("" if args.sandbox else sandbox_note(app.settings)), file=sys.stderr)
        return 1
    print(f"{progress.display_name} ({progress.learner}); nudges {'on' if progress.nudges_enabled else 'off'}")
    print(f"holds {plural(len(progress.holdings), 'credential')}:")
    for h in progress.holdings:
        extra = " with Distinction" if h.distinction else ""
        print(f"  {h.credential:40} {h.type.label}{extra}, {h.issued_at:%Y-%m-%d}"
              + (f", expires {h.expires_at:%Y-%m-%d}" if h.expires_at else "")
              + (", FLAGGED" if h.flagged else "") + f"  [{h.public_id}]")
    print(f"in progress: {plural(len(progress.pending), 'submission')}")
    for p in progress.pending:
        print(f"  #{p.submission_id} {p.credential:37} {p.status.value.replace('_', ' ')}")
    print("certificates:")
    for s in progress.stacks:
        missing = ", ".join(slug for slug, _ in s.missing) or "complete"
        print(f"  {s.certificate:40} {len(s.held)}/{s.required}  missing: {missing}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    app = open_bot(args)
    flagged = revoke(app.ctx, CLI_ACTOR, args.public_id, args.reason)
    print(f"revoked {args.public_id}")
    for public_id in flagged:
        print(f"  flagged for review: certificate award {public_id}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    check_port_free(args.host, args.port)  # before anything starts: no migration, no scheduler, no emulator
    return serve(settings, host=args.host, port=args.port, reset=args.reset)


def _extra_commands() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Commands that live beside the part of the bot they serve (rendering, verification, ...)."""

    return [open_badges_commands, event_commands, scheduling_commands, key_commands, report_commands]



def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="badgebot", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log more: every HTTP request and migration step, and debug lines")
    parser.add_argument("--sandbox", action="store_true",
                        help="use the sandbox's own database (what `badgebot serve` without Slack credentials made)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the bot (the local sandbox when no Slack credentials are set)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=3000, help="the port to listen on (default: %(default)s)")
    serve.add_argument("--reset", action="store_true", help="start the sandbox over from its demo data")
    # Also after the command (`badgebot serve --verbose`); SUPPRESS keeps a global -v from being reset.
    serve.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log more")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="migrate the schema to the newest version (safe to repeat)").set_defaults(
        func=cmd_db_upgrade)

    catalog_commands(sub)

    awards = sub.add_parser("awards", help="award records").add_subparsers(dest="awards_command", required=True)
    awards.add_parser("export", help="CSV of every award on standard output").set_defaults(func=cmd_awards_export)
    revoke = awards.add_parser("revoke", help="revoke an award (history is kept)")
    revoke.add_argument("public_id",
                        help="the award's public id (the end of its page's URL; `awards export` lists them)")
    revoke.add_argument("--reason", required=True, help="why (kept in the audit log, and told to the learner)")
    revoke.set_defaults(func=cmd_revoke)

    learner = sub.add_parser("learner", help="learners").add_subparsers(dest="learner_command", required=True)
    show = learner.add_parser("show", help="what a learner holds and how far each certificate is")
    show.add_argument("user_id", help="Slack user id, e.g. U012ABCDEF")
    show.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS,
                      help="look in the sandbox's database")
    show.set_defaults(func=cmd_learner_show)

    for add in _extra_commands():
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"badgebot: {exc}", file=sys.stderr)
    except CatalogError as exc:
        print(f"badgebot: catalog {exc}", file=sys.stderr)
    except BadgebotError as exc:
        # Use cases word their messages for Slack; the CLI names its own commands.
        print(f"badgebot: {cli_wording(str(exc))}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
