"""Verification of an Open Badge from anywhere: a baked PNG or SVG, a VC-JWT, a JSON credential, or a URL.

Checks, in order: the container (PNG checksums, exactly one baked credential), the signature (VC-JWT
with the key in its header or the published key its `kid` names), the JWT claims against the
credential, the OB 3.0 structure (our model of the spec, `bot.adapters.openbadges.spec`), the dates, and the
revocation status. The answer says valid or, in plain sentences, every reason it is not.

Documents (keys, status lists, hosted credentials) are fetched through a `Fetch` function, so the bot
verifies its own credentials through its published endpoints in process, and tests never use the network.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.clock import Clock, system_clock
from bot.adapters.openbadges import baking, vcjwt
from bot.adapters.openbadges.spec import check_credential, parse_date_time

REVOCATION_LIST = "1EdTechRevocationList"
JSON_TYPES = "application/ld+json, application/vc+ld+json;q=0.95, application/json;q=0.9"
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
    import httpx

    with httpx.Client(timeout=10, follow_redirects=True, headers={"Accept": accept}) as client:
        with client.stream("GET", url) as response:
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise OSError(f"{url} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
            return Fetched(response.status_code, response.headers.get("content-type", ""), body)


def no_network(url: str, accept: str) -> Fetched:
    raise OSError(f"not fetched: {url} (network access is off)")


@dataclass(frozen=True)
class Verification:
    """The verdict. `status` is one of valid, revoked, expired, not-yet-valid, invalid."""

    valid: bool
    status: str
    reasons: tuple[str, ...]
    format: str
    credential: dict[str, Any] | None = None
    checks: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        doc = self.credential or {}
        return str(doc.get("name") or (doc.get("credentialSubject") or {}).get("achievement", {}).get("name") or "")

    def summary(self) -> str:
        if self.valid:
            return f"valid: {self.name or 'credential'} ({'; '.join(self.checks)})"
        return f"{self.status}: " + "; ".join(self.reasons)


@dataclass
class _Run:
    format: str
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str | None = None
    credential: dict[str, Any] | None = None

    def result(self) -> Verification:
        status = self.status or ("invalid" if self.reasons else "valid")
        if self.reasons and status == "valid":
            status = "invalid"
        return Verification(valid=status == "valid" and not self.reasons, status=status,
                            reasons=tuple(self.reasons), format=self.format, credential=self.credential,
                            checks=tuple(self.checks), warnings=tuple(self.warnings))


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
            return _Run("file", reasons=[f"cannot read {source}: {exc.strerror or exc}"]).result()
        return self.verify_bytes(data)

    def verify_url(self, url: str) -> Verification:
        try:
            fetched = self.fetch(url, f"{JSON_TYPES}, application/vc+jwt;q=0.8, image/png;q=0.7, image/svg+xml;q=0.6")
        except Exception as exc:  # noqa: BLE001 - any failure to fetch is one reason, told as such
            return _Run("url", reasons=[f"cannot fetch {url}: {exc}"]).result()
        if fetched.status != 200:
            return _Run("url", reasons=[f"{url} answered HTTP {fetched.status}"]).result()
        return self.verify_bytes(fetched.body, fetched_from=url)

    def verify_bytes(self, data: bytes, *, fetched_from: str | None = None) -> Verification:
        if data.startswith(baking.PNG_SIGNATURE):
            return self._png(data)
        try:
            text = data.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError:
            return _Run("file", reasons=["not a PNG, SVG, JWT or JSON credential"]).result()
        if text.startswith("<"):
            run = _Run("svg")
            try:
                return self._text(baking.unbake_svg(text), run)
            except baking.BakingError as exc:
                run.reasons.append(str(exc))
                return run.result()
        return self._text(text, _Run("json" if text.startswith("{") else "jwt"), fetched_from=fetched_from)

    def verify_jwt(self, token: str) -> Verification:
        return self._jwt(token, _Run("jwt"))

    # Containers -----------------------------------------------------------------------------------

    def _png(self, data: bytes) -> Verification:
        run = _Run("png")
        try:
            text = baking.unbake_png(data, baking.OB3_KEYWORD)
        except baking.BakingError as exc:
            try:
                legacy = baking.unbake_png(data, baking.OB2_KEYWORD)
            except baking.BakingError:
                run.reasons.append(str(exc))
                return run.result()
            return self._ob2(legacy, _Run("png (Open Badges 2.0)"))
        run.checks.append("one baked credential")
        return self._text(text, run)

    def _text(self, text: str, run: _Run, *, fetched_from: str | None = None) -> Verification:
        text = text.strip()
        if text.startswith("{"):
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                run.reasons.append(f"the credential is not valid JSON ({exc.msg} at line {exc.lineno})")
                return run.result()
            return self._json(doc, run, fetched_from=fetched_from)
        return self._jwt(text, run)

    # VC-JWT ---------------------------------------------------------------------------------------

    def _jwt(self, token: str, run: _Run) -> Verification:
        try:
            parsed = vcjwt.parse(token)
        except vcjwt.JwtError as exc:
            run.reasons.append(str(exc))
            return run.result()
        claims = parsed.claims
        credential = claims if "@context" in claims or "vc" not in claims else claims["vc"]
        if credential is not claims:
            run.reasons.append("the JWT wraps the credential in a 'vc' claim: an older draft, not Open Badges 3.0")
        run.credential = credential if isinstance(credential, dict) else None

        key, where = self._jwt_key(parsed, run)
        if key is not None:
            problem = vcjwt.check_signature(parsed, key)
            if problem:
                run.reasons.append(problem)
            else:
                run.checks.append(f"{parsed.header.get('alg')} signature verified with {where}")
        if run.credential is None:
            run.reasons.append("the JWT carries no credential")
            return run.result()
        self._claims(claims, run.credential, run)
        self._credential(run.credential, run)
        return run.result()

    def _jwt_key(self, parsed: vcjwt.ParsedJwt, run: _Run) -> tuple[dict[str, Any] | None, str]:
        header = parsed.header
        if isinstance(header.get("jwk"), dict):
            jwk = header["jwk"]
            if any(k in jwk for k in ("d", "p", "q", "dp", "dq", "qi")):
                run.reasons.append("the JWT header carries a private key; it must carry only the public key")
                return None, ""
            return jwk, "the public key in the JWT header"
        kid = header.get("kid")
        if isinstance(kid, str) and urlparse(kid).scheme in ("http", "https"):
            try:
                fetched = self.fetch(kid, "application/jwk+json, application/json")
                if fetched.status != 200:
                    raise OSError(f"HTTP {fetched.status}")
                doc = fetched.json()
            except Exception as exc:  # noqa: BLE001 - any failure means the same: no key to check with
                run.reasons.append(f"the signing key {kid} could not be fetched ({exc})")
                return None, ""
            if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
                fragment = urlparse(kid).fragment
                match = [k for k in doc["keys"] if isinstance(k, dict) and k.get("kid") in (kid, fragment)]
                doc = match[0] if match else None
            if not isinstance(doc, dict) or "kty" not in doc:
                run.reasons.append(f"{kid} is not a public JWK")
                return None, ""
            return doc, f"the issuer's published key {kid}"
        run.reasons.append("the JWT names no key to check its signature with (no 'jwk', and no 'kid' URL)")
        return None, ""

    def _claims(self, claims: dict[str, Any], credential: dict[str, Any], run: _Run) -> None:
        if claims is not credential:
            return
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if "iss" in claims and claims["iss"] != issuer_id:
            run.reasons.append(f"the JWT 'iss' ({claims['iss']}) is not the credential's issuer ({issuer_id})")
        if "jti" in claims and claims["jti"] != credential.get("id"):
            run.reasons.append("the JWT 'jti' is not the credential's id")
        subject = credential.get("credentialSubject")
        if "sub" in claims and isinstance(subject, dict) and "id" in subject and claims["sub"] != subject["id"]:
            run.reasons.append("the JWT 'sub' is not the credential subject's id")
        for claim, prop in (("nbf", "validFrom"), ("exp", "validUntil")):
            when = parse_date_time(credential.get(prop))
            if claim in claims and when is not None:
                if not isinstance(claims[claim], (int, float)) or int(claims[claim]) != int(when.timestamp()):
                    run.reasons.append(f"the JWT '{claim}' does not match the credential's {prop}")

    # JSON with an embedded proof, or hosted --------------------------------------------------------

    def _json(self, doc: Any, run: _Run, *, fetched_from: str | None = None) -> Verification:
        if not isinstance(doc, dict):
            run.reasons.append("the credential is not a JSON object")
            return run.result()
        if doc.get("type") == "Assertion" or doc.get("@context") == "https://w3id.org/openbadges/v2":
            run.format = f"{run.format} (Open Badges 2.0)"
            return self._ob2(json.dumps(doc), run)
        run.credential = doc
        proofs = doc.get("proof")
        if proofs:
            from bot.adapters.openbadges.dataintegrity import verify_proofs

            for problem, check in verify_proofs(doc, self.fetch):
                if problem:
                    run.reasons.append(problem)
                if check:
                    run.checks.append(check)
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

    def _credential(self, doc: dict[str, Any], run: _Run) -> None:
        problems = check_credential(doc)
        if problems:
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
        self._status(doc, run)

    def _status(self, doc: dict[str, Any], run: _Run) -> None:
        status = doc.get("credentialStatus")
        if not isinstance(status, dict):
            return
        if status.get("type") != REVOCATION_LIST:
            run.warnings.append(f"revocation not checked: status type {status.get('type')!r} is not supported")
            return
        url = status.get("id")
        try:
            fetched = self.fetch(str(url), "application/json")
            if fetched.status != 200:
                raise OSError(f"HTTP {fetched.status}")
            listing = fetched.json()
            revoked = [entry for entry in listing.get("revokedCredentials", [])
                       if isinstance(entry, dict) and entry.get("id") == doc.get("id") and entry.get("revoked", True)]
        except Exception as exc:  # noqa: BLE001 - unknown status is never reported as valid
            run.reasons.append(f"the revocation status at {url} could not be checked ({exc})")
            return
        if revoked:
            run.status = "revoked"
            reason = revoked[0].get("revocationReason")
            run.reasons.append("revoked by its issuer" + (f": {reason}" if reason else ""))
        else:
            run.checks.append("not revoked")

    # Open Badges 2.0 (hosted) ---------------------------------------------------------------------

    def _ob2(self, text: str, run: _Run) -> Verification:
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
        except Exception as exc:  # noqa: BLE001
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
