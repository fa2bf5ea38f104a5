"""How a view reaches the Badgebot it serves: `badgebot()`, from the app handling the request.

`create_web_app` attaches it once (`attach`); views never hold it in a global or a closure, so one
process may run several web apps (tests do), each with its own bot.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import Flask, current_app

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

EXTENSION = "badgebot"


def attach(web: Flask, badgebot: Badgebot) -> None:
    web.extensions[EXTENSION] = badgebot


def badgebot() -> Badgebot:
    """The Badgebot of the web app handling this request."""
    return cast("Badgebot", current_app.extensions[EXTENSION])


def badgebot_of(web: Flask) -> Badgebot:
    """The same, while the app is being set up (a blueprint's `record_once`), before any request."""
    return cast("Badgebot", web.extensions[EXTENSION])
