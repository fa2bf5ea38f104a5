"""Open Badges for one Badgebot: its keys, its images and its URLs, behind one object.

Entry points (Slack share answer, public pages, CLI) call `badgebot.open_badges` and then one method:
the credential JSON, the VC-JWT, the baked PNG/SVG, the OB 2.0 documents, the issuer's keys (profile,
DID document, JWKS) or the share links.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.images import BadgeDesign, BadgeRenderer
from bot.adapters.openbadges import baking, dataintegrity, ob2, vcjwt
from bot.adapters.openbadges import credential as ob3
from bot.adapters.openbadges.keys import EDDSA, RS256, KeyStore, SigningKey
from bot.adapters.openbadges.linkedin import add_to_profile_url
from bot.domain.vocabulary import CredentialType
from bot.urls import PublicUrls, did_web
from bot.usecases.credentials import AwardRecord, CredentialRecord
from config.catalog import Catalog, Issuer

# Defines verificationMethod, assertionMethod, alsoKnownAs, JsonWebKey and Multikey, which the profile
# uses as a controller document.
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"
# DID Core, and the two verification method types the DID document uses.
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/jwk/v1"]


@dataclass(frozen=True)
class ShareLinks:
    """What the share answer in Slack and the public page offer for one shared award."""

    page: str
    linkedin: str  # through the bot (counted per award and day, nothing about the clicker), then LinkedIn
    image: str
    svg: str
    json: str
    jwt: str
    ob2_assertion: str
    ob2_image: str


class OpenBadges:
    def __init__(self, catalog: Catalog, urls: PublicUrls, keys: KeyStore, renderer: BadgeRenderer,
                 image_root: Path | None = None, subject_secret: bytes | None = None):
        self.catalog = catalog
        self.urls = urls
        self.keys = keys
        self.renderer = renderer
        # Where a catalog's relative image paths (souvenirs' own look) are found: next to the catalog file.
        self.image_root = image_root
        # What credentialSubject.id derives from; by default a random secret kept beside the keys.
        self.subject_secret = subject_secret

    # Issuers ----------------------------------------------------------------------------------------
    # One signing key set for the whole program: the university signs on behalf of its colleges, offices
    # and departments. Each unit has its own profile (its id in its credentials, the university its
    # parentOrg), which publishes the program's keys as its own verification methods.

    def issuer_of(self, credential: CredentialRecord) -> Issuer:
        """The credential's issuer (the university for one whose issuer left the catalog)."""
        return self.catalog.issuer_by_id(credential.issuer) or self.catalog.issuer

    def parent_of(self, issuer: Issuer) -> Issuer | None:
        """The university, for one of its units; None for the university itself."""
        return None if issuer.id == self.catalog.issuer.id else self.catalog.issuer

    def profile_id(self, issuer: Issuer) -> str:
        return ob3.profile_id(issuer, self.urls, self.parent_of(issuer))

    # Images -----------------------------------------------------------------------------------------

    def design(self, credential: CredentialRecord, distinction: bool = False) -> BadgeDesign:
        source = None
        if credential.image and not credential.image.startswith(("http://", "https://")):
            path = Path(credential.image)
            source = path if path.is_absolute() or self.image_root is None else self.image_root / path
        return BadgeDesign(
            type=credential.type, title=credential.name, issuer=self.issuer_of(credential).name,
            distinction=distinction and credential.type.is_badge,
            details=credential.skills if credential.type is CredentialType.BADGE_LEVEL_2 else (),
            source_image=source,
        )

    def image(self, credential: CredentialRecord, distinction: bool = False) -> bytes:
        """The credential's badge image (PNG, 600x600), rendered once per design and cached on disk."""
        return self.renderer.render(self.design(credential, distinction))

    # Open Badges 3.0 --------------------------------------------------------------------------------

    def subject_id(self, record: AwardRecord) -> str:
        """The learner's credentialSubject.id: the same URN on each of their credentials from this issuer."""
        secret = self.subject_secret or self.keys.secret()
        return ob3.subject_id(secret, self.urls.issuer, ob3.learner_key(record))

    def credential(self, record: AwardRecord, *, proof: bool = False) -> dict[str, Any]:
        """The award as an OpenBadgeCredential; with `proof`, signed by an embedded eddsa-rdfc-2022 proof."""
        issuer = self.issuer_of(record.credential)
        doc = ob3.open_badge_credential(record, issuer, self.urls, subject=self.subject_id(record),
                                        parent=self.parent_of(issuer))
        # The proof's time is the award's: the same award always gives the same signed document.
        return self.add_proof(doc, created=record.issued_at, issuer=issuer) if proof else doc

    def verification_method(self, issuer: Issuer | None = None) -> str:
        """The embedded proofs' verificationMethod: the issuer profile's Multikey, named in the fragment."""
        controller = self.profile_id(issuer) if issuer else self.urls.issuer
        return f"{controller}#{dataintegrity.multikey_of(self.keys.get(EDDSA))}"

    def add_proof(self, doc: dict[str, Any], created: dt.datetime | None = None,
                  issuer: Issuer | None = None) -> dict[str, Any]:
        """`doc` (any credential of this program) with a DataIntegrityProof by the program's Ed25519 key,
        named as a method of `issuer`'s profile (the university's without one)."""
        return dataintegrity.add_proof(doc, self.keys.get(EDDSA), self.verification_method(issuer), created=created)

    def achievement(self, credential: CredentialRecord) -> dict[str, Any]:
        issuer = self.issuer_of(credential)
        return {"@context": [ob3.VC_CONTEXT, ob3.OB_CONTEXT],
                **ob3.achievement(credential, issuer, self.urls, self.parent_of(issuer))}

    def issuer_profile(self, issuer: Issuer | None = None) -> dict[str, Any]:
        """The served profile, also a controller document (W3C Controlled Identifiers) of every published key.

        The university's id stays its profile's URL (see `did`); `alsoKnownAs` names its did:web, whose DID
        document names the profile back, so a verifier may take the keys of either as the issuer's. A unit's
        profile (`issuer`) names the university as its parentOrg and publishes the same keys as its own.
        """
        issuer = issuer or self.catalog.issuer
        parent = self.parent_of(issuer)
        controller = self.profile_id(issuer)
        methods = self.verification_methods(controller)
        return {"@context": [ob3.VC_CONTEXT, ob3.OB_CONTEXT, CID_CONTEXT],
                **ob3.issuer_profile(issuer, self.urls, parent),
                **({"alsoKnownAs": [self.did]} if parent is None else {}),
                "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}

    @property
    def did(self) -> str:
        """The issuer's did:web. Not its id in credentials: that stays the profile URL, because did:web
        resolves over https only (the sandbox and a laptop serve http), and because the issuer id is in
        every credential already issued and in every learner's subject id, which must not change."""
        return did_web(self.urls)

    def did_document(self) -> dict[str, Any]:
        """The DID document of `did` (served at /.well-known/did.json): the profile's keys, under the DID."""
        methods = self.verification_methods(self.did)
        return {"@context": DID_CONTEXTS, "id": self.did, "alsoKnownAs": [self.urls.issuer],
                "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}

    def verification_methods(self, controller: str) -> list[dict[str, Any]]:
        """Every key the issuer publishes (rotated ones too: what they signed keeps verifying), as
        verification methods of `controller`: a JsonWebKey for each (its fragment the key's RFC 7638
        thumbprint, as Controlled Identifiers recommends), and a Multikey for each Ed25519 key (its
        fragment the Multikey, the method embedded proofs name)."""
        methods: list[dict[str, Any]] = []
        for key in self.keys.all():
            methods.append({"id": f"{controller}#{key.thumbprint}", "type": "JsonWebKey", "controller": controller,
                            "publicKeyJwk": {**key.key.as_dict(private=False), "kid": key.thumbprint,
                                             "alg": key.alg}})
            if key.alg == EDDSA:
                multikey = dataintegrity.multikey_of(key)
                methods.append({"id": f"{controller}#{multikey}", "type": "Multikey", "controller": controller,
                                "publicKeyMultibase": multikey})
        return methods

    def kid(self, key: SigningKey) -> str:
        return self.urls.key(key.thumbprint)

    def jwt(self, record: AwardRecord, alg: str = RS256) -> str:
        """The award as a signed VC-JWT (RS256 by default; EdDSA on request)."""
        key = self.keys.get(alg)
        return vcjwt.sign(self.credential(record), key, self.kid(key))

    def baked_png(self, record: AwardRecord, alg: str = RS256) -> bytes:
        """The award's image with its VC-JWT baked in (iTXt `openbadgecredential`)."""
        return baking.bake_png(self.image(record.credential, record.distinction), self.jwt(record, alg))

    def baked_svg(self, record: AwardRecord, alg: str = RS256) -> str:
        png = self.image(record.credential, record.distinction)
        return baking.bake_svg(png, self.jwt(record, alg), title=record.credential.name)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk(self.kid(key)) for key in self.keys.all()]}

    def public_jwk(self, thumbprint: str) -> dict[str, Any] | None:
        return next((key.public_jwk(self.kid(key)) for key in self.keys.all() if key.thumbprint == thumbprint), None)

    def revocation_list(self, public_id: str, revoked: bool) -> dict[str, Any]:
        return ob3.revocation_list(public_id, revoked, self.urls)

    # Open Badges 2.0 --------------------------------------------------------------------------------

    def ob2_issuer(self, issuer: Issuer | None = None) -> dict[str, Any]:
        """The university's OB 2.0 Issuer, or a unit's (OB 2.0 has no parent organization)."""
        issuer = issuer or self.catalog.issuer
        return ob2.issuer(issuer, self.urls, self._ob2_issuer_id(issuer))

    def ob2_badge_class(self, credential: CredentialRecord) -> dict[str, Any]:
        return ob2.badge_class(credential, self.urls, self._ob2_issuer_id(self.issuer_of(credential)))

    def _ob2_issuer_id(self, issuer: Issuer) -> str:
        return self.urls.ob2_issuer if self.parent_of(issuer) is None else self.urls.ob2_issuer_of(issuer.id)

    def ob2_assertion(self, record: AwardRecord, email: str | None = None) -> dict[str, Any]:
        """The hosted assertion; `email` (the learner's, from the directory) becomes its hashed recipient."""
        salt = ob2.salt_for(self.subject_secret or self.keys.secret(), record.public_id)
        return ob2.assertion(record, self.urls, email=email, salt=salt)

    def ob2_revoked(self, record: AwardRecord) -> dict[str, Any]:
        return ob2.revoked_assertion(record, self.urls)

    def ob2_baked_png(self, record: AwardRecord, email: str | None = None) -> bytes:
        text = json.dumps(self.ob2_assertion(record, email), ensure_ascii=False, separators=(",", ":"))
        return baking.bake_png(self.image(record.credential, record.distinction), text, baking.OB2_KEYWORD)

    # Sharing ----------------------------------------------------------------------------------------

    def linkedin_url(self, record: AwardRecord) -> str:
        """A unit without a LinkedIn page of its own is named on LinkedIn by the university's page."""
        issuer = self.issuer_of(record.credential)
        parent = self.parent_of(issuer)
        return add_to_profile_url(
            name=self.credential(record)["name"], issued_at=record.issued_at, expires_at=record.expires_at,
            cert_url=self.urls.award_page(record.public_id), cert_id=record.public_id,
            organization_id=issuer.linkedin_organization_id or (parent.linkedin_organization_id if parent else None),
            organization_name=issuer.name,
        )

    def share_links(self, record: AwardRecord) -> ShareLinks:
        pid = record.public_id
        return ShareLinks(
            page=self.urls.award_page(pid), linkedin=self.urls.award_linkedin(pid), image=self.urls.award_png(pid),
            svg=self.urls.award_svg(pid), json=self.urls.award_json(pid), jwt=self.urls.award_jwt(pid),
            ob2_assertion=self.urls.ob2_assertion(pid), ob2_image=self.urls.ob2_png(pid),
        )
