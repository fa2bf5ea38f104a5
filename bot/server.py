"""`badgebot serve`: prepare the database and catalog, then serve HTTP until stopped."""
from __future__ import annotations

import logging

from bot.app import build
from config.settings import Settings

log = logging.getLogger("badgebot")


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 3000, reset: bool = False) -> int:
    from waitress import serve as waitress_serve

    from bot.web import create_web_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build(settings)
    before, after = app.upgrade_database()
    if before != after:
        log.info("database migrated to %s", after)
    changes = app.load_catalog()
    log.info("catalog %s: %s", settings.catalog, changes.summary())
    web = create_web_app(app)
    mode = "Slack" if settings.has_slack_credentials else "no Slack credentials (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"
    print(f"Badgebot running at http://{host}:{port} ({mode}); database {app.engine.url.render_as_string()}", flush=True)
    waitress_serve(web, host=host, port=port, threads=8, ident="badgebot")
    return 0
