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

from typing import TYPE_CHECKING

import json
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request, send_file
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.errors import NotFound
from bot.adapters.openbadges.service import OpenBadges
from bot.usecases.credentials import AwardRecord, credential_record, revocation_of, shared_award, shared_evidence

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot

TEMPLATES = Path(__file__).with_name("templates")
JSON_LD = "application/ld+json"
JSON_TYPES = (JSON_LD, "application/vc+ld+json", "application/json")
STATUS_LABELS = {"valid": "Valid", "revoked": "Revoked", "expired": "Expired"}


def _json(doc: Any, mimetype: str = JSON_LD, *, cache: str = "no-cache") -> Response:
    body = json.dumps(doc, ensure_ascii=False, indent=2)
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers and backpacks fetch from browsers
    return response


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", *JSON_TYPES])
    return best in JSON_TYPES and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def public_pages(badgebot: Badgebot, web: Flask) -> None:
    """Add the public verification pages and the Open Badges endpoints to the web app."""
    ctx = badgebot.ctx
    templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

    def badges() -> OpenBadges:
        return badgebot.open_badges

    def not_found() -> Response:
        # The same answer for unknown and unshared awards: nothing says which.
        return Response(templates.get_template("not_found.html").render(), status=404, mimetype="text/html")

    def shared(public_id: str) -> AwardRecord:
        record = shared_award(ctx, public_id)
        if record is None:
            abort(404)
        return record

    @web.errorhandler(404)
    def _not_found(_error: Exception) -> Response:
        return not_found()

    # The award --------------------------------------------------------------------------------------

    @web.get("/a/<public_id>")
    def award_page(public_id: str) -> Response:
        record = shared(public_id)
        ob = badges()
        if _wants_json():
            return _json(ob.credential(record))
        now = ctx.clock()
        status = record.status_at(now)
        credential = ob.credential(record)
        html = templates.get_template("award.html").render(
            record=record, credential=credential, status=status, status_label=STATUS_LABELS[status],
            issuer=badgebot.catalog.issuer, links=ob.share_links(record), urls=ob.urls,
            image_url=ob.urls.achievement_image(record.credential.slug, record.distinction),
            evidence=[(f, ob.urls.evidence(record.public_id, f.id)) for f in record.evidence],
            date=lambda value: f"{value:%B} {value.day}, {value:%Y}" if value else "",
        )
        response = Response(html, mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Vary"] = "Accept"
        return response

    @web.get("/a/<public_id>/credential.json")
    def award_json(public_id: str) -> Response:
        return _json(badges().credential(shared(public_id)))

    @web.get("/a/<public_id>/credential.jwt")
    def award_jwt(public_id: str) -> Response:
        algorithm = "EdDSA" if request.args.get("alg") == "EdDSA" else "RS256"
        response = Response(badges().jwt(shared(public_id), algorithm), mimetype="application/vc+jwt")
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @web.get("/a/<public_id>/badge.png")
    def award_png(public_id: str) -> Response:
        record = shared(public_id)
        response = Response(badges().baked_png(record), mimetype="image/png")
        response.headers["Content-Disposition"] = f'inline; filename="{record.credential.slug}.png"'
        return response

    @web.get("/a/<public_id>/badge.svg")
    def award_svg(public_id: str) -> Response:
        record = shared(public_id)
        response = Response(badges().baked_svg(record), mimetype="image/svg+xml")
        response.headers["Content-Disposition"] = f'inline; filename="{record.credential.slug}.svg"'
        return response

    @web.get("/a/<public_id>/evidence/<int:artifact_id>")
    def evidence(public_id: str, artifact_id: int) -> Response:
        found = shared_evidence(ctx, public_id, artifact_id)
        if found is None:
            abort(404)
        root = badgebot.settings.data_dir.resolve()
        path = (root / found.storage_key).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            abort(404)
        response = send_file(path, mimetype=found.media_type or "application/octet-stream", as_attachment=True,
                             download_name=found.filename, max_age=3600)
        # Learners' files are served from our origin: never let a browser run them as a page of ours.
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "sandbox"
        return response

    # The issuer, its keys, and the revocation status ------------------------------------------------

    @web.get("/issuer")
    def issuer() -> Response:
        return _json(badges().issuer_profile(), cache="public, max-age=3600")

    @web.get("/.well-known/jwks.json")
    def jwks() -> Response:
        return _json(badges().jwks(), "application/json", cache="public, max-age=3600")

    @web.get("/keys/<thumbprint>")
    def key(thumbprint: str) -> Response:
        found = badges().public_jwk(thumbprint)
        if found is None:
            abort(404)
        return _json(found, "application/jwk+json", cache="public, max-age=86400")

    @web.get("/status/<public_id>")
    def status(public_id: str) -> Response:
        return _json(badges().revocation_list(public_id, revocation_of(ctx, public_id) is not None),
                     "application/json")

    # The catalog ------------------------------------------------------------------------------------

    def catalog_credential(slug: str):  # type: ignore[no-untyped-def]
        try:
            return credential_record(ctx, slug)
        except NotFound:
            abort(404)

    @web.get("/achievements/<slug>")
    def achievement(slug: str) -> Response:
        return _json(badges().achievement(catalog_credential(slug)), cache="public, max-age=3600")

    @web.get("/achievements/<slug>/image.png")
    @web.get("/achievements/<slug>/distinction.png")
    def achievement_image(slug: str) -> Response:
        credential = catalog_credential(slug)
        distinction = request.path.endswith("/distinction.png")
        if distinction and not credential.distinction_allowed:
            abort(404)
        response = Response(badges().image(credential, distinction), mimetype="image/png")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    # Open Badges 2.0 hosted verification ------------------------------------------------------------

    @web.get("/ob2/issuer")
    def ob2_issuer() -> Response:
        return _json(badges().ob2_issuer(), cache="public, max-age=3600")

    @web.get("/ob2/badges/<slug>")
    def ob2_badge(slug: str) -> Response:
        return _json(badges().ob2_badge_class(catalog_credential(slug)), cache="public, max-age=3600")

    @web.get("/ob2/assertions/<public_id>")
    def ob2_assertion(public_id: str) -> Response:
        return _json(badges().ob2_assertion(shared(public_id)))

    @web.get("/ob2/assertions/<public_id>/badge.png")
    def ob2_png(public_id: str) -> Response:
        return Response(badges().ob2_baked_png(shared(public_id)), mimetype="image/png")
