"""GET /review/artifacts/<id>: grantors open a submission's files from the review card.

The link is signed and expires (bot.adapters.signing.ArtifactLinks); without a valid signature the
answer is a 404 that says nothing about whether the file exists.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, abort, request, send_file

from bot.usecases.reviews import artifact_file

if TYPE_CHECKING:
    from handlers.bootstrap import Badgebot


def review_files(badgebot: "Badgebot", web: Flask) -> None:
    @web.get("/review/artifacts/<int:artifact_id>")
    def artifact(artifact_id: int):  # type: ignore[no-untyped-def]
        if not badgebot.artifact_links.valid(artifact_id, request.args.get("exp", ""), request.args.get("sig", "")):
            abort(404)
        found = artifact_file(badgebot.ctx, artifact_id)
        if found is None:
            abort(404)
        path = badgebot.store.path_of(found.storage_key)
        if not path.is_file():
            abort(404)
        response = send_file(path, mimetype=found.media_type, as_attachment=True, download_name=found.filename)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response
