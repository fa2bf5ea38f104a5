"""Security headers, set in one place: `secure` runs after every response of the web app.

Every response gets `X-Content-Type-Options: nosniff` and its route's `Headers` (Cache-Control,
Referrer-Policy, and a Content-Security-Policy where one is named). A blueprint made with `Routes`
names the default for its routes; a route that differs says so beside its route decorator:

    @public.get("/achievements/<slug>/image.png")
    @headers(PUBLIC.but(cache="public, max-age=86400"))
    def achievement_image(slug): ...

A policy's CSP may name `{nonce}`: it becomes this response's script nonce, the one `script_nonce()`
gave the page's template. An error (status 400 and up) is never stored, whatever its route allows.
"""
from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, request

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "security_headers"


@dataclass(frozen=True)
class Headers:
    cache: str = "no-cache"  # for successful answers; errors get "no-store"
    referrer: str = "strict-origin-when-cross-origin"
    csp: str | None = None  # "{nonce}" becomes the response's script nonce

    def but(self, **changes: Any) -> Headers:
        return dataclasses.replace(self, **changes)


DEFAULT = Headers()


class Routes(Blueprint):
    """A blueprint whose responses get `headers`, unless a route names its own with `@headers(...)`."""

    def __init__(self, name: str, import_name: str, *, headers: Headers = DEFAULT, **options: Any):
        super().__init__(name, import_name, **options)
        self.headers = headers


def headers(policy: Headers) -> Callable[[View], View]:
    """This route's headers, instead of its blueprint's."""

    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, policy)
        return view

    return mark


def script_nonce() -> str:
    """This response's nonce for inline scripts (one per request)."""
    if "script_nonce" not in g:
        g.script_nonce = secrets.token_urlsafe(12)
    return str(g.script_nonce)


def secure(response: Response) -> Response:
    """The after_request of the web app (handlers/web/app.py)."""
    policy = policy_of_request()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = policy.referrer
    response.headers["Cache-Control"] = policy.cache if response.status_code < 400 else "no-store"
    if policy.csp:
        response.headers["Content-Security-Policy"] = policy.csp.format(nonce=script_nonce())
    return response


def policy_of_request() -> Headers:
    """The route's own headers, else its blueprint's, else DEFAULT (also for paths no route serves)."""
    view = current_app.view_functions.get(request.endpoint or "")
    own = getattr(view, ATTRIBUTE, None)
    if isinstance(own, Headers):
        return own
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return blueprint.headers if isinstance(blueprint, Routes) else DEFAULT
