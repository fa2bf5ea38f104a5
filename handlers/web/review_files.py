"""GET /review/artifacts/<id>: grantors open a submission's files from the review card.

The link is signed and expires (bot.adapters.signing.ArtifactLinks); without a valid signature the
answer is a 404 that says nothing about whether the file exists.
"""
from __future__ import annotations

from flask import Response, abort, request, send_file

from bot.usecases.reviews import artifact_file
from handlers.web.security import DEFAULT, Routes
from handlers.web.services import badgebot

# A learner's file, at a link that works without a login: kept by no cache, and its signed URL by no referrer.
review_files = Routes("review_files", __name__, headers=DEFAULT.but(cache="private, no-store", referrer="no-referrer"))


@review_files.get("/review/artifacts/<int:artifact_id>")
def artifact(artifact_id: int) -> Response:
    bot = badgebot()
    if not bot.artifact_links.valid(artifact_id, request.args.get("exp", ""), request.args.get("sig", "")):
        abort(404)
    found = artifact_file(bot.ctx, artifact_id)
    if found is None:
        abort(404)
    path = bot.store.path_of(found.storage_key)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=found.media_type, as_attachment=True, download_name=found.filename)
