"""Public pages: what the world may see of an award its learner shared, and what verifiers fetch.

- `/a/<public id>`: the verification page (HTML), or the credential JSON to clients that ask for JSON;
  `/a/<id>/badge.png|badge.svg|credential.json|credential.jwt`, and Level II evidence files.
- `/issuer`, `/.well-known/jwks.json`, `/keys/<thumbprint>`: the issuer profile and its public keys.
- `/achievements/<slug>[/image.png|/distinction.png]`: the catalog's achievements and their images.
- `/status/<public id>`: revocation status (the credential's `credentialStatus`).
- `/ob2/...`: Open Badges 2.0 hosted Issuer, BadgeClass and Assertion (+ its baked PNG).

An unshared or unknown award is one and the same 404. Routes only translate: every question about an
award goes to a use case in bot/usecases/credentials.py.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, request, send_file

from bot.adapters.openbadges.service import OpenBadges
from bot.errors import NotFound
from bot.usecases.credentials import (AwardRecord, CredentialRecord, credential_record, revocation_of, shared_award,
                                      shared_evidence)
from handlers.web.pages import render
from handlers.web.security import DEFAULT, Routes, headers
from handlers.web.services import badgebot

JSON_LD = "application/ld+json"
JSON_TYPES = (JSON_LD, "application/vc+ld+json", "application/json")
STATUS_LABELS = {"valid": "Valid", "revoked": "Revoked", "expired": "Expired"}
# What changes only with the catalog or the keys may be kept a while; an award's documents are
# revalidated on every use (it may be revoked or unshared at any time).
CATALOG = DEFAULT.but(cache="public, max-age=3600")
LONG_LIVED = DEFAULT.but(cache="public, max-age=86400")  # a key never changes; an image only with the catalog
# Learners' files are served from our origin: never let a browser run them as a page of ours.
EVIDENCE = DEFAULT.but(cache="public, max-age=3600", csp="sandbox")

public = Routes("public", __name__)


def _json(doc: Any, mimetype: str = JSON_LD) -> Response:
    response = Response(json.dumps(doc, ensure_ascii=False, indent=2), mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers and backpacks fetch from browsers
    return response


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", *JSON_TYPES])
    return best in JSON_TYPES and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def badges() -> OpenBadges:
    return badgebot().open_badges


def shared(public_id: str) -> AwardRecord:
    record = shared_award(badgebot().ctx, public_id)
    if record is None:
        abort(404)
    return record


def catalog_credential(slug: str) -> CredentialRecord:
    try:
        return credential_record(badgebot().ctx, slug)
    except NotFound:
        abort(404)


@public.app_errorhandler(404)
def not_found(_error: Exception) -> Response:
    """Every 404 of the web app; the same answer for unknown and unshared awards: nothing says which."""
    return render("not_found.html", 404)


# The award --------------------------------------------------------------------------------------


@public.get("/a/<public_id>")
def award_page(public_id: str) -> Response:
    record = shared(public_id)
    ob = badges()
    if _wants_json():
        response = _json(ob.credential(record))
    else:
        status = record.status_at(badgebot().ctx.clock())
        response = render(
            "award.html", record=record, credential=ob.credential(record), status=status,
            status_label=STATUS_LABELS[status], issuer=badgebot().catalog.issuer, links=ob.share_links(record),
            urls=ob.urls, image_url=ob.urls.achievement_image(record.credential.slug, record.distinction),
            evidence=[(f, ob.urls.evidence(record.public_id, f.id)) for f in record.evidence],
            date=lambda value: f"{value:%B} {value.day}, {value:%Y}" if value else "",
        )
    response.headers["Vary"] = "Accept"
    return response


@public.get("/a/<public_id>/credential.json")
def award_json(public_id: str) -> Response:
    return _json(badges().credential(shared(public_id)))


@public.get("/a/<public_id>/credential.jwt")
def award_jwt(public_id: str) -> Response:
    algorithm = "EdDSA" if request.args.get("alg") == "EdDSA" else "RS256"
    response = Response(badges().jwt(shared(public_id), algorithm), mimetype="application/vc+jwt")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public.get("/a/<public_id>/badge.png")
def award_png(public_id: str) -> Response:
    record = shared(public_id)
    response = Response(badges().baked_png(record), mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="{record.credential.slug}.png"'
    return response


@public.get("/a/<public_id>/badge.svg")
def award_svg(public_id: str) -> Response:
    record = shared(public_id)
    response = Response(badges().baked_svg(record), mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{record.credential.slug}.svg"'
    return response


@public.get("/a/<public_id>/evidence/<int:artifact_id>")
@headers(EVIDENCE)
def evidence(public_id: str, artifact_id: int) -> Response:
    found = shared_evidence(badgebot().ctx, public_id, artifact_id)
    if found is None:
        abort(404)
    root = badgebot().settings.data_dir.resolve()
    path = (root / found.storage_key).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    return send_file(path, mimetype=found.media_type or "application/octet-stream", as_attachment=True,
                     download_name=found.filename)


# The issuer, its keys, and the revocation status ------------------------------------------------


@public.get("/issuer")
@headers(CATALOG)
def issuer() -> Response:
    return _json(badges().issuer_profile())


@public.get("/.well-known/jwks.json")
@headers(CATALOG)
def jwks() -> Response:
    return _json(badges().jwks(), "application/json")


@public.get("/keys/<thumbprint>")
@headers(LONG_LIVED)
def key(thumbprint: str) -> Response:
    found = badges().public_jwk(thumbprint)
    if found is None:
        abort(404)
    return _json(found, "application/jwk+json")


@public.get("/status/<public_id>")
def status(public_id: str) -> Response:
    revoked = revocation_of(badgebot().ctx, public_id) is not None
    return _json(badges().revocation_list(public_id, revoked), "application/json")


# The catalog ------------------------------------------------------------------------------------


@public.get("/achievements/<slug>")
@headers(CATALOG)
def achievement(slug: str) -> Response:
    return _json(badges().achievement(catalog_credential(slug)))


@public.get("/achievements/<slug>/image.png", defaults={"distinction": False})
@public.get("/achievements/<slug>/distinction.png", defaults={"distinction": True})
@headers(LONG_LIVED)
def achievement_image(slug: str, distinction: bool) -> Response:
    credential = catalog_credential(slug)
    if distinction and not credential.distinction_allowed:
        abort(404)
    return Response(badges().image(credential, distinction), mimetype="image/png")


# Open Badges 2.0 hosted verification ------------------------------------------------------------


@public.get("/ob2/issuer")
@headers(CATALOG)
def ob2_issuer() -> Response:
    return _json(badges().ob2_issuer())


@public.get("/ob2/badges/<slug>")
@headers(CATALOG)
def ob2_badge(slug: str) -> Response:
    return _json(badges().ob2_badge_class(catalog_credential(slug)))


@public.get("/ob2/assertions/<public_id>")
def ob2_assertion(public_id: str) -> Response:
    return _json(badges().ob2_assertion(shared(public_id)))


@public.get("/ob2/assertions/<public_id>/badge.png")
def ob2_png(public_id: str) -> Response:
    return Response(badges().ob2_baked_png(shared(public_id)), mimetype="image/png")
