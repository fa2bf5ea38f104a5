"""Sign in with Slack on the emulator: Slack's OpenID Connect provider, on loopback.

Installed on a running `SlackEmulator` with `OidcProvider(emulator, ...).install()`; it adds
- `GET /openid/connect/authorize`: a page where the person picks who they are (the emulator's stand-in for
  "you are signed in to Slack in this browser"), then `POST` sends the browser back to the redirect URI
  with a one-time code and the state, as Slack does; "Cancel" sends `error=access_denied`. When the page
  knows who is most likely there (OIDC's `login_hint`, a Slack user id; else the person this browser was
  last signed in as, see below) it offers that person alone, the others behind "Someone else";
- `GET /emulator/signed-in?user=U...&next=URL`: not Slack's; how the sandbox says "this browser is signed in
  to Slack as U" (a cookie on the emulator's own origin, as Slack keeps its session), then goes to `next`
  (loopback URLs only);
- `POST /api/openid.connect.token`: the code, plus the client's credentials (HTTP Basic, as slack_sdk
  sends them, or in the form), for an access token and an RS256-signed id_token;
- `POST /api/openid.connect.userInfo`: the person's claims, for that access token (Bearer);
- `GET /openid/connect/keys` (the JWKS) and `GET /.well-known/openid-configuration`.

The two API methods are routes rather than `add_api_method`s because they authenticate with client
credentials and user tokens from the Authorization header, which the bot-token API path does not pass on.
The routes are Flask views: parameters come from werkzeug's parsing of the query string and the body.
Errors use Slack's codes (invalid_client_id, bad_client_secret, invalid_code, bad_redirect_uri,
invalid_auth, not_authed). Codes are single-use and live 10 minutes.
"""
from __future__ import annotations

import html
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from bot.sandbox.emulator.records import JsonDict
from bot.sandbox.emulator.server import SlackEmulator

CODE_TTL = 600.0
SIGNED_IN_COOKIE = "emulator_signed_in"  # who this browser is signed in to the emulated Slack as
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
TOKEN_TTL = 3600.0
ID_TOKEN_TTL = 300


@dataclass
class _Grant:
    user: str
    client_id: str
    redirect_uri: str | None
    nonce: str | None
    issued_at: float
    used: bool = False


class OidcProvider:
    def __init__(self, emulator: SlackEmulator, client_id: str = "emulator-client-id",
                 client_secret: str = "emulator-client-secret", *, redirect_uris: list[str] | None = None,
                 clock: Callable[[], float] = time.time):
        self.emulator = emulator
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uris = list(redirect_uris or [])  # empty: any redirect URI is accepted
        self.clock = clock
        self.key = RSAKey.generate_key(2048, parameters={"kid": f"emulator-{secrets.token_hex(4)}",
                                                         "use": "sig", "alg": "RS256"})
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, str] = {}  # access token -> user
        self.sign_ins: list[str] = []  # users who completed a token exchange, in order (for tests)

    def install(self) -> OidcProvider:
        both = ("GET", "POST")
        self.emulator.add_route("openid/connect/authorize", self._authorize, methods=both)
        self.emulator.add_route("emulator/signed-in", self._signed_in)
        self.emulator.add_route("openid/connect/keys", self._keys)
        self.emulator.add_route(".well-known/openid-configuration", self._discovery)
        self.emulator.add_route("api/openid.connect.token", self._token, methods=both)
        self.emulator.add_route("api/openid.connect.userInfo", self._user_info, methods=both)
        return self

    @property
    def issuer(self) -> str:
        return self.emulator.base_url.rstrip("/")

    def signed_in_url(self, user: str, next_url: str) -> str:
        """Where to send a browser so that it is signed in to the emulated Slack as `user`, then to `next_url`."""
        return f"{self.issuer}/emulator/signed-in?{urlencode({'user': user, 'next': next_url})}"

    def jwks(self) -> JsonDict:
        return {"keys": [self.key.as_dict(private=False)]}

    def id_token(self, user: str, nonce: str | None, *, key: RSAKey | None = None, **overrides: Any) -> str:
        """An id_token as the token endpoint makes it; tests pass `key` or claims to make bad ones."""
        person = self.emulator.user(user)
        now = int(self.clock())
        claims: JsonDict = {
            "iss": self.issuer, "sub": user, "aud": self.client_id, "exp": now + ID_TOKEN_TTL, "iat": now,
            "auth_time": now, "https://slack.com/user_id": user, "https://slack.com/team_id": self.emulator.team_id,
            "https://slack.com/team_name": "Badgebot Sandbox", "https://slack.com/team_domain": self.emulator.team_domain,
            "name": person.real_name, "locale": "en-US",
        }
        if person.email:
            claims |= {"email": person.email, "email_verified": True}
        if nonce is not None:
            claims["nonce"] = nonce
        claims |= overrides
        signing = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signing.kid, "typ": "JWT"}, claims, signing)

    # -- the browser's side ---------------------------------------------------------------------------

    def _authorize(self) -> Response:
        posted = request.method == "POST"
        query = request.args.to_dict() | (request.form.to_dict() if posted else {})
        problem = self._authorize_problem(query)
        if problem:
            return _page(400, "Sign in with Slack failed", f"<p>{html.escape(problem)}</p>")
        redirect_uri, state = query["redirect_uri"], query.get("state", "")
        if posted and query.get("cancel"):
            return _redirect(redirect_uri, {"error": "access_denied", "state": state})
        if posted and query.get("user"):
            user = query["user"]
            if user not in {u.id for u in self._people()}:
                return _page(400, "Sign in with Slack failed", "<p>No such person in this workspace.</p>")
            code = f"{secrets.token_hex(4)}.{secrets.token_urlsafe(24)}"
            self._grants[code] = _Grant(user, query["client_id"], redirect_uri, query.get("nonce"), self.clock())
            return _redirect(redirect_uri, {"code": code, "state": state})
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in query.items() if k not in ("user", "cancel"))
        people = self._people()
        likely = self._likely_person(query.get("login_hint", ""), {u.id for u in people})
        if likely is None:
            choices = f"<ul>{''.join(_continue_as(u) for u in people)}</ul>"
        else:
            first = next(u for u in people if u.id == likely)
            others = "".join(_continue_as(u) for u in people if u.id != likely)
            choices = (f'<ul>{_continue_as(first)}</ul>'
                       f'<details class="others"><summary>Someone else</summary><ul>{others}</ul></details>')
        return _page(200, "Sign in with Slack", (
            f"<p>An app wants to know who you are in <strong>Badgebot Sandbox</strong> "
            f"(scopes: {html.escape(query.get('scope', ''))}).</p>"
            f'<form method="post" action="/openid/connect/authorize">{hidden}{choices}'
            '<button type="submit" name="cancel" value="1" class="cancel">Cancel</button></form>'))

    def _likely_person(self, login_hint: str, people: set[str]) -> str | None:
        """Who is most likely signing in: the app's login_hint, else whom this browser is signed in as."""
        for candidate in (login_hint, request.cookies.get(SIGNED_IN_COOKIE, "")):
            if candidate in people:
                return candidate
        return None

    def _signed_in(self) -> Response:
        user, target = request.args.get("user", ""), request.args.get("next", "")
        if user not in {u.id for u in self._people()}:
            return _page(400, "Not signed in", "<p>No such person in this workspace.</p>")
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK_NAMES:
            return _page(400, "Not signed in", "<p>next must be a page on this machine.</p>")
        reply = redirect(target, 303)
        reply.set_cookie(SIGNED_IN_COOKIE, user, httponly=True, samesite="Lax")
        reply.headers["Cache-Control"] = "no-store"
        return reply

    def _authorize_problem(self, query: Mapping[str, str]) -> str | None:
        if query.get("response_type") != "code":
            return "response_type must be code."
        if query.get("client_id") != self.client_id:
            return "invalid_client_id"
        if "openid" not in query.get("scope", "").split():
            return "The openid scope is required."
        if not query.get("redirect_uri") or (self.redirect_uris and query["redirect_uri"] not in self.redirect_uris):
            return "bad_redirect_uri"
        if query.get("team") and query["team"] != self.emulator.team_id:
            return "This app is not installed on that workspace."
        return None

    def _people(self) -> list[Any]:
        return [u for u in self.emulator.users() if not u.is_bot]

    # -- the relying party's side ---------------------------------------------------------------------

    def _token(self) -> JsonDict:
        params = _params()
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        basic = request.authorization  # HTTP Basic, as slack_sdk sends the client's credentials
        if basic is not None and basic.type == "basic":
            client_id, client_secret = basic.username, basic.password
        elif request.headers.get("Authorization", "").startswith("Basic "):
            return _error("invalid_client_id")  # a Basic header werkzeug could not read
        if client_id != self.client_id:
            return _error("invalid_client_id")
        if client_secret != self.client_secret:
            return _error("bad_client_secret")
        grant = self._grants.get(params.get("code", ""))
        if grant is None or grant.used or self.clock() - grant.issued_at > CODE_TTL or grant.client_id != client_id:
            return _error("invalid_code")
        if grant.redirect_uri and params.get("redirect_uri") != grant.redirect_uri:
            return _error("bad_redirect_uri")
        grant.used = True
        access_token = f"xoxp-oidc-{secrets.token_urlsafe(24)}"
        self._tokens[access_token] = grant.user
        self.sign_ins.append(grant.user)
        return {"ok": True, "access_token": access_token, "token_type": "Bearer",
                "id_token": self.id_token(grant.user, grant.nonce)}

    def _user_info(self) -> JsonDict:
        authorization = request.headers.get("Authorization", "")
        token = authorization[7:].strip() if authorization.startswith("Bearer ") else _params().get("token")
        if not token:
            return _error("not_authed")
        user = self._tokens.get(token)
        if user is None:
            return _error("invalid_auth")
        claims = jwt.decode(self.id_token(user, None), self.key).claims
        info = {k: v for k, v in claims.items() if k not in ("iss", "aud", "exp", "iat", "auth_time", "nonce")}
        return {"ok": True, **info}

    def _keys(self) -> JsonDict:
        return self.jwks()

    def _discovery(self) -> JsonDict:
        base = self.issuer
        return {
            "issuer": base, "authorization_endpoint": f"{base}/openid/connect/authorize",
            "token_endpoint": f"{base}/api/openid.connect.token",
            "userinfo_endpoint": f"{base}/api/openid.connect.userInfo", "jwks_uri": f"{base}/openid/connect/keys",
            "scopes_supported": ["openid", "profile", "email"], "response_types_supported": ["code"],
            "response_modes_supported": ["query"], "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }


def _continue_as(person: Any) -> str:
    return (f'<li><button type="submit" name="user" value="{html.escape(person.id)}">Continue as '
            f'<strong>{html.escape(person.name)}</strong> <small>({html.escape(person.real_name)})</small>'
            '</button></li>')


def _params() -> dict[str, str]:
    """The query string, then a form or JSON body."""
    params = request.args.to_dict()
    if request.is_json:
        data = request.get_json(silent=True)
        params |= {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    else:
        params |= request.form.to_dict()
    return params


def _error(code: str) -> JsonDict:
    return {"ok": False, "error": code}


def _redirect(uri: str, params: Mapping[str, str]) -> Response:
    joiner = "&" if urlsplit(uri).query else "?"
    reply = redirect(f"{uri}{joiner}{urlencode(params)}", 302)
    reply.headers["Cache-Control"] = "no-store"
    return reply


def _page(status: int, title: str, content: str) -> Response:
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#4a154b;color:#1d1c1d}"
        "main{max-width:28rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem}"
        "ul{list-style:none;padding:0}li{margin:.5rem 0}"
        "button{width:100%;padding:.8rem;font-size:1rem;border-radius:8px;border:1px solid #ccc;"
        "background:#fff;text-align:left;cursor:pointer}button.cancel{text-align:center}"
        "details.others{margin:.5rem 0 1rem}details.others summary{cursor:pointer;color:#1264a3;padding:.4rem 0}"
        f"</style></head><body><main><h1>{html.escape(title)}</h1>"
        "<p><small>Slack emulator: nothing leaves this machine.</small></p>"
        f"{content}</main></body></html>"
    )
    return Response(page, status, content_type="text/html; charset=utf-8")
