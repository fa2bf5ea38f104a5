"""Server-rendered pages: the templates beside this module, and the headers of the private ones.

Every page is rendered with `script_nonce` (the nonce its CSP allows, handlers/web/security.py) and
`paths`, the bot's URL map as paths on this server (bot/urls.py), for its links and forms.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import Response, redirect, request
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.adapters.oidc import SignedCookie, SlackSignIn
from handlers.web.security import Headers, script_nonce
from handlers.web.services import badgebot

TEMPLATES = Path(__file__).with_name("templates")
_templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

# Check-in pages and the host's door screen: never stored, and the codes and unguessable display links
# in their URLs stay off other sites' logs. Scripts run only with the page's own nonce.
PRIVATE = Headers(
    cache="no-store", referrer="no-referrer",
    csp="default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def render(template: str, status: int = 200, /, **values: Any) -> Response:
    body = _templates.get_template(template).render(script_nonce=script_nonce(), paths=badgebot().urls.paths,
                                                    **values)
    return Response(body, status=status, mimetype="text/html")


def returning_sign_in(signins: SignedCookie, cookie: str, provider: SlackSignIn | None) -> dict[str, Any] | None:
    """The sign-in this browser began (held in `cookie`) if Slack's callback matches it: the state
    echoed back is the one we sent, so a callback forged or replayed elsewhere is refused."""
    pending = signins.load(request.cookies.get(cookie))
    if provider is None or pending is None or not secrets.compare_digest(
            request.args.get("state", ""), str(pending.get("s", ""))):
        return None
    return pending


def slack_declined() -> bool:
    """Slack's callback carries no code: the person cancelled, or Slack refused."""
    return bool(request.args.get("error")) or not request.args.get("code")


@dataclass(frozen=True)
class SiteCookies:
    """A site's own cookies (check-in, the console): under its path, HTTPS-only when served so, never
    readable by scripts, sent on top-level navigation back from Slack (Lax)."""

    path: str
    secure: bool

    def set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path=self.path, secure=self.secure, httponly=True,
                            samesite="Lax")

    def forget(self, response: Response, name: str) -> Response:
        response.delete_cookie(name, path=self.path, secure=self.secure, httponly=True, samesite="Lax")
        return response


def see_other(location: str, status: int = 303) -> Response:
    return cast(Response, redirect(location, code=status))


def begin_sign_in(provider: SlackSignIn, callback: str, signins: SignedCookie, cookies: SiteCookies, cookie: str,
                  **kept: str) -> Response:
    """Off to Slack to sign in; the state, the nonce and `kept` wait in this browser's cookie for the way back."""
    state, nonce = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    response = see_other(provider.authorize_url(callback, state, nonce))
    cookies.set(response, cookie, signins.dump({"s": state, "o": nonce, **kept}), signins.max_age)
    return response
