"""How verification reaches documents (keys, DID documents, profiles, status lists, hosted credentials).

Every document goes through a `Fetch` function: the real network for other issuers (`http_fetch`), nothing
at all (`no_network`), or, for the bot's own documents, its web app in process (handlers/cli/openbadges.py),
so tests and `--offline` never use the network. `Documents` fetches each URL once per verification.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

JSON_TYPES = "application/ld+json, application/vc+ld+json;q=0.95, application/json;q=0.9"
KEY_TYPES = "application/did+json, application/jwk-set+json, application/jwk+json, application/ld+json, " \
    "application/json;q=0.9"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


Fetch = Callable[[str, str], Fetched]
"""(url, Accept header) -> the response. Raises OSError (or httpx errors) when unreachable."""


def http_fetch(url: str, accept: str) -> Fetched:
    """The real network: used by `badgebot verify URL` for credentials from other issuers."""

    with httpx.Client(timeout=10, follow_redirects=True, headers={"Accept": accept}) as client, \
            client.stream("GET", url) as response:
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_DOCUMENT_BYTES:
                raise OSError(f"{url} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        return Fetched(response.status_code, response.headers.get("content-type", ""), body)


def no_network(url: str, accept: str) -> Fetched:
    raise OSError(f"not fetched: {url} (network access is off)")


class Documents:
    """The JSON documents one verification fetches, each URL once (a key and its issuer's JWKS are often
    the same document)."""

    def __init__(self, fetch: Fetch):
        self.fetch = fetch
        # url -> (HTTP status, the JSON body or None), or the exception that fetching it raised
        self._seen: dict[str, tuple[int, Any] | Exception] = {}

    def get(self, url: str, accept: str = KEY_TYPES) -> tuple[int, Any]:
        """(HTTP status, the JSON body or None); raises when the URL cannot be reached."""
        if url not in self._seen:
            try:
                fetched = self.fetch(url, accept)
                try:
                    body = fetched.json() if fetched.status == 200 else None
                except (ValueError, UnicodeDecodeError):
                    body = None
                self._seen[url] = (fetched.status, body)
            except Exception as exc:  # noqa: BLE001 - any failure to fetch means the same: unreachable
                self._seen[url] = exc
        found = self._seen[url]
        if isinstance(found, Exception):
            raise found
        return found
