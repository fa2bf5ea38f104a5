"""The sandbox's public URL stays the one of its first start, whatever `--port` says later.

The bot writes its public URL into what it sends and signs: the links in its messages (award pages,
share links, check-in pages), Open Badges credentials (the issuer's id, its keys, the status lists)
and the Sign in with Slack redirect URIs. A sandbox first run on :3000, then with `--port 3100`, would
otherwise leave every earlier link dead and every earlier credential pointing nowhere. So the first
start remembers its address in `<data dir>/sandbox/public-url.txt`, and a later start on another port
keeps that public URL and answers on its port as well: old links and new ones alike keep working.

When another program holds the remembered port now, this run uses its own address for what it sends
(earlier links wait until the old port is free again; the remembered address is kept for the next run),
and the start line says so. `--reset` forgets the address with the rest; BADGEBOT_PUBLIC_URL, when set,
is used as it is.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.runtime.web_server import WebServer, WsgiApp

log = logging.getLogger("badgebot.sandbox")

PUBLIC_URL_FILE = "public-url.txt"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class SandboxAddress:
    url: str  # where this run listens: the start line's address
    public_url: str  # what the bot writes into links and credentials
    note: str = ""  # for the start line, when the two differ
    _server: WebServer | None = None
    _thread: threading.Thread | None = None
    _app: WsgiApp | None = None

    @classmethod
    def choose(cls, home: Path, url: str, configured: str = "") -> SandboxAddress:
        """The address for a run listening at `url`: BADGEBOT_PUBLIC_URL (`configured`) if set, else the
        remembered one (listening there too when it is another port), else `url`, remembered from now on."""
        if configured:
            same = configured.rstrip("/") == url
            return cls(url, configured, note="" if same else f"its links use BADGEBOT_PUBLIC_URL, {configured}")
        remembered = _remembered(home / PUBLIC_URL_FILE)
        if remembered is None:
            (home / PUBLIC_URL_FILE).write_text(url + "\n", encoding="utf-8")
            return cls(url, url)
        earlier = urlsplit(remembered)
        if earlier.port == urlsplit(url).port:
            return cls(url, remembered)
        address = cls(url, remembered)
        try:
            address._server = WebServer(address._serve, host=earlier.hostname or "127.0.0.1", port=earlier.port or 80)
        except OSError as exc:
            log.warning("sandbox: %s is this sandbox's address, but it cannot listen there (%s)", remembered, exc)
            return cls(url, url, note=f"links from earlier runs point at {remembered}, which another program "
                                      f"holds now: they work again once this sandbox runs there; this run's "
                                      f"links use {url}")
        address._thread = threading.Thread(target=address._server.serve_forever, name="sandbox-first-address",
                                           daemon=True)
        address._thread.start()
        address.note = f"its links keep the address of its first start, {remembered}, which it answers too"
        return address

    def serve(self, app: WsgiApp) -> None:
        """The bot's web app is built: answer at the remembered address too (until now: 503, starting)."""
        self._app = app

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self._thread is not None:
            self._thread.join(5)

    def _serve(self, environ: dict[str, Any], start_response: Any) -> Any:
        app = self._app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "2")])
            return [b"The sandbox is starting.\n"]
        return app(environ, start_response)


def _remembered(path: Path) -> str | None:
    """The address remembered at the first start, if it is one the sandbox can answer at (loopback, http)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "http" or parts.hostname not in _LOOPBACK or port is None or parts.path not in ("", "/"):
        log.warning("sandbox: %s holds %r, not a loopback address; starting from this run's address", path, text)
        return None
    return text.rstrip("/")
