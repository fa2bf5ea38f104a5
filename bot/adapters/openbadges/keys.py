"""The issuer's signing keys: made on first use, kept in the data directory, published as a JWKS.

Private keys, and the secret that credential subject ids derive from, never leave `data_dir/keys`
(files 0600 in a 0700 folder); only public JWKs are served.
RS256 is what every Open Badges verifier must support; EdDSA (Ed25519) is offered as well.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey, RSAKey

RS256 = "RS256"
EDDSA = "EdDSA"
ALGORITHMS = (RS256, EDDSA)
_FILES = {RS256: "rs256.pem", EDDSA: "ed25519.pem"}
SECRET_FILE = "subject-ids.secret"


@dataclass(frozen=True)
class SigningKey:
    alg: str
    key: RSAKey | OKPKey
    thumbprint: str

    def public_jwk(self, kid: str) -> dict[str, Any]:
        return {**self.key.as_dict(private=False), "kid": kid, "alg": self.alg, "use": "sig"}


def _generate(alg: str) -> RSAKey | OKPKey:
    return RSAKey.generate_key(2048) if alg == RS256 else OKPKey.generate_key("Ed25519")


def _import(alg: str, pem: bytes) -> RSAKey | OKPKey:
    return RSAKey.import_key(pem) if alg == RS256 else OKPKey.import_key(pem)


class KeyStore:
    """Loads the issuer's keys from `folder`, generating any that are missing."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._keys: dict[str, SigningKey] = {}
        self._secret: bytes | None = None
        self._lock = threading.Lock()

    def get(self, alg: str = RS256) -> SigningKey:
        if alg not in _FILES:
            raise ValueError(f"unsupported signing algorithm {alg!r}; use one of {', '.join(ALGORITHMS)}")
        with self._lock:
            if alg not in self._keys:
                key = self._load_or_create(alg)
                self._keys[alg] = SigningKey(alg, key, key.thumbprint())
            return self._keys[alg]

    def all(self) -> list[SigningKey]:
        return [self.get(alg) for alg in ALGORITHMS]

    def secret(self) -> bytes:
        """32 random bytes kept beside the keys (made on first use): what credential subject ids derive from."""
        with self._lock:
            if self._secret is None:
                self._secret = self._write_once(SECRET_FILE, lambda: os.urandom(32))
            return self._secret

    def _load_or_create(self, alg: str) -> RSAKey | OKPKey:
        return _import(alg, self._write_once(_FILES[alg], lambda: _generate(alg).as_pem(private=True)))

    def _write_once(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The contents of `name` in the key folder, written by `make()` (mode 0600) if it is missing."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder, 0o700)
        path = self.folder / name
        if path.exists():
            return path.read_bytes()
        data = make()
        tmp = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        try:
            # link() fails if the name exists: when two processes start at once, the first complete
            # file written wins, and the loser reads that one rather than a half-written file.
            os.link(tmp, path)
        except FileExistsError:
            return path.read_bytes()
        finally:
            tmp.unlink(missing_ok=True)
        return data
