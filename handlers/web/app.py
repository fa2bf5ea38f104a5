"""The bot's web application: Slack's requests, health checks, and the public pages.

Routes live in the blueprints beside this module; this only assembles them around one Badgebot,
which views reach through `handlers.web.services.badgebot()`. Security headers are set once, after
every request (handlers/web/security.py). Every path comes from the URL map in bot/urls.py.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify

from handlers.web.admin import admin
from handlers.web.checkin import checkin
from handlers.web.hosts import hosts
from handlers.web.public import public
from handlers.web.review_files import review_files
from handlers.web.security import DEFAULT, Routes, headers, secure
from handlers.web.services import attach, badgebot
from handlers.web.share_links import share_links
from handlers.web.slack_events import slack_events
from handlers.web.status import status

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

health = Routes("health", __name__, headers=DEFAULT.but(cache="no-store"))
# Browsers ask every page's server for /favicon.ico (the door screen all evening): an SVG, which they
# take at that path too, so no page needs a <link rel="icon"> of its own.
FAVICON = (Path(__file__).with_name("static") / "favicon.svg").read_bytes()


@health.get("/healthz")
def healthz() -> Response:
    with badgebot().engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return jsonify(ok=True)


@health.get("/favicon.ico")
@headers(DEFAULT.but(cache="public, max-age=86400"))
def favicon() -> Response:
    return Response(FAVICON, mimetype="image/svg+xml")


def create_web_app(services: Badgebot) -> Flask:
    web = Flask("badgebot")
    web.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024  # Slack payloads are small; files never come this way
    attach(web, services)
    web.after_request(secure)
    if services.bolt is not None and services.settings.slack_signing_secret:  # Socket Mode alone: no Request URL
        web.register_blueprint(slack_events)
    for blueprint in (health, review_files, public, checkin, hosts, status, admin, share_links):
        web.register_blueprint(blueprint)
    return web
