"""`badgebot serve`: prepare the database and catalog, then serve until stopped.

With Slack credentials: HTTP mode (every Slack request at POST /slack/events), or Socket Mode when
SLACK_APP_TOKEN is set. Without them: the local sandbox, a Slack emulator on loopback with a
browser UI, so a fresh machine shows the real product.
"""
from __future__ import annotations

import logging
import sys

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.runtime.web_server import WebServer
from config.catalog import Catalog
from config.settings import Settings
from handlers.bootstrap import Badgebot, bootstrap
from handlers.cli.common import until_stopped
from handlers.sandbox.run import Sandbox

log = logging.getLogger("badgebot")


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 3000, reset: bool = False) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sandbox = None
    if not settings.has_slack_credentials:
        sandbox = Sandbox.prepare(settings, host=host, port=port, reset=reset)
        settings = sandbox.settings
    app = bootstrap(settings, public_url=settings.public_url or f"http://{host}:{port}")
    if not _user_groups_readable(app):
        app.close()
        if sandbox:
            sandbox.stop()
        return 1
    before, after = app.upgrade_database()
    if before != after:
        log.info("database migrated to %s", after)
    log.info("catalog %s: %s", settings.catalog, app.load_catalog().summary())
    app.start()  # the outbox worker; the scheduler (SQLite: here; PostgreSQL: if this replica is elected)
    server = WebServer(app.web, host=host, port=port)

    socket_mode = start_socket_mode(app)  # None in HTTP mode and in the sandbox
    if sandbox:
        sandbox.started(app)
        print(sandbox.running_line(), flush=True)
    else:
        mode = "Socket Mode" if socket_mode else f"HTTP mode: Slack requests at {app.urls.slack_events}"
        print(f"Badgebot running at http://{host}:{port} ({mode})", flush=True)

    try:
        until_stopped(server.serve_forever, server.stop)
    finally:
        if socket_mode:
            socket_mode.close()
        if sandbox:
            sandbox.stop()
        app.close()
    return 0


def _user_groups_readable(app: Badgebot) -> bool:
    """Once at start: can the bot read the catalog's user groups? False (one line on stderr) when a
    catalog naming S… groups meets a token without usergroups:read: every grantor, host or admin named
    by group would be refused without a word, so refusing to start is kinder. With no group in the
    catalog nothing needs the scope yet: a loud warning, and the bot serves."""
    try:
        missing = app.directory.missing_scope()
    except SlackApiError as exc:
        # Not the question asked (a bad token, Slack down): each call will say so; serving is not refused here.
        log.warning("could not ask Slack for the bot token's scopes: %s", exc.response.get("error"))
        return True
    except OSError as exc:
        log.warning("could not ask Slack for the bot token's scopes: %s", exc)
        return True
    if missing is None:
        return True
    groups = _user_groups(app.catalog)
    if groups:
        print(f"badgebot serve: the Slack app lacks the {missing} scope, which the catalog's user groups "
              f"({', '.join(groups)}) need; add it to the bot scopes (manifest.yml) and reinstall the app",
              file=sys.stderr, flush=True)
        return False
    log.warning("the Slack app lacks the %s scope: user groups (S…) named in the catalog would have no members; "
                "add it to the bot scopes (manifest.yml) and reinstall the app", missing)
    return True


def _user_groups(catalog: Catalog) -> list[str]:
    named = [*catalog.roles.admins, *catalog.roles.hosts, *(g for c in catalog.credentials for g in c.grantors)]
    return sorted({holder for holder in named if holder.startswith("S")})


def start_socket_mode(app: Badgebot, *, ping_interval: float = 10) -> SocketModeHandler | None:
    """Connect to Slack over Socket Mode when SLACK_APP_TOKEN is set; None otherwise (HTTP mode).

    Slack's requests then arrive over the socket (the web server keeps the pages and check-in).
    Bolt's built-in client reconnects by itself: on Slack's `disconnect` it opens a new connection
    through apps.connections.open, and it does the same when pings show the connection is dead
    (`ping_interval` seconds apart, stale after four missed pongs). Tests call this too, so they
    start Socket Mode exactly as `badgebot serve` does.
    """
    token = app.settings.slack_app_token
    if not token:
        return None
    if app.bolt is None:
        raise RuntimeError("Socket Mode needs the Bolt app; bootstrap builds it whenever SLACK_APP_TOKEN is set")
    handler = SocketModeHandler(app.bolt, token, ping_interval=ping_interval)
    handler.connect()
    return handler
