"""Every path the bot's web app serves, in one map: credentials, messages, pages and redirects build
their links here, and tests/unit/test_url_map.py checks that a route answers each one.

Credentials embed these URLs, so they never change. `urls.paths` is the same map without the base
(`/checkin/CODE`): for redirects and links within the bot's own pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

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

    @property
    def favicon(self) -> str:
        """What every browser asks for beside a page (the same icon as the sandbox's)."""
        return f"{self.base}/favicon.ico"

    # The issuer ------------------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        return f"{self.base}/issuer"

    def issuer_of(self, issuer_id: str) -> str:
        """A college's, office's or department's own profile (page and Profile), under the university."""
        return f"{self.base}/issuers/{quote(issuer_id)}"

    def issuer_status_list(self, issuer_id: str, number: int) -> str:
        """That issuer's Bitstring status list (verifiers ask that a list's issuer be the credential's)."""
        return f"{self.base}/issuers/{quote(issuer_id)}/status/lists/{number}"

    def ob2_issuer_of(self, issuer_id: str) -> str:
        """That issuer as an Open Badges 2.0 Issuer."""
        return f"{self.base}/ob2/issuers/{quote(issuer_id)}"

    @property
    def jwks(self) -> str:
        return f"{self.base}/.well-known/jwks.json"

    @property
    def did_document(self) -> str:
        """The issuer's DID document, where did:web resolution finds it (`did_web` below names the DID)."""
        return f"{self.base}/{'did.json' if urlsplit(self.base).path.strip('/') else '.well-known/did.json'}"

    def key(self, thumbprint: str) -> str:
        """A single public JWK: the `kid` of every VC-JWT signed with it."""
        return f"{self.base}/keys/{thumbprint}"

    # Achievements (the catalog) --------------------------------------------------------------------
    def achievement(self, slug: str) -> str:
        return f"{self.base}/achievements/{slug}"

    def achievement_criteria(self, slug: str) -> str:
        """What it takes to earn the achievement, as a page for people (OB 2.0's `criteria.id`)."""
        return f"{self.base}/achievements/{slug}/criteria"

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

    def award_linkedin(self, public_id: str) -> str:
        """The "Add to LinkedIn profile" link, through the bot: counted per award and day, then sent on."""
        return f"{self.base}/a/{public_id}/linkedin"

    def status(self, public_id: str) -> str:
        """The old per-award 1EdTechRevocationList document: kept for credentials issued with it."""
        return f"{self.base}/status/{public_id}"

    def status_list(self, number: int) -> str:
        """An issuer-wide Bitstring status list (a signed BitstringStatusListCredential)."""
        return f"{self.base}/status/lists/{number}"

    def status_list_jwt(self, number: int) -> str:
        """The same status list as a VC-JWT."""
        return f"{self.base}/status/lists/{number}/credential.jwt"

    # Learners who share their transcript ---------------------------------------------------------------
    def learner_page(self, public_id: str) -> str:
        """A learner's public page: the awards they shared, and their CLR transcript."""
        return f"{self.base}/learners/{public_id}"

    def transcript(self, public_id: str) -> str:
        """The learner's CLR 2.0 transcript (a ClrCredential with an embedded proof)."""
        return f"{self.base}/learners/{public_id}/transcript.json"

    def transcript_jwt(self, public_id: str) -> str:
        return f"{self.base}/learners/{public_id}/transcript.jwt"

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

    def event_attendance(self, public_id: str, expires: str, signature: str) -> str:
        """The host's attendance CSV: the door screen's id alone never opens it (handlers/attendance_links.py)."""
        return f"{self.base}/events/{quote(public_id)}/{quote(expires)}/{quote(signature)}/attendance.csv"

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

    # The office's console (administrators, behind Sign in with Slack) -------------------------------
    @property
    def admin_home(self) -> str:
        return f"{self.base}/admin"

    def admin_report(self, report: str = "awards", csv: bool = False) -> str:
        """One report's page (filters in the query string), or its CSV."""
        return f"{self.base}/admin/reports/{quote(report)}{'.csv' if csv else ''}"

    @property
    def admin_signin(self) -> str:
        return f"{self.base}/admin/signin"

    @property
    def admin_callback(self) -> str:
        """Where Sign in with Slack returns to the console (a second redirect URI for the Slack app)."""
        return f"{self.base}/admin/callback"

    @property
    def admin_signout(self) -> str:
        return f"{self.base}/admin/signout"

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

    def sandbox_signed_in(self, path: str) -> str:
        """`path` opened as the person chosen in the sandbox UI (it adds `&as=U...`): the emulated Slack
        hears first who is signed in in this browser, so its Sign in with Slack offers that person."""
        return f"{self.base}/sandbox/open?next={quote(path, safe='/')}"


def did_web(urls: PublicUrls) -> str:
    """The issuer's did:web DID: the public URL's host (a port percent-encoded) and path, as did:web spells it.

    did:web resolves over https only: `https://<host>[/<path>]/...did.json`, which `own_path` counts as ours
    even where the bot itself answers on http (a laptop, the sandbox).
    """
    parts = urlsplit(urls.base)
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", quote(parts.netloc, safe=""), *segments])


def own_path(urls: PublicUrls, url: str) -> str | None:
    """The path on this server of `url`, when `url` is one of the bot's own (at its public URL, or at
    the https address its did:web resolves to); None for anyone else's."""
    parts = urlsplit(urls.base)
    for base in {urls.base, f"https://{parts.netloc}{parts.path}"}:
        if url == base or url.startswith(base + "/"):
            path = url[len(base):].split("#", 1)[0]
            return path or "/"
    return None
