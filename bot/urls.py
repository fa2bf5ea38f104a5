"""Every public path of the bot, in one map: routes, credentials and messages all build links here.

Credentials embed these URLs, so they never change.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

DEFAULT_BASE = "http://localhost:3000"


@dataclass(frozen=True)
class PublicUrls:
    base: str

    @classmethod
    def of(cls, public_url: str) -> "PublicUrls":
        return cls((public_url or DEFAULT_BASE).rstrip("/"))

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

    def event_attendance(self, public_id: str) -> str:
        return f"{self.base}/events/{quote(public_id)}/attendance.csv"

    def checkin(self, code: str) -> str:
        return f"{self.base}/checkin/{quote(code)}"

    @property
    def checkin_callback(self) -> str:
        return f"{self.base}/checkin/callback"
