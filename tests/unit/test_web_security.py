"""Security headers are set once, after every request (handlers/web/security.py): a blueprint names its
default, a route that differs says so, a page's script nonce is the one its policy allows, and an error
is never stored."""
from __future__ import annotations

import re

from flask import Flask, Response
from flask.testing import FlaskClient

from handlers.web.security import DEFAULT, Headers, Routes, headers, script_nonce, secure

PRIVATE = Headers(cache="no-store", referrer="no-referrer", csp="script-src 'nonce-{nonce}'")


def client() -> FlaskClient:
    pages = Routes("pages", __name__, headers=PRIVATE)

    @pages.get("/page")
    def page() -> str:
        return f'<script nonce="{script_nonce()}"></script>'

    @pages.get("/image.png")
    @headers(PRIVATE.but(cache="public, max-age=86400", csp=None))
    def image() -> Response:
        return Response(b"png", mimetype="image/png")

    @pages.get("/gone.png")
    @headers(PRIVATE.but(cache="public, max-age=86400"))
    def gone() -> Response:
        return Response(b"", status=404)

    plain = Flask(__name__)
    plain.register_blueprint(pages)
    plain.get("/plain")(lambda: "plain")
    plain.after_request(secure)
    return plain.test_client()


def test_a_blueprint_names_the_headers_of_its_routes() -> None:
    response = client().get("/page")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_script_nonce_of_a_page_is_the_one_its_policy_allows_and_new_each_time() -> None:
    web = client()
    nonces = []
    for _ in range(2):
        response = web.get("/page")
        (nonce,) = re.findall(r'nonce="([^"]+)"', response.get_data(as_text=True))
        assert response.headers["Content-Security-Policy"] == f"script-src 'nonce-{nonce}'"
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_route_may_differ_from_its_blueprint() -> None:
    response = client().get("/image.png")
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" not in response.headers


def test_an_error_is_never_stored_whatever_its_route_allows() -> None:
    web = client()
    assert web.get("/gone.png").headers["Cache-Control"] == "no-store"
    unknown = web.get("/nowhere")
    assert unknown.status_code == 404 and unknown.headers["Cache-Control"] == "no-store"
    assert unknown.headers["X-Content-Type-Options"] == "nosniff"


def test_routes_outside_a_blueprint_get_the_default() -> None:
    response = client().get("/plain")
    assert response.headers["Cache-Control"] == DEFAULT.cache
    assert response.headers["Referrer-Policy"] == DEFAULT.referrer
    assert "Content-Security-Policy" not in response.headers
