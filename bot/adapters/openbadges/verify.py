"""Verification of an Open Badge from anywhere: a baked PNG or SVG, a VC-JWT, a JSON credential, or a URL.

Checks, in order: the container (PNG checksums, exactly one baked credential), the signature (a VC-JWT
with the key in its header or the key its `kid` names; an embedded eddsa-rdfc-2022 proof with the key its
verification method names), the JWT claims against the credential (iss, sub, jti and nbf required), the
OB 3.0 structure (our model of the spec, `bot.adapters.openbadges.spec`), the dates, and the revocation
status. The answer says valid or, in plain sentences, every reason it is not.

A good signature counts only with a key the issuer publishes: in its DID document (did:web, did:key),
its profile (a controller document: verificationMethod / assertionMethod), or a JWKS on its own origin
(/.well-known/jwks.json beside its id or above it). A key the credential carries (a header `jwk`, a Multikey
in the method's fragment) or fetched from elsewhere is compared with those. If the issuer answers and
does not publish the key: "signature valid, key not the issuer's", not valid. If none of the issuer's
places can be reached (offline, or a foreign issuer that is down), the verdict says plainly that the
signature is valid with the key the credential carries and that the issuer's keys were not checked.

The parts: verify_fetch.py (how documents are fetched: never the network unless asked), verify_keys.py
(key references and the issuer's published keys), verify_signed.py (VC-JWT and embedded proofs),
verify_status.py (revocation), verify_result.py (the verdict). This module reads the containers and
puts the checks together; its names are the ones callers import.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.adapters.openbadges import baking, clr_check, dataintegrity, status_list
from bot.adapters.openbadges.spec import check_credential, parse_date_time
from bot.adapters.openbadges.verify_fetch import (
    JSON_TYPES,
    Documents,
    Fetch,
    Fetched,
    http_fetch,
    no_network,
)
from bot.adapters.openbadges.verify_keys import Keyring
from bot.adapters.openbadges.verify_result import Run, Verification
from bot.adapters.openbadges.verify_signed import check_jwt, check_proof
from bot.adapters.openbadges.verify_status import check_status
from bot.clock import Clock, system_clock

__all__ = ["Fetch", "Fetched", "Verification", "Verifier", "http_fetch", "no_network", "verify"]

# What a file's name promises, and the first bytes that keep the promise.
CONTAINERS = {".png": ("a PNG", baking.PNG_SIGNATURE), ".svg": ("an SVG", b"<")}


def _opening(data: bytes, size: int = 16) -> str:
    """The first bytes of a file, as a person would recognize them: text in quotes, otherwise hex."""
    more = "..." if len(data) > size else ""
    for cut in range(size, size - 4, -1):  # a character split at the end is still text
        try:
            text = data[:cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if all(c.isprintable() or c in "\t\r\n" for c in text):
            return json.dumps(text + more, ensure_ascii=False)
        break
    return data[:size].hex(" ") + (" ..." if more else "")


class Verifier:
    def __init__(self, fetch: Fetch = no_network, clock: Clock = system_clock):
        self.fetch = fetch
        self.clock = clock

    # Entry points ---------------------------------------------------------------------------------

    def verify_source(self, source: str) -> Verification:
        """A file path or an http(s) URL."""
        if urlparse(source).scheme in ("http", "https"):
            return self.verify_url(source)
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Run("file", reasons=[f"cannot read {source}: {exc.strerror or exc}"]).result()
        promised = CONTAINERS.get(path.suffix.lower())
        if promised is not None and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(promised[1]):
            if not data:
                return Run("file", reasons=[f"not {promised[0]}: {path.name} is empty"]).result()
            return Run("file", reasons=[f"not {promised[0]} (starts with {_opening(data)})"]).result()
        return self.verify_bytes(data)

    def verify_url(self, url: str) -> Verification:
        try:
            fetched = self.fetch(url, f"{JSON_TYPES}, application/vc+jwt;q=0.8, image/png;q=0.7, image/svg+xml;q=0.6")
        except Exception as exc:  # noqa: BLE001 - any failure to fetch is one reason, told as such
            return Run("url", reasons=[f"cannot fetch {url}: {exc}"]).result()
        if fetched.status != 200:
            return Run("url", reasons=[f"{url} answered HTTP {fetched.status}"]).result()
        return self.verify_bytes(fetched.body, fetched_from=url)

    def verify_bytes(self, data: bytes, *, fetched_from: str | None = None) -> Verification:
        if data.startswith(baking.PNG_SIGNATURE):
            return self._png(data)
        try:
            text = data.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError:
            return Run("file", reasons=["not a PNG, SVG, JWT or JSON credential"]).result()
        if text.startswith("<"):
            run = Run("svg")
            try:
                return self._text(baking.unbake_svg(text), run)
            except baking.BakingError as exc:
                run.reasons.append(str(exc))
                return run.result()
        return self._text(text, Run("json" if text.startswith("{") else "jwt"), fetched_from=fetched_from)

    def verify_jwt(self, token: str) -> Verification:
        return self._jwt(token, Run("jwt"))

    # Containers -----------------------------------------------------------------------------------

    def _png(self, data: bytes) -> Verification:
        run = Run("png")
        try:
            text = baking.unbake_png(data, baking.OB3_KEYWORD)
        except baking.BakingError as exc:
            try:
                legacy = baking.unbake_png(data, baking.OB2_KEYWORD)
            except baking.BakingError:
                run.reasons.append(str(exc))
                return run.result()
            return self._ob2(legacy, Run("png (Open Badges 2.0)"))
        run.checks.append("one baked credential")
        return self._text(text, run)

    def _text(self, text: str, run: Run, *, fetched_from: str | None = None) -> Verification:
        text = text.strip()
        if text.startswith("{"):
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                run.reasons.append(f"the credential is not valid JSON ({exc.msg} at line {exc.lineno})")
                return run.result()
            return self._json(doc, run, fetched_from=fetched_from)
        return self._jwt(text, run)

    def _keyring(self) -> Keyring:
        """Keys for one verification: each document it needs is fetched once."""
        return Keyring(Documents(self.fetch))

    # The two ways of signing, and hosted JSON -------------------------------------------------------

    def _jwt(self, token: str, run: Run) -> Verification:
        credential = check_jwt(token, run, self._keyring())
        if credential is not None:
            self._credential(credential, run)
        return run.result()

    def _json(self, doc: Any, run: Run, *, fetched_from: str | None = None) -> Verification:
        if not isinstance(doc, dict):
            run.reasons.append("the credential is not a JSON object")
            return run.result()
        if doc.get("type") == "Assertion" or doc.get("@context") == "https://w3id.org/openbadges/v2":
            run.format = f"{run.format} (Open Badges 2.0)"
            return self._ob2(json.dumps(doc), run)
        run.credential = doc
        proofs = dataintegrity.proofs_of(doc)
        if proofs:
            keys = self._keyring()
            for proof in proofs:
                check_proof(doc, proof, run, keys)
        elif fetched_from and self._hosted_by_issuer(doc, fetched_from):
            run.checks.append(f"served by its issuer at its own id {fetched_from}")
        else:
            run.reasons.append("the credential carries no proof: it is unsigned (use its VC-JWT or baked image)")
        self._credential(doc, run)
        return run.result()

    @staticmethod
    def _hosted_by_issuer(doc: dict[str, Any], fetched_from: str) -> bool:
        """Hosted verification: the credential was fetched from its own id, on its issuer's origin."""
        issuer = doc.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if doc.get("id") != fetched_from or not isinstance(issuer_id, str):
            return False
        here, there = urlparse(fetched_from), urlparse(issuer_id)
        return here.scheme == "https" and (here.scheme, here.netloc) == (there.scheme, there.netloc)

    # Shared checks --------------------------------------------------------------------------------

    def _credential(self, doc: dict[str, Any], run: Run) -> None:
        if clr_check.is_clr(doc):
            clr_check.check_into(doc, run, lambda inner: self._json(inner, Run("embedded credential")))
        elif problems := check_credential(doc):
            run.reasons.append("not an Open Badges 3.0 credential: " + "; ".join(problems))
        else:
            run.checks.append("Open Badges 3.0 structure")
        now = self.clock()
        valid_from, valid_until = parse_date_time(doc.get("validFrom")), parse_date_time(doc.get("validUntil"))
        if valid_from is not None and valid_from > now:
            run.status = "not-yet-valid"
            run.reasons.append(f"not valid until {valid_from:%Y-%m-%d %H:%M} UTC")
        if valid_until is not None and valid_until <= now:
            run.status = "expired"
            run.reasons.append(f"expired on {valid_until:%Y-%m-%d}")
        if status_list.handles(doc):
            status_list.check_into(doc, run, self.fetch, now=now, keys=self._keyring())
        else:
            check_status(doc, run, self.fetch)

    # Open Badges 2.0 (hosted) ---------------------------------------------------------------------

    def _ob2(self, text: str, run: Run) -> Verification:
        try:
            assertion = json.loads(text)
        except json.JSONDecodeError:
            run.reasons.append("the Open Badges 2.0 assertion is not JSON (signed 2.0 assertions are not supported)")
            return run.result()
        run.credential = assertion if isinstance(assertion, dict) else None
        url = assertion.get("id") if isinstance(assertion, dict) else None
        if not isinstance(url, str) or (assertion.get("verification") or {}).get("type", "hosted") != "hosted":
            run.reasons.append("only hosted Open Badges 2.0 assertions can be verified")
            return run.result()
        try:
            fetched = self.fetch(url, "application/ld+json, application/json")
            hosted = fetched.json() if fetched.status == 200 else None
        except Exception as exc:  # noqa: BLE001 - unreachable, for whatever reason: said as such
            run.reasons.append(f"the hosted assertion {url} could not be fetched ({exc})")
            return run.result()
        if hosted is None:
            run.status = "revoked" if fetched.status == 410 else None
            run.reasons.append(f"the hosted assertion {url} answered HTTP {fetched.status}")
            return run.result()
        if hosted.get("id") != url or hosted.get("badge") != assertion.get("badge") \
                or hosted.get("recipient") != assertion.get("recipient"):
            run.reasons.append("the baked assertion differs from the one its issuer hosts")
        else:
            run.checks.append(f"matches the hosted assertion {url}")
        if hosted.get("revoked"):
            run.status = "revoked"
            run.reasons.append("revoked by its issuer")
        expires = parse_date_time(hosted.get("expires"))
        if expires is not None and expires <= self.clock():
            run.status = run.status or "expired"
            run.reasons.append(f"expired on {expires:%Y-%m-%d}")
        return run.result()


def verify(source: str | bytes, *, fetch: Fetch = no_network, now: dt.datetime | None = None) -> Verification:
    """Verify a file path, URL or raw bytes (PNG, SVG, JWT or JSON)."""
    verifier = Verifier(fetch, (lambda: now) if now is not None else system_clock)
    return verifier.verify_bytes(source) if isinstance(source, bytes) else verifier.verify_source(source)
