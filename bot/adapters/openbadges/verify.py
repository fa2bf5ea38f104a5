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

Documents (keys, status lists, hosted credentials) are fetched through a `Fetch` function, so the bot
verifies its own credentials through its published endpoints in process, and tests never use the network.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import httpx

from bot.adapters.openbadges import baking, dataintegrity, vcjwt
from bot.adapters.openbadges.multikey import (
    ed25519_from_multikey,
    ed25519_jwk,
    thumbprint,
)
from bot.adapters.openbadges.spec import check_credential, parse_date_time
from bot.clock import Clock, system_clock

REVOCATION_LIST = "1EdTechRevocationList"
JSON_TYPES = "application/ld+json, application/vc+ld+json;q=0.95, application/json;q=0.9"
KEY_TYPES = "application/did+json, application/jwk-set+json, application/jwk+json, application/ld+json, " \
    "application/json;q=0.9"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
# How many folders up from the issuer's id a same-origin /.well-known/jwks.json is looked for.
MAX_JWKS_PLACES = 4


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
            return f"valid: {self.name or 'credential'} ({' | '.join(self.checks)})"
        return f"{self.status}: " + "; ".join(self.reasons)


@dataclass
class _Run:
    format: str
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str | None = None
    credential: dict[str, Any] | None = None
    # Documents fetched during this verification (each URL once): url -> (status, JSON) or the failure.
    fetched: dict[str, Any] = field(default_factory=dict)

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

        key = self._jwt_key(parsed, run)
        if key is not None:
            problem = vcjwt.check_signature(parsed, key.jwk)
            if problem:
                run.reasons.append(problem)
            else:
                issuer = _issuer_id(credential) if isinstance(credential, dict) else claims.get("iss")
                self._bind(run, key, issuer, f"{parsed.header.get('alg')} signature")
        if run.credential is None:
            run.reasons.append("the JWT carries no credential")
            return run.result()
        if credential is claims:
            run.reasons.extend(vcjwt.claim_problems(claims, credential))
        self._credential(run.credential, run)
        return run.result()

    def _jwt_key(self, parsed: vcjwt.ParsedJwt, run: _Run) -> SigningKeyFound | None:
        header = parsed.header
        if isinstance(header.get("jwk"), dict):
            jwk = header["jwk"]
            if any(k in jwk for k in PRIVATE_MEMBERS):
                run.reasons.append("the JWT header carries a private key; it must carry only the public key")
                return None
            return SigningKeyFound(jwk, "the public key in the JWT header", carried=True)
        kid = header.get("kid")
        if isinstance(kid, str) and kid and ":" not in kid:
            # A bare name: a key in the issuer's own published keys.
            issuer = self._issuer_keys(run, _issuer_id(parsed.claims) or parsed.claims.get("iss"))
            if issuer is None:
                run.reasons.append(f"the signing key {kid!r} is named within the issuer's keys, which could not "
                                   "be fetched")
                return None
            found = next((jwk for jwk in issuer.jwks if jwk.get("kid") == kid), None)
            if found is None:
                run.reasons.append(f"the issuer publishes no key {kid!r}")
                return None
            return SigningKeyFound(found, f"the issuer's key {kid!r}", carried=False)
        if isinstance(kid, str) and kid:
            key, problem = self._resolve_key(run, kid, fragment_multikey=False)
            if problem:
                run.reasons.append(problem)
            return key
        run.reasons.append("the JWT names no key to check its signature with (no 'jwk', and no 'kid' URL)")
        return None

    # Keys: what a key reference names, and whether the issuer publishes it --------------------------

    def _get(self, run: _Run, url: str, accept: str = KEY_TYPES) -> tuple[int, Any]:
        """(HTTP status, the JSON body or None), fetched once per verification; raises when unreachable."""
        if url not in run.fetched:
            try:
                fetched = self.fetch(url, accept)
                try:
                    body = fetched.json() if fetched.status == 200 else None
                except (ValueError, UnicodeDecodeError):
                    body = None
                run.fetched[url] = (fetched.status, body)
            except Exception as exc:  # noqa: BLE001 - any failure to fetch means the same: unreachable
                run.fetched[url] = exc
        found = run.fetched[url]
        if isinstance(found, Exception):
            raise found
        return found

    def _resolve_key(self, run: _Run, ref: str, *, fragment_multikey: bool
                     ) -> tuple[SigningKeyFound | None, str | None]:
        """The public key that `ref` (a kid or verificationMethod: URL, did:web or did:key) names."""
        base, _, fragment = ref.partition("#")
        if base.startswith("did:key:"):
            multikey = base[len("did:key:"):]
            try:
                public = ed25519_from_multikey(multikey)
            except ValueError as exc:
                return None, f"the key {ref} is not an Ed25519 did:key ({exc})"
            if fragment and fragment != multikey:
                return None, f"the key {ref} names another key in its fragment than its did:key"
            return SigningKeyFound(ed25519_jwk(public), f"the key of {base}", carried=True), None
        if base.startswith("did:web:"):
            url = did_web_url(base)
        elif urlparse(base).scheme in ("http", "https"):
            url = base
        else:
            return None, f"the signing key {ref} is not an https URL, a did:web or a did:key: it cannot be looked up"
        failure = ""
        try:
            status, doc = self._get(run, url)
            if status != 200:
                failure = f"answered HTTP {status}"
        except Exception as exc:  # noqa: BLE001
            status, doc, failure = 0, None, f"could not be fetched ({exc})"
        if isinstance(doc, dict):
            jwk = find_key(doc, ref)
            if jwk is not None:
                if any(k in jwk for k in PRIVATE_MEMBERS):
                    return None, f"{ref} publishes a private key; an issuer must never publish one"
                return SigningKeyFound(jwk, f"the key {ref}", carried=False), None
            failure = failure or "does not publish that key"
        if fragment_multikey and fragment:
            try:
                public = ed25519_from_multikey(fragment)
            except ValueError:
                pass
            else:
                # The verification method names its Multikey in its fragment: the credential carries its key.
                return SigningKeyFound(ed25519_jwk(public), "the Multikey named in its verification method",
                                       carried=True), None
        return None, f"the signing key {ref} {failure or 'could not be found'}"

    def _issuer_keys(self, run: _Run, issuer_id: Any) -> IssuerKeys | None:
        """The keys the issuer publishes (its DID document, its profile, its same-origin JWKS).

        None when none of those places could be reached at all: the keys were not checked. A place that
        answers (even 404) counts as reached: what it does not publish is not the issuer's.
        """
        if not isinstance(issuer_id, str) or not issuer_id:
            return IssuerKeys(frozenset(), ())
        if issuer_id.startswith("did:key:"):
            key, _ = self._resolve_key(run, issuer_id, fragment_multikey=False)
            return IssuerKeys(frozenset({thumbprint(key.jwk)} if key else set()), (issuer_id,),
                              (key.jwk,) if key else ())
        if issuer_id.startswith("did:web:"):
            places = [(did_web_url(issuer_id), "its DID document")]
        elif urlparse(issuer_id).scheme in ("http", "https"):
            places = [(issuer_id, "its profile")] + [(url, "its JWKS") for url in jwks_urls(issuer_id)]
        else:
            return IssuerKeys(frozenset(), ())
        reached, thumbprints, sources, jwks = False, set(), [], []
        for url, what in places:
            try:
                status, doc = self._get(run, url)
            except Exception:  # noqa: BLE001
                continue
            reached = True
            if status != 200 or not isinstance(doc, dict):
                continue
            if what != "its JWKS" and doc.get("id") != issuer_id:
                continue  # a document about someone else
            keys = [jwk for jwk in published_keys(doc) if thumbprint(jwk)]
            if keys:
                thumbprints |= {thumbprint(jwk) for jwk in keys}
                jwks.extend(keys)
                sources.append(f"{what} {url}")
        return IssuerKeys(frozenset(thumbprints), tuple(sources), tuple(jwks)) if reached else None

    def _bind(self, run: _Run, key: SigningKeyFound, issuer_id: Any, what: str) -> None:
        """A good signature counts only with a key the issuer publishes."""
        issuer = self._issuer_keys(run, issuer_id)
        if issuer is None:
            carried = "the key the credential carries" if key.carried else key.where
            run.checks.append(f"{what} valid with {carried}; the issuer's keys were not checked"
                              + (f" ({key.where})" if key.carried else ""))
            run.warnings.append(f"the keys of the issuer {issuer_id} could not be fetched: nothing shows that "
                                "the signing key is the issuer's")
        elif thumbprint(key.jwk) in issuer.keys:
            run.checks.append(f"{what} verified with the issuer's published key ({key.where}, in "
                              f"{'; '.join(issuer.sources)})")
        else:
            published = (f"it publishes {len(issuer.keys)} key(s) in {'; '.join(issuer.sources)}" if issuer.sources
                         else "it publishes none")
            run.reasons.append(f"{what} valid, key not the issuer's: {key.where} is not a key of the issuer "
                               f"{issuer_id} ({published})")

    # JSON with an embedded proof, or hosted --------------------------------------------------------

    def _json(self, doc: Any, run: _Run, *, fetched_from: str | None = None) -> Verification:
        if not isinstance(doc, dict):
            run.reasons.append("the credential is not a JSON object")
            return run.result()
        if doc.get("type") == "Assertion" or doc.get("@context") == "https://w3id.org/openbadges/v2":
            run.format = f"{run.format} (Open Badges 2.0)"
            return self._ob2(json.dumps(doc), run)
        run.credential = doc
        proofs = dataintegrity.proofs_of(doc)
        if proofs:
            for proof in proofs:
                self._proof(doc, proof, run)
        elif fetched_from and self._hosted_by_issuer(doc, fetched_from):
            run.checks.append(f"served by its issuer at its own id {fetched_from}")
        else:
            run.reasons.append("the credential carries no proof: it is unsigned (use its VC-JWT or baked image)")
        self._credential(doc, run)
        return run.result()

    def _proof(self, doc: dict[str, Any], proof: Any, run: _Run) -> None:
        """One embedded proof: well-formed, made by the key its verification method names, the issuer's."""
        problem = dataintegrity.proof_problem(doc, proof)
        if problem:
            run.reasons.append(problem)
            return
        key, problem = self._resolve_key(run, proof["verificationMethod"], fragment_multikey=True)
        if key is None:
            run.reasons.append(problem or f"the verification method {proof['verificationMethod']} names no key")
            return
        if key.jwk.get("kty") != "OKP" or key.jwk.get("crv") != "Ed25519" or not isinstance(key.jwk.get("x"), str):
            run.reasons.append(f"{key.where} is not an Ed25519 key, which eddsa-rdfc-2022 needs")
            return
        try:
            public = base64.urlsafe_b64decode(key.jwk["x"] + "=" * (-len(key.jwk["x"]) % 4))
        except (ValueError, binascii.Error):
            run.reasons.append(f"{key.where} is not a usable Ed25519 key")
            return
        problem = dataintegrity.check_proof(doc, proof, public)
        if problem:
            run.reasons.append(problem)
            return
        self._bind(run, key, _issuer_id(doc), f"{dataintegrity.CRYPTOSUITE} proof: signature")

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


# Keys -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SigningKeyFound:
    """A public key that a credential's signature names: where it was found, and whether it came with it."""

    jwk: dict[str, Any]
    where: str
    carried: bool  # in the credential itself (a header jwk, a Multikey in the method's fragment, a did:key)


@dataclass(frozen=True)
class IssuerKeys:
    keys: frozenset[str]  # RFC 7638 thumbprints
    sources: tuple[str, ...]
    jwks: tuple[dict[str, Any], ...] = ()


def _issuer_id(doc: Any) -> Any:
    issuer = doc.get("issuer") if isinstance(doc, dict) else None
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def did_web_url(did: str) -> str:
    """Where a did:web's DID document is (https only, as did:web specifies)."""

    parts = did.split("#", 1)[0][len("did:web:"):].split(":")
    host = unquote(parts[0])
    path = "/".join(parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def jwks_urls(issuer_id: str) -> list[str]:
    """Same-origin /.well-known/jwks.json places for an https issuer id: beside it, then up to the root."""
    parsed = urlparse(issuer_id)
    folders = [p for p in parsed.path.split("/") if p][:-1]
    origin = f"{parsed.scheme}://{parsed.netloc}"
    places = [origin + "".join(f"/{p}" for p in folders[:depth]) + "/.well-known/jwks.json"
              for depth in range(len(folders), -1, -1)]
    return places[:MAX_JWKS_PLACES - 1] + ([places[-1]] if len(places) >= MAX_JWKS_PLACES else [])


def _method_jwk(method: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(method.get("publicKeyJwk"), dict):
        return method["publicKeyJwk"]
    if isinstance(method.get("publicKeyMultibase"), str):
        try:
            return ed25519_jwk(ed25519_from_multikey(method["publicKeyMultibase"]))
        except ValueError:
            return None
    return None


def _methods(doc: dict[str, Any], purpose: str | None = "assertionMethod") -> list[dict[str, Any]]:
    """The verification methods of a controller document (a DID document, a profile), for `purpose`."""
    base = doc.get("id") if isinstance(doc.get("id"), str) else ""

    def absolute(ref: str) -> str:
        return base + ref if ref.startswith("#") else ref

    listed = [m for m in doc.get("verificationMethod") or [] if isinstance(m, dict)]
    related = doc.get(purpose) if purpose else None
    if not isinstance(related, list):
        return listed + [m for m in doc.get("assertionMethod") or [] if isinstance(m, dict)]
    wanted = {absolute(r) for r in related if isinstance(r, str)}
    return [m for m in listed if isinstance(m.get("id"), str) and absolute(m["id"]) in wanted] \
        + [m for m in related if isinstance(m, dict)]


def published_keys(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every public key a document publishes: a JWK, a JWKS, or a controller document's methods."""
    if isinstance(doc.get("keys"), list):
        return [k for k in doc["keys"] if isinstance(k, dict) and k.get("use") != "enc"]
    if "kty" in doc:
        return [doc]
    return [jwk for jwk in (_method_jwk(m) for m in _methods(doc)) if jwk is not None]


def find_key(doc: dict[str, Any], ref: str) -> dict[str, Any] | None:
    """The public JWK that `ref` names in the document fetched from it (a JWK, a JWKS, a controller doc)."""
    fragment = ref.partition("#")[2]
    if "kty" in doc and "keys" not in doc:
        return doc
    if isinstance(doc.get("keys"), list):
        names = {ref, fragment} - {""}
        return next((k for k in doc["keys"] if isinstance(k, dict) and k.get("kid") in names), None)
    base = doc.get("id") if isinstance(doc.get("id"), str) else ref.partition("#")[0]
    for method in _methods(doc, purpose=None):
        mid = method.get("id")
        if isinstance(mid, str) and (mid == ref or (mid.startswith("#") and base + mid == ref)):
            return _method_jwk(method)
    return None


def verify(source: str | bytes, *, fetch: Fetch = no_network, now: dt.datetime | None = None) -> Verification:
    """Verify a file path, URL or raw bytes (PNG, SVG, JWT or JSON)."""
    verifier = Verifier(fetch, (lambda: now) if now is not None else system_clock)
    return verifier.verify_bytes(source) if isinstance(source, bytes) else verifier.verify_source(source)
