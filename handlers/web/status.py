"""What verifiers, backpacks and wallets fetch beside the award pages: the issuer's W3C Bitstring
status lists, the achievements' criteria pages (OB 2.0's `criteria.id`: a page for people, not JSON),
and the public page and CLR transcript of a learner who shared them.

- `/status/lists/<n>`: list n as a `BitstringStatusListCredential` with an eddsa-rdfc-2022 proof;
- `/status/lists/<n>/credential.jwt`: the same list as a VC-JWT (RS256; `?alg=EdDSA` for Ed25519);
- `/achievements/<slug>/criteria`: what it takes to earn a credential of the catalog;
- `/learners/<public id>[/transcript.json|/transcript.jwt]`: a learner's page and transcript, only while
  they share it (`/badges transcript share`); otherwise the same 404 as any unknown address.

A list is made from the awards' revocation dates when it is asked for, so revoking an award (any way:
`badgebot awards revoke`, Slack) changes its bit at once, and nothing else has to be kept in step.
Every list an award id can fall in answers (an empty list is all zeros): a list's existence says nothing.
The old per-award documents (`/status/<public id>`) stay in public.py for credentials issued with them.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, request

from bot.adapters.openbadges import clr, status_list, vcjwt
from bot.adapters.openbadges.keys import EDDSA, RS256
from bot.errors import NotFound
from bot.usecases.credentials import (
    Transcript,
    credential_record,
    revoked_award_ids,
    shared_transcript,
)
from handlers.web.pages import render
from handlers.web.public import issued_by
from handlers.web.security import DEFAULT, Routes, headers
from handlers.web.services import badgebot

# A list changes whenever an award is revoked: verifiers may keep it a few minutes, not longer.
LISTS = DEFAULT.but(cache="public, max-age=300")
# The catalog changes rarely, and its pages are the same for everyone.
CATALOG = DEFAULT.but(cache="public, max-age=3600")
# Award ids are 32-bit integers in every database we run on: no list beyond them.
LAST_LIST = (2**31 - 1) // status_list.LIST_SIZE

status = Routes("status", __name__, headers=LISTS)


def _list_credential(number: int) -> dict[str, Any]:
    if number > LAST_LIST:
        abort(404)
    services = badgebot()
    ob = services.open_badges
    now = services.ctx.clock()
    revoked = revoked_award_ids(services.ctx, status_list.ids_in(number))
    return status_list.list_credential(number, revoked, ob.urls.issuer, ob.urls, valid_from=now)


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers and wallets fetch from browsers
    return response


@status.get("/status/lists/<int:number>")
def status_list_json(number: int) -> Response:
    ob = badgebot().open_badges
    doc = _list_credential(number)
    signed = ob.add_proof(doc, created=badgebot().ctx.clock())
    return _cors(Response(json.dumps(signed, ensure_ascii=False, indent=2), mimetype="application/vc+ld+json"))


@status.get("/status/lists/<int:number>/credential.jwt")
def status_list_jwt(number: int) -> Response:
    ob = badgebot().open_badges
    key = ob.keys.get(EDDSA if request.args.get("alg") == EDDSA else RS256)
    token = vcjwt.sign(_list_credential(number), key, ob.kid(key))
    return _cors(Response(token, mimetype="application/vc+jwt"))


@status.get("/achievements/<slug>/criteria")
@headers(CATALOG)
def achievement_criteria(slug: str) -> Response:
    try:
        credential = credential_record(badgebot().ctx, slug)
    except NotFound:
        abort(404)
    urls = badgebot().open_badges.urls
    return render("criteria.html", credential=credential, **issued_by(credential),
                  image_url=urls.paths.achievement_image(slug))


# A learner who shared their transcript -------------------------------------------------------------

# Their transcript changes with each award and stops at once when they unshare it: revalidate every time.
LEARNERS = DEFAULT.but(cache="no-cache")


def _shared_transcript(public_id: str) -> Transcript:
    number = clr.learner_number(clr.secret_of(badgebot().open_badges), public_id)
    found = shared_transcript(badgebot().ctx, number) if number is not None else None
    if found is None:
        abort(404)
    return found


@status.get("/learners/<public_id>")
@headers(LEARNERS)
def learner_page(public_id: str) -> Response:
    found = _shared_transcript(public_id)
    paths = badgebot().urls.paths
    return render("learner.html", name=found.learner_name, issuer=badgebot().catalog.issuer, at=found.at,
                  count=len(found.awards), transcript_json=paths.transcript(public_id),
                  transcript_jwt=paths.transcript_jwt(public_id),
                  shared=[(r, paths.award_page(r.public_id)) for r in found.awards if r.shared])


@status.get("/learners/<public_id>/transcript.json")
@headers(LEARNERS)
def transcript_json(public_id: str) -> Response:
    signed = clr.signed(_shared_transcript(public_id), badgebot().open_badges)
    return _cors(Response(json.dumps(signed, ensure_ascii=False, indent=2), mimetype="application/vc+ld+json"))


@status.get("/learners/<public_id>/transcript.jwt")
@headers(LEARNERS)
def transcript_jwt(public_id: str) -> Response:
    algorithm = EDDSA if request.args.get("alg") == EDDSA else RS256
    token = clr.jwt(_shared_transcript(public_id), badgebot().open_badges, algorithm)
    return _cors(Response(token, mimetype="application/vc+jwt"))
