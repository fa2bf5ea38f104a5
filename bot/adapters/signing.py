"""The server secret, and short signed tokens made with it (HMAC-SHA256).

Used where a link must work without a login but must not be guessable or reusable forever:
grantors' artifact links, event check-in codes (short enough to type off a screen). Browser cookies
are signed by itsdangerous (bot/adapters/oidc.py) with a key derived from the same secret.

Every replica must sign with the same secret (a code shown by one is checked by another), so it is
kept in the database (`SecretVault`), made once whoever starts first; a data directory's old
`secret.key` is adopted on the first start against an empty database, so nothing already handed
out stops working.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import IssuerKey, StoredSecret
from models.base import insert_for

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.urls import PublicUrls

SERVER_SECRET = "server"
SECRET_FILE = "secret.key"


def load_or_create_secret(data_dir: Path) -> bytes:
    """32 random bytes kept in the data directory (mode 0600), made on first start. A single
    process's secret (tools, benches); a running bot uses the database's (`SecretVault`)."""
    path = data_dir / SECRET_FILE
    found = read_secret_file(data_dir)
    if found is not None:
        return found
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


def read_secret_file(data_dir: Path) -> bytes | None:
    """The secret an older data directory holds, if it holds one."""
    try:
        return bytes.fromhex((data_dir / SECRET_FILE).read_text().strip())
    except FileNotFoundError:
        return None


class SecretVault:
    """Secrets and issuer keys in the database, shared by every replica.

    Creation is race-safe without locks: INSERT ... ON CONFLICT DO NOTHING on the unique name (or
    key generation), then read back whichever row won.
    """

    def __init__(self, transaction: Callable[[], AbstractContextManager[Session]],
                 reading: Callable[[], AbstractContextManager[Session]], clock: "Clock"):
        # Reads go through `reading` (on SQLite a deferred transaction, no write lock): a secret or a
        # key may first be needed inside a use case's own write transaction.
        self.transaction, self.reading, self.clock = transaction, reading, clock

    def secret(self, name: str, *, adopt: bytes | None = None, size: int = 32) -> bytes:
        """The secret called `name`: `adopt` (an older file's) or fresh random bytes if none is kept yet."""
        with self.reading() as session:
            found = session.scalar(select(StoredSecret.value).where(StoredSecret.name == name))
        if found is not None:
            return bytes.fromhex(found)
        with self.transaction() as session:
            value = adopt if adopt is not None else secrets.token_bytes(size)
            session.execute(insert_for(session, StoredSecret).values(
                name=name, value=value.hex(), created_at=self.clock()).on_conflict_do_nothing())
            return bytes.fromhex(session.scalars(select(StoredSecret.value).where(StoredSecret.name == name)).one())

    def keys(self, alg: str) -> list[tuple[int, str]]:
        """(generation, private PEM) of every key of `alg`, oldest first."""
        with self.reading() as session:
            return [(k.generation, k.private_pem) for k in session.scalars(
                select(IssuerKey).where(IssuerKey.alg == alg).order_by(IssuerKey.generation))]

    def add_key(self, alg: str, generation: int, private_pem: str, thumbprint: str) -> None:
        """Keep a key as `alg`'s `generation`, unless another replica got that generation in first."""
        with self.transaction() as session:
            session.execute(insert_for(session, IssuerKey).values(
                alg=alg, generation=generation, private_pem=private_pem, thumbprint=thumbprint,
                created_at=self.clock()).on_conflict_do_nothing())


class Signer:
    """HMAC signatures under the server secret: given, or read when first needed (`secret` a
    callable), since building the bot must not touch a database that may not be migrated yet."""

    def __init__(self, secret: bytes | Callable[[], bytes]):
        self._source = secret
        self._known: bytes | None = secret if isinstance(secret, bytes) else None
        self._lock = threading.Lock()

    @property
    def _secret(self) -> bytes:
        if self._known is None:
            with self._lock:
                if self._known is None:
                    assert callable(self._source)
                    self._known = self._source()
        return self._known

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
