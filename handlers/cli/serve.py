"""`badgebot serve`: prepare the database and catalog, then serve until stopped.

With Slack credentials: HTTP mode (every Slack request at POST /slack/events), or Socket Mode when
SLACK_APP_TOKEN is set. Without them: the local sandbox, a Slack emulator on loopback with a
browser UI, so a fresh machine shows the real product.
"""
from __future__ import annotations

import logging
import signal

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.runtime.web_server import WebServer
from config.settings import Settings
from handlers.bootstrap import bootstrap
from handlers.sandbox.run import Sandbox

log = logging.getLogger("badgebot")


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 3000, reset: bool = False) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sandbox = None
    if not settings.has_slack_credentials:
        sandbox = Sandbox.prepare(settings, host=host, port=port, reset=reset)
        settings = sandbox.settings
    app = bootstrap(settings, public_url=settings.public_url or f"http://{host}:{port}")
    before, after = app.upgrade_database()
    if before != after:
        log.info("database migrated to %s", after)
    log.info("catalog %s: %s", settings.catalog, app.load_catalog().summary())
    app.start()  # the outbox worker; the scheduler (SQLite: here; PostgreSQL: if this replica is elected)
    server = WebServer(app.web, host=host, port=port)

    socket_mode = None
    if settings.slack_app_token and app.bolt is not None:
        socket_mode = SocketModeHandler(app.bolt, settings.slack_app_token)
        socket_mode.connect()  # Slack's requests arrive over the socket; the web server keeps the pages
    if sandbox:
        sandbox.started(app)
        print(f"Sandbox running at {app.public_url}  (no Slack credentials: a local Slack emulator; "
              "nothing leaves this machine)", flush=True)
    else:
        mode = "Socket Mode" if socket_mode else f"HTTP mode: Slack requests at {app.urls.slack_events}"
        print(f"Badgebot running at http://{host}:{port} ({mode})", flush=True)

    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if socket_mode:
            socket_mode.close()
        if sandbox:
            sandbox.stop()
        app.close()
    return 0
