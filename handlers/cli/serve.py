"""`badgebot serve`: prepare the database and catalog, then serve until stopped.

With Slack credentials: HTTP mode (every Slack request at POST /slack/events), or Socket Mode when
SLACK_APP_TOKEN is set. Without them: the local sandbox, a Slack emulator on loopback with a
browser UI, so a fresh machine shows the real product.
"""
from __future__ import annotations

import logging
import signal

from handlers.bootstrap import Badgebot, build
from config.settings import Settings

log = logging.getLogger("badgebot")


def web_parts(badgebot: Badgebot) -> list:  # type: ignore[type-arg]
    from handlers.web.checkin import checkin_pages
    from handlers.web.public import public_pages
    from handlers.web.review_files import review_files
    from handlers.web.slack_events import slack_events

    return [slack_events, review_files, public_pages, checkin_pages]


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 3000, reset: bool = False) -> int:
    from handlers.slack_bot import build_slack
    from handlers.web.app import create_web_app
    from bot.runtime.web_server import WebServer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sandbox = None
    if not settings.has_slack_credentials:
        from bot.sandbox.run import Sandbox

        sandbox = Sandbox.prepare(settings, host=host, port=port, reset=reset)
        settings = sandbox.settings
    app = build(settings)
    if not settings.public_url:
        app.public_url = f"http://{host}:{port}"
    before, after = app.upgrade_database()
    if before != after:
        log.info("database migrated to %s", after)
    log.info("catalog %s: %s", settings.catalog, app.load_catalog().summary())

    slack = build_slack(app, base_url=app.public_url)
    slack.delivery.configure(settings)
    scheduling = None
    if settings.scheduler == "on":
        from bot.runtime.scheduler import start_scheduling

        scheduling = start_scheduling(app)  # SQLite: runs here; PostgreSQL: if this replica is elected
    parts = web_parts(app) + (sandbox.web_parts() if sandbox else [])
    web = create_web_app(app, parts)
    server = WebServer(web, host=host, port=port)

    socket_mode = None
    if settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        socket_mode = SocketModeHandler(slack.app, settings.slack_app_token)
        socket_mode.connect()  # Slack's requests arrive over the socket; the web server keeps the pages
    if sandbox:
        sandbox.started(app, slack)
        print(f"Sandbox running at {app.public_url}  (no Slack credentials: a local Slack emulator; "
              "nothing leaves this machine)", flush=True)
    else:
        mode = "Socket Mode" if socket_mode else f"HTTP mode: Slack requests at {app.public_url}/slack/events"
        print(f"Badgebot running at http://{host}:{port} ({mode})", flush=True)

    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduling:
            scheduling.stop()
        slack.delivery.stop()
        if socket_mode:
            socket_mode.close()
        if sandbox:
            sandbox.stop()
        app.close()
    return 0
