"""How a view reaches the Badgebot it serves: `badgebot()`, from the app handling the request.

`create_web_app` attaches it once (`attach`); views never hold it in a global or a closure, so one
process may run several web apps (tests do), each with its own bot.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from flask import Blueprint, Flask, current_app
from flask.blueprints import BlueprintSetupState

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

EXTENSION = "badgebot"
T = TypeVar("T")


def attach(web: Flask, badgebot: Badgebot) -> None:
    web.extensions[EXTENSION] = badgebot


def badgebot() -> Badgebot:
    """The Badgebot of the web app handling this request."""
    return cast("Badgebot", current_app.extensions[EXTENSION])


def badgebot_of(web: Flask) -> Badgebot:
    """The same, while the app is being set up (a blueprint's `record_once`), before any request."""
    return cast("Badgebot", web.extensions[EXTENSION])


def app_state(blueprint: Blueprint, key: str, make: Callable[[Badgebot], T]) -> Callable[[], T]:
    """State a blueprint's views share, made once per web app when the blueprint is registered (from
    that app's Badgebot); returns the accessor views call for the app handling the request."""
    def set_up(state: BlueprintSetupState) -> None:
        state.app.extensions.setdefault(key, make(badgebot_of(state.app)))

    blueprint.record_once(set_up)
    return lambda: cast(T, current_app.extensions[key])
