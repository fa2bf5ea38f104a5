"""The issuer's signing keys, published as a JWKS, and the secret credential subject ids derive from.

With a `SecretVault` (every running bot) they live in the database, shared by all replicas: made
once by whichever starts first, or adopted from an older data directory's `keys/` files on the
first start against an empty database; a replica whose data directory has a key of its own (each
signed with its own before) has it published too, never signing, so credentials signed before keep
verifying. `rotate(alg)` adds a newer generation, which signs from then on; every generation stays
published.
Without a vault (tools, unit tests) they are files in `folder` (0600 in a 0700 folder).
Only public JWKs are ever served. RS256 is what every Open Badges verifier must support; EdDSA
(Ed25519) is offered as well.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey, RSAKey

from bot.adapters.signing import SecretVault

RS256 = "RS256"
EDDSA = "EdDSA"
ALGORITHMS = (RS256, EDDSA)
_FILES = {RS256: "rs256.pem", EDDSA: "ed25519.pem"}
SECRET_FILE = "subject-ids.secret"
SUBJECT_SECRET = "subject-ids"
# How long a replica signs with its copy of the key list: another replica's rotation reaches this
# one's signing within this many seconds (what it publishes is read afresh).
REFRESH_SECONDS = 30.0


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


def _check_alg(alg: str) -> None:
    if alg not in _FILES:
        raise ValueError(f"unsupported signing algorithm {alg!r}; use one of {', '.join(ALGORITHMS)}")


class KeyStore:
    """The issuer's keys: in the database through `vault`, else files in `folder`."""

    def __init__(self, folder: Path, vault: SecretVault | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        self.folder, self.vault, self.monotonic = folder, vault, monotonic
        self._keys: dict[str, list[SigningKey]] = {}  # alg -> every generation, oldest first
        self._read_at: dict[str, float] = {}
        self._parsed: dict[str, SigningKey] = {}  # PEM -> key: an RSA import is slow, do it once
        self._adopted: set[str] = set()  # algorithms whose data-directory key this process has checked
        self._secret: bytes | None = None
        self._lock = threading.Lock()

    def get(self, alg: str = RS256) -> SigningKey:
        """The key that signs with `alg` now (the newest generation)."""
        return self.generations(alg)[-1]

    def all(self) -> list[SigningKey]:
        """Every key to publish: each algorithm's every generation, so older credentials verify. Read
        afresh each time (a few rows): a key another replica just made or adopted is published at once."""
        return [key for alg in ALGORITHMS for key in self.generations(alg, refresh=True)]

    def generations(self, alg: str, *, refresh: bool = False) -> list[SigningKey]:
        """`alg`'s keys, oldest first; the last signs."""
        _check_alg(alg)
        with self._lock:
            fresh = self.vault is None or (not refresh and self.monotonic() - self._read_at.get(
                alg, -REFRESH_SECONDS) < REFRESH_SECONDS)
            if alg not in self._keys or not fresh:
                self._keys[alg] = self._load(alg)
                self._read_at[alg] = self.monotonic()
            return list(self._keys[alg])

    def adopt_files(self) -> None:
        """At start: publish the keys this data directory holds from before (see the module
        docstring), so what they signed verifies through any replica from the first request on."""
        for alg in ALGORITHMS:
            if self.vault is not None and (self.folder / _FILES[alg]).is_file():
                self.generations(alg, refresh=True)

    def rotate(self, alg: str = RS256) -> SigningKey:
        """Make a new key for `alg` that signs from now on; the older ones stay published."""
        _check_alg(alg)
        if self.vault is None:
            raise RuntimeError("keys kept in files cannot rotate; rotation needs the database")
        self.generations(alg)  # the first key (or the adopted one) is generation 1, never a rotation's
        generation = max(g for g, _ in self.vault.keys(alg)) + 1
        pem = _generate(alg).as_pem(private=True)
        self.vault.add_key(alg, generation, pem.decode(), _import(alg, pem).thumbprint())
        with self._lock:
            self._keys.pop(alg, None)
        return self.get(alg)

    def secret(self) -> bytes:
        """32 random bytes: what credential subject ids derive from (made on first use)."""
        with self._lock:
            if self._secret is None:
                if self.vault is None:
                    self._secret = self._write_once(SECRET_FILE, lambda: os.urandom(32))
                else:
                    path = self.folder / SECRET_FILE
                    self._secret = self.vault.secret(SUBJECT_SECRET,
                                                     adopt=path.read_bytes() if path.is_file() else None)
            return self._secret

    @property
    def thumbprints(self) -> frozenset[str]:
        return frozenset(key.thumbprint for key in self.all())

    def _load(self, alg: str) -> list[SigningKey]:
        if self.vault is None:
            return [self._parse(alg, self._write_once(_FILES[alg], lambda: _generate(alg).as_pem(private=True)))]
        kept = self.vault.keys(alg)
        path = self.folder / _FILES[alg]
        if not kept:
            # First start on this database: this data directory's key if it has one (what it signed
            # before keeps verifying), else a new one. A replica starting at the same moment may
            # win the race with its own; both then read the winner's.
            pem = path.read_bytes() if path.is_file() else _generate(alg).as_pem(private=True)
            self.vault.add_key(alg, 1, pem.decode(), _import(alg, pem).thumbprint())
            kept = self.vault.keys(alg)
        elif alg not in self._adopted and path.is_file():
            kept = self._adopt_older(alg, path.read_bytes(), kept)
        self._adopted.add(alg)
        return [self._parse(alg, pem.encode()) for _, pem in kept]

    def _adopt_older(self, alg: str, pem: bytes, kept: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """A data directory whose own key is not the shared one (replicas that each signed with their
        own before they shared the database): publish it as an older generation, which never signs,
        so what it signed keeps verifying. Two replicas adopting at once race for the same generation;
        the loser tries the next one down."""
        own = self._parse(alg, pem)
        for _ in range(5):
            if own.thumbprint in {self._parse(alg, p.encode()).thumbprint for _, p in kept}:
                break
            self.vault.add_key(alg, min(g for g, _ in kept) - 1, pem.decode(), own.thumbprint)
            kept = self.vault.keys(alg)
        return kept

    def _parse(self, alg: str, pem: bytes) -> SigningKey:
        text = pem.decode()
        if text not in self._parsed:
            key = _import(alg, pem)
            self._parsed[text] = SigningKey(alg, key, key.thumbprint())
        return self._parsed[text]

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
