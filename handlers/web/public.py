"""Public pages: what the world may see of an award its learner shared, and what verifiers fetch.

- `/a/<public id>`, the credential's own id, answers by content negotiation: the verification page (HTML)
  to browsers, the credential with its DataIntegrityProof to JSON clients (application/json, ld+json,
  vc+ld+json), its VC-JWT (the compact JWS) to application/vc+jwt;
  `/a/<id>/badge.png|badge.svg|credential.json|credential.jwt`, and Level II evidence files.
- `/issuer` (a page for browsers, the Profile for clients), `/.well-known/did.json` (the did:web DID
  document), `/.well-known/jwks.json`, `/keys/<thumbprint>`: the issuer and every key it publishes.
- `/issuers/<id>` (page or Profile, as `/issuer`), `/issuers/<id>/status/lists/<n>`: each college, office
  or department under the university, and its status lists (the same bits as the university's).
- `/achievements/<slug>` (a page for browsers, the Achievement for clients), `[/image.png|/distinction.png]`:
  the catalog's achievements and their images.
- `/status/<public id>`: revocation status (the credential's `credentialStatus`).
- `/ob2/...`: Open Badges 2.0 hosted Issuer (the university's and each unit's), BadgeClass and Assertion
  (+ its baked PNG).

An unshared or unknown award is one and the same 404. Routes only translate: every question about an
award goes to a use case in bot/usecases/credentials.py.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, redirect, request, send_file

from bot.adapters.openbadges import status_list
from bot.adapters.openbadges.service import OpenBadges
from bot.domain.wording import paragraphs
from bot.errors import NotFound
from bot.usecases.credentials import (
    AwardRecord,
    CredentialRecord,
    credential_record,
    revocation_of,
    revoked_award_ids,
    shared_award,
    shared_evidence,
)
from bot.usecases.reports import VisitKind, count_visit
from config.catalog import Issuer
from handlers.web.pages import render
from handlers.web.security import DEFAULT, Routes, headers
from handlers.web.services import badgebot

JSON_LD = "application/ld+json"
VC_JSON = "application/vc+ld+json"
JSON_TYPES = (JSON_LD, VC_JSON, "application/json")
VC_JWT = "application/vc+jwt"
# The VC-JWT's media type in VC-JOSE-COSE, and the names older verifiers ask by.
JWT_TYPES = (VC_JWT, "application/vc+ld+json+jwt", "application/jwt")
DID_JSON = "application/did+json"
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


def _negotiate(*offers: str) -> str:
    """What to answer with: one of `offers` the client prefers to a page, else "text/html".

    People first: a browser's Accept (or none, or */*) gets the page; a client gets JSON (or the JWT) only
    when it ranks that above HTML.
    """
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", *offers])
    return best if best in offers and accept[best] > accept["text/html"] else "text/html"


def _jwt(token: str) -> Response:
    response = Response(token, mimetype=VC_JWT)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


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


def unit(issuer_id: str) -> Issuer:
    """One of the university's colleges, offices or departments (the university itself is `/issuer`)."""
    found = badgebot().catalog.issuer_by_id(issuer_id)
    if found is None or badges().parent_of(found) is None:
        abort(404)
    return found


def issued_by(credential: CredentialRecord) -> dict[str, Any]:
    """What a page says of who awards a credential: the issuer, its page, and the university above it."""
    ob = badges()
    issuer = ob.issuer_of(credential)
    parent = ob.parent_of(issuer)
    return {"issuer": issuer, "parent": parent, "paragraphs": paragraphs,
            "issuer_page": ob.urls.paths.issuer if parent is None else ob.urls.paths.issuer_of(issuer.id),
            "issuer_id": ob.profile_id(issuer)}


@public.app_errorhandler(404)
def not_found(_error: Exception) -> Response:
    """Every 404 of the web app; the same answer for unknown and unshared awards: nothing says which."""
    return render("not_found.html", 404)


# The award --------------------------------------------------------------------------------------


@public.get("/a/<public_id>")
def award_page(public_id: str) -> Response:
    record = shared(public_id)
    ob = badges()
    wanted = _negotiate(*JSON_TYPES, *JWT_TYPES)
    if wanted in JSON_TYPES:
        response = _json(ob.credential(record, proof=True), wanted)
    elif wanted in JWT_TYPES:
        response = _jwt(ob.jwt(record))
    else:
        count_visit(badgebot().ctx, public_id, VisitKind.PAGE_VIEW)  # people's views, not verifiers' fetches (issue 14)
        status = record.status_at(badgebot().ctx.clock())
        response = render(
            "award.html", record=record, credential=ob.credential(record), status=status,
            status_label=STATUS_LABELS[status], **issued_by(record.credential), links=ob.share_links(record),
            urls=ob.urls, image_url=ob.urls.achievement_image(record.credential.slug, record.distinction),
            evidence=[(f, ob.urls.evidence(record.public_id, f.id)) for f in record.evidence],
            date=lambda value: f"{value:%B} {value.day}, {value:%Y}" if value else "",
        )
    response.headers["Vary"] = "Accept"
    return response


@public.get("/a/<public_id>/credential.json")
def award_json(public_id: str) -> Response:
    """The credential with its embedded eddsa-rdfc-2022 proof: verifiable as it is, without its JWT."""
    return _json(badges().credential(shared(public_id), proof=True))


@public.get("/a/<public_id>/credential.jwt")
def award_jwt(public_id: str) -> Response:
    algorithm = "EdDSA" if request.args.get("alg") == "EdDSA" else "RS256"
    return _jwt(badges().jwt(shared(public_id), algorithm))


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
    # Where the artifact store put it (data_dir/artifacts/...), as the grantors' links find it too.
    try:
        path = badgebot().store.path_of(found.storage_key)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=found.media_type or "application/octet-stream", as_attachment=True,
                     download_name=found.filename)


# The issuer, its keys, and the revocation status ------------------------------------------------


def _issuer_answer(issuer: Issuer) -> Response:
    """An issuer's Profile to clients, its page to browsers (content negotiation)."""
    ob = badges()
    profile = ob.issuer_profile(issuer)
    wanted = _negotiate(*JSON_TYPES)
    if wanted in JSON_TYPES:
        response = _json(profile, wanted)
    else:
        catalog = badgebot().catalog
        parent = ob.parent_of(issuer)
        units = [] if parent else [(u, ob.urls.paths.issuer_of(u.id)) for u in catalog.issuers]
        offered = [c for c in catalog.credentials if catalog.issuer_of(c) == issuer]
        response = render("issuer.html", profile=profile, issuer=issuer, parent=parent, units=units,
                          credentials=offered, urls=ob.urls,
                          keys=[(key.alg, key.thumbprint) for key in ob.keys.all()], did=ob.did)
        # Whichever form a client gets, it may read it from a page of its own (wallets, verifiers).
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept"
    return response


@public.get("/issuer")
@headers(CATALOG)
def issuer() -> Response:
    return _issuer_answer(badgebot().catalog.issuer)


@public.get("/issuers/<issuer_id>")
@headers(CATALOG)
def unit_issuer(issuer_id: str) -> Response:
    if issuer_id == badgebot().catalog.issuer.id:
        return redirect(badges().urls.paths.issuer)
    return _issuer_answer(unit(issuer_id))


# Award ids are 32-bit integers in every database we run on: no list beyond them (as handlers/web/status.py).
LAST_LIST = (2**31 - 1) // status_list.LIST_SIZE


@public.get("/issuers/<issuer_id>/status/lists/<int:number>")
@headers(DEFAULT.but(cache="public, max-age=300"))  # as the university's lists: revocations show within minutes
def unit_status_list(issuer_id: str, number: int) -> Response:
    """A unit's Bitstring status list: the university's list, issued (and signed) as that unit."""
    found = unit(issuer_id)
    if number > LAST_LIST:
        abort(404)
    services = badgebot()
    ob = services.open_badges
    now = services.ctx.clock()
    doc = status_list.list_credential(number, revoked_award_ids(services.ctx, status_list.ids_in(number)),
                                      ob.profile_id(found), ob.urls, valid_from=now, unit=found.id)
    return _json(ob.add_proof(doc, created=now, issuer=found), "application/vc+ld+json")


# did:web resolves to /.well-known/did.json at a host's root, and to <path>/did.json under a path: the
# second is the same document for a bot whose public URL has a path (urls.did_document picks which).
@public.get("/.well-known/did.json")
@public.get("/did.json")
@headers(CATALOG)
def did_document() -> Response:
    return _json(badges().did_document(), DID_JSON)


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
    """The Achievement to clients; to browsers, its page: what it is, who awards it, what it aligns to."""
    credential = catalog_credential(slug)
    ob = badges()
    wanted = _negotiate(*JSON_TYPES)
    if wanted in JSON_TYPES:
        response = _json(ob.achievement(credential), wanted)
    else:
        response = render("achievement.html", credential=credential, **issued_by(credential),
                          image_url=ob.urls.paths.achievement_image(credential.slug), urls=ob.urls)
        response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept"
    return response


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


@public.get("/ob2/issuers/<issuer_id>")
@headers(CATALOG)
def ob2_unit_issuer(issuer_id: str) -> Response:
    return _json(badges().ob2_issuer(unit(issuer_id)))


@public.get("/ob2/badges/<slug>")
@headers(CATALOG)
def ob2_badge(slug: str) -> Response:
    return _json(badges().ob2_badge_class(catalog_credential(slug)))


def _email_of(record: AwardRecord) -> str | None:
    """The learner's email, read from Slack's profile when asked (cached there): it is never stored."""
    return badgebot().directory.email_of(record.learner_slack_id) if record.learner_slack_id else None


@public.get("/ob2/assertions/<public_id>")
def ob2_assertion(public_id: str) -> Response:
    record = shared(public_id)
    if record.revoked_at is not None:
        # OB 2.0 hosted verification: a revoked assertion is 410 Gone, its body saying revoked and why.
        response = _json(badges().ob2_revoked(record))
        response.status_code = 410
        return response
    return _json(badges().ob2_assertion(record, _email_of(record)))


@public.get("/ob2/assertions/<public_id>/badge.png")
def ob2_png(public_id: str) -> Response:
    record = shared(public_id)
    return Response(badges().ob2_baked_png(record, _email_of(record)), mimetype="image/png")
