"""The bot's web application: Slack's requests, health checks, and the public pages.

Routes live in handlers/web; this module only assembles them around one Badgebot instance.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, jsonify

from handlers.bootstrap import Badgebot

Blueprinter = Callable[[Badgebot, Flask], None]
"""Adds a group of routes to the web app (Slack endpoint, public pages, check-in, sandbox)."""


def create_web_app(app: Badgebot, parts: list[Blueprinter] | None = None) -> Flask:
    web = Flask("badgebot")
    web.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024  # Slack payloads are small; files never come this way

    @web.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        with app.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        return jsonify(ok=True)

    for add in parts or []:
        add(app, web)
    return web
