"""The server secret, and short signed tokens made with it (HMAC-SHA256).

Used where a link must work without a login but must not be guessable or reusable forever:
grantors' artifact links, event check-in codes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path


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
