"""The server secret, and short signed tokens made with it (HMAC-SHA256).

Used where a link must work without a login but must not be guessable or reusable forever:
grantors' artifact links, event check-in codes (short enough to type off a screen). Browser cookies
are signed by itsdangerous (bot/adapters/oidc.py) with a key derived from the same secret.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.urls import PublicUrls


def load_or_create_secret(data_dir: Path) -> bytes:
    """32 random bytes kept in the data directory (mode 0600), made on first start."""
    path = data_dir / "secret.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secret.hex().encode())
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return secret


class Signer:
    def __init__(self, secret: bytes):
        self._secret = secret

    def sign(self, *parts: object, length: int = 22) -> str:
        message = "|".join(str(p) for p in parts).encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]

    def check(self, signature: str, *parts: object, length: int = 22) -> bool:
        return hmac.compare_digest(self.sign(*parts, length=length), signature or "")

    def derived_key(self, purpose: str) -> bytes:
        """A key of its own for another signing scheme, so the server secret itself is never handed on.
        It is an HMAC under a key of its own too, so no signature `sign` makes can reveal it."""
        root = hashlib.sha256(b"badgebot derived keys|" + self._secret).digest()
        return hmac.new(root, purpose.encode(), hashlib.sha256).digest()


class ArtifactLinks:
    """Grantors' links to a submission's files: signed, expiring, no login needed (Slack opens them
    in a browser that has no session with us).

    The expiry is rounded to the day, so re-rendering a review card does not change its links.
    """

    DAYS = 14

    def __init__(self, signer: Signer, urls: PublicUrls, clock: Clock):
        self.signer, self.urls, self.clock = signer, urls, clock

    def link(self, artifact_id: int) -> str:
        expires = (self.clock().date() + dt.timedelta(days=self.DAYS)).isoformat()
        return self.urls.review_artifact(artifact_id, expires, self.signer.sign("artifact", artifact_id, expires))

    def valid(self, artifact_id: int, expires: str, signature: str) -> bool:
        try:
            valid_until = dt.date.fromisoformat(expires)
        except ValueError:
            return False
        return valid_until >= self.clock().date() and self.signer.check(signature, "artifact", artifact_id, expires)
