"""Sign in with Slack (OpenID Connect), the relying-party side: who is holding this phone?

The flow (Slack's discovery document lists these endpoints):
1. the browser goes to `<slack>/openid/connect/authorize` with our client id, a `state` and a `nonce`;
2. Slack sends it back to our redirect URI with a one-time `code`;
3. `openid.connect.token` exchanges the code (with the client secret) for an `id_token` and an access
   token; the id_token's RS256 signature is checked against Slack's JWKS (`/openid/connect/keys`), and
   its issuer, audience, expiry and nonce are checked;
4. `openid.connect.userInfo`, with that access token, confirms the same user.

Endpoints are derived from SLACK_API_URL, so the same code talks to Slack or to the local emulator
(bot/sandbox/emulator/oidc.py). Also here: the two signed cookies the check-in pages use, the short-lived
sign-in state and the longer session that makes the next check-in one tap.
"""
from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.adapters.signing import Signer
from bot.domain.checkin import SIGNIN_GRACE

SCOPES = "openid profile"
JWKS_TTL = 3600.0
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated between us and Slack
USER_ID_CLAIM = "https://slack.com/user_id"
TEAM_ID_CLAIM = "https://slack.com/team_id"


class SignInFailed(Exception):
    """Sign in with Slack did not identify anyone; the message is for the person signing in."""


@dataclass(frozen=True)
class SlackIdentity:
    user_id: str
    team_id: str
    name: str


class SlackSignIn:
    """The OpenID Connect relying party for one Slack app (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET)."""

    def __init__(self, client_id: str, client_secret: str, api_url: str, *, team_id: str | None = None,
                 http: httpx.Client | None = None, clock: Callable[[], float] = time.time):
        parts = urlsplit(api_url)
        self.client_id, self._client_secret = client_id, client_secret
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.issuer = f"{parts.scheme}://{parts.netloc}"  # https://slack.com for Slack itself
        self.authorize_endpoint = f"{self.issuer}/openid/connect/authorize"
        self.jwks_uri = f"{self.issuer}/openid/connect/keys"
        self.team_id = team_id
        self.clock = clock
        self._http = http or httpx.Client(timeout=10.0, trust_env=False)
        self._keys: tuple[float, KeySet] | None = None
        self._lock = threading.Lock()

    def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        query = {"response_type": "code", "scope": SCOPES, "client_id": self.client_id, "state": state,
                 "nonce": nonce, "redirect_uri": redirect_uri}
        if self.team_id:
            query["team"] = self.team_id  # skip the workspace picker
        return f"{self.authorize_endpoint}?{urlencode(query)}"

    def identify(self, code: str, redirect_uri: str, nonce: str) -> SlackIdentity:
        """Steps 3 and 4: exchange the code, verify the id_token, confirm with userInfo."""
        try:
            token = WebClient(base_url=self.api_url, timeout=10).openid_connect_token(
                client_id=self.client_id, client_secret=self._client_secret, code=code,
                redirect_uri=redirect_uri, grant_type="authorization_code")
        except SlackApiError as exc:
            raise SignInFailed(f"Slack did not accept the sign-in ({exc.response.get('error')}). "
                               "Please try again.") from exc
        claims = self.verify_id_token(str(token.get("id_token") or ""), nonce)
        try:
            info = WebClient(token=str(token["access_token"]), base_url=self.api_url,
                             timeout=10).openid_connect_userInfo()
        except (SlackApiError, KeyError) as exc:
            raise SignInFailed("Slack did not tell us who you are. Please try again.") from exc
        if info.get("sub") != claims["sub"]:
            raise SignInFailed("Slack's answers about who you are did not agree. Please try again.")
        user_id = str(claims.get(USER_ID_CLAIM) or claims["sub"])
        team_id = str(claims.get(TEAM_ID_CLAIM) or info.get(TEAM_ID_CLAIM) or "")
        if self.team_id and team_id != self.team_id:
            raise SignInFailed("You signed in to a different Slack workspace than this program's. Sign in "
                               "with your account in the program's workspace.")
        name = str(info.get("name") or claims.get("name") or user_id)
        return SlackIdentity(user_id, team_id, name)

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The id_token's claims, after checking its signature, issuer, audience, expiry and nonce."""
        if not id_token:
            raise SignInFailed("Slack sent no identity token. Please try again.")
        try:
            decoded = self._decode(id_token, refresh=False)
        except (JoseError, ValueError):
            decoded = None  # perhaps Slack rotated its keys: fetch them once more
        try:
            decoded = decoded or self._decode(id_token, refresh=True)
            jwt.JWTClaimsRegistry(
                now=lambda: int(self.clock()), leeway=CLOCK_LEEWAY,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise SignInFailed("Slack's identity token did not check out, so you were not signed in. "
                               "Please try again.") from exc
        return dict(decoded.claims)

    def _decode(self, id_token: str, *, refresh: bool) -> jwt.Token:
        return jwt.decode(id_token, self._key_set(refresh), algorithms=["RS256"])

    def _key_set(self, refresh: bool) -> KeySet:
        with self._lock:
            cached = self._keys
            if cached is not None and not refresh and cached[0] > self.clock():
                return cached[1]
        try:
            response = self._http.get(self.jwks_uri)
            response.raise_for_status()
            keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            raise SignInFailed("Could not reach Slack to check your sign-in. Please try again.") from exc
        with self._lock:
            self._keys = (self.clock() + JWKS_TTL, keys)
        return keys


# -- signed cookies ----------------------------------------------------------------------------------


class _ClockedSigner(TimestampSigner):
    """itsdangerous's timestamp signer, reading the time from `clock` (tests pass their own)."""

    def __init__(self, *args: Any, clock: Callable[[], float] = time.time, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


class SignedCookie:
    """A small JSON value a browser keeps for us, signed and timestamped by itsdangerous.

    The browser can read it but not change it; an altered, expired or other-purpose value (each
    purpose is its own salt) reads as None.
    """

    def __init__(self, signer: Signer, purpose: str, max_age: int, clock: Callable[[], float] = time.time):
        self.purpose, self.max_age = purpose, max_age
        self._signer, self._clock = signer, clock

    @functools.cached_property
    def _serializer(self) -> URLSafeTimedSerializer:
        # Made on first use: the server secret is in the database, which is not read while the bot
        # is built (it may not be migrated yet).
        return URLSafeTimedSerializer(self._signer.derived_key("cookies"), salt=self.purpose,
                                      signer=_ClockedSigner, signer_kwargs={"clock": self._clock})

    def dump(self, value: dict[str, Any]) -> str:
        return self._serializer.dumps(value)

    def load(self, text: str | None) -> dict[str, Any] | None:
        try:
            value = self._serializer.loads(text or "", max_age=self.max_age)
        except BadData:  # a bad signature, an expired timestamp, or not our format at all
            return None
        return value if isinstance(value, dict) else None


SESSION_DAYS = 30
# The sign-in cookie carries the scan's instant, which stays good for SIGNIN_GRACE: the cookie lasts as long.
SIGNIN_SECONDS = int(SIGNIN_GRACE.total_seconds())


def session_cookie(signer: Signer, clock: Callable[[], float] = time.time) -> SignedCookie:
    """Who signed in on this browser (Slack user, team, name): the next check-in is one tap."""
    return SignedCookie(signer, "checkin-session", SESSION_DAYS * 86400, clock)


def signin_cookie(signer: Signer, clock: Callable[[], float] = time.time) -> SignedCookie:
    """One sign-in in progress: its state and nonce, the code scanned and when (ties the return from
    Slack to the browser that left, so a sign-in link cannot be passed on)."""
    return SignedCookie(signer, "checkin-signin", SIGNIN_SECONDS, clock)
