"""What every `badgebot ...` command shares: its settings (or the sandbox's), the bot opened on a
reachable, migrated database with the catalog loaded, quiet logs, and errors in the CLI's own words."""
from __future__ import annotations

import argparse
import errno
import logging
import re
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.errors import BadgebotError
from bot.usecases.context import CLI_ACTOR
from config.settings import Settings, load_settings
from handlers.bootstrap import Badgebot, bootstrap
from handlers.sandbox.run import sandbox_database_url, sandbox_home

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log a line per request or per migration step: heard only with --verbose.
CHATTY = ("httpx", "httpcore", "alembic", "apscheduler", "waitress")


class DatabaseUnreachable(BadgebotError):
    """The database named by the settings cannot be reached (or opened)."""


class PortInUse(BadgebotError):
    """`badgebot serve` was asked for an address another program already listens on."""


def configure_logging(verbose: bool) -> None:
    """The bot's own lines at INFO; libraries' at WARNING unless `verbose` (then everything at DEBUG
    but Slack's client, which would log tokens in its request headers)."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format=LOG_FORMAT)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.getLogger("slack_sdk").setLevel(logging.INFO if verbose else logging.WARNING)


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings from the environment, or with `--sandbox` the sandbox's own database and data."""
    settings = load_settings()
    if not getattr(args, "sandbox", False):
        return settings
    home, url = sandbox_home(settings), sandbox_database_url(settings)
    if not _sqlite_file(url).is_file():
        raise BadgebotError(f"There is no sandbox in {home} yet: `badgebot serve` without Slack credentials "
                            "makes one.")
    return settings.model_copy(update={"data_dir": home, "database_url": url})


def sandbox_note(settings: Settings) -> str:
    """A hint for a lookup that found nothing: the sandbox keeps its people in a database of its own."""
    url = sandbox_database_url(settings)
    if settings.effective_database_url == url or not _sqlite_file(url).is_file():
        return ""
    return (f"; the sandbox keeps its own database ({_sqlite_file(url)}): add --sandbox to look there, "
            "e.g. `badgebot --sandbox learner show U0LEARN001`")


def migrated(settings: Settings, **parts: Any) -> tuple[Badgebot, tuple[str | None, str | None]]:
    """The bot on its migrated database (safe to repeat), and the revisions (before, after); one
    line naming the database when it cannot be reached: building and migrating are each command's
    first use of it, so they are where an unreachable one shows."""
    try:
        app = bootstrap(settings, **parts)
    except OperationalError as exc:
        raise DatabaseUnreachable(database_problem(settings, exc)) from None
    try:
        return app, app.upgrade_database()
    except OperationalError as exc:
        app.close()
        raise DatabaseUnreachable(database_problem(settings, exc)) from None


def open_bot(args: argparse.Namespace, *, catalog: bool = False) -> Badgebot:
    """The bot on a reachable, migrated database; with `catalog`, BADGEBOT_CATALOG loaded into it
    first (as `badgebot serve` does; idempotent), for commands that look credentials up."""
    settings = settings_for(args)
    app, _ = migrated(settings)
    if catalog:
        changes = app.load_catalog(CLI_ACTOR)
        if changes.added or changes.updated or changes.retired or changes.restored:
            print(f"catalog {settings.catalog} loaded: {changes.summary()}", file=sys.stderr)
    return app


def database_problem(settings: Settings, exc: OperationalError) -> str:
    """One line: which database, where, and why it cannot be used."""
    url = make_url(settings.effective_database_url)
    first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else exc.__class__.__name__
    cause = re.sub(r"^connection failed: ", "", first)
    cause = re.sub(r'^connection to server at "[^"]*"(?: \([^)]*\))?, port \d+ failed: ', "", cause)
    cause = " ".join(cause.split())
    if url.get_backend_name() == "sqlite":
        return f"cannot open the SQLite database {url.database}: {cause}"
    return f"cannot connect to PostgreSQL at {url.host or 'localhost'}:{url.port or 5432} (DATABASE_URL): {cause}"


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse when another program listens on host:port, before anything else starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}; try --host 127.0.0.1") from None
    probe = socket.socket(family, kind, proto)
    try:
        # As the web server binds (waitress sets SO_REUSEADDR): a port left in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as exc:
        reason = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        raise PortInUse(f"{host}:{port} {reason}; try --port") from None
    finally:
        probe.close()


# Slack commands a use case's message may suggest, and the CLI's own for the same thing.
_SLACK_TO_CLI = {"/badges event new": "badgebot event create", "/badges event": "badgebot event"}
_SLACK_COMMAND = re.compile(r"`(/badges event(?: [^`]*)?)`")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def cli_wording(message: str) -> str:
    """A use case's message as the CLI says it: `badgebot event list` for `/badges event list`,
    and a Slack mention `<@U0HOST0001>` as the bare id. Slack keeps the Slack wording."""

    def command(match: re.Match[str]) -> str:
        slack = match.group(1)
        for prefix, cli in _SLACK_TO_CLI.items():
            if slack == prefix or slack.startswith(prefix + " "):
                return f"`{cli}{slack[len(prefix):]}`"
        return match.group(0)

    return _MENTION.sub(r"\1", _SLACK_COMMAND.sub(command, message))


def _sqlite_file(url: str) -> Path:
    return Path(make_url(url).database or "")


def until_stopped(run: Callable[[], object], stop: Callable[[], object]) -> None:
    """Run in the foreground until SIGTERM (a supervisor stopping us) or Ctrl-C; the caller cleans up."""
    signal.signal(signal.SIGTERM, lambda *_: stop())
    try:
        run()
    except KeyboardInterrupt:
        pass
