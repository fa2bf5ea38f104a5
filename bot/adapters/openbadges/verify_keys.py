"""Which public key a signature names, and whether its issuer publishes that key.

A key reference (a JWT `kid`, a proof's `verificationMethod`) is an https URL (a JWK, a JWKS, or a
controller document such as an issuer profile), a did:web (its DID document), or a did:key (the key
itself). The issuer's published keys are those of its DID document (a did:web issuer), or of its profile
and its same-origin JWKS (an https issuer), plus the DID document of a did:web its profile names in
`alsoKnownAs`, when that DID document names the profile back: one party says both.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlparse

from bot.adapters.openbadges.multikey import (
    ed25519_from_multikey,
    ed25519_jwk,
    thumbprint,
)
from bot.adapters.openbadges.verify_fetch import Documents
from bot.adapters.openbadges.verify_result import Run

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
# How many folders up from the issuer's id a same-origin /.well-known/jwks.json is looked for.
MAX_JWKS_PLACES = 4
PROFILE, JWKS, DID_DOCUMENT = "its profile", "its JWKS", "its DID document"


@dataclass(frozen=True)
class SigningKeyFound:
    """A public key that a credential's signature names: where it was found, and whether it came with it."""

    jwk: dict[str, Any]
    where: str
    carried: bool  # in the credential itself (a header jwk, a Multikey in the method's fragment, a did:key)

    def ed25519(self) -> bytes | None:
        """The raw Ed25519 public key (what eddsa-rdfc-2022 needs), or None if this is another kind of key."""
        x = self.jwk.get("x")
        if self.jwk.get("kty") != "OKP" or self.jwk.get("crv") != "Ed25519" or not isinstance(x, str):
            return None
        try:
            raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
        except (ValueError, binascii.Error):
            return None
        return raw if len(raw) == 32 else None


@dataclass(frozen=True)
class IssuerKeys:
    keys: frozenset[str]  # RFC 7638 thumbprints
    sources: tuple[str, ...]
    jwks: tuple[dict[str, Any], ...] = ()


def issuer_id_of(doc: Any) -> Any:
    issuer = doc.get("issuer") if isinstance(doc, dict) else None
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def did_web_url(did: str) -> str:
    """Where a did:web's DID document is (https only, as did:web specifies)."""

    parts = did.split("#", 1)[0][len("did:web:"):].split(":")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def jwks_urls(issuer_id: str) -> list[str]:
    """Same-origin /.well-known/jwks.json places for an https issuer id: beside it, then up to the root."""
    parsed = urlparse(issuer_id)
    folders = [p for p in parsed.path.split("/") if p][:-1]
    origin = f"{parsed.scheme}://{parsed.netloc}"
    places = [origin + "".join(f"/{p}" for p in folders[:depth]) + "/.well-known/jwks.json"
              for depth in range(len(folders), -1, -1)]
    return places[:MAX_JWKS_PLACES - 1] + ([places[-1]] if len(places) >= MAX_JWKS_PLACES else [])


def also_known_as(doc: dict[str, Any]) -> list[str]:
    names = doc.get("alsoKnownAs")
    names = names if isinstance(names, list) else [names]
    return [n for n in names if isinstance(n, str)]


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


class Keyring:
    """Keys for one verification: what a reference names, what an issuer publishes, and the verdict on both."""

    def __init__(self, documents: Documents):
        self.documents = documents

    def resolve(self, ref: str, *, fragment_multikey: bool) -> tuple[SigningKeyFound | None, str | None]:
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
            status, doc = self.documents.get(url)
            if status != 200:
                failure = f"answered HTTP {status}"
        except Exception as exc:  # noqa: BLE001 - unreachable, for whatever reason: said as such
            doc, failure = None, f"could not be fetched ({exc})"
        if isinstance(doc, dict):
            jwk = find_key(doc, ref)
            if jwk is not None:
                if any(k in jwk for k in PRIVATE_MEMBERS):
                    return None, f"{ref} publishes a private key; an issuer must never publish one"
                return SigningKeyFound(jwk, f"the key {ref}", carried=False), None
            failure = failure or "does not publish it"
        if fragment_multikey and fragment:
            try:
                public = ed25519_from_multikey(fragment)
            except ValueError:
                pass
            else:
                # The verification method names its Multikey in its fragment: the credential carries its key.
                return SigningKeyFound(ed25519_jwk(public), "the Multikey named in its verification method",
                                       carried=True), None
        return None, f"the signing key {ref} cannot be used: {url} {failure or 'gave no key'}"

    def issuer_keys(self, issuer_id: Any) -> IssuerKeys | None:
        """The keys the issuer publishes (its DID document, its profile, its same-origin JWKS).

        None when none of those places could be reached at all: the keys were not checked. A place that
        answers (even 404) counts as reached: what it does not publish is not the issuer's.
        """
        if not isinstance(issuer_id, str) or not issuer_id:
            return IssuerKeys(frozenset(), ())
        if issuer_id.startswith("did:key:"):
            key, _ = self.resolve(issuer_id, fragment_multikey=False)
            return IssuerKeys(frozenset({thumbprint(key.jwk)} if key else set()), (issuer_id,),
                              (key.jwk,) if key else ())
        if issuer_id.startswith("did:web:"):
            places = [(did_web_url(issuer_id), DID_DOCUMENT, issuer_id)]
        elif urlparse(issuer_id).scheme in ("http", "https"):
            places = [(issuer_id, PROFILE, issuer_id)] + [(url, JWKS, None) for url in jwks_urls(issuer_id)]
        else:
            return IssuerKeys(frozenset(), ())
        reached, jwks, sources = False, [], []
        while places:
            url, what, expected_id = places.pop(0)
            try:
                status, doc = self.documents.get(url)
            except Exception:  # noqa: BLE001, S112 - an unreachable place publishes nothing; `reached` tells
                continue
            reached = True
            if status != 200 or not isinstance(doc, dict):
                continue
            if expected_id is not None and doc.get("id") != expected_id:
                continue  # a document about someone else
            if what == DID_DOCUMENT and expected_id != issuer_id and issuer_id not in also_known_as(doc):
                continue  # the profile names this DID, but the DID does not name the profile back
            if what == PROFILE:
                places[:0] = [(did_web_url(did), DID_DOCUMENT, did) for did in also_known_as(doc)
                              if did.startswith("did:web:")]
            keys = [jwk for jwk in published_keys(doc) if thumbprint(jwk)]
            if keys:
                jwks.extend(keys)
                sources.append(f"{what} {expected_id if what == DID_DOCUMENT else url}")
        if not reached:
            return None
        return IssuerKeys(frozenset(t for t in map(thumbprint, jwks) if t), tuple(sources), tuple(jwks))

    def bind(self, run: Run, key: SigningKeyFound, issuer_id: Any, what: str) -> None:
        """A good signature counts only with a key the issuer publishes."""
        issuer = self.issuer_keys(issuer_id)
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
            count = len(issuer.keys)
            published = (f"it publishes {count} key{'s' if count != 1 else ''} in {'; '.join(issuer.sources)}"
                         if issuer.sources else "it publishes none")
            run.reasons.append(f"{what} valid, key not the issuer's: {key.where} is not a key of the issuer "
                               f"{issuer_id} ({published})")
