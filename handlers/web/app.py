"""The bot's web application: Slack's requests, health checks, and the public pages.

Routes live in the modules beside this one; this only assembles them around one Badgebot.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, jsonify

from handlers.web.checkin import checkin_pages
from handlers.web.public import public_pages
from handlers.web.review_files import review_files
from handlers.web.slack_events import slack_events

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def create_web_app(services: "Badgebot") -> Flask:
    web = Flask("badgebot")
    web.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024  # Slack payloads are small; files never come this way

    @web.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        with services.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return jsonify(ok=True)

    if services.bolt is not None:
        slack_events(services, web)
    for add in (review_files, public_pages, checkin_pages):
        add(services, web)
    return web
