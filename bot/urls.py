"""Every path the bot's web app serves, in one map: credentials, messages, pages and redirects build
their links here, and tests/unit/test_url_map.py checks that a route answers each one.

Credentials embed these URLs, so they never change. `urls.paths` is the same map without the base
(`/checkin/CODE`): for redirects and links within the bot's own pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

DEFAULT_BASE = "http://localhost:3000"


@dataclass(frozen=True)
class PublicUrls:
    base: str

    @classmethod
    def of(cls, public_url: str) -> PublicUrls:
        return cls((public_url or DEFAULT_BASE).rstrip("/"))

    @property
    def paths(self) -> PublicUrls:
        """The same map as paths on this server, without scheme and host."""
        return PublicUrls("")

    @property
    def health(self) -> str:
        return f"{self.base}/healthz"

    # The issuer ------------------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return f"{self.base}/issuer"

    @property
    def jwks(self) -> str:
        return f"{self.base}/.well-known/jwks.json"

    def key(self, thumbprint: str) -> str:
        """A single public JWK: the `kid` of every VC-JWT signed with it."""
        return f"{self.base}/keys/{thumbprint}"

    # Achievements (the catalog) --------------------------------------------------------------------
    def achievement(self, slug: str) -> str:
        return f"{self.base}/achievements/{slug}"

    def achievement_image(self, slug: str, distinction: bool = False) -> str:
        return f"{self.base}/achievements/{slug}/{'distinction' if distinction else 'image'}.png"

    # Awards ----------------------------------------------------------------------------------------
    def award_page(self, public_id: str) -> str:
        """The public verification page; also the credential's id (JSON to clients that ask for it)."""
        return f"{self.base}/a/{public_id}"

    def award_json(self, public_id: str) -> str:
        return f"{self.base}/a/{public_id}/credential.json"

    def award_jwt(self, public_id: str) -> str:
        return f"{self.base}/a/{public_id}/credential.jwt"

    def award_png(self, public_id: str) -> str:
        return f"{self.base}/a/{public_id}/badge.png"

    def award_svg(self, public_id: str) -> str:
        return f"{self.base}/a/{public_id}/badge.svg"

    def evidence(self, public_id: str, artifact_id: int) -> str:
        return f"{self.base}/a/{public_id}/evidence/{artifact_id}"

    def status(self, public_id: str) -> str:
        return f"{self.base}/status/{public_id}"

    # Open Badges 2.0 hosted verification ------------------------------------------------------------
    def ob2_assertion(self, public_id: str) -> str:
        return f"{self.base}/ob2/assertions/{public_id}"

    def ob2_png(self, public_id: str) -> str:
        return f"{self.base}/ob2/assertions/{public_id}/badge.png"

    def ob2_badge(self, slug: str) -> str:
        return f"{self.base}/ob2/badges/{slug}"

    @property
    def ob2_issuer(self) -> str:
        return f"{self.base}/ob2/issuer"

    # Slack, grantors, event hosts, check-in -----------------------------------------------------------
    @property
    def slack_events(self) -> str:
        return f"{self.base}/slack/events"

    def review_artifact(self, artifact_id: int, expires: str, signature: str) -> str:
        return f"{self.base}/review/artifacts/{artifact_id}?exp={expires}&sig={signature}"

    def event_display(self, public_id: str) -> str:
        """The host's door screen (unguessable: never show it to learners)."""
        return f"{self.base}/events/{quote(public_id)}/display"

    def event_display_json(self, public_id: str) -> str:
        """What the door screen polls: the current code and the count."""
        return f"{self.base}/events/{quote(public_id)}/display.json"

    def event_attendance(self, public_id: str) -> str:
        return f"{self.base}/events/{quote(public_id)}/attendance.csv"

    @property
    def checkin_entry(self) -> str:
        """Type a code by hand (the form sends it back here as `?code=`)."""
        return f"{self.base}/checkin"

    def checkin(self, code: str) -> str:
        """What a check-in QR code opens (GET), and the one-tap form's target (POST)."""
        return f"{self.base}/checkin/{quote(code)}"

    def checkin_signin(self, code: str) -> str:
        return f"{self.base}/checkin/{quote(code)}/signin"

    @property
    def checkin_callback(self) -> str:
        """Where Sign in with Slack returns (the OpenID Connect redirect URI)."""
        return f"{self.base}/checkin/callback"

    def checkin_done(self, event_id: int, new: bool = True) -> str:
        return f"{self.base}/checkin/done/{event_id}?r={'new' if new else 'already'}"

    @property
    def checkin_signout(self) -> str:
        return f"{self.base}/checkin/signout"

    # The sandbox (`badgebot serve` without Slack credentials; loopback only) ------------------------
    @property
    def sandbox_ui(self) -> str:
        return f"{self.base}/"

    @property
    def sandbox_gallery(self) -> str:
        return f"{self.base}/sandbox/gallery"

    def sandbox_file(self, file_id: str) -> str:
        """A file in the emulated workspace."""
        return f"{self.base}/sandbox/files/{quote(file_id)}"

    def sandbox_scan(self, public_id: str) -> str:
        """What scanning an event's door screen opens now, for a visitor without a second device."""
        return f"{self.base}/sandbox/scan/{quote(public_id)}"
