"""Server-rendered pages: the templates beside this module, and the headers of the private ones.

Every page is rendered with `script_nonce` (the nonce its CSP allows, handlers/web/security.py) and
`paths`, the bot's URL map as paths on this server (bot/urls.py), for its links and forms.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

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
